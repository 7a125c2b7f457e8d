/* map_shared_pages / unmap_shared_pages. The two address spaces are never
 * locked at once: the source's pages are collected (with references)
 * under its lock, then installed under the destination's. */
#include "kernel/mm/share.h"
#include "include/uapi/errno.h"
#include "kernel/lib/printf.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/page.h"
#include "kernel/mm/pager.h"
#include "kernel/mm/pagetable.h"
#include "kernel/mm/vma.h"

#define SHARE_MMAP_BASE 0x3000000000UL

/* The PTE for page va of mm, faulting it in for the access, and with a
 * page of mm's own: copy-on-write is broken even where the mapping is
 * read-only, or a later mprotect and write would move mm to a copy and
 * leave whoever shares the page behind. mm->lock held. 0, -EFAULT (no
 * accessible mapping) or -ENOMEM. */
static int present_pte(struct mm *mm, u64 va, bool write, pte_t **out)
{
	struct vma *v = vma_find(mm, va);
	if (!v || v->role == VMA_GUARD || !(v->prot & (VM_READ | VM_WRITE | VM_EXEC)))
		return -EFAULT;
	pte_t *pte = pt_walk(mm->root, va, NULL);
	if (!pte || !pte_valid(*pte) || (write && (*pte & PTE_COW))) {
		enum fault_result r = pager_fault(mm, v, va, write ? FAULT_WRITE : FAULT_READ);
		if (r != FAULT_OK)
			return r == FAULT_OOM ? -ENOMEM : -EFAULT;
		pte = pt_walk(mm->root, va, NULL);
	}
	if (!pte || !pte_valid(*pte) || !(*pte & PTE_U))
		return -EFAULT;
	if ((*pte & PTE_COW) && pager_break_cow(mm, v, pte, va) != FAULT_OK)
		return -ENOMEM;
	*out = pte;
	return 0;
}

static u32 pte_to_prot(pte_t pte)
{
	return (pte & PTE_R ? VM_READ : 0) | (pte & PTE_W ? VM_WRITE : 0) |
	       (pte & PTE_X ? VM_EXEC : 0);
}

/* Maps pages[0..n) at [at, ...) of dst (free), one VMA per run of pages
 * with the same permissions, each unable to gain more (mprotect): a
 * read-only source page stays read-only here. Each PTE takes a reference
 * of its own. dst->lock held. 0 or -ENOMEM, with nothing left mapped. */
static int install_shared(struct mm *dst, u64 at, struct page **pages, const u64 *flags, u64 n)
{
	for (u64 i = 0; i < n;) {
		u32 prot = pte_to_prot(flags[i]);
		u64 j = i + 1;
		while (j < n && pte_to_prot(flags[j]) == prot)
			j++;
		struct vma *v =
		    vma_alloc(at + i * PAGE_SIZE, at + j * PAGE_SIZE, prot, true, VMA_SHM);
		if (!v)
			goto undo;
		v->max_prot = prot;
		vma_insert(dst, v);
		for (; i < j; i++) {
			pte_t *pte = pt_walk(dst->root, at + i * PAGE_SIZE, &dst->pt_pages);
			if (!pte)
				goto undo;
			page_get(pages[i]);
			*pte = pte_make(page_to_pa(pages[i]), flags[i]);
			dst->rss++;
		}
	}
	/* Invalid to valid: no fence (see mm_install_page). */
	return 0;
undo:
	__mm_munmap(dst, at, at + n * PAGE_SIZE);
	return -ENOMEM;
}

/* Maps pages into dst at a free address (above SHARE_MMAP_BASE if there
 * is room); the address or -ENOMEM. */
static long map_pages(struct mm *dst, struct page **pages, const u64 *flags, u64 n)
{
	mm_lock(dst);
	u64 size = n * PAGE_SIZE;
	u64 at = vma_find_gap(dst, size, SHARE_MMAP_BASE, MM_USER_TOP);
	if (!at)
		at = vma_find_gap(dst, size, PAGE_SIZE, MM_USER_TOP);
	long ret = at ? install_shared(dst, at, pages, flags, n) : -ENOMEM;
	mm_unlock(dst);
	return ret < 0 ? ret : (long)at;
}

/* Takes a reference on the pages behind n pages from first of mm, each
 * faulted in and made mm's own (present_pte), into pages[]; with flags,
 * their PTE permissions too. need_write: every page must be mapped
 * writable. 0, -EFAULT, -ENOMEM or -EINTR, holding nothing then. */
static int collect_pages(struct mm *mm, u64 first, u64 n, bool need_write, struct page **pages,
			 u64 *flags)
{
	int err = 0;
	u64 got = 0;
	mm_lock(mm);
	for (; got < n; got++) {
		u64 va = first + got * PAGE_SIZE;
		if (mm_current_killed()) {
			err = -EINTR;
			break;
		}
		struct vma *v = vma_find(mm, va);
		bool write = v && (v->prot & VM_WRITE);
		if (need_write && !write) {
			err = -EFAULT;
			break;
		}
		pte_t *pte;
		err = present_pte(mm, va, write, &pte);
		if (err)
			break;
		pages[got] = pa_to_page(pte_pa(*pte));
		page_get(pages[got]);
		/* A later fork of mm must not make it copy-on-write. A
		 * mapped page's flags change nowhere else, and racing sharers
		 * only set this same bit, so a plain store is safe. */
		pages[got]->flags |= PG_SHARED;
		if (flags)
			flags[got] = (*pte & PTE_FLAGS_MASK & ~PTE_COW) | PTE_S;
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
	u64 *flags = kmalloc(npages * sizeof(*flags));
	long ret = -ENOMEM;
	if (pages && flags)
		ret = collect_pages(src, PAGE_ROUND_DOWN(src_va), npages, false, pages, flags);
	if (ret == 0) {
		ret = map_pages(dst, pages, flags, npages);
		mm_unpin(pages, npages);
		if (ret >= 0)
			ret += src_va & (PAGE_SIZE - 1);
	}
	kfree(pages);
	kfree(flags);
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
	return collect_pages(mm, PAGE_ROUND_DOWN(va), n, true, pages, NULL);
}

void mm_unpin(struct page **pages, u64 n)
{
	for (u64 i = 0; i < n; i++)
		page_put(pages[i]);
}

long mm_map_pages(struct mm *mm, struct page **pages, u64 n)
{
	u64 *flags = kmalloc(n * sizeof(*flags));
	if (!flags)
		return -ENOMEM;
	for (u64 i = 0; i < n; i++)
		flags[i] = vm_prot_to_pte(VM_READ | VM_WRITE) | PTE_V | PTE_A | PTE_D | PTE_S;
	long ret = map_pages(mm, pages, flags, n);
	kfree(flags);
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
	struct vma *v = vma_find(mm, va);
	/* Where the mapping is writable, break copy-on-write now: otherwise
	 * the page under a sleeping waiter could be replaced later. */
	pte_t *pte = NULL;
	if (v && present_pte(mm, PAGE_ROUND_DOWN(va), v->prot & VM_WRITE, &pte) < 0)
		pte = NULL;
	if (pte) {
		*out = pa_to_page(pte_pa(*pte));
		page_get(*out);
	}
	mm_unlock(mm);
	return pte ? 0 : -EFAULT;
}
