/* Address-space identifiers: satp tags each TLB entry with the ASID of
 * the table it came from, so a hart that switches address spaces need not
 * throw away the entries of the others. */
#ifndef ARCH_RISCV_ASID_H
#define ARCH_RISCV_ASID_H

#include "kernel/types.h"

struct mm;
struct cpu;

/* Finds how many ASID bits this machine has (boot hart, with the kernel
 * table loaded); with none, every switch fences the whole TLB. */
void asid_init(void);
/* Loads mm's page table into satp on hart c, which has just published mm
 * as its active_mm; fences only what may be stale (see mmu.c). */
void asid_load_mm(struct cpu *c, struct mm *mm);
/* Publishes mm (NULL: the kernel's table) as the active_mm of hart c,
 * before c loads it: from then on mm_tlb_flush fences c for mm, and no
 * longer for the mm c had. Returns that one; the reference c holds moves
 * with the caller. */
struct mm *cpu_publish_mm(struct cpu *c, struct mm *mm);

#endif
