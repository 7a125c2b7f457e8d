/* xv6's printf(fmt, ...) and fprintf(fd, fmt, ...): picolibc's formatter
 * writing into a small buffer that goes straight to the descriptor, one
 * write() per call when it fits. No stdio stream is involved, so output
 * is never held back, and interleaves with write() calls in program order
 * as it does on xv6. */
#include <stdio.h>

#include "compat/xv6/kernel/types.h"
#include "compat/xv6/user/user.h"

struct xv6_out {
	FILE file; /* first: the put function gets this pointer back */
	int fd;
	int len;
	char buf[256];
};

static void xv6_out_flush(struct xv6_out *out)
{
	if (out->len > 0)
		write(out->fd, out->buf, out->len);
	out->len = 0;
}

static int xv6_out_put(char c, FILE *file)
{
	struct xv6_out *out = (struct xv6_out *)file;

	out->buf[out->len++] = c;
	if (out->len == (int)sizeof(out->buf))
		xv6_out_flush(out);
	return (unsigned char)c;
}

void xv6_vprintf(int fd, const char *fmt, va_list ap)
{
	struct xv6_out out = {
	    .file = FDEV_SETUP_STREAM(xv6_out_put, NULL, NULL, _FDEV_SETUP_WRITE),
	    .fd = fd,
	};

	vfprintf(&out.file, fmt, ap);
	xv6_out_flush(&out);
}

void xv6_fprintf(int fd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	xv6_vprintf(fd, fmt, ap);
	va_end(ap);
}

void xv6_printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	xv6_vprintf(1, fmt, ap);
	va_end(ap);
}
