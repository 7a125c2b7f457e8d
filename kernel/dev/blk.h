/* The block device: one disk, an array of bytes read and written in
 * whole sectors, for the swap code. Which driver is behind it
 * (virtio_blk.c) is nobody else's business. */
#ifndef KERNEL_DEV_BLK_H
#define KERNEL_DEV_BLK_H

#include "kernel/types.h"

#define BLK_SECTOR_SIZE 512

/* Finds the disk and sets it up, once, at boot, after interrupts are set
 * up and before the first process runs. 0; -ENODEV when the machine has
 * no disk (nothing is printed then) or it cannot be used (one line says
 * why); -ENOMEM. Without a disk the kernel runs as before. */
int blk_init(void);

/* The disk's size in bytes, a multiple of BLK_SECTOR_SIZE; 0 without one. */
u64 blk_size(void);

/* Reads (write false) or writes len bytes at byte offset of the disk
 * into or from buf, a kernel virtual address in the direct map (a page,
 * for swap). offset and len are multiples of BLK_SECTOR_SIZE.
 *
 * Sleeps until the request is done, so it runs in a process, with no
 * spinlock held; a kill does not cut it short, since the device owns buf
 * until then. Requests from several processes are on the disk at once;
 * a caller that finds them all taken sleeps until one ends.
 *
 * Returns 0; -EINVAL for a range that is not whole sectors or not on the
 * disk, or a buf outside the direct map (the device is not asked); -EIO
 * when the device fails the request (a line names the error); -ENODEV
 * without a disk. On -EIO a read leaves buf undefined. */
int blk_rw(u64 offset, void *buf, u32 len, bool write);

/* One request of blk_rw_many, and its result (err: 0, -EINVAL, -EIO). */
struct blk_io {
	u64 offset;
	void *buf;
	u32 len;
	bool write;
	int err;
};

/* blk_rw for n requests at once: as many are on the disk together as the
 * driver has room for, so that their latencies overlap. Returns 0 when
 * all succeeded, else -EIO (or -ENODEV), each request's result in its
 * err. */
int blk_rw_many(struct blk_io *ios, int n);

/* The boot check (boot argument blkcheck, blk_check.c): writes a pattern
 * to 64 pages over the whole disk, reads them back and compares; prints
 * `blkcheck: ok` or `blkcheck: FAILED <why>`. Runs in a process. */
void blk_check(void);

/* The disk's raw throughput (boot argument blkbench, blk_bench.c): one
 * line, for make bench. Runs in a process, before swap holds anything. */
void blk_bench(void);

#endif
