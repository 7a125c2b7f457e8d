/* Specification of kernel/lib/printf.c: vsnprintk against the host's
 * vsnprintf for everything the kernel's printf promises, truncation into
 * small buffers, and printk's output through printk_putc. */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "kernel/lib/printf.h"
#include "kernel/lib/spinlock.h"

/* printf.c's printk takes a spinlock; on the host a counter stands in, to
 * check that every lock is released. */
static int lock_depth;
void spin_lock(struct spinlock *lk)
{
	(void)lk;
	lock_depth++;
}
void spin_unlock(struct spinlock *lk)
{
	(void)lk;
	lock_depth--;
}

/* Formats with both vsnprintk and the host's vsnprintf and asserts the
 * same text and the same return value. */
static void __attribute__((format(printf, 1, 2))) same_as_libc(const char *fmt, ...)
{
	char got[256], want[256];
	va_list ap, ap2;

	va_start(ap, fmt);
	va_copy(ap2, ap);
	int n = vsnprintk(got, sizeof(got), fmt, ap);
	int m = vsnprintf(want, sizeof(want), fmt, ap2);
	va_end(ap2);
	va_end(ap);
	cr_assert_str_eq(got, want, "format \"%s\"", fmt);
	cr_assert_eq(n, m, "format \"%s\": returned %d, not %d", fmt, n, m);
}

Test(printf, plain_text_and_percent)
{
	same_as_libc("%s", "");
	same_as_libc("hello, world\n");
	same_as_libc("100%%");
	same_as_libc("%%d is not a number: %%%d", 5);
}

Test(printf, signed_decimal)
{
	same_as_libc("%d %d %d", 0, 42, -42);
	same_as_libc("%d %d", INT_MAX, INT_MIN);
	same_as_libc("%i", -7);
	same_as_libc("%ld %ld", LONG_MAX, LONG_MIN);
	same_as_libc("%lld", LLONG_MIN);
	same_as_libc("%zd", (ssize_t)-3);
}

Test(printf, unsigned_and_hex)
{
	same_as_libc("%u %u", 0u, UINT_MAX);
	same_as_libc("%x %x %x", 0u, 0xdeadbeefu, UINT_MAX);
	same_as_libc("%x", -1); /* an int read as unsigned */
	same_as_libc("%lx %lx", 0UL, ULONG_MAX);
	same_as_libc("%lu %llu", ULONG_MAX, 1ULL << 63);
	same_as_libc("%zu %zx", (size_t)4096, (size_t)0xffffffc000000000);
}

Test(printf, pointers_are_0x_and_lowercase_hex)
{
	char got[64], want[64];
	int x;
	void *ptrs[] = {&x, (void *)0xffffffc080200000, (void *)0x1000};

	for (size_t i = 0; i < ARRAY_SIZE(ptrs); i++) {
		int n = snprintk(got, sizeof(got), "%p", ptrs[i]);
		snprintf(want, sizeof(want), "0x%lx", (unsigned long)ptrs[i]);
		cr_assert_str_eq(got, want);
		cr_assert_eq(n, (int)strlen(want));
	}
}

Test(printf, strings_and_chars)
{
	same_as_libc("%s|%s", "mnemo", "");
	same_as_libc("%c%c%c", 'o', 'k', '!');
	same_as_libc("[%s] pid %d (%s)", "ok", 7, "init");
}

Test(printf, null_string_prints_null)
{
	char buf[32];
	const char *volatile nothing = NULL; /* hidden from -Wformat */

	cr_assert_eq(snprintk(buf, sizeof(buf), "<%s>", nothing), 8);
	cr_assert_str_eq(buf, "<(null)>");
}

Test(printf, widths_pad_on_the_left_by_default)
{
	same_as_libc("[%5d] [%5d] [%5u] [%8x]", 42, -42, 7u, 0xbeefu);
	same_as_libc("[%10s] [%3c]", "right", 'c');
	same_as_libc("[%16lx]", 0x80200000UL);
	same_as_libc("[%2d] [%1s]", 12345, "longer than the width");
}

Test(printf, zero_flag_pads_numbers_with_zeros)
{
	same_as_libc("[%05d] [%05d] [%05u]", 42, -42, 42u);
	same_as_libc("[%08x] [%016lx]", 0xbeefu, 0x1000UL);
	same_as_libc("[%03d]", 12345);
	same_as_libc("[%05d]", 0);
	same_as_libc("[%04d] [%012d] [%020ld]", -42, INT_MIN, LONG_MIN);
}

Test(printf, minus_flag_pads_on_the_right)
{
	same_as_libc("[%-5d] [%-5d] [%-8x]", 42, -42, 0xbeefu);
	same_as_libc("[%-10s] [%-3c]", "left", 'c');
	same_as_libc("[%-16lx]", 0x80200000UL);
}

Test(printf, minus_flag_beats_zero_flag)
{
	char got[32];

	/* C: "If the 0 and - flags both appear, the 0 flag is ignored."
	 * (-Wformat warns about writing that, so no libc comparison.) */
	const char *volatile fmt = "[%-05d] [%0-5d]";
	snprintk(got, sizeof(got), fmt, 42, -42);
	cr_assert_str_eq(got, "[42   ] [-42  ]");
}

/* Truncation: for every buffer size from 0 up, the return value is the
 * full length, the buffer holds the longest prefix that fits, always
 * NUL-terminated, and nothing past size is touched. */
Test(printf, truncation_always_terminates_and_reports_full_length)
{
	const char *full = "pid -12345: [beef] hello";
	int len = (int)strlen(full);
	char buf[64];

	for (int size = 1; size < len + 4; size++) {
		memset(buf, 'X', sizeof(buf));
		int n = snprintk(buf, (size_t)size, "pid %d: [%x] %s", -12345, 0xbeefu, "hello");
		int kept = MIN(len, size - 1);

		cr_assert_eq(n, len, "size %d: returned %d", size, n);
		cr_assert_eq(memcmp(buf, full, (size_t)kept), 0, "size %d: wrong prefix", size);
		cr_assert_eq(buf[kept], '\0', "size %d: not terminated", size);
		for (int i = size; i < (int)sizeof(buf); i++)
			cr_assert_eq(buf[i], 'X', "size %d: wrote byte %d", size, i);
	}
}

Test(printf, size_zero_writes_nothing_and_returns_the_length)
{
	char buf[4] = {'X', 'X', 'X', 'X'};

	cr_assert_eq(snprintk(buf, 0, "%d-%s", 123, "abc"), 7);
	cr_assert_eq(buf[0], 'X');
	cr_assert_eq(snprintk(NULL, 0, "%lx", 0xffffUL), 4, "NULL buffer with size 0");
}

Test(printf, padding_is_truncated_too)
{
	char buf[6];

	cr_assert_eq(snprintk(buf, sizeof(buf), "%10d", 7), 10);
	cr_assert_str_eq(buf, "     ");
	cr_assert_eq(snprintk(buf, sizeof(buf), "%-10s|", "ab"), 11);
	cr_assert_str_eq(buf, "ab   ");
}

/* printk: everything goes through printk_putc, '\n' becomes "\r\n" for the
 * serial console, and the lock is released. */
static char console[512];
static size_t console_len;
static void capture_putc(int c)
{
	if (console_len < sizeof(console) - 1)
		console[console_len++] = (char)c;
}

Test(printf, printk_writes_through_putc_with_crlf)
{
	printk_putc = capture_putc;
	int n = printk("pid %d: %s\nnext line\n", 3, "ok");

	cr_assert_str_eq(console, "pid 3: ok\r\nnext line\r\n");
	cr_assert_eq(n, 20, "returns the formatted length, without the added CRs");
	cr_assert_eq(lock_depth, 0, "printk left its lock held");
}
