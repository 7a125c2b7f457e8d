/* xv6's system-call numbers. mnemo keeps xv6's numbering for fork (1)
 * through close (21), so the kernel's own list serves. */
#ifndef XV6_KERNEL_SYSCALL_H
#define XV6_KERNEL_SYSCALL_H

#include "include/uapi/syscall.h"

#endif
