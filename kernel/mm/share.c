/* map_shared_pages / unmap_shared_pages. The two address spaces are never
 * locked at once: the source's pages are collected (with references)
 * under its lock, then installed under the destination's. */
#include "kernel/mm/share.h"
#include "include/uapi/errno.h"
#include "kernel/lib/printf.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/page.h"
#include "kernel/mm/pagetable.h"
#include "kernel/mm/pager.h"
#include "kernel/mm/vma.h"

#define SHARE_MMAP_BASE 0x3000000000UL

/* The PTE for page va of mm, faulting it in for the access (a write
 * breaks copy-on-write). mm->lock held. NULL when it cannot be had. */
static pte_t *present_pte(struct mm *mm, u64 va, bool write)
{
	struct vma *v = vma_find(mm, va);
	if (!v || v->role == VMA_GUARD || !(v->prot & (VM_READ | VM_WRITE | VM_EXEC)))
		return NULL;
	pte_t *pte = pt_walk(mm->root, va, NULL);
	bool need_fault = !pte || !pte_valid(*pte) || (write && (*pte & PTE_COW));
	if (need_fault && pager_fault(mm, v, va, write ? FAULT_WRITE : FAULT_READ) != FAULT_OK)
		return NULL;
	pte = pt_walk(mm->root, va, NULL);
	return pte && pte_valid(*pte) && (*pte & PTE_U) ? pte : NULL;
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
	u32 prot = 0;
	if (!pages || !flags)
		goto out;

	mm_lock(src);
	ret = 0;
	for (; got < npages; got++) {
		u64 va = first + got * PAGE_SIZE;
		struct vma *v = vma_find(src, va);
		bool write = v && (v->prot & VM_WRITE);
		pte_t *pte = present_pte(src, va, write);
		if (!pte) {
			ret = -EFAULT;
			break;
		}
		pages[got] = pa_to_page(pte_pa(*pte));
		page_get(pages[got]);
		/* A later fork of the source must not make it copy-on-write.
		 * A mapped page's flags change nowhere else, and racing
		 * sharers only set this same bit, so a plain store is safe. */
		pages[got]->flags |= PG_SHARED;
		flags[got] = (*pte & PTE_FLAGS_MASK & ~PTE_COW) | PTE_S;
		prot |= v->prot;
	}
	mm_unlock(src);
	if (ret)
		goto out;

	mm_lock(dst);
	u64 at = vma_find_gap(dst, end - first, SHARE_MMAP_BASE, MM_USER_TOP);
	if (!at)
		at = vma_find_gap(dst, end - first, PAGE_SIZE, MM_USER_TOP);
	struct vma *v = at ? vma_alloc(at, at + (end - first), prot, true, VMA_SHM) : NULL;
	if (!v) {
		mm_unlock(dst);
		ret = -ENOMEM;
		goto out;
	}
	vma_insert(dst, v);
	for (u64 i = 0; i < npages; i++) {
		pte_t *pte = pt_walk(dst->root, at + i * PAGE_SIZE, &dst->pt_pages);
		if (!pte) {
			/* Undo: the installed pages are dropped by the unmap. */
			mm_unmap_pages(dst, at, at + i * PAGE_SIZE);
			vma_remove(dst, v);
			vma_free(v);
			mm_unlock(dst);
			ret = -ENOMEM;
			goto out;
		}
		*pte = pte_make(page_to_pa(pages[i]), flags[i]);
		dst->rss++;
		pages[i] = NULL; /* the reference now belongs to the PTE */
	}
	/* dst may be running elsewhere; a stale "invalid" entry there only
	 * causes a spurious fault, which the pager resolves with a fence. */
	mm_tlb_flush(dst, MM_FLUSH_ALL);
	mm_unlock(dst);
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
		if (!present_pte(mm, va, write))
			err = -EFAULT;
	mm_unlock(mm);
	return err;
}

int mm_pin_page(struct mm *mm, u64 va, bool write, struct page **out)
{
	if (va >= MM_USER_TOP)
		return -EFAULT;
	mm_lock(mm);
	struct vma *v = vma_find(mm, va);
	pte_t *pte = v && (!write || (v->prot & VM_WRITE)) ? present_pte(mm, PAGE_ROUND_DOWN(va), write)
							     : NULL;
	if (pte) {
		*out = pa_to_page(pte_pa(*pte));
		page_get(*out);
	}
	mm_unlock(mm);
	return pte ? 0 : -EFAULT;
}
