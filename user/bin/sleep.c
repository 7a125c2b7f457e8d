/* sleep N: waits N seconds. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char *argv[])
{
	char *end;
	long seconds;

	if (argc != 2) {
		fprintf(stderr, "usage: sleep seconds\n");
		return 2;
	}
	seconds = strtol(argv[1], &end, 10);
	if (*argv[1] == '\0' || *end != '\0' || seconds < 0) {
		fprintf(stderr, "sleep: %s: not a number of seconds\n", argv[1]);
		return 2;
	}
	/* sleep() returns the seconds left when it is interrupted. */
	return sleep((unsigned int)seconds) == 0 ? 0 : 1;
}
