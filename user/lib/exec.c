/* Replacing the program: xv6's exec() and POSIX's exec family on top of
 * the one system call. There is no environment (envp is ignored) and no
 * PATH: execvp() and execlp() look in /bin for a name without a '/'. */
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include "include/uapi/limits.h"
#include "usys.h"

/* xv6's exec(path, argv): the same as execv(). Declared by compat/xv6's
 * user/user.h, with argv as plain char ** as xv6 has it. */
int exec(const char *path, char **argv)
{
	return usys_result(usys_call2(SYS_exec, path, argv));
}

int execv(const char *path, char *const argv[])
{
	return usys_result(usys_call2(SYS_exec, path, argv));
}

int execve(const char *path, char *const argv[], char *const envp[])
{
	(void)envp;
	return execv(path, argv);
}

int execvp(const char *file, char *const argv[])
{
	static const char bin[] = "/bin/";
	char path[MNEMO_MAXPATH];
	size_t len = strlen(file);

	if (strchr(file, '/'))
		return execv(file, argv);
	if (len == 0) {
		errno = ENOENT;
		return -1;
	}
	if (sizeof(bin) + len > sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(path, bin, sizeof(bin) - 1);
	memcpy(path + sizeof(bin) - 1, file, len + 1);
	return execv(path, argv);
}

/* The execl() family's common part: collects the arguments after arg0 up
 * to the NULL that ends them into an argv, then hands it to exec (execv
 * or execvp) with name. Returns -1 with E2BIG if there are more than
 * MNEMO_MAXARG; otherwise what exec returns. */
static int exec_list(int (*exec)(const char *, char *const[]), const char *name, const char *arg0,
		     va_list *ap)
{
	char *argv[MNEMO_MAXARG + 1];
	int argc = 0;

	for (const char *arg = arg0; arg; arg = va_arg(*ap, const char *)) {
		if (argc == MNEMO_MAXARG) {
			errno = E2BIG;
			return -1;
		}
		argv[argc++] = (char *)arg;
	}
	argv[argc] = NULL;
	return exec(name, argv);
}

int execl(const char *path, const char *arg0, ...)
{
	va_list ap;
	int ret;

	va_start(ap, arg0);
	ret = exec_list(execv, path, arg0, &ap);
	va_end(ap);
	return ret;
}

int execlp(const char *file, const char *arg0, ...)
{
	va_list ap;
	int ret;

	va_start(ap, arg0);
	ret = exec_list(execvp, file, arg0, &ap);
	va_end(ap);
	return ret;
}

/* execle's envp follows the NULL and is ignored like execve's, so execle
 * is execl under a second name: the variadic calling convention is the
 * same for both. */
int execle(const char *path, const char *arg0, ...) __attribute__((alias("execl")));
