/* The benchmarks of per-process memory (mmap, faults, fork), included by
 * runbench.c after its timing helpers (bench_ns, bench_use, PAGE). Each
 * function runs one trial and returns its figure x1000, or 0 on failure.
 *
 *   first touch of a lazy anonymous page  vs a null system call and
 *                                         zeroing 4 KiB in user space
 *   copy-on-write fault after fork        vs the first touch
 *   mmap+munmap of a page among 10 000    vs among 10 mappings
 *   fork+exit+wait with 16 MiB touched    vs memcpy of 16 MiB (target:
 *                                         fork 20 times faster) and a
 *                                         copy by 8-byte words; xv6
 *   page-table pages of a touched 64 MiB mapping, in % of it (< 0.5) */
#ifndef BENCH_VM_H
#define BENCH_VM_H

#include <sys/mman.h>

#define BENCH_RW (PROT_READ | PROT_WRITE)

static void *bench_map(long len)
{
	return mmap(NULL, len, BENCH_RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

/* Writes one byte into every page of [p, p + len). */
static void bench_touch(char *p, long len)
{
	for (long off = 0; off < len; off += PAGE)
		p[off] = 1;
	bench_use(p);
}

/* µs per page (x1000: ns) for the first touch of each page of a fresh
 * 16 MiB mapping; with the lazy pager each touch is a page fault that
 * allocates and zeroes a page. */
static uint64_t bench_first_touch(void)
{
	const long len = 16L << 20;
	char *p = bench_map(len);
	uint64_t t0, ns;

	if (p == MAP_FAILED)
		return 0;
	t0 = mnemo_rdtime();
	bench_touch(p, len);
	ns = bench_ns(mnemo_rdtime() - t0);
	munmap(p, len);
	return ns / (len / PAGE);
}

/* µs per page (x1000: ns) for the first write to each page of a 16 MiB
 * mapping after a fork, while the child that shares it still lives: each
 * write is a copy-on-write fault that allocates a page and copies 4 KiB
 * into it (the first touch above allocates and zeroes one). The child
 * waits on a pipe until the parent is done. */
static uint64_t bench_cow_fault(void)
{
	const long len = 16L << 20;
	char *p = bench_map(len);
	int hold[2], status, pid = -1;
	uint64_t t0, ns = 0;
	char c;

	if (p == MAP_FAILED)
		return 0;
	if (pipe(hold) < 0) {
		munmap(p, len);
		return 0;
	}
	bench_touch(p, len);
	pid = fork();
	if (pid == 0) {
		close(hold[1]);
		(void)!read(hold[0], &c, 1);
		_exit(0);
	}
	close(hold[0]);
	if (pid > 0) {
		t0 = mnemo_rdtime();
		bench_touch(p, len);
		ns = bench_ns(mnemo_rdtime() - t0);
	}
	close(hold[1]);
	munmap(p, len);
	if (pid < 0 || waitpid(pid, &status, 0) != pid || status != 0)
		return 0;
	return ns / (len / PAGE);
}

/* µs for one mmap+munmap of a page while n other mappings exist. The n
 * are single pages the kernel places; their protections alternate
 * (read-only, none) so that they stay n mappings even side by side, and
 * the timed read-write page merges with none of them. */
#define BENCH_MAX_MAPS 10000

static char *bench_maps[BENCH_MAX_MAPS];

static uint64_t bench_mmap_among(long n)
{
	const long rounds = 2000;
	uint64_t t0, ns;
	long made = 0;
	int ok = n <= BENCH_MAX_MAPS;

	for (; ok && made < n; made++) {
		bench_maps[made] = mmap(NULL, PAGE, made % 2 ? PROT_NONE : PROT_READ,
					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (bench_maps[made] == MAP_FAILED)
			ok = 0;
	}
	t0 = mnemo_rdtime();
	for (long i = 0; i < rounds && ok; i++) {
		char *p = bench_map(PAGE);
		ok = p != MAP_FAILED && munmap(p, PAGE) == 0;
	}
	ns = bench_ns(mnemo_rdtime() - t0);
	for (long i = 0; i < made; i++)
		if (bench_maps[i] != MAP_FAILED)
			munmap(bench_maps[i], PAGE);
	return ok ? ns / rounds : 0;
}

static uint64_t bench_mmap_among_10(void)
{
	return bench_mmap_among(10);
}

static uint64_t bench_mmap_among_10k(void)
{
	return bench_mmap_among(10000);
}

/* ms (x1000: µs) for fork+exit+wait of a process that has written all of
 * a 16 MiB mapping: fork copies no data, only page-table entries. */
static uint64_t bench_fork_16mib(void)
{
	const long len = 16L << 20, n = 10;
	char *p = bench_map(len);
	uint64_t t0, ns;
	int ok = 1;

	if (p == MAP_FAILED)
		return 0;
	bench_touch(p, len);
	t0 = mnemo_rdtime();
	for (long i = 0; i < n && ok; i++) {
		int status, pid = fork();
		if (pid == 0)
			_exit(0);
		ok = pid > 0 && waitpid(pid, &status, 0) == pid && status == 0;
	}
	ns = bench_ns(mnemo_rdtime() - t0);
	munmap(p, len);
	return ok ? ns / n / 1000 : 0;
}

/* ms (x1000: µs) for one copy of 16 MiB between two mappings already
 * touched: what copying the memory at fork would cost at the least. With
 * the library's memcpy (user/lib/string.c: eight words a round), and
 * with a loop of one 8-byte word a round. */
static void bench_copy_words(uint64_t *dst, const uint64_t *src, long len)
{
	for (long i = 0; i < len / 8; i++)
		dst[i] = src[i];
}

static uint64_t bench_copy_16mib(int words)
{
	const long len = 16L << 20;
	char *src = bench_map(len), *dst = bench_map(len);
	uint64_t t0, ns = 0;

	if (src != MAP_FAILED && dst != MAP_FAILED) {
		bench_touch(src, len);
		bench_touch(dst, len);
		t0 = mnemo_rdtime();
		if (words)
			bench_copy_words((uint64_t *)dst, (const uint64_t *)src, len);
		else
			memcpy(dst, src, len);
		bench_use(dst);
		ns = bench_ns(mnemo_rdtime() - t0);
	}
	if (src != MAP_FAILED)
		munmap(src, len);
	if (dst != MAP_FAILED)
		munmap(dst, len);
	return ns / 1000;
}

static uint64_t bench_memcpy_16mib(void)
{
	return bench_copy_16mib(0);
}

static uint64_t bench_word_copy_16mib(void)
{
	return bench_copy_16mib(1);
}

/* The page-table pages a touched 64 MiB mapping needs, in % (x1000) of
 * the mapped memory, from meminfo's system-wide count before and after.
 * Sv39 needs one level-0 table per 2 MiB: 32 pages, about 0.2 %. Measured
 * in a child, whose page table is new: this process keeps the tables of
 * the ranges it mapped before (munmap does not free them). */
static uint64_t bench_pagetable_child(void)
{
	const long len = 64L << 20;
	struct mnemo_meminfo before, after;
	char *p;

	if (meminfo(&before) < 0 || (p = bench_map(len)) == MAP_FAILED)
		return 0;
	bench_touch(p, len);
	if (meminfo(&after) < 0)
		return 0;
	/* % x1000 = pages * PAGE * 100 * 1000 / len */
	return (after.pagetable_pages - before.pagetable_pages) * PAGE * 100000 / len;
}

static uint64_t bench_pagetable_overhead(void)
{
	uint64_t figure = 0;
	int fds[2], pid, status;

	if (pipe(fds) < 0)
		return 0;
	pid = fork();
	if (pid == 0) {
		figure = bench_pagetable_child();
		_exit(write(fds[1], &figure, sizeof(figure)) == sizeof(figure) ? 0 : 1);
	}
	close(fds[1]);
	if (pid < 0 || read(fds[0], &figure, sizeof(figure)) != sizeof(figure))
		figure = 0;
	close(fds[0]);
	if (pid > 0 && (waitpid(pid, &status, 0) != pid || status != 0))
		figure = 0;
	return figure;
}

#endif
