/* Sharing pages between address spaces: map_shared_pages and
 * unmap_shared_pages (seed 001), and the crypto service's pinning of a
 * request's pages. The two address spaces are never locked at once: the
 * source's pages are collected (with references) under its lock, then
 * installed under the destination's. */
#include "kernel/mm/share.h"
#include "kernel/mm/internal.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/page.h"

#define SHARE_MMAP_BASE 0x3000000000UL

/* Maps pages[0..n) at [at, ...) of dst (free), one VMA per run of pages
 * with the same permissions, each unable to gain more (mprotect): a
 * read-only source page stays read-only here. The PTEs take over the
 * references in pages[], each set to NULL once taken; the others stay the
 * caller's. dst->lock held. 0 or -ENOMEM, with nothing left mapped. */
static int install_shared(struct mm *dst, u64 at, struct page **pages, const u32 *prots, u64 n)
{
	mm_assert_locked(dst);
	for (u64 i = 0; i < n;) {
		u32 prot = prots[i];
		u64 j = i + 1;
		while (j < n && prots[j] == prot)
			j++;
		struct vma *v =
		    vma_alloc(at + i * PAGE_SIZE, at + j * PAGE_SIZE, prot, true, VMA_SHM);
		if (!v)
			goto undo;
		v->max_prot = prot;
		vma_insert(dst, v);
		if (pmap_enter_pages(dst, at + i * PAGE_SIZE, pages + i, j - i,
				     pmap_prot_bits(prot) | PTE_S) < 0)
			goto undo;
		i = j;
	}
	return 0;
undo:
	__mm_munmap(dst, at, at + n * PAGE_SIZE);
	return -ENOMEM;
}

/* Drops the references left in pages[] (those not set to NULL). */
static void drop_left(struct page **pages, u64 n)
{
	for (u64 i = 0; i < n; i++)
		if (pages[i])
			page_put(pages[i]);
}

/* Maps pages into dst at the highest free address below the stack and
 * the room it keeps to grow (top-down, as Linux places mmap): there a
 * small mapping uses the page table at the bottom of that room, which no
 * unmap frees (unmap_range), so a process that maps and unmaps requests
 * over and over (the crypto server) neither grows nor builds its tables
 * afresh each time. Else anywhere. The address or -ENOMEM. */
static long map_pages(struct mm *dst, struct page **pages, const u32 *prots, u64 n)
{
	mm_lock(dst);
	u64 size = n * PAGE_SIZE;
	struct vma *top = vma_last(dst);
	u64 below = top ? top->start : MM_USER_TOP;
	if (top && top->role == VMA_STACK) {
		struct vma *guard = vma_prev(dst, top);
		if (guard && guard->role == VMA_GUARD && guard->end == top->start)
			below = guard->start;
	}
	below = MIN(below, mmap_top(dst)); /* the stack's room to grow stays free */
	u64 at = vma_find_gap_top(dst, size, SHARE_MMAP_BASE, below);
	if (!at)
		at = vma_find_gap(dst, size, PAGE_SIZE, mmap_top(dst));
	long ret = at ? install_shared(dst, at, pages, prots, n) : -ENOMEM;
	mm_unlock(dst);
	return ret < 0 ? ret : (long)at;
}

/* Takes a reference on the pages behind n pages from first of mm, each
 * faulted in and made mm's own (fault_in), into pages[]; with prots,
 * what their PTEs allow too. need_write: every page must be mapped
 * writable. 0, -EFAULT, -ENOMEM or -EINTR, holding nothing then. */
static int collect_pages(struct mm *mm, u64 first, u64 n, bool need_write, struct page **pages,
			 u32 *prots)
{
	int err = 0;
	u64 got = 0;
	mm_lock(mm);
	struct vma *v = NULL;
	for (; got < n; got++) {
		u64 va = first + got * PAGE_SIZE;
		if (mm_current_killed()) {
			err = -EINTR;
			break;
		}
		if (!v || va >= v->end)
			v = vma_find(mm, va); /* once per VMA, not per page */
		if (!v || (need_write && !(v->prot & VM_WRITE))) {
			err = -EFAULT;
			break;
		}
		pte_t pte;
		err = fault_in(mm, v, va, &pte);
		if (err)
			break;
		pages[got] = pa_to_page(pte_pa(pte));
		page_get(pages[got]);
		/* A later fork of mm must not make it copy-on-write. A
		 * mapped page's flags change nowhere else, and racing sharers
		 * only set this same bit, so a plain store is safe. */
		pages[got]->flags |= PG_SHARED;
		if (prots)
			prots[got] = pmap_pte_prot(pte);
	}
	mm_unlock(mm);
	if (err)
		mm_unpin(pages, got);
	return err;
}

/* The pages [va, va+size) spans; 0 for a range that is empty, wraps or
 * reaches past user space. */
static u64 span_pages(u64 va, u64 size)
{
	if (size == 0 || va + size < va || va + size > MM_USER_TOP)
		return 0;
	return (PAGE_ROUND_UP(va + size) - PAGE_ROUND_DOWN(va)) / PAGE_SIZE;
}

long map_shared_pages(struct mm *src, struct mm *dst, u64 src_va, u64 size)
{
	if (size == 0 || src == dst)
		return -EINVAL;
	u64 npages = span_pages(src_va, size);
	if (!npages)
		return -EFAULT;
	struct page **pages = kmalloc(npages * sizeof(*pages));
	u32 *prots = kmalloc(npages * sizeof(*prots));
	long ret = -ENOMEM;
	if (pages && prots)
		ret = collect_pages(src, PAGE_ROUND_DOWN(src_va), npages, false, pages, prots);
	if (ret == 0) {
		ret = map_pages(dst, pages, prots, npages);
		drop_left(pages, npages);
		if (ret >= 0)
			ret += src_va & (PAGE_SIZE - 1);
	}
	kfree(pages);
	kfree(prots);
	return ret;
}

u64 mm_pin_count(u64 va, u64 size)
{
	return span_pages(va, size);
}

int mm_pin_range(struct mm *mm, u64 va, u64 size, struct page **pages)
{
	u64 n = span_pages(va, size);
	if (!n)
		return -EFAULT;
	/* Pinned pages stay in RAM: more of them than RAM has can never be
	 * pinned, so refuse at once, as mmap refuses what alone cannot fit,
	 * rather than push everything else to swap first. */
	if (n > page_total_count())
		return -ENOMEM;
	return collect_pages(mm, PAGE_ROUND_DOWN(va), n, true, pages, NULL);
}

void mm_unpin(struct page **pages, u64 n)
{
	for (u64 i = 0; i < n; i++)
		page_put(pages[i]);
}

long mm_map_pages(struct mm *mm, struct page **pages, u64 n)
{
	/* The pins stay the request's: the mapping gets references of its
	 * own. */
	u32 *prots = kmalloc(n * sizeof(*prots));
	struct page **refs = kmalloc(n * sizeof(*refs));
	long ret = -ENOMEM;
	if (prots && refs) {
		for (u64 i = 0; i < n; i++) {
			prots[i] = VM_READ | VM_WRITE;
			refs[i] = pages[i];
			page_get(refs[i]);
		}
		ret = map_pages(mm, refs, prots, n);
		drop_left(refs, n);
	}
	kfree(prots);
	kfree(refs);
	return ret;
}

int unmap_shared_pages(struct mm *mm, u64 addr, u64 size)
{
	if (size == 0 || addr + size < addr || addr + size > MM_USER_TOP)
		return -EINVAL;
	u64 start = PAGE_ROUND_DOWN(addr), end = PAGE_ROUND_UP(addr + size);
	mm_lock(mm);
	int err = 0;
	/* The whole range must be made of shared-in mappings. */
	for (u64 a = start; a < end;) {
		struct vma *v = vma_find(mm, a);
		if (!v || v->role != VMA_SHM) {
			err = -EINVAL;
			goto out;
		}
		a = v->end;
	}
	err = __mm_munmap(mm, start, end);
out:
	mm_unlock(mm);
	return err;
}

int mm_pin_page(struct mm *mm, u64 va, struct page **out)
{
	if (va >= MM_USER_TOP)
		return -EFAULT;
	mm_lock(mm);
	/* Copy-on-write is broken now: otherwise the page under a sleeping
	 * waiter could be replaced later. */
	pte_t pte;
	struct vma *v = vma_find(mm, va);
	int err = v ? fault_in(mm, v, PAGE_ROUND_DOWN(va), &pte) : -EFAULT;
	if (!err) {
		*out = pa_to_page(pte_pa(pte));
		page_get(*out);
	}
	mm_unlock(mm);
	return err ? -EFAULT : 0;
}
