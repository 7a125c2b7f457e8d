/* What the test_mm_*.c specifications share: a seeded random generator
 * (rng.h) and pictures of an address range, one character per page, so a
 * test states the layout it expects as the documentation draws it:
 *
 *   vma_picture   '.' no VMA; 'A', 'B', ... one letter per VMA, in address
 *                 order from the left edge ("AAAA..BB.." is two VMAs with a
 *                 two-page hole; "AABB" two adjacent VMAs that did not
 *                 merge).
 *   prot_picture  '.' no VMA; the VMA's protection: '-' none, 'r' read,
 *                 'w' read-write, 'x' read-exec, 'X' read-write-exec,
 *                 'e' exec only, 'o' write only, 'E' write-exec; 'g' a
 *                 guard VMA.
 *   pte_picture   '.' no valid PTE; 'r' user read-only, 'w' user writable,
 *                 'c' copy-on-write, 's' shared in (PTE_S), 'n' present
 *                 but not user-accessible (PROT_NONE).
 *
 * Compare with EXPECT_PICTURE(picture_fn(mm, base), "AA..BB") so that a
 * mismatch prints both pictures and the test's own file and line. */
#ifndef TESTS_UNIT_MM_TEST_H
#define TESTS_UNIT_MM_TEST_H

#include <criterion/criterion.h>
#include <string.h>

#include "include/uapi/errno.h"
#include "include/uapi/mman.h"
#include "kernel/mm/mm.h"
#include "kernel/mm/page.h"
#include "kernel/mm/vma.h"
#include "tests/unit/mm_host.h"
#include "tests/unit/rng.h"

#define PG PAGE_SIZE

/* ---- pictures ---- */

#define PICTURE_MAX 256
static char picture_buf[PICTURE_MAX + 1];

/* The picture of npages pages from base, where each page's character is
 * chosen by fn. */
typedef char (*page_char_fn)(struct mm *mm, u64 va, int *state);
static inline const char *picture(struct mm *mm, u64 base, size_t npages, page_char_fn fn)
{
	int state = 0;
	if (npages > PICTURE_MAX)
		npages = PICTURE_MAX;
	for (size_t i = 0; i < npages; i++)
		picture_buf[i] = fn(mm, base + i * PG, &state);
	picture_buf[npages] = 0;
	return picture_buf;
}

static struct vma *picture_last_vma;

static inline char vma_char(struct mm *mm, u64 va, int *state)
{
	struct vma *v = vma_find(mm, va);
	if (!v)
		return '.';
	if (*state == 0 || v != picture_last_vma)
		(*state)++;
	picture_last_vma = v;
	return (char)('A' + (*state - 1) % 26);
}

static inline char prot_char(struct mm *mm, u64 va, int *state)
{
	(void)state;
	struct vma *v = vma_find(mm, va);
	if (!v)
		return '.';
	if (v->role == VMA_GUARD)
		return 'g';
	return "-rowexEX"[v->prot & 7];
}

static inline char pte_char(struct mm *mm, u64 va, int *state)
{
	(void)state;
	pte_t *pte = mm_host_pte(mm, va);
	if (pte && pte_is_swap(*pte))
		return 'S';
	if (!pte || !pte_valid(*pte))
		return '.';
	if (*pte & PTE_S)
		return 's';
	if (*pte & PTE_COW)
		return 'c';
	if (!(*pte & PTE_U))
		return 'n';
	return *pte & PTE_W ? 'w' : 'r';
}

#define vma_picture(mm, base, n)  picture(mm, base, n, vma_char)
#define prot_picture(mm, base, n) picture(mm, base, n, prot_char)
#define pte_picture(mm, base, n)  picture(mm, base, n, pte_char)

/* The picture of as many pages as the expected one has. */
#define EXPECT_PICTURE(kind, mm, base, expected)                                                   \
	do {                                                                                       \
		const char *exp_ = (expected);                                                     \
		const char *got_ = kind##_picture(mm, base, strlen(exp_));                         \
		cr_assert_str_eq(got_, exp_,                                                       \
				 #kind " picture at %#lx:\n  got      %s\n  expected %s",          \
				 (u64)(base), got_, exp_);                                         \
	} while (0)

#define EXPECT_VALID(mm) cr_assert(vma_validate(mm), "vma_validate failed")

/* ---- address spaces ---- */

/* Boots the host with RAM of npages pages and pager as the default. */
static inline void test_boot(size_t npages, const char *pager)
{
	mm_host_boot(npages);
	cr_assert_eq(mm_set_default_pager(pager), 0, "pager %s", pager);
}

/* A new mm, loaded on the hart as a running process's would be. */
static inline struct mm *test_new_mm(void)
{
	struct mm *mm = mm_create();
	cr_assert_not_null(mm);
	mm_host_load(mm);
	return mm;
}

/* Destroys mm (unloading it first, as exit does): drops the only
 * reference, the process's. */
static inline void test_destroy_mm(struct mm *mm)
{
	if (mm_host_loaded == mm)
		mm_host_load(NULL);
	cr_assert_eq(mm->users, 1, "another reference to the mm is left");
	mm_put(mm);
}

/* ---- a test's life: start, then every page back at the end ---- */

/* The free page count just after test_start() booted the host. */
static u64 test_free0;

/* Boots with pager as test_boot() does, notes the free page count that
 * test_end() must see again, and returns the test's first mm. */
static inline struct mm *test_start(const char *pager)
{
	test_boot(HOST_PHYS_PAGES, pager);
	test_free0 = page_free_count();
	return test_new_mm();
}

/* Destroys *m if the test made one, and forgets it. */
static inline void test_drop_mm(struct mm **m)
{
	if (*m) {
		test_destroy_mm(*m);
		*m = NULL;
	}
}

/* The same, after checking that *m's VMAs are still sound. */
static inline void test_end_mm(struct mm **m)
{
	if (*m)
		EXPECT_VALID(*m);
	test_drop_mm(m);
}

/* Ends a test whose address spaces are all gone: every page taken since
 * test_start() is back. Then halts the host. */
static inline void test_end(void)
{
	cr_assert_eq(page_free_count(), test_free0, "%ld pages not given back",
		     (long)(test_free0 - page_free_count()));
	mm_host_halt();
}

/* Private anonymous memory at a fixed address; asserts success. */
#define MAP_AT(mm, va, len, prot)                                                                  \
	cr_assert_eq(mm_mmap(mm, va, len, prot, MNEMO_MAP_PRIVATE | MNEMO_MAP_FIXED, NULL, 0),     \
		     (long)(va), "mmap at %#lx", (u64)(va))

#define RW (VM_READ | VM_WRITE)

/* ---- user accesses with the test's file and line ---- */

static const char *test_why __attribute__((unused)); /* the last refusal's reason */

#define EXPECT_WRITE(mm, va, val)                                                                  \
	do {                                                                                       \
		test_why = NULL;                                                                   \
		enum fault_result r_ = user_write64(mm, va, val, &test_why);                       \
		cr_assert_eq(r_, FAULT_OK, "user write at %#lx: %d (%s)", (u64)(va), r_,           \
			     test_why);                                                            \
	} while (0)

#define EXPECT_READ(mm, va, val)                                                                   \
	do {                                                                                       \
		u64 got_ = 0;                                                                      \
		test_why = NULL;                                                                   \
		enum fault_result r_ = user_read64(mm, va, &got_, &test_why);                      \
		cr_assert_eq(r_, FAULT_OK, "user read at %#lx: %d (%s)", (u64)(va), r_, test_why); \
		cr_assert_eq(got_, (u64)(val), "user read at %#lx gave %#lx, expected %#lx",       \
			     (u64)(va), got_, (u64)(val));                                         \
	} while (0)

/* expr is a user access returning enum fault_result and setting test_why. */
#define EXPECT_REFUSED(expr, result, reason)                                                       \
	do {                                                                                       \
		test_why = NULL;                                                                   \
		enum fault_result r_ = (expr);                                                     \
		cr_assert_eq(r_, result, #expr ": %d, expected %d", r_, result);                   \
		cr_assert_str_eq(test_why ? test_why : "(none)", reason, #expr ": \"%s\"",         \
				 test_why ? test_why : "(none)");                                  \
	} while (0)
#define EXPECT_SEGV(expr, reason) EXPECT_REFUSED(expr, FAULT_SEGV, reason)

/* Runs a Test body once under each pager, as NAME in SUITE_lazy and
 * SUITE_eager; the body finds the pager's name in `pager`. */
#define TEST_BOTH_PAGERS(suite, name, ...)                                                         \
	static void suite##_##name(const char *pager);                                             \
	Test(suite##_lazy, name, __VA_ARGS__)                                                      \
	{                                                                                          \
		suite##_##name("lazy");                                                            \
	}                                                                                          \
	Test(suite##_eager, name, __VA_ARGS__)                                                     \
	{                                                                                          \
		suite##_##name("eager");                                                           \
	}                                                                                          \
	static void suite##_##name(const char *pager)

#endif
