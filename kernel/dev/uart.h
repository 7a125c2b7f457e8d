/* The 16550-compatible UART of QEMU's virt machine: the console's wire. */
#ifndef KERNEL_DEV_UART_H
#define KERNEL_DEV_UART_H

#include "kernel/types.h"

/* 8 data bits, no parity, 1 stop bit, FIFOs on, receive interrupts on. */
void uart_init(void);
/* Sends one byte, spinning until the transmitter takes it. Takes no lock
 * and works with interrupts off: printk and panic use it. */
void uart_putc_sync(int c);
/* The interrupt handler (PLIC source UART0_IRQ): hands every received
 * byte to console_intr(). */
void uart_intr(void);

#endif
