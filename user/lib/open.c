/* Opening files, and the rest of <fcntl.h>. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <unistd.h>

#include "include/uapi/fcntl.h"
#include "usys.h"

/* picolibc's <fcntl.h> uses Linux's flag values (O_CREAT 0x40, O_TRUNC
 * 0x200, O_APPEND 0x400), and picolibc's own fopen() passes them, while
 * the kernel takes newlib's older ones (include/uapi/fcntl.h: O_CREAT
 * 0x200, O_TRUNC 0x400, which are also xv6's). So open() translates, flag
 * by flag. Flags the kernel has no use for (O_CLOEXEC, O_NOCTTY,
 * O_NONBLOCK, ...) are dropped: ported programs pass them routinely. */
_Static_assert(O_RDONLY == MNEMO_O_RDONLY && O_WRONLY == MNEMO_O_WRONLY && O_RDWR == MNEMO_O_RDWR,
	       "access modes pass unchanged");

static int open_flags_to_kernel(int flags)
{
	int kflags = flags & O_ACCMODE;

	if (flags & O_APPEND)
		kflags |= MNEMO_O_APPEND;
	if (flags & O_CREAT)
		kflags |= MNEMO_O_CREAT;
	if (flags & O_TRUNC)
		kflags |= MNEMO_O_TRUNC;
	if (flags & O_EXCL)
		kflags |= MNEMO_O_EXCL;
	if (flags & O_DIRECTORY)
		kflags |= MNEMO_O_DIRECTORY;
	return kflags;
}

/* The mode argument, if any, is ignored: mnemo has no permissions. */
int open(const char *path, int flags, ...)
{
	return usys_result(usys_call2(SYS_open, path, open_flags_to_kernel(flags)));
}

int creat(const char *path, mode_t mode)
{
	(void)mode;
	return open(path, O_WRONLY | O_CREAT | O_TRUNC);
}

/* Only what plain open() can do: relative to the working directory, or an
 * absolute path whatever dirfd is. */
int openat(int dirfd, const char *path, int flags, ...)
{
	if (dirfd != AT_FDCWD && path[0] != '/') {
		errno = ENOSYS;
		return -1;
	}
	return open(path, flags);
}

/* Only F_DUPFD: the lowest free descriptor >= the argument, found by
 * dup()ing until one is high enough. There are no descriptor flags
 * (close-on-exec) or status flags to get or set. */
int fcntl(int fd, int cmd, ...)
{
	int lowest, copies[64], ncopies = 0, newfd = -1;
	va_list ap;

	if (cmd != F_DUPFD) {
		errno = EINVAL;
		return -1;
	}
	va_start(ap, cmd);
	lowest = va_arg(ap, int);
	va_end(ap);

	while (ncopies < (int)(sizeof(copies) / sizeof(copies[0]))) {
		newfd = dup(fd);
		if (newfd < 0 || newfd >= lowest)
			break;
		copies[ncopies++] = newfd;
	}
	if (newfd >= 0 && newfd < lowest) { /* ran out of room to search */
		copies[ncopies++] = newfd;
		newfd = -1;
		errno = EMFILE;
	}
	while (ncopies > 0) /* close() keeps errno for a valid fd */
		close(copies[--ncopies]);
	return newfd;
}

/* There is no file locking. */
int flock(int fd, int operation)
{
	(void)fd;
	(void)operation;
	errno = ENOSYS;
	return -1;
}
