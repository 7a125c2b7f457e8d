/* A randomized specification of one address space: 100,000 mixed mmap,
 * munmap, mprotect, user reads, writes and instruction fetches on a
 * 96-page window, with every protection (exec-only and write-only
 * included), each checked at once against a plain reference model, under
 * each pager.
 *
 * The model is one record per page: mapped or not, its protection, the
 * word the test last wrote at its start (0 for a fresh page), and whether
 * a page must be resident (lazy: touched since mapped; eager: since it
 * was mapped or mprotect opened it, PROT_NONE pages not before). After
 * every step:
 *
 *   - every system call and every access has the result the model
 *     predicts (values, errors, fault reasons);
 *   - vma_validate() holds, the VMAs cover exactly the mapped pages with
 *     their protections, and no two adjacent VMAs are alike (they would
 *     have merged);
 *   - the PTEs are exactly the resident pages, with the right bits, each
 *     holding the word the model expects, and rss counts them.
 *
 * At the end mm_destroy must bring page_free_count() back exactly. The
 * generator is seeded, so a failure names the step that repeats it; set
 * MM_RANDOM_SEED to run other seeds. A second pair of runs forks a child
 * now and then and works on both. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

#include "tests/unit/mm_test.h"

#define BASE   0x10000000UL
#define P(i)   (BASE + (u64)(i)*PG)
#define WINDOW 96
#define STEPS  100000

struct model_page {
	bool mapped;
	u32 prot;
	u64 word;      /* what the page holds at offset 0 */
	bool resident; /* must have a valid PTE */
};

/* An address space and its model. Space 0 is the first process; space 1,
 * when there is one, its forked child. */
struct space {
	struct mm *mm;
	struct model_page model[WINDOW];
};

static struct space spaces[2];
static int nspaces;
static bool forked;	 /* copy-on-write PTEs may outlive the child */
static struct space *sp; /* the one the current step works on */
static const char *pager_name;
static bool eager;
static int step;
static char op[96]; /* the step being checked, for failure messages */
static u64 counter;

/* Every protection: each of the three bits alone and in every mix. */
static const u32 prots[] = {0,
			    VM_READ,
			    VM_WRITE,
			    VM_EXEC,
			    VM_READ | VM_WRITE,
			    VM_READ | VM_EXEC,
			    VM_WRITE | VM_EXEC,
			    VM_READ | VM_WRITE | VM_EXEC};

static u32 random_prot(void)
{
	return prots[rng_below(ARRAY_SIZE(prots))];
}

#define CHECK(cond, ...)                                                                           \
	cr_assert(cond,                                                                            \
		  "%s pager, step %d, mm %d (%s): " FIRST_ARG(__VA_ARGS__) REST_ARGS(__VA_ARGS__))
#define FIRST_ARG(first, ...) first
#define REST_ARGS(first, ...) , pager_name, step, (int)(sp - spaces), op, ##__VA_ARGS__

/* ---------------------------------------------------------------- the model */

static bool model_range_free(int first, int n)
{
	for (int i = first; i < first + n; i++)
		if (sp->model[i].mapped)
			return false;
	return true;
}

static bool model_range_mapped(int first, int n)
{
	for (int i = first; i < first + n; i++)
		if (!sp->model[i].mapped)
			return false;
	return true;
}

static void model_map(int first, int n, u32 prot)
{
	for (int i = first; i < first + n; i++)
		sp->model[i] =
		    (struct model_page){.mapped = true, .prot = prot, .resident = eager && prot};
}

static void model_unmap(int first, int n)
{
	for (int i = first; i < first + n; i++)
		sp->model[i] = (struct model_page){0};
}

/* ------------------------------------------------------------------ checks */

static u64 pte_bits_for(u32 prot)
{
	if (prot == 0)
		return PTE_R; /* present but not user-accessible */
	u64 bits = PTE_U;
	if (prot & (VM_READ | VM_WRITE))
		bits |= PTE_R; /* writable implies readable; executable does not */
	if (prot & VM_WRITE)
		bits |= PTE_W;
	if (prot & VM_EXEC)
		bits |= PTE_X;
	return bits;
}

static bool alike(const struct vma *a, const struct vma *b)
{
	return a->end == b->start && a->prot == b->prot && a->shared == b->shared &&
	       a->role == b->role && !a->file.ops && !b->file.ops;
}

static void check_space(void)
{
	struct mm *mm = sp->mm;
	CHECK(vma_validate(mm), "vma_validate failed");
	u64 resident = 0;
	for (int i = 0; i < WINDOW; i++) {
		struct model_page *m = &sp->model[i];
		struct vma *v = vma_find(mm, P(i));
		CHECK(!v == !m->mapped, "page %d: VMA %s, model %s", i, v ? "present" : "absent",
		      m->mapped ? "mapped" : "unmapped");
		if (v)
			CHECK(v->prot == m->prot, "page %d: VMA prot %u, model %u", i, v->prot,
			      m->prot);
		pte_t *pte = mm_host_pte(mm, P(i));
		bool valid = pte && pte_valid(*pte);
		CHECK(valid == m->resident, "page %d: PTE %s, model says %s", i,
		      valid ? "present" : "absent", m->resident ? "resident" : "not resident");
		if (!valid)
			continue;
		resident++;
		u64 bits = *pte & (PTE_U | PTE_R | PTE_W | PTE_X | PTE_COW | PTE_S);
		u64 want = pte_bits_for(m->prot), want_cow = (want & ~PTE_W) | PTE_COW;
		CHECK(bits == want || (forked && bits == want_cow),
		      "page %d: PTE bits %#lx, expected %#lx", i, bits, want);
		u64 word = *(u64 *)mm_pa_to_kva(pte_pa(*pte));
		CHECK(word == m->word, "page %d holds %#lx, model %#lx", i, word, m->word);
	}
	CHECK(mm->rss == resident, "rss %lu, resident pages %lu", mm->rss, resident);
	CHECK(mm_host_count_ptes(mm) == resident, "valid PTEs %lu, resident pages %lu",
	      mm_host_count_ptes(mm), resident);
	struct vma *v;
	for_each_vma(mm, v)
	{
		struct vma *next = vma_next(mm, v);
		CHECK(!next || !alike(v, next), "VMAs [%#lx, %#lx) and [%#lx, %#lx) did not merge",
		      v->start, v->end, next->start, next->end);
		CHECK(v->start >= P(0) && v->end <= P(WINDOW), "VMA [%#lx, %#lx) outside window",
		      v->start, v->end);
	}
}

/* Every resident page is zero apart from its first word. */
static void check_page_contents(void)
{
	for (int i = 0; i < WINDOW; i++) {
		u64 *kva = mm_host_page_kva(sp->mm, P(i));
		if (!kva)
			continue;
		for (size_t w = 1; w < PAGE_SIZE / 8; w++)
			CHECK(kva[w] == 0, "page %d word %zu is %#lx", i, w, kva[w]);
	}
}

/* -------------------------------------------------------------- operations */

static void do_mmap(void)
{
	int first = (int)rng_below(WINDOW), n = 1 + (int)rng_below(12);
	if (first + n > WINDOW)
		n = WINDOW - first;
	u32 prot = random_prot();
	int kind = (int)rng_below(10);
	long want = (long)P(first);
	u32 flags = MNEMO_MAP_PRIVATE;

	if (kind < 7) {
		flags |= MNEMO_MAP_FIXED;
	} else if (kind < 9) {
		flags |= MNEMO_MAP_FIXED_NOREPLACE;
		if (!model_range_free(first, n))
			want = -EEXIST;
	}
	snprintf(op, sizeof(op), "mmap(%d, %d pages, prot %u, flags %#x)", first, n, prot, flags);
	long got = mm_mmap(sp->mm, P(first), (u64)n * PG, prot, flags, NULL, 0);
	if (kind == 9 && !model_range_free(first, n)) {
		/* A hint over a mapping: placed elsewhere, outside the window. */
		CHECK(got >= (long)P(WINDOW) || got + n * (long)PG <= (long)P(0),
		      "hint over a mapping gave %#lx", got);
		CHECK(mm_munmap(sp->mm, (u64)got, (u64)n * PG) == 0, "munmap of the placed range");
		return;
	}
	CHECK(got == want, "returned %ld, expected %ld", got, want);
	if (got >= 0)
		model_map(first, n, prot);
}

static void do_munmap(void)
{
	int first = (int)rng_below(WINDOW), n = 1 + (int)rng_below(16);
	if (first + n > WINDOW)
		n = WINDOW - first;
	snprintf(op, sizeof(op), "munmap(%d, %d pages)", first, n);
	CHECK(mm_munmap(sp->mm, P(first), (u64)n * PG) == 0, "munmap failed");
	model_unmap(first, n);
}

static void do_mprotect(void)
{
	int first = (int)rng_below(WINDOW), n = 1 + (int)rng_below(16);
	if (first + n > WINDOW)
		n = WINDOW - first;
	u32 prot = random_prot();
	snprintf(op, sizeof(op), "mprotect(%d, %d pages, prot %u)", first, n, prot);
	int want = model_range_mapped(first, n) ? 0 : -ENOMEM;
	int got = mm_mprotect(sp->mm, P(first), (u64)n * PG, prot);
	CHECK(got == want, "returned %d, expected %d", got, want);
	if (got == 0)
		for (int i = first; i < first + n; i++) {
			/* Eager fills a PROT_NONE page once it is opened. */
			if (eager && sp->model[i].prot == 0 && prot)
				sp->model[i].resident = true;
			sp->model[i].prot = prot;
		}
}

/* A user read, write or instruction fetch of a random page. An
 * exec-only page (X without R in its PTE) can be fetched from but not
 * read: the read is refused, never "resolved" into a retry. */
static void do_access(enum fault_access access)
{
	int i = (int)rng_below(WINDOW);
	struct model_page *m = &sp->model[i];
	const char *why = NULL, *want_why = NULL;
	static const char *names[] = {
	    [FAULT_READ] = "read", [FAULT_WRITE] = "write", [FAULT_EXEC] = "fetch"};
	u64 val = ++counter;
	enum fault_result r;

	snprintf(op, sizeof(op), "%s page %d", names[access], i);
	if (!m->mapped)
		want_why = "unmapped address";
	else if (access == FAULT_WRITE && !(m->prot & VM_WRITE))
		want_why = "write to read-only mapping";
	else if (access == FAULT_EXEC && !(m->prot & VM_EXEC))
		want_why = "execute of non-executable mapping";
	else if (access == FAULT_READ && !(m->prot & (VM_READ | VM_WRITE)))
		want_why = "read of unreadable mapping";

	if (access == FAULT_WRITE)
		r = user_write64(sp->mm, P(i), val, &why);
	else if (access == FAULT_READ)
		r = user_read64(sp->mm, P(i), &val, &why);
	else
		r = user_fetch(sp->mm, P(i), &why);
	if (want_why) {
		CHECK(r == FAULT_SEGV, "access gave %d, expected SEGV (%s)", r, want_why);
		CHECK(strcmp(why, want_why) == 0, "reason \"%s\", expected \"%s\"", why, want_why);
		return;
	}
	CHECK(r == FAULT_OK, "access gave %d (%s)", r, why);
	m->resident = true;
	if (access == FAULT_WRITE)
		m->word = val;
	else if (access == FAULT_READ)
		CHECK(val == m->word, "read %#lx, model %#lx", val, m->word);
}

/* Forks space 0 into space 1 (the child starts with the parent's model),
 * or ends the child. */
static void do_fork_or_exit(void)
{
	sp = &spaces[0];
	if (nspaces == 2) {
		snprintf(op, sizeof(op), "child exits");
		test_destroy_mm(spaces[1].mm);
		nspaces = 1;
		return;
	}
	snprintf(op, sizeof(op), "fork");
	mm_host_load(spaces[0].mm);
	spaces[1].mm = mm_fork(spaces[0].mm);
	CHECK(spaces[1].mm != NULL, "fork failed");
	memcpy(spaces[1].model, spaces[0].model, sizeof(spaces[0].model));
	nspaces = 2;
	forked = true;
}

static void run(const char *pager, u64 seed, int steps, bool forks)
{
	const char *env = getenv("MM_RANDOM_SEED"); /* to explore other seeds */
	if (env)
		seed = strtoull(env, NULL, 0);
	pager_name = pager;
	eager = strcmp(pager, "eager") == 0;
	test_boot(HOST_PHYS_PAGES, pager);
	u64 free0 = page_free_count();
	memset(spaces, 0, sizeof(spaces));
	spaces[0].mm = test_new_mm();
	nspaces = 1;
	forked = false;
	rng_seed(seed);

	for (step = 0; step < steps; step++) {
		sp = &spaces[rng_below((u64)nspaces)];
		u64 dice = rng_below(1000);
		if (forks && dice < 5)
			do_fork_or_exit();
		else if (dice < 250)
			do_mmap();
		else if (dice < 400)
			do_munmap();
		else if (dice < 600)
			do_mprotect();
		else if (dice < 780)
			do_access(FAULT_READ);
		else if (dice < 950)
			do_access(FAULT_WRITE);
		else
			do_access(FAULT_EXEC);
		for (sp = spaces; sp < spaces + nspaces; sp++) {
			check_space();
			if (step % 5000 == 0)
				check_page_contents();
		}
		sp = spaces;
	}
	snprintf(op, sizeof(op), "mm_destroy");
	for (int i = nspaces - 1; i >= 0; i--)
		test_destroy_mm(spaces[i].mm);
	CHECK(page_free_count() == free0, "%ld pages not given back",
	      (long)(free0 - page_free_count()));
	mm_host_halt();
}

Test(random, lazy_pager)
{
	run("lazy", 12345, 100000, /*forks=*/false);
}

Test(random, eager_pager)
{
	run("eager", 12345, 100000, /*forks=*/false);
}

/* The same mix on a parent and, from time to time, a forked child, each
 * with its own model: copy-on-write must keep them apart. */
Test(random, lazy_pager_with_fork)
{
	run("lazy", 777, 30000, /*forks=*/true);
}

Test(random, eager_pager_with_fork)
{
	run("eager", 777, 30000, /*forks=*/true);
}
