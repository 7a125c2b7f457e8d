/* The per-hart records, and interrupt masking that nests. */
#include "kernel/arch/riscv/cpu.h"
#include "kernel/arch/riscv/csr.h"
#include "kernel/lib/panic.h"

struct cpu cpus[NCPU];
int ncpu = 1;

int cpu_id(void)
{
	return mycpu()->id;
}

void push_off(void)
{
	bool old = intr_get();
	intr_off();
	struct cpu *c = mycpu();
	if (c->noff == 0)
		c->intena = old;
	c->noff++;
}

void pop_off(void)
{
	struct cpu *c = mycpu();
	if (intr_get())
		panic("pop_off: interrupts on");
	if (c->noff < 1)
		panic("pop_off: unbalanced");
	c->noff--;
	if (c->noff == 0 && c->intena)
		intr_on();
}
