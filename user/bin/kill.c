/* kill [-SIGNAL | -s SIGNAL] pid...: sends a signal (SIGTERM unless one
 * is named, by name with or without SIG, or by number) to each process;
 * a negative pid names a process group. kill -l lists the names. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const names[NSIG] = {
    [SIGHUP] = "HUP",	[SIGINT] = "INT",	[SIGQUIT] = "QUIT", [SIGILL] = "ILL",
    [SIGTRAP] = "TRAP", [SIGABRT] = "ABRT",	[SIGBUS] = "BUS",   [SIGFPE] = "FPE",
    [SIGKILL] = "KILL", [SIGUSR1] = "USR1",	[SIGSEGV] = "SEGV", [SIGUSR2] = "USR2",
    [SIGPIPE] = "PIPE", [SIGALRM] = "ALRM",	[SIGTERM] = "TERM", [SIGSTKFLT] = "STKFLT",
    [SIGCHLD] = "CHLD", [SIGCONT] = "CONT",	[SIGSTOP] = "STOP", [SIGTSTP] = "TSTP",
    [SIGTTIN] = "TTIN", [SIGTTOU] = "TTOU",	[SIGURG] = "URG",   [SIGXCPU] = "XCPU",
    [SIGXFSZ] = "XFSZ", [SIGVTALRM] = "VTALRM", [SIGPROF] = "PROF", [SIGWINCH] = "WINCH",
    [SIGIO] = "IO",	[SIGPWR] = "PWR",	[SIGSYS] = "SYS",
};

/* The signal a name or number stands for, or -1. */
static int signal_of(const char *s)
{
	char *end;
	long n = strtol(s, &end, 10);

	if (*s && *end == '\0')
		return n >= 0 && n < NSIG ? (int)n : -1;
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (int sig = 1; sig < NSIG; sig++)
		if (names[sig] && strcasecmp(s, names[sig]) == 0)
			return sig;
	return -1;
}

int main(int argc, char *argv[])
{
	int status = 0, sig = SIGTERM, i = 1;

	if (argc == 2 && strcmp(argv[1], "-l") == 0) {
		for (int s = 1; s < NSIG; s++)
			printf("%2d %s\n", s, names[s]);
		return 0;
	}
	if (i < argc && strcmp(argv[i], "-s") == 0 && i + 1 < argc) {
		sig = signal_of(argv[i + 1]);
		i += 2;
	} else if (i < argc && argv[i][0] == '-' && signal_of(argv[i] + 1) >= 0 &&
		   !(argv[i][1] >= '0' && argv[i][1] <= '9' && i + 1 == argc)) {
		sig = signal_of(argv[i] + 1);
		i++;
	}
	if (i < argc && strcmp(argv[i], "--") == 0)
		i++;
	if (sig < 0 || i >= argc) {
		fprintf(stderr, "usage: kill [-SIGNAL | -s SIGNAL] pid...\n");
		return 2;
	}
	for (; i < argc; i++) {
		char *end;
		long pid = strtol(argv[i], &end, 10);
		if (*argv[i] == '\0' || *end != '\0' || pid == 0) {
			fprintf(stderr, "kill: %s: not a process id\n", argv[i]);
			status = 1;
			continue;
		}
		if (kill((pid_t)pid, sig) < 0) {
			fprintf(stderr, "kill: %s: %s\n", argv[i], strerror(errno));
			status = 1;
		}
	}
	return status;
}
