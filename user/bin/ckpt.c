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
 *                   handler resolves with mprotect, a checkpoint fault,
 *                   a rollback, and the parts of the handler's path */
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

#define TRIALS 5 /* each row's best: under QEMU on a busy host, the least disturbed */

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

/* The timed part of a row: its ns, and the kernel's page faults in it. */
static uint64_t timed_t0, timed_f0, timed_faults;

static void timed_start(void)
{
	timed_f0 = pgfaults();
	timed_t0 = mnemo_rdtime();
}

static uint64_t timed_stop(void)
{
	uint64_t ns = ns_since(timed_t0);
	timed_faults = pgfaults() - timed_f0;
	return ns;
}

/* Writes one byte to each of n pages. */
static void touch(volatile char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i * PAGE] = 1;
}

/* The same, timed. */
static uint64_t timed_touch(volatile char *p, size_t n)
{
	timed_start();
	touch(p, n);
	return timed_stop();
}

/* n pages, read-write and filled (each touched once). */
static char *map_filled(size_t n)
{
	char *p = map_pages(n, RW);
	touch(p, n);
	return p;
}

/* A plain first touch: the kernel fills the page (lazy pager) and the
 * store runs again; no signal. */
static uint64_t run_first_touch(size_t n)
{
	char *p = map_pages(n, RW);
	uint64_t ns = timed_touch(p, n);
	munmap(p, n * PAGE);
	return ns;
}

/* The handler of the next row: nothing but the mprotect. */
static void bare_on_segv(int sig, siginfo_t *si, void *uc)
{
	char *page = (char *)((uintptr_t)si->si_addr & ~(uintptr_t)(PAGE - 1));
	(void)sig, (void)uc;
	mprotect(page, PAGE, RW);
}

/* Pages already there and read-only: the kernel refuses the write, the
 * handler makes the page writable, sigreturn, the store again. */
static uint64_t run_handler(size_t n)
{
	struct sigaction sa = {.sa_sigaction = bare_on_segv, .sa_flags = SA_SIGINFO}, old;
	char *p = map_filled(n);

	mprotect(p, n * PAGE, PROT_READ);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, &old);
	uint64_t ns = timed_touch(p, n);
	sigaction(SIGSEGV, &old, NULL);
	munmap(p, n * PAGE);
	return ns;
}

/* The same, plus the 4 KiB copy into the save area, whose page is itself
 * a first touch under the lazy pager. */
static uint64_t run_checkpoint(size_t n)
{
	char *p = map_filled(n);
	struct ckpt c;

	if (ckpt_init(&c, p, n) < 0 || ckpt_begin(&c) < 0)
		return 0;
	uint64_t ns = timed_touch(p, n);
	ckpt_fini(&c);
	munmap(p, n * PAGE);
	return ns;
}

/* A rollback of n dirty pages: n copies back, one mprotect. */
static uint64_t run_rollback(size_t n)
{
	char *p = map_filled(n);
	struct ckpt c;

	if (ckpt_init(&c, p, n) < 0 || ckpt_begin(&c) < 0)
		return 0;
	touch(p, n);
	timed_start();
	ckpt_rollback(&c);
	uint64_t ns = timed_stop();
	ckpt_fini(&c);
	munmap(p, n * PAGE);
	return ns;
}

/* The parts of the handler's path, to see where its time goes: the
 * mprotect alone, on the same pages in the same order... */
static uint64_t run_mprotect(size_t n)
{
	char *p = map_filled(n);

	mprotect(p, n * PAGE, PROT_READ);
	timed_start();
	for (size_t i = 0; i < n; i++)
		mprotect(p + i * PAGE, PAGE, RW);
	uint64_t ns = timed_stop();
	munmap(p, n * PAGE);
	return ns;
}

/* ...the same call when it changes no PTE (the pages are RW already):
 * the VMA split and merge without the fence... */
static uint64_t run_mprotect_same(size_t n)
{
	char *p = map_filled(n);

	timed_start();
	for (size_t i = 0; i < n; i++)
		mprotect(p + i * PAGE, PAGE, RW);
	uint64_t ns = timed_stop();
	munmap(p, n * PAGE);
	return ns;
}

static void empty_handler(int sig)
{
	(void)sig;
}

/* ...and a signal that is no fault: sent, handled, returned. */
static uint64_t run_raise(size_t n)
{
	signal(SIGUSR1, empty_handler);
	timed_start();
	for (size_t i = 0; i < n; i++)
		raise(SIGUSR1);
	uint64_t ns = timed_stop();
	signal(SIGUSR1, SIG_DFL);
	return ns;
}

static const struct {
	const char *what;
	uint64_t (*run)(size_t n);
} rows[] = {
    {"first touch (the kernel fills a zero page)", run_first_touch},
    {"SIGSEGV, handler mprotects, sigreturn", run_handler},
    {"checkpoint: as above + save 4 KiB", run_checkpoint},
    {"rollback, per page restored", run_rollback},
    {"  part: mprotect of one page, R to RW", run_mprotect},
    {"  part: mprotect of one page, RW to RW", run_mprotect_same},
    {"  part: raise(SIGUSR1), empty handler", run_raise},
};
#define NROWS (sizeof(rows) / sizeof(rows[0]))

static int bench(size_t n)
{
	uint64_t best[NROWS] = {0}, faults[NROWS] = {0};

	printf("ckpt bench: %zu pages, writes in address order, best of %d trials\n", n, TRIALS);
	/* Rows take turns within a trial, so that a busy moment of the host
	 * falls on all of them alike. */
	for (int t = 0; t < TRIALS; t++)
		for (size_t r = 0; r < NROWS; r++) {
			uint64_t ns = rows[r].run(n);
			if (ns && (!best[r] || ns < best[r])) {
				best[r] = ns;
				faults[r] = timed_faults;
			}
		}
	printf("%-43s %8s %9s %7s %11s\n", "", "ns/page", "pages/s", "faults", "first touch");
	for (size_t r = 0; r < NROWS; r++) {
		uint64_t per = best[r] / n, f100 = faults[r] * 100 / n;
		uint64_t x10 = best[0] ? best[r] * 10 / best[0] : 0;
		printf("%-43s %8llu %9llu %4llu.%02llu %9llu.%llux\n", rows[r].what,
		       (unsigned long long)per, (unsigned long long)(per ? 1000000000ull / per : 0),
		       (unsigned long long)(f100 / 100), (unsigned long long)(f100 % 100),
		       (unsigned long long)(x10 / 10), (unsigned long long)(x10 % 10));
	}
	printf("(faults: the kernel's page faults per page while timed, vmstat's pgfault)\n");
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
