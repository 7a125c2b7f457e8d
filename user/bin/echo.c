/* echo [-n] [arg...]: writes its arguments, separated by spaces and ended
 * by a newline unless -n comes first. */
#include <stdio.h>
#include <string.h>

int main(int argc, char *argv[])
{
	int first = 1;
	int newline = 1;

	if (argc > 1 && strcmp(argv[1], "-n") == 0) {
		newline = 0;
		first = 2;
	}
	for (int i = first; i < argc; i++) {
		if (i > first)
			putchar(' ');
		fputs(argv[i], stdout);
	}
	if (newline)
		putchar('\n');
	if (fflush(stdout) != 0 || ferror(stdout)) {
		perror("echo: write");
		return 1;
	}
	return 0;
}
