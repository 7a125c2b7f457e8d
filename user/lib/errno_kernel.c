/* The kernel's error numbers, in the order of errno_list.h. This file sees
 * only the kernel's header, never picolibc's <errno.h>. */
#include "include/uapi/errno.h"

#include "errno_list.h"

#define ERRNO_KERNEL_VALUE(name) name,

const unsigned char errno_kernel_values[ERRNO_COUNT] = {ERRNO_LIST(ERRNO_KERNEL_VALUE)};
