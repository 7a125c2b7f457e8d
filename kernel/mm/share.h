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
 * user memory, or reaching past it), -EINVAL (size 0, or src == dst),
 * -ENOMEM, -EINTR (the caller was killed meanwhile). */
long map_shared_pages(struct mm *src, struct mm *dst, u64 src_va, u64 size);

/* Removes a mapping made by map_shared_pages: every page of the range
 * [addr, addr+size) (rounded out to pages) must be such a mapping.
 * 0, or -EINVAL when anything in it is not one. */
int unmap_shared_pages(struct mm *mm, u64 addr, u64 size);

/* Pinning for the crypto service: the pages behind a client's buffer are
 * held by the request, whatever the client does to its mappings later,
 * and exactly those are mapped into the server.
 *
 * mm_pin_count: how many pages [va, va+size) spans (0: not a user range).
 * mm_pin_range: every byte of [va, va+size) must be mapped writable; each
 *   page is faulted in, made mm's own (copy-on-write broken) and gets a
 *   reference, stored in pages[mm_pin_count()]. 0, -EFAULT, -ENOMEM (no
 *   memory, even after reclaim; at once for more pages than RAM has), or
 *   -EINTR if the caller was killed; nothing is held after a failure.
 * mm_unpin: drops those references.
 * mm_map_pages: maps pages[0..n) read-write into mm as one shared-in
 *   mapping (PTE_S, unmap_shared_pages removes it) at a free address, each
 *   PTE with a reference of its own; the address or -ENOMEM. */
u64 mm_pin_count(u64 va, u64 size);
int mm_pin_range(struct mm *mm, u64 va, u64 size, struct page **pages);
void mm_unpin(struct page **pages, u64 n);
long mm_map_pages(struct mm *mm, struct page **pages, u64 n);

/* Takes a reference on the page behind user address va of mm, faulting it
 * in (and breaking copy-on-write if the mapping is writable, so the page
 * stays put), for the futexes: 0 or -EFAULT. */
int mm_pin_page(struct mm *mm, u64 va, struct page **out);

#endif
