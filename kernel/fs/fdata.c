/* A regular file's pages, indexed by a radix tree of page-sized nodes (see
 * struct fdata in ramfs.h). The tree grows upward when a write lands past
 * what it covers, and shrinks again on truncation, so a small file costs
 * only its data pages and a 16 MiB one (4096 pages) nine index pages
 * more: eight nodes of 512 page pointers and one above them. */
#include "include/uapi/errno.h"
#include "kernel/fs/ramfs.h"
#include "kernel/mm/page.h"
#include "kernel/mm/reclaim.h"
#include "kernel/mm/swap.h"

#define FDATA_SHIFT 9 /* log2(FDATA_FANOUT) */

_Static_assert(FDATA_FANOUT == 1UL << FDATA_SHIFT, "index nodes hold 512 pointers");

/* Pages a tree of this height covers. */
static u64 fdata_capacity(u32 height)
{
	return 1UL << (FDATA_SHIFT * height);
}

/* The slot of an index node at this height (>= 1) on the way to pgidx. */
static u64 fdata_slot_index(u64 pgidx, u32 height)
{
	return (pgidx >> (FDATA_SHIFT * (height - 1))) & (FDATA_FANOUT - 1);
}

/* A leaf (a data page's slot) holds the page's address, or, while the
 * page is in swap, a token: its swap slot shifted left once with bit 0
 * set, which no page-aligned address has. */
static bool leaf_swapped(const void *leaf)
{
	return (uptr)leaf & 1;
}
static void *swap_token(u64 slot)
{
	return (void *)((slot << 1) | 1);
}
static u64 token_slot(const void *leaf)
{
	return (uptr)leaf >> 1;
}

/* The leaf for pgidx, or NULL where the tree has none (a hole). */
static void **fdata_leaf(struct fdata *fd, u64 pgidx)
{
	void **slotp = &fd->root;

	if (pgidx >= fdata_capacity(fd->height))
		return NULL;
	for (u32 h = fd->height; h > 0 && *slotp; h--)
		slotp = &((void **)*slotp)[fdata_slot_index(pgidx, h)];
	return slotp;
}

/* Brings the page of a swapped leaf back from swap into the file, making
 * room first as a page fault would (other pages of this file may go, if
 * the caller holds its io_lock too; the index pages stay). */
static int swap_back(void **leaf)
{
	struct page *pg;

	reclaim_if_low();
	int err = swap_in(token_slot(*leaf), &pg);
	if (err == -ENOMEM && reclaim_pages(RECLAIM_ON_OOM) > 0)
		err = swap_in(token_slot(*leaf), &pg);

	if (err)
		return err;
	*leaf = page_kva(pg); /* swap_in's reference becomes the file's */
	return 0;
}

void *fdata_page(struct fdata *fd, u64 pgidx, int *err)
{
	void **leaf = fdata_leaf(fd, pgidx);

	*err = 0;
	if (!leaf || !*leaf)
		return NULL;
	if (leaf_swapped(*leaf) && (*err = swap_back(leaf)) < 0)
		return NULL;
	return *leaf;
}

/* The slot that holds page pgidx, growing the tree and adding index
 * pages on the way as needed; NULL when out of memory or past the largest
 * file. */
static void **fdata_slot(struct fdata *fd, u64 pgidx)
{
	void **slotp;

	if (pgidx >= FDATA_MAX_PAGES)
		return NULL;
	while (pgidx >= fdata_capacity(fd->height)) {
		void **node;

		if (!fd->root) {
			/* An empty tree takes whatever height it needs. */
			fd->height++;
			continue;
		}
		/* The old tree becomes the first slot of a taller one. */
		node = kpage_alloc_zeroed();
		if (!node)
			return NULL;
		node[0] = fd->root;
		fd->root = node;
		fd->height++;
	}

	slotp = &fd->root;
	for (u32 h = fd->height; h > 0; h--) {
		if (!*slotp) {
			*slotp = kpage_alloc_zeroed();
			if (!*slotp)
				return NULL;
		}
		slotp = &((void **)*slotp)[fdata_slot_index(pgidx, h)];
	}
	return slotp;
}

void *fdata_get(struct fdata *fd, u64 pgidx, bool zero, bool *fresh)
{
	void **slotp = fdata_slot(fd, pgidx);

	*fresh = false;
	if (!slotp)
		return NULL;
	if (leaf_swapped(*slotp) && swap_back(slotp) < 0)
		return NULL;
	if (!*slotp) {
		*slotp = zero ? kpage_alloc_zeroed() : kpage_alloc();
		if (!*slotp)
			return NULL;
		*fresh = true;
	}
	return *slotp;
}

void *fdata_insert(struct fdata *fd, u64 pgidx, void *page)
{
	void **slotp = fdata_slot(fd, pgidx);

	if (!slotp)
		return NULL;
	if (leaf_swapped(*slotp) && swap_back(slotp) < 0)
		return NULL;
	if (!*slotp)
		*slotp = page;
	return *slotp;
}

/* Frees node, of this height, and everything under it. */
static void fdata_free_tree(void *node, u32 height)
{
	if (height > 0) {
		void **slots = node;

		for (u64 i = 0; i < FDATA_FANOUT; i++)
			if (slots[i])
				fdata_free_tree(slots[i], height - 1);
	} else if (leaf_swapped(node)) {
		swap_put(token_slot(node)); /* the slot goes with its last entry */
		return;
	}
	kpage_free(node);
}

/* Frees the pages of the subtree node (height >= 1) at relative index
 * >= keep, where 0 < keep < fdata_capacity(height), and the index pages
 * left empty. Returns whether node itself is left empty. */
static bool fdata_trim(void **node, u32 height, u64 keep)
{
	u64 span = fdata_capacity(height - 1);
	bool empty = true;

	for (u64 i = 0; i < FDATA_FANOUT; i++) {
		u64 base = i * span;

		if (!node[i])
			continue;
		if (base >= keep) {
			fdata_free_tree(node[i], height - 1);
			node[i] = NULL;
			continue;
		}
		/* Straddling the cut: only an index page can (span > 1). */
		if (base + span > keep && fdata_trim(node[i], height - 1, keep - base)) {
			kpage_free(node[i]);
			node[i] = NULL;
			continue;
		}
		empty = false;
	}
	return empty;
}

void fdata_truncate(struct fdata *fd, u64 npages)
{
	if (fd->root && npages == 0) {
		fdata_free_tree(fd->root, fd->height);
		fd->root = NULL;
	}
	if (!fd->root) {
		fd->height = 0;
		return;
	}
	if (npages < fdata_capacity(fd->height) && fdata_trim(fd->root, fd->height, npages)) {
		kpage_free(fd->root);
		fd->root = NULL;
		fd->height = 0;
		return;
	}
	/* Drop root levels whose only live slot is the first. */
	while (fd->height > 0 && npages <= fdata_capacity(fd->height - 1)) {
		void **old = fd->root;

		fd->root = old[0];
		kpage_free(old);
		fd->height--;
		if (!fd->root) {
			fd->height = 0;
			break;
		}
	}
}

/* Evicts the resident pages of the subtree at *slotp (height h, first page
 * base) from page from on, into ev. */
struct evict {
	struct vm_mappings *maps;
	struct page **pages;
	int n, max;
	bool full; /* swap is full */
	u64 next;  /* the page after the last one looked at */
};

static void evict_tree(void **slotp, u32 h, u64 base, u64 from, struct evict *ev)
{
	if (!*slotp || ev->n == ev->max || ev->full || base + fdata_capacity(h) <= from)
		return;
	if (h > 0) {
		u64 span = fdata_capacity(h - 1);
		for (u64 i = 0; i < FDATA_FANOUT; i++)
			evict_tree(&((void **)*slotp)[i], h - 1, base + i * span, from, ev);
		return;
	}
	ev->next = base + 1;
	if (leaf_swapped(*slotp))
		return;
	struct page *pg = kva_to_page(*slotp);
	/* Mapped: the mappings let go of it first, if they will. Anyone
	 * else's reference (a pin) keeps it here. */
	if (page_refcount(pg) != 1 &&
	    !(ev->maps && reclaim_unmap_object_page(ev->maps, base, pg, 1)))
		return;
	long slot = swap_slot_for(pg);
	if (slot < 0) {
		ev->full = slot == -1;
		return;
	}
	swap_add_entry((u64)slot);
	*slotp = swap_token((u64)slot);
	page_put(pg); /* the file's reference: the swap cache holds the page */
	ev->pages[ev->n++] = pg;
}

int fdata_evict(struct fdata *fd, struct vm_mappings *maps, u64 *cursor, struct page **pages,
		int max, bool *full)
{
	struct evict ev = {.maps = maps, .pages = pages, .max = max, .next = 0};

	evict_tree(&fd->root, fd->height, 0, *cursor, &ev);
	/* Past the last page looked at, or from the start again when the
	 * walk went through the whole file. */
	*cursor = ev.n == max ? ev.next : 0;
	*full = ev.full;
	return ev.n;
}
