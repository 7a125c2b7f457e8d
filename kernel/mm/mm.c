/* Address spaces as wholes: creation, references and destruction, fork,
 * the default pager, and the description ps and pmap read. */
#include "include/uapi/mman.h"
#include "include/uapi/sysinfo.h"
#include "kernel/lib/string.h"
#include "kernel/mm/internal.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/page.h"
#include "kernel/mm/pagetable.h"
#include "kernel/mm/swap.h"

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

/* ---------------------------------------------------------------- families
 *
 * A fork family: the address spaces that fork made, directly or not,
 * from one exec's (exec starts a new family). A private anonymous page
 * is only ever mapped at one address, by members of the family of the
 * address space that filled it: fork copies a PTE to the same address,
 * and nothing else maps such a page anywhere else (a page shared out by
 * map_shared_pages is PG_SHARED, and reclaim takes it one PTE at a time,
 * reclaim.c). So the
 * family is the reverse map: to find every PTE that maps such a page,
 * look at its address in every member. It costs one small object per
 * family and two list links per mm, nothing per page; the price is
 * that eviction looks at members that may not map the page (Linux's
 * anon_vma refines the same idea to the VMA). */
struct mm_family {
	struct spinlock lock;
	struct list mms; /* (f) its members, by family_link */
	int members;	 /* (f) */
};

/* Every address space, for reclaim's clock; the hand is the member the
 * clock looks at next. */
static struct spinlock mm_list_lock = SPINLOCK_INIT("mm list");
static struct list mm_list = LIST_INIT(mm_list);
static struct mm *clock_hand; /* (g) NULL: the head of the list */
static int mm_listed;	      /* (g) how many are on the list */

int mm_count(void)
{
	return __atomic_load_n(&mm_listed, __ATOMIC_RELAXED);
}

static struct mm_family *family_new(void)
{
	struct mm_family *f = kzalloc(sizeof(*f));
	if (f) {
		/* A task lock: every copy-on-write fault that others share
		 * the page of takes it (mm_family_take). No interrupt handler
		 * takes it, and nobody under a lock a handler takes: the
		 * scheduler tears no mm down under p->lock (sched.c). */
		spin_init_task(&f->lock, "mm family");
		list_init(&f->mms);
	}
	return f;
}

static void family_join(struct mm *mm, struct mm_family *f)
{
	mm->family = f;
	spin_lock(&f->lock);
	list_push_back(&f->mms, &mm->family_link);
	f->members++;
	spin_unlock(&f->lock);
}

static void family_leave(struct mm *mm)
{
	struct mm_family *f = mm->family;
	spin_lock(&f->lock);
	list_del(&mm->family_link);
	bool last = --f->members == 0;
	spin_unlock(&f->lock);
	if (last)
		kfree(f);
}

bool mm_tryget(struct mm *mm)
{
	int n = __atomic_load_n(&mm->users, __ATOMIC_RELAXED);
	while (n > 0)
		if (__atomic_compare_exchange_n(&mm->users, &n, n + 1, false, __ATOMIC_ACQ_REL,
						__ATOMIC_RELAXED))
			return true;
	return false; /* on its way to mm_destroy */
}

int mm_family_take(struct mm *mm, u64 va, u64 pa, struct mm **out, int max)
{
	mm_assert_locked(mm);
	struct mm_family *f = mm->family;
	int n = 0;
	bool ok = true;
	spin_lock(&f->lock);
	struct list *e;
	list_for_each(e, &f->mms)
	{
		struct mm *m = list_entry(e, struct mm, family_link);
		if (m == mm)
			continue;
		if (n == max || !mm_tryget(m)) {
			ok = false;
			break;
		}
		out[n++] = m;
	}
	spin_unlock(&f->lock);
	/* Never wait for a lock here: the caller holds mm's, and a member
	 * may be waiting for it (fork). */
	int locked = 0;
	for (int i = 0; i < n && ok; i++) {
		if (!sleeplock_try(&out[i]->lock)) {
			ok = false;
			break;
		}
		locked = i + 1;
	}
	int kept = 0;
	for (int i = 0; i < n; i++) {
		struct mm *m = out[i];
		/* Only members that map this very page there matter. */
		pte_t pte = ok ? pmap_lookup(m, va) : 0;
		if (pte_valid(pte) && pte_pa(pte) == pa) {
			out[kept++] = m;
			continue;
		}
		if (i < locked)
			sleeplock_release(&m->lock);
		mm_put(m);
	}
	return ok ? kept : -1;
}

void mm_family_release(struct mm **ms, int n)
{
	for (int i = 0; i < n; i++) {
		sleeplock_release(&ms[i]->lock);
		mm_put(ms[i]);
	}
}

struct mm *mm_clock_next(void)
{
	struct mm *mm = NULL;
	spin_lock(&mm_list_lock);
	struct list *at = clock_hand ? &clock_hand->all_link : &mm_list;
	for (struct list *e = at->next; e != at; e = e->next) {
		if (e == &mm_list)
			continue;
		struct mm *m = list_entry(e, struct mm, all_link);
		if (mm_tryget(m)) {
			mm = m;
			break;
		}
	}
	if (!mm && clock_hand && mm_tryget(clock_hand))
		mm = clock_hand; /* the only one */
	clock_hand = mm;
	spin_unlock(&mm_list_lock);
	return mm;
}

static struct mm *mm_alloc(struct mm_family *family)
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
	family_join(mm, family);
	spin_lock(&mm_list_lock);
	list_push_back(&mm_list, &mm->all_link);
	mm_listed++;
	spin_unlock(&mm_list_lock);
	return mm;
}

struct mm *mm_create(void)
{
	struct mm_family *f = family_new();
	if (!f)
		return NULL;
	struct mm *mm = mm_alloc(f);
	if (!mm)
		kfree(f);
	return mm;
}

/* Frees every page, swap slot, page table and VMA of mm, and mm. Nobody
 * else holds it, and no hart has it in satp (each would hold a
 * reference); reclaim cannot find it once it has left the lists. */
static void mm_destroy(struct mm *mm)
{
	spin_lock(&mm_list_lock);
	if (clock_hand == mm)
		clock_hand = NULL; /* the clock starts over */
	list_del(&mm->all_link);
	mm_listed--;
	spin_unlock(&mm_list_lock);
	family_leave(mm);
	mm_lock(mm);
	struct vma *v;
	while ((v = vma_first(mm))) {
		pmap_destroy_range(mm, v->start, v->end); /* tables: below */
		vma_remove(mm, v);
		vma_free(v);
	}
	mm_unlock(mm);
	pt_free_tables(mm->root, 0, USER_L2_SLOTS - 1, &mm->pt_pages);
	pt_free(mm->root, &mm->pt_pages);
	kfree(mm);
}

/* The mms now on the list, each with a reference, in a kmalloc'd array;
 * *n their number. NULL when out of memory. */
static struct mm **mm_list_snapshot(int *n)
{
	for (;;) {
		int count = 0;
		struct list *e;
		spin_lock(&mm_list_lock);
		list_for_each(e, &mm_list) count++;
		spin_unlock(&mm_list_lock);
		struct mm **ms = kmalloc((count + 1) * sizeof(*ms));
		if (!ms)
			return NULL;
		int got = 0;
		bool fits = true;
		spin_lock(&mm_list_lock);
		list_for_each(e, &mm_list)
		{
			if (got == count + 1) {
				fits = false;
				break;
			}
			struct mm *m = list_entry(e, struct mm, all_link);
			if (mm_tryget(m))
				ms[got++] = m;
		}
		spin_unlock(&mm_list_lock);
		if (fits) {
			*n = got;
			return ms;
		}
		for (int i = 0; i < got; i++)
			mm_put(ms[i]);
		kfree(ms); /* the list grew meanwhile: count again */
	}
}

void mm_unmap_object(const void *obj, u64 pgoff)
{
	int n;
	struct mm **ms = mm_list_snapshot(&n);
	if (!ms) {
		printk("mm: no memory to unmap a truncated object's pages\n");
		return;
	}
	/* Every mm is looked at: truncating a mapped file is rare, and the
	 * VMAs themselves say whether they map obj. */
	for (int i = 0; i < n; i++) {
		struct mm *mm = ms[i];
		mm_lock(mm);
		struct vma *v;
		for_each_vma(mm, v)
		{
			if (v->file.obj != obj)
				continue;
			u64 first = v->offset / PAGE_SIZE;
			u64 from =
			    pgoff <= first ? v->start : v->start + (pgoff - first) * PAGE_SIZE;
			if (from < v->end)
				pmap_remove(mm, from, v->end, 0, 0);
		}
		mm_unlock(mm);
		mm_put(mm);
	}
	kfree(ms);
}

u64 mm_backable_pages(void)
{
	u64 swap_total, swap_used;
	swap_usage(&swap_total, &swap_used);
	return page_total_count() + swap_total;
}

void mm_get(struct mm *mm)
{
	__atomic_fetch_add(&mm->users, 1, __ATOMIC_ACQ_REL);
}

bool mm_put_unless_last(struct mm *mm)
{
	int n = __atomic_load_n(&mm->users, __ATOMIC_RELAXED);
	while (n > 1)
		if (__atomic_compare_exchange_n(&mm->users, &n, n - 1, false, __ATOMIC_ACQ_REL,
						__ATOMIC_RELAXED))
			return true;
	return false;
}

void mm_put(struct mm *mm)
{
	if (__atomic_sub_fetch(&mm->users, 1, __ATOMIC_ACQ_REL) == 0)
		mm_destroy(mm);
}

struct mm *mm_fork(struct mm *parent)
{
	struct mm *child = mm_alloc(parent->family);
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
		err = pmap_copy(parent, child, v->start, v->end, v->shared, v->prot, &b);
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
			pmap_count(mm, v->start, v->end, &m->resident, &m->swapped);
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
