/* The restorer: where every signal handler returns (sigaction puts its
 * address in the frame's ra). The kernel finds the frame at sp and
 * resumes what the signal interrupted; the call never returns here. */
#include "include/uapi/syscall.h"

	.text
	.globl __mnemo_sigreturn
	.type __mnemo_sigreturn, @function
__mnemo_sigreturn:
	li a7, SYS_sigreturn
	ecall
	unimp
	.size __mnemo_sigreturn, . - __mnemo_sigreturn
