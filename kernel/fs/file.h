/* Open files, pipes and device drivers: the part of kernel/fs behind the
 * descriptor system calls. Internal to kernel/fs. */
#ifndef KERNEL_FS_FILE_H
#define KERNEL_FS_FILE_H

#include "include/uapi/stat.h"
#include "kernel/types.h"

struct inode;
struct pipe;

enum file_type {
	FILE_INODE,  /* a regular file or a directory */
	FILE_PIPE,   /* one end of a pipe */
	FILE_DEVICE, /* a device node: reads and writes go to its driver */
};

/* What a descriptor refers to; dup() and fork() share one.
 * Legend: (-) fixed once open() returns, (a) atomic, (o) ip->io_lock. */
struct file {
	enum file_type type; /* (-) */
	u32 ref;	     /* (a) descriptors referring to it */
	bool readable;	     /* (-) */
	bool writable;	     /* (-) */
	bool append;	     /* (-) O_APPEND: every write goes to the end */
	u64 off;	     /* (o) FILE_INODE: the position */
	struct inode *ip;    /* (-) FILE_INODE, FILE_DEVICE: holds a reference */
	struct pipe *pipe;   /* (-) FILE_PIPE */
};

/* A zeroed file of this type with ref 1, or NULL. */
struct file *file_alloc(enum file_type type);
/* The system calls' work, once the descriptor is checked. Each returns a
 * count or -errno. */
long file_read(struct file *f, void __user *dst, size_t n);
long file_write(struct file *f, const void __user *src, size_t n);
long file_seek(struct file *f, s64 off, int whence);
void file_stat(struct file *f, struct mnemo_stat *st);

/* The current process's descriptor table (fdtable.c), which other
 * threads may change at any time: a file is used only through a reference
 * of the caller's own, so that a close() elsewhere cannot free it.
 * fd_install() puts f in the lowest free slot and returns it, taking over
 * the caller's reference, or returns -EMFILE. fd_get() returns the file
 * behind fd with a new reference (file_put it), or NULL. fd_remove() takes
 * the file out of slot fd and hands its reference to the caller (NULL if
 * none); fd_replace() puts f in slot fd (taking over a reference) and
 * hands back the file that was there, or NULL. fd_close_if() closes fd
 * only if it still holds f: the undoing of a failed call that installed
 * f, which another thread may have closed or replaced meanwhile.
 * fd_set_cwd() takes over a
 * reference on ip and hands back the old directory's. */
int fd_install(struct file *f);
struct file *fd_get(int fd);
struct file *fd_remove(int fd);
struct file *fd_replace(int fd, struct file *f);
void fd_close_if(int fd, struct file *f);
struct inode *fd_set_cwd(struct inode *ip);

/* Pipes (pipe.c). pipe_alloc() makes a pipe and its two ends; 0 or
 * -ENOMEM. */
int pipe_alloc(struct file **rf, struct file **wf);
long pipe_read(struct pipe *p, void __user *dst, size_t n);
long pipe_write(struct pipe *p, const void __user *src, size_t n);
void pipe_close(struct pipe *p, bool writer);
u64 pipe_unread(struct pipe *p);

/* Device drivers, by major number (device.c). Reads and writes move
 * bytes to or from user memory and return a count or -errno. */
struct device_ops {
	long (*read)(int minor, void __user *dst, size_t n);
	long (*write)(int minor, const void __user *src, size_t n);
};
const struct device_ops *device_get(int major); /* NULL: no such driver */

/* The console driver (console.c). */
long console_read(int minor, void __user *dst, size_t n);
long console_write(int minor, const void __user *src, size_t n);

/* Directory reads (readdir.c): whole records from position *pos,
 * advanced past what was copied, xv6's struct mnemo_dirent (read) or
 * struct mnemo_dirent_long (getdents). Bytes copied, 0 at the end, or
 * -EINVAL (no room for the next record), -EFAULT. */
long dir_read(struct inode *dp, void __user *dst, size_t n, u64 *pos);
long dir_getdents(struct inode *dp, void __user *dst, size_t n, u64 *pos);
/* getdents() on an open file: -ENOTDIR unless it is a directory. */
long file_getdents(struct file *f, void __user *dst, size_t n);

#endif
