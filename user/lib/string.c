/* memcpy, memmove, memset, strlen and memcmp for user programs, by 8-byte
 * words. They take the place of picolibc's (ulib.a comes before libc.a
 * in the link), whose release build copies and compares by words only
 * when both pointers share an alignment, and byte by byte otherwise, and
 * moves backwards always byte by byte (user/lib/README.md has the figures
 * of `make bench`).
 *
 * Every load and store of a word here is aligned: a pointer is first
 * brought to an 8-byte boundary a byte at a time; a source that is still
 * off by k bytes is read as aligned words, each result made of the high
 * 8 - k bytes of one and the low k of the next (little-endian RISC-V). An
 * aligned word that holds a byte of the buffer lies in the same page as
 * that byte, so reading the whole word never faults, though its other
 * bytes may lie outside the buffer.
 *
 * Built with -fno-tree-loop-distribute-patterns (Makefile), so that GCC
 * does not turn the byte loops below into calls of these very functions. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* A word that may alias any other type. */
typedef uint64_t __attribute__((may_alias)) word_t;

#define W	  sizeof(word_t)
#define ONES	  0x0101010101010101ull
#define HIGHS	  0x8080808080808080ull
/* Below this many bytes, a byte loop costs less than lining up words
 * (but 8 aligned bytes still move as one word). */
#define SMALL	  16

static inline uintptr_t misalign(const void *p)
{
	return (uintptr_t)p & (W - 1);
}

/* Copies n bytes upwards: each byte is read before any byte below it is
 * written, so dst may overlap src when dst <= src (memmove). */
static inline __attribute__((always_inline)) void copy_up(unsigned char *d, const unsigned char *s, size_t n)
{
	if (n >= SMALL) {
		while (misalign(d)) {
			*d++ = *s++;
			n--;
		}
		word_t *dw = (word_t *)d;
		size_t k = misalign(s);
		if (k == 0) {
			const word_t *sw = (const word_t *)s;
			for (; n >= 8 * W; n -= 8 * W, dw += 8, sw += 8) {
				word_t w0 = sw[0], w1 = sw[1], w2 = sw[2], w3 = sw[3];
				word_t w4 = sw[4], w5 = sw[5], w6 = sw[6], w7 = sw[7];
				dw[0] = w0, dw[1] = w1, dw[2] = w2, dw[3] = w3;
				dw[4] = w4, dw[5] = w5, dw[6] = w6, dw[7] = w7;
			}
			for (; n >= W; n -= W)
				*dw++ = *sw++;
			s = (const unsigned char *)sw;
		} else {
			/* s is k bytes past the aligned word sw points at. */
			const word_t *sw = (const word_t *)(s - k);
			unsigned lo = 8 * k, hi = 64 - lo;
			word_t w0 = *sw, w1;
			for (; n >= 4 * W; n -= 4 * W, dw += 4, sw += 4) {
				word_t a = sw[1], b = sw[2], c = sw[3], e = sw[4];
				dw[0] = w0 >> lo | a << hi;
				dw[1] = a >> lo | b << hi;
				dw[2] = b >> lo | c << hi;
				dw[3] = c >> lo | e << hi;
				w0 = e;
			}
			for (; n >= W; n -= W, w0 = w1) {
				w1 = *++sw;
				*dw++ = w0 >> lo | w1 << hi;
			}
			s = (const unsigned char *)sw + k;
		}
		d = (unsigned char *)dw;
	} else if (n >= W && !misalign((void *)((uintptr_t)d | (uintptr_t)s))) {
		*(word_t *)d = *(const word_t *)s;
		d += W, s += W, n -= W;
	}
	while (n--)
		*d++ = *s++;
}

/* Copies n bytes downwards, from the ends: dst may overlap src when
 * dst >= src (memmove). */
static inline __attribute__((always_inline)) void copy_down(unsigned char *d, const unsigned char *s, size_t n)
{
	d += n;
	s += n;
	if (n >= SMALL) {
		while (misalign(d)) {
			*--d = *--s;
			n--;
		}
		word_t *dw = (word_t *)d;
		size_t k = misalign(s);
		if (k == 0) {
			const word_t *sw = (const word_t *)s;
			for (; n >= 8 * W; n -= 8 * W) {
				dw -= 8, sw -= 8;
				word_t w7 = sw[7], w6 = sw[6], w5 = sw[5], w4 = sw[4];
				word_t w3 = sw[3], w2 = sw[2], w1 = sw[1], w0 = sw[0];
				dw[7] = w7, dw[6] = w6, dw[5] = w5, dw[4] = w4;
				dw[3] = w3, dw[2] = w2, dw[1] = w1, dw[0] = w0;
			}
			for (; n >= W; n -= W)
				*--dw = *--sw;
			s = (const unsigned char *)sw;
		} else {
			/* The source's end is k bytes past the aligned word sw
			 * points at; that word's low k bytes are the last ones. */
			const word_t *sw = (const word_t *)(s - k);
			unsigned lo = 8 * k, hi = 64 - lo;
			word_t w1 = *sw, w0;
			for (; n >= 4 * W; n -= 4 * W) {
				dw -= 4, sw -= 4;
				word_t c = sw[3], b = sw[2], a = sw[1], e = sw[0];
				dw[3] = c >> lo | w1 << hi;
				dw[2] = b >> lo | c << hi;
				dw[1] = a >> lo | b << hi;
				dw[0] = e >> lo | a << hi;
				w1 = e;
			}
			for (; n >= W; n -= W, w1 = w0) {
				w0 = *--sw;
				*--dw = w0 >> lo | w1 << hi;
			}
			s = (const unsigned char *)sw + k;
		}
		d = (unsigned char *)dw;
	}
	while (n--)
		*--d = *--s;
}

void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
	copy_up(dst, src, n);
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d <= s || d >= s + n)
		copy_up(d, s, n);
	else
		copy_down(d, s, n);
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;

	if (n >= SMALL) {
		while (misalign(d)) {
			*d++ = (unsigned char)c;
			n--;
		}
		word_t v = (unsigned char)c * ONES, *dw = (word_t *)d;
		for (; n >= 8 * W; n -= 8 * W, dw += 8) {
			dw[0] = v, dw[1] = v, dw[2] = v, dw[3] = v;
			dw[4] = v, dw[5] = v, dw[6] = v, dw[7] = v;
		}
		for (; n >= W; n -= W)
			*dw++ = v;
		d = (unsigned char *)dw;
	} else if (n >= W && !misalign(d)) {
		*(word_t *)d = (unsigned char)c * ONES;
		d += W, n -= W;
	}
	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}

/* Which byte of w (0: the lowest) is the first zero one, given
 * z = zero_bytes(w) != 0. Only the lowest marked byte is certain to be a
 * zero (a borrow can mark the byte above a zero), and only it is used:
 * z & -z keeps its bit, 1 << (8j + 7); shifted down to 1 << 8j, it
 * multiplies the constant up by j bytes, bringing its byte 7 - j, which
 * holds j, to the top. */
static inline size_t first_marked(word_t z)
{
	return ((z & -z) >> 7) * 0x0001020304050607ull >> 56;
}

/* Each zero byte of w gets its high bit set (and perhaps a byte above a
 * zero one too); no bit is set when w has no zero byte. */
static inline word_t zero_bytes(word_t w)
{
	return (w - ONES) & ~w & HIGHS;
}

size_t strlen(const char *str)
{
	size_t k = misalign(str);
	const word_t *sw = (const word_t *)(str - k);
	/* The bytes before str, in the first word, count as not zero. */
	word_t w = *sw | ((1ull << 8 * k) - 1), z;

	while ((z = zero_bytes(w)) == 0)
		w = *++sw;
	return (const char *)sw + first_marked(z) - str;
}

/* The sign of the first difference of n bytes, byte by byte. */
static int compare_bytes(const unsigned char *x, const unsigned char *y, size_t n)
{
	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	if (n >= SMALL) {
		while (misalign(x)) {
			if (*x != *y)
				return *x - *y;
			x++, y++, n--;
		}
		const word_t *xw = (const word_t *)x;
		size_t k = misalign(y);
		if (k == 0) {
			const word_t *yw = (const word_t *)y;
			for (; n >= W && *xw == *yw; n -= W)
				xw++, yw++;
		} else {
			const word_t *yw = (const word_t *)(y - k);
			unsigned lo = 8 * k, hi = 64 - lo;
			word_t w0 = *yw, w1;
			for (; n >= W; n -= W, xw++, w0 = w1) {
				w1 = yw[1];
				if (*xw != (w0 >> lo | w1 << hi))
					break;
				yw++;
			}
		}
		/* The words left, if any, differ in their first 8 bytes. */
		y += (const unsigned char *)xw - x;
		x = (const unsigned char *)xw;
	} else if (n >= W && !misalign((void *)((uintptr_t)x | (uintptr_t)y)) &&
		   *(const word_t *)x == *(const word_t *)y) {
		x += W, y += W, n -= W;
	}
	return compare_bytes(x, y, n);
}
