/* Memory stress: sbrk, mmap and munmap mixed in a random order (fixed
 * seed) against a model of what must be where, contents checked; 1000
 * small mappings unmapped in a random order. (t_vmbig maps 64 MiB again
 * and again.) */
#include "vmtest.h"

#define RW (PROT_READ | PROT_WRITE)

/* A small, fixed-seed generator (xorshift64): the same run every time. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* A number in [lo, hi]. */
static long rng_between(long lo, long hi)
{
	return lo + (long)(rng() % (uint64_t)(hi - lo + 1));
}

/* ---------------------------------------------------------------- random mix */

#define MIX_OPS	    1500
#define ARENA_PAGES 512
#define ARENA	    ((char *)(VM_ARENA + 0x040000000UL))
#define HEAP_MAX    256 /* pages */
#define PICKS	    16	/* mappings placed by the kernel, at most */

/* The model: what each page must hold. A page's mark is vm_mark's word
 * for its address and the seed (tag) of the mapping that made it. */
static uint32_t arena_tag[ARENA_PAGES]; /* 0: not mapped */
static char *heap_base;
static long heap_pages;
static struct {
	char *addr;
	long pages;
	uint32_t tag;
} picks[PICKS];
static uint32_t next_tag = 100;

#define HEAP_TAG 7

static int mix_fail(long op, const char *what)
{
	return CHECK("mix", 0, "operation %ld: %s", op, what);
}

/* Checks every page the model has against memory and the arena's
 * mappings against vmmaps. Returns 1 if all agree. */
static int mix_verify(long op)
{
	static char got[ARENA_PAGES + 1], want[ARENA_PAGES + 1];

	for (long i = 0; i < ARENA_PAGES; i++)
		if (arena_tag[i] && vm_mark_errors(ARENA + i * PAGE, 1, arena_tag[i]))
			return mix_fail(op, "an arena page lost its contents");
	if (vm_mark_errors(heap_base, heap_pages, HEAP_TAG))
		return mix_fail(op, "a heap page lost its contents");
	for (int k = 0; k < PICKS; k++)
		if (picks[k].addr && vm_mark_errors(picks[k].addr, picks[k].pages, picks[k].tag))
			return mix_fail(op,
					"a page of a mapping the kernel placed lost its contents");
	if (op % 10 == 0) {
		vm_picture((uintptr_t)ARENA, ARENA_PAGES, got);
		for (long i = 0; i < ARENA_PAGES; i++)
			want[i] = arena_tag[i] ? 'w' : '.';
		want[ARENA_PAGES] = '\0';
		if (strcmp(got, want) != 0)
			return mix_fail(op, "the arena's mappings differ from the model");
	}
	return 1;
}

/* Marks pages [first, first + n) of the arena with a new tag. */
static void arena_fill(long first, long n)
{
	uint32_t tag = next_tag++;

	for (long i = first; i < first + n; i++) {
		arena_tag[i] = tag;
		vm_mark(ARENA + i * PAGE, 1, tag);
	}
}

static int arena_any_mapped(long first, long n)
{
	for (long i = first; i < first + n; i++)
		if (arena_tag[i])
			return 1;
	return 0;
}

/* One random operation; returns 0 if the kernel's answer was wrong. */
static int mix_step(long op)
{
	long first = rng_between(0, ARENA_PAGES - 1);
	long n = rng_between(1, 16);
	char *at, *p;

	if (first + n > ARENA_PAGES)
		n = ARENA_PAGES - first;
	at = ARENA + first * PAGE;
	switch (rng() % 8) {
	case 0: /* MAP_FIXED: replaces whatever is there */
		if (vm_anon(at, n * PAGE, RW, MAP_FIXED) != at)
			return mix_fail(op, "mmap MAP_FIXED failed");
		arena_fill(first, n);
		return 1;
	case 1: /* MAP_FIXED_NOREPLACE: EEXIST exactly when anything is there */
		p = vm_anon(at, n * PAGE, RW, MAP_FIXED_NOREPLACE);
		if (arena_any_mapped(first, n))
			return p == MAP_FAILED && errno == EEXIST
				   ? 1
				   : mix_fail(op, "NOREPLACE over a mapping");
		if (p != at)
			return mix_fail(op, "NOREPLACE on free room failed");
		arena_fill(first, n);
		return 1;
	case 2:
	case 3: /* munmap, mapped or not */
		if (munmap(at, n * PAGE) < 0)
			return mix_fail(op, "munmap failed");
		for (long i = first; i < first + n; i++)
			arena_tag[i] = 0;
		return 1;
	case 4: /* the heap grows */
		n = rng_between(1, 32);
		if (heap_pages + n > HEAP_MAX)
			n = HEAP_MAX - heap_pages;
		if (sbrk(n * PAGE) != heap_base + heap_pages * PAGE)
			return mix_fail(op, "sbrk did not grow the heap from its end");
		vm_mark(heap_base + heap_pages * PAGE, n, HEAP_TAG);
		heap_pages += n;
		return 1;
	case 5: /* the heap shrinks */
		n = rng_between(0, heap_pages);
		if (sbrk(-n * PAGE) != heap_base + heap_pages * PAGE)
			return mix_fail(op, "sbrk did not shrink the heap from its end");
		heap_pages -= n;
		return 1;
	case 6: { /* a mapping the kernel places */
		int k = (int)rng_between(0, PICKS - 1);
		if (picks[k].addr && munmap(picks[k].addr, picks[k].pages * PAGE) < 0)
			return mix_fail(op, "munmap of a kernel-placed mapping failed");
		picks[k].pages = rng_between(1, 32);
		picks[k].tag = next_tag++;
		picks[k].addr = vm_anon(NULL, picks[k].pages * PAGE, RW, 0);
		if (picks[k].addr == MAP_FAILED) {
			picks[k].addr = NULL;
			return mix_fail(op, "mmap failed");
		}
		if ((picks[k].addr >= ARENA && picks[k].addr < ARENA + ARENA_PAGES * PAGE) ||
		    (picks[k].addr < heap_base + HEAP_MAX * PAGE &&
		     picks[k].addr + picks[k].pages * PAGE > heap_base))
			return mix_fail(op, "the kernel placed a mapping over another");
		vm_mark(picks[k].addr, picks[k].pages, picks[k].tag);
		return 1;
	}
	default: { /* unmap the front part of a kernel-placed mapping */
		int k = (int)rng_between(0, PICKS - 1);
		if (!picks[k].addr)
			return 1;
		n = rng_between(1, picks[k].pages);
		if (munmap(picks[k].addr, n * PAGE) < 0)
			return mix_fail(op, "partial munmap failed");
		picks[k].addr += n * PAGE;
		picks[k].pages -= n;
		if (picks[k].pages == 0)
			picks[k].addr = NULL;
		return 1;
	}
	}
}

static void test_random_mix(void)
{
	char *brk = sbrk(0);
	long op;

	/* The heap from a page boundary, so that whole pages are the heap's. */
	sbrk(PAGE - ((uintptr_t)brk & (PAGE - 1)));
	heap_base = sbrk(0);
	munmap(ARENA, ARENA_PAGES * PAGE);
	for (op = 0; op < MIX_OPS; op++)
		if (!mix_step(op) || !mix_verify(op))
			break;
	CHECK("mix-sbrk-mmap-munmap", op == MIX_OPS, "stopped at operation %ld", op);
	mix_verify(0);
	munmap(ARENA, ARENA_PAGES * PAGE);
	for (int k = 0; k < PICKS; k++)
		if (picks[k].addr)
			munmap(picks[k].addr, picks[k].pages * PAGE);
	sbrk(-heap_pages * PAGE);
	CHECK("mix-heap-back", sbrk(0) == heap_base);
}

/* ---------------------------------------------------------------- heap and mappings */

/* The heap and mappings that touch it: sbrk may not grow over a mapping,
 * nor may a mapping appear inside the heap unasked; holes cut into the
 * heap by munmap or mprotect leave the rest of it alone. */
static void test_heap_meets_mappings(void)
{
	char *brk = sbrk(0), *base, *m;

	sbrk(PAGE - ((uintptr_t)brk & (PAGE - 1)));
	base = sbrk(0);
	if (!CHECK("heap-grow", sbrk(4 * PAGE) == base))
		return;
	vm_mark(base, 4, HEAP_TAG);

	/* A mapping right at the break: the heap cannot grow into it. */
	m = vm_anon_at((uintptr_t)base + 4 * PAGE, PAGE, RW);
	CHECK("heap-map-at-break", m == base + 4 * PAGE);
	vm_mark(m, 1, 42);
	expect_errno("heap-blocked-page", (long)sbrk(PAGE), ENOMEM);
	expect_errno("heap-blocked-bytes", (long)sbrk(1), ENOMEM);
	CHECK("heap-blocked-break-kept", sbrk(0) == base + 4 * PAGE);
	CHECK("heap-blocked-contents",
	      vm_mark_errors(m, 1, 42) == 0 && vm_mark_errors(base, 4, HEAP_TAG) == 0);
	munmap(m, PAGE);
	CHECK("heap-unblocked",
	      sbrk(PAGE) == base + 4 * PAGE && vm_nonzero(base + 4 * PAGE, PAGE) == 0);

	/* Into the room the heap gave back. */
	sbrk(-2 * PAGE);
	m = vm_anon_at((uintptr_t)base + 3 * PAGE, PAGE, RW);
	CHECK("heap-map-in-freed-room", m == base + 3 * PAGE);
	expect_errno("heap-blocked-again", (long)sbrk(PAGE), ENOMEM);
	munmap(m, PAGE);

	/* Inside the heap: NOREPLACE refuses. */
	expect_errno("heap-noreplace-inside", (long)vm_anon_at((uintptr_t)base + PAGE, PAGE, RW),
		     EEXIST);

	/* A hole and a read-only page cut into the heap. */
	CHECK_OK("heap-munmap-page", munmap(base + PAGE, PAGE));
	CHECK_OK("heap-mprotect-page", mprotect(base + 2 * PAGE, PAGE, PROT_READ));
	CHECK("heap-grow-after-cuts", sbrk(2 * PAGE) == base + 3 * PAGE);
	vm_mark(base + 3 * PAGE, 2, HEAP_TAG);
	CHECK("heap-cuts-rest-kept", vm_mark_errors(base, 1, HEAP_TAG) == 0 &&
					 vm_mark_errors(base + 2 * PAGE, 3, HEAP_TAG) == 0);
	CHECK("heap-hole-stays", test_in_child(vm_child_read, (long)base + PAGE) == -1);
	CHECK("heap-shrink-after-cuts",
	      sbrk(-2 * PAGE) == base + 5 * PAGE && sbrk(0) == base + 3 * PAGE);
	CHECK("heap-shrunk-gone", test_in_child(vm_child_read, (long)base + 3 * PAGE) == -1);
	CHECK("heap-kept-below", vm_mark_errors(base, 1, HEAP_TAG) == 0 &&
				     vm_mark_errors(base + 2 * PAGE, 1, HEAP_TAG) == 0);
}

/* ---------------------------------------------------------------- many small */

#define SMALL_MAPS 1000

static struct {
	char *addr;
	long pages;
} small[SMALL_MAPS];

static void test_many_small(void)
{
	int order[SMALL_MAPS], count0 = vm_map_count(), failed = 0;
	long bad = 0;

	for (int i = 0; i < SMALL_MAPS; i++) {
		order[i] = i;
		small[i].pages = rng_between(1, 3);
		small[i].addr = vm_anon(NULL, small[i].pages * PAGE, RW, 0);
		if (small[i].addr == MAP_FAILED) {
			failed++;
			small[i].pages = 0;
			continue;
		}
		vm_mark(small[i].addr, small[i].pages, (uint32_t)i + 1);
	}
	CHECK("small-1000-mapped", failed == 0, "%d mmaps failed", failed);
	for (int i = 0; i < SMALL_MAPS; i++)
		bad += vm_mark_errors(small[i].addr, small[i].pages, (uint32_t)i + 1);
	CHECK("small-1000-apart", bad == 0, "%ld pages overwritten by another mapping", bad);

	/* A fixed-seed shuffle, then unmap in that order, checking the
	 * survivors every 100. */
	for (int i = SMALL_MAPS - 1; i > 0; i--) {
		int j = (int)rng_between(0, i), t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
	for (int k = 0; k < SMALL_MAPS; k++) {
		int i = order[k];
		if (small[i].pages && munmap(small[i].addr, small[i].pages * PAGE) < 0)
			failed++;
		small[i].pages = 0;
		if (k % 100 == 99)
			for (int m = 0; m < SMALL_MAPS; m++)
				bad +=
				    vm_mark_errors(small[m].addr, small[m].pages, (uint32_t)m + 1);
	}
	CHECK("small-1000-unmapped", failed == 0, "%d munmaps failed", failed);
	CHECK("small-1000-survivors-kept", bad == 0, "%ld pages lost", bad);
	CHECK("small-1000-map-count-back", vm_map_count() == count0, "%d mappings, %d before",
	      vm_map_count(), count0);
	CHECK("small-1000-really-gone", test_in_child(vm_child_read, (long)small[0].addr) == -1);
}

int main(void)
{
	vm_run_group("group-random-mix", test_random_mix);
	vm_run_group("group-heap-meets-mappings", test_heap_meets_mappings);
	vm_run_group("group-many-small", test_many_small);
	return test_done();
}
