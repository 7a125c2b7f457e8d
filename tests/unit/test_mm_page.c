/* Specification of the physical page allocator (kernel/mm/page.c): a buddy
 * system over 16 MiB of simulated RAM with a per-hart cache of single
 * pages in front of it.
 *
 *   - page_alloc(order) gives 2^order contiguous pages aligned to their
 *     size, with one reference, or NULL when no such run is free;
 *   - a run goes back only when its last reference is dropped;
 *   - freed runs merge with their buddies, so the big runs come back;
 *   - page_free_count() counts every free page, cached ones included, and
 *     returns exactly to where it was once everything is given back. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdlib.h>

#include "kernel/mm/page.h"
#include "tests/unit/mm_host.h"
#include "tests/unit/mm_test.h"

#define CACHE_HIGH 64 /* page.c: a hart's cache never holds more */

static u64 free0; /* free pages right after boot */

static void setup(void)
{
	mm_host_boot(HOST_PHYS_PAGES);
	free0 = page_free_count();
}

static void teardown(void)
{
	mm_host_halt();
}

TestSuite(page, .init = setup, .fini = teardown);

/* The index of pg's page counted from the start of RAM. */
static u64 ram_index(const struct page *pg)
{
	return (page_to_pa(pg) - HOST_PHYS_START) / PAGE_SIZE;
}

/* Allocates runs of the given order until none is left; returns how many,
 * storing them in out (size max). */
static size_t alloc_all(unsigned order, struct page **out, size_t max)
{
	size_t n = 0;
	struct page *pg;
	while (n < max && (pg = page_alloc(order)))
		out[n++] = pg;
	return n;
}

static void put_all(struct page **pgs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		page_put(pgs[i]);
}

static void shuffle(struct page **a, size_t n)
{
	for (size_t i = n - 1; i > 0; i--) {
		size_t j = rng_below(i + 1);
		struct page *t = a[i];
		a[i] = a[j];
		a[j] = t;
	}
}

static struct page *runs[HOST_PHYS_PAGES];

Test(page, boot_manages_all_ram_but_the_descriptor_array)
{
	u64 array_pages = PAGE_ROUND_UP(HOST_PHYS_PAGES * sizeof(struct page)) / PAGE_SIZE;

	cr_assert_eq(page_total_count(), HOST_PHYS_PAGES - array_pages);
	cr_assert_eq(free0, page_total_count());
}

Test(page, every_order_gives_a_contiguous_run_aligned_to_its_size)
{
	for (unsigned order = 0; order <= PAGE_MAX_ORDER; order++) {
		u64 before = page_free_count();
		struct page *pg = page_alloc(order);

		cr_assert_not_null(pg, "order %u", order);
		cr_assert_eq(page_refcount(pg), 1);
		cr_assert_eq(page_free_count(), before - (1UL << order), "order %u", order);
		u64 pa = page_to_pa(pg);
		cr_assert_eq(pa % (PAGE_SIZE << order), 0, "order %u run at %#lx", order, pa);
		cr_assert_geq(pa, HOST_PHYS_START);
		cr_assert_leq(pa + (PAGE_SIZE << order), host_phys_end());
		for (u64 i = 0; i < (1UL << order); i++)
			cr_assert_eq(pa_to_page(pa + i * PAGE_SIZE), pg + i);
		memset(page_kva(pg), 0xab, PAGE_SIZE << order); /* all of it is ours */
		page_put(pg);
		cr_assert_eq(page_free_count(), before, "order %u", order);
	}
}

Test(page, orders_above_the_maximum_are_refused)
{
	cr_assert_null(page_alloc(PAGE_MAX_ORDER + 1));
	cr_assert_eq(page_free_count(), free0);
}

Test(page, runs_of_mixed_orders_never_overlap_and_all_come_back)
{
	static u8 owner[HOST_PHYS_PAGES];
	size_t n = 0;

	rng_seed(7);
	memset(owner, 0, sizeof(owner));
	for (;;) {
		unsigned order = (unsigned)rng_below(6);
		struct page *pg = page_alloc(order);
		if (!pg) {
			if (order == 0)
				break;
			continue;
		}
		u64 first = ram_index(pg);
		for (u64 i = 0; i < (1UL << order); i++) {
			cr_assert_eq(owner[first + i], 0, "page %lu handed out twice", first + i);
			owner[first + i] = 1;
		}
		cr_assert_eq(first % (1UL << order), 0);
		runs[n++] = pg;
	}
	cr_assert_eq(page_free_count(), 0, "page_alloc(0) failed with %lu pages free",
		     page_free_count());
	shuffle(runs, n);
	put_all(runs, n);
	cr_assert_eq(page_free_count(), free0);
}

/* 16 MiB is four 4 MiB blocks; the descriptor array takes the start of the
 * first, so three maximal runs exist after boot, and they must exist again
 * after the memory was cut into small runs and given back in any order. */
Test(page, freed_runs_coalesce_back_into_maximal_runs)
{
	size_t big = alloc_all(PAGE_MAX_ORDER, runs, HOST_PHYS_PAGES);
	cr_assert_eq(big, 3);
	put_all(runs, big);

	rng_seed(11);
	for (unsigned order = 1; order < PAGE_MAX_ORDER; order++) {
		size_t n = alloc_all(order, runs, HOST_PHYS_PAGES);
		cr_assert_gt(n, 0);
		shuffle(runs, n);
		put_all(runs, n);
		cr_assert_eq(page_free_count(), free0, "order %u", order);
		size_t again = alloc_all(PAGE_MAX_ORDER, runs, HOST_PHYS_PAGES);
		cr_assert_eq(again, big, "after order %u runs, only %zu maximal runs", order,
			     again);
		put_all(runs, again);
	}
}

Test(page, single_pages_all_come_back)
{
	size_t n = alloc_all(0, runs, HOST_PHYS_PAGES);

	cr_assert_eq(n, free0);
	rng_seed(3);
	shuffle(runs, n);
	put_all(runs, n);
	cr_assert_eq(page_free_count(), free0);
	/* Only the pages left in the cache (at most CACHE_HIGH) stay apart;
	 * each spoils at most one pair. */
	size_t pairs = alloc_all(1, runs, HOST_PHYS_PAGES);
	cr_assert_geq(pairs, (free0 - 2 * CACHE_HIGH) / 2);
	put_all(runs, pairs);
}

Test(page, a_page_is_freed_only_when_its_last_reference_goes)
{
	struct page *pg = page_alloc(2);
	u64 after_alloc = page_free_count();

	page_get(pg);
	page_get(pg);
	cr_assert_eq(page_refcount(pg), 3);
	page_put(pg);
	page_put(pg);
	cr_assert_eq(page_refcount(pg), 1);
	cr_assert_eq(page_free_count(), after_alloc, "freed while referenced");
	page_put(pg);
	cr_assert_eq(page_free_count(), free0);
}

Test(page, putting_a_free_page_panics, .signal = SIGABRT)
{
	struct page *pg = page_alloc(0);
	page_put(pg);
	page_put(pg);
}

Test(page, getting_a_free_page_panics, .signal = SIGABRT)
{
	struct page *pg = page_alloc(0);
	page_put(pg);
	page_get(pg);
}

Test(page, pa_to_page_outside_ram_panics, .signal = SIGABRT)
{
	pa_to_page(host_phys_end());
}

Test(page, exhaustion_returns_null_and_recovers)
{
	size_t n = alloc_all(0, runs, HOST_PHYS_PAGES);

	cr_assert_eq(n, free0);
	cr_assert_eq(page_free_count(), 0);
	for (unsigned order = 0; order <= PAGE_MAX_ORDER; order++)
		cr_assert_null(page_alloc(order), "order %u from empty memory", order);

	page_put(runs[n - 1]);
	struct page *again = page_alloc(0);
	cr_assert_eq(again, runs[n - 1], "the page just freed is the one to reuse");
	cr_assert_null(page_alloc(0));

	put_all(runs, n);
	cr_assert_eq(page_free_count(), free0);
	struct page *big = page_alloc(PAGE_MAX_ORDER);
	cr_assert_not_null(big, "a maximal run after recovery");
	page_put(big);
}

Test(page, a_harts_cache_counts_as_free)
{
	struct page *pg = page_alloc(0);

	/* The cache took a batch from the buddy lists; only one page left. */
	cr_assert_eq(page_free_count(), free0 - 1);
	page_put(pg);
	cr_assert_eq(page_free_count(), free0);
	cr_assert_eq(page_alloc(0), pg, "a hart reuses its most recently freed page");
	page_put(pg);
}

Test(page, each_hart_has_its_own_cache)
{
	struct page *a = page_alloc(0);
	page_put(a); /* now at the front of hart 0's cache */

	host_cpu = 1;
	struct page *b = page_alloc(0);
	cr_assert_neq(b, a, "hart 1 took a page from hart 0's cache");
	page_put(b);
	cr_assert_eq(page_free_count(), free0);

	host_cpu = 0;
	cr_assert_eq(page_alloc(0), a);
	page_put(a);
}

Test(page, a_cache_gives_half_back_when_it_grows_past_its_limit)
{
	size_t n = 3 * CACHE_HIGH;
	for (size_t i = 0; i < n; i++)
		runs[i] = page_alloc(0);
	put_all(runs, n);
	cr_assert_eq(page_free_count(), free0);
	/* Had the cache kept all of them, the maximal runs they came from
	 * could not form again. */
	size_t big = alloc_all(PAGE_MAX_ORDER, runs, HOST_PHYS_PAGES);
	cr_assert_geq(big, 2);
	put_all(runs, big);
}

/* Pages parked in another hart's cache count as free, so they must be
 * reachable: when the buddy lists run dry, the caches are drained. */
Test(page, pages_in_another_harts_cache_are_reached_when_memory_runs_out)
{
	host_cpu = 1;
	struct page *pg = page_alloc(0);
	page_put(pg); /* hart 1's cache now holds a batch */
	host_cpu = 0;
	size_t n = alloc_all(0, runs, HOST_PHYS_PAGES);

	cr_assert_eq(page_free_count(), 0, "every free page was allocatable");
	cr_assert_eq(n, free0);
	host_cpu = 1;
	cr_assert_null(page_alloc(0), "nothing left, not even in hart 1's cache");
	host_cpu = 0;
	put_all(runs, n);
	cr_assert_eq(page_free_count(), free0);
}

Test(page, kpage_alloc_zeroed_zeroes_and_kpage_free_frees)
{
	u8 *p = kpage_alloc();
	memset(p, 0xee, PAGE_SIZE);
	kpage_free(p);

	u8 *z = kpage_alloc_zeroed();
	cr_assert_not_null(z);
	for (size_t i = 0; i < PAGE_SIZE; i++)
		cr_assert_eq(z[i], 0, "byte %zu", i);
	kpage_free(z);
	cr_assert_eq(page_free_count(), free0);
}
