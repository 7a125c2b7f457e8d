/* cat [file...]: copies each file, or standard input when none is named
 * (or for "-"), to standard output. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static char cat_buf[4096];

/* Writes all n bytes, however many write() calls that takes.
 * Returns 0, or -1 with errno set. */
static int cat_write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Copies fd to standard output; name is for error messages.
 * Returns 0 on success, 1 after reporting an error. */
static int cat_fd(int fd, const char *name)
{
	ssize_t n;

	while ((n = read(fd, cat_buf, sizeof(cat_buf))) > 0) {
		if (cat_write_all(1, cat_buf, (size_t)n) < 0) {
			fprintf(stderr, "cat: write: %s\n", strerror(errno));
			return 1;
		}
	}
	if (n < 0) {
		fprintf(stderr, "cat: %s: %s\n", name, strerror(errno));
		return 1;
	}
	return 0;
}

int main(int argc, char *argv[])
{
	int status = 0;

	if (argc < 2)
		return cat_fd(0, "stdin");

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-") == 0) {
			status |= cat_fd(0, "stdin");
			continue;
		}
		int fd = open(argv[i], O_RDONLY);
		if (fd < 0) {
			fprintf(stderr, "cat: %s: %s\n", argv[i], strerror(errno));
			status = 1;
			continue;
		}
		status |= cat_fd(fd, argv[i]);
		close(fd);
	}
	return status;
}
