/* Calls that name files by path: the working directory, links,
 * directories, device files. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "include/uapi/limits.h"
#include "usys.h"

int chdir(const char *path)
{
	return usys_result(usys_call1(SYS_chdir, path));
}

/* As glibc, getcwd(NULL, size) allocates the buffer (size 0: as large as
 * needed); the caller frees it. */
char *getcwd(char *buf, size_t size)
{
	char *mine = NULL;
	long ret;

	if (!buf) {
		size = size ? size : MNEMO_MAXPATH;
		buf = mine = malloc(size);
		if (!buf)
			return NULL;
	}
	ret = usys_call2(SYS_getcwd, buf, size);
	if (usys_is_error(ret)) {
		free(mine);
		usys_result(ret);
		return NULL;
	}
	return buf;
}

int mkdir(const char *path, mode_t mode)
{
	(void)mode; /* no permissions */
	return usys_result(usys_call1(SYS_mkdir, path));
}

/* The kernel's unlink removes empty directories too (ENOTEMPTY
 * otherwise); rmdir adds the check that path is a directory. */
int rmdir(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	return unlink(path);
}

int unlink(const char *path)
{
	return usys_result(usys_call1(SYS_unlink, path));
}

int truncate(const char *path, off_t length)
{
	return usys_result(usys_call2(SYS_truncate, path, length));
}

int link(const char *oldpath, const char *newpath)
{
	return usys_result(usys_call2(SYS_link, oldpath, newpath));
}

int mknod(const char *path, int major, int minor)
{
	return usys_result(usys_call3(SYS_mknod, path, major, minor));
}

/* Without permissions, a file is accessible in every way iff it exists. */
int access(const char *path, int mode)
{
	struct stat st;

	(void)mode;
	return stat(path, &st);
}
