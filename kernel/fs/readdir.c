/* Reading a directory: one record per entry, "." and ".." first, in one
 * of the two layouts of include/uapi/dirent.h (xv6's struct mnemo_dirent
 * for read(), struct mnemo_dirent_long for getdents()). The position
 * counts entries: 0 is ".", 1 is "..", 2 + i is slot i of the directory,
 * so entries added or removed meanwhile never make a reader skip or repeat
 * the others, and both layouts can share it. */
#include "include/uapi/dirent.h"
#include "include/uapi/errno.h"
#include "kernel/fs/file.h"
#include "kernel/fs/ramfs.h"
#include "kernel/lib/string.h"
#include "kernel/mm/uaccess.h"

/* Bytes of records gathered per trip through the lock: room for at least
 * one record of either layout with the longest name. */
#define READDIR_BATCH 512

/* Writes the record of one entry at buf, if it fits in room bytes;
 * returns its size, or 0 when it does not fit. */
typedef size_t (*readdir_record_fn)(void *buf, size_t room, u32 ino, const char *name, size_t len);

_Static_assert(READDIR_BATCH >= sizeof(struct mnemo_dirent_long) + FS_NAME_MAX + 8,
	       "a batch holds the longest record");

/* xv6's record; a longer name is cut to MNEMO_DIRSIZ bytes. */
static size_t record_xv6(void *buf, size_t room, u32 ino, const char *name, size_t len)
{
	struct mnemo_dirent *rec = buf;

	if (room < sizeof(*rec))
		return 0;
	memset(rec, 0, sizeof(*rec));
	rec->inum = ino;
	memcpy(rec->name, name, MIN(len, (size_t)MNEMO_DIRSIZ));
	return sizeof(*rec);
}

/* getdents' record: the whole name, NUL-terminated, padded to 8 bytes. */
static size_t record_long(void *buf, size_t room, u32 ino, const char *name, size_t len)
{
	struct mnemo_dirent_long *rec = buf;
	size_t reclen = ALIGN_UP(sizeof(*rec) + len + 1, 8);

	if (room < reclen)
		return 0;
	memset(rec, 0, reclen);
	rec->inum = ino;
	rec->reclen = reclen;
	rec->namelen = len;
	memcpy(rec->name, name, len);
	return reclen;
}

/* The entry at *pos, advancing *pos past it; false at the end. *name
 * points into the directory: valid while fs_ns_lock, which the caller
 * holds, is. */
static bool readdir_entry(struct inode *dp, u64 *pos, u32 *ino, const char **name, size_t *len)
{
	struct dentry *de;
	u32 slot;

	if (*pos == 0) {
		*ino = dp->ino;
		*name = ".";
		*len = 1;
		*pos = 1;
		return true;
	}
	if (*pos == 1) {
		/* A removed directory has no parent: show itself. */
		*ino = dp->dir.parent ? dp->dir.parent->ino : dp->ino;
		*name = "..";
		*len = 2;
		*pos = 2;
		return true;
	}
	if (*pos - 2 >= dp->dir.nslots)
		return false;
	slot = *pos - 2;
	de = dir_next(&dp->dir, &slot);
	*pos = (u64)slot + 2;
	if (!de)
		return false;
	*ino = de->ip->ino;
	*name = de->name;
	*len = de->len;
	return true;
}

/* Fills buf (room bytes) with records from *pos on, advancing *pos past
 * them; fs_ns_lock held. Returns the bytes filled; *stuck tells whether
 * an entry was left because its record did not fit. */
static size_t readdir_fill(struct inode *dp, readdir_record_fn record, u8 *buf, size_t room,
			   u64 *pos, bool *stuck)
{
	size_t used = 0;
	u64 next = *pos;
	const char *name;
	size_t len, size;
	u32 ino;

	*stuck = false;
	while (readdir_entry(dp, &next, &ino, &name, &len)) {
		size = record(buf + used, room - used, ino, name, len);
		if (size == 0) {
			*stuck = true;
			break;
		}
		used += size;
		*pos = next;
	}
	return used;
}

/* Copies whole records from *pos into dst (n bytes), a batch at a time,
 * and advances *pos past them. Returns the bytes copied (0 at the end),
 * -EINVAL when not even the next record fits, or -EFAULT. */
static long readdir_copy(struct inode *dp, readdir_record_fn record, void __user *dst, size_t n,
			 u64 *pos)
{
	u8 batch[READDIR_BATCH];
	size_t done = 0, used;
	bool stuck;

	do {
		u64 next = *pos;

		fs_ns_lock();
		used = readdir_fill(dp, record, batch, MIN(n - done, sizeof(batch)), &next, &stuck);
		fs_ns_unlock();
		if (used == 0)
			break;
		if (copy_to_user((u8 __user *)dst + done, batch, used) < 0)
			return done ? (long)done : -EFAULT;
		done += used;
		*pos = next;
	} while (stuck); /* for want of room in the batch, or in dst: then used is 0 next */
	return done == 0 && stuck ? -EINVAL : (long)done;
}

long dir_read(struct inode *dp, void __user *dst, size_t n, u64 *pos)
{
	return readdir_copy(dp, record_xv6, dst, n, pos);
}

long dir_getdents(struct inode *dp, void __user *dst, size_t n, u64 *pos)
{
	return readdir_copy(dp, record_long, dst, n, pos);
}
