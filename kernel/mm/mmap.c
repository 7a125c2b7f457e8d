/* mmap, munmap and mprotect: carving the address space into VMAs. Ranges
 * may start and end anywhere on page boundaries, so VMAs are split where a
 * range cuts them and merged again where neighbours become alike. */
#include "include/uapi/errno.h"
#include "include/uapi/mman.h"
#include "kernel/lib/printf.h"
#include "kernel/mm/mm.h"
#include "kernel/mm/pager.h"
#include "kernel/mm/pagetable.h"
#include "kernel/mm/vma.h"

/* Where the kernel places mappings when the caller gives no address: far
 * above any heap, below the stack. */
#define MMAP_BASE 0x2000000000UL
#define MMAP_LOW  (16 * PAGE_SIZE)

static bool range_ok(u64 addr, u64 len)
{
	return addr + len > addr && addr + len <= MM_USER_TOP;
}

struct vma *vma_split(struct mm *mm, struct vma *v, u64 addr)
{
	struct vma *hi = vma_dup(v);
	if (!hi)
		return NULL;
	hi->start = addr;
	if (v->file.ops)
		hi->offset = v->offset + (addr - v->start);
	vma_adjust(mm, v, v->start, addr);
	vma_insert(mm, hi);
	return hi;
}

static bool vma_mergeable(const struct vma *a, const struct vma *b)
{
	if (a->end != b->start || a->prot != b->prot || a->max_prot != b->max_prot ||
	    a->shared != b->shared || a->role != b->role || a->file.ops != b->file.ops ||
	    a->file.obj != b->file.obj)
		return false;
	return !a->file.ops || a->offset + (a->end - a->start) == b->offset;
}

/* Joins alike neighbours among the VMAs touching [start, end], so that
 * mprotect and mmap leave no needless splits behind. */
void vma_merge_range(struct mm *mm, u64 start, u64 end)
{
	struct vma *v = vma_find_from(mm, start > 0 ? start - 1 : 0);
	while (v && v->start <= end) {
		struct vma *next = vma_next(mm, v);
		if (next && vma_mergeable(v, next)) {
			u64 new_end = next->end;
			vma_remove(mm, next);
			vma_free(next);
			vma_adjust(mm, v, v->start, new_end);
			continue;
		}
		v = next;
	}
}

int __mm_munmap(struct mm *mm, u64 start, u64 end)
{
	struct vma *v = vma_find_from(mm, start);
	while (v && v->start < end) {
		if (v->start < start) {
			/* Split first so a failure leaves everything mapped. */
			if (!vma_split(mm, v, start))
				return -ENOMEM;
			v = vma_next(mm, v);
			continue;
		}
		if (v->end > end && !vma_split(mm, v, end))
			return -ENOMEM;
		struct vma *next = vma_next(mm, v);
		pager_munmap(mm, v, v->start, v->end);
		vma_remove(mm, v);
		vma_free(v);
		v = next;
	}
	return 0;
}

int mm_munmap(struct mm *mm, u64 addr, u64 len)
{
	if ((addr & (PAGE_SIZE - 1)) || len == 0 || !range_ok(addr, PAGE_ROUND_UP(len)))
		return -EINVAL;
	mm_lock(mm);
	int err = __mm_munmap(mm, addr, addr + PAGE_ROUND_UP(len));
	mm_unlock(mm);
	return err;
}

long mm_mmap(struct mm *mm, u64 addr, u64 len, u32 prot, u32 flags,
	     const struct vm_backing *backing, u64 offset)
{
	u32 type = flags & (MNEMO_MAP_SHARED | MNEMO_MAP_PRIVATE);
	bool fixed = flags & MNEMO_MAP_FIXED, noreplace = flags & MNEMO_MAP_FIXED_NOREPLACE;
	if (len == 0 || (type != MNEMO_MAP_SHARED && type != MNEMO_MAP_PRIVATE) ||
	    (offset & (PAGE_SIZE - 1)) || (prot & ~(u32)(VM_READ | VM_WRITE | VM_EXEC)))
		return -EINVAL;
	u64 size = PAGE_ROUND_UP(len);
	if (size < len || offset + size < offset)
		return -EINVAL;
	if ((fixed || noreplace) &&
	    ((addr & (PAGE_SIZE - 1)) || !range_ok(addr, size) || addr == 0))
		return -EINVAL;
	bool shared = type == MNEMO_MAP_SHARED;
	if (backing && shared && (prot & VM_WRITE) && !backing->writable)
		return -EACCES;

	mm_lock(mm);
	long ret;
	if (noreplace) {
		/* Even together with MAP_FIXED, as Linux does. */
		if (vma_overlaps(mm, addr, addr + size)) {
			ret = -EEXIST;
			goto out;
		}
	} else if (fixed) {
		ret = __mm_munmap(mm, addr, addr + size);
		if (ret)
			goto out;
	} else {
		/* A hint is taken when that room is free; else search. */
		addr = PAGE_ROUND_DOWN(addr);
		if (!addr || !range_ok(addr, size) || addr < MMAP_LOW ||
		    vma_overlaps(mm, addr, addr + size)) {
			addr = vma_find_gap(mm, size, MMAP_BASE, MM_USER_TOP);
			if (!addr)
				addr = vma_find_gap(mm, size, MMAP_LOW, MM_USER_TOP);
		}
		if (!addr) {
			ret = -ENOMEM;
			goto out;
		}
	}
	struct vma *v = vma_alloc(addr, addr + size, prot, shared, VMA_MMAP);
	if (!v) {
		ret = -ENOMEM;
		goto out;
	}
	vma_set_backing(v, backing, offset);
	vma_insert(mm, v);
	/* Shared anonymous memory has no object to find its pages in later:
	 * a page filled after a fork would be seen by one side only. So it
	 * is filled now, whatever the pager and the protection, and fork
	 * shares the PTEs. */
	if (shared && !backing)
		ret = pager_populate(mm, v, v->start, v->end);
	else
		ret = pager_mmap(mm, v, v->start, v->end);
	if (ret < 0) {
		pager_munmap(mm, v, v->start, v->end);
		vma_remove(mm, v);
		vma_free(v);
		goto out;
	}
	vma_merge_range(mm, addr, addr + size);
	ret = (long)addr;
out:
	mm_unlock(mm);
	return ret;
}

/* Rewrites the permission bits of the present PTEs in [start, end). A
 * copy-on-write page stays read-only; PROT_NONE keeps the page (so its
 * data survive) but takes U away, so user access faults. */
static void reprotect_ptes(struct mm *mm, u64 start, u64 end, u32 prot)
{
	u64 bits = prot ? vm_prot_to_pte(prot) : PTE_R;
	for (u64 va = start; va < end; va += PAGE_SIZE) {
		pte_t *pte = pt_walk(mm->root, va, NULL);
		if (!pte) {
			va = ALIGN_DOWN(va, PT_LEVEL_SIZE(1)) + PT_LEVEL_SIZE(1) - PAGE_SIZE;
			continue;
		}
		if (!pte_valid(*pte))
			continue;
		u64 b = bits;
		if (*pte & PTE_COW)
			b &= ~PTE_W;
		*pte = (*pte & ~(PTE_U | PTE_R | PTE_W | PTE_X)) | b;
	}
}

int mm_mprotect(struct mm *mm, u64 addr, u64 len, u32 prot)
{
	if ((addr & (PAGE_SIZE - 1)) || len == 0 || !range_ok(addr, PAGE_ROUND_UP(len)) ||
	    (prot & ~(u32)(VM_READ | VM_WRITE | VM_EXEC)))
		return -EINVAL;
	u64 end = addr + PAGE_ROUND_UP(len);
	mm_lock(mm);
	int err = 0;
	/* Every page must be mapped, and a read-only file stays read-only. */
	for (u64 a = addr; a < end;) {
		struct vma *v = vma_find(mm, a);
		if (!v || v->role == VMA_GUARD) {
			err = -ENOMEM;
			goto out;
		}
		if ((v->file.ops && v->shared && (prot & VM_WRITE) && !v->file.writable) ||
		    (prot & ~v->max_prot)) {
			err = -EACCES;
			goto out;
		}
		a = v->end;
	}
	/* Both splits first: they can fail, changing protections cannot. */
	struct vma *v = vma_find(mm, addr);
	if (v->start < addr && !(v = vma_split(mm, v, addr))) {
		err = -ENOMEM;
		goto out;
	}
	struct vma *last = vma_find(mm, end - 1);
	if (last->end > end && !vma_split(mm, last, end)) {
		vma_merge_range(mm, addr, addr); /* undo the first split */
		err = -ENOMEM;
		goto out;
	}
	for (; v && v->start < end; v = vma_next(mm, v)) {
		u32 old = v->prot;
		v->prot = prot;
		reprotect_ptes(mm, v->start, v->end, prot);
		pager_mprotect(mm, v, old);
	}
	vma_merge_range(mm, addr, end);
	mm_tlb_flush(mm, MM_FLUSH_ALL);
out:
	mm_unlock(mm);
	return err;
}
