/* Open files: reference counting, and read/write/seek/stat dispatched on
 * what the file is. */
#include "kernel/fs/file.h"
#include "include/uapi/errno.h"
#include "include/uapi/fcntl.h"
#include "kernel/fs/fs.h"
#include "kernel/fs/ramfs.h"
#include "kernel/lib/panic.h"
#include "kernel/lib/printf.h"
#include "kernel/lib/string.h"
#include "kernel/mm/kmalloc.h"

struct file *file_alloc(enum file_type type)
{
	struct file *f = kzalloc(sizeof(*f));

	if (f) {
		f->type = type;
		f->ref = 1;
	}
	return f;
}

struct file *file_get(struct file *f)
{
	__atomic_add_fetch(&f->ref, 1, __ATOMIC_RELAXED);
	return f;
}

/* The last reference is gone: out of line, as it is rarely taken. */
static __attribute__((noinline)) void file_free(struct file *f)
{
	switch (f->type) {
	case FILE_INODE:
	case FILE_DEVICE:
		inode_put(f->ip);
		break;
	case FILE_PIPE:
		pipe_close(f->pipe, f->writable);
		break;
	}
	kfree(f);
}

__always_inline void file_put(struct file *f)
{
	if (__atomic_sub_fetch(&f->ref, 1, __ATOMIC_ACQ_REL) == 0)
		file_free(f);
}

long file_read(struct file *f, void __user *dst, size_t n)
{
	const struct device_ops *dev;
	struct iobuf b = {.user = true, .u = dst};
	long r;

	switch (f->type) {
	case FILE_PIPE:
		return pipe_read(f->pipe, dst, n);
	case FILE_DEVICE:
		dev = device_get(f->ip->major);
		return dev && dev->read ? dev->read(f->ip->minor, dst, n) : -ENXIO;
	case FILE_INODE:
		break;
	}
	inode_io_lock(f->ip);
	if (f->ip->type == MNEMO_T_DIR) {
		r = dir_read(f->ip, dst, n, &f->off);
	} else {
		r = __inode_read(f->ip, &b, f->off, n);
		if (r > 0)
			f->off += r;
	}
	inode_io_unlock(f->ip);
	return r;
}

long file_getdents(struct file *f, void __user *dst, size_t n)
{
	long r;

	if (f->type != FILE_INODE || f->ip->type != MNEMO_T_DIR)
		return -ENOTDIR;
	inode_io_lock(f->ip);
	r = dir_getdents(f->ip, dst, n, &f->off);
	inode_io_unlock(f->ip);
	return r;
}

long file_write(struct file *f, const void __user *src, size_t n)
{
	const struct device_ops *dev;
	struct iobuf b = {.user = true, .u = (void __user *)src};
	u64 off;
	long r;

	switch (f->type) {
	case FILE_PIPE:
		return pipe_write(f->pipe, src, n);
	case FILE_DEVICE:
		dev = device_get(f->ip->major);
		return dev && dev->write ? dev->write(f->ip->minor, src, n) : -ENXIO;
	case FILE_INODE:
		break;
	}
	/* open() never makes a directory writable. */
	assert(f->ip->type == MNEMO_T_FILE);
	inode_io_lock(f->ip);
	off = f->append ? f->ip->size : f->off;
	r = __inode_write(f->ip, &b, off, n);
	if (r > 0)
		f->off = off + r;
	inode_io_unlock(f->ip);
	return r;
}

long file_seek(struct file *f, s64 off, int whence)
{
	u64 base;
	long r;

	if (f->type != FILE_INODE)
		return -ESPIPE;
	inode_io_lock(f->ip);
	switch (whence) {
	case MNEMO_SEEK_SET:
		base = 0;
		break;
	case MNEMO_SEEK_CUR:
		base = f->off;
		break;
	case MNEMO_SEEK_END:
		base = f->ip->size;
		break;
	default:
		r = -EINVAL;
		goto out;
	}
	/* The result must land in [0, FS_MAX_FILE_SIZE]. */
	if ((off < 0 && -(u64)off > base) || (off > 0 && (u64)off > FS_MAX_FILE_SIZE - base)) {
		r = -EINVAL;
		goto out;
	}
	f->off = base + off;
	r = f->off;
out:
	inode_io_unlock(f->ip);
	return r;
}

void file_stat(struct file *f, struct mnemo_stat *st)
{
	if (f->type != FILE_PIPE) {
		inode_stat(f->ip, st);
		return;
	}
	memset(st, 0, sizeof(*st));
	st->dev = 1;
	st->type = MNEMO_T_PIPE;
	st->nlink = 1;
	st->size = pipe_unread(f->pipe);
}
