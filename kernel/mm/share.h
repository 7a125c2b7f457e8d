/* Sharing pages between address spaces (seed 001): the destination maps
 * the source's physical pages, marked PTE_S ("not owned here"). Every
 * mapping holds its own reference on each page, so whichever side lets go
 * first, the pages live until the last one does. */
#ifndef KERNEL_MM_SHARE_H
#define KERNEL_MM_SHARE_H

#include "kernel/mm/mm.h"

/* Maps the pages behind [src_va, src_va+size) of src into dst, faulting
 * lazy source pages in first (and breaking copy-on-write, so the source
 * and destination really share). Returns the address in dst with the same
 * offset into the first page, or -EFAULT (source range not all mapped
 * user memory), -EINVAL (size 0 or overflow), -ENOMEM. src != dst. */
long map_shared_pages(struct mm *src, struct mm *dst, u64 src_va, u64 size);

/* Removes a mapping made by map_shared_pages: every page of the range
 * [addr, addr+size) (rounded out to pages) must be such a mapping.
 * 0, or -EINVAL when anything in it is not one. */
int unmap_shared_pages(struct mm *mm, u64 addr, u64 size);

/* Faults in every page of [addr, addr+len) of mm for the access, breaking
 * copy-on-write for a write, so that the pages are the caller's own before
 * another process shares them. 0 or -EFAULT. */
int mm_populate(struct mm *mm, u64 addr, u64 len, bool write);

/* Takes a reference on the page behind user address va of mm, faulting it
 * in (and breaking copy-on-write if the mapping is writable, so the page
 * stays put), for the futexes: 0 or -EFAULT. */
int mm_pin_page(struct mm *mm, u64 va, struct page **out);

#endif
