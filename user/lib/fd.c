/* File descriptors: reading, writing, duplicating, seeking, pipes. */
#include <unistd.h>

#include "usys.h"

ssize_t read(int fd, void *buf, size_t n)
{
	return usys_result(usys_call3(SYS_read, fd, buf, n));
}

ssize_t write(int fd, const void *buf, size_t n)
{
	return usys_result(usys_call3(SYS_write, fd, buf, n));
}

int close(int fd)
{
	return usys_result(usys_call1(SYS_close, fd));
}

int dup(int fd)
{
	return usys_result(usys_call1(SYS_dup, fd));
}

int dup2(int oldfd, int newfd)
{
	return usys_result(usys_call2(SYS_dup2, oldfd, newfd));
}

int pipe(int fds[2])
{
	return usys_result(usys_call1(SYS_pipe, fds));
}

off_t lseek(int fd, off_t offset, int whence)
{
	return usys_result(usys_call3(SYS_lseek, fd, offset, whence));
}

int ftruncate(int fd, off_t length)
{
	return usys_result(usys_call2(SYS_ftruncate, fd, length));
}
