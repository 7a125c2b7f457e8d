/* mmap, munmap, mprotect and sbrk: carving the address space into VMAs.
 * Ranges may start and end anywhere on page boundaries, so VMAs are split
 * where a range cuts them and merged again where neighbours become alike.
 * The pages themselves are pmap's, and the pager decides whether a new
 * range is filled now. */
#include "include/uapi/mman.h"
#include "kernel/mm/internal.h"
#include "kernel/mm/page.h"

/* Where the kernel places mappings when the caller gives no address: far
 * above any heap, below the stack. */
#define MMAP_BASE 0x2000000000UL
#define MMAP_LOW  (16 * PAGE_SIZE)

static bool range_ok(u64 addr, u64 len)
{
	return addr + len > addr && addr + len <= MM_USER_TOP;
}

/* [start, end) is covered by no VMA any more: unmaps its pages, and frees
 * the page tables that only it used, those in the gap between its
 * neighbours, under one fence. Tables that reach into the stack's room
 * stay: the stack may grow into them. */
static void unmap_between(struct mm *mm, u64 start, u64 end, struct vma *prev, struct vma *next)
{
	u64 hi = next ? next->start : MM_USER_TOP;
	pmap_remove(mm, start, end, prev ? prev->end : 0, MIN(hi, mmap_top(mm)));
}

/* The same where the caller has not got the neighbours at hand. */
static void unmap_range(struct mm *mm, u64 start, u64 end)
{
	struct vma *next = vma_find_from(mm, start);
	unmap_between(mm, start, end, next ? vma_prev(mm, next) : vma_last(mm), next);
}

/* Undoes [start, end) of v, a mapping its pager could not fill: its pages
 * go, and the page tables only it used. So does v, unless it existed
 * before and only grew (keep): then it shrinks back to end at start. */
static void undo_fill(struct mm *mm, struct vma *v, u64 start, u64 end, bool keep)
{
	if (keep) {
		vma_adjust(mm, v, v->start, start);
	} else {
		vma_remove(mm, v);
		vma_free(v);
	}
	unmap_range(mm, start, end);
}

int __mm_munmap(struct mm *mm, u64 start, u64 end)
{
	mm_assert_locked(mm);
	/* One lookup in the tree, the first VMA that ends above start; the
	 * rest is found on the list. (Among 10 000 VMAs a lookup walks some
	 * 14 nodes, and munmap of one page used to make four.) */
	struct vma *v = vma_find_from(mm, start);
	/* Both splits first: they can fail, and then nothing is unmapped. */
	bool split_low = v && v->start < start;
	if (split_low && !(v = vma_split(mm, v, start)))
		return -ENOMEM;
	struct vma *last = NULL; /* the one holding end - 1 */
	if (v && v->start < end)
		last = v->end >= end ? v : vma_find(mm, end - 1);
	if (last && last->end > end && !vma_split(mm, last, end)) {
		if (split_low)
			vma_merge_range(mm, start, start);
		return -ENOMEM;
	}
	struct vma *prev = v ? vma_prev(mm, v) : vma_last(mm);
	while (v && v->start < end) {
		struct vma *next = vma_next(mm, v);
		vma_remove(mm, v);
		vma_free(v);
		v = next;
	}
	unmap_between(mm, start, end, prev, v);
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
		/* A hint is taken when that room is free and not the stack's
		 * to grow into; else search. */
		addr = PAGE_ROUND_DOWN(addr);
		if (!addr || !range_ok(addr, size) || addr < MMAP_LOW ||
		    addr + size > mmap_top(mm) || vma_overlaps(mm, addr, addr + size)) {
			addr = vma_find_gap(mm, size, MMAP_BASE, mmap_top(mm));
			if (!addr)
				addr = vma_find_gap(mm, size, MMAP_LOW, mmap_top(mm));
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
		ret = fault_populate(mm, v, v->start, v->end);
	else
		ret = pager_mmap(mm, v, v->start, v->end);
	if (ret < 0) {
		undo_fill(mm, v, addr, addr + size, /*keep=*/false);
		goto out;
	}
	vma_merge_neighbours(mm, v);
	ret = (long)addr;
out:
	mm_unlock(mm);
	return ret;
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
	/* PROT_NONE keeps the pages (so their data survive) but takes U
	 * away, so user access faults (pmap_prot_bits). */
	for (; v && v->start < end; v = vma_next(mm, v)) {
		u32 old = v->prot;
		vma_set_prot(mm, v, prot);
		pmap_protect(mm, v->start, v->end, prot);
		pager_mprotect(mm, v, old);
	}
	vma_merge_range(mm, addr, end);
out:
	mm_unlock(mm);
	return err;
}

u64 mmap_top(struct mm *mm)
{
	return mm->stack_floor ? mm->stack_floor - PAGE_SIZE : MM_USER_TOP;
}

int mm_map_stack(struct mm *mm, u64 top, u64 size, u64 limit)
{
	mm_assert_locked(mm);
	u64 lo = top - size;
	int err = mm_map_anon(mm, lo - PAGE_SIZE, lo, 0, VMA_GUARD);
	if (!err)
		err = mm_map_anon(mm, lo, top, VM_READ | VM_WRITE, VMA_STACK);
	if (!err)
		mm->stack_floor = top - limit;
	return err;
}

int mmap_grow_stack(struct mm *mm, u64 addr, const char **why)
{
	mm_assert_locked(mm);
	/* The stack is the first mapping above addr, but for its guard. */
	struct vma *stack = vma_find_from(mm, addr);
	if (stack && stack->role == VMA_GUARD)
		stack = vma_next(mm, stack);
	if (!mm->stack_floor || !stack || stack->role != VMA_STACK || addr >= stack->start)
		return -EFAULT;
	struct vma *guard = vma_prev(mm, stack);
	if (guard && (guard->role != VMA_GUARD || guard->end != stack->start))
		guard = NULL;
	struct vma *below = guard ? vma_prev(mm, guard) : vma_prev(mm, stack);
	u64 lo = PAGE_ROUND_DOWN(addr), old_lo = stack->start;
	if (lo < mm->stack_floor) {
		*why = "stack overflow past its size limit";
		return -EFAULT;
	}
	/* A page stays free under the stack (the guard's, if it still has
	 * one), so that it never runs into a mapping unnoticed. */
	if (below && below->end > lo - PAGE_SIZE) {
		*why = "stack overflow into another mapping";
		return -EFAULT;
	}
	if (guard)
		vma_adjust(mm, guard, lo - PAGE_SIZE, lo);
	vma_adjust(mm, stack, lo, stack->end);
	int err = pager_mmap(mm, stack, lo, old_lo);
	if (err) {
		vma_adjust(mm, stack, old_lo, stack->end);
		if (guard)
			vma_adjust(mm, guard, old_lo - PAGE_SIZE, old_lo);
		unmap_range(mm, lo, old_lo);
		return err == -EINTR ? -EINTR : -ENOMEM;
	}
	return 0;
}

int mm_map_anon(struct mm *mm, u64 start, u64 end, u32 prot, enum vma_role role)
{
	mm_assert_locked(mm);
	struct vma *v = vma_alloc(start, end, prot, false, role);
	if (!v)
		return -ENOMEM;
	vma_insert(mm, v);
	int err = pager_mmap(mm, v, start, end);
	if (err)
		undo_fill(mm, v, start, end, /*keep=*/false);
	return err;
}

/* The pager whose way of filling a new mapping sbrk's fill asks for. */
static const struct pager_ops *heap_filler(struct mm *mm, u32 fill)
{
	switch (fill) {
	case MNEMO_SBRK_EAGER:
		return &eager_pager;
	case MNEMO_SBRK_LAZY:
		return &lazy_pager;
	default:
		return mm->pager;
	}
}

/* The heap is [brk_start, PAGE_ROUND_UP(brk)), but mprotect and munmap may
 * have cut it into pieces or holes, so sbrk works on its top only: growing
 * extends the VMA that ends at the old top (or adds one), shrinking unmaps
 * whatever lies in the range given back. [old_end, new_end) is filled as
 * filler fills a new mapping; pages it leaves empty are filled on first
 * touch, as every missing page is. */
static int heap_grow(struct mm *mm, u64 old_end, u64 new_end, const struct pager_ops *filler)
{
	struct vma *top = old_end > mm->brk_start ? vma_find(mm, old_end - 1) : NULL;
	bool extend = top && top->role == VMA_HEAP && top->end == old_end && !top->shared &&
		      top->prot == (VM_READ | VM_WRITE);
	if (extend) {
		vma_adjust(mm, top, top->start, new_end);
	} else {
		top = vma_alloc(old_end, new_end, VM_READ | VM_WRITE, false, VMA_HEAP);
		if (!top)
			return -ENOMEM;
		vma_insert(mm, top);
	}
	int err = pager_mmap_as(mm, filler, top, old_end, new_end);
	if (err < 0)
		undo_fill(mm, top, old_end, new_end, /*keep=*/extend);
	return err;
}

long mm_sbrk(struct mm *mm, long incr, u32 fill)
{
	mm_lock(mm);
	u64 old = mm->brk, new = old + (u64)incr;
	long ret = (long)old;
	if ((incr > 0 && new < old) || (incr < 0 && (new > old || new < mm->brk_start))) {
		ret = -ENOMEM;
		goto out;
	}
	u64 old_end = PAGE_ROUND_UP(old), new_end = PAGE_ROUND_UP(new);
	if (new_end > old_end) {
		/* Refuse another mapping's place, the stack's room, and what
		 * could never be backed: more than all of RAM and swap. */
		if (new_end > mmap_top(mm) || vma_overlaps(mm, old_end, new_end) ||
		    (fill != MNEMO_SBRK_LAZY &&
		     (new_end - mm->brk_start) / PAGE_SIZE > mm_backable_pages())) {
			ret = -ENOMEM;
			goto out;
		}
		int err = heap_grow(mm, old_end, new_end, heap_filler(mm, fill));
		if (err) {
			ret = err;
			goto out;
		}
	} else if (new_end < old_end) {
		int err = __mm_munmap(mm, new_end, old_end);
		if (err) {
			ret = err;
			goto out;
		}
	}
	mm->brk = new;
out:
	mm_unlock(mm);
	return ret;
}
