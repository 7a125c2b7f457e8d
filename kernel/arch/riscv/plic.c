/* The platform-level interrupt controller of QEMU virt (RISC-V PLIC
 * specification 1.0.0): priorities, per-context enables and the
 * claim/complete register. Context 2*hart+1 is each hart's S-mode.
 *
 * Every routed source goes to every hart: whichever claims it first runs
 * its handler, and the others find nothing to claim. A hart that starts
 * after a source was routed gets the enables of all routed sources. */
#include "kernel/arch/riscv/plic.h"
#include "include/uapi/errno.h"
#include "kernel/arch/riscv/cpu.h"
#include "kernel/arch/riscv/memlayout.h"
#include "kernel/lib/panic.h"
#include "kernel/lib/spinlock.h"

#define PLIC_PRIORITY(irq)	 (PLIC_PA + 4 * (irq))
#define PLIC_SENABLE(hart, word) (PLIC_PA + 0x2080 + (hart)*0x100 + 4 * (word))
#define PLIC_SPRIORITY(hart)	 (PLIC_PA + 0x201000 + (hart)*0x2000)
#define PLIC_SCLAIM(hart)	 (PLIC_PA + 0x201004 + (hart)*0x2000)
#define PLIC_WORDS		 (PLIC_MAX_IRQ / 32)

/* Locking legend: (l) plic_lock; (a) written under plic_lock, read
 * without it by the interrupt path. */
static struct spinlock plic_lock = SPINLOCK_INIT("plic");
static void (*handlers[PLIC_MAX_IRQ])(void); /* (a) */
static u32 enabled[PLIC_WORDS];		     /* (l) the routed sources, as enable bits */
static u64 harts[NCPU];			     /* (l) the hart ids set up so far */
static int nharts;			     /* (l) */

static volatile u32 *reg(u64 pa)
{
	return (volatile u32 *)pa_to_kva(pa);
}

/* Writes every routed source's enable bit for hart; plic_lock held. */
static void enable_all(u64 hart)
{
	if (!spin_holding(&plic_lock))
		panic("enable_all: plic_lock not held");
	for (int w = 0; w < PLIC_WORDS; w++)
		*reg(PLIC_SENABLE(hart, w)) = enabled[w];
}

void plic_init_hart(u64 hartid)
{
	spin_lock(&plic_lock);
	if (nharts == NCPU)
		panic("plic_init_hart: more than %d harts", NCPU);
	harts[nharts++] = hartid;
	enable_all(hartid);
	*reg(PLIC_SPRIORITY(hartid)) = 0;
	spin_unlock(&plic_lock);
}

int plic_route(int irq, void (*handler)(void))
{
	if (irq <= 0 || irq >= PLIC_MAX_IRQ || !handler)
		return -EINVAL;
	spin_lock(&plic_lock);
	if (handlers[irq]) {
		spin_unlock(&plic_lock);
		return -EBUSY;
	}
	__atomic_store_n(&handlers[irq], handler, __ATOMIC_RELEASE);
	/* The handler is in place before the device can interrupt a hart. */
	__sync_synchronize();
	*reg(PLIC_PRIORITY(irq)) = 1;
	enabled[irq / 32] |= 1u << (irq % 32);
	for (int i = 0; i < nharts; i++)
		enable_all(harts[i]);
	spin_unlock(&plic_lock);
	return 0;
}

void plic_intr(u64 hartid)
{
	u32 irq = *reg(PLIC_SCLAIM(hartid));
	if (irq == 0)
		return; /* another hart claimed it first */
	void (*handler)(void) =
	    irq < PLIC_MAX_IRQ ? __atomic_load_n(&handlers[irq], __ATOMIC_ACQUIRE) : NULL;
	if (handler)
		handler();
	*reg(PLIC_SCLAIM(hartid)) = irq;
}
