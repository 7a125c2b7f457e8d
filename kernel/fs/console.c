/* The console device: lines typed on the UART, with echo and a little
 * editing, and output to the UART.
 *
 * Input goes through a ring of CONS_BUF bytes with three indices (free
 * running, taken modulo CONS_BUF):
 *   r  next byte a reader takes
 *   w  end of the committed input readers may take (whole lines)
 *   e  end of the line being edited, which backspace can still erase
 * so r <= w <= e <= r + CONS_BUF. */
#include "include/uapi/errno.h"
#include "include/uapi/signal.h"
#include "include/uapi/stat.h"
#include "kernel/dev/uart.h"
#include "kernel/fs/file.h"
#include "kernel/fs/fs.h"
#include "kernel/fs/ramfs.h"
#include "kernel/lib/printf.h"
#include "kernel/lib/spinlock.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/proc.h"

#define CONS_BUF   256 /* a power of two */
#define CONS_CHUNK 128 /* bytes copied from or to user memory per step */

#define CTRL(c)	  ((c) - '@')
#define CONS_EOF  CTRL('D')
#define CONS_KILL CTRL('U')
#define CONS_DEL  0x7f
#define CONS_INTR CTRL('C')
#define CONS_QUIT CTRL('\\')

static struct {
	struct spinlock lock;
	char buf[CONS_BUF]; /* (lock) */
	u32 r, w, e;	    /* (lock) */
} cons = {.lock = SPINLOCK_INIT("console")};

/* Who signals the foreground process group (set once at boot, by proc,
 * which knows the groups: the console only knows the keys). */
static void (*signal_foreground)(int sig);

void console_on_signal_key(void (*fn)(int sig))
{
	signal_foreground = fn;
}

bool fd_is_console(int fd)
{
	struct file *f = fd_get(fd);
	bool console = f && f->type == FILE_DEVICE && f->ip->major == MNEMO_DEV_CONSOLE;
	if (f)
		file_put(f);
	return console;
}

/* Takes back the last character on the screen. */
static void console_erase(void)
{
	uart_putc_sync('\b');
	uart_putc_sync(' ');
	uart_putc_sync('\b');
}

/* Makes everything typed so far readable and wakes the readers. */
static void console_commit(void)
{
	cons.w = cons.e;
	wakeup(&cons.r);
}

void console_intr(int c)
{
	int sig = 0;
	spin_lock(&cons.lock);
	switch (c) {
	case CONS_INTR:
	case CONS_QUIT:
		/* As a terminal does: the line being typed goes, the key is
		 * echoed, and the foreground group gets its signal. */
		sig = c == CONS_INTR ? SIGINT : SIGQUIT;
		cons.e = cons.w;
		uart_putc_sync('^');
		uart_putc_sync(c + '@');
		uart_putc_sync('\n');
		break;
	case CONS_KILL:
		while (cons.e != cons.w) {
			cons.e--;
			console_erase();
		}
		break;
	case '\b':
	case CONS_DEL:
		if (cons.e != cons.w) {
			cons.e--;
			console_erase();
		}
		break;
	default:
		if (c == 0 || cons.e - cons.r >= CONS_BUF)
			break;
		if (c == '\r')
			c = '\n';
		if (c != CONS_EOF)
			uart_putc_sync(c);
		cons.buf[cons.e++ % CONS_BUF] = c;
		/* A full ring is committed too, or nobody could ever drain it. */
		if (c == '\n' || c == CONS_EOF || cons.e - cons.r == CONS_BUF)
			console_commit();
		break;
	}
	spin_unlock(&cons.lock);
	if (sig && signal_foreground)
		signal_foreground(sig);
}

long console_read(int minor, void __user *dst, size_t n)
{
	char kbuf[CONS_CHUNK];
	size_t got = 0;

	(void)minor;
	spin_lock(&cons.lock);
	while (cons.r == cons.w) {
		if (sleep_killable(&cons.r, &cons.lock) < 0) {
			spin_unlock(&cons.lock);
			return -EINTR;
		}
	}
	/* At most one line per read, as a terminal gives it. */
	while (got < n && got < sizeof(kbuf) && cons.r != cons.w) {
		char c = cons.buf[cons.r % CONS_BUF];

		if (c == CONS_EOF) {
			/* Ends the read with what came before it, which is
			 * nothing (end of file) at the start of a line. */
			cons.r++;
			break;
		}
		cons.r++;
		kbuf[got++] = c;
		if (c == '\n')
			break;
	}
	spin_unlock(&cons.lock);
	if (got && copy_to_user(dst, kbuf, got) < 0)
		return -EFAULT;
	return got;
}

long console_write(int minor, const void __user *src, size_t n)
{
	char kbuf[CONS_CHUNK];
	size_t done = 0;

	(void)minor;
	while (done < n) {
		size_t len = MIN(n - done, sizeof(kbuf));

		if (copy_from_user(kbuf, (const u8 __user *)src + done, len) < 0)
			return done ? (long)done : -EFAULT;
		printk_write(kbuf, len);
		done += len;
	}
	return done;
}

/* The UART is set up already (uart_init() comes first at boot, so that
 * printk works early); from here on kernel messages go the same way as
 * console writes. */
void console_init(void)
{
	printk_putc = uart_putc_sync;
}
