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
	struct file *f = fd_file((int)arg[0]);
	void __user *dst = (void __user *)arg[1];
	size_t n = MIN(arg[2], SYS_RW_MAX);

	if (!f || !f->readable)
		return -EBADF;
	if (n == 0)
		return copy_to_user(dst, NULL, 0); /* still checks the address */
	return file_read(f, dst, n);
}

/* getdents(fd, buf, n): the directory's entries with their whole names
 * (struct mnemo_dirent_long, include/uapi/dirent.h). */
long sys_getdents(const u64 *arg)
{
	struct file *f = fd_file((int)arg[0]);

	if (!f || !f->readable)
		return -EBADF;
	return file_getdents(f, (void __user *)arg[1], MIN(arg[2], SYS_RW_MAX));
}

long sys_write(const u64 *arg)
{
	struct file *f = fd_file((int)arg[0]);
	const void __user *src = (const void __user *)arg[1];
	size_t n = MIN(arg[2], SYS_RW_MAX);

	if (!f || !f->writable)
		return -EBADF;
	if (n == 0)
		return copy_from_user(NULL, src, 0);
	return file_write(f, src, n);
}

long sys_close(const u64 *arg)
{
	int fd = (int)arg[0];
	struct file *f = fd_file(fd);

	if (!f)
		return -EBADF;
	myproc()->ofile[fd] = NULL;
	file_put(f);
	return 0;
}

long sys_dup(const u64 *arg)
{
	struct file *f = fd_file((int)arg[0]);
	int fd;

	if (!f)
		return -EBADF;
	fd = fd_install(file_get(f));
	if (fd < 0)
		file_put(f);
	return fd;
}

long sys_dup2(const u64 *arg)
{
	int oldfd = (int)arg[0], newfd = (int)arg[1];
	struct file *f = fd_file(oldfd), *old;
	struct proc *p = myproc();

	if (!f || newfd < 0 || newfd >= NOFILE)
		return -EBADF;
	if (oldfd == newfd)
		return newfd;
	old = p->ofile[newfd];
	p->ofile[newfd] = file_get(f);
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
	struct file *f = fd_file((int)arg[0]);
	void __user *dst = (void __user *)arg[1];
	struct mnemo_stat st;
	struct mnemo_stat_xv6 xst;

	if (!f)
		return -EBADF;
	file_stat(f, &st);
	switch (arg[2]) {
	case MNEMO_STAT_MNEMO:
		return copy_to_user(dst, &st, sizeof(st));
	case MNEMO_STAT_XV6:
		stat_to_xv6(&st, &xst);
		return copy_to_user(dst, &xst, sizeof(xst));
	default:
		return -EINVAL;
	}
}

long sys_lseek(const u64 *arg)
{
	struct file *f = fd_file((int)arg[0]);

	if (!f)
		return -EBADF;
	return file_seek(f, (s64)arg[1], (int)arg[2]);
}

/* ftruncate(fd, length): the file becomes length bytes long, its pages
 * past the end freed, or zeros (a hole, no pages) up to the new end. As
 * on Linux, EINVAL for what is not a regular file open for writing. */
long sys_ftruncate(const u64 *arg)
{
	struct file *f = fd_file((int)arg[0]);
	s64 length = (s64)arg[1];

	if (!f)
		return -EBADF;
	if (length < 0 || f->type != FILE_INODE || !inode_is_file(f->ip) || !f->writable)
		return -EINVAL;
	return inode_resize(f->ip, (u64)length);
}

long sys_pipe(const u64 *arg)
{
	struct file *rf, *wf;
	struct proc *p = myproc();
	int fds[2], err;

	err = pipe_alloc(&rf, &wf);
	if (err)
		return err;
	fds[0] = fd_install(rf);
	if (fds[0] < 0) {
		err = fds[0];
		goto out_put_both;
	}
	fds[1] = fd_install(wf);
	if (fds[1] < 0) {
		err = fds[1];
		goto out_uninstall_rf;
	}
	err = copy_to_user((void __user *)arg[0], fds, sizeof(fds));
	if (err)
		goto out_uninstall_wf;
	return 0;

out_uninstall_wf:
	p->ofile[fds[1]] = NULL;
out_uninstall_rf:
	p->ofile[fds[0]] = NULL;
out_put_both:
	file_put(rf);
	file_put(wf);
	return err;
}
