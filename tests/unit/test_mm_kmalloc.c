/* Specification of kmalloc (kernel/mm/kmalloc.c): power-of-two classes of
 * 16 to 2048 bytes carved out of one-page slabs, whole page runs above
 * that.
 *
 *   - an object of class c is c bytes, aligned to c, inside one page;
 *   - a class fills a slab before it takes another page;
 *   - a slab whose objects are all free goes back to the page allocator at
 *     once, so page_free_count() returns exactly to where it was;
 *   - kmalloc_usage counts the slabs' pages and the bytes handed out of
 *     them by class, so that free pages plus the slabs' unused space is
 *     exact even when objects that live on end up on other slab pages;
 *   - kzalloc zeroes; kfree(NULL) does nothing;
 *   - a size no page run can hold fails at once (sizes come from users). */
#include <criterion/criterion.h>
#include <signal.h>

#include "kernel/mm/kmalloc.h"
#include "kernel/mm/page.h"
#include "tests/unit/mm_host.h"
#include "tests/unit/mm_test.h"

static u64 free0;

static void setup(void)
{
	mm_host_boot(HOST_PHYS_PAGES);
	free0 = page_free_count();
}

static void teardown(void)
{
	mm_host_halt();
}

TestSuite(kmalloc, .init = setup, .fini = teardown);

#define EXPECT_NO_LEAK()                                                                           \
	cr_assert_eq(page_free_count(), free0, "%ld pages not given back",                         \
		     (long)(free0 - page_free_count()))

/* The class an allocation of size bytes falls in. */
static size_t class_size(size_t size)
{
	size_t c = 16;
	while (c < size)
		c *= 2;
	return c;
}

Test(kmalloc, every_size_class_is_aligned_to_its_size_within_one_page)
{
	for (size_t size = 1; size <= 2048; size++) {
		u8 *p = kmalloc(size);
		size_t c = class_size(size);

		cr_assert_not_null(p, "size %zu", size);
		cr_assert_eq((u64)p % c, 0, "size %zu at %p, class %zu", size, (void *)p, c);
		cr_assert_eq(PAGE_ROUND_DOWN((u64)p), PAGE_ROUND_DOWN((u64)p + c - 1));
		memset(p, 0x77, size);
		kfree(p);
		EXPECT_NO_LEAK();
	}
}

Test(kmalloc, zero_bytes_still_gives_a_distinct_object)
{
	void *a = kmalloc(0), *b = kmalloc(0);

	cr_assert_not_null(a);
	cr_assert_not_null(b);
	cr_assert_neq(a, b);
	kfree(a);
	kfree(b);
	EXPECT_NO_LEAK();
}

Test(kmalloc, a_class_fills_its_slab_before_taking_another_page)
{
	for (size_t c = 16; c <= 2048; c *= 2) {
		size_t per_slab = PAGE_SIZE / c;
		static void *objs[2 * PAGE_SIZE / 16 + 1];

		for (size_t i = 0; i < per_slab; i++)
			objs[i] = kmalloc(c);
		cr_assert_eq(page_free_count(), free0 - 1, "class %zu: %zu objects", c, per_slab);
		objs[per_slab] = kmalloc(c);
		cr_assert_eq(page_free_count(), free0 - 2, "class %zu: one more object", c);
		for (size_t i = 0; i <= per_slab; i++)
			kfree(objs[i]);
		EXPECT_NO_LEAK();
	}
}

Test(kmalloc, a_slab_goes_back_when_its_last_object_is_freed)
{
	void *objs[PAGE_SIZE / 64];

	for (size_t i = 0; i < ARRAY_SIZE(objs); i++)
		objs[i] = kmalloc(64);
	/* Free all but one: the slab stays. */
	for (size_t i = 1; i < ARRAY_SIZE(objs); i++)
		kfree(objs[i]);
	cr_assert_eq(page_free_count(), free0 - 1);
	kfree(objs[0]);
	EXPECT_NO_LEAK();
}

Test(kmalloc, a_freed_object_is_reused_before_a_new_slab)
{
	void *a = kmalloc(100), *b = kmalloc(100);
	kfree(a);
	void *c = kmalloc(128);

	cr_assert_eq(c, a, "same class, free object in a partial slab");
	kfree(b);
	kfree(c);
	EXPECT_NO_LEAK();
}

Test(kmalloc, large_allocations_take_whole_page_runs)
{
	static const struct {
		size_t size, pages;
	} cases[] = {{2049, 1}, {4096, 1},     {4097, 2},      {8192, 2},
		     {8193, 4}, {3 * 4096, 4}, {64 * 4096, 64}};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		u8 *p = kmalloc(cases[i].size);

		cr_assert_not_null(p, "size %zu", cases[i].size);
		cr_assert_eq((u64)p % PAGE_SIZE, 0);
		cr_assert_eq(page_free_count(), free0 - cases[i].pages, "size %zu", cases[i].size);
		memset(p, 0x31, cases[i].size);
		kfree(p);
		EXPECT_NO_LEAK();
	}
}

/* 10,000 live objects of random sizes, each filled with its own byte: no
 * two overlap, and freeing them in random order gives every page back. */
Test(kmalloc, many_objects_of_mixed_sizes)
{
	enum { N = 10000 };
	static u8 *objs[N];
	static size_t sizes[N];

	rng_seed(42);
	for (int i = 0; i < N; i++) {
		sizes[i] = 1 + rng_below(rng_below(8) == 0 ? 6000 : 300);
		objs[i] = kmalloc(sizes[i]);
		cr_assert_not_null(objs[i], "object %d of %zu bytes", i, sizes[i]);
		memset(objs[i], i & 0xff, sizes[i]);
	}
	for (int i = 0; i < N; i++)
		for (size_t k = 0; k < sizes[i]; k++)
			cr_assert_eq(objs[i][k], i & 0xff, "object %d overwritten at %zu", i, k);
	for (int i = N - 1; i > 0; i--) {
		int j = (int)rng_below((u64)i + 1);
		u8 *t = objs[i];
		objs[i] = objs[j];
		objs[j] = t;
	}
	for (int i = 0; i < N; i++)
		kfree(objs[i]);
	EXPECT_NO_LEAK();
}

/* Free memory as meminfo's MNEMO_FREE_BYTES counts it. */
static u64 free_bytes(void)
{
	struct kmalloc_usage u;

	kmalloc_usage(&u);
	return (page_free_count() + u.slab_pages) * PAGE_SIZE - u.object_bytes;
}

Test(kmalloc, usage_counts_slab_pages_and_class_bytes)
{
	struct kmalloc_usage u;
	void *a = kmalloc(40), *b = kmalloc(40), *c = kmalloc(2000), *big = kmalloc(5000);

	kmalloc_usage(&u);
	cr_assert_eq(u.slab_pages, 2, "one slab of 64-byte objects, one of 2048-byte ones");
	cr_assert_eq(u.object_bytes, 64 + 64 + 2048, "by class, not by request");
	kfree(a);
	kfree(b);
	kfree(c);
	kfree(big);
	kmalloc_usage(&u);
	cr_assert_eq(u.slab_pages, 0);
	cr_assert_eq(u.object_bytes, 0);
	EXPECT_NO_LEAK();
}

/* What made the system tests' page counts move with nothing leaked: a
 * long-lived object freed and made anew lands on a slab page of another
 * long-lived object, and its old page empties. One page more is free;
 * free memory is where it was. A real leak still shows, to the object. */
Test(kmalloc, free_bytes_are_exact_when_objects_move_between_slabs)
{
	enum { PER = PAGE_SIZE / 64 };
	static void *fill[2 * PER];
	void *keep, *moving;

	/* Two slabs: the first holds moving and a full load of others, the
	 * second keep and nothing else. */
	moving = kmalloc(64);
	for (int i = 0; i < PER - 1; i++)
		fill[i] = kmalloc(64);
	keep = kmalloc(64);
	for (int i = 0; i < PER - 1; i++)
		kfree(fill[i]);
	u64 pages0 = page_free_count(), bytes0 = free_bytes();

	kfree(moving); /* its slab empties and goes */
	moving = kmalloc(64);
	cr_assert_eq(page_free_count(), pages0 + 1, "the new object shares keep's slab");
	cr_assert_eq(free_bytes(), bytes0, "nothing leaked, to the byte");
	void *leak = kmalloc(16);
	cr_assert_eq(free_bytes(), bytes0 - 16, "a 16-byte leak shows");
	kfree(leak);
	kfree(moving);
	kfree(keep);
	EXPECT_NO_LEAK();
}

Test(kmalloc, kzalloc_zeroes_reused_memory)
{
	for (size_t size = 8; size <= 8192; size *= 2) {
		u8 *p = kmalloc(size);
		memset(p, 0xff, size);
		kfree(p);
		u8 *z = kzalloc(size);
		cr_assert_eq(z, p, "size %zu: expected the object just freed", size);
		for (size_t i = 0; i < size; i++)
			cr_assert_eq(z[i], 0, "size %zu: byte %zu", size, i);
		kfree(z);
	}
	EXPECT_NO_LEAK();
}

Test(kmalloc, sizes_beyond_the_largest_run_fail_at_once)
{
	cr_assert_null(kmalloc((PAGE_SIZE << PAGE_MAX_ORDER) + 1));
	cr_assert_null(kmalloc(~(size_t)0));
	cr_assert_null(kmalloc((size_t)1 << 63));
	EXPECT_NO_LEAK();
	void *p = kmalloc(PAGE_SIZE << PAGE_MAX_ORDER);
	cr_assert_not_null(p, "the largest run itself is fine");
	kfree(p);
	EXPECT_NO_LEAK();
}

Test(kmalloc, kfree_of_null_does_nothing)
{
	kfree(NULL);
	EXPECT_NO_LEAK();
}

Test(kmalloc, out_of_pages_gives_null_and_recovers)
{
	static void *objs[HOST_PHYS_PAGES * 2];
	size_t n = 0;
	void *p;

	while ((p = kmalloc(2048)))
		objs[n++] = p;
	cr_assert_eq(n, 2 * free0);
	cr_assert_null(kmalloc(16), "a new class needs a page too");
	cr_assert_null(kmalloc(5000));
	kfree(objs[0]);
	cr_assert_eq(kmalloc(2048), objs[0]);
	for (size_t i = 0; i < n; i++)
		kfree(objs[i]);
	EXPECT_NO_LEAK();
	p = kmalloc(16);
	cr_assert_not_null(p);
	kfree(p);
}

/* Memory written after it was freed, or freed twice, is said at once with
 * its reason rather than found later as a wild pointer. */
Test(kmalloc, a_double_free_panics, .signal = SIGABRT)
{
	void *a = kmalloc(64), *b = kmalloc(64);
	kfree(a);
	kfree(a);
	kfree(b);
}

Test(kmalloc, a_free_list_written_after_free_panics, .signal = SIGABRT)
{
	void *a = kmalloc(64), *b = kmalloc(64);
	kfree(a);
	*(void **)a = (void *)0x1234000; /* a use after free */
	kmalloc(64);
	kmalloc(64);
	kfree(b);
}
