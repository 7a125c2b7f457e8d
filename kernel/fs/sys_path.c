/* System calls on path names: open, mkdir, mknod, link, unlink, chdir,
 * getcwd. Each copies its path into a kernel buffer of FS_MAXPATH bytes,
 * then works relative to the process's working directory. */
#include "include/uapi/errno.h"
#include "include/uapi/fcntl.h"
#include "kernel/fs/file.h"
#include "kernel/fs/fs.h"
#include "kernel/fs/ramfs.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/proc.h"
#include "kernel/syscall/syscall.h"

/* Copies a path argument into buf (FS_MAXPATH bytes). 0, -EFAULT,
 * -ENAMETOOLONG, or -ENOENT for the empty path. */
static int sys_path_arg(u64 uaddr, char *buf)
{
	long len = strncpy_from_user(buf, (const char __user *)uaddr, FS_MAXPATH);

	if (len < 0)
		return len;
	return len == 0 ? -ENOENT : 0;
}

/* Checks that ip may be opened with flags; 0 or -errno. */
static int sys_open_check(struct inode *ip, int flags, bool writable)
{
	switch (ip->type) {
	case MNEMO_T_DIR:
		if (writable || (flags & (MNEMO_O_CREAT | MNEMO_O_TRUNC)))
			return -EISDIR;
		return 0;
	case MNEMO_T_DEVICE:
		if (flags & MNEMO_O_DIRECTORY)
			return -ENOTDIR;
		return device_get(ip->major) ? 0 : -ENXIO;
	default:
		return (flags & MNEMO_O_DIRECTORY) ? -ENOTDIR : 0;
	}
}

long sys_open(const u64 *arg)
{
	char path[FS_MAXPATH];
	int flags = (int)arg[1], acc = flags & MNEMO_O_ACCMODE, err, fd;
	bool writable = acc != MNEMO_O_RDONLY;
	struct inode *ip, *cwd;
	struct file *f;

	if (acc == MNEMO_O_ACCMODE)
		return -EINVAL;
	err = sys_path_arg(arg[0], path);
	if (err)
		return err;
	cwd = fd_cwd();
	if (flags & MNEMO_O_CREAT)
		err = ns_create(cwd, path, MNEMO_T_FILE, 0, 0, flags & MNEMO_O_EXCL, &ip);
	else
		err = fs_lookup(cwd, path, &ip);
	inode_put(cwd);
	if (err)
		return err;
	err = sys_open_check(ip, flags, writable);
	if (err)
		goto out_put_ip;

	f = file_alloc(ip->type == MNEMO_T_DEVICE ? FILE_DEVICE : FILE_INODE);
	if (!f) {
		err = -ENOMEM;
		goto out_put_ip;
	}
	f->ip = ip;
	f->readable = acc != MNEMO_O_WRONLY;
	f->writable = writable;
	f->append = flags & MNEMO_O_APPEND;
	if ((flags & MNEMO_O_TRUNC) && ip->type == MNEMO_T_FILE)
		inode_resize(ip, 0);
	fd = fd_install(f);
	if (fd < 0)
		file_put(f); /* drops ip too */
	return fd;

out_put_ip:
	inode_put(ip);
	return err;
}

/* Creates path as a new inode of this type; 0 or -errno. */
static long sys_create(u64 uaddr, u16 type, u16 major, u16 minor)
{
	char path[FS_MAXPATH];
	struct inode *ip, *cwd;
	int err = sys_path_arg(uaddr, path);

	if (err)
		return err;
	cwd = fd_cwd();
	err = ns_create(cwd, path, type, major, minor, /*excl=*/true, &ip);
	inode_put(cwd);
	if (err)
		return err;
	inode_put(ip);
	return 0;
}

long sys_mkdir(const u64 *arg)
{
	return sys_create(arg[0], MNEMO_T_DIR, 0, 0);
}

long sys_mknod(const u64 *arg)
{
	s64 major = (int)arg[1], minor = (int)arg[2];

	if (major < 0 || major > 0xffff || minor < 0 || minor > 0xffff)
		return -EINVAL;
	return sys_create(arg[0], MNEMO_T_DEVICE, major, minor);
}

long sys_link(const u64 *arg)
{
	char oldpath[FS_MAXPATH], newpath[FS_MAXPATH];
	int err = sys_path_arg(arg[0], oldpath);

	if (!err)
		err = sys_path_arg(arg[1], newpath);
	if (!err) {
		struct inode *cwd = fd_cwd();
		err = ns_link(cwd, oldpath, newpath);
		inode_put(cwd);
	}
	return err;
}

/* truncate(path, length): ftruncate by name. */
long sys_truncate(const u64 *arg)
{
	char path[FS_MAXPATH];
	s64 length = (s64)arg[1];
	struct inode *ip;
	int err;

	if (length < 0)
		return -EINVAL;
	err = sys_path_arg(arg[0], path);
	if (!err) {
		struct inode *cwd = fd_cwd();
		err = fs_lookup(cwd, path, &ip);
		inode_put(cwd);
	}
	if (err)
		return err;
	if (inode_is_dir(ip))
		err = -EISDIR;
	else if (!inode_is_file(ip))
		err = -EINVAL;
	else
		err = inode_resize(ip, (u64)length);
	inode_put(ip);
	return err;
}

long sys_unlink(const u64 *arg)
{
	char path[FS_MAXPATH];
	int err = sys_path_arg(arg[0], path);
	struct inode *cwd;

	if (err)
		return err;
	cwd = fd_cwd();
	err = ns_unlink(cwd, path);
	inode_put(cwd);
	return err;
}

long sys_chdir(const u64 *arg)
{
	char path[FS_MAXPATH];
	struct inode *ip, *cwd;
	int err = sys_path_arg(arg[0], path);

	if (err)
		return err;
	cwd = fd_cwd();
	err = fs_lookup(cwd, path, &ip);
	inode_put(cwd);
	if (err)
		return err;
	if (ip->type != MNEMO_T_DIR) {
		inode_put(ip);
		return -ENOTDIR;
	}
	inode_put(fd_set_cwd(ip));
	return 0;
}

long sys_getcwd(const u64 *arg)
{
	size_t size = MIN(arg[1], PAGE_SIZE);
	struct inode *cwd;
	char *buf;
	long len;

	if (size == 0)
		return -ERANGE;
	buf = kmalloc(size);
	if (!buf)
		return -ENOMEM;
	cwd = fd_cwd();
	len = ns_getcwd(cwd, buf, size);
	inode_put(cwd);
	if (len >= 0 && copy_to_user((void __user *)arg[0], buf, len + 1) < 0)
		len = -EFAULT;
	kfree(buf);
	return len;
}
