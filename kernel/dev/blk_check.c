/* The boot check of the block device (boot argument blkcheck, run by init
 * before it execs /bin/init; scripts/blk-test boots with it): 64 pages
 * spread over the whole disk, its first and last among them, are written
 * with a pattern each, then read back into another page and compared,
 * whole and their last sector alone; and requests the driver must refuse
 * are refused. Prints one line,
 * `blkcheck: ok` or `blkcheck: FAILED <why>`. */
#include "include/uapi/errno.h"
#include "kernel/arch/riscv/csr.h"
#include "kernel/dev/blk.h"
#include "kernel/lib/printf.h"
#include "kernel/mm/page.h"

#define CHECK_PAGES 64

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
