/* The disk's own speed (boot argument blkbench, run as init starts, before
 * anything is in swap): the reference for the swap rows of `make bench`,
 * which boots its pressure machine with it. Writes BENCH_MIB MiB in
 * batches of BATCH pages, then reads them back the same way: once with
 * the pages of a batch next to each other on the disk (the driver makes
 * one request of them, as for a swap run), once every other page (a
 * request each). Prints one line of four figures. The bytes it leaves
 * there are no one's: swap writes a slot before it ever reads it. */
#include "kernel/arch/riscv/csr.h"
#include "kernel/arch/riscv/trap.h"
#include "kernel/dev/blk.h"
#include "kernel/lib/printf.h"
#include "kernel/mm/page.h"

#define BENCH_MIB 16
#define BATCH	  16 /* pages: a swap read with its widest read-ahead */

/* MiB/s, with one decimal, as tenths. */
static u64 tenths_mib_per_s(u64 bytes, u64 ticks)
{
	return ticks ? bytes * 10 * timebase_hz / ticks / (1 << 20) : 0;
}

/* Moves bytes through bufs, batch by batch, a batch's pages stride pages
 * apart on the disk; the rdtime ticks it took, or 0 on an error. */
static u64 pass(void **bufs, u64 bytes, bool write, u64 stride)
{
	struct blk_io ios[BATCH];
	u64 t0 = rdtime();
	for (u64 at = 0; at < bytes * stride; at += BATCH * PAGE_SIZE * stride) {
		for (int i = 0; i < BATCH; i++)
			ios[i] = (struct blk_io){.offset = at + i * PAGE_SIZE * stride,
						 .buf = bufs[i],
						 .len = PAGE_SIZE,
						 .write = write};
		if (blk_rw_many(ios, BATCH) < 0)
			return 0;
	}
	return rdtime() - t0;
}

void blk_bench(void)
{
	u64 bytes = (u64)BENCH_MIB << 20;
	void *bufs[BATCH] = {NULL};
	if (blk_size() < 2 * bytes) {
		printk("blkbench: no disk of %d MiB\n", 2 * BENCH_MIB);
		return;
	}
	for (int i = 0; i < BATCH; i++)
		if (!(bufs[i] = kpage_alloc_zeroed()))
			goto out;
	u64 t[4]; /* write, read: joined, then a request each */
	for (int k = 0; k < 4; k++) {
		t[k] = pass(bufs, bytes, k % 2 == 0, k < 2 ? 1 : 2);
		if (!t[k]) {
			printk("blkbench: the disk failed a request\n");
			goto out;
		}
		t[k] = tenths_mib_per_s(bytes, t[k]);
	}
	printk("blkbench: raw disk, %d MiB in batches of %d pages: write %lu.%lu, read %lu.%lu "
	       "MiB/s in requests of %d pages; write %lu.%lu, read %lu.%lu MiB/s in requests "
	       "of one\n",
	       BENCH_MIB, BATCH, t[0] / 10, t[0] % 10, t[1] / 10, t[1] % 10, BATCH, t[2] / 10,
	       t[2] % 10, t[3] / 10, t[3] % 10);
out:
	for (int i = 0; i < BATCH; i++)
		if (bufs[i])
			kpage_free(bufs[i]);
}
