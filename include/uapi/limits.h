/* Limits the kernel enforces, for programs that size buffers by them.
 * compat/xv6's kernel/param.h (MAXPATH, MAXARG, USERSTACK) and the user
 * library take their values from here, so that they always agree with
 * the kernel. */
#ifndef UAPI_LIMITS_H
#define UAPI_LIMITS_H

#define MNEMO_MAXPATH  256 /* bytes in a path argument, its NUL included */
#define MNEMO_NAME_MAX 255 /* bytes in one component of a path */
#define MNEMO_MAXARG   64  /* argv entries exec accepts */
/* A program's stack starts at MNEMO_STACK_INITIAL bytes under its top and
 * grows down on demand to MNEMO_STACK_LIMIT (Linux's default RLIMIT_STACK),
 * a guard page moving along below it. */
#define MNEMO_STACK_INITIAL (128 << 10)
#define MNEMO_STACK_LIMIT   (8 << 20)

#endif
