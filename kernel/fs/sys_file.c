/* System calls on descriptors: read, getdents, write, close, dup, dup2,
 * fstat, lseek, pipe. Arguments come raw from a0..a5; every pointer goes
 * to the uaccess helpers. */
#include "include/uapi/errno.h"
#include "kernel/fs/file.h"
#include "kernel/fs/fs.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/proc.h"
#include "kernel/syscall/syscall.h"

/* The most one read or write moves, as in Linux: the count always fits
 * the return value. */
#define SYS_RW_MAX 0x7ffff000UL

long sys_read(const u64 *arg)
{
	struct file *f = fd_get((int)arg[0]);
	void __user *dst = (void __user *)arg[1];
	size_t n = MIN(arg[2], SYS_RW_MAX);
	long r;

	if (!f)
		return -EBADF;
	if (!f->readable)
		r = -EBADF;
	else if (n == 0)
		r = copy_to_user(dst, NULL, 0); /* still checks the address */
	else
		r = file_read(f, dst, n);
	file_put(f);
	return r;
}

/* getdents(fd, buf, n): the directory's entries with their whole names
 * (struct mnemo_dirent_long, include/uapi/dirent.h). */
long sys_getdents(const u64 *arg)
{
	struct file *f = fd_get((int)arg[0]);
	long r;

	if (!f)
		return -EBADF;
	r = f->readable ? file_getdents(f, (void __user *)arg[1], MIN(arg[2], SYS_RW_MAX)) : -EBADF;
	file_put(f);
	return r;
}

long sys_write(const u64 *arg)
{
	struct file *f = fd_get((int)arg[0]);
	const void __user *src = (const void __user *)arg[1];
	size_t n = MIN(arg[2], SYS_RW_MAX);
	long r;

	if (!f)
		return -EBADF;
	if (!f->writable)
		r = -EBADF;
	else if (n == 0)
		r = copy_from_user(NULL, src, 0);
	else
		r = file_write(f, src, n);
	file_put(f);
	return r;
}

/* A read or write another thread has under way on the file holds its own
 * reference: the file stays open until that call returns. */
long sys_close(const u64 *arg)
{
	struct file *f = fd_remove((int)arg[0]);

	if (!f)
		return -EBADF;
	file_put(f);
	return 0;
}

long sys_dup(const u64 *arg)
{
	struct file *f = fd_get((int)arg[0]);
	int fd;

	if (!f)
		return -EBADF;
	fd = fd_install(f); /* takes over fd_get's reference */
	if (fd < 0)
		file_put(f);
	return fd;
}

long sys_dup2(const u64 *arg)
{
	int oldfd = (int)arg[0], newfd = (int)arg[1];
	struct file *f = fd_get(oldfd), *old;

	if (!f)
		return -EBADF;
	if (newfd < 0 || newfd >= NOFILE) {
		file_put(f);
		return -EBADF;
	}
	if (oldfd == newfd) {
		file_put(f);
		return newfd;
	}
	old = fd_replace(newfd, f); /* takes over fd_get's reference */
	if (old)
		file_put(old);
	return newfd;
}

/* xv6's struct stat for st; the link count saturates at xv6's short. */
static void stat_to_xv6(const struct mnemo_stat *st, struct mnemo_stat_xv6 *xst)
{
	*xst = (struct mnemo_stat_xv6){
	    .dev = st->dev,
	    .ino = st->ino,
	    .type = st->type,
	    .nlink = MIN(st->nlink, 0x7fff),
	    .size = st->size,
	};
}

/* fstat(fd, buf, layout): the record layout asks for (include/uapi/stat.h). */
long sys_fstat(const u64 *arg)
{
	struct file *f = fd_get((int)arg[0]);
	void __user *dst = (void __user *)arg[1];
	struct mnemo_stat st;
	struct mnemo_stat_xv6 xst;
	long r;

	if (!f)
		return -EBADF;
	file_stat(f, &st);
	file_put(f);
	switch (arg[2]) {
	case MNEMO_STAT_MNEMO:
		return copy_to_user(dst, &st, sizeof(st));
	case MNEMO_STAT_XV6:
		stat_to_xv6(&st, &xst);
		r = copy_to_user(dst, &xst, sizeof(xst));
		return r;
	default:
		return -EINVAL;
	}
}

long sys_lseek(const u64 *arg)
{
	struct file *f = fd_get((int)arg[0]);
	long r;

	if (!f)
		return -EBADF;
	r = file_seek(f, (s64)arg[1], (int)arg[2]);
	file_put(f);
	return r;
}

/* ftruncate(fd, length): the file becomes length bytes long, its pages
 * past the end freed, or zeros (a hole, no pages) up to the new end. As
 * on Linux, EINVAL for what is not a regular file open for writing. */
long sys_ftruncate(const u64 *arg)
{
	struct file *f = fd_get((int)arg[0]);
	s64 length = (s64)arg[1];
	long r;

	if (!f)
		return -EBADF;
	if (length < 0 || f->type != FILE_INODE || !inode_is_file(f->ip) || !f->writable)
		r = -EINVAL;
	else
		r = inode_resize(f->ip, (u64)length);
	file_put(f);
	return r;
}

long sys_pipe(const u64 *arg)
{
	struct file *rf, *wf;
	int fds[2], err;

	err = pipe_alloc(&rf, &wf);
	if (err)
		return err;
	fds[0] = fd_install(rf);
	if (fds[0] < 0) {
		file_put(rf);
		file_put(wf);
		return fds[0];
	}
	fds[1] = fd_install(wf);
	if (fds[1] < 0) {
		err = fds[1];
		file_put(wf);
		goto out_close_rf;
	}
	err = copy_to_user((void __user *)arg[0], fds, sizeof(fds));
	if (!err)
		return 0;
	/* Another thread may have closed or reused the slots meanwhile. */
	fd_close_if(fds[1], wf);
out_close_rf:
	fd_close_if(fds[0], rf);
	return err;
}
