/* The address-space layout (Sv39).
 *
 *   0x0000000000000000  unmapped (catches NULL)
 *   0x0000000000010000  user program text, data, heap; mmap above
 *   ...                 stack, growing down from USER_STACK_TOP
 *   0x0000003fffffe000  USER_STACK_TOP: two unmapped pages above it
 *   0x0000004000000000  USER_TOP: end of the lower half
 *   ...                 non-canonical hole
 *   0xffffffc000000000  DIRECT_MAP: all physical addresses, pa + DIRECT_MAP
 *   0xffffffc080200000  the kernel image, inside the direct map
 *
 * Every page table shares the upper half, so traps never switch tables.
 * The two pages under USER_TOP stay unmapped: xv6 keeps its trampoline
 * and trap frame there, and programs written for it (usertests) check
 * that touching them faults. */
#ifndef ARCH_RISCV_MEMLAYOUT_H
#define ARCH_RISCV_MEMLAYOUT_H

#define USER_TOP       0x4000000000UL
#define USER_STACK_TOP (USER_TOP - 2 * 0x1000UL)

#define DIRECT_MAP 0xffffffc000000000UL

#define UART0_PA  0x10000000UL
#define PLIC_PA	  0x0c000000UL
#define PLIC_SIZE 0x400000UL
#define UART0_IRQ 10

#ifndef __ASSEMBLER__
#include "kernel/types.h"
static inline void *pa_to_kva(u64 pa)
{
	return (void *)(pa + DIRECT_MAP);
}
static inline u64 kva_to_pa(const void *kva)
{
	return (u64)kva - DIRECT_MAP;
}
#endif

/* Hart ids below this can be started late through the boot entry
 * (entry.S's late_secondary); the machine's are 0..7. */
#define BOOT_MAX_HARTID 64

#endif
