/* xv6's parameters. Where mnemo has a limit of its own that a program can
 * run into, the value is mnemo's (NPROC, NCPU and NOFILE are the kernel's,
 * kernel/proc/proc.h; MAXARG and MAXPATH are what exec and path lookup
 * accept); the rest keep xv6's values, for programs that size arrays with
 * them, and mean nothing to mnemo. */
#ifndef XV6_KERNEL_PARAM_H
#define XV6_KERNEL_PARAM_H

#define NPROC	256 /* process table size */
#define NCPU	8   /* most harts the kernel runs on */
#define NOFILE	64  /* descriptors per process */
#define MAXARG	32  /* argv entries exec accepts */
#define MAXPATH 128 /* bytes in a path, NUL included */

#define NFILE	    100
#define NINODE	    50
#define NDEV	    10
#define ROOTDEV	    1
#define MAXOPBLOCKS 10
#define LOGSIZE	    (MAXOPBLOCKS * 3)
#define NBUF	    (MAXOPBLOCKS * 3)
#define FSSIZE	    2000
#define USERSTACK   1 /* pages */

#endif
