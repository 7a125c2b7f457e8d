/* The simulated physical memory that kernel/mm tests stand on. */
#include <criterion/criterion.h>

#include "tests/unit/host_phys.h"

static void setup(void)
{
	host_phys_init(HOST_PHYS_PAGES);
}
static void teardown(void)
{
	host_phys_fini();
}

TestSuite(host_phys, .init = setup, .fini = teardown);

Test(host_phys, covers_the_requested_pages_from_ram_start)
{
	cr_assert_eq(host_phys_start, HOST_PHYS_START);
	cr_assert_eq(host_phys_end() - host_phys_start, HOST_PHYS_PAGES * PAGE_SIZE);
}

Test(host_phys, translation_round_trips_and_is_page_aligned)
{
	u64 last = host_phys_end() - PAGE_SIZE;
	u8 *kva = mm_pa_to_kva(last);

	cr_assert_eq((uintptr_t)mm_pa_to_kva(host_phys_start) % PAGE_SIZE, 0);
	cr_assert_eq(mm_kva_to_pa(kva), last);
	cr_assert_eq(mm_kva_to_pa(kva + 123), last + 123);
	kva[PAGE_SIZE - 1] = 1; /* the whole last page is ours (ASan checks) */
}

Test(host_phys, fresh_memory_is_poisoned_not_zero)
{
	const u8 *p = mm_pa_to_kva(host_phys_start + 7 * PAGE_SIZE);

	for (size_t i = 0; i < PAGE_SIZE; i++)
		cr_assert_eq(p[i], HOST_PHYS_POISON);
}

Test(host_phys, cpu_id_is_zero_unless_a_test_changes_it)
{
	cr_assert_eq(mm_cpu_id(), 0);
	host_cpu = 3;
	cr_assert_eq(mm_cpu_id(), 3);
}
