/* File status: the kernel's struct mnemo_stat turned into POSIX's. */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "include/uapi/stat.h"
#include "usys.h"

/* The file system's block size (xv6's BSIZE), for st_blksize. */
#define STAT_BLOCK_SIZE 1024

/* mnemo has no owners or permissions: anyone may do anything, which the
 * permission bits say. Devices and pipes are not executable. */
static mode_t stat_mode(unsigned type)
{
	switch (type) {
	case MNEMO_T_DIR:
		return S_IFDIR | 0777;
	case MNEMO_T_FILE:
		return S_IFREG | 0777;
	case MNEMO_T_DEVICE:
		return S_IFCHR | 0666;
	case MNEMO_T_PIPE:
		return S_IFIFO | 0666;
	default:
		return 0666;
	}
}

int fstat(int fd, struct stat *st)
{
	struct mnemo_stat ms;
	long ret = usys_call2(SYS_fstat, fd, &ms);

	if (usys_is_error(ret))
		return usys_result(ret);
	*st = (struct stat){
	    .st_dev = ms.dev,
	    .st_ino = ms.ino,
	    .st_mode = stat_mode(ms.type),
	    .st_nlink = ms.nlink,
	    .st_rdev = ms.type == MNEMO_T_DEVICE ? ms.major : 0,
	    .st_size = ms.size,
	    .st_blksize = STAT_BLOCK_SIZE,
	    .st_blocks = (ms.size + 511) / 512, /* POSIX counts 512-byte units */
	};
	return 0;
}

/* There is no stat-by-path call: open the file (directories and devices
 * open read-only too), ask, close. */
int stat(const char *restrict path, struct stat *restrict st)
{
	int fd = open(path, O_RDONLY);
	int ret;

	if (fd < 0)
		return -1;
	ret = fstat(fd, st);
	close(fd);
	return ret;
}

int lstat(const char *restrict path, struct stat *restrict st)
{
	return stat(path, st);
}

/* A terminal is the console device. */
int isatty(int fd)
{
	struct mnemo_stat ms;
	long ret = usys_call2(SYS_fstat, fd, &ms);

	if (usys_is_error(ret)) {
		usys_result(ret);
		return 0;
	}
	if (ms.type != MNEMO_T_DEVICE || ms.major != MNEMO_DEV_CONSOLE) {
		errno = ENOTTY;
		return 0;
	}
	return 1;
}
