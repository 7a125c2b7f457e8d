/* A directory's entries. Two views of the same dentries: a slot array in
 * creation order, which gives read() a stable position to resume from,
 * and chained hash buckets, which make lookup O(1) however many entries
 * there are. A removed entry leaves a hole in the slot array that the next
 * new name fills; trailing holes are trimmed. Both tables double when full
 * and shrink when three quarters empty, so a directory that shrinks gives
 * its memory back. Callers hold fs_ns_lock. */
#include "include/uapi/errno.h"
#include "kernel/fs/ramfs.h"
#include "kernel/lib/string.h"
#include "kernel/mm/kmalloc.h"

#define DIR_MIN_SLOTS	8
#define DIR_MIN_BUCKETS 8

/* FNV-1a: cheap, and it spreads the short, similar names directories hold. */
static u32 dir_hash(const char *name, size_t len)
{
	u32 h = 2166136261u;

	for (size_t i = 0; i < len; i++) {
		h ^= (u8)name[i];
		h *= 16777619u;
	}
	return h;
}

static struct dentry **dir_bucket(const struct dir *d, u32 hash)
{
	return &d->buckets[hash & (d->nbuckets - 1)];
}

struct dentry *dir_lookup(const struct dir *d, const char *name, size_t len)
{
	u32 hash;

	if (!d->nbuckets)
		return NULL;
	hash = dir_hash(name, len);
	for (struct dentry *de = *dir_bucket(d, hash); de; de = de->hnext)
		if (de->hash == hash && de->len == len && memcmp(de->name, name, len) == 0)
			return de;
	return NULL;
}

/* Moves every entry into a table of nbuckets chains. If memory is short
 * the old table stays: lookups only get slower. */
static void dir_rehash(struct dir *d, u32 nbuckets)
{
	struct dentry **buckets = kzalloc(nbuckets * sizeof(*buckets));

	if (!buckets)
		return;
	for (u32 i = 0; i < d->nslots; i++) {
		struct dentry *de = d->slots[i];
		struct dentry **b;

		if (!de)
			continue;
		b = &buckets[de->hash & (nbuckets - 1)];
		de->hnext = *b;
		*b = de;
	}
	kfree(d->buckets);
	d->buckets = buckets;
	d->nbuckets = nbuckets;
}

/* Moves the used slots into an array of cap slots; 0 or -ENOMEM (the old
 * array stays). */
static int dir_resize_slots(struct dir *d, u32 cap)
{
	struct dentry **slots = kmalloc(cap * sizeof(*slots));

	if (!slots)
		return -ENOMEM;
	if (d->nslots)
		memcpy(slots, d->slots, d->nslots * sizeof(*slots));
	kfree(d->slots);
	d->slots = slots;
	d->cap = cap;
	return 0;
}

/* Makes room for one more slot at the end; 0 or -ENOMEM. */
static int dir_grow_slots(struct dir *d)
{
	if (d->nslots < d->cap)
		return 0;
	return dir_resize_slots(d, d->cap ? d->cap * 2 : DIR_MIN_SLOTS);
}

/* The size, from size down, that a table holding n entries shrinks to:
 * halved while three quarters of it would be empty, but not below min. */
static u32 dir_shrunk_size(u32 size, u32 n, u32 min)
{
	while (size > min && n <= size / 4)
		size /= 2;
	return size;
}

/* After a removal: shrinks a table that is three quarters empty. Slots
 * keep their indices (read() positions), as only trailing ones go; many
 * may go at once when the last entry does. If memory is short, the bigger
 * table stays. */
static void dir_shrink_tables(struct dir *d)
{
	u32 cap = dir_shrunk_size(d->cap, d->nslots, DIR_MIN_SLOTS),
	    nbuckets = dir_shrunk_size(d->nbuckets, d->nlive, DIR_MIN_BUCKETS);

	if (cap < d->cap)
		dir_resize_slots(d, cap);
	if (nbuckets < d->nbuckets)
		dir_rehash(d, nbuckets);
}

/* The slot a new entry takes: the first hole, else the end. */
static u32 dir_free_slot(struct dir *d)
{
	if (d->first_free > d->nslots)
		d->first_free = d->nslots;
	while (d->first_free < d->nslots && d->slots[d->first_free])
		d->first_free++;
	return d->first_free;
}

/* An empty directory gives its tables back. */
static void dir_shrink_if_empty(struct dir *d)
{
	if (d->nlive)
		return;
	kfree(d->slots);
	kfree(d->buckets);
	d->slots = NULL;
	d->buckets = NULL;
	d->nslots = d->cap = d->nbuckets = d->first_free = 0;
}

int dir_add(struct dir *d, const char *name, size_t len, struct inode *ip)
{
	struct dentry *de, **b;
	u32 slot;

	if (d->nlive >= d->nbuckets)
		dir_rehash(d, d->nbuckets ? d->nbuckets * 2 : DIR_MIN_BUCKETS);
	if (!d->nbuckets)
		return -ENOMEM;
	slot = dir_free_slot(d);
	if (slot == d->nslots && dir_grow_slots(d) < 0)
		goto out_nomem;
	de = kmalloc(sizeof(*de) + len);
	if (!de)
		goto out_nomem;

	memcpy(de->name, name, len);
	de->len = len;
	de->ip = ip;
	de->hash = dir_hash(name, len);
	de->slot = slot;
	b = dir_bucket(d, de->hash);
	de->hnext = *b;
	*b = de;
	d->slots[slot] = de;
	if (slot == d->nslots)
		d->nslots++;
	d->first_free = slot + 1;
	d->nlive++;
	return 0;

out_nomem:
	dir_shrink_if_empty(d);
	return -ENOMEM;
}

void dir_remove(struct dir *d, struct dentry *de)
{
	struct dentry **pp = dir_bucket(d, de->hash);

	while (*pp != de)
		pp = &(*pp)->hnext;
	*pp = de->hnext;
	d->slots[de->slot] = NULL;
	if (de->slot < d->first_free)
		d->first_free = de->slot;
	while (d->nslots > 0 && !d->slots[d->nslots - 1])
		d->nslots--;
	d->nlive--;
	kfree(de);
	dir_shrink_if_empty(d);
	dir_shrink_tables(d);
}

struct dentry *dir_next(const struct dir *d, u32 *pos)
{
	while (*pos < d->nslots) {
		struct dentry *de = d->slots[(*pos)++];

		if (de)
			return de;
	}
	return NULL;
}

struct dentry *dir_find_inode(const struct dir *d, const struct inode *ip)
{
	for (u32 i = 0; i < d->nslots; i++)
		if (d->slots[i] && d->slots[i]->ip == ip)
			return d->slots[i];
	return NULL;
}

void dir_free(struct dir *d)
{
	for (u32 i = 0; i < d->nslots; i++)
		kfree(d->slots[i]);
	kfree(d->slots);
	kfree(d->buckets);
	d->slots = NULL;
	d->buckets = NULL;
	d->nslots = d->cap = d->nbuckets = d->nlive = d->first_free = 0;
}
