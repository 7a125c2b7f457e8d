/* xv6's parameters. Where mnemo has a limit of its own that a program can
 * run into, the value is mnemo's: NPROC, NCPU and NOFILE are the kernel's
 * (kernel/proc/proc.h); MAXPATH, MAXARG and USERSTACK come from
 * include/uapi/limits.h, so that a program that probes them (xv6's
 * usertests builds a path of MAXPATH bytes, which must be refused, and
 * reads USERSTACK pages under its stack pointer, which must fault) meets
 * the kernel's own limits. The rest keep xv6's values, for programs that
 * size arrays with them, and mean nothing to mnemo. */
#ifndef XV6_KERNEL_PARAM_H
#define XV6_KERNEL_PARAM_H

#include "include/uapi/limits.h"

#define NPROC	  256			     /* process table size */
#define NCPU	  8			     /* most harts the kernel runs on */
#define NOFILE	  64			     /* descriptors per process */
#define MAXARG	  MNEMO_MAXARG		     /* argv entries exec accepts */
#define MAXPATH	  MNEMO_MAXPATH		     /* bytes in a path, NUL included */
#define USERSTACK (MNEMO_STACK_LIMIT / 4096) /* pages the stack may grow to */

#define NFILE	    100
#define NINODE	    50
#define NDEV	    10
#define ROOTDEV	    1
#define MAXOPBLOCKS 10
#define LOGSIZE	    (MAXOPBLOCKS * 3)
#define NBUF	    (MAXOPBLOCKS * 3)
#define FSSIZE	    2000

#endif
