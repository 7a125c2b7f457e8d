/* Limits the kernel enforces, for programs that size buffers by them.
 * compat/xv6's kernel/param.h (MAXPATH, MAXARG, USERSTACK) and the user
 * library take their values from here, so that they always agree with
 * the kernel. */
#ifndef UAPI_LIMITS_H
#define UAPI_LIMITS_H

#define MNEMO_MAXPATH	 256	   /* bytes in a path argument, its NUL included */
#define MNEMO_NAME_MAX	 255	   /* bytes in one component of a path */
#define MNEMO_MAXARG	 64	   /* argv entries exec accepts */
#define MNEMO_STACK_SIZE (1 << 20) /* bytes of a program's stack, under its top */

#endif
