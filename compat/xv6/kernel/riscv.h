/* The RISC-V (Sv39) paging facts that xv6 programs use, for user code:
 * page size and rounding, PTE bits and conversions, the top of the
 * virtual address space. Of xv6's register accessors only r_sp() is here:
 * the others read supervisor CSRs, which trap in user mode. */
#ifndef XV6_KERNEL_RISCV_H
#define XV6_KERNEL_RISCV_H

#include "types.h"

typedef uint64 pte_t;
typedef uint64 *pagetable_t; /* 512 PTEs */

#define PGSIZE	4096 /* bytes per page */
#define PGSHIFT 12   /* bits of offset within a page */

#define PGROUNDUP(sz)  (((sz) + PGSIZE - 1) & ~(PGSIZE - 1))
#define PGROUNDDOWN(a) ((a) & ~(PGSIZE - 1))

#define PTE_V (1L << 0) /* valid */
#define PTE_R (1L << 1)
#define PTE_W (1L << 2)
#define PTE_X (1L << 3)
#define PTE_U (1L << 4) /* user mode may access */

/* A PTE holds the physical page number from bit 10 up. */
#define PA2PTE(pa)     ((((uint64)(pa)) >> 12) << 10)
#define PTE2PA(pte)    (((pte) >> 10) << 12)
#define PTE_FLAGS(pte) ((pte)&0x3FF)

/* The 9-bit index into the page table of each level for a virtual address. */
#define PXMASK	       0x1FF
#define PXSHIFT(level) (PGSHIFT + (9 * (level)))
#define PX(level, va)  ((((uint64)(va)) >> PXSHIFT(level)) & PXMASK)

/* One past the highest virtual address xv6 uses: Sv39 has 39 bits, and
 * xv6 stays below bit 38 so that it never needs sign-extended addresses. */
#define MAXVA (1L << (9 + 9 + 9 + 12 - 1))

/* The stack pointer, which user code may read. */
static inline uint64 r_sp(void)
{
	uint64 x;
	__asm__ volatile("mv %0, sp" : "=r"(x));
	return x;
}

/* The time counter: unprivileged (mnemo lets user mode read it). */
static inline uint64 r_time(void)
{
	uint64 x;
	__asm__ volatile("rdtime %0" : "=r"(x));
	return x;
}

#endif
