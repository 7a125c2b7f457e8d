/* The benchmarks of memory pressure, included by runbench.c after
 * bench_vm.h: run as `runbench swap`, which `make bench` does on a second
 * machine with 32 MiB of RAM and the swap disk, so that a working set
 * larger than RAM is a few thousand pages. Each row has its reference
 * measured in the same run: the same work on a working set that fits.
 *
 *   pages beyond RAM, first touch (swap-out)  vs first touch that fits
 *   reading them back in order (swap-in)      vs reading pages in RAM
 *   a fault on a swapped-out page             vs a first-touch fault
 *   1.5x RAM touched in sequence, at random   vs 0.5x RAM, the same way
 *
 * The disk's own speed, which bounds the first two, is the kernel's to
 * measure (a program cannot reach the disk): the same boot prints it
 * before the table (boot argument blkbench, kernel/dev/blk_bench.c). */
#ifndef BENCH_SWAP_H
#define BENCH_SWAP_H

#include "bench_vm.h" /* bench_map, bench_touch, bench_first_touch */

static long bench_ram_pages(void)
{
	struct mnemo_meminfo mi;

	return meminfo(&mi) == 0 ? (long)mi.total_pages : 0;
}

/* Writes one word into each of n pages of p, in order or in a shuffled
 * order (a fixed permutation, so every trial does the same work);
 * returns ns per page. */
static uint32_t bench_order[1 << 16];

static uint64_t bench_pass(char *p, long n, int random)
{
	uint64_t t0 = mnemo_rdtime();

	for (long i = 0; i < n; i++) {
		long k = random ? bench_order[i] : i;
		p[k * PAGE] += 1;
	}
	bench_use(p);
	return bench_ns(mnemo_rdtime() - t0) / n;
}

static void bench_shuffle(long n)
{
	uint64_t x = 0x9e3779b97f4a7c15ULL;

	for (long i = 0; i < n; i++)
		bench_order[i] = (uint32_t)i;
	for (long i = n - 1; i > 0; i--) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		long j = (long)(x % (uint64_t)(i + 1));
		uint32_t t = bench_order[i];
		bench_order[i] = bench_order[j];
		bench_order[j] = t;
	}
}

/* ns per page of the second pass over a working set of num/den of RAM,
 * after a first pass that brought it in. */
static uint64_t bench_working_set(long num, long den, int random)
{
	long n = bench_ram_pages() * num / den;
	if (n <= 0 || n > (long)(sizeof(bench_order) / sizeof(bench_order[0])))
		return 0;
	char *p = bench_map(n * PAGE);
	if (p == MAP_FAILED)
		return 0;
	bench_shuffle(n);
	bench_pass(p, n, random);
	uint64_t ns = bench_pass(p, n, random);
	munmap(p, n * PAGE);
	return ns ? ns : 1;
}

static uint64_t bench_ws_seq_big(void)
{
	return bench_working_set(3, 2, 0);
}
static uint64_t bench_ws_seq_small(void)
{
	return bench_working_set(1, 2, 0);
}
static uint64_t bench_ws_rand_big(void)
{
	return bench_working_set(3, 2, 1);
}
static uint64_t bench_ws_rand_small(void)
{
	return bench_working_set(1, 2, 1);
}

/* Swap-out and swap-in in MiB/s, and the cost of one fault on a swapped
 * page: RAM + 4096 pages are touched for the first time (the oldest go
 * out), then the first 1024 (all out by then) are read back in order. */
static uint64_t bench_swapped_fault_ns, bench_swap_in_mibs;

static uint64_t bench_swap_out(void)
{
	long n = bench_ram_pages() + 4096;
	char *p = bench_map(n * PAGE);
	if (p == MAP_FAILED)
		return 0;
	uint64_t t0 = mnemo_rdtime();
	bench_touch(p, n * PAGE);
	uint64_t out_ns = bench_ns(mnemo_rdtime() - t0);
	t0 = mnemo_rdtime();
	long back = 1024;
	volatile char sum = 0;
	for (long i = 0; i < back; i++)
		sum += p[i * PAGE];
	uint64_t in_ns = bench_ns(mnemo_rdtime() - t0);
	(void)sum;
	munmap(p, n * PAGE);
	bench_swapped_fault_ns = in_ns / back;
	bench_swap_in_mibs = bench_mib_per_s(back * PAGE >> 20, in_ns);
	return bench_mib_per_s(n * PAGE >> 20, out_ns);
}

/* The figures bench_swap_out measured in its last trial. */
static uint64_t bench_swap_in(void)
{
	return bench_swap_in_mibs;
}
static uint64_t bench_swapped_fault(void)
{
	return bench_swapped_fault_ns;
}

/* MiB/s of the first touch of pages that fit (16 MiB), and µs per page
 * (x1000: ns) of reading pages that are in RAM. */
static uint64_t bench_touch_fits(void)
{
	const long len = 16L << 20;
	char *p = bench_map(len);
	if (p == MAP_FAILED)
		return 0;
	uint64_t t0 = mnemo_rdtime();
	bench_touch(p, len);
	uint64_t ns = bench_ns(mnemo_rdtime() - t0);
	munmap(p, len);
	return bench_mib_per_s(len >> 20, ns);
}

#endif
