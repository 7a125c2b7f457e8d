/* init: the first process (PID 1). The kernel passes its boot arguments as
 * argv words, e.g. {"init", "pager=lazy", "mode=test"}. init opens the
 * console as standard input, output and error, then by mode:
 *   mode=test   runs /bin/runtests and powers off with its exit status
 *               (with tests=A,B only the tests named);
 *   mode=bench  runs /bin/runbench, likewise;
 *   mode=run    runs /bin/sh /etc/cmd (what `make run CMD=...` wrote),
 *               likewise;
 *   no mode     runs an interactive /bin/sh, again whenever it exits, each
 *               in a session of its own (as a login would), so that a
 *               job the last one left in the console's foreground does
 *               not keep the next from taking it.
 * Every orphan becomes init's child, so init reaps whatever it waits on. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <mnemo.h>

#include "include/uapi/stat.h"

/* Opens the device file path, creating it first if the root file system
 * has none. Returns the fd or -1. */
static int init_open_device(const char *path, int major)
{
	int fd = open(path, O_RDWR);

	if (fd < 0 && errno == ENOENT) {
		mknod(path, major, 0);
		fd = open(path, O_RDWR);
	}
	return fd;
}

/* Makes the console fds 0, 1 and 2, whatever init was started with.
 * Without a console nobody would hear of anything, so power off. */
static void init_console(void)
{
	int fd = init_open_device("/dev/console", MNEMO_DEV_CONSOLE);

	if (fd < 0)
		poweroff(1);
	for (int i = 0; i < 3; i++)
		if (fd != i)
			dup2(fd, i);
	if (fd > 2)
		close(fd);

	/* Programs expect /dev/null; a missing one is not worth stopping. */
	fd = init_open_device("/dev/null", MNEMO_DEV_NULL);
	if (fd >= 0)
		close(fd);
}

/* Returns the value of "key=value" among the boot arguments, or NULL. */
static const char *init_bootarg(int argc, char *argv[], const char *key)
{
	size_t len = strlen(key);

	for (int i = 1; i < argc; i++)
		if (strncmp(argv[i], key, len) == 0 && argv[i][len] == '=')
			return argv[i] + len + 1;
	return NULL;
}

/* Starts argv[0] with arguments argv, in a new session if session.
 * Returns its pid, or -1 after reporting why not. A failed exec shows in
 * the child's status, 127. */
static int init_spawn(char *const argv[], bool session)
{
	int pid = fork();

	if (pid < 0) {
		fprintf(stderr, "init: fork: %s\n", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		if (session)
			setsid();
		execv(argv[0], argv);
		fprintf(stderr, "init: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	return pid;
}

/* Waits until child pid exits, reaping the orphans that exit meanwhile.
 * Returns its exit status (0..255; 128 + the signal for a killed one). */
static int init_wait_for(int pid)
{
	for (;;) {
		int status;
		int reaped = wait(&status);
		if (reaped == pid)
			return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
		if (reaped < 0 && errno != EINTR) {
			fprintf(stderr, "init: wait: %s\n", strerror(errno));
			return 255;
		}
	}
}

/* Runs one program to completion, then powers off with its status. */
static void init_run_once(char *const argv[]) __attribute__((noreturn));
static void init_run_once(char *const argv[])
{
	int pid = init_spawn(argv, /*session=*/false);
	int status = pid < 0 ? 255 : init_wait_for(pid);

	fflush(stdout);
	poweroff(status);
}

/* The interactive mode: a shell on the console, forever. */
static void init_interactive(void) __attribute__((noreturn));
static void init_interactive(void)
{
	char *sh_argv[] = {"/bin/sh", NULL};

	printf("Welcome to mnemo. Programs are in /bin; try 'ls /bin' or 'ps'.\n");
	fflush(stdout);
	for (;;) {
		int start = uptime();
		int pid = init_spawn(sh_argv, /*session=*/true);
		if (pid >= 0)
			init_wait_for(pid);
		/* A shell that dies at once would die again: do not spin. */
		if (uptime() - start < 100) {
			fprintf(stderr, "init: /bin/sh exited at once; restarting in 1 s\n");
			sleep(1);
		}
	}
}

int main(int argc, char *argv[])
{
	init_console();

	const char *mode = init_bootarg(argc, argv, "mode");
	if (mode && strcmp(mode, "test") == 0) {
		static char names[256];
		char *test_argv[16] = {"/bin/runtests"};
		const char *tests = init_bootarg(argc, argv, "tests");
		int n = 1;
		if (tests) {
			snprintf(names, sizeof(names), "%s", tests);
			for (char *t = strtok(names, ","); t && n < 15; t = strtok(NULL, ","))
				test_argv[n++] = t;
		}
		test_argv[n] = NULL;
		init_run_once(test_argv);
	}
	if (mode && strcmp(mode, "bench") == 0) {
		/* bench=swap: the table of memory pressure (make bench). */
		char *bench_argv[] = {"/bin/runbench", (char *)init_bootarg(argc, argv, "bench"),
				      NULL};
		init_run_once(bench_argv);
	}
	if (mode && strcmp(mode, "run") == 0) {
		char *run_argv[] = {"/bin/sh", "/etc/cmd", NULL};
		init_run_once(run_argv);
	}
	if (mode)
		fprintf(stderr, "init: unknown mode '%s'; starting a shell\n", mode);
	init_interactive();
}
