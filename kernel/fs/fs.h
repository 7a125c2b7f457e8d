/* What the rest of the kernel sees of files: the in-memory file system's
 * inodes (for exec and the working directory) and open files (for the
 * descriptor table). Internals stay in kernel/fs. */
#ifndef KERNEL_FS_FS_H
#define KERNEL_FS_FS_H

#include "kernel/types.h"

struct inode;
struct file;

/* Builds the root file system from a cpio newc archive (may be NULL/0),
 * and creates /dev/console and /dev/null if the archive has none. */
void fs_init(const void *cpio, size_t size);

/* Looks up path relative to cwd (or the root for "/..."); on success
 * stores a new reference in *out and returns 0, else -errno. */
int fs_lookup(struct inode *cwd, const char *path, struct inode **out);
struct inode *fs_root(void);		   /* a new reference */
struct inode *inode_get(struct inode *ip); /* takes a reference */
void inode_put(struct inode *ip);	   /* drops one */
bool inode_is_dir(struct inode *ip);
bool inode_is_file(struct inode *ip); /* a regular file */
/* Sets a regular file's size: the pages past the new end go, and up to
 * it the file reads as zeros (a hole, no pages). 0 or -EFBIG. */
int inode_resize(struct inode *ip, u64 size);
/* Reads up to n bytes at off into a kernel buffer; bytes read or -errno. */
long inode_read(struct inode *ip, void *dst, u64 off, size_t n);
u64 inode_size(struct inode *ip);

struct file *file_get(struct file *f); /* takes a reference (dup, fork) */
void file_put(struct file *f);	       /* drops one (close, exit) */

/* A process's descriptor table and working directory (fdtable.c), which
 * its threads share, each holding a reference. fdtable_new() takes over
 * a reference on cwd; fdtable_copy() is fork's: the same files and
 * directory, each with a new reference. Both NULL when out of memory.
 * The last fdtable_put() closes every file. fdtable_close_files() closes
 * them but keeps the table and directory (a service that starts again). */
struct fdtable *fdtable_new(struct inode *cwd);
struct fdtable *fdtable_copy(struct fdtable *t);
struct fdtable *fdtable_get(struct fdtable *t);
void fdtable_put(struct fdtable *t);
void fdtable_close_files(struct fdtable *t);
/* The current process's working directory, with a new reference. */
struct inode *fd_cwd(void);

/* The console: the UART driver hands every received character here. */
void console_intr(int c);
/* Has fn(sig) called when Ctrl-C (SIGINT) or Ctrl-\ (SIGQUIT) is typed,
 * in interrupt context. For boot only. */
void console_on_signal_key(void (*fn)(int sig));
/* Is fd, of the current process, open on the console? */
bool fd_is_console(int fd);
void console_init(void);

#endif
