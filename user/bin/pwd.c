/* pwd: prints the working directory (the shell's cd changes it). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
	char path[512];

	if (!getcwd(path, sizeof(path))) {
		fprintf(stderr, "pwd: getcwd: %s\n", strerror(errno));
		return 1;
	}
	printf("%s\n", path);
	return 0;
}
