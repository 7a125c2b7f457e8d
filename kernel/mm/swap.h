/* Swap slots and the swap cache (swap.c). swap_init and swap_usage are
 * for the rest of the kernel; the others are kernel/mm's, for the PTE
 * owner (pmap.c), the fault path and reclaim. */
#ifndef KERNEL_MM_SWAP_H
#define KERNEL_MM_SWAP_H

#include "kernel/types.h"

struct page;

/* Uses the block device as swap: 0, or -ENODEV when there is none. */
int swap_init(void);
/* Slots on the device, and how many are taken. */
void swap_usage(u64 *total, u64 *used);
/* Pages held by the swap cache. */
u64 swap_cached_pages(void);

/* A swap entry naming slot was copied (fork) or went away (unmap, exit);
 * the slot is freed when nothing needs it. */
void swap_dup(u64 slot);
void swap_put(u64 slot);

/* The page holding slot's contents, with a new reference in *out, for one
 * of the entries naming it: that entry no longer counts. Found in the
 * cache, or read from the disk (sleeping; other sharers that fault
 * meanwhile wait for the same read). 0, -ENOMEM, or -EIO (the entry
 * still counts then). */
int swap_in(u64 slot, struct page **out);
/* Brings slot's contents into the swap cache, reading them if they are not
 * there, and takes nothing: for a fault that lets go of its mm's lock for
 * the read and then faults again, holding a count on the slot meanwhile
 * (swap_dup) so that it stays. 0, -ENOMEM or -EIO. */
int swap_read(u64 slot);
/* Was slot's page given out by map_shared_pages (PG_SHARED, which it
 * gets back when read)? Then a private mapping's fork must give the
 * child a copy of it (swap_copy: a new page with slot's contents, read
 * if need be; 0, -ENOMEM or -EIO), not the entry. */
bool swap_slot_shared(u64 slot);
int swap_copy(u64 slot, struct page **out);
/* Is slot's page in the cache, with no transfer in flight? */
bool swap_slot_cached(u64 slot);

/* Eviction, in three steps. swap_slot_for gives pg a slot and puts it in
 * the cache, or returns the slot it has there; -1 when swap is full or
 * absent, -2 when a transfer of pg is in flight. The caller then turns
 * each PTE that maps pg into an entry naming the slot, counting each with
 * swap_add_entry, and lets go of their references. swap_write writes n
 * such pages (n <= SWAP_WRITE_MAX) out together and frees each that only
 * the cache still holds; it returns how many it freed. A page that
 * something else still holds (a shared page with PTEs left) is not
 * written, and stays cached. A page whose write fails stays cached, so
 * nothing is lost. Between the first step
 * and the last, faults may map a page again from the cache. */
long swap_slot_for(struct page *pg);
void swap_add_entry(u64 slot);
#define SWAP_WRITE_MAX 32
u64 swap_write(struct page **pages, int n);

/* Frees up to want pages that only the swap cache holds (read ahead and
 * never asked for, or left by all their mappers): a clean one at once, one
 * newer than its slot after writing it. Returns how many it freed. */
u64 swap_drop_cached(u64 want);

/* Is pg in the swap cache? */
bool swap_cached(struct page *pg);

#endif
