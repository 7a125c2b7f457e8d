/* Kernel console output. */
#ifndef KERNEL_LIB_PRINTF_H
#define KERNEL_LIB_PRINTF_H

#include <stdarg.h>

#include "kernel/types.h"

/* printf with %d %i %u %x %p %s %c %%, the l/ll/z length modifiers, and a
 * width with optional 0 or - flag. Serialised across harts. */
int printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vsnprintk(char *buf, size_t size, const char *fmt, va_list ap);
int snprintk(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Writes n bytes to the console as one piece (the console device's output
 * goes through here too, so lines never mix). */
void printk_write(const char *buf, size_t n);

/* From now on printk takes no lock: for panic, which may interrupt a
 * printk on its own hart or find the lock held by a hart that is stuck. */
void printk_panic_mode(void);

/* Sink for console characters; set by the console driver at boot. */
extern void (*printk_putc)(int c);

#endif
