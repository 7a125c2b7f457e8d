/* Operations on names: create (files, directories, device nodes), link,
 * unlink, and the reverse walk of getcwd. Each public one takes
 * fs_ns_lock for its whole run, so check-then-act sequences such as
 * O_CREAT|O_EXCL are atomic.
 *
 * Link counts follow Unix: a directory starts at 2 (its name in the
 * parent, and its own "."), and each subdirectory's ".." adds one to its
 * parent. */
#include "include/uapi/errno.h"
#include "kernel/fs/fs.h"
#include "kernel/fs/ramfs.h"
#include "kernel/lib/panic.h"
#include "kernel/lib/printf.h"
#include "kernel/lib/string.h"

static bool ns_is_dots(const char *name, size_t len)
{
	return (len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.');
}

int __ns_link_in(struct inode *dp, const char *name, size_t len, struct inode *ip)
{
	int err;

	if (dp->nlink == 0)
		return -ENOENT; /* a removed directory takes no new names */
	if (ip->nlink >= FS_MAX_LINKS)
		return -EMLINK;
	err = dir_add(&dp->dir, name, len, ip);
	if (err)
		return err;
	inode_nlink_add(ip, 1);
	return 0;
}

int __ns_create_in(struct inode *dp, const char *name, size_t len, u16 type, u16 major, u16 minor,
		   struct inode **out)
{
	struct inode *ip;
	int err;

	if (dp->nlink == 0)
		return -ENOENT;
	if (type == MNEMO_T_DIR && dp->nlink >= FS_MAX_LINKS)
		return -EMLINK;
	err = inode_alloc(type, major, minor, &ip);
	if (err)
		return err;
	err = __ns_link_in(dp, name, len, ip);
	if (err) {
		inode_put(ip); /* nlink 0, ref 0: freed */
		return err;
	}
	if (type == MNEMO_T_DIR) {
		ip->dir.parent = dp;
		inode_nlink_add(ip, 1); /* "." */
		inode_nlink_add(dp, 1); /* the new ".." */
	}
	*out = ip;
	return 0;
}

int ns_create(struct inode *cwd, const char *path, u16 type, u16 major, u16 minor, bool excl,
	      struct inode **out)
{
	struct path_last last;
	struct inode *dp, *ip;
	int err;

	fs_ns_lock();
	err = path_parent(cwd, path, &dp, &last);
	if (err)
		goto out;
	/* An empty last name means the path is "/". */
	ip = last.len ? path_step(dp, last.name, last.len) : dp;
	if (ip) {
		if (excl)
			err = -EEXIST;
		else if (last.slash && ip->type != MNEMO_T_DIR)
			err = -ENOTDIR;
		else
			*out = inode_get(ip);
	} else if (ns_is_dots(last.name, last.len)) {
		err = -ENOENT; /* ".." of a removed directory */
	} else if (last.slash && type != MNEMO_T_DIR) {
		err = -EISDIR; /* "name/" can only be a directory */
	} else {
		err = __ns_create_in(dp, last.name, last.len, type, major, minor, out);
	}
	inode_put(dp);
out:
	fs_ns_unlock();
	return err;
}

int ns_link(struct inode *cwd, const char *oldpath, const char *newpath)
{
	struct path_last last;
	struct inode *ip, *dp;
	int err;

	fs_ns_lock();
	err = path_walk(cwd, oldpath, &ip);
	if (err)
		goto out;
	if (ip->type == MNEMO_T_DIR) {
		err = -EPERM;
		goto out_put_ip;
	}
	err = path_parent(cwd, newpath, &dp, &last);
	if (err)
		goto out_put_ip;
	if (last.len == 0 || path_step(dp, last.name, last.len))
		err = -EEXIST;
	else if (ns_is_dots(last.name, last.len) || last.slash)
		err = -ENOENT;
	else
		err = __ns_link_in(dp, last.name, last.len, ip);
	inode_put(dp);
out_put_ip:
	inode_put(ip);
out:
	fs_ns_unlock();
	return err;
}

int ns_unlink(struct inode *cwd, const char *path)
{
	struct path_last last;
	struct inode *dp, *ip = NULL;
	struct dentry *de;
	int err;

	fs_ns_lock();
	err = path_parent(cwd, path, &dp, &last);
	if (err)
		goto out;
	if (last.len == 0) {
		err = -EBUSY; /* the root */
		goto out_put_dp;
	}
	if (ns_is_dots(last.name, last.len)) {
		err = -EINVAL;
		goto out_put_dp;
	}
	de = dir_lookup(&dp->dir, last.name, last.len);
	if (!de) {
		err = -ENOENT;
		goto out_put_dp;
	}
	/* Hold the inode: the last name going must not free it under us. */
	ip = inode_get(de->ip);
	if (ip->type == MNEMO_T_DIR) {
		if (ip->dir.nlive) {
			err = -ENOTEMPTY;
			goto out_put_dp;
		}
		dir_remove(&dp->dir, de);
		ip->dir.parent = NULL;
		inode_nlink_clear(ip);
		inode_nlink_add(dp, -1);
	} else if (last.slash) {
		err = -ENOTDIR;
		goto out_put_dp;
	} else {
		dir_remove(&dp->dir, de);
		inode_nlink_add(ip, -1);
	}
out_put_dp:
	inode_put(dp);
out:
	fs_ns_unlock();
	/* Outside the lock: freeing a big file's pages takes a while. */
	if (ip)
		inode_put(ip);
	return err;
}

long ns_getcwd(struct inode *dir, char *buf, size_t size)
{
	size_t pos = size, len;
	long err = 0;

	if (size == 0)
		return -ERANGE;
	buf[--pos] = '\0';
	fs_ns_lock();
	if (!dir)
		dir = fs_root_inode;
	/* Build the path backwards, one "/name" per level. */
	for (struct inode *ip = dir; ip != fs_root_inode; ip = ip->dir.parent) {
		struct dentry *de;

		if (!ip->dir.parent) {
			err = -ENOENT;
			goto out;
		}
		de = dir_find_inode(&ip->dir.parent->dir, ip);
		if (!de)
			panic("ns_getcwd: directory %u missing from its parent", ip->ino);
		if (pos < (size_t)de->len + 1) {
			err = -ERANGE;
			goto out;
		}
		pos -= de->len;
		memcpy(buf + pos, de->name, de->len);
		buf[--pos] = '/';
	}
	if (dir == fs_root_inode) {
		if (pos == 0) {
			err = -ERANGE;
			goto out;
		}
		buf[--pos] = '/';
	}
out:
	fs_ns_unlock();
	if (err)
		return err;
	len = size - 1 - pos;
	memmove(buf, buf + pos, len + 1);
	return len;
}
