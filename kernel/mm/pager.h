/* Pagers: the policy of when an address space's pages are filled (the
 * seed's Pager), as an ops table in the FreeBSD way. Where a page comes
 * from is the other axis, the VMA's backing (backing.c); a fault on a
 * missing page is answered the same way under every pager (fault.c). A
 * pager decides only whether pages are filled before they are touched.
 *
 * Every call goes through the pager_*() wrappers, with mm->lock held.
 * Internal to kernel/mm. */
#ifndef KERNEL_MM_PAGER_H
#define KERNEL_MM_PAGER_H

#include "kernel/mm/mm.h"

struct pager_ops {
	const char *name;
	/* [start, end) of vma was just mapped (mmap, sbrk, exec): fill it
	 * now, or leave it to the first touch. 0, -ENOMEM, or -EINTR when
	 * the caller was killed meanwhile; the caller then unmaps the range.
	 * Optional: nothing is filled. */
	int (*mmap)(struct mm *mm, struct vma *vma, u64 start, u64 end);
	/* vma's protection just changed from old_prot (mprotect): fill what
	 * became accessible now, or leave it. Best effort, since mprotect
	 * cannot fail once it changed anything (a page left empty is filled
	 * by the next fault). Optional: nothing is filled. */
	void (*mprotect)(struct mm *mm, struct vma *vma, u32 old_prot);
};

/* Every pager, by name: "lazy" (the default) and "eager". */
const struct pager_ops *pager_find(const char *name);
extern const struct pager_ops lazy_pager, eager_pager;

int pager_mmap(struct mm *mm, struct vma *vma, u64 start, u64 end);
/* pager_mmap as another pager would fill the range, whatever mm's own:
 * for sbrk asked to fill a heap now or on first touch. */
int pager_mmap_as(struct mm *mm, const struct pager_ops *pager, struct vma *vma, u64 start,
		  u64 end);
void pager_mprotect(struct mm *mm, struct vma *vma, u32 old_prot);

#endif
