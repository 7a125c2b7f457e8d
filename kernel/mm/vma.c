/* VMA bookkeeping. Each VMA records the gap below it (to the previous
 * VMA's end); the tree keeps, per node, a bound on the gaps in its
 * subtree, so a search for room can skip every subtree whose bound is too
 * small. */
#include "kernel/mm/vma.h"
#include "kernel/lib/panic.h"
#include "kernel/lib/printf.h"
#include "kernel/mm/kmalloc.h"

#define vma_of(n) rb_entry(n, struct vma, rb)

struct vma *vma_alloc(u64 start, u64 end, u32 prot, bool shared, enum vma_role role)
{
	struct vma *v = kzalloc(sizeof(*v));
	if (!v)
		return NULL;
	v->start = start;
	v->end = end;
	v->prot = prot;
	v->max_prot = VM_READ | VM_WRITE | VM_EXEC;
	v->shared = shared;
	v->role = role;
	list_init(&v->link);
	list_init(&v->obj_link);
	rb_clear_node(&v->rb);
	return v;
}

void vm_mappings_init(struct vm_mappings *maps)
{
	spin_init(&maps->lock, "vm mappings");
	list_init(&maps->vmas);
}

bool vm_mapped(struct vm_mappings *maps)
{
	spin_lock(&maps->lock);
	bool mapped = !list_empty(&maps->vmas);
	spin_unlock(&maps->lock);
	return mapped;
}

/* The object's reverse map, when it keeps one. */
static struct vm_mappings *vma_mappings(const struct vma *vma)
{
	const struct vm_backing_ops *ops = vma->file.ops;
	return ops && ops->mappings ? ops->mappings(vma->file.obj) : NULL;
}

void vma_set_backing(struct vma *vma, const struct vm_backing *b, u64 offset)
{
	if (b && b->ops) {
		vma->file = *b;
		b->ops->get(b->obj);
	}
	vma->offset = offset;
}

struct vma *vma_dup(const struct vma *v)
{
	struct vma *c = vma_alloc(v->start, v->end, v->prot, v->shared, v->role);
	if (c) {
		c->max_prot = v->max_prot;
		vma_set_backing(c, &v->file, v->offset);
	}
	return c;
}

void vma_free(struct vma *vma)
{
	if (vma->file.ops)
		vma->file.ops->put(vma->file.obj);
	kfree(vma);
}

struct vma *vma_split(struct mm *mm, struct vma *v, u64 addr)
{
	mm_assert_locked(mm);
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

/* Joins alike neighbours from v on, up to the VMA that starts past end. */
static void merge_from(struct mm *mm, struct vma *v, u64 end)
{
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

void vma_merge_range(struct mm *mm, u64 start, u64 end)
{
	mm_assert_locked(mm);
	merge_from(mm, vma_find_from(mm, start > 0 ? start - 1 : 0), end);
}

void vma_merge_neighbours(struct mm *mm, struct vma *v)
{
	mm_assert_locked(mm);
	/* No lookup: v's neighbours are on the list. */
	u64 start = v->start;
	struct vma *prev = vma_prev(mm, v);
	merge_from(mm, prev && prev->end == start ? prev : v, start);
}

/* Every read() and write() asks whether its buffer is mapped, and under
 * QEMU the sleeping lock and the calls around the search cost about as
 * much as the rest of the call: the one range last found is kept for
 * asking without the lock. The answer is as good as the locked one: no
 * VMA changed since that one was given, and either may be out of date
 * the moment it is given (the copy checks again, in hardware).
 *
 * The range and its read and write bits are one word, so that a reader
 * can never see half of one range and half of another (two words would
 * need a seqlock): its first and end page numbers, below 2^27 in Sv39's
 * user half, and the bits above them. 0 is nothing. */
#define COVERED_PN_BITS 27
#define COVERED_PN_MASK ((1UL << COVERED_PN_BITS) - 1)
_Static_assert((MM_USER_TOP >> PAGE_SHIFT) <= COVERED_PN_MASK, "user page numbers fit");

/* The VMAs are about to change: what covered holds may no longer stand. */
static void vmas_change(struct mm *mm)
{
	mm_assert_locked(mm);
	__atomic_store_n(&mm->covered, 0, __ATOMIC_RELEASE);
}

void vma_set_prot(struct mm *mm, struct vma *v, u32 prot)
{
	vmas_change(mm);
	v->prot = prot;
}

/* The protection bits of which one lets the access through. */
static u32 access_needs(bool write)
{
	return write ? VM_WRITE : VM_READ | VM_WRITE;
}

static void remember_covered(struct mm *mm, struct vma *v)
{
	u64 w = (v->start >> PAGE_SHIFT) | (v->end >> PAGE_SHIFT) << COVERED_PN_BITS |
		(u64)(v->prot & (VM_READ | VM_WRITE)) << (2 * COVERED_PN_BITS);
	__atomic_store_n(&mm->covered, w, __ATOMIC_RELEASE);
}

__always_inline bool vma_covers_unlocked(struct mm *mm, u64 addr, u64 len, bool write)
{
	u64 w = __atomic_load_n(&mm->covered, __ATOMIC_ACQUIRE);
	if (!w)
		return false;
	u64 start = (w & COVERED_PN_MASK) << PAGE_SHIFT;
	u64 end = (w >> COVERED_PN_BITS & COVERED_PN_MASK) << PAGE_SHIFT;
	u32 prot = (u32)(w >> (2 * COVERED_PN_BITS));
	u64 last = addr + (len ? len : 1);
	return last > addr && start <= addr && last <= end && (prot & access_needs(write));
}

bool vma_covers(struct mm *mm, u64 addr, u64 len, bool write)
{
	mm_assert_locked(mm);
	u64 end = addr + (len ? len : 1);
	if (end < addr || end > MM_USER_TOP)
		return false;
	u32 need = access_needs(write);
	struct vma *v = vma_find(mm, addr);
	while (v && (v->prot & need)) {
		if (v->end >= end) {
			if (v->start <= addr)
				remember_covered(mm, v); /* one VMA covers it all */
			return true;
		}
		struct vma *next = vma_next(mm, v);
		if (!next || next->start != v->end)
			return false;
		v = next;
	}
	return false;
}

/* ---- the augmented value ----
 *
 * subtree_gap is a bound, not the exact largest gap: every node's is at
 * least its own gap and its children's, so it is at least every gap in its
 * subtree, and a search may skip a subtree whose bound is below what it
 * needs. Only a gap that grows must be pushed up, and only until an
 * ancestor's bound already covers it. A gap that shrinks, or a subtree
 * that loses a node, leaves the bounds above it as they are.
 *
 * Kept exact, the bound changes at every ancestor whenever the largest gap
 * changes, and that gap is usually the free room mmap places into: among
 * 10 000 VMAs an mmap and its munmap each walked the whole right spine of
 * the tree (some 14 nodes), twice. With the bound, the pair walks none.
 *
 * A bound left too high costs a search a visit to a subtree without a fit;
 * the search then lowers the bound of each node it leaves empty-handed to
 * what the node's children claim (gap_tighten), so no search is led into
 * that subtree by the same stale bound again. (Bounds a search does not
 * reach, outside its [low, high), stay as they are until one does.) */

static u64 compute_subtree_gap(struct vma *v)
{
	u64 g = v->gap;
	if (v->rb.left && vma_of(v->rb.left)->subtree_gap > g)
		g = vma_of(v->rb.left)->subtree_gap;
	if (v->rb.right && vma_of(v->rb.right)->subtree_gap > g)
		g = vma_of(v->rb.right)->subtree_gap;
	return g;
}

/* v's gap grew (or v is new): raise the bounds that no longer cover it. */
static void gap_raise(struct vma *v)
{
	v->subtree_gap = MAX(v->subtree_gap, v->gap);
	for (struct rb_node *n = rb_parent(&v->rb); n && vma_of(n)->subtree_gap < v->gap;
	     n = rb_parent(n))
		vma_of(n)->subtree_gap = v->gap;
}

/* Called by rb_erase for the nodes above a removed one: a subtree that
 * lost a node keeps a bound that still covers every gap left in it. */
static void gap_keep(struct rb_node *n, struct rb_node *stop)
{
	(void)n;
	(void)stop;
}

static void gap_copy(struct rb_node *from, struct rb_node *to)
{
	vma_of(to)->subtree_gap = vma_of(from)->subtree_gap;
}

static void gap_rotate(struct rb_node *old_top, struct rb_node *new_top)
{
	vma_of(new_top)->subtree_gap = vma_of(old_top)->subtree_gap;
	vma_of(old_top)->subtree_gap = compute_subtree_gap(vma_of(old_top));
}

static const struct rb_augment_ops gap_ops = {
    .propagate = gap_keep,
    .copy = gap_copy,
    .rotate = gap_rotate,
};

/* A search found no fit under v: its bound may come down to its
 * children's and its own gap, which the search has just lowered or
 * checked. Always safe, since those bound the subtree too. */
static void gap_tighten(struct vma *v)
{
	v->subtree_gap = compute_subtree_gap(v);
}

static void place_freed(struct mm *mm, u64 hole_start);

/* Recomputes v's own gap from its predecessor. */
static void update_gap(struct mm *mm, struct vma *v)
{
	struct vma *prev = vma_prev(mm, v);
	u64 gap = v->start - (prev ? prev->end : 0);
	bool grew = gap > v->gap;
	v->gap = gap;
	if (grew) {
		place_freed(mm, v->start - gap);
		gap_raise(v);
	}
}

/* ---- walking ---- */

struct vma *vma_first(struct mm *mm)
{
	return list_empty(&mm->vmas) ? NULL : list_entry(mm->vmas.next, struct vma, link);
}

struct vma *vma_last(struct mm *mm)
{
	return list_empty(&mm->vmas) ? NULL : list_entry(mm->vmas.prev, struct vma, link);
}

struct vma *vma_next(struct mm *mm, struct vma *vma)
{
	return vma->link.next == &mm->vmas ? NULL : list_entry(vma->link.next, struct vma, link);
}

struct vma *vma_prev(struct mm *mm, struct vma *vma)
{
	return vma->link.prev == &mm->vmas ? NULL : list_entry(vma->link.prev, struct vma, link);
}

/* Is c the first VMA that ends above addr? Its predecessor, on the
 * list, ends at or below addr. */
static bool cache_answers(struct mm *mm, struct vma *c, u64 addr)
{
	if (!c || c->end <= addr)
		return false;
	struct vma *prev = vma_prev(mm, c);
	return !prev || prev->end <= addr;
}

struct vma *vma_find_from(struct mm *mm, u64 addr)
{
	/* Only read here: a lookup may run without the lock. */
	if (cache_answers(mm, mm->vma_cache, addr))
		return mm->vma_cache;
	struct rb_node *n = mm->vma_tree.node;
	struct vma *best = NULL;
	while (n) {
		struct vma *v = vma_of(n);
		if (v->end > addr) {
			best = v;
			if (v->start <= addr)
				break;
			n = n->left;
		} else {
			n = n->right;
		}
	}
	return best;
}

struct vma *vma_find(struct mm *mm, u64 addr)
{
	struct vma *v = vma_find_from(mm, addr);
	return v && v->start <= addr ? v : NULL;
}

bool vma_overlaps(struct mm *mm, u64 start, u64 end)
{
	struct vma *v = vma_find_from(mm, start);
	return v && v->start < end;
}

/* ---- changing the set ---- */

void vma_insert(struct mm *mm, struct vma *vma)
{
	vmas_change(mm);
	/* The neighbours come from a lookup, which the cache answers when
	 * mmap inserts where it last looked; they also say where the node
	 * goes: below next if next has no left child, else below prev, the
	 * largest of that left subtree, which has no right child. */
	struct vma *next = vma_find_from(mm, vma->start);
	struct vma *prev = next ? vma_prev(mm, next) : vma_last(mm);
	if (next && next->start < vma->end)
		panic("vma_insert: [%p, %p) overlaps", (void *)vma->start, (void *)vma->end);
	struct rb_node *parent = NULL, **link = &mm->vma_tree.node;
	if (next && !next->rb.left) {
		parent = &next->rb;
		link = &parent->left;
	} else if (prev) {
		parent = &prev->rb;
		link = &parent->right;
	}
	list_insert_after(prev ? &prev->link : &mm->vmas, &vma->link);
	vma->gap = vma->start - (prev ? prev->end : 0);
	vma->subtree_gap = vma->gap;
	rb_link_node(&vma->rb, parent, link);
	gap_raise(vma);
	rb_insert_color(&vma->rb, &mm->vma_tree, &gap_ops);
	if (next)
		update_gap(mm, next);
	mm->nvmas++;
	mm->vma_cache = vma;
	vma->mm = mm;
	struct vm_mappings *maps = vma_mappings(vma);
	if (maps) {
		spin_lock(&maps->lock);
		list_push_back(&maps->vmas, &vma->obj_link);
		spin_unlock(&maps->lock);
	}
}

void vma_remove(struct mm *mm, struct vma *vma)
{
	vmas_change(mm);
	struct vma *next = vma_next(mm, vma);
	if (mm->vma_cache == vma)
		mm->vma_cache = next;
	rb_erase(&vma->rb, &mm->vma_tree, &gap_ops);
	list_del(&vma->link);
	if (next)
		update_gap(mm, next);
	mm->nvmas--;
	struct vm_mappings *maps = vma_mappings(vma);
	if (maps) {
		spin_lock(&maps->lock);
		list_del(&vma->obj_link);
		spin_unlock(&maps->lock);
	}
	vma->mm = NULL;
}

void vma_adjust(struct mm *mm, struct vma *vma, u64 start, u64 end)
{
	vmas_change(mm);
	vma->start = start;
	vma->end = end;
	update_gap(mm, vma);
	struct vma *next = vma_next(mm, vma);
	if (next)
		update_gap(mm, next);
}

/* ---- placement ---- */

/* The lowest fit in [low, high) under n, or 0; lowers the bounds of
 * the nodes it leaves without one. */
static u64 gap_search(struct rb_node *n, u64 len, u64 low, u64 high)
{
	if (!n || vma_of(n)->subtree_gap < len)
		return 0;
	struct vma *v = vma_of(n);
	u64 a = 0;
	if (v->start > low)
		a = gap_search(n->left, len, low, high);
	if (!a) {
		u64 gs = MAX(v->start - v->gap, low), ge = MIN(v->start, high);
		if (ge > gs && ge - gs >= len)
			a = gs;
		else if (v->start < high)
			a = gap_search(n->right, len, low, high);
	}
	if (!a)
		gap_tighten(v);
	return a;
}

/* The mirror of gap_search: the highest fit, right subtrees first. */
static u64 gap_search_top(struct rb_node *n, u64 len, u64 low, u64 high)
{
	if (!n || vma_of(n)->subtree_gap < len)
		return 0;
	struct vma *v = vma_of(n);
	u64 a = 0;
	if (v->start < high)
		a = gap_search_top(n->right, len, low, high);
	if (!a) {
		u64 gs = MAX(v->start - v->gap, low), ge = MIN(v->start, high);
		if (ge > gs && ge - gs >= len)
			a = ge - len;
		else if (v->start - v->gap > low)
			a = gap_search_top(n->left, len, low, high);
	}
	if (!a)
		gap_tighten(v);
	return a;
}

u64 vma_find_gap_top(struct mm *mm, u64 len, u64 low, u64 high)
{
	mm_assert_locked(mm);
	if (len == 0 || low + len < low || low + len > high)
		return 0;
	/* The room above the last VMA comes first. */
	struct vma *last = vma_last(mm);
	u64 gs = MAX(last ? last->end : 0, low);
	if (gs + len <= high)
		return high - len;
	return gap_search_top(mm->vma_tree.node, len, low, high);
}

/* The lowest fit in [low, high), from the tree. */
static u64 find_gap_from(struct mm *mm, u64 len, u64 low, u64 high)
{
	u64 a = gap_search(mm->vma_tree.node, len, low, high);
	if (a)
		return a;
	/* The room above the last VMA. */
	struct vma *last = vma_last(mm);
	u64 gs = MAX(last ? last->end : 0, low);
	return gs + len <= high ? gs : 0;
}

/* mmap asks for the lowest fit on every call without an address, and a
 * search of the tree goes down to the lowest hole above low and back up
 * even when the answer is where the last one was: four root-to-leaf walks,
 * some 60 nodes among 10 000 VMAs. So the mm remembers where its last
 * search ended (Linux's free_area_cache): mm->place_base, place_hint and
 * place_hole, with the rule
 *
 *   a hole (a free range between VMAs, or below the first, or above the
 *   last) that reaches above place_base, cut to start no lower than it,
 *   starts below place_hint only if it is at most place_hole bytes long.
 *
 * Then no fit longer than place_hole starts in [place_base, place_hint),
 * and a search from any low in between may start at place_hint instead
 * with the same answer. A search moves the hint up to its answer; holes
 * only grow where a VMA goes or shrinks, which pulls the hint down to the
 * hole's start (place_freed, from update_gap; the hole above the last VMA
 * has no gap of its own and is checked at each search). */

/* A hole starting at hole_start grew: the hint must not stay above it. */
static void place_freed(struct mm *mm, u64 hole_start)
{
	u64 cut = MAX(hole_start, mm->place_base);
	if (cut < mm->place_hint)
		mm->place_hint = cut;
}

/* How many VMAs a search from the hint steps over on the list before it
 * asks the tree: the hint is usually at a fit or one VMA short of it. */
#define PLACE_STEPS 4

u64 vma_find_gap(struct mm *mm, u64 len, u64 low, u64 high)
{
	mm_assert_locked(mm);
	if (len == 0 || low + len < low || low + len > high)
		return 0;
	/* The room above the last VMA has no gap to say it grew. */
	struct vma *last = vma_last(mm);
	place_freed(mm, last ? last->end : 0);
	if (low < mm->place_base || low > mm->place_hint || len <= mm->place_hole) {
		/* The hint cannot answer: search from low, and start the rule
		 * afresh there. Every hole between low and the answer is
		 * shorter than len. */
		u64 a = find_gap_from(mm, len, low, high);
		if (a) {
			mm->place_base = low;
			mm->place_hint = a;
			mm->place_hole = len - 1;
		}
		return a;
	}
	/* No fit starts in [low, place_hint): walk up from the hint. */
	u64 a = mm->place_hint;
	struct vma *v = vma_find_from(mm, a);
	for (int step = 0;; step++) {
		if (a + len < a || a + len > high)
			return 0;
		if (!v || v->start >= a + len)
			break; /* [a, a + len) is free */
		if (step == PLACE_STEPS) {
			a = find_gap_from(mm, len, a, high);
			if (!a)
				return 0;
			break;
		}
		a = v->end;
		v = vma_next(mm, v);
	}
	/* The holes passed on the way are shorter than len. */
	mm->place_hint = a;
	mm->place_hole = MAX(mm->place_hole, len - 1);
	return a;
}

/* ---- checking ---- */

static bool check_subtree(struct rb_node *n)
{
	if (!n)
		return true;
	if (!check_subtree(n->left) || !check_subtree(n->right))
		return false;
	return vma_of(n)->subtree_gap >= compute_subtree_gap(vma_of(n));
}

/* Does placement's rule hold for the hole [hs, he), given the hint the
 * next search will start from? */
static bool place_rule_holds(struct mm *mm, u64 hint, u64 hs, u64 he)
{
	u64 cut = MAX(hs, mm->place_base);
	return he <= cut || cut >= hint || he - cut <= mm->place_hole;
}

bool vma_validate(struct mm *mm)
{
	if (!rb_validate(&mm->vma_tree) || !check_subtree(mm->vma_tree.node))
		return false;
	struct vma *v, *prev = NULL;
	struct rb_node *n = rb_first(&mm->vma_tree);
	int count = 0;
	bool cache_in_set = false;
	/* The room above the last VMA pulls the hint down at each search. */
	struct vma *last = vma_last(mm);
	u64 hint = MIN(mm->place_hint, MAX(last ? last->end : 0, mm->place_base));
	for_each_vma(mm, v)
	{
		if (v->start >= v->end || (v->start | v->end) & (PAGE_SIZE - 1))
			return false;
		if (prev && prev->end > v->start)
			return false;
		if (v->gap != v->start - (prev ? prev->end : 0))
			return false;
		if (!place_rule_holds(mm, hint, v->start - v->gap, v->start))
			return false;
		if (n != &v->rb)
			return false;
		n = rb_next(n);
		prev = v;
		count++;
		cache_in_set |= v == mm->vma_cache;
	}
	if (mm->vma_cache && !cache_in_set)
		return false;
	return n == NULL && count == mm->nvmas;
}
