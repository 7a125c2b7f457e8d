/* The xv6_ variants behind compat/xv6/user/user.h's macros: the calls
 * whose xv6 meaning differs from POSIX's (see that header). They go to the
 * kernel directly, so that this file needs no POSIX header. */
#include "compat/xv6/kernel/fcntl.h"
#include "compat/xv6/kernel/stat.h"
#include "compat/xv6/kernel/types.h"
#include "compat/xv6/user/user.h"
#include "include/uapi/mman.h"
#include "include/uapi/signal.h"
#include "include/uapi/stat.h"
#include "usys.h"

/* xv6's O_CREATE and O_TRUNC are the kernel's values; POSIX open() would
 * take them for picolibc's (where 0x200 is O_TRUNC) and translate. */
int xv6_open(const char *path, int flags)
{
	return usys_result(usys_call2(SYS_open, path, flags));
}

/* xv6's status: what the child gave exit(), whole, or -1 if it was
 * killed (the kernel keeps both, and POSIX's wait() encodes them). */
int xv6_wait(int *status)
{
	return usys_result(usys_call3(SYS_wait, status, -1, MNEMO_WAIT_RAW));
}

int xv6_kill(int pid)
{
	return usys_result(usys_call2(SYS_kill, pid, SIGKILL));
}

/* The kernel writes xv6's struct stat itself, so a bad st gives -1 (as
 * on xv6) instead of a fault here. */
#define XV6_STAT_SAME(field)                                                                       \
	(__builtin_offsetof(struct stat, field) == __builtin_offsetof(struct mnemo_stat_xv6, field))
_Static_assert(sizeof(struct stat) == sizeof(struct mnemo_stat_xv6) && XV6_STAT_SAME(dev) &&
		   XV6_STAT_SAME(ino) && XV6_STAT_SAME(type) && XV6_STAT_SAME(nlink) &&
		   XV6_STAT_SAME(size),
	       "compat/xv6's struct stat is the kernel's struct mnemo_stat_xv6");

int xv6_fstat(int fd, struct stat *st)
{
	return usys_result(usys_call3(SYS_fstat, fd, st, MNEMO_STAT_XV6));
}

int xv6_stat(const char *path, struct stat *st)
{
	int fd = open(path, O_RDONLY);
	int ret;

	if (fd < 0)
		return -1;
	ret = xv6_fstat(fd, st);
	close(fd);
	return ret;
}

char *sys_sbrk(int increment, int how)
{
	long ret = usys_call2(SYS_sbrk, increment, how);

	if (usys_is_error(ret)) {
		usys_result(ret);
		return SBRK_ERROR;
	}
	return (char *)ret;
}

char *xv6_sbrk(int increment)
{
	return sys_sbrk(increment, MNEMO_SBRK_EAGER);
}

char *sbrklazy(int increment)
{
	return sys_sbrk(increment, MNEMO_SBRK_LAZY);
}

int xv6_mknod(const char *path, short major, short minor)
{
	return usys_result(usys_call3(SYS_mknod, path, major, minor));
}

int xv6_mkdir(const char *path)
{
	return usys_result(usys_call1(SYS_mkdir, path));
}

int xv6_sleep(int ticks)
{
	return usys_result(usys_call1(SYS_sleep, ticks));
}

/* Reads a line from fd 0 into buf, keeping its '\n' (or '\r'), stopping
 * early at end of input or after max-1 bytes; always NUL-terminates.
 * Returns buf, empty at end of input. One byte per read(), so that input
 * after the line stays for whoever reads next (a shell's child). */
char *xv6_gets(char *buf, int max)
{
	int n = 0;

	while (n + 1 < max) {
		char c;

		if (read(0, &c, 1) < 1)
			break;
		buf[n++] = c;
		if (c == '\n' || c == '\r')
			break;
	}
	if (max > 0)
		buf[n] = '\0';
	return buf;
}
