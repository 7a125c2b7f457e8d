/* Private to the user library: how a wrapper reaches the kernel.
 *
 * usys_call() traps with `ecall': a7 = number, a0..a5 = arguments, and the
 * kernel answers in a0 with a result or with -errno (Linux's numbers).
 * usys_result() turns the latter into POSIX's "-1 and errno", translating
 * the number into picolibc's, so each wrapper is one line:
 *
 *	return usys_result(usys_call(SYS_close, fd, 0, 0, 0, 0, 0));
 */
#ifndef USER_LIB_USYS_H
#define USER_LIB_USYS_H

#include "include/uapi/syscall.h"

static inline long usys_call(long nr, long arg0, long arg1, long arg2, long arg3, long arg4,
			     long arg5)
{
	register long a0 __asm__("a0") = arg0;
	register long a1 __asm__("a1") = arg1;
	register long a2 __asm__("a2") = arg2;
	register long a3 __asm__("a3") = arg3;
	register long a4 __asm__("a4") = arg4;
	register long a5 __asm__("a5") = arg5;
	register long a7 __asm__("a7") = nr;

	/* "memory": the kernel reads and writes user buffers. */
	__asm__ volatile("ecall"
			 : "+r"(a0)
			 : "r"(a1), "r"(a2), "r"(a3), "r"(a4), "r"(a5), "r"(a7)
			 : "memory");
	return a0;
}

/* Shorthands for the common argument counts; unused registers get 0. */
#define usys_call0(nr)		usys_call((nr), 0, 0, 0, 0, 0, 0)
#define usys_call1(nr, a)	usys_call((nr), (long)(a), 0, 0, 0, 0, 0)
#define usys_call2(nr, a, b)	usys_call((nr), (long)(a), (long)(b), 0, 0, 0, 0)
#define usys_call3(nr, a, b, c) usys_call((nr), (long)(a), (long)(b), (long)(c), 0, 0, 0)

/* True when a kernel result is an error: -4095..-1, as Linux, so that
 * results that are addresses (mmap, sbrk) can never be mistaken for one. */
static inline int usys_is_error(long ret)
{
	return (unsigned long)ret >= (unsigned long)-4095;
}

/* Sets errno from a kernel error number (Linux's), translated to picolibc's. */
void usys_set_errno(long kernel_errno);

/* ret itself, or -1 with errno set when ret is an error. */
static inline long usys_result(long ret)
{
	if (usys_is_error(ret)) {
		usys_set_errno(-ret);
		return -1;
	}
	return ret;
}

#endif
