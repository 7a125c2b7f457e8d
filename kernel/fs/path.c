/* Path resolution. One sleeplock, fs_ns_lock, guards every name in the
 * file system, so a walk sees one consistent tree and needs no reference
 * on the directories it passes: nothing can be unlinked under it. Only the
 * inode a walk ends at gets a reference, for use after the lock drops. */
#include "include/uapi/errno.h"
#include "kernel/fs/fs.h"
#include "kernel/fs/ramfs.h"
struct inode *path_step(struct inode *dp, const char *name, size_t len)
{
	struct dentry *de;

	if (dp->type != MNEMO_T_DIR)
		return NULL;
	if (len == 1 && name[0] == '.')
		return dp;
	if (len == 2 && name[0] == '.' && name[1] == '.')
		return dp->dir.parent;
	de = dir_lookup(&dp->dir, name, len);
	return de ? de->ip : NULL;
}

/* Splits the next component off *p, skipping slashes before it. Returns
 * its start and stores its length, or returns NULL at the end. */
static const char *path_next(const char **p, size_t *len)
{
	const char *s = *p, *e;

	while (*s == '/')
		s++;
	if (!*s) {
		*p = s;
		return NULL;
	}
	for (e = s; *e && *e != '/'; e++)
		;
	*len = e - s;
	*p = e;
	return s;
}

/* Whether nothing but slashes follows. */
static bool path_at_end(const char *p)
{
	while (*p == '/')
		p++;
	return !*p;
}

static struct inode *path_start(struct inode *start, const char *path)
{
	return (path[0] == '/' || !start) ? fs_root_inode : start;
}

/* One step of a walk from ip; the next inode or NULL with *err set. */
static struct inode *path_advance(struct inode *ip, const char *name, size_t len, int *err)
{
	struct inode *next;

	if (ip->type != MNEMO_T_DIR) {
		*err = -ENOTDIR;
		return NULL;
	}
	if (len > FS_NAME_MAX) {
		*err = -ENAMETOOLONG;
		return NULL;
	}
	next = path_step(ip, name, len);
	if (!next)
		*err = -ENOENT;
	return next;
}

int path_walk(struct inode *start, const char *path, struct inode **out)
{
	struct inode *ip = path_start(start, path);
	const char *p = path, *name;
	size_t len;
	int err = 0;

	if (!path[0])
		return -ENOENT;
	while ((name = path_next(&p, &len)) != NULL) {
		ip = path_advance(ip, name, len, &err);
		if (!ip)
			return err;
	}
	/* "file/" names a directory that is not there. */
	if (p > path && p[-1] == '/' && ip->type != MNEMO_T_DIR)
		return -ENOTDIR;
	*out = inode_get(ip);
	return 0;
}

int path_parent(struct inode *start, const char *path, struct inode **out, struct path_last *last)
{
	struct inode *ip = path_start(start, path);
	const char *p = path, *name;
	size_t len;
	int err = 0;

	if (!path[0])
		return -ENOENT;
	last->name = "";
	last->len = 0;
	last->slash = true;
	while ((name = path_next(&p, &len)) != NULL) {
		if (path_at_end(p)) {
			if (ip->type != MNEMO_T_DIR)
				return -ENOTDIR;
			if (len > FS_NAME_MAX)
				return -ENAMETOOLONG;
			last->name = name;
			last->len = len;
			last->slash = *p == '/';
			break;
		}
		ip = path_advance(ip, name, len, &err);
		if (!ip)
			return err;
	}
	*out = inode_get(ip);
	return 0;
}

int fs_lookup(struct inode *cwd, const char *path, struct inode **out)
{
	int err;

	fs_ns_lock();
	err = path_walk(cwd, path, out);
	fs_ns_unlock();
	return err;
}

struct inode *fs_root(void)
{
	return inode_get(fs_root_inode);
}
