/* Reclaim: choosing pages to leave RAM when free memory runs low, and
 * sending them to swap (reclaim.c). */
#ifndef KERNEL_MM_RECLAIM_H
#define KERNEL_MM_RECLAIM_H

#include "kernel/types.h"

/* Pages a process that found no free page tries to free before the OOM
 * killer is asked. */
#define RECLAIM_ON_OOM 32

/* Evicts up to want pages to swap; returns how many were freed. Takes no
 * lock it could wait for while holding another: the address spaces it
 * visits are only tried (an mm whose lock is taken is passed over), but
 * for the caller's own, when it holds its lock: a caller may do that only
 * where the present pages of its mm may change under it (filling a
 * range, which skips what is there already). */
u64 reclaim_pages(u64 want);

/* The file system's offer (kernel/fs/fswap.c): a function that sends up to
 * want pages of files to swap and returns how many it freed. Reclaim asks
 * it before it looks at address spaces. */
void reclaim_set_files(u64 (*swap_out)(u64 want));

/* Takes pg, page pgoff of the object whose reverse map is maps (a file's
 * page that VMAs may map), out of every PTE that maps it, unless one of
 * them was accessed since reclaim last looked (its second chance: the bit
 * is cleared), or pg has references besides those PTEs and the refs the
 * object holds (a pin), or an address space that maps the object is busy
 * (only tried, but for the caller's own). True when no PTE maps pg any
 * more, so that the object may send it to swap; the caller holds the
 * object's lock, so that no new mapping of pg can begin meanwhile. */
struct vm_mappings;
struct page;
bool reclaim_unmap_object_page(struct vm_mappings *maps, u64 pgoff, struct page *pg, u64 refs);

/* Free pages below which reclaim starts, and the level it restores. */
u64 reclaim_low_watermark(void);
u64 reclaim_high_watermark(void);

/* Called before a process takes pages: below the low watermark it wakes
 * the reclaim thread; below the minimum (half the low one), where the
 * thread is not keeping up, the process reclaims up to the high one
 * itself. */
void reclaim_if_low(void);

/* The reclaim thread (kswapd): sleeps until woken, then frees pages up to
 * the high watermark. Its body never returns. */
void reclaim_thread(void);
/* Wakes it. */
void reclaim_wake(void);
/* Each clock tick (from the timer interrupt): wakes the thread when free
 * memory is low, so that memory taken without a fault (fork, exec, the
 * kernel's own allocations) is made up for too. After a run that freed
 * nothing (swap full), it waits a second before it tries again. */
void reclaim_tick(void);

#endif
