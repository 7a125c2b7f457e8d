/* Formatted output for the kernel: one formatter (vsnprintk) that writes
 * into a buffer, and printk on top of it. */
#include "kernel/lib/printf.h"
#include "kernel/lib/spinlock.h"
#include "kernel/lib/string.h"

struct outbuf {
	char *buf;
	size_t size; /* capacity, including the NUL */
	size_t len;  /* characters produced so far, even past size */
};

static void out_char(struct outbuf *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void out_padded(struct outbuf *o, const char *s, size_t n, int width, bool left, char pad)
{
	int fill = width > (int)n ? width - (int)n : 0;
	if (!left)
		while (fill-- > 0)
			out_char(o, pad);
	for (size_t i = 0; i < n; i++)
		out_char(o, s[i]);
	if (left)
		while (fill-- > 0)
			out_char(o, ' ');
}

static void out_number(struct outbuf *o, u64 v, bool negative, unsigned base, int width, bool left,
		       char pad)
{
	char tmp[24];
	int n = 0;
	do {
		tmp[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	if (negative) {
		if (pad == '0') {
			out_char(o, '-');
			width--;
		} else {
			tmp[n++] = '-';
		}
	}
	char digits[24];
	for (int i = 0; i < n; i++)
		digits[i] = tmp[n - 1 - i];
	out_padded(o, digits, n, width, left, pad);
}

int vsnprintk(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct outbuf o = {buf, size, 0};
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			out_char(&o, *fmt);
			continue;
		}
		fmt++;
		bool left = false;
		char pad = ' ';
		for (;; fmt++) {
			if (*fmt == '-')
				left = true;
			else if (*fmt == '0')
				pad = '0';
			else
				break;
		}
		int width = 0;
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		int longs = 0;
		while (*fmt == 'l' || *fmt == 'z') {
			longs += *fmt == 'z' ? 2 : 1;
			fmt++;
		}
		switch (*fmt) {
		case 'd':
		case 'i': {
			s64 v = longs ? va_arg(ap, s64) : va_arg(ap, int);
			out_number(&o, v < 0 ? -(u64)v : (u64)v, v < 0, 10, width, left, pad);
			break;
		}
		case 'u':
		case 'x': {
			u64 v = longs ? va_arg(ap, u64) : va_arg(ap, unsigned);
			out_number(&o, v, false, *fmt == 'u' ? 10 : 16, width, left, pad);
			break;
		}
		case 'p':
			out_padded(&o, "0x", 2, 0, false, ' ');
			out_number(&o, (u64)va_arg(ap, void *), false, 16, width, left, pad);
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);
			if (!s)
				s = "(null)";
			out_padded(&o, s, strlen(s), width, left, ' ');
			break;
		}
		case 'c': {
			char c = (char)va_arg(ap, int);
			out_padded(&o, &c, 1, width, left, ' ');
			break;
		}
		case '%':
			out_char(&o, '%');
			break;
		case 0:
			fmt--;
			break;
		default:
			out_char(&o, '%');
			out_char(&o, *fmt);
			break;
		}
	}
	if (size)
		buf[o.len < size ? o.len : size - 1] = 0;
	return (int)o.len;
}

int snprintk(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintk(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

void (*printk_putc)(int c);
static struct spinlock printk_lock = SPINLOCK_INIT("printk");
static bool printk_lockless; /* set once, by a panic */

void printk_panic_mode(void)
{
	__atomic_store_n(&printk_lockless, true, __ATOMIC_SEQ_CST);
}

void printk_write(const char *buf, size_t n)
{
	/* One lock for the whole chunk, so that kernel messages and
	 * programs' output never mix within a line; but a panic may come
	 * with the lock held (by this hart, inside printk, or by a hart
	 * that will never let it go), and must still be heard. Newlines
	 * become CR LF, as a terminal in raw mode needs. */
	bool locked = !__atomic_load_n(&printk_lockless, __ATOMIC_ACQUIRE);
	if (locked)
		spin_lock(&printk_lock);
	for (size_t i = 0; i < n; i++) {
		if (buf[i] == '\n')
			printk_putc('\r');
		printk_putc(buf[i]);
	}
	if (locked)
		spin_unlock(&printk_lock);
}

int printk(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintk(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	printk_write(buf, strlen(buf));
	return n;
}
