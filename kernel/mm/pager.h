/* Pagers: the policy that fills an address space (the seeds' Pager
 * trait), as an ops table in the FreeBSD way. Every call goes through the
 * pager_*() wrappers below. mm->lock is held for all of them. */
#ifndef KERNEL_MM_PAGER_H
#define KERNEL_MM_PAGER_H

#include "kernel/mm/mm.h"

struct pager_ops {
	const char *name;
	/* [start, end) of vma was just mapped: populate it now or later.
	 * 0, -ENOMEM, or -EINTR when the caller was killed meanwhile (the
	 * caller then unmaps the range). */
	int (*mmap)(struct mm *mm, struct vma *vma, u64 start, u64 end);
	/* vma's protection just changed from old_prot (mm_mprotect): fill
	 * now what became accessible, or later. Optional; best effort, since
	 * mprotect cannot fail after it changed anything (a page left empty
	 * is filled by the next fault). */
	void (*mprotect)(struct mm *mm, struct vma *vma, u32 old_prot);
	/* [start, end) of vma is going away: release its pages. Optional:
	 * the default drops every present page (mm_unmap_pages). */
	void (*munmap)(struct mm *mm, struct vma *vma, u64 start, u64 end);
	/* Resolve an access at page va inside vma, whose protection allows
	 * it (mm_fault checked). */
	enum fault_result (*fault)(struct mm *mm, struct vma *vma, u64 va,
				   enum fault_access access);
	/* May the kernel access [addr, addr+len)? Optional: the default
	 * checks that VMAs with the needed protection cover every byte. */
	bool (*access_ok)(struct mm *mm, u64 addr, u64 len, bool write);
};

extern const struct pager_ops lazy_pager;
extern const struct pager_ops eager_pager;

int pager_mmap(struct mm *mm, struct vma *vma, u64 start, u64 end);
void pager_mprotect(struct mm *mm, struct vma *vma, u32 old_prot);
/* pager_mmap as another pager would fill the range, whatever mm's own:
 * for sbrk asked to fill a heap now or on first touch. */
int pager_mmap_as(struct mm *mm, const struct pager_ops *pager, struct vma *vma, u64 start,
		  u64 end);
void pager_munmap(struct mm *mm, struct vma *vma, u64 start, u64 end);
enum fault_result pager_fault(struct mm *mm, struct vma *vma, u64 va, enum fault_access access);
bool pager_access_ok(struct mm *mm, u64 addr, u64 len, bool write);

/* Shared by the pagers. */
/* Fills every empty page of [start, end) of vma now. 0, -ENOMEM, or
 * -EINTR when the caller was killed meanwhile; a file's pages wholly past
 * its end stay empty (touching them faults). */
int pager_populate(struct mm *mm, struct vma *vma, u64 start, u64 end);
/* Fills the page at va: zeros for anonymous memory, the file's page (shared)
 * or a copy of it (private) for a file. FAULT_OK, FAULT_OOM, or
 * FAULT_SIGBUS for a page wholly past the end of the file. */
enum fault_result pager_fill_page(struct mm *mm, struct vma *vma, u64 va);
/* Gives the PTE at va (copy-on-write) a page of its own: the same page
 * when nobody else holds it, else a copy; writable if vma is. For a
 * write fault, and for sharing, whose source must own what it shares. */
enum fault_result pager_break_cow(struct mm *mm, struct vma *vma, pte_t *pte, u64 va);
/* Drops the pages mapped in [start, end) and clears their PTEs. */
void mm_unmap_pages(struct mm *mm, u64 start, u64 end);
/* munmap with mm->lock held: removes every mapping in [start, end) (page-
 * aligned), splitting VMAs that straddle it. 0 or -ENOMEM. */
int __mm_munmap(struct mm *mm, u64 start, u64 end);

/* Splits v at addr (strictly inside it): v keeps [start, addr), a new VMA
 * takes [addr, end). Returns the new VMA, or NULL when out of memory. */
struct vma *vma_split(struct mm *mm, struct vma *v, u64 addr);

/* Joins alike neighbouring VMAs touching [start, end]. */
void vma_merge_range(struct mm *mm, u64 start, u64 end);

/* The PTE permission bits (U, R, W, X) for a VMA protection. */
u64 vm_prot_to_pte(u32 prot);
/* Do VMAs with the needed protection cover [addr, addr+len)? */
bool mm_range_covered(struct mm *mm, u64 addr, u64 len, bool write);

#endif
