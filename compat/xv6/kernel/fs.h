/* The parts of xv6's file-system format that user programs see. Reading
 * a directory yields a sequence of struct dirent records; mnemo's read()
 * of a directory gives exactly this layout (include/uapi/dirent.h).
 * MAXFILE is the largest file xv6's inodes can address, in blocks; mnemo's
 * files may be far larger, so a program that writes MAXFILE blocks (as
 * xv6's usertests does) succeeds on both. */
#ifndef XV6_KERNEL_FS_H
#define XV6_KERNEL_FS_H

#include "types.h"

#define ROOTINO 1    /* inode number of / */
#define BSIZE	1024 /* bytes per file-system block */
#define DIRSIZ	14   /* bytes of a name in a directory entry, NUL optional */

#define NDIRECT	  12			 /* an inode's direct block addresses */
#define NINDIRECT (BSIZE / sizeof(uint)) /* addresses in its indirect block */
#define MAXFILE	  (NDIRECT + NINDIRECT)	 /* blocks in the largest file */

struct dirent {
	ushort inum; /* 0 marks an unused slot */
	char name[DIRSIZ];
};

#endif
