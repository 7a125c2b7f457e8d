/* How xv6's sys_sbrk(n, how) fills the pages it adds (user/user.h): the
 * kernel's own values (include/uapi/mman.h), which are xv6's. */
#ifndef XV6_KERNEL_VM_H
#define XV6_KERNEL_VM_H

#include "include/uapi/mman.h"

#define SBRK_EAGER MNEMO_SBRK_EAGER /* now: no memory, no heap */
#define SBRK_LAZY  MNEMO_SBRK_LAZY  /* on first touch */

#endif
