/* The disk's own speed (boot argument blkbench, run as init starts, before
 * anything is in swap): the reference for the swap rows of `make bench`,
 * which boots its pressure machine with it. Writes BENCH_MIB MiB from the
 * start of the disk in batches of BATCH pages, as swap writes a clock
 * visit's pages, then reads them back the same way, and prints one line:
 * `blkbench: raw disk, N MiB in batches of B pages: write W MiB/s, read R
 * MiB/s`. The bytes it leaves there are no one's: swap writes a slot
 * before it ever reads it. */
#include "kernel/arch/riscv/csr.h"
#include "kernel/arch/riscv/trap.h"
#include "kernel/dev/blk.h"
#include "kernel/lib/printf.h"
#include "kernel/mm/page.h"

#define BENCH_MIB 16
#define BATCH	  16 /* the driver's requests in flight */

/* MiB/s, with one decimal, as tenths. */
static u64 tenths_mib_per_s(u64 bytes, u64 ticks)
{
	return ticks ? bytes * 10 * timebase_hz / ticks / (1 << 20) : 0;
}

/* Moves the first bytes of the disk through bufs, batch by batch; the
 * rdtime ticks it took, or 0 on an error. */
static u64 pass(void **bufs, u64 bytes, bool write)
{
	struct blk_io ios[BATCH];
	u64 t0 = rdtime();
	for (u64 at = 0; at < bytes; at += BATCH * PAGE_SIZE) {
		for (int i = 0; i < BATCH; i++)
			ios[i] = (struct blk_io){.offset = at + i * PAGE_SIZE,
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
	if (blk_size() < bytes) {
		printk("blkbench: no disk of %d MiB\n", BENCH_MIB);
		return;
	}
	for (int i = 0; i < BATCH; i++)
		if (!(bufs[i] = kpage_alloc_zeroed()))
			goto out;
	u64 w = pass(bufs, bytes, true), r = w ? pass(bufs, bytes, false) : 0;
	if (!w || !r) {
		printk("blkbench: the disk failed a request\n");
		goto out;
	}
	u64 wt = tenths_mib_per_s(bytes, w), rt = tenths_mib_per_s(bytes, r);
	printk("blkbench: raw disk, %d MiB in batches of %d pages: write %lu.%lu MiB/s, read "
	       "%lu.%lu MiB/s\n",
	       BENCH_MIB, BATCH, wt / 10, wt % 10, rt / 10, rt % 10);
out:
	for (int i = 0; i < BATCH; i++)
		if (bufs[i])
			kpage_free(bufs[i]);
}
