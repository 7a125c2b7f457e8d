/* poweroff [status]: turns the machine off; the host sees status
 * (0 by default) in the console's "mnemo: power off (status N)". */
#include <stdio.h>
#include <stdlib.h>

#include <mnemo.h>

int main(int argc, char *argv[])
{
	int status = 0;

	if (argc > 2) {
		fprintf(stderr, "usage: poweroff [status]\n");
		return 2;
	}
	if (argc == 2) {
		char *end;
		status = (int)strtol(argv[1], &end, 10);
		if (*argv[1] == '\0' || *end != '\0') {
			fprintf(stderr, "poweroff: %s: not a number\n", argv[1]);
			return 2;
		}
	}
	fflush(stdout);
	poweroff(status);
}
