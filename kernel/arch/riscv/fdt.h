/* The facts mnemo takes from the flattened device tree at boot. */
#ifndef ARCH_RISCV_FDT_H
#define ARCH_RISCV_FDT_H

#include "kernel/types.h"

#define FDT_MAX_HARTS  8
#define FDT_MAX_VIRTIO 8 /* QEMU virt has eight virtio-mmio transports */

/* A device's registers and its interrupt (a PLIC source). */
struct fdt_device {
	u64 base, size; /* physical */
	int irq;	/* 0: none */
};

struct boot_info {
	u64 mem_start, mem_size;
	u64 initrd_start, initrd_end; /* physical; 0 when none */
	u64 timebase;		      /* rdtime ticks per second */
	int nharts;
	u64 hartids[FDT_MAX_HARTS];
	char bootargs[256];
	u64 fdt_start, fdt_size;
	u64 pages_end; /* end of the page descriptors after the kernel */
	int nvirtio;
	struct fdt_device virtio[FDT_MAX_VIRTIO]; /* "virtio,mmio" nodes, in tree order */
};

/* What boot read (kernel/arch/riscv/start.c), for the drivers that look
 * for their devices there once the kernel page table maps them. */
extern struct boot_info boot_info;

/* Parses the tree at physical address fdt_pa; returns 0 or -1 if it is not
 * a device tree. */
int fdt_parse(u64 fdt_pa, struct boot_info *bi);

#endif
