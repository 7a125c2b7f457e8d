/* Internals of mnemo's in-memory file system (ramfs), shared by the files
 * of kernel/fs and nothing else.
 *
 * Pieces, one file each:
 *   fdata.c      a regular file's pages, indexed by a radix tree
 *   dir.c        a directory's entries: a slot array plus a hash table
 *   inode.c      inodes: allocation, reference and link counts, data I/O
 *   path.c       path resolution and the namespace lock
 *   namespace.c  create, link, unlink, getcwd
 *   readdir.c    read() of a directory
 *   cpio.c       the cpio "newc" parser; fsinit.c builds the root from it
 * and above them (file.h): file.c (open files, descriptors), pipe.c,
 * device.c and console.c (device nodes), mmap.c (files as memory),
 * sys_file.c and sys_path.c (the system calls).
 *
 * Locking, outermost first:
 *   1. ip->io_lock   (sleeplock) one read, write, seek or truncate of ip at
 *                    a time, and the offset of every struct file open on
 *                    ip; held across copies to and from user memory
 *   2. fs_ns_lock    (sleeplock) the namespace: every directory's entries
 *                    and parent pointer, every inode's nlink
 *   3. ip->lock      (sleeplock) a regular file's pages and size; held
 *                    briefly and never across a user copy, because a
 *                    page fault in that copy may map a page of this very
 *                    file and take it (mmap.c)
 *   4. spinlocks     inode_count_lock (ref, and nlink when it drops),
 *                    the inode-number bitmap, pipes, the console
 * No path takes an io_lock while holding fs_ns_lock, and nothing
 * holds a spinlock across copy_to_user/copy_from_user. */
#ifndef KERNEL_FS_RAMFS_H
#define KERNEL_FS_RAMFS_H

#include "include/uapi/limits.h"
#include "include/uapi/stat.h"
#include "kernel/lib/list.h"
#include "kernel/lib/sleeplock.h"
#include "kernel/mm/mm.h"
#include "kernel/mm/mm_arch.h"
#include "kernel/types.h"

#define FS_NAME_MAX MNEMO_NAME_MAX /* bytes in one path component */
#define FS_MAXPATH  MNEMO_MAXPATH  /* bytes in a path a system call accepts, with NUL */

/* ------------------------------------------------------------ file data */

/* A regular file's pages. The tree has height h: at h = 0 the root is the
 * file's only data page (files up to 4 KiB pay no index); at h >= 1 the
 * root is an index page of FDATA_FANOUT slots, each an index page of
 * height h-1 or, at height 1, a data page. NULL slots are holes, which read
 * as zeros. Three levels address 512 GiB; a 16 MiB file needs 9 pages of
 * index. Guarded by the owning inode's lock. */
struct fdata {
	void *root;
	u32 height;
};

#define FDATA_FANOUT	 (PAGE_SIZE / sizeof(void *))
#define FDATA_MAX_HEIGHT 3
#define FDATA_MAX_PAGES	 (FDATA_FANOUT * FDATA_FANOUT * FDATA_FANOUT)

/* The data page at index pgidx, read back from swap if it is there, or
 * NULL for a hole (*err 0) or when it cannot be read back (*err -ENOMEM
 * or -EIO). */
void *fdata_page(struct fdata *fd, u64 pgidx, int *err);
/* The data page at pgidx, allocating it (and index pages) if missing; a
 * new page is zeroed unless zero is false, in which case the caller must
 * fill all of it. NULL when out of memory (index pages already added stay,
 * empty) or when pgidx >= FDATA_MAX_PAGES. *fresh tells whether the page
 * is new. */
void *fdata_get(struct fdata *fd, u64 pgidx, bool zero, bool *fresh);
/* Puts page at pgidx unless one is there; returns the page now there
 * (page or the old one), or NULL when out of memory as fdata_get(). The
 * caller still owns page when another is returned. */
void *fdata_insert(struct fdata *fd, u64 pgidx, void *page);
/* Frees every data page at index >= npages and the index pages that no
 * longer cover any; npages = 0 frees everything. */
void fdata_truncate(struct fdata *fd, u64 npages);
/* Sends up to max of the file's resident pages that nobody else holds to
 * swap, from page *cursor on: each gets a slot and joins the swap cache,
 * its leaf names the slot, and it goes into pages[] to be written
 * (swap_write). A page that VMAs map (found through maps) is first taken
 * from them, if reclaim lets it go (reclaim_unmap_object_page). *cursor
 * moves on past them; *full says swap is full. Returns how many. The
 * owner's io_lock and lock held. */
struct page;
int fdata_evict(struct fdata *fd, struct vm_mappings *maps, u64 *cursor, struct page **pages,
		int max, bool *full);

/* ------------------------------------------------------------ directories */

struct inode;

/* One name in a directory. */
struct dentry {
	struct dentry *hnext; /* next in its hash bucket */
	struct inode *ip;
	u32 hash;
	u32 slot; /* index in dir->slots: its read() position */
	u16 len;
	char name[]; /* len bytes, not NUL-terminated */
};

/* A directory's entries, all guarded by fs_ns_lock. "." and ".." are not
 * stored: "." is the directory itself and ".." its parent pointer. */
struct dir {
	struct dentry **slots;	 /* creation order; NULL where one was removed */
	u32 nslots;		 /* used prefix of slots (last one is live) */
	u32 cap;		 /* allocated slots */
	u32 nlive;		 /* entries; 0 means empty */
	u32 first_free;		 /* no NULL slot below this index */
	struct dentry **buckets; /* hash chains */
	u32 nbuckets;		 /* a power of two, or 0 */
	struct inode *parent;	 /* "..": itself at the root, NULL once removed */
};

struct dentry *dir_lookup(const struct dir *d, const char *name, size_t len);
/* Adds name -> ip; the caller made sure name is not there. 0 or -ENOMEM. */
int dir_add(struct dir *d, const char *name, size_t len, struct inode *ip);
/* Removes and frees de. */
void dir_remove(struct dir *d, struct dentry *de);
/* The first live entry at slot >= *pos, advancing *pos past it; NULL at
 * the end. */
struct dentry *dir_next(const struct dir *d, u32 *pos);
/* The entry that names ip, or NULL (a linear scan: for getcwd). */
struct dentry *dir_find_inode(const struct dir *d, const struct inode *ip);
/* Frees the tables and any remaining entries. */
void dir_free(struct dir *d);

/* ------------------------------------------------------------ inodes */

/* Legend: (-) fixed at creation, (c) inode_count_lock, (n) fs_ns_lock
 * (nlink is written holding both (n) and (c)), (i) ip->lock (written
 * holding ip->io_lock too, except by page faults, which only add pages in
 * holes). */
struct inode {
	u32 ino;		 /* (-) inode number, 1 for the root */
	u16 type;		 /* (-) MNEMO_T_DIR, MNEMO_T_FILE or MNEMO_T_DEVICE */
	u16 major;		 /* (-) devices: which driver */
	u16 minor;		 /* (-) devices */
	u32 ref;		 /* (c) in-memory references: open files, cwds, lookups */
	u32 nlink;		 /* (n,c) names; the inode dies when ref and nlink are 0 */
	struct vm_mappings maps; /* those VMAs: reclaim takes pages from them */
	struct list all_link;	 /* (c) in the list of regular files, for reclaim */
	u64 swap_cursor;	 /* (io_lock and lock) where reclaim goes on */
	struct sleeplock io_lock;
	struct sleeplock lock;
	u64 size; /* (i) regular files: bytes */
	union {
		struct fdata data; /* (i) MNEMO_T_FILE */
		struct dir dir;	   /* (n) MNEMO_T_DIR */
	};
};

#define FS_MAX_FILE_SIZE (FDATA_MAX_PAGES * PAGE_SIZE)
#define FS_MAX_LINKS	 0xffff /* struct mnemo_stat's nlink is 16 bits */

/* Stores a new inode with ref 1 and nlink 0 in *out and returns 0, or
 * returns -ENOMEM, -ENOSPC (no inode number left). */
int inode_alloc(u16 type, u16 major, u16 minor, struct inode **out);
/* The regular file after the one reclaim looked at last, which becomes
 * the one it looks at, with a reference (inode_put it); NULL when there
 * is none. The files are taken in turn, round and round. */
struct inode *inode_next_file(void);
/* Offers the pages of files nobody maps to reclaim (fswap.c). */
void fs_swap_init(void);

/* Adds delta (+1 or -1) to ip->nlink; (n) held. Never frees: whoever
 * takes the last name away holds a reference, and its inode_put() frees. */
void inode_nlink_add(struct inode *ip, int delta);
/* Sets nlink to 0 (a removed directory); (n) held, caller holds a ref. */
void inode_nlink_clear(struct inode *ip);

/* Where a read puts bytes or a write takes them: user or kernel memory. */
struct iobuf {
	bool user;
	union {
		void *k;
		void __user *u;
	};
};
int iob_put(struct iobuf *b, size_t at, const void *src, size_t n);
int iob_get(struct iobuf *b, size_t at, void *dst, size_t n);

/* Regular-file I/O, with ip->io_lock held (reads into kernel memory may
 * do without: they hold ip->lock across each copy instead). Each takes
 * ip->lock itself, and drops it around every copy to or from user memory.
 * Reads stop at the size and return the bytes read, 0 at or past the
 * end; writes return the bytes written (fewer only after a fault or out
 * of memory, which are -EFAULT, -ENOMEM when nothing was written), -EFBIG
 * past the largest file. Bytes between the old end and a write or
 * truncation further on read as zeros. */
long __inode_read(struct inode *ip, struct iobuf *dst, u64 off, size_t n);
long __inode_write(struct inode *ip, struct iobuf *src, u64 off, size_t n);
int __inode_truncate(struct inode *ip, u64 size);
void inode_io_lock(struct inode *ip);
void inode_io_unlock(struct inode *ip);
void inode_lock(struct inode *ip);
void inode_unlock(struct inode *ip);
/* Fills st; takes ip->lock and fs_ns_lock itself. */
void inode_stat(struct inode *ip, struct mnemo_stat *st);

/* ------------------------------------------------------------ namespace */

/* The file system's sleeplock over all names. */
void fs_ns_lock(void);
void fs_ns_unlock(void);

/* The last component of a path, as path_parent() found it. */
struct path_last {
	const char *name; /* points into the path; "" when the path is "/" */
	size_t len;
	bool slash; /* the path ended with '/' */
};

/* With fs_ns_lock held. start is the working directory (NULL: the root).
 * path_walk() resolves the whole path; path_parent() resolves all but the
 * last component into the directory that holds it. Both store a new
 * reference in *out and return 0, or return -ENOENT, -ENOTDIR,
 * -ENAMETOOLONG. */
int path_walk(struct inode *start, const char *path, struct inode **out);
int path_parent(struct inode *start, const char *path, struct inode **out, struct path_last *last);
/* The inode name (len bytes) names in directory dp, without a new
 * reference; "." and ".." included. NULL if there is none. */
struct inode *path_step(struct inode *dp, const char *name, size_t len);

/* Namespace operations (namespace.c); each takes fs_ns_lock itself.
 * ns_create() makes a new inode of type at path, or with excl false
 * returns the one already there (whatever its type); *out gets a
 * reference. */
int ns_create(struct inode *cwd, const char *path, u16 type, u16 major, u16 minor, bool excl,
	      struct inode **out);
int ns_link(struct inode *cwd, const char *oldpath, const char *newpath);
int ns_unlink(struct inode *cwd, const char *path);
/* Writes the absolute path of dir, NUL-terminated, into buf (size bytes);
 * its length, or -ERANGE, -ENOENT (dir was removed). */
long ns_getcwd(struct inode *dir, char *buf, size_t size);

/* The same with fs_ns_lock held, in directory dp, for a name known to be
 * new (fs_init and the functions above). */
int __ns_create_in(struct inode *dp, const char *name, size_t len, u16 type, u16 major, u16 minor,
		   struct inode **out);
int __ns_link_in(struct inode *dp, const char *name, size_t len, struct inode *ip);

/* The root directory; set once by fs_init(). */
extern struct inode *fs_root_inode;

#endif
