/* xv6's struct stat, which xv6's fstat() and stat() fill (user/user.h maps
 * them to xv6_fstat and xv6_stat, so that POSIX's struct stat can keep the
 * name in the same library). On mnemo, type can also be 4 for a pipe. */
#ifndef XV6_KERNEL_STAT_H
#define XV6_KERNEL_STAT_H

#include "types.h"

#define T_DIR	 1
#define T_FILE	 2
#define T_DEVICE 3

struct stat {
	int dev;     /* the file system's device number */
	uint ino;    /* inode number, unique within dev */
	short type;  /* T_DIR, T_FILE or T_DEVICE */
	short nlink; /* names (directory entries) it has */
	uint64 size; /* bytes */
};

#endif
