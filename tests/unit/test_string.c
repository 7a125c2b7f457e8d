/* Specification of kernel/lib/string.c, with the host's C library as the
 * oracle. The Makefile renames the kernel's functions to kernel_NAME
 * (test_string_RENAME), so both sets live in one program; the kernel's
 * header is included with the same renaming so that its prototypes are
 * the ones checked. */
#include <criterion/criterion.h>
#include <string.h>

#define memset	kernel_memset
#define memcpy	kernel_memcpy
#define memmove kernel_memmove
#define memcmp	kernel_memcmp
#define strlen	kernel_strlen
#define strnlen kernel_strnlen
#define strcmp	kernel_strcmp
#define strncmp kernel_strncmp
#define strlcpy kernel_strlcpy
#define strchr	kernel_strchr
#include "kernel/lib/string.h"
#undef memset
#undef memcpy
#undef memmove
#undef memcmp
#undef strlen
#undef strnlen
#undef strcmp
#undef strncmp
#undef strlcpy
#undef strchr

static int sign(int x)
{
	return (x > 0) - (x < 0);
}

/* A buffer with guard bytes on both sides; every test works in the
 * middle, at each alignment, and checks that the guards survive. */
enum { AREA = 96, GUARD = 16, MAXLEN = 64 };
static u8 area[GUARD + AREA + GUARD] __attribute__((aligned(16)));

static void fill_pattern(u8 *p, size_t n, u8 seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (u8)(seed + i * 7);
}

static void check_guards(const char *what, size_t off, size_t len)
{
	for (size_t i = 0; i < GUARD; i++) {
		cr_assert_eq(area[i], 0xee, "%s(off %zu, len %zu) wrote below the buffer", what,
			     off, len);
		cr_assert_eq(area[GUARD + AREA + i], 0xee,
			     "%s(off %zu, len %zu) wrote past the end", what, off, len);
	}
}

Test(string, memset_fills_exactly_n_bytes_at_every_alignment)
{
	u8 expect[AREA];

	for (size_t off = 0; off < 9; off++) {
		for (size_t len = 0; len <= MAXLEN; len++) {
			memset(area, 0xee, sizeof(area));
			memset(expect, 0xee, sizeof(expect));
			memset(expect + off, 0x3c, len);
			void *dst = area + GUARD + off;
			cr_assert_eq(kernel_memset(dst, 0x3c, len), dst);
			cr_assert_arr_eq(area + GUARD, expect, AREA, "off %zu len %zu", off, len);
			check_guards("memset", off, len);
		}
	}
}

Test(string, memset_uses_only_the_low_byte_of_c)
{
	u8 buf[16];

	kernel_memset(buf, 0x1a5, sizeof(buf));
	for (size_t i = 0; i < sizeof(buf); i++)
		cr_assert_eq(buf[i], 0xa5);
	kernel_memset(buf, -1, 8);
	cr_assert_eq(buf[7], 0xff);
}

/* Aligned copies longer than the 64-byte rounds: whole rounds, then
 * words, then bytes; and a whole page. */
Test(string, memcpy_copies_long_aligned_runs_and_a_page)
{
	static u64 src[600], dst[600];
	u8 *s = (u8 *)src, *d = (u8 *)dst;

	for (size_t i = 0; i < sizeof(src); i++)
		s[i] = (u8)(i * 13 + 5);
	for (size_t len = 64; len <= 300; len++) {
		memset(dst, 0xee, sizeof(dst));
		cr_assert_eq(kernel_memcpy(d + 8, s + 16, len), d + 8);
		cr_assert_arr_eq(d + 8, s + 16, len, "len %zu", len);
		cr_assert_eq(d[7], 0xee);
		cr_assert_eq(d[8 + len], 0xee, "len %zu wrote past the end", len);
	}
	memset(dst, 0xee, sizeof(dst));
	kernel_memcpy(dst, src, 4096);
	cr_assert_arr_eq(d, s, 4096);
	cr_assert_eq(d[4096], 0xee);
}

Test(string, memcpy_copies_exactly_n_bytes_at_every_alignment)
{
	u8 src[AREA] __attribute__((aligned(16)));
	u8 expect[AREA];

	fill_pattern(src, sizeof(src), 1);
	for (size_t soff = 0; soff < 9; soff++) {
		for (size_t doff = 0; doff < 9; doff++) {
			for (size_t len = 0; len <= MAXLEN; len++) {
				memset(area, 0xee, sizeof(area));
				memset(expect, 0xee, sizeof(expect));
				memcpy(expect + doff, src + soff, len);
				void *dst = area + GUARD + doff;
				cr_assert_eq(kernel_memcpy(dst, src + soff, len), dst);
				cr_assert_arr_eq(area + GUARD, expect, AREA,
						 "src off %zu dst off %zu len %zu", soff, doff,
						 len);
				check_guards("memcpy", doff, len);
			}
		}
	}
}

/* Overlap in both directions: the result must be as if copied through a
 * temporary buffer. */
Test(string, memmove_handles_overlap_both_ways)
{
	u8 expect[AREA], init[AREA];

	fill_pattern(init, sizeof(init), 3);
	for (size_t soff = 0; soff < 24; soff++) {
		for (size_t doff = 0; doff < 24; doff++) {
			for (size_t len = 0; len <= MAXLEN; len += 3) {
				memset(area, 0xee, sizeof(area));
				memcpy(area + GUARD, init, AREA);
				memcpy(expect, init, AREA);
				memmove(expect + doff, expect + soff, len);
				void *dst = area + GUARD + doff;
				cr_assert_eq(kernel_memmove(dst, area + GUARD + soff, len), dst);
				cr_assert_arr_eq(area + GUARD, expect, AREA,
						 "src off %zu dst off %zu len %zu", soff, doff,
						 len);
				check_guards("memmove", doff, len);
			}
		}
	}
}

Test(string, memcmp_orders_bytes_as_unsigned)
{
	static const u8 a[] = {1, 2, 3, 0x80, 5};
	static const u8 b[] = {1, 2, 3, 0x01, 5};

	cr_assert_eq(kernel_memcmp(a, b, 3), 0);
	cr_assert_eq(kernel_memcmp(a, b, 0), 0);
	cr_assert_gt(kernel_memcmp(a, b, 5), 0, "0x80 sorts after 0x01");
	cr_assert_lt(kernel_memcmp(b, a, 5), 0);
	for (size_t n = 0; n <= sizeof(a); n++)
		cr_assert_eq(sign(kernel_memcmp(a, b, n)), sign(memcmp(a, b, n)), "n %zu", n);
}

Test(string, strlen_and_strnlen)
{
	cr_assert_eq(kernel_strlen(""), 0);
	cr_assert_eq(kernel_strlen("mnemo"), 5);
	cr_assert_eq(kernel_strnlen("mnemo", 3), 3, "stops at max");
	cr_assert_eq(kernel_strnlen("mnemo", 5), 5);
	cr_assert_eq(kernel_strnlen("mnemo", 100), 5, "stops at the NUL");
	cr_assert_eq(kernel_strnlen("mnemo", 0), 0);
	/* strnlen must not read past max: an unterminated array of 4 */
	static const char four[4] = {'a', 'b', 'c', 'd'};
	cr_assert_eq(kernel_strnlen(four, sizeof(four)), 4);
}

Test(string, strcmp_and_strncmp_agree_with_libc_in_sign)
{
	static const char *const s[] = {"", "a", "ab", "abc", "abd", "b", "\x80", "\x01", "ab\x80"};

	for (size_t i = 0; i < ARRAY_SIZE(s); i++) {
		for (size_t j = 0; j < ARRAY_SIZE(s); j++) {
			cr_assert_eq(sign(kernel_strcmp(s[i], s[j])), sign(strcmp(s[i], s[j])),
				     "strcmp(\"%s\", \"%s\")", s[i], s[j]);
			for (size_t n = 0; n < 5; n++)
				cr_assert_eq(sign(kernel_strncmp(s[i], s[j], n)),
					     sign(strncmp(s[i], s[j], n)),
					     "strncmp(\"%s\", \"%s\", %zu)", s[i], s[j], n);
		}
	}
}

Test(string, strlcpy_truncates_and_always_terminates)
{
	char buf[8];

	memset(buf, 'X', sizeof(buf));
	cr_assert_eq(kernel_strlcpy(buf, "hello", sizeof(buf)), 5);
	cr_assert_str_eq(buf, "hello");

	memset(buf, 'X', sizeof(buf));
	cr_assert_eq(kernel_strlcpy(buf, "a longer string", sizeof(buf)), 15,
		     "returns the length it tried to create");
	cr_assert_str_eq(buf, "a longe");

	memset(buf, 'X', sizeof(buf));
	cr_assert_eq(kernel_strlcpy(buf, "abc", 1), 3);
	cr_assert_eq(buf[0], '\0');
	cr_assert_eq(buf[1], 'X', "wrote past size");

	memset(buf, 'X', sizeof(buf));
	cr_assert_eq(kernel_strlcpy(buf, "abc", 0), 3);
	cr_assert_eq(buf[0], 'X', "size 0 must not write");

	memset(buf, 'X', sizeof(buf));
	cr_assert_eq(kernel_strlcpy(buf, "1234567", sizeof(buf)), 7, "exactly fits");
	cr_assert_str_eq(buf, "1234567");
}

Test(string, strchr_finds_the_first_match_or_the_terminator)
{
	const char *s = "banana";

	cr_assert_eq(kernel_strchr(s, 'a'), s + 1);
	cr_assert_eq(kernel_strchr(s, 'b'), s);
	cr_assert_null(kernel_strchr(s, 'z'));
	cr_assert_eq(kernel_strchr(s, '\0'), s + 6, "c == 0 finds the terminator");
	cr_assert_eq(kernel_strchr(s, 'n' + 256), s + 2, "c is converted to char");
	cr_assert_null(kernel_strchr("", 'a'));
}
