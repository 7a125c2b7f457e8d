/* The host machine under the kernel/mm unit tests: the single hart, its
 * MMU and TLB, and the few kernel services kernel/mm calls, all stood in by
 * plain C so that the real kernel/mm sources run unchanged under ASan.
 *
 *   mm_host.c        boot (simulated RAM, page allocator, kernel_root),
 *                    the loaded mm, the TLB and mm_tlb_flush (counted).
 *   host_kernel.c    panic/printk and locks for one thread (shared with
 *                    the kernel/fs tests).
 *   mm_host_user.c   the MMU: user loads and stores that fault through
 *                    mm_fault() as user_trap does, and uaccess_copy /
 *                    uaccess_strncpy that fault as kernel_trap does.
 *   mm_host_poison.c (linked with MM_HOST_WRAP, see the Makefile) marks
 *                    freed pages and kmalloc objects unaddressable for
 *                    ASan, so a use after free inside the simulated RAM
 *                    is reported at once.
 *
 * Each Criterion test runs in its own process, so a test boots the host
 * in its .init fixture and the globals start afresh every time. */
#ifndef TESTS_UNIT_MM_HOST_H
#define TESTS_UNIT_MM_HOST_H

#include "kernel/mm/mm.h"
#include "kernel/mm/page.h"
#include "tests/unit/host_phys.h"

/* ---- booting ---- */

/* Simulated RAM of npages pages: the struct page array at its start, the
 * rest handed to the page allocator. Also sets up kernel_root. */
void mm_host_boot(size_t npages);
/* Frees the simulated RAM. */
void mm_host_halt(void);

/* ---- the hart ---- */

/* "Loads" mm on the simulated hart as proc_activate_mm does: mm_current()
 * returns it, and the whole TLB is fenced (satp switch + sfence.vma). */
void mm_host_load(struct mm *mm);
extern struct mm *mm_host_loaded;

/* mm_tlb_flush calls so far: all of them, and those for MM_FLUSH_ALL. */
extern u64 mm_host_flushes, mm_host_flushes_all;

/* An mm a test says another hart has loaded (its process running there,
 * or that hart idle since): mm_tlb_loaded_elsewhere answers true for it,
 * and each mm_tlb_flush of it counts as a remote fence. Its entries on
 * that hart are not simulated. */
extern struct mm *mm_host_loaded_elsewhere;
extern u64 mm_host_remote_flushes;
/* mm_tlb_flush_local calls so far (pmap_sync, at a spurious fault). */
extern u64 mm_host_local_flushes;

/* sstatus.SUM: set between mm_user_access_begin and _end. */
extern bool mm_host_sum;

/* The TLB: caches the leaf PTE of every page the MMU walked for the
 * loaded mm, invalid ones too, until mm_tlb_flush drops it. A kernel path
 * that weakens a PTE and forgets to fence leaves a stale entry here, and
 * the next simulated access goes through it, exactly as on a real hart; a
 * page that became valid without a fence faults once more (spuriously),
 * and the fault handler must fence then. */
#define MM_HOST_TLB_SIZE 1024 /* direct-mapped by virtual page number */
struct mm_host_tlb_entry {
	bool valid;
	u64 vpn;
	pte_t pte;
};
extern struct mm_host_tlb_entry mm_host_tlb[MM_HOST_TLB_SIZE];

/* The running process is killed after this many more checks of
 * mm_current_killed() (0: killed now; -1, the default: never). */
extern int mm_host_kill_after;

/* ---- other harts (mm_host_poison.c) ---- */

/* A page the test holds one reference to, standing for a process on
 * another hart that shares it: the first time kernel code drops a
 * reference to it, the test's reference is dropped just before, so the
 * kernel's drop is the last. A kernel path that drops its reference before
 * fencing then frees a page the TLB still maps, which page_put (wrapped)
 * reports. */
extern struct page *mm_host_other_holder;

/* ---- user accesses (mm_host_user.c) ---- */

/* A user instruction touching [va, va+n) of mm (loaded first if it is not
 * the loaded one): the MMU translates through the TLB and the page table,
 * and a page fault goes to mm_fault() as user_trap sends it. Returns
 * FAULT_OK when every byte was accessed, else what mm_fault said (*why set,
 * may be NULL). A fault that mm_fault reports resolved but which faults
 * again at once would livelock a real hart: that fails the test. */
enum fault_result user_load(struct mm *mm, u64 va, void *buf, size_t n, const char **why);
enum fault_result user_store(struct mm *mm, u64 va, const void *buf, size_t n, const char **why);
enum fault_result user_fetch(struct mm *mm, u64 va, const char **why);

/* One 64-bit word; the result as above. */
static inline enum fault_result user_read64(struct mm *mm, u64 va, u64 *out, const char **why)
{
	return user_load(mm, va, out, sizeof(*out), why);
}
static inline enum fault_result user_write64(struct mm *mm, u64 va, u64 val, const char **why)
{
	return user_store(mm, va, &val, sizeof(val), why);
}

/* The PTE for va in mm's page table, without allocating, or NULL when the
 * tables for it do not exist. The page behind a valid one: */
pte_t *mm_host_pte(struct mm *mm, u64 va);
/* The kernel address of the page mapped at va, or NULL if none. */
void *mm_host_page_kva(struct mm *mm, u64 va);
/* Counts the valid leaf PTEs below MM_USER_TOP (what rss should be). */
u64 mm_host_count_ptes(struct mm *mm);
/* Calls fn for each valid leaf PTE below MM_USER_TOP, in address order. */
typedef void (*mm_host_pte_fn)(u64 va, pte_t pte, void *ctx);
void mm_host_for_each_pte(struct mm *mm, mm_host_pte_fn fn, void *ctx);

#endif
