/* A disk in host memory behind kernel/dev/blk.h, for the swap tests: its
 * size is set by host_blk_attach, and reads or writes can be made to fail
 * (host_blk_fail_after) to test what swap does with a failing device. */
#include "tests/unit/host_blk.h"
#include "include/uapi/errno.h"
#include "kernel/dev/blk.h"

#include <stdlib.h>
#include <string.h>

static u8 *disk;
static u64 disk_size;
long host_blk_fail_after = -1;
u64 host_blk_reads, host_blk_writes;

void host_blk_attach(u64 bytes)
{
	free(disk);
	disk = bytes ? calloc(1, bytes) : NULL;
	disk_size = bytes;
	host_blk_fail_after = -1;
	host_blk_reads = host_blk_writes = 0;
}

int blk_init(void)
{
	return disk ? 0 : -ENODEV;
}

u64 blk_size(void)
{
	return disk_size;
}

int blk_rw(u64 offset, void *buf, u32 len, bool write)
{
	if (!disk)
		return -ENODEV;
	if (offset % BLK_SECTOR_SIZE || len % BLK_SECTOR_SIZE || offset + len > disk_size)
		return -EINVAL;
	if (host_blk_fail_after == 0)
		return -EIO;
	if (host_blk_fail_after > 0)
		host_blk_fail_after--;
	if (write) {
		host_blk_writes++;
		memcpy(disk + offset, buf, len);
	} else {
		host_blk_reads++;
		memcpy(buf, disk + offset, len);
	}
	return 0;
}

int blk_rw_many(struct blk_io *ios, int n)
{
	int failed = 0;
	for (int i = 0; i < n; i++) {
		ios[i].err = blk_rw(ios[i].offset, ios[i].buf, ios[i].len, ios[i].write);
		failed += ios[i].err != 0;
	}
	return failed ? -EIO : 0;
}

void blk_check(void)
{
}
