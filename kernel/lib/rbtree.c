/* Red-black tree rebalancing (CLRS chapter 13), for intrusive nodes.
 *
 * The textbook writes every case twice, once for a node that is a left
 * child and once, mirrored, for a right child. Here the two mirrored
 * versions are one piece of code with a direction: dir is the side the
 * interesting node hangs on, and !dir the other side. */
#include "kernel/lib/rbtree.h"

enum rb_dir {
	RB_LEFT = 0,
	RB_RIGHT = 1,
};

static inline struct rb_node **rb_child(struct rb_node *n, enum rb_dir dir)
{
	return dir == RB_LEFT ? &n->left : &n->right;
}

static inline enum rb_dir rb_other(enum rb_dir dir)
{
	return dir == RB_LEFT ? RB_RIGHT : RB_LEFT;
}

/* Which side of parent child hangs on. child may be NULL, as long as
 * parent's other side is not. */
static inline enum rb_dir rb_side(const struct rb_node *parent, const struct rb_node *child)
{
	return parent->left == child ? RB_LEFT : RB_RIGHT;
}

static inline void rb_set_parent(struct rb_node *n, struct rb_node *parent)
{
	n->parent_color = (uintptr_t)parent | rb_color(n);
}

static inline void rb_set_color(struct rb_node *n, enum rb_color color)
{
	n->parent_color = (uintptr_t)rb_parent(n) | color;
}

/* Makes parent point to new instead of old (parent NULL: old was the
 * root). Does not touch new's own parent pointer. */
static void rb_replace_child(struct rb_node *parent, struct rb_node *old, struct rb_node *new,
			     struct rb_root *root)
{
	if (!parent)
		root->node = new;
	else
		*rb_child(parent, rb_side(parent, old)) = new;
}

/* Rotates top down towards dir: its child on the other side rises into
 * its place and top becomes that child's dir-side child. The subtree in
 * between (the risen node's inner child) moves across to top. Colours are
 * unchanged; in-order is unchanged.
 *
 *	  top                  up           (dir = RB_LEFT, i.e. CLRS
 *	 /   \               /    \          LEFT-ROTATE(top))
 *	a     up     =>    top     c
 *	     /  \         /   \
 *	  inner  c       a   inner
 */
static void rb_rotate(struct rb_node *top, enum rb_dir dir, struct rb_root *root,
		      const struct rb_augment_ops *aug)
{
	enum rb_dir other = rb_other(dir);
	struct rb_node *up = *rb_child(top, other);
	struct rb_node *inner = *rb_child(up, dir);
	struct rb_node *parent = rb_parent(top);

	*rb_child(top, other) = inner;
	if (inner)
		rb_set_parent(inner, top);

	rb_replace_child(parent, top, up, root);
	rb_set_parent(up, parent);

	*rb_child(up, dir) = top;
	rb_set_parent(top, up);

	if (aug)
		aug->rotate(top, up);
}

/* CLRS RB-INSERT-FIXUP. node is red; the only possible violation is that
 * its parent is red too (or that node is a red root). */
void rb_insert_color(struct rb_node *node, struct rb_root *root, const struct rb_augment_ops *aug)
{
	struct rb_node *parent;

	while ((parent = rb_parent(node)) && rb_is_red(parent)) {
		/* A red parent is not the root, so the grandparent exists,
		 * and it is black. */
		struct rb_node *gparent = rb_parent(parent);
		enum rb_dir dir = rb_side(gparent, parent);
		struct rb_node *uncle = *rb_child(gparent, rb_other(dir));

		if (rb_is_red(uncle)) {
			/* Case 1: push the grandparent's black down to both
			 * children; the grandparent may now clash with its
			 * own parent, so continue from there. */
			rb_set_color(parent, RB_BLACK);
			rb_set_color(uncle, RB_BLACK);
			rb_set_color(gparent, RB_RED);
			node = gparent;
			continue;
		}

		if (node == *rb_child(parent, rb_other(dir))) {
			/* Case 2: node is an inner grandchild. Rotate it up
			 * over its parent so that the red pair lines up on
			 * the outside, which is case 3. */
			rb_rotate(parent, dir, root, aug);
			node = parent;
			parent = rb_parent(node);
		}

		/* Case 3: node is an outer grandchild. Rotating the
		 * grandparent away lifts the red parent into its place;
		 * recoloured black, it ends the walk. */
		rb_set_color(parent, RB_BLACK);
		rb_set_color(gparent, RB_RED);
		rb_rotate(gparent, rb_other(dir), root, aug);
		break;
	}
	rb_set_color(root->node, RB_BLACK);
}

/* CLRS RB-DELETE-FIXUP. A black node was removed from above x, so every
 * path through x is one black short ("x carries an extra black"). x may be
 * NULL (an empty link), which is why its parent is passed explicitly. */
static void rb_erase_fixup(struct rb_node *x, struct rb_node *parent, struct rb_root *root,
			   const struct rb_augment_ops *aug)
{
	while (x != root->node && !rb_is_red(x)) {
		enum rb_dir dir = rb_side(parent, x);
		enum rb_dir other = rb_other(dir);
		/* x's side is short of black, so the sibling's side has at
		 * least one black node: the sibling exists. */
		struct rb_node *sibling = *rb_child(parent, other);

		if (rb_is_red(sibling)) {
			/* Case 1: make the sibling black by rotating the
			 * red one above the parent; the new sibling is one
			 * of its black children. */
			rb_set_color(sibling, RB_BLACK);
			rb_set_color(parent, RB_RED);
			rb_rotate(parent, dir, root, aug);
			sibling = *rb_child(parent, other);
		}

		if (!rb_is_red(sibling->left) && !rb_is_red(sibling->right)) {
			/* Case 2: take one black off both sides by making
			 * the sibling red; the parent now carries the extra
			 * black, and is done if it is red. */
			rb_set_color(sibling, RB_RED);
			x = parent;
			parent = rb_parent(x);
			continue;
		}

		if (!rb_is_red(*rb_child(sibling, other))) {
			/* Case 3: only the sibling's near child is red.
			 * Rotate it up into the sibling's place, giving a
			 * sibling whose far child is red: case 4. */
			rb_set_color(*rb_child(sibling, dir), RB_BLACK);
			rb_set_color(sibling, RB_RED);
			rb_rotate(sibling, other, root, aug);
			sibling = *rb_child(parent, other);
		}

		/* Case 4: the sibling's far child is red. Rotating the
		 * parent down onto x's side adds a black above x, while the
		 * far child, turned black, keeps the other side's count. */
		rb_set_color(sibling, rb_color(parent));
		rb_set_color(parent, RB_BLACK);
		rb_set_color(*rb_child(sibling, other), RB_BLACK);
		rb_rotate(parent, dir, root, aug);
		x = root->node;
		break;
	}
	if (x)
		rb_set_color(x, RB_BLACK);
}

void rb_erase(struct rb_node *node, struct rb_root *root, const struct rb_augment_ops *aug)
{
	/* The node that actually leaves its position is node itself if it
	 * has at most one child, otherwise its successor, which moves into
	 * node's place. child is what moves up into the vacated position;
	 * parent is child's parent afterwards. */
	struct rb_node *child, *parent;
	enum rb_color removed_color;

	if (!node->left || !node->right) {
		child = node->left ? node->left : node->right;
		parent = rb_parent(node);
		removed_color = rb_color(node);

		rb_replace_child(parent, node, child, root);
		if (child)
			rb_set_parent(child, parent);
		if (aug && parent)
			aug->propagate(parent, NULL);
	} else {
		/* The successor is the leftmost node of the right subtree,
		 * so it has no left child. */
		struct rb_node *succ = node->right;

		while (succ->left)
			succ = succ->left;
		child = succ->right;
		removed_color = rb_color(succ);

		if (succ == node->right) {
			/* succ rises one level and keeps its right
			 * subtree. */
			parent = succ;
		} else {
			/* Unhook succ, leaving its right subtree in its
			 * place, then give it node's right subtree. */
			parent = rb_parent(succ);
			parent->left = child;
			if (child)
				rb_set_parent(child, parent);
			succ->right = node->right;
			rb_set_parent(node->right, succ);
		}
		succ->left = node->left;
		rb_set_parent(node->left, succ);
		rb_replace_child(rb_parent(node), node, succ, root);
		/* succ takes over node's parent and colour. */
		succ->parent_color = node->parent_color;

		if (aug) {
			/* succ's old value is stale now. Starting it from
			 * node's old value lets a propagate that stops early
			 * stay correct: everything between parent and succ
			 * lost only succ, and succ's slot lost only node. */
			aug->copy(node, succ);
			if (parent != succ)
				aug->propagate(parent, succ);
			aug->propagate(succ, NULL);
		}
	}

	if (removed_color == RB_BLACK)
		rb_erase_fixup(child, parent, root, aug);
	rb_clear_node(node);
}

static struct rb_node *rb_outermost(struct rb_node *n, enum rb_dir dir)
{
	if (n)
		while (*rb_child(n, dir))
			n = *rb_child(n, dir);
	return n;
}

/* The in-order neighbour of node in direction dir: the outermost node of
 * that subtree if there is one, else the first ancestor that node's
 * subtree hangs on the opposite side of. */
static struct rb_node *rb_step(const struct rb_node *node, enum rb_dir dir)
{
	struct rb_node *n = (struct rb_node *)node;
	struct rb_node *parent;

	if (*rb_child(n, dir))
		return rb_outermost(*rb_child(n, dir), rb_other(dir));
	while ((parent = rb_parent(n)) && n == *rb_child(parent, dir))
		n = parent;
	return parent;
}

struct rb_node *rb_first(const struct rb_root *root)
{
	return rb_outermost(root->node, RB_LEFT);
}
struct rb_node *rb_last(const struct rb_root *root)
{
	return rb_outermost(root->node, RB_RIGHT);
}
struct rb_node *rb_next(const struct rb_node *node)
{
	return rb_step(node, RB_RIGHT);
}
struct rb_node *rb_prev(const struct rb_node *node)
{
	return rb_step(node, RB_LEFT);
}

/* The first node in post-order below n: go down, preferring the left,
 * until reaching a leaf. */
static struct rb_node *rb_deepest_leftmost(struct rb_node *n)
{
	for (;;) {
		if (n->left)
			n = n->left;
		else if (n->right)
			n = n->right;
		else
			return n;
	}
}

struct rb_node *rb_first_postorder(const struct rb_root *root)
{
	return root->node ? rb_deepest_leftmost(root->node) : NULL;
}

struct rb_node *rb_next_postorder(const struct rb_node *node)
{
	struct rb_node *parent = rb_parent(node);

	/* After a left subtree comes the right subtree, if any; after a
	 * right subtree (or a left one with no right sibling), the parent. */
	if (parent && node == parent->left && parent->right)
		return rb_deepest_leftmost(parent->right);
	return parent;
}

/* Returns the black height of the subtree at n (empty links count 0), or
 * -1 if the subtree breaks an invariant or does not point back to parent.
 * Recursion depth is the tree height, at most 2 log2(n + 1). */
static int rb_check_subtree(const struct rb_node *n, const struct rb_node *parent)
{
	int left, right;

	if (!n)
		return 0;
	if (rb_parent(n) != parent)
		return -1;
	if (rb_is_red(n) && (rb_is_red(n->left) || rb_is_red(n->right)))
		return -1;
	left = rb_check_subtree(n->left, n);
	right = rb_check_subtree(n->right, n);
	if (left < 0 || right < 0 || left != right)
		return -1;
	return left + (rb_color(n) == RB_BLACK);
}

bool rb_validate(const struct rb_root *root)
{
	if (root->node && rb_is_red(root->node))
		return false;
	return rb_check_subtree(root->node, NULL) >= 0;
}
