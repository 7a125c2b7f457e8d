/* Driver for the 16550 UART at UART0_PA. Output is polled: QEMU's
 * transmitter is always ready at once, so spinning on "holding register
 * empty" costs nothing and no byte is ever dropped. Input is by interrupt:
 * each received byte goes to the console's line discipline. */
#include "kernel/dev/uart.h"
#include "kernel/arch/riscv/memlayout.h"
#include "kernel/fs/fs.h"

/* Registers, one byte apart (QEMU virt: reg-shift 0). */
#define UART_RBR 0 /* receive buffer (read) */
#define UART_THR 0 /* transmit holding (write) */
#define UART_DLL 0 /* divisor latch, low byte (while LCR.DLAB) */
#define UART_IER 1 /* interrupt enable */
#define UART_DLM 1 /* divisor latch, high byte (while LCR.DLAB) */
#define UART_FCR 2 /* FIFO control (write) */
#define UART_LCR 3 /* line control */
#define UART_MCR 4 /* modem control */
#define UART_LSR 5 /* line status */

#define IER_RX_AVAILABLE 0x01 /* interrupt when received data is ready */
#define FCR_ENABLE	 0x01
#define FCR_CLEAR_RX	 0x02
#define FCR_CLEAR_TX	 0x04
#define LCR_8N1		 0x03 /* 8 data bits, 1 stop bit, no parity */
#define LCR_DLAB	 0x80 /* the first two registers become the divisor */
#define MCR_DTR		 0x01
#define MCR_RTS		 0x02
#define MCR_OUT2	 0x08 /* gates the interrupt line on PC-style boards */
#define LSR_DATA_READY	 0x01
#define LSR_THR_EMPTY	 0x20

/* The virt board's UART clock (its device-tree clock-frequency), and the
 * usual rate; the divisor is clock / (16 * baud). QEMU ignores it. */
#define UART_CLOCK 3686400
#define UART_BAUD  115200

static volatile u8 *uart_reg(int reg)
{
	return (volatile u8 *)pa_to_kva(UART0_PA) + reg;
}
static u8 uart_read_reg(int reg)
{
	return *uart_reg(reg);
}
static void uart_write_reg(int reg, u8 v)
{
	*uart_reg(reg) = v;
}

void uart_init(void)
{
	u32 divisor = UART_CLOCK / (16 * UART_BAUD);

	uart_write_reg(UART_IER, 0);
	uart_write_reg(UART_LCR, LCR_DLAB);
	uart_write_reg(UART_DLL, divisor & 0xff);
	uart_write_reg(UART_DLM, divisor >> 8);
	uart_write_reg(UART_LCR, LCR_8N1);
	uart_write_reg(UART_FCR, FCR_ENABLE | FCR_CLEAR_RX | FCR_CLEAR_TX);
	uart_write_reg(UART_MCR, MCR_DTR | MCR_RTS | MCR_OUT2);
	uart_write_reg(UART_IER, IER_RX_AVAILABLE);
}

void uart_putc_sync(int c)
{
	while (!(uart_read_reg(UART_LSR) & LSR_THR_EMPTY))
		;
	uart_write_reg(UART_THR, c);
}

void uart_intr(void)
{
	while (uart_read_reg(UART_LSR) & LSR_DATA_READY)
		console_intr(uart_read_reg(UART_RBR));
}
