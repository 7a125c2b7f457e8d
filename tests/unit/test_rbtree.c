/* Specification of kernel/lib/rbtree: ordering, balance, erase in every
 * position, the walks, the validator itself, and augmented values kept
 * right through rotations (checked against a brute-force recomputation
 * after every operation). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/lib/rbtree.h"

/* ------------------------------------------------------------------ helpers */

/* A small deterministic generator (xorshift64) so failures reproduce. */
static u64 rng_state;
static void rng_seed(u64 seed)
{
	rng_state = seed ? seed : 1;
}
static u64 rng_next(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}
static unsigned rng_below(unsigned n)
{
	return (unsigned)(rng_next() % n);
}

static void shuffle(int *a, size_t n)
{
	for (size_t i = n - 1; i > 0; i--) {
		size_t j = rng_below((unsigned)i + 1);
		int t = a[i];
		a[i] = a[j];
		a[j] = t;
	}
}

/* The plain tree: items ordered by an int key; equal keys go right, so
 * they keep their insertion order. */
struct item {
	int key;
	struct rb_node rb;
};

static struct item *item_of(struct rb_node *n)
{
	return rb_entry_or_null(n, struct item, rb);
}

static void item_insert(struct rb_root *root, struct item *it)
{
	struct rb_node **link = &root->node, *parent = NULL;

	while (*link) {
		parent = *link;
		link = it->key < item_of(parent)->key ? &parent->left : &parent->right;
	}
	rb_link_node(&it->rb, parent, link);
	rb_insert_color(&it->rb, root, NULL);
}

static struct item *item_find(const struct rb_root *root, int key)
{
	struct rb_node *n = root->node;

	while (n) {
		if (key == item_of(n)->key)
			return item_of(n);
		n = key < item_of(n)->key ? n->left : n->right;
	}
	return NULL;
}

static int tree_height(const struct rb_node *n)
{
	if (!n)
		return 0;
	return 1 + MAX(tree_height(n->left), tree_height(n->right));
}

/* Asserts that the tree is valid, balanced, and holds exactly keys[0..n)
 * in this order, walking both forwards and backwards. */
static void check_tree(const struct rb_root *root, const int *keys, size_t n)
{
	size_t i = 0;
	int limit = 0;

	cr_assert(rb_validate(root), "rb_validate failed");
	for (struct rb_node *p = rb_first(root); p; p = rb_next(p), i++) {
		cr_assert_lt(i, n, "more nodes than expected");
		cr_assert_eq(item_of(p)->key, keys[i], "forward walk: position %zu", i);
	}
	cr_assert_eq(i, n, "forward walk found %zu nodes, expected %zu", i, n);
	for (struct rb_node *p = rb_last(root); p; p = rb_prev(p)) {
		i--;
		cr_assert_eq(item_of(p)->key, keys[i], "backward walk: position %zu", i);
	}
	/* height <= 2 log2(n + 1) */
	while ((1UL << limit) < n + 1)
		limit++;
	cr_assert_leq(tree_height(root->node), 2 * limit, "tree of %zu nodes too tall", n);
}

static int *range_keys(int n)
{
	int *keys = malloc(n * sizeof(*keys));

	for (int i = 0; i < n; i++)
		keys[i] = i;
	return keys;
}

/* ------------------------------------------------------------- plain tree */

Test(rbtree, empty_tree_has_no_nodes)
{
	struct rb_root root = RB_ROOT_INIT;

	cr_assert(rb_empty(&root));
	cr_assert(rb_validate(&root));
	cr_assert_null(rb_first(&root));
	cr_assert_null(rb_last(&root));
	cr_assert_null(rb_first_postorder(&root));
}

Test(rbtree, single_node_is_a_black_root)
{
	struct rb_root root = RB_ROOT_INIT;
	struct item a = {.key = 7};

	item_insert(&root, &a);
	cr_assert_eq(root.node, &a.rb);
	cr_assert_eq(rb_color(&a.rb), RB_BLACK);
	cr_assert_null(rb_parent(&a.rb));
	cr_assert_eq(rb_first(&root), &a.rb);
	cr_assert_eq(rb_last(&root), &a.rb);
	cr_assert_null(rb_next(&a.rb));
	cr_assert_null(rb_prev(&a.rb));
}

/* Three keys in any order end as the same balanced shape: the middle key
 * black at the root, the others red below it. 1,2,3 and 3,2,1 need one
 * rotation; 1,3,2 and 3,1,2 need the inner-grandchild double rotation. */
Test(rbtree, three_keys_in_any_order_balance_to_the_middle)
{
	static const int orders[][3] = {{1, 2, 3}, {3, 2, 1}, {1, 3, 2}, {3, 1, 2}, {2, 1, 3}};

	for (size_t o = 0; o < ARRAY_SIZE(orders); o++) {
		struct rb_root root = RB_ROOT_INIT;
		struct item it[3];

		for (int i = 0; i < 3; i++) {
			it[i].key = orders[o][i];
			item_insert(&root, &it[i]);
		}
		struct item *top = item_of(root.node);
		cr_assert_eq(top->key, 2, "order %zu", o);
		cr_assert_eq(rb_color(root.node), RB_BLACK);
		cr_assert_eq(item_of(root.node->left)->key, 1);
		cr_assert_eq(item_of(root.node->right)->key, 3);
		cr_assert_eq(rb_color(root.node->left), RB_RED);
		cr_assert_eq(rb_color(root.node->right), RB_RED);
		cr_assert(rb_validate(&root));
	}
}

static void insert_in_order(const int *order, int n)
{
	struct rb_root root = RB_ROOT_INIT;
	struct item *items = calloc(n, sizeof(*items));
	int *sorted = range_keys(n);

	for (int i = 0; i < n; i++) {
		items[i].key = order[i];
		item_insert(&root, &items[i]);
		cr_assert(rb_validate(&root), "invalid after inserting %d", order[i]);
	}
	check_tree(&root, sorted, n);
	free(sorted);
	free(items);
}

Test(rbtree, insert_ascending)
{
	int *keys = range_keys(2000);

	insert_in_order(keys, 2000);
	free(keys);
}

Test(rbtree, insert_descending)
{
	int keys[2000];

	for (int i = 0; i < 2000; i++)
		keys[i] = 1999 - i;
	insert_in_order(keys, 2000);
}

Test(rbtree, insert_random)
{
	int *keys = range_keys(2000);

	rng_seed(42);
	shuffle(keys, 2000);
	insert_in_order(keys, 2000);
	free(keys);
}

Test(rbtree, equal_keys_keep_insertion_order)
{
	struct rb_root root = RB_ROOT_INIT;
	struct item it[50];
	size_t i = 0;

	for (int k = 0; k < 50; k++) {
		it[k].key = k % 5; /* 0 1 2 3 4 0 1 2 3 4 ... */
		item_insert(&root, &it[k]);
	}
	cr_assert(rb_validate(&root));
	/* in order: all the 0s as inserted, then all the 1s, ... */
	for (struct rb_node *p = rb_first(&root); p; p = rb_next(p), i++)
		cr_assert_eq(item_of(p), &it[(i % 10) * 5 + i / 10]);
}

Test(rbtree, linked_and_cleared_nodes_are_told_apart)
{
	struct rb_root root = RB_ROOT_INIT;
	struct item a = {.key = 1}, b = {.key = 2};

	rb_clear_node(&a.rb);
	cr_assert_not(rb_node_is_linked(&a.rb));
	item_insert(&root, &a);
	item_insert(&root, &b);
	cr_assert(rb_node_is_linked(&a.rb));
	rb_erase(&a.rb, &root, NULL);
	cr_assert_not(rb_node_is_linked(&a.rb));
	cr_assert(rb_node_is_linked(&b.rb));
}

/* Builds a tree of keys 0..n-1 (inserted in shuffled order), erases the
 * keys of pick() one by one, and checks the whole tree after each. */
static void erase_each(int n, struct item *(*pick)(struct rb_root *root), u64 seed)
{
	struct rb_root root = RB_ROOT_INIT;
	struct item *items = calloc(n, sizeof(*items));
	int *order = range_keys(n);
	int *remaining = range_keys(n);
	int left = n;

	rng_seed(seed);
	shuffle(order, n);
	for (int i = 0; i < n; i++) {
		items[i].key = order[i];
		item_insert(&root, &items[i]);
	}
	while (left > 0) {
		struct item *victim = pick(&root);
		int k = 0;

		rb_erase(&victim->rb, &root, NULL);
		while (remaining[k] != victim->key)
			k++;
		memmove(&remaining[k], &remaining[k + 1], (left - k - 1) * sizeof(int));
		left--;
		check_tree(&root, remaining, left);
	}
	cr_assert(rb_empty(&root));
	free(remaining);
	free(order);
	free(items);
}

static struct item *pick_root(struct rb_root *root)
{
	return item_of(root->node);
}

static struct item *pick_leaf(struct rb_root *root)
{
	struct rb_node *n = root->node;

	while (n->left || n->right)
		n = (n->left && (!n->right || rng_below(2))) ? n->left : n->right;
	return item_of(n);
}

/* An inner node: one with two children if any, else whatever is left. */
static struct item *pick_inner(struct rb_root *root)
{
	for (struct rb_node *p = rb_first(root); p; p = rb_next(p))
		if (p->left && p->right && rng_below(4) == 0)
			return item_of(p);
	for (struct rb_node *p = rb_first(root); p; p = rb_next(p))
		if (p->left && p->right)
			return item_of(p);
	return item_of(root->node);
}

Test(rbtree, erase_the_root_until_empty)
{
	erase_each(500, pick_root, 1);
}
Test(rbtree, erase_leaves_until_empty)
{
	erase_each(500, pick_leaf, 2);
}
Test(rbtree, erase_inner_nodes_until_empty)
{
	erase_each(500, pick_inner, 3);
}

/* The two shapes of erasing a node with two children: its successor is
 * its own right child, or lies deeper down the right subtree's left
 * spine. */
Test(rbtree, erase_node_whose_successor_is_its_right_child)
{
	struct rb_root root = RB_ROOT_INIT;
	struct item it[3] = {{.key = 2}, {.key = 1}, {.key = 3}};
	static const int after[] = {1, 3};

	for (int i = 0; i < 3; i++)
		item_insert(&root, &it[i]);
	cr_assert_eq(root.node->right, &it[2].rb); /* successor = right child */
	rb_erase(&it[0].rb, &root, NULL);
	check_tree(&root, after, 2);
	cr_assert_eq(root.node, &it[2].rb);
}

Test(rbtree, erase_node_whose_successor_is_deeper)
{
	struct rb_root root = RB_ROOT_INIT;
	struct item it[7];
	static const int order[] = {40, 20, 60, 10, 30, 50, 70}; /* a perfect tree */
	static const int after[] = {10, 20, 30, 50, 60, 70};

	for (int i = 0; i < 7; i++) {
		it[i].key = order[i];
		item_insert(&root, &it[i]);
	}
	cr_assert_eq(item_of(root.node)->key, 40);
	/* 40's successor, 50, is the left child of its right child */
	rb_erase(&it[0].rb, &root, NULL);
	check_tree(&root, after, 6);
	cr_assert_eq(item_of(root.node)->key, 50);
}

Test(rbtree, find_after_mixed_operations)
{
	struct rb_root root = RB_ROOT_INIT;
	struct item it[100];

	for (int i = 0; i < 100; i++) {
		it[i].key = i * 3;
		item_insert(&root, &it[i]);
	}
	for (int i = 0; i < 100; i += 2)
		rb_erase(&it[i].rb, &root, NULL);
	for (int i = 0; i < 100; i++) {
		struct item *found = item_find(&root, i * 3);
		cr_assert_eq(found, i % 2 ? &it[i] : NULL, "key %d", i * 3);
		cr_assert_null(item_find(&root, i * 3 + 1));
	}
}

/* Post-order visits every node once, each after both its children. */
Test(rbtree, postorder_visits_children_first)
{
	struct rb_root root = RB_ROOT_INIT;
	enum { N = 300 };
	struct item it[N];
	int *keys = range_keys(N);
	bool seen[N] = {false};
	int count = 0;

	rng_seed(9);
	shuffle(keys, N);
	for (int i = 0; i < N; i++) {
		it[i].key = keys[i];
		item_insert(&root, &it[i]);
	}
	for (struct rb_node *p = rb_first_postorder(&root); p; p = rb_next_postorder(p)) {
		if (p->left)
			cr_assert(seen[item_of(p->left)->key], "left child after parent");
		if (p->right)
			cr_assert(seen[item_of(p->right)->key], "right child after parent");
		cr_assert_not(seen[item_of(p)->key], "visited twice");
		seen[item_of(p)->key] = true;
		count++;
	}
	cr_assert_eq(count, N);
	free(keys);
}

/* A node may be freed as soon as its post-order successor is known: the
 * walk never looks back at it (ASan would catch a touch). */
Test(rbtree, postorder_walk_can_free_as_it_goes)
{
	struct rb_root root = RB_ROOT_INIT;
	int *keys = range_keys(300);
	int freed = 0;

	rng_seed(10);
	shuffle(keys, 300);
	for (int i = 0; i < 300; i++) {
		struct item *it = malloc(sizeof(*it));
		it->key = keys[i];
		item_insert(&root, it);
	}
	for (struct rb_node *p = rb_first_postorder(&root), *next; p; p = next) {
		next = rb_next_postorder(p);
		free(item_of(p));
		freed++;
	}
	root = (struct rb_root)RB_ROOT_INIT;
	cr_assert_eq(freed, 300);
	free(keys);
}

/* The validator must reject each kind of damage, or the randomized tests
 * below would prove nothing. */
Test(rbtree, validate_rejects_broken_trees)
{
	struct rb_root root = RB_ROOT_INIT;
	struct item it[7];
	static const int order[] = {40, 20, 60, 10, 30, 50, 70};

	for (int i = 0; i < 7; i++) {
		it[i].key = order[i];
		item_insert(&root, &it[i]);
	}
	cr_assert(rb_validate(&root));

	struct rb_node *r = root.node, *l = r->left;
	uintptr_t saved = r->parent_color;

	r->parent_color &= ~(uintptr_t)1; /* red root */
	cr_assert_not(rb_validate(&root), "red root accepted");
	r->parent_color = saved;

	saved = l->parent_color;
	l->parent_color = (uintptr_t)l->right | (saved & 1); /* wrong parent */
	cr_assert_not(rb_validate(&root), "bad parent pointer accepted");
	l->parent_color = saved;

	/* 10 is a red leaf; black, it makes one path longer than the rest. */
	struct rb_node *leaf = l->left;
	leaf->parent_color |= 1;
	cr_assert_not(rb_validate(&root), "unequal black heights accepted");
	leaf->parent_color &= ~(uintptr_t)1;
	cr_assert(rb_validate(&root));

	/* Everything red below a black root: heights agree, but red nodes
	 * have red children. */
	for (int i = 1; i < 7; i++)
		it[i].rb.parent_color &= ~(uintptr_t)1;
	cr_assert_not(rb_validate(&root), "red-red accepted");
}

/* 100,000 random inserts and erases over a small key space, mirrored in a
 * sorted array; the tree is validated and compared after every step. */
Test(rbtree, randomized_against_sorted_array, .timeout = 120)
{
	enum { KEYS = 1024, STEPS = 100000 };
	struct rb_root root = RB_ROOT_INIT;
	struct item *items = calloc(KEYS, sizeof(*items));
	int sorted[KEYS];
	size_t n = 0;

	rng_seed(0x5eed);
	for (int step = 0; step < STEPS; step++) {
		int key = (int)rng_below(KEYS);
		size_t lo = 0, hi = n;

		while (lo < hi) { /* first position with sorted[pos] >= key */
			size_t mid = (lo + hi) / 2;
			if (sorted[mid] < key)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < n && sorted[lo] == key) {
			cr_assert_eq(item_find(&root, key), &items[key], "step %d", step);
			rb_erase(&items[key].rb, &root, NULL);
			memmove(&sorted[lo], &sorted[lo + 1], (n - lo - 1) * sizeof(int));
			n--;
		} else {
			cr_assert_null(item_find(&root, key), "step %d", step);
			items[key].key = key;
			item_insert(&root, &items[key]);
			memmove(&sorted[lo + 1], &sorted[lo], (n - lo) * sizeof(int));
			sorted[lo] = key;
			n++;
		}
		cr_assert(rb_validate(&root), "invalid at step %d", step);
		size_t i = 0;
		for (struct rb_node *p = rb_first(&root); p; p = rb_next(p), i++)
			cr_assert_eq(item_of(p)->key, sorted[i], "step %d, position %zu", step, i);
		cr_assert_eq(i, n, "step %d", step);
	}
	free(items);
}

/* -------------------------------------------------------- augmented tree */

/* The augmentation kernel/mm uses for VMAs: ranges [start, end) that do
 * not overlap, ordered by start. Each node records the free gap just below
 * it (from its predecessor's end, or 0) and the largest such gap in its
 * subtree, which finds the lowest free hole of a given size in O(log n). */
struct range {
	u64 start, end;
	u64 gap;     /* start - predecessor's end (or - 0) */
	u64 max_gap; /* largest gap in this subtree */
	struct rb_node rb;
};

#define RANGE_LIMIT 100000UL /* the top of the simulated address space */

static struct range *range_of(struct rb_node *n)
{
	return rb_entry_or_null(n, struct range, rb);
}
static u64 subtree_max_gap(struct rb_node *n)
{
	return n ? range_of(n)->max_gap : 0;
}

static u64 range_compute_max(struct range *r)
{
	u64 left = subtree_max_gap(r->rb.left), right = subtree_max_gap(r->rb.right);

	return MAX(r->gap, MAX(left, right));
}

static unsigned rotations; /* how many rotate callbacks ran */

/* Two propagate flavours: one that recomputes all the way up, and one
 * that stops as soon as a value does not change (which relies on the
 * tree calling copy and propagate in the right order during erase). */
static void propagate_full(struct rb_node *n, struct rb_node *stop)
{
	for (; n != stop; n = rb_parent(n))
		range_of(n)->max_gap = range_compute_max(range_of(n));
}

static void propagate_until_unchanged(struct rb_node *n, struct rb_node *stop)
{
	for (; n != stop; n = rb_parent(n)) {
		u64 max = range_compute_max(range_of(n));
		if (max == range_of(n)->max_gap)
			break;
		range_of(n)->max_gap = max;
	}
}

static void gap_copy(struct rb_node *from, struct rb_node *to)
{
	range_of(to)->max_gap = range_of(from)->max_gap;
}

static void gap_rotate(struct rb_node *old_top, struct rb_node *new_top)
{
	range_of(new_top)->max_gap = range_of(old_top)->max_gap;
	range_of(old_top)->max_gap = range_compute_max(range_of(old_top));
	rotations++;
}

static const struct rb_augment_ops gap_ops_full = {
    .propagate = propagate_full,
    .copy = gap_copy,
    .rotate = gap_rotate,
};

static const struct rb_augment_ops gap_ops_lazy = {
    .propagate = propagate_until_unchanged,
    .copy = gap_copy,
    .rotate = gap_rotate,
};

/* Inserting r shrinks its successor's gap, so that is fixed up too. */
static void range_insert(struct rb_root *root, struct range *r, const struct rb_augment_ops *ops)
{
	struct rb_node **link = &root->node, *parent = NULL;
	struct range *prev, *next;

	while (*link) {
		parent = *link;
		link = r->start < range_of(parent)->start ? &parent->left : &parent->right;
	}
	rb_link_node(&r->rb, parent, link);

	prev = range_of(rb_prev(&r->rb));
	r->gap = r->start - (prev ? prev->end : 0);
	r->max_gap = r->gap;
	if (parent)
		ops->propagate(parent, NULL);
	next = range_of(rb_next(&r->rb));
	if (next) {
		next->gap = next->start - r->end;
		ops->propagate(&next->rb, NULL);
	}
	rb_insert_color(&r->rb, root, ops);
}

/* Erasing r widens its successor's gap. */
static void range_erase(struct rb_root *root, struct range *r, const struct rb_augment_ops *ops)
{
	struct range *prev = range_of(rb_prev(&r->rb));
	struct range *next = range_of(rb_next(&r->rb));

	rb_erase(&r->rb, root, ops);
	if (next) {
		next->gap = next->start - (prev ? prev->end : 0);
		ops->propagate(&next->rb, NULL);
	}
}

/* The lowest address a with [a, a + len) free and a + len <= RANGE_LIMIT,
 * or -1: the O(log n) descent the augmentation exists for. */
static long range_find_hole(const struct rb_root *root, u64 len)
{
	struct rb_node *n = root->node;
	struct range *last = range_of(rb_last(root));
	u64 top = last ? last->end : 0;

	if (n && range_of(n)->max_gap >= len) {
		for (;;) {
			struct range *r = range_of(n);
			if (subtree_max_gap(n->left) >= len)
				n = n->left;
			else if (r->gap >= len)
				return (long)(r->start - r->gap);
			else
				n = n->right; /* its max_gap must be >= len */
		}
	}
	return RANGE_LIMIT - top >= len ? (long)top : -1;
}

/* The same answer by a linear scan of the ranges in order. */
static long range_find_hole_slowly(const struct rb_root *root, u64 len)
{
	u64 prev_end = 0;

	for (struct rb_node *p = rb_first(root); p; p = rb_next(p)) {
		if (range_of(p)->start - prev_end >= len)
			return (long)prev_end;
		prev_end = range_of(p)->end;
	}
	return RANGE_LIMIT - prev_end >= len ? (long)prev_end : -1;
}

/* Recomputes every gap and every subtree maximum from scratch and asserts
 * that the stored ones agree. Returns the subtree's maximum. */
static u64 check_max_gap(struct rb_node *n, const char *when)
{
	if (!n)
		return 0;
	/* not inside MAX(), which would evaluate the recursion twice */
	u64 left = check_max_gap(n->left, when);
	u64 right = check_max_gap(n->right, when);
	u64 max = MAX(range_of(n)->gap, MAX(left, right));

	cr_assert_eq(range_of(n)->max_gap, max, "%s: max_gap of [%lu, %lu) is %lu, should be %lu",
		     when, range_of(n)->start, range_of(n)->end, range_of(n)->max_gap, max);
	return max;
}

static void check_gaps(const struct rb_root *root, const char *when)
{
	u64 prev_end = 0;

	cr_assert(rb_validate(root), "%s: rb_validate failed", when);
	for (struct rb_node *p = rb_first(root); p; p = rb_next(p)) {
		struct range *r = range_of(p);
		cr_assert_geq(r->start, prev_end, "%s: ranges overlap", when);
		cr_assert_eq(r->gap, r->start - prev_end, "%s: gap of [%lu, %lu)", when, r->start,
			     r->end);
		prev_end = r->end;
	}
	check_max_gap(root->node, when);
}

/* Ascending inserts rotate at almost every step: the values must follow. */
static void gaps_through_rotations(const struct rb_augment_ops *ops)
{
	struct rb_root root = RB_ROOT_INIT;
	struct range r[400];
	char when[64];

	rotations = 0;
	for (int i = 0; i < 400; i++) {
		/* gaps of varying size: 1, 2, ..., 7, 1, ... */
		r[i].start = (u64)i * 20 + 1 + i % 7;
		r[i].end = (u64)i * 20 + 10;
		range_insert(&root, &r[i], ops);
		snprintf(when, sizeof(when), "after inserting %d", i);
		check_gaps(&root, when);
	}
	cr_assert_gt(rotations, 100, "only %u rotations: the test proves little", rotations);
	for (int i = 0; i < 400; i += 2) {
		range_erase(&root, &r[i], ops);
		snprintf(when, sizeof(when), "after erasing %d", i);
		check_gaps(&root, when);
	}
	for (int i = 399; i > 0; i -= 2) {
		range_erase(&root, &r[i], ops);
		snprintf(when, sizeof(when), "after erasing %d", i);
		check_gaps(&root, when);
	}
	cr_assert(rb_empty(&root));
}

Test(rbtree_augmented, max_gap_follows_rotations)
{
	gaps_through_rotations(&gap_ops_full);
}
Test(rbtree_augmented, max_gap_follows_rotations_with_early_stop)
{
	gaps_through_rotations(&gap_ops_lazy);
}

/* Erasing the root with two children moves its successor up: the
 * successor's value must describe its new, bigger subtree.
 *
 *	before: [10,20) [25,30) [40,50) [52,60) [70,80) [81,90) [95,99)
 *	        gaps     10      5       10      2       10      1       5
 *	erase [40,50): gap below [52,60) becomes 52 - 30 = 22
 */
Test(rbtree_augmented, erase_root_moves_successor_with_right_value)
{
	struct rb_root root = RB_ROOT_INIT;
	struct range r[7] = {{40, 50}, {25, 30}, {70, 80}, {10, 20}, {52, 60}, {81, 90}, {95, 99}};

	for (int i = 0; i < 7; i++)
		range_insert(&root, &r[i], &gap_ops_lazy);
	check_gaps(&root, "built");
	cr_assert_eq(root.node, &r[0].rb);
	cr_assert_eq(range_of(root.node)->max_gap, 10);

	range_erase(&root, &r[0], &gap_ops_lazy);
	check_gaps(&root, "erased the root");
	cr_assert_eq(range_of(root.node)->max_gap, 22);
	cr_assert_eq(range_find_hole(&root, 22), 30);
	cr_assert_eq(range_find_hole(&root, 11), 30);
	cr_assert_eq(range_find_hole(&root, 10), 0);
}

/*	[0,10) [10,30)  hole [30,45)  [45,50)  then free up to RANGE_LIMIT
 *	AAAAAA BBBBBBB  ............  CCCCCCC  .......................... */
Test(rbtree_augmented, find_hole_takes_the_lowest_that_fits)
{
	struct rb_root root = RB_ROOT_INIT;
	struct range r[3] = {{0, 10}, {10, 30}, {45, 50}};

	cr_assert_eq(range_find_hole(&root, 5), 0, "empty space: hole at 0");
	for (int i = 0; i < 3; i++)
		range_insert(&root, &r[i], &gap_ops_full);
	cr_assert_eq(range_find_hole(&root, 1), 30);
	cr_assert_eq(range_find_hole(&root, 15), 30);
	cr_assert_eq(range_find_hole(&root, 16), 50, "too big for the hole: above the last");
	cr_assert_eq(range_find_hole(&root, RANGE_LIMIT - 50), 50);
	cr_assert_eq(range_find_hole(&root, RANGE_LIMIT - 49), -1, "nothing fits");
}

/* Random inserts and erases of non-overlapping ranges; after every step
 * the gaps are recomputed by brute force and hole searches are compared
 * with a linear scan. */
static void gaps_randomized(const struct rb_augment_ops *ops, u64 seed)
{
	enum { SLOTS = 512, SLOT = 64, STEPS = 20000 };
	struct rb_root root = RB_ROOT_INIT;
	struct range *r = calloc(SLOTS, sizeof(*r));
	bool *present = calloc(SLOTS, sizeof(*present));
	char when[64];

	rng_seed(seed);
	for (int step = 0; step < STEPS; step++) {
		unsigned s = rng_below(SLOTS);

		if (present[s]) {
			range_erase(&root, &r[s], ops);
		} else {
			/* a range somewhere inside slot s */
			u64 off = rng_below(SLOT / 2), len = 1 + rng_below(SLOT / 2);
			r[s].start = (u64)s * SLOT + off;
			r[s].end = r[s].start + len;
			range_insert(&root, &r[s], ops);
		}
		present[s] = !present[s];
		snprintf(when, sizeof(when), "step %d", step);
		check_gaps(&root, when);
		for (int q = 0; q < 4; q++) {
			u64 len = 1 + rng_below(q < 3 ? 2 * SLOT : 8 * SLOT);
			cr_assert_eq(range_find_hole(&root, len),
				     range_find_hole_slowly(&root, len), "step %d, hole of %lu",
				     step, len);
		}
	}
	free(present);
	free(r);
}

Test(rbtree_augmented, randomized_against_brute_force, .timeout = 120)
{
	gaps_randomized(&gap_ops_full, 77);
}

Test(rbtree_augmented, randomized_against_brute_force_with_early_stop, .timeout = 120)
{
	gaps_randomized(&gap_ops_lazy, 78);
}

/* An augmentation that depends on nothing but the subtree, so the caller
 * fixes nothing up after an erase and every value is the tree's own
 * doing: the subtree's size (an order-statistics tree) and the largest
 * weight in it. */
struct weighed {
	int key;
	unsigned weight;
	unsigned size;	     /* nodes in this subtree */
	unsigned max_weight; /* heaviest node in this subtree */
	struct rb_node rb;
};

static struct weighed *weighed_of(struct rb_node *n)
{
	return rb_entry_or_null(n, struct weighed, rb);
}

/* Recomputes w's values from its children; true if they changed. */
static bool weighed_update(struct weighed *w)
{
	struct weighed *l = weighed_of(w->rb.left), *r = weighed_of(w->rb.right);
	unsigned size = 1 + (l ? l->size : 0) + (r ? r->size : 0);
	unsigned max = w->weight;

	if (l && l->max_weight > max)
		max = l->max_weight;
	if (r && r->max_weight > max)
		max = r->max_weight;
	if (size == w->size && max == w->max_weight)
		return false;
	w->size = size;
	w->max_weight = max;
	return true;
}

static void weighed_propagate_full(struct rb_node *n, struct rb_node *stop)
{
	for (; n != stop; n = rb_parent(n))
		weighed_update(weighed_of(n));
}

static void weighed_propagate_lazy(struct rb_node *n, struct rb_node *stop)
{
	for (; n != stop; n = rb_parent(n))
		if (!weighed_update(weighed_of(n)))
			break;
}

static void weighed_copy(struct rb_node *from, struct rb_node *to)
{
	weighed_of(to)->size = weighed_of(from)->size;
	weighed_of(to)->max_weight = weighed_of(from)->max_weight;
}

static void weighed_rotate(struct rb_node *old_top, struct rb_node *new_top)
{
	weighed_copy(old_top, new_top);
	weighed_update(weighed_of(old_top));
}

static const struct rb_augment_ops weighed_ops_full = {
    .propagate = weighed_propagate_full,
    .copy = weighed_copy,
    .rotate = weighed_rotate,
};

static const struct rb_augment_ops weighed_ops_lazy = {
    .propagate = weighed_propagate_lazy,
    .copy = weighed_copy,
    .rotate = weighed_rotate,
};

/* Keeps only max_weight (sizes go stale): with nothing else changing, an
 * early stop depends on the erase giving a moved-up successor the value
 * of the node it replaces before propagating through it. */
static bool heaviest_update(struct weighed *w)
{
	struct weighed *l = weighed_of(w->rb.left), *r = weighed_of(w->rb.right);
	unsigned max = w->weight;

	if (l && l->max_weight > max)
		max = l->max_weight;
	if (r && r->max_weight > max)
		max = r->max_weight;
	if (max == w->max_weight)
		return false;
	w->max_weight = max;
	return true;
}

static void heaviest_propagate_lazy(struct rb_node *n, struct rb_node *stop)
{
	for (; n != stop; n = rb_parent(n))
		if (!heaviest_update(weighed_of(n)))
			break;
}

static void heaviest_copy(struct rb_node *from, struct rb_node *to)
{
	weighed_of(to)->max_weight = weighed_of(from)->max_weight;
}

static void heaviest_rotate(struct rb_node *old_top, struct rb_node *new_top)
{
	heaviest_copy(old_top, new_top);
	heaviest_update(weighed_of(old_top));
}

static const struct rb_augment_ops heaviest_ops_lazy = {
    .propagate = heaviest_propagate_lazy,
    .copy = heaviest_copy,
    .rotate = heaviest_rotate,
};

static void weighed_insert(struct rb_root *root, struct weighed *w,
			   const struct rb_augment_ops *ops)
{
	struct rb_node **link = &root->node, *parent = NULL;

	while (*link) {
		parent = *link;
		link = w->key < weighed_of(parent)->key ? &parent->left : &parent->right;
	}
	rb_link_node(&w->rb, parent, link);
	w->size = 1;
	w->max_weight = w->weight;
	if (parent)
		ops->propagate(parent, NULL);
	rb_insert_color(&w->rb, root, ops);
}

/* The k-th smallest node (from 0), in O(log n) through the sizes. */
static struct weighed *weighed_select(const struct rb_root *root, unsigned k)
{
	struct rb_node *n = root->node;

	while (n) {
		unsigned left = n->left ? weighed_of(n->left)->size : 0;
		if (k < left) {
			n = n->left;
		} else if (k == left) {
			return weighed_of(n);
		} else {
			k -= left + 1;
			n = n->right;
		}
	}
	return NULL;
}

/* Asserts every max_weight, and every size if with_size, against a
 * recomputation from scratch; returns the subtree's size, and its max
 * weight through *max. */
static unsigned check_weighed(struct rb_node *n, unsigned *max, bool with_size, int step)
{
	unsigned lmax = 0, rmax = 0, size;

	if (!n) {
		*max = 0;
		return 0;
	}
	size = 1 + check_weighed(n->left, &lmax, with_size, step) +
	       check_weighed(n->right, &rmax, with_size, step);
	*max = MAX(weighed_of(n)->weight, MAX(lmax, rmax));
	if (with_size)
		cr_assert_eq(weighed_of(n)->size, size, "step %d: size of %d", step,
			     weighed_of(n)->key);
	cr_assert_eq(weighed_of(n)->max_weight, *max, "step %d: max weight of %d", step,
		     weighed_of(n)->key);
	return size;
}

static void weighed_randomized(const struct rb_augment_ops *ops, bool with_size, u64 seed)
{
	enum { KEYS = 512, STEPS = 20000 };
	struct rb_root root = RB_ROOT_INIT;
	struct weighed *w = calloc(KEYS, sizeof(*w));
	bool present[KEYS] = {false};
	unsigned n = 0, max;

	rng_seed(seed);
	for (int step = 0; step < STEPS; step++) {
		int key = (int)rng_below(KEYS);

		if (present[key]) {
			rb_erase(&w[key].rb, &root, ops);
			n--;
		} else {
			w[key].key = key;
			w[key].weight = (unsigned)rng_below(1000);
			weighed_insert(&root, &w[key], ops);
			n++;
		}
		present[key] = !present[key];
		cr_assert(rb_validate(&root), "step %d", step);
		cr_assert_eq(check_weighed(root.node, &max, with_size, step), n);
		if (!with_size)
			continue;

		/* the k-th node by size agrees with the k-th present key */
		unsigned k = n ? (unsigned)rng_below(n) : 0, seen = 0;
		for (int i = 0; n && i < KEYS; i++) {
			if (present[i] && seen++ == k) {
				cr_assert_eq(weighed_select(&root, k), &w[i], "step %d", step);
				break;
			}
		}
	}
	free(w);
}

Test(rbtree_augmented, subtree_size_and_max_without_caller_fixups)
{
	weighed_randomized(&weighed_ops_full, /*with_size=*/true, 101);
}

Test(rbtree_augmented, subtree_size_and_max_without_caller_fixups_early_stop)
{
	weighed_randomized(&weighed_ops_lazy, /*with_size=*/true, 102);
}

Test(rbtree_augmented, subtree_max_alone_with_early_stop)
{
	weighed_randomized(&heaviest_ops_lazy, /*with_size=*/false, 103);
}
