/* What fstat(fd, buf, layout) (syscall 8) writes at buf: struct
 * mnemo_stat, which the user library turns into POSIX's struct stat, or
 * (layout MNEMO_STAT_XV6) xv6's struct stat, written by the kernel itself
 * so that the library never stores through a pointer the kernel has not
 * checked: xv6's fstat(fd, (struct stat *)8) returns -1, as on xv6. */
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

/* fstat's layout argument. */
#define MNEMO_STAT_MNEMO 0 /* struct mnemo_stat */
#define MNEMO_STAT_XV6	 1 /* struct mnemo_stat_xv6 */

/* xv6's struct stat (compat/xv6/kernel/stat.h). nlink stops at 0x7fff,
 * the most xv6's short holds. */
struct mnemo_stat_xv6 {
	int32_t dev;
	uint32_t ino;
	int16_t type;
	int16_t nlink;
	uint64_t size;
};

/* Device numbers for mknod(path, major, minor). */
#define MNEMO_DEV_CONSOLE 1
#define MNEMO_DEV_NULL	  2

#endif
