/* Specification of user/lib/string.c, the word-wise memcpy, memmove,
 * memset, strlen and memcmp that user programs link in place of
 * picolibc's, against byte loops written here. The Makefile renames the
 * library's functions to kernel_NAME (test_ulib_string_RENAME), so they
 * live beside the host's; it also builds them without AddressSanitizer,
 * since they read whole aligned words that may reach past a buffer, and
 * a test below checks that such reads stay within a page.
 *
 * Every length from 0 to MAXLEN is tried at every alignment of source and
 * destination (and, for memmove, every overlap of up to MAXSHIFT bytes
 * either way), inside guard bytes that must survive. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

void *kernel_memcpy(void *restrict dst, const void *restrict src, size_t n);
void *kernel_memmove(void *dst, const void *src, size_t n);
void *kernel_memset(void *dst, int c, size_t n);
size_t kernel_strlen(const char *s);
int kernel_memcmp(const void *a, const void *b, size_t n);

enum { MAXLEN = 160, MAXSHIFT = 24, GUARD = 32, AREA = GUARD + MAXLEN + 2 * MAXSHIFT + 16 + GUARD };

typedef unsigned char u8;

static u8 area[AREA] __attribute__((aligned(64)));
static u8 expect[AREA] __attribute__((aligned(64)));
static u8 src_area[AREA] __attribute__((aligned(64)));

static void fill(u8 *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (u8)(seed + i * 37 + (i >> 3));
}

static int sign(int x)
{
	return (x > 0) - (x < 0);
}

Test(ulib_string, memcpy_copies_exactly_n_bytes_at_every_alignment)
{
	fill(src_area, AREA, 1);
	for (size_t so = 0; so < 8; so++)
		for (size_t dof = 0; dof < 8; dof++)
			for (size_t n = 0; n <= MAXLEN; n++) {
				fill(area, AREA, 99);
				memcpy(expect, area, AREA);
				for (size_t i = 0; i < n; i++)
					expect[GUARD + dof + i] = src_area[GUARD + so + i];
				void *r = kernel_memcpy(area + GUARD + dof, src_area + GUARD + so, n);
				cr_assert_eq(r, area + GUARD + dof);
				cr_assert(memcmp(area, expect, AREA) == 0,
					  "memcpy(dst +%zu, src +%zu, %zu) is wrong", dof, so, n);
			}
}

Test(ulib_string, memmove_handles_every_overlap_and_alignment)
{
	for (int shift = -MAXSHIFT; shift <= MAXSHIFT; shift++)
		for (size_t so = 0; so < 8; so++)
			for (size_t n = 0; n <= MAXLEN; n++) {
				size_t s = GUARD + MAXSHIFT + so, d = s + shift;
				fill(area, AREA, 7 + n);
				memcpy(expect, area, AREA);
				for (size_t i = 0; i < n; i++)
					expect[d + i] = area[s + i];
				void *r = kernel_memmove(area + d, area + s, n);
				cr_assert_eq(r, area + d);
				cr_assert(memcmp(area, expect, AREA) == 0,
					  "memmove(src +%zu, shift %d, %zu) is wrong", so, shift, n);
			}
}

Test(ulib_string, memset_sets_exactly_n_bytes_at_every_alignment)
{
	for (size_t off = 0; off < 8; off++)
		for (size_t n = 0; n <= MAXLEN; n++) {
			int c = 0x100 + (int)(n * 13); /* only the low byte counts */
			fill(area, AREA, 5);
			memcpy(expect, area, AREA);
			for (size_t i = 0; i < n; i++)
				expect[GUARD + off + i] = (u8)c;
			void *r = kernel_memset(area + GUARD + off, c, n);
			cr_assert_eq(r, area + GUARD + off);
			cr_assert(memcmp(area, expect, AREA) == 0, "memset(+%zu, %zu) is wrong", off,
				  n);
		}
}

Test(ulib_string, strlen_finds_the_first_zero_at_every_alignment)
{
	for (size_t off = 0; off < 8; off++)
		for (size_t n = 0; n <= MAXLEN; n++) {
			/* Bytes of every value but zero, 0x01 and 0x80 among
			 * them (the ones a word test could mistake). */
			for (size_t i = 0; i < AREA; i++)
				area[i] = (u8)(i % 255 + 1);
			area[GUARD + off + n] = 0;
			if (n + 3 < MAXLEN)
				area[GUARD + off + n + 2] = 0;
			cr_assert_eq(kernel_strlen((char *)area + GUARD + off), n, "strlen(+%zu, %zu)",
				     off, n);
			/* A zero just before the string must not count. */
			area[GUARD + off - 1] = 0;
			cr_assert_eq(kernel_strlen((char *)area + GUARD + off), n,
				     "strlen(+%zu, %zu) after a zero", off, n);
		}
}

Test(ulib_string, memcmp_finds_the_first_difference_at_every_alignment)
{
	fill(src_area, AREA, 3);
	for (size_t ao = 0; ao < 8; ao++)
		for (size_t bo = 0; bo < 8; bo++)
			for (size_t n = 0; n <= MAXLEN; n += (n < 24 ? 1 : 7)) {
				u8 *a = src_area + GUARD + ao, *b = area + GUARD + bo;
				/* Different bytes just outside must not count. */
				fill(area, AREA, 200);
				memcpy(b, a, n);
				cr_assert_eq(kernel_memcmp(a, b, n), 0, "memcmp(+%zu, +%zu, %zu) equal",
					     ao, bo, n);
				for (size_t at = 0; at < n; at++) {
					u8 keep = b[at];
					/* b's byte above a's, then below: the sign
					 * is that of the first differing byte,
					 * unsigned, whatever follows it. */
					b[at] = (u8)(a[at] + 0x81);
					if (at + 1 < n)
						b[at + 1] = (u8)(a[at + 1] - 1);
					cr_assert_eq(sign(kernel_memcmp(a, b, n)), sign(a[at] - b[at]),
						     "memcmp(+%zu, +%zu, %zu) differing at %zu", ao, bo,
						     n, at);
					if (at + 1 < n)
						b[at + 1] = a[at + 1];
					b[at] = keep;
				}
			}
}

/* The last bytes of a page whose next page is inaccessible: the functions
 * read whole aligned words, which must never reach into that page. */
Test(ulib_string, word_reads_stay_within_the_page)
{
	long page = sysconf(_SC_PAGESIZE);
	u8 *p = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	cr_assert(p != MAP_FAILED);
	cr_assert_eq(mprotect(p + page, page, PROT_NONE), 0);
	u8 *end = p + page;
	static u8 other[MAXLEN + 8];
	for (size_t n = 1; n <= MAXLEN; n++)
		for (size_t oo = 0; oo < 8; oo++) {
			u8 *s = end - n;
			memset(p, 'x', page);
			end[-1] = 0;
			cr_assert_eq(kernel_strlen((char *)s), n - 1);
			memset(other, 'x', sizeof(other));
			other[oo + n - 1] = 0;
			cr_assert_eq(kernel_memcmp(s, other + oo, n), 0);
			cr_assert_eq(kernel_memcmp(other + oo, s, n), 0);
			kernel_memcpy(other + oo, s, n);
			kernel_memmove(s, other + oo, n);
			kernel_memmove(other + oo, s, n);
			/* Overlapping, both ways, ending at the page's end. */
			kernel_memmove(s, s - oo, n);
			kernel_memmove(s - oo, s, n);
			kernel_memset(s, 'y', n);
			cr_assert_eq(s[n - 1], 'y');
		}
	munmap(p, 2 * page);
}
