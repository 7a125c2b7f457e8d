/* The C string functions the kernel needs. GCC may also emit calls to
 * memset/memcpy/memmove on its own, so these names are fixed. */
#include "kernel/lib/string.h"

void *memset(void *dst, int c, size_t n)
{
	u8 *d = dst;
	if (((uptr)d & 7) == 0 && (n & 7) == 0) {
		u64 v = (u8)c * 0x0101010101010101ULL;
		u64 *w = dst;
		/* Eight stores a round: zeroing pages is on the fault path. */
		for (; n >= 64; n -= 64, w += 8) {
			w[0] = v, w[1] = v, w[2] = v, w[3] = v;
			w[4] = v, w[5] = v, w[6] = v, w[7] = v;
		}
		for (; n; n -= 8)
			*w++ = v;
		return dst;
	}
	while (n--)
		*d++ = (u8)c;
	return dst;
}

void *memcpy(void *dst, const void *src, size_t n)
{
	u8 *d = dst;
	const u8 *s = src;
	if ((((uptr)d | (uptr)s) & 7) == 0) {
		u64 *dw = dst;
		const u64 *sw = src;
		/* Eight words a round: copying pages is on the copy-on-write
		 * fault path, and should cost about what zeroing one does. */
		for (; n >= 64; n -= 64, dw += 8, sw += 8) {
			u64 w0 = sw[0], w1 = sw[1], w2 = sw[2], w3 = sw[3];
			u64 w4 = sw[4], w5 = sw[5], w6 = sw[6], w7 = sw[7];
			dw[0] = w0, dw[1] = w1, dw[2] = w2, dw[3] = w3;
			dw[4] = w4, dw[5] = w5, dw[6] = w6, dw[7] = w7;
		}
		for (; n >= 8; n -= 8)
			*dw++ = *sw++;
		d = (u8 *)dw;
		s = (const u8 *)sw;
	}
	while (n--)
		*d++ = *s++;
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	u8 *d = dst;
	const u8 *s = src;
	if (d <= s || d >= s + n)
		return memcpy(dst, src, n);
	while (n--)
		d[n] = s[n];
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const u8 *x = a, *y = b;
	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;
	while (n < max && s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (u8)*a - (u8)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (u8)*a - (u8)*b;
		if (!*a)
			return 0;
	}
	return 0;
}

size_t strlcpy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);
	if (size) {
		size_t n = len < size - 1 ? len : size - 1;
		memcpy(dst, src, n);
		dst[n] = 0;
	}
	return len;
}

char *strchr(const char *s, int c)
{
	for (; *s; s++)
		if (*s == (char)c)
			return (char *)s;
	return c ? NULL : (char *)s;
}
