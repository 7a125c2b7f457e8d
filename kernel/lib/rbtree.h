/* Intrusive red-black trees, optionally augmented.
 *
 * The tree never compares keys: the caller embeds a struct rb_node in its
 * own structure, walks down from the root with its own comparison to find
 * the empty link where the new node belongs, links it there with
 * rb_link_node(), and then calls rb_insert_color() to rebalance. This keeps
 * the tree free of callbacks on the hot path and lets each user keep its
 * own key type (an address range for VMAs).
 *
 *	struct rb_node **link = &root->node, *parent = NULL;
 *	while (*link) {
 *		parent = *link;
 *		link = key < entry(parent)->key ? &parent->left : &parent->right;
 *	}
 *	rb_link_node(&new->rb, parent, link);
 *	rb_insert_color(&new->rb, root, NULL);
 *
 * Augmentation. A user may keep a per-node value that summarises the node's
 * whole subtree (for VMAs: a bound on the free gaps below the node). The tree
 * cannot compute it, so rebalancing tells the user what moved through a
 * struct rb_augment_ops; see there for the exact contract.
 *
 * Invariants (CLRS 13.1): every node is red or black; the root is black; a
 * red node has no red child; every path from a node down to an empty link
 * passes the same number of black nodes. Hence the height is at most
 * 2 log2(n + 1) and every operation here is O(log n).
 *
 * Locking is the caller's: nothing here sleeps, allocates or takes a lock.
 * The code is freestanding C and also builds on the host for unit tests. */
#ifndef KERNEL_LIB_RBTREE_H
#define KERNEL_LIB_RBTREE_H

#include "kernel/types.h"

/* parent_color packs the parent pointer and the colour in its lowest bit,
 * which is free because nodes are at least pointer-aligned. The root's
 * parent is NULL. A node that is in no tree points to itself (see
 * rb_clear_node) so that a stray use can be detected. */
struct rb_node {
	uintptr_t parent_color;
	struct rb_node *left, *right;
};

struct rb_root {
	struct rb_node *node; /* NULL when the tree is empty */
};

/* clang-format off */
#define RB_ROOT_INIT {NULL}
/* clang-format on */

enum rb_color {
	RB_RED = 0,
	RB_BLACK = 1,
};

/* Callbacks that keep an augmented per-subtree value right. A value is
 * "right" when it equals what the user would compute from the node's own
 * data and its children's values. All three slots are required when ops are
 * given; pass NULL ops for a plain tree. (A value that need only bound its
 * subtree from one side, such as the VMAs' gap bound, may ignore
 * propagate: a subtree that lost a node is still within its bound.)
 *
 * Before rb_insert_color() and before changing a node's own data, making
 * the values right again is the caller's job (usually: set the node's
 * value, then propagate(parent, NULL)). The tree keeps them right through
 * its own restructuring, by these calls: */
struct rb_augment_ops {
	/* Recompute the value of node, then of its parent, and so on upwards,
	 * stopping before stop (NULL: go through the root). It may stop early
	 * once a recomputed value equals the stored one, because then nothing
	 * above it can change. */
	void (*propagate)(struct rb_node *node, struct rb_node *stop);
	/* to has just taken from's place in the tree (erase moves a node's
	 * successor up into its slot): copy from's value to to. The tree then
	 * propagates from below to and through to itself. */
	void (*copy)(struct rb_node *from, struct rb_node *to);
	/* A rotation moved new_top up into old_top's place and made old_top
	 * its child: new_top now covers exactly the nodes old_top covered, so
	 * it takes old_top's value, and old_top must be recomputed from its
	 * new children. */
	void (*rotate)(struct rb_node *old_top, struct rb_node *new_top);
};

#define rb_entry(ptr, type, member) container_of(ptr, type, member)
/* Like rb_entry but maps NULL to NULL, for the results of rb_next etc. */
#define rb_entry_or_null(ptr, type, member)                                                        \
	({                                                                                         \
		struct rb_node *rb_eon_ = (ptr);                                                   \
		rb_eon_ ? rb_entry(rb_eon_, type, member) : NULL;                                  \
	})

static inline struct rb_node *rb_parent(const struct rb_node *n)
{
	return (struct rb_node *)(n->parent_color & ~(uintptr_t)1);
}

static inline enum rb_color rb_color(const struct rb_node *n)
{
	return (enum rb_color)(n->parent_color & 1);
}

static inline bool rb_is_red(const struct rb_node *n)
{
	return n && rb_color(n) == RB_RED;
}
static inline bool rb_empty(const struct rb_root *root)
{
	return root->node == NULL;
}

/* Marks n as "in no tree". rb_erase() does this to the node it removes. */
static inline void rb_clear_node(struct rb_node *n)
{
	n->parent_color = (uintptr_t)n;
}
static inline bool rb_node_is_linked(const struct rb_node *n)
{
	return n->parent_color != (uintptr_t)n;
}

/* Puts node, red and childless, into the empty link *link under parent
 * (NULL parent with link == &root->node for the first node). The tree is
 * unbalanced until rb_insert_color() is called. */
static inline void rb_link_node(struct rb_node *node, struct rb_node *parent, struct rb_node **link)
{
	node->parent_color = (uintptr_t)parent | RB_RED;
	node->left = node->right = NULL;
	*link = node;
}

/* Rebalances after rb_link_node(). aug may be NULL; if given, the caller
 * has already made the augmented values right for the tree with node in
 * it. */
void rb_insert_color(struct rb_node *node, struct rb_root *root, const struct rb_augment_ops *aug);

/* Removes node from the tree and rebalances; node is left "clear" (see
 * rb_clear_node). aug may be NULL; if given, values stay right for every
 * remaining node, except that the caller must still update the nodes whose
 * own data depended on node (for VMAs: the successor's gap). */
void rb_erase(struct rb_node *node, struct rb_root *root, const struct rb_augment_ops *aug);

/* In-order walk: smallest, largest, next larger, next smaller. NULL at the
 * ends or for an empty tree. */
struct rb_node *rb_first(const struct rb_root *root);
struct rb_node *rb_last(const struct rb_root *root);
struct rb_node *rb_next(const struct rb_node *node);
struct rb_node *rb_prev(const struct rb_node *node);

/* Post-order walk (children before parents), for tearing a whole tree down
 * without rebalancing: rb_next_postorder() never looks at node's children,
 * so node may be freed once its successor has been fetched. The tree is
 * garbage afterwards; reset the root to RB_ROOT_INIT. */
struct rb_node *rb_first_postorder(const struct rb_root *root);
struct rb_node *rb_next_postorder(const struct rb_node *node);

/* Checks the red-black invariants and that every parent pointer matches:
 * true if the tree is well formed. O(n); for debug checks and tests. */
bool rb_validate(const struct rb_root *root);

#endif
