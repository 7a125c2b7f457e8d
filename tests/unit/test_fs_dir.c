/* Specification of kernel/fs/dir.c, a directory's entries: lookup by
 * name through the hash, read() order through the slots, holes refilled
 * by new names, tables returned when the directory empties and shrunk
 * when it shrinks, and no leak when memory runs out. */
#include "tests/unit/fs_host.h"

#include "kernel/fs/dir.c"

/* Stand-in inodes: only their addresses matter here. */
static struct inode inodes[2000];

static const char *name_of(int i, char *buf)
{
	snprintf(buf, 32, "file-%d", i);
	return buf;
}

static void add(struct dir *d, int i)
{
	char buf[32];

	name_of(i, buf);
	cr_assert_eq(dir_add(d, buf, strlen(buf), &inodes[i]), 0, "add %s", buf);
}

static struct dentry *find(struct dir *d, int i)
{
	char buf[32];

	name_of(i, buf);
	return dir_lookup(d, buf, strlen(buf));
}

Test(dir, an_empty_directory_has_nothing)
{
	struct dir d = {0};
	u32 pos = 0;

	cr_assert_null(dir_lookup(&d, "x", 1));
	cr_assert_null(dir_next(&d, &pos));
	cr_assert_null(dir_find_inode(&d, &inodes[0]));
	dir_free(&d);
	cr_assert_eq(fs_host_objs, 0);
}

Test(dir, names_are_found_exactly)
{
	struct dir d = {0};
	struct dentry *de;

	cr_assert_eq(dir_add(&d, "abc", 3, &inodes[1]), 0);
	cr_assert_eq(dir_add(&d, "abcd", 4, &inodes[2]), 0);
	de = dir_lookup(&d, "abc", 3);
	cr_assert_not_null(de);
	cr_assert_eq(de->ip, &inodes[1]);
	cr_assert_eq(dir_lookup(&d, "abcd", 4)->ip, &inodes[2]);
	cr_assert_null(dir_lookup(&d, "ab", 2));
	cr_assert_null(dir_lookup(&d, "abd", 3));
	cr_assert_eq(dir_lookup(&d, "abcdef", 3)->ip, &inodes[1], "only len bytes count");
	cr_assert_eq(dir_find_inode(&d, &inodes[2]), dir_lookup(&d, "abcd", 4));
	dir_free(&d);
	cr_assert_eq(fs_host_objs, 0);
}

Test(dir, long_names_up_to_255_bytes)
{
	struct dir d = {0};
	char a[256], b[256];

	memset(a, 'a', 255);
	memcpy(b, a, 255);
	b[254] = 'b';
	cr_assert_eq(dir_add(&d, a, 255, &inodes[1]), 0);
	cr_assert_eq(dir_add(&d, b, 255, &inodes[2]), 0);
	cr_assert_eq(dir_lookup(&d, a, 255)->ip, &inodes[1]);
	cr_assert_eq(dir_lookup(&d, b, 255)->ip, &inodes[2]);
	dir_free(&d);
}

Test(dir, two_thousand_entries_in_creation_order)
{
	struct dir d = {0};
	struct dentry *de;
	u32 pos = 0;
	int n = 0;

	for (int i = 0; i < 2000; i++)
		add(&d, i);
	cr_assert_eq(d.nlive, 2000);
	cr_assert_geq(d.nbuckets, 1024, "the hash table grows with the directory");
	for (int i = 0; i < 2000; i++)
		cr_assert_eq(find(&d, i)->ip, &inodes[i]);
	while ((de = dir_next(&d, &pos)) != NULL) {
		cr_assert_eq(de->ip, &inodes[n], "slot order is creation order");
		n++;
	}
	cr_assert_eq(n, 2000);
	dir_free(&d);
	cr_assert_eq(fs_host_objs, 0);
}

/* ABCDEFGH -> A.C.E.G. -> AxCyEzG. : new names fill the holes, lowest first */
Test(dir, removal_leaves_holes_that_new_names_fill)
{
	struct dir d = {0};
	struct dentry *de;
	u32 pos = 0;

	for (int i = 0; i < 8; i++)
		add(&d, i);
	for (int i = 1; i < 8; i += 2)
		dir_remove(&d, find(&d, i));
	cr_assert_eq(d.nlive, 4);
	cr_assert_eq(d.nslots, 7, "the trailing hole is trimmed");
	for (int i = 1; i < 8; i += 2)
		cr_assert_null(find(&d, i));
	for (int i = 0; i < 8; i += 2)
		cr_assert_eq(find(&d, i)->ip, &inodes[i]);

	add(&d, 100);
	add(&d, 101);
	add(&d, 102);
	cr_assert_eq(find(&d, 100)->slot, 1);
	cr_assert_eq(find(&d, 101)->slot, 3);
	cr_assert_eq(find(&d, 102)->slot, 5);
	cr_assert_eq(d.nslots, 7);

	/* A reader between two calls resumes where it stopped. */
	de = dir_next(&d, &pos);
	cr_assert_eq(de->ip, &inodes[0]);
	cr_assert_eq(pos, 1);
	de = dir_next(&d, &pos);
	cr_assert_eq(de->ip, &inodes[100]);
	dir_free(&d);
	cr_assert_eq(fs_host_objs, 0);
}

Test(dir, an_emptied_directory_gives_its_tables_back)
{
	struct dir d = {0};

	for (int i = 0; i < 300; i++)
		add(&d, i);
	for (int i = 299; i >= 0; i--)
		dir_remove(&d, find(&d, i));
	cr_assert_eq(d.nlive, 0);
	cr_assert_eq(d.nslots, 0);
	cr_assert_eq(fs_host_objs, 0, "no tables are kept for an empty directory");
	add(&d, 7);
	cr_assert_eq(find(&d, 7)->ip, &inodes[7]);
	dir_free(&d);
	cr_assert_eq(fs_host_objs, 0);
}

Test(dir, a_shrunk_directory_gives_its_big_tables_back)
{
	struct dir d = {0};
	struct dentry *de;
	u32 pos = 0;

	for (int i = 0; i < 1000; i++)
		add(&d, i);
	cr_assert_eq(d.cap, 1024);
	cr_assert_eq(d.nbuckets, 1024);
	for (int i = 999; i >= 5; i--)
		dir_remove(&d, find(&d, i));
	cr_assert_eq(d.nslots, 5);
	cr_assert_leq(d.cap, 32, "slots: %u", d.cap);
	cr_assert_leq(d.nbuckets, 32, "buckets: %u", d.nbuckets);
	for (int i = 0; i < 5; i++)
		cr_assert_eq(find(&d, i)->ip, &inodes[i], "still found");
	de = dir_next(&d, &pos);
	cr_assert_eq(de->ip, &inodes[0], "read() order kept");
	dir_free(&d);
	cr_assert_eq(fs_host_objs, 0);
}

Test(dir, a_shrink_without_memory_keeps_the_big_tables)
{
	/* Down to 16 of 64, a removal halves the slots, then the buckets:
	 * make the first allocation fail, then the second. */
	for (long fail = 0; fail < 2; fail++) {
		struct dir d = {0};

		for (int i = 0; i < 64; i++)
			add(&d, i);
		for (int i = 63; i > 16; i--)
			dir_remove(&d, find(&d, i));
		cr_assert_eq(d.cap, 64);
		cr_assert_eq(d.nbuckets, 64);
		fs_host_fail_after(fail);
		dir_remove(&d, find(&d, 16));
		fs_host_fail_never();
		cr_assert_eq(d.cap, fail == 0 ? 64 : 32);
		cr_assert_eq(d.nbuckets, fail == 0 ? 32 : 64);
		for (int i = 0; i < 16; i++)
			cr_assert_eq(find(&d, i)->ip, &inodes[i]);
		dir_free(&d);
		cr_assert_eq(fs_host_objs, 0);
	}
}

Test(dir, the_last_entry_going_shrinks_the_slots_at_once)
{
	struct dir d = {0};

	for (int i = 0; i < 1000; i++)
		add(&d, i);
	for (int i = 1; i < 1000; i++)
		dir_remove(&d, find(&d, i));
	cr_assert_eq(d.nslots, 1);
	cr_assert_eq(d.cap, DIR_MIN_SLOTS);
	cr_assert_eq(d.nbuckets, DIR_MIN_BUCKETS);
	dir_free(&d);
	cr_assert_eq(fs_host_objs, 0);
}

Test(dir, holes_keep_the_slots_they_need)
{
	struct dir d = {0};
	u32 pos = 999;

	for (int i = 0; i < 1000; i++)
		add(&d, i);
	for (int i = 0; i < 999; i++)
		dir_remove(&d, find(&d, i));
	cr_assert_eq(d.nslots, 1000, "the last entry keeps its position");
	cr_assert_eq(dir_next(&d, &pos)->ip, &inodes[999]);
	cr_assert_leq(d.nbuckets, 32, "buckets: %u", d.nbuckets);
	dir_free(&d);
	cr_assert_eq(fs_host_objs, 0);
}

Test(dir, out_of_memory_fails_cleanly)
{
	/* Adding the 9th entry grows the buckets, the slots and makes the
	 * dentry: make each fail in turn. */
	for (long fail = 0; fail < 4; fail++) {
		struct dir d = {0};
		int err;

		for (int i = 0; i < 8; i++)
			add(&d, i);
		fs_host_fail_after(fail);
		err = dir_add(&d, "extra", 5, &inodes[9]);
		fs_host_fail_never();
		if (fail == 0) {
			/* Without a bigger hash table the old one is used. */
			cr_assert_eq(err, 0);
		} else if (fail < 3) {
			cr_assert_eq(err, -ENOMEM, "allocation %ld fails", fail);
			cr_assert_null(dir_lookup(&d, "extra", 5));
			cr_assert_eq(d.nlive, 8);
		} else {
			cr_assert_eq(err, 0);
		}
		for (int i = 0; i < 8; i++)
			cr_assert_eq(find(&d, i)->ip, &inodes[i]);
		dir_free(&d);
		cr_assert_eq(fs_host_objs, 0);
	}
}

Test(dir, the_first_entry_needs_a_table)
{
	struct dir d = {0};

	fs_host_fail_after(0);
	cr_assert_eq(dir_add(&d, "a", 1, &inodes[0]), -ENOMEM);
	fs_host_fail_never();
	cr_assert_eq(fs_host_objs, 0);
}
