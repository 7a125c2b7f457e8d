/* read() of a directory: one xv6-style struct mnemo_dirent per entry,
 * "." and ".." first. The position counts records: 0 is ".", 1 is "..",
 * 2 + i is slot i of the directory, so entries added or removed meanwhile
 * never make a reader skip or repeat the others. Names longer than
 * MNEMO_DIRSIZ bytes are cut short, as the record has no room. */
#include "include/uapi/dirent.h"
#include "include/uapi/errno.h"
#include "kernel/fs/file.h"
#include "kernel/fs/ramfs.h"
#include "kernel/lib/string.h"
#include "kernel/mm/uaccess.h"

#define READDIR_BATCH 16 /* records per trip through the lock */

static void readdir_record(struct mnemo_dirent *rec, const struct inode *ip, const char *name,
			   size_t len)
{
	memset(rec, 0, sizeof(*rec));
	rec->inum = ip->ino;
	memcpy(rec->name, name, MIN(len, (size_t)MNEMO_DIRSIZ));
}

/* Fills up to max records from *pos; fs_ns_lock held. Returns how many. */
static size_t readdir_fill(struct inode *dp, struct mnemo_dirent *recs, size_t max, u64 *pos)
{
	size_t k = 0;

	while (k < max) {
		struct dentry *de;
		u32 slot;

		if (*pos == 0) {
			readdir_record(&recs[k++], dp, ".", 1);
			*pos = 1;
			continue;
		}
		if (*pos == 1) {
			/* A removed directory has no parent: show itself. */
			struct inode *parent = dp->dir.parent ? dp->dir.parent : dp;

			readdir_record(&recs[k++], parent, "..", 2);
			*pos = 2;
			continue;
		}
		if (*pos - 2 >= dp->dir.nslots)
			break;
		slot = *pos - 2;
		de = dir_next(&dp->dir, &slot);
		*pos = (u64)slot + 2;
		if (!de)
			break;
		readdir_record(&recs[k++], de->ip, de->name, de->len);
	}
	return k;
}

long dir_read(struct inode *dp, void __user *dst, size_t n, u64 *pos)
{
	struct mnemo_dirent recs[READDIR_BATCH];
	size_t done = 0;

	if (n < sizeof(struct mnemo_dirent))
		return -EINVAL;
	while (n - done >= sizeof(struct mnemo_dirent)) {
		size_t want = MIN((n - done) / sizeof(struct mnemo_dirent), (size_t)READDIR_BATCH);
		u64 next = *pos;
		size_t k;

		fs_ns_lock();
		k = readdir_fill(dp, recs, want, &next);
		fs_ns_unlock();
		if (k == 0)
			break;
		if (copy_to_user((u8 __user *)dst + done, recs, k * sizeof(recs[0])) < 0)
			return done ? (long)done : -EFAULT;
		done += k * sizeof(recs[0]);
		*pos = next;
	}
	return done;
}
