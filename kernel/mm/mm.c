/* Address spaces: creation, fork, destruction, the heap, and the fault
 * entry point. Policy (when pages are filled) belongs to the pager. */
#include "kernel/mm/mm.h"
#include "include/uapi/errno.h"
#include "include/uapi/mman.h"
#include "include/uapi/sysinfo.h"
#include "kernel/lib/printf.h"
#include "kernel/lib/string.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/page.h"
#include "kernel/mm/pager.h"
#include "kernel/mm/pagetable.h"
#include "kernel/mm/tlb.h"
#include "kernel/mm/vma.h"

#define USER_L2_SLOTS 256 /* level-2 slots of the lower half */

static const struct pager_ops *default_pager = &lazy_pager;

int mm_set_default_pager(const char *name)
{
	if (strcmp(name, "lazy") == 0)
		default_pager = &lazy_pager;
	else if (strcmp(name, "eager") == 0)
		default_pager = &eager_pager;
	else
		return -EINVAL;
	return 0;
}

const char *mm_pager_name(struct mm *mm)
{
	return mm->pager->name;
}

void mm_lock(struct mm *mm)
{
	sleeplock_acquire(&mm->lock);
}
void mm_unlock(struct mm *mm)
{
	sleeplock_release(&mm->lock);
}

struct mm *mm_create(void)
{
	struct mm *mm = kzalloc(sizeof(*mm));
	if (!mm)
		return NULL;
	mm->root = pt_alloc(&mm->pt_pages);
	if (!mm->root) {
		kfree(mm);
		return NULL;
	}
	/* Share the kernel half: same level-1 tables in every root. */
	for (int i = USER_L2_SLOTS; i < PT_ENTRIES; i++)
		mm->root[i] = kernel_root[i];
	sleeplock_init(&mm->lock, "mm");
	list_init(&mm->vmas);
	mm->vma_tree.node = NULL;
	mm->pager = default_pager;
	mm->users = 1;
	return mm;
}

void mm_destroy(struct mm *mm)
{
	if (__atomic_load_n(&mm->active, __ATOMIC_ACQUIRE) != 0)
		panic("mm_destroy: still loaded on %d harts", mm->active);
	struct vma *v;
	while ((v = vma_first(mm))) {
		mm_unmap_pages(mm, v->start, v->end);
		vma_remove(mm, v);
		vma_free(v);
	}
	pt_free_tables(mm->root, 0, USER_L2_SLOTS - 1, &mm->pt_pages);
	pt_free(mm->root, &mm->pt_pages);
	kfree(mm);
}

u64 vm_prot_to_pte(u32 prot)
{
	u64 bits = PTE_U;
	if (prot & (VM_READ | VM_WRITE))
		bits |= PTE_R; /* W without R is reserved in Sv39 */
	if (prot & VM_WRITE)
		bits |= PTE_W;
	if (prot & VM_EXEC)
		bits |= PTE_X;
	return bits;
}

int mm_install_page(struct mm *mm, struct vma *vma, u64 va, struct page *pg, u64 extra)
{
	pte_t *pte = pt_walk(mm->root, va, &mm->pt_pages);
	if (!pte)
		return -ENOMEM;
	if (pte_valid(*pte))
		panic("mm_install_page: %p already mapped", (void *)va);
	/* PROT_NONE keeps the page but not the U bit: user access faults. */
	u64 bits = vma->prot ? vm_prot_to_pte(vma->prot) : PTE_R;
	*pte = pte_make(page_to_pa(pg), bits | PTE_V | PTE_A | PTE_D | extra);
	mm->rss++;
	/* No fence: the entry went from invalid to valid. A hart that cached
	 * the invalid entry takes one spurious fault, and the pager's fault
	 * handler fences when it finds the PTE already valid. A fence here
	 * would cost more than the fault itself under QEMU. */
	return 0;
}

/* The child's PTE for a private page of the parent. Normally the page
 * becomes copy-on-write in both. A page the parent has shared with another
 * process (map_shared_pages) must stay the parent's, writable, so the child
 * gets its own copy now instead. 0 or -ENOMEM. */
static int fork_private_pte(pte_t *src, pte_t *dst, u64 va, struct tlb_gather *tlb)
{
	struct page *pg = pa_to_page(pte_pa(*src));
	if ((pg->flags & PG_SHARED) && page_refcount(pg) > 1) {
		struct page *copy = page_alloc(0);
		if (!copy)
			return -ENOMEM;
		memcpy(page_kva(copy), page_kva(pg), PAGE_SIZE);
		*dst = pte_make(page_to_pa(copy), *src & PTE_FLAGS_MASK);
		return 0;
	}
	/* Every private page, writable now or not: a later mprotect may
	 * make it writable, and it must stay private then. */
	if (*src & PTE_W)
		tlb_gather_va(tlb, va);
	*src = (*src & ~PTE_W) | PTE_COW;
	*dst = *src;
	page_get(pg);
	return 0;
}

/* Copies the PTEs of vma from parent to child: private pages become
 * copy-on-write in both; shared ones are shared. Works a level-0 table
 * (2 MiB) at a time, so a big address space costs one walk per table,
 * not per page. */
static int fork_copy_ptes(struct mm *parent, struct mm *child, struct vma *v,
			  struct tlb_gather *tlb)
{
	for (u64 va = v->start; va < v->end;) {
		u64 table_end = MIN(v->end, ALIGN_DOWN(va, PT_LEVEL_SIZE(1)) + PT_LEVEL_SIZE(1));
		if (mm_current_killed())
			return -EINTR;
		pagetable_t src_table = pt_leaf_table(parent->root, va);
		pagetable_t dst_table = NULL;
		for (; src_table && va < table_end; va += PAGE_SIZE) {
			pte_t *src = &src_table[PT_INDEX(va, 0)];
			if (!pte_valid(*src))
				continue;
			if (!dst_table) {
				pte_t *first = pt_walk(child->root, va, &child->pt_pages);
				if (!first)
					return -ENOMEM;
				dst_table = first - PT_INDEX(va, 0);
			}
			pte_t *dst = &dst_table[PT_INDEX(va, 0)];
			if (v->shared) {
				*dst = *src;
				page_get(pa_to_page(pte_pa(*src)));
			} else if (fork_private_pte(src, dst, va, tlb) < 0) {
				return -ENOMEM;
			}
			child->rss++;
		}
		va = table_end;
	}
	return 0;
}

struct mm *mm_fork(struct mm *parent)
{
	struct mm *child = mm_create();
	if (!child)
		return NULL;
	child->pager = parent->pager;
	mm_lock(parent);
	child->brk_start = parent->brk_start;
	child->brk = parent->brk;
	struct vma *v;
	struct tlb_gather tlb; /* the parent's PTEs made read-only */
	tlb_gather_init(&tlb, parent);
	int err = 0;
	for_each_vma(parent, v)
	{
		struct vma *c = vma_dup(v);
		if (!c) {
			err = -ENOMEM;
			break;
		}
		vma_insert(child, c);
		err = fork_copy_ptes(parent, child, v, &tlb);
		if (err)
			break;
	}
	tlb_gather_finish(&tlb);
	mm_unlock(parent);
	if (err) {
		mm_destroy(child);
		return NULL;
	}
	return child;
}

int mm_map_anon(struct mm *mm, u64 start, u64 end, u32 prot, bool shared, enum vma_role role)
{
	mm_assert_locked(mm);
	struct vma *v = vma_alloc(start, end, prot, shared, role);
	if (!v)
		return -ENOMEM;
	vma_insert(mm, v);
	int err = pager_mmap(mm, v, start, end);
	if (err) {
		pager_munmap(mm, v, start, end);
		vma_remove(mm, v);
		vma_free(v);
	}
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
 * touch by mm's own pager, as every pager fills a missing page. */
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
	if (err < 0) {
		pager_munmap(mm, top, old_end, new_end);
		if (extend) {
			vma_adjust(mm, top, top->start, old_end);
		} else {
			vma_remove(mm, top);
			vma_free(top);
		}
	}
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
		/* Refuse what could never be backed: more than all of RAM. */
		if (new_end > MM_USER_TOP || vma_overlaps(mm, old_end, new_end) ||
		    (fill != MNEMO_SBRK_LAZY &&
		     (new_end - mm->brk_start) / PAGE_SIZE > page_total_count())) {
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

enum fault_result mm_fault(struct mm *mm, u64 addr, enum fault_access access, const char **why)
{
	if (addr >= MM_USER_TOP) {
		*why = "kernel address";
		return FAULT_SEGV;
	}
	mm_lock(mm);
	enum fault_result r = FAULT_SEGV;
	struct vma *v = vma_find(mm, addr);
	if (!v)
		*why = "unmapped address";
	else if (v->role == VMA_GUARD)
		*why = "stack overflow into the guard page";
	else if (vma_permits(v, access, why))
		r = pager_fault(mm, v, PAGE_ROUND_DOWN(addr), access);
	if (r == FAULT_SIGBUS)
		*why = "access past the end of the file";
	mm_unlock(mm);
	return r;
}

bool mm_access_ok(struct mm *mm, u64 addr, u64 len, bool write)
{
	if (!mm)
		return false;
	mm_lock(mm);
	bool ok = pager_access_ok(mm, addr, len, write);
	mm_unlock(mm);
	return ok;
}

static const char *role_name(enum vma_role role)
{
	static const char *names[] = {
	    [VMA_TEXT] = "[text]",   [VMA_DATA] = "[data]",   [VMA_HEAP] = "[heap]",
	    [VMA_STACK] = "[stack]", [VMA_GUARD] = "[guard]", [VMA_MMAP] = "[anon]",
	    [VMA_SHM] = "[shared]",
	};
	return names[role];
}

static u64 count_resident(struct mm *mm, struct vma *v)
{
	u64 n = 0;
	for (u64 va = v->start; va < v->end; va += PAGE_SIZE) {
		pte_t *pte = pt_walk(mm->root, va, NULL);
		if (!pte)
			va = ALIGN_DOWN(va, PT_LEVEL_SIZE(1)) + PT_LEVEL_SIZE(1) - PAGE_SIZE;
		else if (pte_valid(*pte))
			n++;
	}
	return n;
}

int mm_describe(struct mm *mm, struct mnemo_vmmap *out, int max)
{
	mm_lock(mm);
	int n = 0;
	struct vma *v;
	for_each_vma(mm, v)
	{
		if (n < max) {
			struct mnemo_vmmap *m = &out[n];
			memset(m, 0, sizeof(*m));
			m->start = v->start;
			m->end = v->end;
			m->prot = v->prot;
			m->flags = v->shared ? MNEMO_MAP_SHARED : MNEMO_MAP_PRIVATE;
			m->offset = v->offset;
			m->resident = count_resident(mm, v);
			if (v->file.ops)
				v->file.ops->name(v->file.obj, m->backing, sizeof(m->backing));
			else
				strlcpy(m->backing, role_name(v->role), sizeof(m->backing));
		}
		n++;
	}
	mm_unlock(mm);
	return n;
}
