/* ckpt: paging done by a user program, with mprotect and SIGSEGV
 * (docs/user-paging.md walks through it).
 *
 *   ckpt          incremental checkpoint: a transaction writes some pages
 *                 of a read-only region; the first write to each page is
 *                 caught (user/lib/ckpt.c) and the page saved; the
 *                 transaction fails and a rollback puts them back
 *   ckpt lazy     pages filled on first touch: a region kept PROT_NONE
 *                 whose pages this program computes when first read
 *   ckpt bench [N]  what a fault costs on each path, over N pages
 *                   (default 1024): a plain first touch, a fault a
 *                   handler resolves with mprotect, a checkpoint fault */
#include <ckpt.h>
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <mnemo.h>

#define PAGE CKPT_PAGE
#define RW   (PROT_READ | PROT_WRITE)

static char *map_pages(size_t n, int prot)
{
	char *p = mmap(NULL, n * PAGE, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		fprintf(stderr, "ckpt: mmap of %zu pages: %s\n", n, strerror(errno));
		exit(1);
	}
	return p;
}

/* ---------------------------------------------------------------- checkpoint */

#define NPAGES 8

/* One "record" per page: a line of text the transaction rewrites. */
static void put_record(char *region, int page, const char *text)
{
	snprintf(region + page * PAGE, PAGE, "page %d: %s", page, text);
}

/* The kernel's view: each mprotect of one page splits the region's VMA
 * (and merges neighbours that end up alike), so the region is now as
 * many mappings as runs of clean and dirty pages. */
static void show_vmas(const char *base, size_t npages)
{
	int n, inside = 0;
	struct mnemo_vmmap *maps = vmmaps_all(0, &n);

	if (!maps)
		return;
	for (int k = 0; k < n; k++)
		inside += maps[k].start >= (uintptr_t)base &&
			  maps[k].end <= (uintptr_t)base + npages * PAGE;
	printf("ckpt: the kernel keeps it as %d mappings (r read-only, w writable): ", inside);
	for (int k = 0, first = 1; k < n; k++) {
		if (maps[k].start < (uintptr_t)base ||
		    maps[k].end > (uintptr_t)base + npages * PAGE)
			continue;
		printf("%s", first ? "" : "|");
		for (uint64_t a = maps[k].start; a < maps[k].end; a += PAGE)
			putchar(maps[k].prot & PROT_WRITE ? 'w' : 'r');
		first = 0;
	}
	printf("\n");
	free(maps);
}

static void show_dirty(const struct ckpt *c, int writes)
{
	char map[NPAGES + 1];

	memset(map, '.', NPAGES);
	map[NPAGES] = '\0';
	printf("ckpt: %d writes, %zu first writes caught; dirty pages in order:", writes, c->nlog);
	for (size_t k = 0; k < c->nlog; k++) {
		printf(" %u", (unsigned)c->log[k]);
		map[c->log[k]] = 'w';
	}
	printf("\nckpt: page map (w = dirty): %s\n", map);
	show_vmas(c->base, NPAGES);
}

static int demo_checkpoint(void)
{
	static char copy[NPAGES * PAGE]; /* to prove the rollback, byte for byte */
	char *region = map_pages(NPAGES, RW);
	struct ckpt c;

	for (int i = 0; i < NPAGES; i++)
		put_record(region, i, "balance 100");
	if (ckpt_init(&c, region, NPAGES) < 0 || ckpt_begin(&c) < 0) {
		fprintf(stderr, "ckpt: %s\n", strerror(errno));
		return 1;
	}
	memcpy(copy, region, sizeof(copy));
	printf("ckpt: %d pages at %p, checkpoint taken: all read-only now\n", NPAGES,
	       (void *)region);

	/* A transaction: four writes, two of them to page 6. Each first
	 * write faults once; the second write to page 6 finds it writable. */
	put_record(region, 6, "balance 40");
	put_record(region, 1, "balance 160");
	put_record(region, 6, "balance 10");
	put_record(region, 4, "closed");
	/* The log was written by the handler, behind the compiler's back:
	 * this fence keeps it from reading the log before the writes. */
	atomic_signal_fence(memory_order_seq_cst);
	show_dirty(&c, 4);

	/* It fails halfway: roll back. */
	long n = ckpt_rollback(&c);
	printf("ckpt: rollback restored %ld pages; region equals the checkpoint: %s\n", n,
	       memcmp(copy, region, sizeof(copy)) == 0 ? "yes" : "NO");
	printf("ckpt: %s\n", region + 6 * PAGE);

	/* A second transaction succeeds: the new checkpoint keeps it. */
	put_record(region, 2, "balance 250");
	atomic_signal_fence(memory_order_seq_cst);
	show_dirty(&c, 1);
	ckpt_begin(&c);
	printf("ckpt: committed (new checkpoint): %s\n", region + 2 * PAGE);
	printf("ckpt: %lu write faults in all\n", c.faults);
	ckpt_fini(&c);
	munmap(region, NPAGES * PAGE);
	return 0;
}

/* ---------------------------------------------------------------- lazy */

#define LAZY_PAGES 16

static char *lazy_base;
static int lazy_filled[LAZY_PAGES]; /* order of filling, page numbers */
static int lazy_nfilled;

/* Page i of the lazy region holds the squares of i*512 .. i*512 + 511:
 * what a real program would decompress, read from a file or compute. */
static void lazy_compute(uint64_t *words, int i)
{
	for (int k = 0; k < PAGE / 8; k++) {
		uint64_t n = (uint64_t)i * (PAGE / 8) + k;
		words[k] = n * n;
	}
}

static void lazy_on_segv(int sig, siginfo_t *si, void *uc)
{
	char *addr = si->si_addr;
	(void)uc;

	/* Not in our region, or not a protection fault: the default action.
	 * Putting it back and returning makes the access fault again, and
	 * the process ends with SIGSEGV. */
	if (addr < lazy_base || addr >= lazy_base + LAZY_PAGES * PAGE ||
	    si->si_code != SEGV_ACCERR) {
		signal(sig, SIG_DFL);
		return;
	}
	int i = (int)((addr - lazy_base) / PAGE);
	char *page = lazy_base + i * PAGE;
	/* Writable to fill it, then read-only: the contents are computed, a
	 * write to them is a bug, and it falls through to the default. */
	if (mprotect(page, PAGE, RW) < 0) {
		signal(sig, SIG_DFL);
		return;
	}
	lazy_compute((uint64_t *)page, i);
	mprotect(page, PAGE, PROT_READ);
	lazy_filled[lazy_nfilled++] = i;
}

static int demo_lazy(void)
{
	struct sigaction sa = {.sa_sigaction = lazy_on_segv, .sa_flags = SA_SIGINFO};
	/* volatile: the reads happen in the order written, so the pages
	 * fill in that order (the compiler knows nothing of faults). */
	const volatile uint64_t *squares;

	/* PROT_NONE: the kernel maps no page here, under either pager; any
	 * touch is a SEGV_ACCERR fault for the handler. */
	lazy_base = map_pages(LAZY_PAGES, PROT_NONE);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, NULL);
	squares = (const volatile uint64_t *)lazy_base;
	printf("ckpt lazy: %d pages at %p, none filled\n", LAZY_PAGES, (void *)lazy_base);

	uint64_t a = squares[3];		   /* page 0 */
	uint64_t b = squares[5000];		   /* page 9 */
	uint64_t c = squares[5001];		   /* page 9 again: filled, no fault */
	uint64_t d = squares[8191];		   /* page 15, the last */
	atomic_signal_fence(memory_order_seq_cst); /* before reading lazy_filled */
	printf("ckpt lazy: 3^2 = %llu, 5000^2 = %llu, 5001^2 = %llu, 8191^2 = %llu\n",
	       (unsigned long long)a, (unsigned long long)b, (unsigned long long)c,
	       (unsigned long long)d);
	printf("ckpt lazy: %d of %d pages filled, in order:", lazy_nfilled, LAZY_PAGES);
	for (int k = 0; k < lazy_nfilled; k++)
		printf(" %d", lazy_filled[k]);
	printf("\n");
	munmap(lazy_base, LAZY_PAGES * PAGE);
	return a == 9 && b == 25000000 && c == 25010001 && d == 67092481 ? 0 : 1;
}

/* ---------------------------------------------------------------- bench */

static uint64_t ns_since(uint64_t t0)
{
	uint64_t ticks = mnemo_rdtime() - t0, hz = mnemo_timebase();
	return ticks / hz * 1000000000ull + ticks % hz * 1000000000ull / hz;
}

static uint64_t pgfaults(void)
{
	struct mnemo_vmstat vs;
	return vmstat(&vs) == 0 ? vs.pgfault : 0;
}

/* The handler of the middle row: nothing but the mprotect. */
static void bare_on_segv(int sig, siginfo_t *si, void *uc)
{
	char *page = (char *)((uintptr_t)si->si_addr & ~(uintptr_t)(PAGE - 1));
	(void)sig, (void)uc;
	mprotect(page, PAGE, RW);
}

static void empty_handler(int sig)
{
	(void)sig;
}

/* Writes one byte to each of n pages; returns the ns taken, and in
 * *faults the page faults the kernel counted meanwhile. */
static uint64_t touch(volatile char *p, size_t n, uint64_t *faults)
{
	uint64_t f0 = pgfaults(), t0 = mnemo_rdtime();
	for (size_t i = 0; i < n; i++)
		p[i * PAGE] = 1;
	uint64_t ns = ns_since(t0);
	*faults = pgfaults() - f0;
	return ns;
}

static void row(const char *what, size_t n, uint64_t ns, uint64_t faults)
{
	uint64_t per = ns / n, hundredths = faults * 100 / n;
	printf("%-42s %7llu ns/page %8llu pages/s %3llu.%02llu faults/page\n", what,
	       (unsigned long long)per, (unsigned long long)(per ? 1000000000ull / per : 0),
	       (unsigned long long)(hundredths / 100), (unsigned long long)(hundredths % 100));
}

static int bench(size_t n)
{
	struct sigaction sa = {.sa_sigaction = bare_on_segv, .sa_flags = SA_SIGINFO}, old;
	uint64_t ns, faults;
	struct ckpt c;
	char *p;

	printf("ckpt bench: %zu pages, writes in address order\n", n);
	/* A plain first touch: the kernel fills the page (lazy pager) and
	 * the store runs again; no signal. */
	p = map_pages(n, RW);
	ns = touch(p, n, &faults);
	row("first touch (kernel fills a zero page)", n, ns, faults);
	munmap(p, n * PAGE);

	/* Pages already there and read-only: the kernel refuses the write,
	 * the handler makes the page writable, sigreturn, the store again. */
	p = map_pages(n, RW);
	touch(p, n, &faults);
	mprotect(p, n * PAGE, PROT_READ);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, &old);
	ns = touch(p, n, &faults);
	row("SIGSEGV, handler mprotects", n, ns, faults);
	sigaction(SIGSEGV, &old, NULL);
	munmap(p, n * PAGE);

	/* The same, plus the 4 KiB copy into the save area, whose page is
	 * itself a first touch under the lazy pager. */
	p = map_pages(n, RW);
	touch(p, n, &faults);
	if (ckpt_init(&c, p, n) < 0 || ckpt_begin(&c) < 0) {
		fprintf(stderr, "ckpt: %s\n", strerror(errno));
		return 1;
	}
	ns = touch(p, n, &faults);
	row("checkpoint: SIGSEGV, save 4 KiB, mprotect", n, ns, faults);
	uint64_t t0 = mnemo_rdtime();
	ckpt_rollback(&c);
	row("rollback (copy back, mprotect the region)", n, ns_since(t0), 0);
	ckpt_fini(&c);
	munmap(p, n * PAGE);

	/* The parts of the handler's path, to see where its time goes: the
	 * mprotect alone, on the same pages in the same order... */
	p = map_pages(n, RW);
	touch(p, n, &faults);
	mprotect(p, n * PAGE, PROT_READ);
	t0 = mnemo_rdtime();
	for (size_t i = 0; i < n; i++)
		mprotect(p + i * PAGE, PAGE, RW);
	row("  part: mprotect of one page, R to RW", n, ns_since(t0), 0);
	munmap(p, n * PAGE);
	/* ...and a signal that is no fault: sent, handled, returned. */
	signal(SIGUSR1, empty_handler);
	t0 = mnemo_rdtime();
	for (size_t i = 0; i < n; i++)
		raise(SIGUSR1);
	row("  part: raise(SIGUSR1), empty handler", n, ns_since(t0), 0);
	signal(SIGUSR1, SIG_DFL);
	return 0;
}

int main(int argc, char *argv[])
{
	if (argc < 2)
		return demo_checkpoint();
	if (strcmp(argv[1], "lazy") == 0)
		return demo_lazy();
	if (strcmp(argv[1], "bench") == 0) {
		long n = argc > 2 ? atol(argv[2]) : 1024;
		return bench(n > 0 ? (size_t)n : 1024);
	}
	fprintf(stderr, "usage: ckpt [lazy | bench [pages]]\n");
	return 2;
}
