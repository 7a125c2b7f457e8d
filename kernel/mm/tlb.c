/* The fence-then-free rule (see tlb.h). */
#include "kernel/mm/tlb.h"
#include "kernel/mm/mm.h"
#include "kernel/mm/page.h"

void tlb_gather_init(struct tlb_gather *tlb, struct mm *mm)
{
	tlb->mm = mm;
	tlb->nva = 0;
	tlb->npages = 0;
	tlb->all = false;
}

void tlb_gather_va(struct tlb_gather *tlb, u64 va)
{
	if (tlb->nva < TLB_GATHER_VAS)
		tlb->va[tlb->nva] = va;
	tlb->nva++;
}

void tlb_gather_page(struct tlb_gather *tlb, struct page *pg)
{
	if (tlb->npages == TLB_GATHER_PAGES)
		tlb_gather_finish(tlb);
	tlb->pages[tlb->npages++] = pg;
}

void tlb_gather_table(struct tlb_gather *tlb, struct page *table)
{
	tlb_gather_page(tlb, table);
	tlb->all = true; /* after: an early finish above did not cover it */
}

void tlb_gather_finish(struct tlb_gather *tlb)
{
	if (tlb->all || tlb->nva > TLB_GATHER_VAS)
		mm_tlb_flush(tlb->mm, MM_FLUSH_ALL);
	else
		for (int i = 0; i < tlb->nva; i++)
			mm_tlb_flush(tlb->mm, tlb->va[i]);
	/* Only now can no hart reach these pages through the old PTEs. */
	for (int i = 0; i < tlb->npages; i++)
		page_put(tlb->pages[i]);
	tlb->nva = 0;
	tlb->npages = 0;
	tlb->all = false;
}
