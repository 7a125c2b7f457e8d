/* The only way the kernel touches user memory. Each helper checks the
 * range against the current address space (access_ok), then copies with
 * sstatus.SUM set; a page fault during the copy is resolved by the pager
 * (lazy pages, copy-on-write) or turns into -EFAULT through the fixup
 * table. None of them ever panics because of a bad user pointer. */
#ifndef KERNEL_MM_UACCESS_H
#define KERNEL_MM_UACCESS_H

#include "kernel/types.h"

/* 0 on success, -EFAULT if any byte is not accessible. A zero-length
 * copy still checks that the start address is a user address. */
int copy_to_user(void __user *dst, const void *src, size_t n);
int copy_from_user(void *dst, const void __user *src, size_t n);

/* Copies a NUL-terminated string of at most size-1 characters. Returns
 * its length, -EFAULT, or -ENAMETOOLONG when no NUL is found in size
 * bytes. */
long strncpy_from_user(char *dst, const char __user *src, size_t size);

/* Stores or loads one 64-bit word; 0 or -EFAULT. */
int put_user_u64(u64 __user *dst, u64 val);
int get_user_u64(u64 *dst, const u64 __user *src);

#endif
