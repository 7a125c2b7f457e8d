/* read_full() and write_all() (<mnemo.h>): a pipe or a terminal may move
 * fewer bytes than asked in one read() or write(), so these loop until the
 * whole buffer has moved. */
#include <unistd.h>

#include <mnemo.h>

long read_full(int fd, void *buf, size_t n)
{
	char *p = buf;
	size_t got = 0;

	while (got < n) {
		ssize_t r = read(fd, p + got, n - got);
		if (r < 0)
			return -1;
		if (r == 0) /* end of file */
			break;
		got += (size_t)r;
	}
	return (long)got;
}

int write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;

	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}
