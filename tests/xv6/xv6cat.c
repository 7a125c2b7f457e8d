// xv6cat: copies files (or its input) to its output, in xv6's style.
#include "kernel/types.h"
#include "kernel/stat.h"
#include "user/user.h"
#include "kernel/fcntl.h"

static char buf[512];

static void copy(int fd, const char *name)
{
	int n;

	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		if (write(1, buf, n) != n) {
			fprintf(2, "xv6cat: write error\n");
			exit(1);
		}
	}
	if (n < 0) {
		fprintf(2, "xv6cat: read error in %s\n", name);
		exit(1);
	}
}

int main(int argc, char *argv[])
{
	if (argc <= 1) {
		copy(0, "input");
		exit(0);
	}
	for (int i = 1; i < argc; i++) {
		int fd = open(argv[i], O_RDONLY);

		if (fd < 0) {
			fprintf(2, "xv6cat: cannot open %s\n", argv[i]);
			exit(1);
		}
		copy(fd, argv[i]);
		close(fd);
	}
	exit(0);
}
