/* A reader of cpio archives in the "newc" format (what `cpio -H newc`
 * writes and Linux takes as an initramfs). Pure: it only looks at the
 * bytes, so the host tests compile it as it is. */
#ifndef KERNEL_FS_CPIO_H
#define KERNEL_FS_CPIO_H

#include "kernel/types.h"

/* File types in cpio's mode field (the S_IF* values of POSIX). */
#define CPIO_S_IFMT  0170000
#define CPIO_S_IFDIR 0040000
#define CPIO_S_IFREG 0100000
#define CPIO_S_IFCHR 0020000
#define CPIO_S_IFBLK 0060000

struct cpio_entry {
	const char *name; /* NUL-terminated, inside the archive */
	size_t namelen;	  /* without the NUL */
	u32 ino;
	u32 mode;
	u32 nlink;
	u32 dev_major, dev_minor;   /* the device the file was on */
	u32 rdev_major, rdev_minor; /* device nodes: the device */
	const u8 *data;		    /* inside the archive */
	size_t size;
};

struct cpio_reader {
	const u8 *buf;
	size_t size;
	size_t pos;
};

void cpio_reader_init(struct cpio_reader *r, const void *buf, size_t size);
/* Reads the next entry into *e: 1 for an entry, 0 at the TRAILER!!! entry
 * or the end of the buffer, -EINVAL if the archive is malformed (bad
 * magic or digits, a name or data running past the end). */
int cpio_next(struct cpio_reader *r, struct cpio_entry *e);

#endif
