/*
 * __mnemo_thread_start(stack, tls, clear_tid, fn, arg): thread_create,
 * and the new thread's first instructions.
 *
 * The new thread starts as a copy of this one's registers, but with
 * sp = stack, tp = tls and a0 = 0, right after the ecall: it cannot return
 * through this function's frame, which is on the caller's stack. So fn and
 * arg ride in t0 and t1, which the kernel copies like any register, and
 * the new thread calls fn(arg) from here.
 */
#include "include/uapi/syscall.h"

	.text
	.globl __mnemo_thread_start
	.type __mnemo_thread_start, @function
__mnemo_thread_start:
	mv t0, a3
	mv t1, a4
	li a7, SYS_thread_create
	ecall
	beqz a0, 1f
	ret /* the caller: the tid, or -errno */
1:
	/* The new thread: no caller, so a zero frame pointer and return
	 * address end a backtrace here. */
	li s0, 0
	li ra, 0
	mv a0, t1
	jalr t0
	/* fn does not return; should it, the thread ends. */
	li a0, 0
	li a7, SYS_thread_exit
	ecall
	.size __mnemo_thread_start, . - __mnemo_thread_start
