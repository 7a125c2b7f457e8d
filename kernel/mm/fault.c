/* Faults and everything that makes a page present: a user's (or a uaccess
 * helper's) page fault, access_ok, filling a range ahead of time for the
 * eager pager, making a page present and the address space's own before
 * it is shared or pinned, and writing into another address space for
 * exec. Whatever the pager, a missing page is filled the same way, from
 * the VMA's backing (backing.c); the pager only decides whether that
 * happens at mmap or at the first touch. */
#include "kernel/lib/string.h"
#include "kernel/mm/internal.h"
#include "kernel/mm/page.h"
#include "kernel/mm/reclaim.h"
#include "kernel/mm/swap.h"
#include "kernel/mm/vmstat.h"

/* Does v's protection allow the access? If not, *why says what failed. */
static bool vma_permits(struct vma *v, enum fault_access access, const char **why)
{
	switch (access) {
	case FAULT_WRITE:
		*why = "write to read-only mapping";
		return v->prot & VM_WRITE;
	case FAULT_EXEC:
		*why = "execute of non-executable mapping";
		return v->prot & VM_EXEC;
	default:
		/* Writable implies readable (Sv39 has no write-only pages);
		 * executable does not. */
		*why = "read of unreadable mapping";
		return v->prot & (VM_READ | VM_WRITE);
	}
}

enum fault_result fault_fill(struct mm *mm, struct vma *vma, u64 va)
{
	mm_assert_locked(mm);
	const struct vm_backing_ops *ops = backing_of(vma);
	u64 pgoff = (vma->offset + (va - vma->start)) >> PAGE_SHIFT;
	struct page *pg;
	int err = ops->get_page(vma->file.obj, pgoff, &pg);
	if (err == -ENXIO)
		return FAULT_SIGBUS;
	if (err == -EFAULT)
		return FAULT_SEGV;
	if (err)
		return FAULT_OOM;
	/* A private mapping of an object's own page maps a copy of it. */
	if (!ops->fresh_pages && !vma->shared) {
		struct page *copy = page_alloc(0);
		if (copy)
			memcpy(page_kva(copy), page_kva(pg), PAGE_SIZE);
		page_put(pg);
		if (!copy)
			return FAULT_OOM;
		pg = copy;
	}
	if (pmap_enter(mm, va, pg, pmap_prot_bits(vma->prot)) < 0) {
		page_put(pg);
		return FAULT_OOM;
	}
	return FAULT_OK;
}

/* Brings back the page whose swap entry is pte, at va of vma. */
static enum fault_result fault_swap_in(struct mm *mm, struct vma *vma, u64 va, pte_t pte)
{
	struct page *pg;
	int err = swap_in(pte_swap_slot(pte), &pg);
	if (err == -ENOMEM)
		return FAULT_OOM;
	if (err)
		return FAULT_IOERR;
	u64 bits = pmap_prot_bits(vma->prot);
	if (vma->role == VMA_SHM)
		bits |= PTE_S;
	/* Others hold it too: other entries naming the slot (they will find
	 * it in the swap cache), or sharers that faulted it in before. A
	 * private mapping then shares it copy-on-write, as before it left,
	 * unless it was given out with map_shared_pages: then its owner's
	 * writes must reach the other side, as before it left. */
	if (!vma->shared && page_refcount(pg) > 1 && !(pg->flags & PG_SHARED))
		bits = (bits & ~PTE_W) | PTE_COW;
	pmap_swap_in(mm, va, pg, bits);
	return FAULT_OK;
}

/* At most this many family members share one page for the writer to
 * keep it (more: the writer gets the copy). */
#define COW_SHARERS_MAX 8

/* Whether moving the sharers to the copy would fence another hart: a
 * sharer runs on one, or that hart has been idle since with its mm still
 * loaded. That fence goes through the SBI to a hart QEMU may not be
 * running at the moment: on a busy 2-core host they took 25 us to 0.8 ms
 * each on average over a boot, against a few us for this hart's own fence
 * and the misses after it. The writer's copy fences its own harts alone,
 * once, however many sharers there are. */
static bool sharers_loaded_elsewhere(struct mm **sharers, int n)
{
	for (int i = 0; i < n; i++)
		if (mm_tlb_loaded_elsewhere(sharers[i]))
			return true;
	return false;
}

/* A write to a copy-on-write page: someone needs a copy. If the writer
 * took it, its PTE would name another page, and the fence that goes with
 * that is most of what the fault costs under QEMU (whose sfence.vma
 * empties its whole software TLB). So when every other reference to the
 * page is a PTE of another member of mm's fork family (at va: fork copies
 * entries to the same address), and each can be locked now, those PTEs
 * get one copy between them, fenced on their harts before the writer's
 * PTE allows the write, and the writer keeps the page it has: its entry
 * only gains permissions, which needs no fence (pmap_unshare). Anything
 * else that holds the page (a pin, the swap cache, a member busy or on
 * its way out), or a member loaded on another hart (whose fence costs far
 * more than this hart's), and the writer takes the copy as before. No pin
 * also means no futex waiter sleeps keyed on the page (futex.c pins it),
 * so nothing must be told of the move (mm_on_page_copied). */
static enum fault_result fault_break_cow(struct mm *mm, struct vma *vma, u64 va, pte_t pte)
{
	bool writable = vma->prot & VM_WRITE;
	struct page *pg = pa_to_page(pte_pa(pte));
	if (page_refcount(pg) == 1)
		return pmap_unshare(mm, va, writable);
	struct mm *sharers[COW_SHARERS_MAX];
	int n = mm_family_take(mm, va, pte_pa(pte), sharers, COW_SHARERS_MAX);
	if (n < 0)
		return pmap_unshare(mm, va, writable);
	struct page *copy = NULL;
	if (n > 0 && page_refcount(pg) == 1 + (u64)n && !sharers_loaded_elsewhere(sharers, n) &&
	    (copy = page_alloc(0))) {
		memcpy(page_kva(copy), page_kva(pg), PAGE_SIZE);
		for (int i = 1; i < n; i++)
			page_get(copy);
		for (int i = 0; i < n; i++)
			pmap_replace_page(sharers[i], va, copy);
	}
	mm_family_release(sharers, n);
	return pmap_unshare(mm, va, writable);
}

/* fault_resolve, given the PTE at va as it is now. */
static enum fault_result fault_resolve_pte(struct mm *mm, struct vma *vma, u64 va,
					   enum fault_access access, pte_t pte)
{
	mm_assert_locked(mm);
	if (pte_is_swap(pte)) {
		enum fault_result r = fault_swap_in(mm, vma, va, pte);
		if (r != FAULT_OK)
			return r;
		pte = pmap_lookup(mm, va);
	}
	if (!pte_valid(pte))
		return fault_fill(mm, vma, va);
	if (access == FAULT_WRITE && (pte & PTE_COW))
		return fault_break_cow(mm, vma, va, pte);
	/* Present and allowed: this hart cached an older entry. */
	pmap_sync(mm, va);
	return FAULT_OK;
}

enum fault_result fault_resolve(struct mm *mm, struct vma *vma, u64 va, enum fault_access access)
{
	return fault_resolve_pte(mm, vma, va, access, pmap_lookup(mm, va));
}

/* A page the fault must read from swap is read with mm->lock let go, as
 * Linux retries a fault after its I/O: meanwhile the process's other
 * pages may be reclaimed, and whoever waits for the lock (reclaim only
 * tries it, the OOM killer's victim's teardown, ps) is not held up by the
 * disk. True when it did so; the fault is then tried again, and finds the
 * page in the swap cache (or, if reclaim took it back meanwhile, reads it
 * with the lock held). The slot keeps a count of its own while the lock
 * is let go, so that it stays whatever happens to the PTE. */
static bool fault_read_unlocked(struct mm *mm, u64 va, pte_t pte)
{
	mm_assert_locked(mm);
	if (!pte_is_swap(pte) || swap_slot_cached(pte_swap_slot(pte)))
		return false;
	u64 slot = pte_swap_slot(pte);
	swap_dup(slot);
	mm_unlock(mm);
	swap_read(slot); /* a failure shows again when the fault is retried */
	swap_put(slot);
	return true;
}

/* One attempt at the fault, under mm->lock. With may_read, it may instead
 * read the page from swap with the lock let go (*read set: try again). */
static enum fault_result fault_once(struct mm *mm, u64 addr, enum fault_access access,
				    const char **why, bool may_read, bool *read)
{
	mm_lock(mm);
	*read = false;
	enum fault_result r = FAULT_SEGV;
	struct vma *v = vma_find(mm, addr);
	if (!v || v->role == VMA_GUARD) {
		*why = v ? "stack overflow into the guard page" : "unmapped address";
		int err = mmap_grow_stack(mm, addr, why);
		v = err ? NULL : vma_find(mm, addr);
		if (err == -ENOMEM)
			r = FAULT_OOM;
	}
	u64 va = PAGE_ROUND_DOWN(addr);
	bool allowed = v && vma_permits(v, access, why);
	/* One walk of the page table for both. */
	pte_t pte = allowed ? pmap_lookup(mm, va) : 0;
	if (allowed && may_read && (*read = fault_read_unlocked(mm, va, pte)))
		return FAULT_OK; /* the lock is let go already */
	if (allowed && (r = fault_resolve_pte(mm, v, va, access, pte)) == FAULT_SEGV)
		*why = "shared-in page is gone"; /* nothing else fills to SEGV */
	if (r == FAULT_SIGBUS)
		*why = "access past the end of the file";
	if (r == FAULT_IOERR)
		*why = "the swap device could not read the page back";
	mm_unlock(mm);
	return r;
}

bool mm_addr_mapped(struct mm *mm, u64 addr)
{
	if (addr >= MM_USER_TOP)
		return false;
	mm_lock(mm);
	struct vma *v = vma_find(mm, addr);
	bool mapped = v && v->role != VMA_GUARD;
	mm_unlock(mm);
	return mapped;
}

enum fault_result mm_fault(struct mm *mm, u64 addr, enum fault_access access, const char **why)
{
	if (addr >= MM_USER_TOP) {
		*why = "kernel address";
		return FAULT_SEGV;
	}
	vmstat_count(VM_PGFAULT);
	/* The faulting process reclaims for itself when memory is low,
	 * before it takes a page (and holding no lock). */
	reclaim_if_low();
	enum fault_result r;
	bool read, may_read = true;
	while ((r = fault_once(mm, addr, access, why, may_read, &read)) == FAULT_OOM || read) {
		if (read) {
			may_read = false; /* once: then under the lock, come what may */
			continue;
		}
		if (mm_current_killed() || reclaim_pages(RECLAIM_ON_OOM) == 0)
			break; /* nothing left to swap: the OOM killer's turn */
	}
	return r;
}

/* The answer of the last resort, out of line as it is rarely needed. */
static __attribute__((noinline)) bool access_ok_locked(struct mm *mm, u64 addr, u64 len, bool write)
{
	mm_lock(mm);
	bool ok = vma_covers(mm, addr, len, write);
	/* A buffer below the stack: the stack grows over it, as it would
	 * when the program touched it itself. */
	const char *why;
	if (!ok && mmap_grow_stack(mm, addr, &why) == 0)
		ok = vma_covers(mm, addr, len, write);
	mm_unlock(mm);
	return ok;
}

__always_inline bool mm_access_ok(struct mm *mm, u64 addr, u64 len, bool write)
{
	if (!mm)
		return false;
	if (vma_covers_unlocked(mm, addr, len, write))
		return true;
	return access_ok_locked(mm, addr, len, write);
}

int fault_populate(struct mm *mm, struct vma *vma, u64 start, u64 end)
{
	mm_assert_locked(mm);
	for (u64 va = start; va < end; va += PAGE_SIZE) {
		if (mm_current_killed())
			return -EINTR;
		if (pmap_lookup(mm, va))
			continue; /* present, or swapped out: not empty */
		/* Filling a large range can take all of memory: make room as
		 * a fault would (reclaim may take this mm's pages too). */
		reclaim_if_low();
		enum fault_result r;
		while ((r = fault_fill(mm, vma, va)) == FAULT_OOM)
			if (reclaim_pages(RECLAIM_ON_OOM) == 0)
				break;
		if (r == FAULT_SIGBUS)
			break; /* past the end of the file: touching it will fault */
		if (r != FAULT_OK)
			return -ENOMEM;
	}
	return 0;
}

/* fault_resolve for the kernel's own accesses to mm (held): when no page
 * is free it makes room as a fault would, and reclaim may take pages of
 * mm too, but none the caller holds a reference on (a pin). */
static enum fault_result fault_resolve_room(struct mm *mm, struct vma *v, u64 va,
					    enum fault_access access)
{
	reclaim_if_low();
	enum fault_result r;
	while ((r = fault_resolve(mm, v, va, access)) == FAULT_OOM && !mm_current_killed())
		if (reclaim_pages(RECLAIM_ON_OOM) == 0)
			break;
	return r;
}

int fault_in(struct mm *mm, struct vma *v, u64 va, pte_t *out)
{
	mm_assert_locked(mm);
	if (v->role == VMA_GUARD || !(v->prot & (VM_READ | VM_WRITE | VM_EXEC)))
		return -EFAULT;
	bool write = v->prot & VM_WRITE;
	for (;;) {
		pte_t pte = pmap_lookup(mm, va);
		if (!pte_valid(pte) || (write && (pte & PTE_COW))) {
			enum fault_result r =
			    fault_resolve_room(mm, v, va, write ? FAULT_WRITE : FAULT_READ);
			if (r != FAULT_OK)
				return r == FAULT_OOM ? -ENOMEM : -EFAULT;
			pte = pmap_lookup(mm, va);
		}
		if (!pte_valid(pte) || !(pte & PTE_U))
			return -EFAULT;
		/* Copy-on-write is broken even where the mapping is read-only,
		 * or a later mprotect and write would move mm to a copy and
		 * leave whoever shares the page behind. */
		enum fault_result r = pte & PTE_COW ? fault_break_cow(mm, v, va, pte) : FAULT_OK;
		if (r == FAULT_OK) {
			*out = pmap_lookup(mm, va);
			return 0;
		}
		/* No page for the copy: make room, then look again (reclaim
		 * may have sent this very page to swap meanwhile). */
		if (r != FAULT_OOM || mm_current_killed() || reclaim_pages(RECLAIM_ON_OOM) == 0)
			return -ENOMEM;
	}
}

int mm_copy_to(struct mm *mm, u64 va, const void *src, size_t n)
{
	mm_assert_locked(mm);
	while (n > 0) {
		u64 page = PAGE_ROUND_DOWN(va);
		struct vma *v = vma_find(mm, va);
		if (!v)
			return -EFAULT;
		pte_t pte = pmap_lookup(mm, page);
		if (!pte_valid(pte) || (pte & PTE_COW)) {
			if (fault_resolve_room(mm, v, page, FAULT_WRITE) != FAULT_OK)
				return -ENOMEM;
			pte = pmap_lookup(mm, page);
		}
		size_t chunk = MIN(n, PAGE_SIZE - (va - page));
		memcpy((char *)mm_pa_to_kva(pte_pa(pte)) + (va - page), src, chunk);
		va += chunk;
		src = (const char *)src + chunk;
		n -= chunk;
	}
	return 0;
}
