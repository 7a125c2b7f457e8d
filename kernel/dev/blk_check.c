/* The boot check of the block device (boot argument blkcheck, run by init
 * before it execs /bin/init; scripts/blk-test boots with it): 64 pages
 * spread over the whole disk, its first and last among them, are written
 * with a pattern each, then read back into another page and compared,
 * whole and their last sector alone; and requests the driver must refuse
 * are refused; then a run of RUN_PAGES neighbouring pages, each in a page
 * of its own, is written in one batch and read back in another (the
 * driver joins them into requests of several pieces, which must land in
 * order: each is read back alone too), with an invalid request in the
 * middle of the batch refused on its own. Prints one line, `blkcheck: ok` or `blkcheck: FAILED
 * <why>`. */
#include "include/uapi/errno.h"
#include "kernel/arch/riscv/csr.h"
#include "kernel/dev/blk.h"
#include "kernel/lib/printf.h"
#include "kernel/mm/page.h"

#define CHECK_PAGES 64
#define RUN_PAGES   20 /* more than one request carries */

/* Word w of disk page n's pattern. It changes with the boot (salt), so
 * that data an earlier boot left in the image cannot pass for a write,
 * and with the page, so that a request that lands on the wrong page shows. */
static u64 pattern(u64 salt, u64 n, u64 w)
{
	return salt ^ n << 32 ^ (w + 1) * 0x9e3779b97f4a7c15ULL;
}

static void fill(u64 *buf, u64 salt, u64 n)
{
	for (u64 w = 0; w < PAGE_SIZE / 8; w++)
		buf[w] = pattern(salt, n, w);
}

/* The byte offset in disk page n of the first word in buf, which holds
 * len bytes of the page from byte from on, that is not n's pattern; or -1. */
static long mismatch(const u64 *buf, u64 salt, u64 n, u64 from, u64 len)
{
	for (u64 w = 0; w < len / 8; w++)
		if (buf[w] != pattern(salt, n, from / 8 + w))
			return (long)(from + 8 * w);
	return -1;
}

/* Reads len bytes of disk page n from byte from on into buf (filled
 * with what the disk should not hold first) and compares them with the
 * pattern. NULL, or what went wrong. */
static const char *read_back(u64 *buf, u64 salt, u64 n, u64 from, u64 len)
{
	static char why[64];
	fill(buf, ~salt, n);
	int err = blk_rw(n * PAGE_SIZE + from, buf, len, /*write=*/false);
	if (err) {
		snprintk(why, sizeof(why), "reading page %lu: error %d", n, -err);
		return why;
	}
	long at = mismatch(buf, salt, n, from, len);
	if (at >= 0) {
		snprintk(why, sizeof(why), "page %lu read back wrong at byte %ld", n, at);
		return why;
	}
	return NULL;
}

/* The disk pages to check: count of them, from 0 to the last, evenly
 * apart and all different (count <= pages). */
static u64 check_page(u64 pages, u64 count, u64 i)
{
	return count == 1 ? 0 : (pages - 1) * i / (count - 1);
}

/* Requests outside the rules: each must be refused with -EINVAL. */
static const char *check_refused(void *buf)
{
	u64 size = blk_size();
	if (blk_rw(size, buf, PAGE_SIZE, /*write=*/false) != -EINVAL)
		return "a read past the end was not refused";
	if (blk_rw(size - BLK_SECTOR_SIZE, buf, 2 * BLK_SECTOR_SIZE, /*write=*/true) != -EINVAL)
		return "a write across the end was not refused";
	if (blk_rw(1, buf, BLK_SECTOR_SIZE, /*write=*/false) != -EINVAL)
		return "a read at an odd offset was not refused";
	if (blk_rw(0, buf, 100, /*write=*/false) != -EINVAL)
		return "a read of part of a sector was not refused";
	if (blk_rw(0, buf, 0, /*write=*/false) != -EINVAL)
		return "a read of nothing was not refused";
	return NULL;
}

/* The run: disk pages [first, first + RUN_PAGES) written from and read
 * into pages of their own, with a refused request between the halves. */
static const char *check_run(u64 salt)
{
	static char why[80];
	void *bufs[RUN_PAGES] = {NULL};
	struct blk_io ios[RUN_PAGES + 1];
	const char *err = "out of memory";
	u64 first = blk_size() / PAGE_SIZE / 2;
	for (int i = 0; i < RUN_PAGES; i++)
		if (!(bufs[i] = kpage_alloc()))
			goto out;
	for (int pass = 0; pass < 2; pass++) {
		bool write = pass == 0;
		for (int i = 0, k = 0; i < RUN_PAGES; i++) {
			if (i == RUN_PAGES / 2) /* at an odd offset: refused */
				ios[k++] = (struct blk_io){
				    .offset = 1, .buf = bufs[0], .len = PAGE_SIZE, .write = write};
			fill(bufs[i], write ? salt : ~salt, first + (u64)i);
			ios[k++] = (struct blk_io){.offset = (first + (u64)i) * PAGE_SIZE,
						   .buf = bufs[i],
						   .len = PAGE_SIZE,
						   .write = write};
		}
		if (blk_rw_many(ios, RUN_PAGES + 1) != -EIO || ios[RUN_PAGES / 2].err != -EINVAL) {
			err = "an invalid request in a batch was not refused alone";
			goto out;
		}
		for (int k = 0; k < RUN_PAGES + 1; k++) {
			if (k != RUN_PAGES / 2 && ios[k].err) {
				snprintk(why, sizeof(why), "%s of the run, request %d: error %d",
					 write ? "writing" : "reading", k, -ios[k].err);
				err = why;
				goto out;
			}
		}
		/* Each page alone too: a batch read that put pages in the
		 * wrong places as the batch write did would hide it. */
		for (int i = 0; write && i < RUN_PAGES; i++)
			if ((err = read_back(bufs[i], salt, first + (u64)i, 0, PAGE_SIZE)))
				goto out;
	}
	err = NULL;
	for (int i = 0; i < RUN_PAGES && !err; i++) {
		long at = mismatch(bufs[i], salt, first + (u64)i, 0, PAGE_SIZE);
		if (at >= 0) {
			snprintk(why, sizeof(why), "page %d of the run read back wrong at byte %ld",
				 i, at);
			err = why;
		}
	}
out:
	for (int i = 0; i < RUN_PAGES; i++)
		if (bufs[i])
			kpage_free(bufs[i]);
	return err;
}

void blk_check(void)
{
	u64 pages = blk_size() / PAGE_SIZE;
	if (pages == 0) {
		printk("blkcheck: FAILED no disk%s\n", blk_size() ? " of a page or more" : "");
		return;
	}
	u64 *out = kpage_alloc(), *in = kpage_alloc();
	if (!out || !in) {
		printk("blkcheck: FAILED out of memory\n");
		goto out_free;
	}
	u64 count = MIN(pages, CHECK_PAGES), salt = rdtime();
	const char *why = check_refused(in);
	if (why) {
		printk("blkcheck: FAILED %s\n", why);
		goto out_free;
	}
	for (u64 i = 0; i < count; i++) {
		u64 n = check_page(pages, count, i);
		fill(out, salt, n);
		int err = blk_rw(n * PAGE_SIZE, out, PAGE_SIZE, /*write=*/true);
		if (err) {
			printk("blkcheck: FAILED writing page %lu: error %d\n", n, -err);
			goto out_free;
		}
	}
	/* Each page whole, then its last sector alone: a request that
	 * lands at the wrong place on the disk reads back another part. */
	for (u64 i = 0; i < count && !why; i++) {
		u64 n = check_page(pages, count, i);
		why = read_back(in, salt, n, 0, PAGE_SIZE);
		if (!why)
			why = read_back(in, salt, n, PAGE_SIZE - BLK_SECTOR_SIZE, BLK_SECTOR_SIZE);
	}
	if (!why && blk_size() / PAGE_SIZE >= 2 * RUN_PAGES)
		why = check_run(salt);
	if (why) {
		printk("blkcheck: FAILED %s\n", why);
		goto out_free;
	}
	printk("blkcheck: ok\n");
out_free:
	if (in)
		kpage_free(in);
	if (out)
		kpage_free(out);
}
