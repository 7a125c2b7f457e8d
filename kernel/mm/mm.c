/* Address spaces as wholes: creation, references and destruction, fork,
 * the default pager, and the description ps and pmap read. */
#include "include/uapi/mman.h"
#include "include/uapi/sysinfo.h"
#include "kernel/lib/string.h"
#include "kernel/mm/internal.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/page.h"
#include "kernel/mm/pagetable.h"

#define USER_L2_SLOTS 256 /* level-2 slots of the lower half */

static const struct pager_ops *default_pager = &lazy_pager;

int mm_set_default_pager(const char *name)
{
	const struct pager_ops *p = pager_find(name);
	if (!p)
		return -EINVAL;
	default_pager = p;
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

/* Frees every page, page table and VMA of mm, and mm. Nobody else holds
 * it, and no hart has it in satp (each would hold a reference). */
static void mm_destroy(struct mm *mm)
{
	mm_lock(mm);
	struct vma *v;
	while ((v = vma_first(mm))) {
		pmap_remove(mm, v->start, v->end, 0, 0); /* tables: below */
		vma_remove(mm, v);
		vma_free(v);
	}
	mm_unlock(mm);
	pt_free_tables(mm->root, 0, USER_L2_SLOTS - 1, &mm->pt_pages);
	pt_free(mm->root, &mm->pt_pages);
	kfree(mm);
}

void mm_get(struct mm *mm)
{
	__atomic_fetch_add(&mm->users, 1, __ATOMIC_ACQ_REL);
}

void mm_put(struct mm *mm)
{
	if (__atomic_sub_fetch(&mm->users, 1, __ATOMIC_ACQ_REL) == 0)
		mm_destroy(mm);
}

struct mm *mm_fork(struct mm *parent)
{
	struct mm *child = mm_create();
	if (!child)
		return NULL;
	child->pager = parent->pager;
	mm_lock(parent);
	mm_lock(child); /* nobody else can reach it yet: never contended */
	child->brk_start = parent->brk_start;
	child->brk = parent->brk;
	child->stack_floor = parent->stack_floor;
	struct vma *v;
	struct fence_batch b; /* the parent's entries made read-only: one fence */
	pmap_batch_begin(&b, parent);
	int err = 0;
	for_each_vma(parent, v)
	{
		struct vma *c = vma_dup(v);
		if (!c) {
			err = -ENOMEM;
			break;
		}
		vma_insert(child, c);
		err = pmap_copy(parent, child, v->start, v->end, v->shared, &b);
		if (err)
			break;
	}
	pmap_batch_end(&b);
	mm_unlock(child);
	mm_unlock(parent);
	if (err) {
		mm_put(child);
		return NULL;
	}
	return child;
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
			m->resident = pmap_resident(mm, v->start, v->end);
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
