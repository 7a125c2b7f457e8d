/* The per-hart records. */
#include "kernel/arch/riscv/cpu.h"

struct cpu cpus[NCPU];
int ncpu = 1;

int cpu_id(void)
{
	return mycpu()->id;
}
