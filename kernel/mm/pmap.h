/* pmap: the one owner of the leaf page-table entries of user address
 * spaces (the name is FreeBSD's). Every change to such a PTE, and the TLB
 * fence that goes with it, happens in pmap.c; every other file of kernel/mm
 * asks it. Its rule is fence, then free: a page (or page-table page) whose
 * entry was removed or replaced goes back to the allocator only after
 * every hart that may cache the old translation has been fenced, since
 * until then a hart could still read or write it after its next owner got
 * it (Linux calls the batch that enforces this an mmu_gather).
 *
 * Changes that only make an invalid entry valid (pmap_enter) are not
 * fenced: a hart that cached the invalid entry takes one spurious fault,
 * and the fault handler then calls pmap_sync. Internal to kernel/mm; every
 * function wants mm->lock held. */
#ifndef KERNEL_MM_PMAP_H
#define KERNEL_MM_PMAP_H

#include "kernel/mm/mm.h"

struct page;

/* A batch of PTE changes that took something away: the addresses to fence
 * and the page references to drop after the fence (pmap.c's rule). Every
 * pmap function below that weakens PTEs runs one of its own; fork keeps
 * one across all of an mm's VMAs (pmap_copy), so that it fences once. */
/* Past this many addresses one fence of the whole TLB is cheaper than one
 * per page (under QEMU each costs about the same). */
#define BATCH_VAS 32
/* References held back in the batch itself; past them, in a page of
 * kernel memory borrowed for the batch, and only past that (or with no
 * page to borrow) is the batch fenced and dropped early, since each early
 * finish is one more fence. */
#define BATCH_PAGES	 16
#define BATCH_MORE_PAGES (PAGE_SIZE / sizeof(struct page *))

struct fence_batch {
	struct mm *mm;
	u64 va[BATCH_VAS];
	int nva;  /* may exceed BATCH_VAS: then fence everything */
	bool all; /* a page-table page goes: fence everything */
	struct page *pages[BATCH_PAGES];
	struct page **more; /* NULL, or a page of BATCH_MORE_PAGES */
	u64 npages;
};

void pmap_batch_begin(struct fence_batch *b, struct mm *mm);
/* Fences every hart that may cache a recorded PTE, then drops the
 * references; the batch is empty afterwards. */
void pmap_batch_end(struct fence_batch *b);

/* The PTE permission bits (U, R, W, X) for a VMA protection. PROT_NONE
 * keeps the page but not U, so any user access faults. */
u64 pmap_prot_bits(u32 prot);
/* The protection the permission bits of pte grant (VM_*). */
u32 pmap_pte_prot(pte_t pte);

/* The leaf PTE for va: valid, a swap entry (pte_is_swap), or 0. */
pte_t pmap_lookup(struct mm *mm, u64 va);
/* The first address in [va, end) with a present page, or end. */
u64 pmap_next_present(struct mm *mm, u64 va, u64 end);
/* How many pages of [start, end) are mapped, and how many swapped out. */
void pmap_count(struct mm *mm, u64 start, u64 end, u64 *resident, u64 *swapped);

/* Maps pg at va, which maps nothing, with bits (pmap_prot_bits, plus
 * PTE_S for a shared-in page); takes over the caller's reference on pg.
 * 0, or -ENOMEM when a page table cannot be had (the reference stays the
 * caller's). */
int pmap_enter(struct mm *mm, u64 va, struct page *pg, u64 bits);

/* pmap_enter for pages[0..n) at va, va + PAGE_SIZE, ...: each PTE takes
 * over its page's reference and the slot is set to NULL; on -ENOMEM the
 * pages not yet mapped stay the caller's. */
int pmap_enter_pages(struct mm *mm, u64 va, struct page **pages, u64 n, u64 bits);

/* Gives the present PTEs of [start, end) the permissions of prot, except
 * that a copy-on-write page stays read-only; fences. */
void pmap_protect(struct mm *mm, u64 start, u64 end, u32 prot);

/* fork's copy of the PTEs in [start, end) from parent to child. shared:
 * both map the same pages. Else each private page becomes copy-on-write
 * in both (the parent's writable entries go in parent_batch, which the
 * caller ends once all its VMAs are copied), except a page the
 * parent shares with another process (PG_SHARED), which the child gets a
 * copy of, so that the parent's sharing stays one page; such a page in
 * swap is read for its copy, which the child maps with prot. 0, -ENOMEM
 * (also when that read fails) or -EINTR (the caller was killed); the child then holds what was
 * copied. */
int pmap_copy(struct mm *parent, struct mm *child, u64 start, u64 end, bool shared, u32 prot,
	      struct fence_batch *parent_batch);

/* Gives the copy-on-write PTE at va a page of its own: the same page when
 * nobody else holds it (no fence: the entry only gains permissions), else
 * a copy; writable if writable is. The old page's reference goes after
 * the fence. FAULT_OK or FAULT_OOM. */
enum fault_result pmap_unshare(struct mm *mm, u64 va, bool writable);

/* Points the present PTE at va to pg, with the same permissions, and
 * takes over the caller's reference on pg; the old page's reference goes
 * after every hart that may cache the old entry is fenced (for
 * copy-on-write that leaves the writer the page: fault.c). */
void pmap_replace_page(struct mm *mm, u64 va, struct page *pg);

/* Unmaps every page of [start, end), and frees the page tables under it
 * whose whole span lies in [lo, hi), the free gap around it where no VMA
 * can use them (lo == hi: none), so that an mm that maps and unmaps ever
 * new ranges (the crypto server) never grows. The pages' references go
 * after the fence; freed tables need a fence of the whole TLB, since a
 * hart may cache the walk through them and a fence naming one address
 * drops only leaf entries. */
void pmap_remove(struct mm *mm, u64 start, u64 end, u64 lo, u64 hi);

/* pmap_remove for an mm being destroyed (no user left): each page's
 * reference goes at once, with no fence. No hart can reach its entries:
 * none has it in satp (each that does holds a user), and its ASID is
 * named by no satp again before a new generation of ASIDs, whose first
 * load on each hart fences everything (kernel/arch/riscv/mmu.c). Leaves
 * the page tables and the counts (rss, swapped) to the caller. */
void pmap_destroy_range(struct mm *mm, u64 start, u64 end);

/* Swapping. pmap_swap_in maps pg at va in place of its swap entry (whose
 * count swap_in already took), taking over the caller's reference;
 * pmap_swap_out turns the valid PTE at va into a swap entry for slot and
 * drops its page reference after the fence. pmap_young tests and clears
 * the accessed bit of the PTE at va (the clock's second chance). */
int pmap_swap_in(struct mm *mm, u64 va, struct page *pg, u64 bits);
void pmap_swap_out(struct mm *mm, u64 va, u64 slot);
bool pmap_young(struct mm *mm, u64 va);

/* The PTE at va is right, but this hart may have cached an older, weaker
 * one: fence it (the spurious fault after an invalid-to-valid change or a
 * gain of permissions). Only this hart: others fault on their own. */
void pmap_sync(struct mm *mm, u64 va);

#endif
