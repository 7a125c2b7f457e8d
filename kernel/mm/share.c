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

/* The PTE for page va of mm, faulting it in for the access (a write
 * breaks copy-on-write). mm->lock held. NULL when it cannot be had. */
static int present_pte(struct mm *mm, u64 va, bool write, pte_t **out)
{
	struct vma *v = vma_find(mm, va);
	if (!v || v->role == VMA_GUARD || !(v->prot & (VM_READ | VM_WRITE | VM_EXEC)))
		return -EFAULT;
	pte_t *pte = pt_walk(mm->root, va, NULL);
	bool need_fault = !pte || !pte_valid(*pte) || (write && (*pte & PTE_COW));
	if (need_fault) {
		enum fault_result r = pager_fault(mm, v, va, write ? FAULT_WRITE : FAULT_READ);
		if (r != FAULT_OK)
			return r == FAULT_OOM ? -ENOMEM : -EFAULT;
	}
	pte = pt_walk(mm->root, va, NULL);
	if (!pte || !pte_valid(*pte) || !(*pte & PTE_U))
		return -EFAULT;
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
 * read-only source page stays read-only here. The PTEs take over the
 * references in pages[], which are set to NULL. dst->lock held. 0 or
 * -ENOMEM, with nothing left mapped. */
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
			*pte = pte_make(page_to_pa(pages[i]), flags[i]);
			dst->rss++;
			pages[i] = NULL;
		}
	}
	/* Invalid to valid: no fence (see mm_install_page). */
	return 0;
undo:
	__mm_munmap(dst, at, at + n * PAGE_SIZE);
	return -ENOMEM;
}

long map_shared_pages(struct mm *src, struct mm *dst, u64 src_va, u64 size)
{
	if (size == 0 || src_va + size < src_va || src_va + size > MM_USER_TOP || src == dst)
		return size == 0 || src == dst ? -EINVAL : -EFAULT;
	u64 first = PAGE_ROUND_DOWN(src_va), end = PAGE_ROUND_UP(src_va + size);
	u64 npages = (end - first) / PAGE_SIZE;
	struct page **pages = kmalloc(npages * sizeof(*pages));
	u64 *flags = kmalloc(npages * sizeof(*flags));
	long ret = -ENOMEM;
	u64 got = 0;
	if (!pages || !flags)
		goto out;

	mm_lock(src);
	ret = 0;
	for (; got < npages; got++) {
		u64 va = first + got * PAGE_SIZE;
		if (mm_current_killed()) {
			ret = -EINTR;
			break;
		}
		struct vma *v = vma_find(src, va);
		bool write = v && (v->prot & VM_WRITE);
		pte_t *pte;
		ret = present_pte(src, va, write, &pte);
		if (ret)
			break;
		pages[got] = pa_to_page(pte_pa(*pte));
		page_get(pages[got]);
		/* A later fork of the source must not make it copy-on-write.
		 * A mapped page's flags change nowhere else, and racing
		 * sharers only set this same bit, so a plain store is safe. */
		pages[got]->flags |= PG_SHARED;
		flags[got] = (*pte & PTE_FLAGS_MASK & ~PTE_COW) | PTE_S;
	}
	mm_unlock(src);
	if (ret)
		goto out;

	mm_lock(dst);
	u64 at = vma_find_gap(dst, end - first, SHARE_MMAP_BASE, MM_USER_TOP);
	if (!at)
		at = vma_find_gap(dst, end - first, PAGE_SIZE, MM_USER_TOP);
	ret = at ? install_shared(dst, at, pages, flags, npages) : -ENOMEM;
	mm_unlock(dst);
	if (!ret)
		ret = (long)(at + (src_va - first));
out:
	for (u64 i = 0; pages && i < got; i++)
		if (pages[i])
			page_put(pages[i]);
	kfree(pages);
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

int mm_populate(struct mm *mm, u64 addr, u64 len, bool write)
{
	if (len == 0 || addr + len < addr || addr + len > MM_USER_TOP)
		return -EFAULT;
	int err = 0;
	mm_lock(mm);
	for (u64 va = PAGE_ROUND_DOWN(addr); va < addr + len && !err; va += PAGE_SIZE)
		err = mm_current_killed() ? -EINTR : present_pte(mm, va, write, &(pte_t *){NULL});
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
