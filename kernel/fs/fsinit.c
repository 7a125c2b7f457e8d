/* Builds the root file system at boot from the initrd, a cpio newc
 * archive: its directories, regular files (copied into the file system's
 * own pages, so the initrd's memory can be reused) and device nodes. Then
 * makes sure /dev/console, /dev/null and /tmp exist.
 *
 * This runs before any process exists, alone on one hart, so it uses the
 * unlocked __ns_* and __inode_* functions. */
#include "include/uapi/errno.h"
#include "kernel/fs/cpio.h"
#include "kernel/fs/fs.h"
#include "kernel/fs/ramfs.h"
#include "kernel/lib/panic.h"
#include "kernel/lib/printf.h"
#include "kernel/lib/string.h"
#include "kernel/mm/kmalloc.h"

struct inode *fs_root_inode;

/* A file of the archive with several names. newc repeats the entry for
 * each name, with the data only in the last one; all share this inode. */
struct fsinit_link {
	struct fsinit_link *next;
	u32 dev_major, dev_minor, ino; /* the file's identity in the archive */
	struct inode *ip;	       /* holds a reference */
};

struct fsinit_stats {
	u32 files, dirs, devices;
	u64 bytes;
};

/* The next component of *p: skips slashes and "." components, returns
 * its start and stores its length; NULL at the end. */
static const char *fsinit_component(const char **p, size_t *len)
{
	for (;;) {
		const char *s = *p, *e;

		while (*s == '/')
			s++;
		for (e = s; *e && *e != '/'; e++)
			;
		*p = e;
		if (e == s)
			return NULL;
		if (!(e - s == 1 && s[0] == '.')) {
			*len = e - s;
			return s;
		}
	}
}

/* Makes the directory name in dp unless it is there; stores it (no new
 * reference) in *out. */
static int fsinit_dir(struct inode *dp, const char *name, size_t len, struct inode **out)
{
	struct inode *ip = path_step(dp, name, len);
	int err;

	if (ip) {
		*out = ip;
		return ip->type == MNEMO_T_DIR ? 0 : -ENOTDIR;
	}
	err = __ns_create_in(dp, name, len, MNEMO_T_DIR, 0, 0, &ip);
	if (err)
		return err;
	inode_put(ip); /* its name keeps it */
	*out = ip;
	return 0;
}

/* Gives the regular file of entry e its name in dp and its data. */
static int fsinit_file(struct inode *dp, const char *name, size_t len, const struct cpio_entry *e,
		       struct fsinit_link **links)
{
	struct fsinit_link *l = NULL;
	struct iobuf src = {.user = false, .k = (void *)e->data};
	struct inode *ip;
	int err;

	if (e->nlink > 1)
		for (l = *links; l; l = l->next)
			if (l->ino == e->ino && l->dev_major == e->dev_major &&
			    l->dev_minor == e->dev_minor)
				break;
	if (l) {
		ip = inode_get(l->ip);
		err = __ns_link_in(dp, name, len, ip);
	} else {
		err = __ns_create_in(dp, name, len, MNEMO_T_FILE, 0, 0, &ip);
		if (err)
			return err;
		if (e->nlink > 1) {
			l = kmalloc(sizeof(*l));
			if (l) {
				l->ino = e->ino;
				l->dev_major = e->dev_major;
				l->dev_minor = e->dev_minor;
				l->ip = inode_get(ip);
				l->next = *links;
				*links = l;
			}
		}
	}
	if (!err && e->size && __inode_write(ip, &src, 0, e->size) != (long)e->size)
		err = -ENOMEM;
	inode_put(ip);
	return err;
}

/* Adds one archive entry to the tree, making missing parent directories.
 * 0, or -EEXIST if a non-directory is there already, or -errno. */
static int fsinit_entry(const struct cpio_entry *e, struct fsinit_link **links,
			struct fsinit_stats *st)
{
	const char *p = e->name, *name, *next;
	struct inode *dp = fs_root_inode, *ip;
	size_t len, nextlen;
	int err;

	name = fsinit_component(&p, &len);
	if (!name)
		return 0; /* the root itself */
	for (;;) {
		if (len > FS_NAME_MAX)
			return -ENAMETOOLONG;
		next = fsinit_component(&p, &nextlen);
		if (!next)
			break;
		err = fsinit_dir(dp, name, len, &dp);
		if (err)
			return err;
		name = next;
		len = nextlen;
	}

	switch (e->mode & CPIO_S_IFMT) {
	case CPIO_S_IFDIR:
		st->dirs++;
		return fsinit_dir(dp, name, len, &ip);
	case CPIO_S_IFREG:
		if (path_step(dp, name, len))
			return -EEXIST;
		st->files++;
		st->bytes += e->size;
		return fsinit_file(dp, name, len, e, links);
	case CPIO_S_IFCHR:
	case CPIO_S_IFBLK:
		if (path_step(dp, name, len))
			return -EEXIST;
		if (e->rdev_major > 0xffff || e->rdev_minor > 0xffff)
			return -EINVAL;
		err = __ns_create_in(dp, name, len, MNEMO_T_DEVICE, e->rdev_major, e->rdev_minor,
				     &ip);
		if (err)
			return err;
		st->devices++;
		inode_put(ip);
		return 0;
	default:
		return -EINVAL; /* symbolic links, FIFOs, sockets */
	}
}

static void fsinit_archive(const void *cpio, size_t size, struct fsinit_stats *st)
{
	struct fsinit_link *links = NULL;
	struct cpio_reader r;
	struct cpio_entry e;
	int ret;

	cpio_reader_init(&r, cpio, size);
	while ((ret = cpio_next(&r, &e)) > 0) {
		int err = fsinit_entry(&e, &links, st);

		if (err)
			printk("fs: initrd: skipping %s (mode %x): error %d\n", e.name, e.mode,
			       err);
	}
	if (ret < 0)
		printk("fs: initrd: malformed archive at offset %zu, rest ignored\n", r.pos);
	while (links) {
		struct fsinit_link *l = links;

		links = l->next;
		inode_put(l->ip);
		kfree(l);
	}
}

/* Makes path (from the root) with this mode unless something is there. */
static void fsinit_ensure(const char *path, u32 mode, u32 major)
{
	struct cpio_entry e = {
	    .name = path, .namelen = strlen(path), .mode = mode, .nlink = 1, .rdev_major = major};
	struct fsinit_stats st = {0};
	int err = fsinit_entry(&e, NULL, &st);

	if (err && err != -EEXIST)
		printk("fs: cannot create %s: error %d\n", path, err);
}

void fs_init(const void *cpio, size_t size)
{
	fs_swap_init();
	struct fsinit_stats st = {0};

	if (inode_alloc(MNEMO_T_DIR, 0, 0, &fs_root_inode) < 0)
		panic("fs_init: no memory for the root directory");
	fs_root_inode->dir.parent = fs_root_inode;
	inode_nlink_add(fs_root_inode, 2); /* "." and its own ".." */

	if (cpio)
		fsinit_archive(cpio, size, &st);
	fsinit_ensure("dev", CPIO_S_IFDIR, 0);
	fsinit_ensure("dev/console", CPIO_S_IFCHR, MNEMO_DEV_CONSOLE);
	fsinit_ensure("dev/null", CPIO_S_IFCHR, MNEMO_DEV_NULL);
	fsinit_ensure("tmp", CPIO_S_IFDIR, 0);
	printk("fs: %u files (%llu KiB), %u directories, %u devices from the initrd\n", st.files,
	       (unsigned long long)(st.bytes + 1023) / 1024, st.dirs, st.devices);
}
