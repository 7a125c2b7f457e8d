/* Swap: where pages go when they leave RAM. The disk (kernel/dev/blk.h)
 * is cut into page-sized slots; a bitmap says which are taken. A page
 * that was swapped out is named by a swap entry in every PTE that mapped
 * it (pte.h), and each slot counts those entries.
 *
 * The swap cache keeps, for a slot, the page in memory that holds (or is
 * about to hold) its contents: while a page is being written out, and
 * after one of several sharers faulted it back in. The others find it
 * there, so a page that several PTEs shared before it left comes back as
 * one page they all share again. The cache holds one page reference, and
 * the page's private field says its slot (plus one; 0: not in the cache).
 *
 * A slot is taken while swap entries name it or a page is cached for it.
 * Only the writer of a page drops it from the cache: it may be newer than
 * the slot, and only the writer knows the slot is now up to date. */
#include "kernel/mm/swap.h"
#include "include/uapi/errno.h"
#include "kernel/dev/blk.h"
#include "kernel/lib/panic.h"
#include "kernel/lib/printf.h"
#include "kernel/lib/spinlock.h"
#include "kernel/lib/string.h"
#include "kernel/mm/mm_arch.h"
#include "kernel/mm/page.h"
#include "kernel/mm/vmstat.h"

/* The arrays below must each fit in one allocation of the largest order. */
#define SWAP_MAX_SLOTS ((PAGE_SIZE << PAGE_MAX_ORDER) / sizeof(struct swap_slot))

enum slot_io { IO_NONE, IO_READ, IO_WRITE };

struct swap_slot {
	struct page *page; /* the swap cache: the slot's page in memory, or NULL */
	u32 count;	   /* swap entries naming the slot */
	u8 io;		   /* enum slot_io: a transfer in flight */
	u8 clean;	   /* the cached page and the slot hold the same bytes */
	u8 shared;	   /* its page was PG_SHARED: it comes back so */
	u8 ahead;	   /* its page was read ahead, and nobody asked for it yet */
};

/* Read-ahead. Eviction writes the pages of one visit of the clock to
 * neighbouring slots, in address order, so a program that walks its
 * memory in order wants the slots after a missed one next, and one that
 * jumps about wants none of them. A miss reads a window of slots after
 * its own along, sized by how many pages read ahead were asked for since
 * the last miss (hits): the next power of two above hits + 1, less one,
 * up to READ_AHEAD_MAX. So a walk in order reads 1, 3, 7, then 15
 * pages ahead, and a miss that does not follow the last run, with no
 * hits, reads none. The window shrinks by half at most per miss, so that
 * a walk that strays for a page or two does not lose its window. */
#define READ_AHEAD_MAX 15 /* with its miss: one request of BLK_SEGS pieces */

static struct spinlock swap_lock = SPINLOCK_INIT("swap");
static struct swap_slot *slots; /* (s) */
static u64 *bitmap;		/* (s) one bit per slot: taken */
static u64 nslots;		/* (-) 0: no swap */
static u64 nused;		/* (s) slots taken */
static u64 hint;		/* (s) where the search for a free slot starts */
static u64 ncached;		/* (s) pages in the swap cache */

static void *alloc_array(u64 bytes)
{
	unsigned order = 0;
	while ((PAGE_SIZE << order) < bytes)
		order++;
	struct page *pg = page_alloc(order);
	if (!pg)
		return NULL;
	memset(page_kva(pg), 0, PAGE_SIZE << order);
	return page_kva(pg);
}

int swap_init(void)
{
	u64 n = blk_size() / PAGE_SIZE;
	if (n == 0)
		return -ENODEV;
	n = MIN(n, SWAP_MAX_SLOTS);
	slots = alloc_array(n * sizeof(*slots));
	bitmap = alloc_array(ALIGN_UP(n, 64) / 8);
	if (!slots || !bitmap) {
		printk("swap: no memory for %lu slots\n", (unsigned long)n);
		return -ENOMEM;
	}
	nslots = n;
	printk("swap: %lu MiB, %lu slots\n", (unsigned long)(n * PAGE_SIZE >> 20),
	       (unsigned long)n);
	return 0;
}

void swap_usage(u64 *total, u64 *used)
{
	spin_lock(&swap_lock);
	*total = nslots;
	*used = nused;
	spin_unlock(&swap_lock);
}

u64 swap_cached_pages(void)
{
	return __atomic_load_n(&ncached, __ATOMIC_RELAXED);
}

/* ---------------------------------------------------------------- slots */

static bool slot_taken(u64 s)
{
	return bitmap[s / 64] & (1UL << (s % 64));
}

/* A free slot, now taken; -1 when the disk is full. */
static long slot_take(void)
{
	assert(spin_holding(&swap_lock));
	u64 words = ALIGN_UP(nslots, 64) / 64;
	for (u64 i = 0; i < words; i++) {
		u64 w = (hint / 64 + i) % words;
		if (bitmap[w] == ~0UL)
			continue;
		u64 bit = __builtin_ctzl(~bitmap[w]);
		u64 s = w * 64 + bit;
		if (s >= nslots)
			continue;
		bitmap[w] |= 1UL << bit;
		nused++;
		hint = s + 1;
		/* Whatever the slot's last owner left there is not the new
		 * page's: it is clean only once written. */
		slots[s].clean = 0;
		slots[s].shared = 0;
		slots[s].ahead = 0;
		return (long)s;
	}
	return -1;
}

/* Lets go of the cache's page for s, if any; its reference goes to
 * *drop, for the caller to put once the lock is released. */
static void cache_drop(u64 s, struct page **drop)
{
	struct page *pg = slots[s].page;
	if (!pg)
		return;
	slots[s].page = NULL;
	slots[s].ahead = 0;
	pg->private = 0;
	ncached--;
	*drop = pg;
}

/* Frees s if nothing needs it any more: no entry names it and no transfer
 * is in flight. A cached page then stops being the slot's; its mappers
 * keep it as an ordinary page. */
static void slot_release(u64 s, struct page **drop)
{
	assert(spin_holding(&swap_lock));
	if (slots[s].count > 0 || slots[s].io != IO_NONE)
		return;
	cache_drop(s, drop);
	if (slot_taken(s)) {
		bitmap[s / 64] &= ~(1UL << (s % 64));
		nused--;
	}
}

void swap_dup(u64 slot)
{
	spin_lock(&swap_lock);
	assert(slot < nslots && slots[slot].count > 0);
	slots[slot].count++;
	spin_unlock(&swap_lock);
}

void swap_put(u64 slot)
{
	struct page *drop = NULL;
	spin_lock(&swap_lock);
	assert(slot < nslots && slots[slot].count > 0);
	if (--slots[slot].count == 0)
		slot_release(slot, &drop);
	spin_unlock(&swap_lock);
	if (drop)
		page_put(drop);
}

/* ---------------------------------------------------------------- swap-in */

/* (s) The last slot a miss read, read-ahead included; none yet at first,
 * when a walk in order is the guess. */
#define NO_READ (~0UL)
static u64 last_read = NO_READ;
static u64 ra_hits;   /* (s) pages read ahead that were asked for since the last miss */
static u64 ra_window; /* (s) how many the last miss read ahead */

/* How many slots this miss at slot reads ahead (see READ_AHEAD_MAX). */
static u64 read_ahead_window(u64 slot)
{
	assert(spin_holding(&swap_lock));
	bool follows =
	    last_read == NO_READ || (slot > last_read && slot <= last_read + 1 + READ_AHEAD_MAX);
	u64 window = 0;
	if (follows || ra_hits > 0) {
		u64 pow = 1;
		while (pow < ra_hits + 2)
			pow *= 2;
		window = MIN(pow - 1, READ_AHEAD_MAX);
	}
	window = MAX(window, ra_window / 2);
	ra_window = window;
	ra_hits = 0;
	return window;
}

/* Reads slot, whose page is first, and the taken slots right after it
 * that have no page, as many as the read-ahead window says, in one batch:
 * each page is in the cache while its read is in flight, and those read
 * ahead stay there, clean, until their entries ask for them or reclaim
 * drops them. Returns the first's result; pages to put once the lock is
 * let go go to drops[]. swap_lock held, dropped for the transfer. */

static int read_cluster(u64 slot, struct page *first, struct page **drops, int *ndrops)
{
	struct blk_io ios[1 + READ_AHEAD_MAX];
	u64 which[1 + READ_AHEAD_MAX];
	int n = 0;

	u64 ahead = read_ahead_window(slot);
	for (u64 s = slot; s < nslots && s <= slot + ahead; s++) {
		struct page *pg = first;
		if (s != slot) {
			if (slots[s].count == 0 || slots[s].page || slots[s].io != IO_NONE)
				break; /* the end of the run */
			if (!(pg = page_alloc(0)))
				break;
		}
		slots[s].page = pg;
		slots[s].io = IO_READ;
		slots[s].clean = 0;
		slots[s].ahead = s != slot;
		pg->private = s + 1;
		/* Not yet visible to anyone: a plain store. */
		if (slots[s].shared)
			pg->flags |= PG_SHARED;
		ncached++;
		which[n] = s;
		ios[n++] = (struct blk_io){
		    .offset = s * PAGE_SIZE, .buf = page_kva(pg), .len = PAGE_SIZE, .write = false};
	}
	last_read = which[n - 1];
	spin_unlock(&swap_lock);
	blk_rw_many(ios, n);
	spin_lock(&swap_lock);
	for (int i = 0; i < n; i++) {
		u64 s = which[i];
		struct swap_slot *sl = &slots[s];
		sl->io = IO_NONE;
		mm_wakeup(sl);
		if (ios[i].err) {
			printk("swap: read of slot %lu failed (%d)\n", (unsigned long)s,
			       ios[i].err);
			cache_drop(s, &drops[(*ndrops)++]);
			continue;
		}
		sl->clean = 1;
		vmstat_count(VM_PSWPIN);
		/* A page read ahead whose entries went meanwhile. */
		if (s != slot) {
			struct page *gone = NULL;
			slot_release(s, &gone);
			if (gone)
				drops[(*ndrops)++] = gone;
		}
	}
	return ios[0].err ? -EIO : 0;
}

/* swap_in, or with out NULL swap_read: only the cache gets the page. */
static int swap_get(u64 slot, struct page **out)
{
	struct page *fresh = NULL, *drops[2 + READ_AHEAD_MAX] = {NULL};
	int err = 0, ndrops = 0;
	spin_lock(&swap_lock);
	assert(slot < nslots && slots[slot].count > 0);
	for (;;) {
		struct swap_slot *sl = &slots[slot];
		if (sl->page && sl->io == IO_READ) {
			/* Another sharer is reading it: wait for its read. */
			mm_sleep(sl, &swap_lock);
			continue;
		}
		if (sl->page && out) {
			if (sl->ahead) {
				sl->ahead = 0;
				ra_hits++; /* the read-ahead was worth it */
			}
			page_get(sl->page);
			*out = sl->page;
			sl->clean = 0; /* a shared mapping may write it from now on */
			if (--sl->count == 0)
				slot_release(slot, &drops[ndrops++]);
			break;
		}
		if (sl->page)
			break; /* swap_read: in the cache, which is all it wants */
		if (err)
			break; /* the read failed: the slot stays for its owners to free */
		if (!fresh) {
			spin_unlock(&swap_lock);
			fresh = page_alloc(0);
			spin_lock(&swap_lock);
			if (!fresh) {
				err = -ENOMEM;
				break;
			}
			continue; /* someone may have read it meanwhile */
		}
		/* Ours to read: the page is the cache's from now on. */
		struct page *pg = fresh;
		fresh = NULL;
		err = read_cluster(slot, pg, drops, &ndrops);
	}
	spin_unlock(&swap_lock);
	if (fresh)
		page_put(fresh);
	for (int i = 0; i < ndrops; i++)
		if (drops[i])
			page_put(drops[i]);
	return err;
}

int swap_in(u64 slot, struct page **out)
{
	return swap_get(slot, out);
}

int swap_read(u64 slot)
{
	return swap_get(slot, NULL);
}

int swap_copy(u64 slot, struct page **out)
{
	struct page *copy = page_alloc(0), *pg;
	if (!copy)
		return -ENOMEM;
	/* swap_in uses up an entry: one more stands in for it. */
	swap_dup(slot);
	int err = swap_in(slot, &pg);
	if (err) {
		swap_put(slot);
		page_put(copy);
		return err;
	}
	memcpy(page_kva(copy), page_kva(pg), PAGE_SIZE);
	page_put(pg);
	*out = copy;
	return 0;
}

bool swap_slot_shared(u64 slot)
{
	spin_lock(&swap_lock);
	assert(slot < nslots && slots[slot].count > 0);
	bool shared = slots[slot].shared;
	spin_unlock(&swap_lock);
	return shared;
}

bool swap_slot_cached(u64 slot)
{
	spin_lock(&swap_lock);
	bool cached = slot < nslots && slots[slot].page && slots[slot].io == IO_NONE;
	spin_unlock(&swap_lock);
	return cached;
}

/* ---------------------------------------------------------------- swap-out */

long swap_slot_for(struct page *pg)
{
	spin_lock(&swap_lock);
	long s = -1;
	if (pg->private) {
		s = (long)pg->private - 1;
		if (slots[s].io != IO_NONE)
			s = -2; /* in flight already: not again meanwhile */
	} else if (nslots && (s = slot_take()) >= 0) {
		page_get(pg);
		slots[s].page = pg;
		pg->private = (u64)s + 1;
		ncached++;
	}
	if (s >= 0) {
		slots[s].io = IO_WRITE; /* from now on only swap_write drops it */
		/* PG_SHARED is never taken off a page: a slot taken before
		 * map_shared_pages gave the page out learns it here. */
		if (pg->flags & PG_SHARED)
			slots[s].shared = 1;
	}
	spin_unlock(&swap_lock);
	return s;
}

void swap_add_entry(u64 slot)
{
	spin_lock(&swap_lock);
	assert(slot < nslots && slots[slot].io == IO_WRITE);
	slots[slot].count++;
	spin_unlock(&swap_lock);
}

bool swap_cached(struct page *pg)
{
	return __atomic_load_n(&pg->private, __ATOMIC_RELAXED) != 0;
}

u64 swap_write(struct page **pages, int n)
{
	struct blk_io ios[SWAP_WRITE_MAX];
	struct page *out[SWAP_WRITE_MAX], *drops[SWAP_WRITE_MAX];
	int nout = 0, ndrops = 0;
	assert(n <= SWAP_WRITE_MAX);
	spin_lock(&swap_lock);
	for (int i = 0; i < n; i++) {
		struct page *pg = pages[i];
		assert(pg->private);
		u64 slot = pg->private - 1;
		struct swap_slot *sl = &slots[slot];
		assert(sl->page == pg && sl->io == IO_WRITE);
		if (page_refcount(pg) > 1) {
			/* Still mapped (a shared page that only some of its PTEs
			 * let go of), or mapped again from the cache: a writable
			 * PTE may change it after any write, so it stays cached,
			 * newer than the slot, until only the cache holds it. */
			sl->io = IO_NONE;
			sl->clean = 0;
			/* Its entries may all have gone meanwhile (faulted back):
			 * then the slot goes, and the cache lets go of it. */
			struct page *drop = NULL;
			slot_release(slot, &drop);
			if (drop)
				drops[ndrops++] = drop;
			continue;
		}
		/* Clean once written, unless handed out meanwhile (swap_get
		 * clears it): a mapper may write it during the transfer, and
		 * let go of it again before the transfer ends. */
		sl->clean = 1;
		out[nout] = pg;
		ios[nout++] = (struct blk_io){.offset = slot * PAGE_SIZE,
					      .buf = page_kva(pg),
					      .len = PAGE_SIZE,
					      .write = true};
	}
	spin_unlock(&swap_lock);
	for (int i = 0; i < ndrops; i++)
		page_put(drops[i]);
	if (nout)
		blk_rw_many(ios, nout);
	u64 freed = 0;
	for (int i = 0; i < nout; i++) {
		struct page *pg = out[i], *drop = NULL;
		spin_lock(&swap_lock);
		u64 slot = pg->private - 1;
		struct swap_slot *sl = &slots[slot];
		sl->io = IO_NONE;
		if (ios[i].err) {
			printk("swap: write of slot %lu failed (%d)\n", (unsigned long)slot,
			       ios[i].err);
			/* The page stays in the cache, newer than the slot, so
			 * that nothing drops it before it is written. */
			sl->clean = 0;
		} else if (page_refcount(pg) > 1) {
			/* Mapped again meanwhile: a shared mapping may write it. */
			sl->clean = 0;
		} else if (sl->count > 0 && sl->clean) {
			/* Only the cache holds it, and the slot has it all. */
			cache_drop(slot, &drop);
			freed++;
		}
		slot_release(slot, &drop);
		spin_unlock(&swap_lock);
		if (drop)
			page_put(drop);
		if (!ios[i].err)
			vmstat_count(VM_PSWPOUT);
	}
	return freed;
}

/* ---------------------------------------------------------------- the cache */

static u64 sweep_hand; /* (s) the slot the sweep looks at next */

u64 swap_drop_cached(u64 want)
{
	struct page *dirty[SWAP_WRITE_MAX], *drops[SWAP_WRITE_MAX];
	int ndirty = 0, ndrops = 0;
	spin_lock(&swap_lock);
	/* A bounded look, from where the last one stopped. */
	for (u64 look = 0;
	     nslots && ncached && look < MIN(nslots, 4096) && (u64)(ndirty + ndrops) < want &&
	     ndirty < SWAP_WRITE_MAX && ndrops < SWAP_WRITE_MAX;
	     look++) {
		u64 s = sweep_hand++ % nslots;
		struct swap_slot *sl = &slots[s];
		if (!sl->page || sl->io != IO_NONE || page_refcount(sl->page) != 1)
			continue; /* nothing cached, in flight, or mapped */
		if (sl->clean) {
			cache_drop(s, &drops[ndrops++]); /* the slot has it all */
		} else {
			sl->io = IO_WRITE; /* newer than the slot: written first */
			dirty[ndirty++] = sl->page;
		}
	}
	spin_unlock(&swap_lock);
	for (int i = 0; i < ndrops; i++)
		page_put(drops[i]);
	return ndrops + (ndirty ? swap_write(dirty, ndirty) : 0);
}
