/* The platform-level interrupt controller of QEMU virt (RISC-V PLIC
 * specification 1.0.0): priorities, per-context enables and the
 * claim/complete register. Context 2*hart+1 is each hart's S-mode. */
#include "kernel/arch/riscv/plic.h"
#include "kernel/arch/riscv/memlayout.h"

#define PLIC_PRIORITY(irq)   (PLIC_PA + 4 * (irq))
#define PLIC_SENABLE(hart)   (PLIC_PA + 0x2080 + (hart)*0x100)
#define PLIC_SPRIORITY(hart) (PLIC_PA + 0x201000 + (hart)*0x2000)
#define PLIC_SCLAIM(hart)    (PLIC_PA + 0x201004 + (hart)*0x2000)

static volatile u32 *reg(u64 pa)
{
	return (volatile u32 *)pa_to_kva(pa);
}

void plic_init(void)
{
	*reg(PLIC_PRIORITY(UART0_IRQ)) = 1;
}

void plic_init_hart(u64 hartid)
{
	*reg(PLIC_SENABLE(hartid)) = 1u << UART0_IRQ;
	*reg(PLIC_SPRIORITY(hartid)) = 0;
}

int plic_claim(u64 hartid)
{
	return (int)*reg(PLIC_SCLAIM(hartid));
}

void plic_complete(u64 hartid, int irq)
{
	*reg(PLIC_SCLAIM(hartid)) = (u32)irq;
}
