/* What only kernel/mm may call: its files' own interfaces, and the
 * helpers they share. Files outside kernel/mm include mm.h, share.h,
 * uaccess.h, page.h and kmalloc.h only.
 *
 * Who does what, from the top down (no file calls one above it):
 *   reclaim.c  which pages leave RAM (the clock), through the families
 *   mm.c       create, destroy, fork, references; the default pager; fork
 *              families (the reverse map) and the list the clock walks
 *   mmap.c     mmap, munmap, mprotect, sbrk: carving VMAs
 *   share.c    map_shared_pages and the crypto service's pinning
 *   pager*.c   when pages are filled (policy)
 *   fault.c    faults, access_ok, filling and making pages present
 *   backing.c  where pages come from (anonymous, shared-in; files are fs's)
 *   vma.c      the VMA tree, splits, merges, range checks
 *   pmap.c     every leaf PTE change and its fence (fence, then free)
 *   swap.c     swap slots, their counts, the swap cache, the disk
 *   pagetable.c, page.c, kmalloc.c: tables, frames, kernel objects
 *
 * The prefix tells the file: vma_*, pmap_*, pager_*, fault_*, backing_*.
 * A leading __ marks a variant that wants mm->lock held and checks less. */
#ifndef KERNEL_MM_INTERNAL_H
#define KERNEL_MM_INTERNAL_H

#include "include/uapi/errno.h"
#include "kernel/lib/printf.h"
#include "kernel/mm/mm.h"
#include "kernel/mm/pager.h"
#include "kernel/mm/pmap.h"
#include "kernel/mm/vma.h"

/* ---- mm.c ---- */

/* A reference to mm unless it is on its way to being destroyed. */
bool mm_tryget(struct mm *mm);
/* The other members of mm's fork family (the reverse map) that map the
 * page at physical address pa at va, each with a reference and its lock
 * taken, into out[]: how many, or -1 (holding nothing) when a member's
 * lock is taken or more than max members would be needed. mm->lock held;
 * never waits for a lock. */
int mm_family_take(struct mm *mm, u64 va, u64 pa, struct mm **out, int max);
void mm_family_release(struct mm **ms, int n);
/* The address space after the clock's hand, which moves on to it, with a
 * reference; NULL when there is none. */
struct mm *mm_clock_next(void);
/* How many mms there are now. */
int mm_count(void);

/* ---- backing.c ---- */

/* The backing that fills vma's pages: its file's, or anonymous zero pages,
 * or (a shared-in range) none at all. */
const struct vm_backing_ops *backing_of(const struct vma *vma);

/* ---- fault.c (mm->lock held) ---- */

/* Fills the empty page at va of vma from its backing: FAULT_OK, FAULT_OOM,
 * FAULT_SIGBUS (wholly past the end of a file), FAULT_SEGV (shared-in). */
enum fault_result fault_fill(struct mm *mm, struct vma *vma, u64 va);
/* Resolves an access at page va inside vma, whose protection allows it:
 * fills a missing page, breaks copy-on-write for a write, or fences a
 * stale TLB entry. */
enum fault_result fault_resolve(struct mm *mm, struct vma *vma, u64 va, enum fault_access access);
/* Fills every empty page of [start, end) of vma now. 0, -ENOMEM, or
 * -EINTR when the caller was killed; a file's pages wholly past its end
 * stay empty (touching them faults). */
int fault_populate(struct mm *mm, struct vma *vma, u64 start, u64 end);
/* Makes page va of vma present (for writing where vma is writable) and
 * mm's own (copy-on-write broken, even where read-only), before another
 * process shares it or a waiter pins it; its PTE in *out. 0, -EFAULT (no
 * accessible mapping) or -ENOMEM. */
int fault_in(struct mm *mm, struct vma *vma, u64 va, pte_t *out);

/* ---- mmap.c (mm->lock held) ---- */

/* munmap: removes every mapping in [start, end) (page-aligned), splitting
 * VMAs that straddle it. 0 or -ENOMEM (then nothing is unmapped). */
int __mm_munmap(struct mm *mm, u64 start, u64 end);
/* The highest address below which mmap and sharing place what they are
 * not told where to put: under the room the stack keeps to grow. */
u64 mmap_top(struct mm *mm);
/* Grows the stack down over addr, which lies below it, in the room
 * mm_map_stack kept: the guard page moves down along. 0; -ENOMEM;
 * -EINTR (the caller was killed while the pager filled it); or
 * -EFAULT when addr is not the stack's to take, with *why set if it is
 * the stack's but may not be taken (past the limit, or another mapping
 * in the way). */
int mmap_grow_stack(struct mm *mm, u64 addr, const char **why);

#endif
