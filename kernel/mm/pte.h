/* Sv39 page-table entries (RISC-V privileged spec, section 4.4): three
 * levels of 512 entries, 4 KiB pages, 2 MiB and 1 GiB leaves. */
#ifndef KERNEL_MM_PTE_H
#define KERNEL_MM_PTE_H

#include "kernel/mm/mm_arch.h"
#include "kernel/types.h"

typedef u64 pte_t;
typedef pte_t *pagetable_t; /* kernel virtual address of a 512-entry page */

#define PTE_V (1UL << 0)
#define PTE_R (1UL << 1)
#define PTE_W (1UL << 2)
#define PTE_X (1UL << 3)
#define PTE_U (1UL << 4)
#define PTE_G (1UL << 5)
#define PTE_A (1UL << 6)
#define PTE_D (1UL << 7)
/* The two bits the hardware leaves to software (RSW): */
#define PTE_S	(1UL << 8) /* shared from another process: not owned (seed 001) */
#define PTE_COW (1UL << 9) /* private page shared read-only until written */

#define PTE_RWX	       (PTE_R | PTE_W | PTE_X)
#define PTE_FLAGS_MASK 0x3ffUL

#define PT_LEVELS	     3
#define PT_ENTRIES	     512
#define PT_INDEX(va, level)  (((va) >> (PAGE_SHIFT + 9 * (level))) & 0x1ff)
#define PT_LEVEL_SIZE(level) (1UL << (PAGE_SHIFT + 9 * (level)))

static inline u64 pte_pa(pte_t pte)
{
	return (pte >> 10) << PAGE_SHIFT;
}
static inline pte_t pte_make(u64 pa, u64 flags)
{
	return ((pa >> PAGE_SHIFT) << 10) | flags;
}
static inline bool pte_valid(pte_t pte)
{
	return pte & PTE_V;
}
static inline bool pte_leaf(pte_t pte)
{
	return pte & PTE_RWX;
}

/* A swap entry: an invalid leaf PTE (V clear, so the hardware ignores
 * every other bit) that says where on the swap device its page went. Bit
 * 1 marks it, so that a swap entry is never 0, the empty PTE; the slot
 * number takes the PPN's place. */
#define PTE_SWAP (1UL << 1)
static inline pte_t pte_swap_make(u64 slot)
{
	return (slot << 10) | PTE_SWAP;
}
static inline bool pte_is_swap(pte_t pte)
{
	return (pte & (PTE_V | PTE_SWAP)) == PTE_SWAP;
}
static inline u64 pte_swap_slot(pte_t pte)
{
	return pte >> 10;
}

#endif
