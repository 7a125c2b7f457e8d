/* What fstat() (syscall 8) writes. The user library turns it into either
 * xv6's struct stat or the POSIX one. */
#ifndef UAPI_STAT_H
#define UAPI_STAT_H

#include <stdint.h>

#define MNEMO_T_DIR    1 /* xv6 T_DIR */
#define MNEMO_T_FILE   2 /* xv6 T_FILE */
#define MNEMO_T_DEVICE 3 /* xv6 T_DEVICE */
#define MNEMO_T_PIPE   4 /* mnemo: an end of a pipe */

struct mnemo_stat {
	uint32_t dev;	/* device number of the file system (always 1) */
	uint32_t ino;	/* inode number */
	uint16_t type;	/* MNEMO_T_* */
	uint16_t nlink; /* number of directory entries naming it */
	uint32_t major; /* device files: which driver */
	uint64_t size;	/* bytes */
};

/* Device numbers for mknod(path, major, minor). */
#define MNEMO_DEV_CONSOLE 1
#define MNEMO_DEV_NULL	  2

#endif
