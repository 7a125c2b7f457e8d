/* The kernel half of every address space. */
#ifndef ARCH_RISCV_KMAP_H
#define ARCH_RISCV_KMAP_H

#include "kernel/arch/riscv/fdt.h"
#include "kernel/mm/pte.h"

/* kernel_root, the table every address space copies the upper half of,
 * is declared in kernel/mm/mm.h. */

/* kernel_root's satp value (ASID 0): trap.S loads it to time a switch of
 * address spaces (SYS_trap_floor). */
extern u64 kernel_satp;

/* Builds the kernel page table for the RAM and the devices bi names, and
 * switches the boot hart to it. */
void kmap_init(const struct boot_info *bi);
/* Switches a secondary hart to the kernel page table. */
void kmap_init_hart(void);

/* Loads a page table into satp (with the fence the spec requires). */
void satp_switch(pagetable_t root);

#endif
