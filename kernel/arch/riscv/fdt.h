/* The facts mnemo takes from the flattened device tree at boot. */
#ifndef ARCH_RISCV_FDT_H
#define ARCH_RISCV_FDT_H

#include "kernel/types.h"

#define FDT_MAX_HARTS 8

struct boot_info {
	u64 mem_start, mem_size;
	u64 initrd_start, initrd_end; /* physical; 0 when none */
	u64 timebase;		      /* rdtime ticks per second */
	int nharts;
	u64 hartids[FDT_MAX_HARTS];
	char bootargs[256];
	u64 fdt_start, fdt_size;
	u64 pages_end; /* end of the page descriptors after the kernel */
};

/* Parses the tree at physical address fdt_pa; returns 0 or -1 if it is not
 * a device tree. */
int fdt_parse(u64 fdt_pa, struct boot_info *bi);

#endif
