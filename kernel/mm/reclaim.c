/* Reclaim: when free pages run low, anonymous pages leave RAM for swap.
 *
 * Which pages: a clock. Its hand goes round every address space (mm.c
 * keeps the list) and, in each, over the present pages of the VMAs
 * whose pages can go, from where it left off. A page whose PTE was
 * accessed since the hand last passed (the accessed bit, PTE_A, which
 * the hardware sets) gets a second chance: the bit is cleared and the
 * page stays. Otherwise it is evicted.
 *
 * Eviction needs every PTE that maps the page: the reverse map. Such a
 * page is mapped only at this address, by members of its address
 * space's fork family (mm.c), so, unless the page's reference count shows
 * that no other PTE maps it, those are locked (only tried: reclaim never
 * waits for an mm while it holds one) and their PTEs at the address
 * compared. If the page has any reference besides those PTEs and the
 * swap cache (a crypto request's or a futex waiter's pin, a page-array
 * in a system call), it stays. Else it gets a slot and joins the swap
 * cache, every PTE becomes a swap entry naming the slot, and, after the
 * fence, the page is written out and freed (swap.c).
 *
 * A page shared out by map_shared_pages has mappings outside the family,
 * which nothing lists: it leaves one PTE at a time (evict_shared).
 *
 * Which pages can go: private pages of any mapping (anonymous memory,
 * and private copies of file pages), shared anonymous memory, and pages
 * shared through map_shared_pages. Pages of files are the file system's
 * to send to swap (kernel/fs/fswap.c); the VMAs that map one are found
 * through its object's reverse map (reclaim_unmap_object_page). Page
 * tables and kernel memory never. */
#include "kernel/mm/reclaim.h"
#include "kernel/mm/internal.h"
#include "kernel/mm/page.h"
#include "kernel/mm/swap.h"
#include "kernel/mm/vmstat.h"

/* At most this many family members map one page (more: it stays). */
#define FAMILY_MAX 32
/* Pages unmapped in one visit to an mm, written out after its lock is
 * let go, so that its process is not held up by the disk. */
#define CLUSTER SWAP_WRITE_MAX
/* Pages the hand looks at in one visit to an mm. */
#define VISIT 512

u64 reclaim_low_watermark(void)
{
	return MAX(page_total_count() / 64, 64);
}

u64 reclaim_high_watermark(void)
{
	return 2 * reclaim_low_watermark();
}

/* Can pages of v leave RAM? */
static bool vma_evictable(const struct vma *v)
{
	if (v->role == VMA_GUARD)
		return false;
	return !v->shared || !v->file.ops; /* a shared file's pages are the file's */
}

enum evict_result { EVICT_UNMAPPED, EVICT_KEPT, EVICT_NOSWAP };

/* A page given out by map_shared_pages (PG_SHARED) is mapped by address
 * spaces outside the family, at addresses nothing records, so it leaves
 * one PTE at a time, as the hand meets each: the PTE becomes a swap entry
 * naming the page's slot, and the page waits in the swap cache, where a
 * fault through any of its entries finds it again. It is written and
 * freed once no PTE is left (swap_write, or later swap_drop_cached), so
 * a page is never in RAM twice and never lost. A pinned page may lose its
 * PTEs too; the pin keeps it in RAM all the same. */
static enum evict_result evict_shared(struct mm *mm, u64 va, struct page *pg, struct page **out)
{
	if (pmap_young(mm, va))
		return EVICT_KEPT;
	long slot = swap_slot_for(pg);
	if (slot == -1)
		return EVICT_NOSWAP;
	if (slot < 0)
		return EVICT_KEPT; /* being written or read: not now */
	swap_add_entry((u64)slot);
	pmap_swap_out(mm, va, (u64)slot);
	*out = pg;
	return EVICT_UNMAPPED;
}

/* Unmaps the page at va of mm (locked) from every PTE that maps it and
 * puts it in the swap cache, to be written by the caller; *out = page. */
static enum evict_result evict(struct mm *mm, u64 va, struct page **out)
{
	pte_t pte = pmap_lookup(mm, va);
	struct page *pg = pa_to_page(pte_pa(pte));
	if (pg->flags & PG_SHARED)
		return evict_shared(mm, va, pg, out);
	struct mm *others[FAMILY_MAX];
	int n = 0;
	/* Each PTE that maps pg holds a reference on it. When mm's is the
	 * only one (with the swap cache's, if it is there), nobody else maps
	 * it, and no other member need be locked: a member busy in a long
	 * system call then holds up none of the family's private pages. (One
	 * may map it from the swap cache meanwhile: the cache keeps it.) */
	if (page_refcount(pg) != 1 + (u64)swap_cached(pg)) {
		n = mm_family_take(mm, va, page_to_pa(pg), others, FAMILY_MAX);
		if (n < 0)
			return EVICT_KEPT;
	}
	/* Who maps this very page at va: mm, and maybe family members. */
	struct mm *maps[FAMILY_MAX + 1];
	int nmaps = 0;
	maps[nmaps++] = mm;
	for (int i = 0; i < n; i++)
		maps[nmaps++] = others[i];
	bool young = false;
	for (int i = 0; i < nmaps; i++)
		young |= pmap_young(maps[i], va);
	enum evict_result r = EVICT_KEPT;
	long slot;
	/* Every reference accounted for: nobody has it pinned. */
	bool only_mapped = page_refcount(pg) == (u64)nmaps + swap_cached(pg);
	if (!young && only_mapped) {
		slot = swap_slot_for(pg);
		if (slot == -1) {
			r = EVICT_NOSWAP;
		} else if (slot >= 0) {
			for (int i = 0; i < nmaps; i++) {
				swap_add_entry((u64)slot);
				pmap_swap_out(maps[i], va, (u64)slot);
			}
			*out = pg;
			r = EVICT_UNMAPPED;
		}
	}
	mm_family_release(others, n);
	return r;
}

/* One visit of the hand to mm: looks at up to VISIT present pages from
 * where it last stopped, unmapping into pages[] those that go (up to
 * CLUSTER). *scanned counts the pages looked at; returns how many were
 * unmapped, or -1 when swap is full. At the end of mm the hand's place
 * in it goes back to the start. */
static int visit(struct mm *mm, struct page **pages, u64 want, u64 *scanned)
{
	mm_assert_locked(mm);
	int n = 0;
	u64 looked = 0;
	struct vma *v = vma_find_from(mm, mm->clock_va);
	for (; v && looked < VISIT && (u64)n < MIN(want, CLUSTER); v = vma_next(mm, v)) {
		if (!vma_evictable(v))
			continue;
		u64 va = MAX(v->start, mm->clock_va);
		while (looked < VISIT && (u64)n < MIN(want, CLUSTER)) {
			va = pmap_next_present(mm, va, v->end);
			if (va >= v->end)
				break;
			looked++;
			mm->clock_va = va + PAGE_SIZE;
			enum evict_result r = evict(mm, va, &pages[n]);
			if (r == EVICT_NOSWAP) {
				*scanned += looked;
				return n ? n : -1;
			}
			if (r == EVICT_UNMAPPED)
				n++;
			va += PAGE_SIZE;
		}
		if (looked >= VISIT || (u64)n >= MIN(want, CLUSTER))
			break;
	}
	if (!v)
		mm->clock_va = 0;
	*scanned += looked;
	vmstat_add(VM_PGSCAN, looked);
	return n;
}

/* ---------------------------------------------------------------- objects */

/* At most this many VMAs map one object's page (more: it stays). */
#define MAPPERS_MAX 32

struct mapper {
	struct mm *mm; /* with a reference */
	struct vma *vma;
	bool unlock; /* its lock was taken here (first VMA of its mm) */
};

/* Takes, into ms[], every VMA of maps with a reference on its mm and its
 * mm locked (tried; the caller's own is held already). The number taken,
 * as a negative number when one could not be (too many, one busy or on
 * its way out): those taken must be let go all the same. */
static int mappers_take(struct vm_mappings *maps, struct mapper *ms)
{
	int n = 0;
	bool ok = true;
	spin_lock(&maps->lock);
	struct list *e;
	list_for_each(e, &maps->vmas)
	{
		struct vma *v = list_entry(e, struct vma, obj_link);
		if (n == MAPPERS_MAX || !mm_tryget(v->mm)) {
			ok = false;
			break;
		}
		ms[n] = (struct mapper){.mm = v->mm, .vma = v, .unlock = false};
		bool locked = sleeplock_holding(&v->mm->lock);
		for (int i = 0; i < n && !locked; i++)
			locked = ms[i].mm == v->mm;
		if (!locked) {
			if (!sleeplock_try(&v->mm->lock))
				ok = false;
			else
				ms[n].unlock = true;
		}
		n++;
		if (!ok)
			break;
	}
	spin_unlock(&maps->lock);
	return ok ? n : -n;
}

/* Unlocks and lets go of what mappers_take took. Outside the reverse
 * map's lock: a last mm_put tears the mm down, VMAs and all. */
static void mappers_release(struct mapper *ms, int n)
{
	for (int i = 0; i < n; i++) {
		if (ms[i].unlock)
			sleeplock_release(&ms[i].mm->lock);
		mm_put(ms[i].mm);
	}
}

bool reclaim_unmap_object_page(struct vm_mappings *maps, u64 pgoff, struct page *pg, u64 refs)
{
	struct mapper ms[MAPPERS_MAX];
	int n = mappers_take(maps, ms);
	if (n <= 0) {
		mappers_release(ms, -n);
		return n == 0 && page_refcount(pg) == refs;
	}
	/* Every VMA now stays as it is: its mm is locked. Which map pg? */
	struct {
		struct mm *mm;
		u64 va;
	} hits[MAPPERS_MAX];
	int nhits = 0;
	bool young = false;
	for (int i = 0; i < n; i++) {
		struct vma *v = ms[i].vma;
		u64 first = v->offset / PAGE_SIZE;
		if (pgoff < first || pgoff - first >= (v->end - v->start) / PAGE_SIZE)
			continue;
		u64 va = v->start + (pgoff - first) * PAGE_SIZE;
		pte_t pte = pmap_lookup(ms[i].mm, va);
		if (!pte_valid(pte) || pte_pa(pte) != page_to_pa(pg))
			continue; /* not there yet, or a private copy */
		young |= pmap_young(ms[i].mm, va);
		hits[nhits].mm = ms[i].mm;
		hits[nhits++].va = va;
	}
	bool gone = !young && page_refcount(pg) == refs + (u64)nhits;
	for (int i = 0; gone && i < nhits; i++)
		pmap_remove(hits[i].mm, hits[i].va, hits[i].va + PAGE_SIZE, 0, 0);
	mappers_release(ms, n);
	return gone;
}

/* ---------------------------------------------------------------- the clock */

static u64 (*files_swap_out)(u64 want); /* (-) set once at boot */

void reclaim_set_files(u64 (*swap_out)(u64 want))
{
	files_swap_out = swap_out;
}

u64 reclaim_pages(u64 want)
{
	u64 total, used;
	swap_usage(&total, &used);
	if (total == 0 || want == 0)
		return 0;
	/* The cheapest first: pages only the swap cache holds, then pages
	 * of files nobody maps. */
	u64 freed = swap_drop_cached(want);
	if (files_swap_out && freed < want)
		freed += files_swap_out(want - freed);
	vmstat_add(VM_PGSTEAL, freed);
	/* Two laps of the clock without a page freed at most: the first may
	 * only take away second chances. A lap ends when the hand has gone
	 * through every mm to its end (or found it busy). */
	int idle = 0, laps = 2 * (mm_count() + 1);
	struct page *pages[CLUSTER];
	while (freed < want && idle < laps) {
		struct mm *mm = mm_clock_next();
		if (!mm)
			break;
		int n = 0;
		bool ended = true; /* passed over, or visited to its end */
		u64 scanned = 0;
		/* The caller's own mm, when it reclaims while it fills a
		 * mapping (fault_populate), is visited under its hold. */
		bool mine = sleeplock_holding(&mm->lock);
		if (mine || sleeplock_try(&mm->lock)) {
			n = visit(mm, pages, want - freed, &scanned);
			ended = mm->clock_va == 0;
			if (!mine)
				mm_unlock(mm);
		}
		mm_put(mm);
		if (n < 0)
			break; /* swap is full */
		if (n > 0) {
			u64 gone = swap_write(pages, n);
			vmstat_add(VM_PGSTEAL, gone);
			freed += gone;
			idle = 0;
		} else if (ended) {
			idle++;
		}
	}
	return freed;
}

/* ---------------------------------------------------------------- the thread */

static struct spinlock kswapd_lock = SPINLOCK_INIT("kswapd");
static bool kswapd_wanted; /* (k) woken and not yet running */
static u32 kswapd_backoff; /* (a) ticks before the next wake from the timer */

#define FUTILE_BACKOFF 100 /* ticks: one second */

/* Without swap nothing can be reclaimed: the thread is not woken. */
static bool swap_present(void)
{
	u64 total, used;
	swap_usage(&total, &used);
	return total > 0;
}

void reclaim_wake(void)
{
	spin_lock(&kswapd_lock);
	if (!kswapd_wanted) {
		kswapd_wanted = true;
		mm_wakeup(&kswapd_wanted);
	}
	spin_unlock(&kswapd_lock);
}

void reclaim_tick(void)
{
	if (__atomic_load_n(&kswapd_backoff, __ATOMIC_RELAXED) > 0) {
		__atomic_fetch_sub(&kswapd_backoff, 1, __ATOMIC_RELAXED);
		return;
	}
	if (page_free_count() < reclaim_low_watermark() && swap_present())
		reclaim_wake();
}

void reclaim_thread(void)
{
	for (;;) {
		spin_lock(&kswapd_lock);
		while (!kswapd_wanted)
			mm_sleep(&kswapd_wanted, &kswapd_lock);
		kswapd_wanted = false;
		spin_unlock(&kswapd_lock);
		u64 free;
		while ((free = page_free_count()) < reclaim_high_watermark()) {
			if (reclaim_pages(reclaim_high_watermark() - free) == 0) {
				__atomic_store_n(&kswapd_backoff, FUTILE_BACKOFF, __ATOMIC_RELAXED);
				break;
			}
		}
	}
}

void reclaim_if_low(void)
{
	u64 free = page_free_count(), low = reclaim_low_watermark();
	if (free >= low || !swap_present())
		return;
	reclaim_wake();
	if (free < low / 2)
		reclaim_pages(reclaim_high_watermark() - free);
}
