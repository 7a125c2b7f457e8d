/* Making one call: describing it (status slot, --print), trapping into
 * the kernel, and checking the result against the rules that hold for
 * every call. A child goes through here for every system call it makes,
 * and never through the C library, whose errno lives in TLS at the top
 * of the stack, memory the fuzzer itself may unmap. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "fuzz.h"

/* The call being made, as printed: "c1 #17 read(5 pipe-r, ...)". Each
 * process has its own copy (fork copies it). */
static char fz_line[240];

/* The raw trap: a7 = nr, a0..a5, result in a0. Refuses poweroff, which
 * would end the whole run: no generator makes it, so reaching this is a
 * bug of the fuzzer's. */
long fz_trap(long nr, const long *a)
{
	register long a0 __asm__("a0") = a[0];
	register long a1 __asm__("a1") = a[1];
	register long a2 __asm__("a2") = a[2];
	register long a3 __asm__("a3") = a[3];
	register long a4 __asm__("a4") = a[4];
	register long a5 __asm__("a5") = a[5];
	register long a7 __asm__("a7") = nr;

	if (nr == SYS_poweroff)
		return -FZ_ENOSYS;
	__asm__ volatile("ecall"
			 : "+r"(a0)
			 : "r"(a1), "r"(a2), "r"(a3), "r"(a4), "r"(a5), "r"(a7)
			 : "memory");
	return a0;
}

/* Writes one line to the --print channel (raw, so no errno). */
static void fz_log(const char *text)
{
	char buf[300];
	int n = snprintf(buf, sizeof(buf), "%s\n", text);
	long a[6] = {FZ_LOG_FD, (long)buf, n < (int)sizeof(buf) ? n : (int)sizeof(buf) - 1};

	fz_trap(SYS_write, a);
}

void fz_call_init(struct fz_call *c, const char *name, long nr)
{
	memset(c, 0, sizeof(*c));
	c->name = name;
	c->nr = nr;
}

/* "c1" for child 1, "c1.g0" for its first grandchild. */
static int fz_who(const struct fz_proc *p, char *buf, size_t size)
{
	if (p->slot < FZ_MAX_CHILDREN)
		return snprintf(buf, size, "c%d", p->child);
	return snprintf(buf, size, "c%d.g%d", p->child, (p->slot - FZ_MAX_CHILDREN) % FZ_MAX_KIDS);
}

/* Formats one argument: a number (hex when large) and its note; a note
 * in quotes (a path) stands for the number. */
static int fz_format_arg(char *buf, size_t size, long v, const char *note)
{
	if (note[0] == '"')
		return snprintf(buf, size, "%s", note);
	const char *sep = note[0] ? " " : "";
	if (v > -100000 && v < 100000)
		return snprintf(buf, size, "%ld%s%s", v, sep, note);
	return snprintf(buf, size, "0x%lx%s%s", (unsigned long)v, sep, note);
}

/* Fills fz_line with the call. */
static void fz_describe(const struct fz_proc *p, const struct fz_call *c)
{
	size_t n = fz_who(p, fz_line, sizeof(fz_line));

	n += snprintf(fz_line + n, sizeof(fz_line) - n, " #%d %s(", p->ncalls, c->name);
	for (int i = 0; i < c->nargs && n < sizeof(fz_line); i++) {
		if (i > 0)
			n += snprintf(fz_line + n, sizeof(fz_line) - n, ", ");
		if (n < sizeof(fz_line))
			n += fz_format_arg(fz_line + n, sizeof(fz_line) - n, c->arg[i], c->note[i]);
	}
	if (n < sizeof(fz_line))
		snprintf(fz_line + n, sizeof(fz_line) - n, ")");
}

void fz_broken(struct fz_proc *p, const char *fmt, ...)
{
	struct fz_slot *s = &p->status->slot[p->slot];
	char why[80];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	/* The call is cut rather than the reason, which is what is read. */
	if (s->broken++ == 0)
		snprintf(s->why, sizeof(s->why), "%.150s: %s", fz_line, why);
	if (p->opts->print) {
		char line[300];
		snprintf(line, sizeof(line), "  rule broken: %s", why);
		fz_log(line);
	}
}

void fz_print_note(struct fz_proc *p, const char *fmt, ...)
{
	char line[300];
	va_list ap;

	if (!p->opts->print)
		return;
	line[0] = line[1] = ' ';
	va_start(ap, fmt);
	vsnprintf(line + 2, sizeof(line) - 2, fmt, ap);
	va_end(ap);
	fz_log(line);
}

/* The rules every call keeps: the result it was told to expect, no
 * success where failure is certain, and a negative result is one of the
 * kernel's error numbers (a result below -4095 is none, either). */
static void fz_check(struct fz_proc *p, const struct fz_call *c, long ret)
{
	if (c->expect && ret != c->expect)
		fz_broken(p, "returned %ld, expected %ld (%s)", ret, c->expect,
			  fz_errname(c->expect));
	else if (c->must_fail && ret >= 0)
		fz_broken(p, "returned 0x%lx, but it must fail", (unsigned long)ret);
	else if (ret < 0 && !fz_errname(ret))
		fz_broken(p, "returned %ld, which is no error number", ret);
}

/* Prints the result line of --print. */
static void fz_log_result(const struct fz_proc *p, const struct fz_call *c, long ret)
{
	char line[120], who[16];
	const char *name = fz_errname(ret);

	fz_who(p, who, sizeof(who));
	if (name)
		snprintf(line, sizeof(line), "%s #%d = %ld %s", who, p->ncalls, ret, name);
	else if (c->address || ret >= 100000 || ret <= -100000)
		snprintf(line, sizeof(line), "%s #%d = 0x%lx", who, p->ncalls, (unsigned long)ret);
	else
		snprintf(line, sizeof(line), "%s #%d = %ld", who, p->ncalls, ret);
	fz_log(line);
}

long fz_do(struct fz_proc *p, struct fz_call *c)
{
	struct fz_slot *s = &p->status->slot[p->slot];

	p->ncalls++;
	fz_describe(p, c);
	memcpy(s->last, fz_line, sizeof(s->last));
	s->calls = p->ncalls;
	if (p->opts->print)
		fz_log(fz_line);
	if (c->nr == SYS_poweroff)
		fz_broken(p, "fuzzer bug: the table made poweroff");
	long ret = fz_trap(c->nr, c->arg);
	fz_check(p, c, ret);
	if (p->opts->print)
		fz_log_result(p, c, ret);
	return ret;
}

long fz_sub(struct fz_proc *p, const char *name, long nr, int nargs, ...)
{
	struct fz_call c;
	va_list ap;

	fz_call_init(&c, name, nr);
	c.nargs = nargs;
	va_start(ap, nargs);
	for (int i = 0; i < nargs; i++)
		c.arg[i] = va_arg(ap, long);
	va_end(ap);
	return fz_do(p, &c);
}

void fz_step(struct fz_proc *p)
{
	const struct fz_entry *e = fz_pick_entry(p);
	struct fz_call c;

	if (!e) {
		p->ncalls = p->limit; /* everything is skipped */
		return;
	}
	fz_call_init(&c, e->name, 0);
	c.entry = e;
	e->gen(p, &c);
	long ret = fz_do(p, &c);
	if (e->after)
		e->after(p, &c, ret);
}
