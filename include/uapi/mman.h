/* mmap() constants, with Linux's values. */
#ifndef UAPI_MMAN_H
#define UAPI_MMAN_H

#define MNEMO_PROT_NONE	 0x0
#define MNEMO_PROT_READ	 0x1
#define MNEMO_PROT_WRITE 0x2
#define MNEMO_PROT_EXEC	 0x4

#define MNEMO_MAP_SHARED	  0x01
#define MNEMO_MAP_PRIVATE	  0x02
#define MNEMO_MAP_FIXED		  0x10
#define MNEMO_MAP_ANONYMOUS	  0x20
#define MNEMO_MAP_FIXED_NOREPLACE 0x100000

/* sbrk(increment, fill) (syscall 12): when the pages of a grown heap are
 * filled. 1 and 2 are xv6's SBRK_EAGER and SBRK_LAZY. */
#define MNEMO_SBRK_PAGER 0 /* as the address space's pager fills an mmap (POSIX sbrk) */
#define MNEMO_SBRK_EAGER 1 /* now, whatever the pager: no memory, no heap (xv6's sbrk) */
#define MNEMO_SBRK_LAZY	 2 /* on first touch, whatever the pager (xv6's sbrklazy) */

#endif
