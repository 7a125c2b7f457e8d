/* Fence, then free. A PTE that loses a permission or its page may still
 * be cached in the TLB of any hart that has the mm loaded, and such a hart
 * can go on using the old translation until it is fenced. So a page whose
 * mapping was removed or replaced must not return to the allocator (and be
 * handed to another process) before every such hart is fenced.
 *
 * Every kernel/mm path that weakens PTEs does it through a tlb_gather: it
 * records each address whose PTE it weakened and hands over each page
 * reference it would drop; tlb_gather_finish() fences, then drops. The
 * order lives here and nowhere else. (Linux calls the same idea
 * mmu_gather.) */
#ifndef KERNEL_MM_TLB_H
#define KERNEL_MM_TLB_H

#include "kernel/types.h"

struct mm;
struct page;

/* Past this many addresses one fence of the whole TLB is cheaper than
 * one per page (under QEMU both cost about the same per fence). */
#define TLB_GATHER_VAS 32
/* References held back at most; a full batch is fenced and dropped early. */
#define TLB_GATHER_PAGES 64

struct tlb_gather {
	struct mm *mm;
	u64 va[TLB_GATHER_VAS];
	int nva;  /* may exceed TLB_GATHER_VAS: then fence everything */
	bool all; /* a page-table page goes: fence everything */
	struct page *pages[TLB_GATHER_PAGES];
	int npages;
};

void tlb_gather_init(struct tlb_gather *tlb, struct mm *mm);
/* The PTE of page va lost a permission or its page. */
void tlb_gather_va(struct tlb_gather *tlb, u64 va);
/* A reference to drop once the recorded addresses are fenced. */
void tlb_gather_page(struct tlb_gather *tlb, struct page *pg);
/* A page-table page that no entry points at any more (pt_prune), to free
 * after a fence of the whole TLB: a hart may cache the walk through it,
 * and a fence that names one address drops only leaf entries. */
void tlb_gather_table(struct tlb_gather *tlb, struct page *table);
/* Fences every hart that may cache a recorded PTE, then drops the
 * references. The gather is empty (and reusable) afterwards. */
void tlb_gather_finish(struct tlb_gather *tlb);

#endif
