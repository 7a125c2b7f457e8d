/* copy_to_user and friends: check with access_ok, then copy inside the
 * user-access window. All of them share uaccess_copy, whose faults the
 * trap handler resolves through the pager or turns into -EFAULT. */
#include "kernel/mm/uaccess.h"
#include "include/uapi/errno.h"
#include "kernel/mm/mm.h"

/* The one checked copy both directions use: uaddr is the user side. */
static __always_inline int checked_copy(void *dst, const void *src, size_t n, u64 uaddr, bool write)
{
	if (!mm_access_ok(mm_current(), uaddr, n, write))
		return -EFAULT;
	if (n == 0)
		return 0;
	mm_user_access_begin();
	long r = uaccess_copy(dst, src, n);
	mm_user_access_end();
	return (int)r;
}

__always_inline int copy_to_user(void __user *dst, const void *src, size_t n)
{
	return checked_copy(dst, src, n, (u64)dst, /*write=*/true);
}

__always_inline int copy_from_user(void *dst, const void __user *src, size_t n)
{
	return checked_copy(dst, src, n, (u64)src, /*write=*/false);
}

long strncpy_from_user(char *dst, const char __user *src, size_t size)
{
	struct mm *mm = mm_current();
	u64 addr = (u64)src;
	/* The string may end before an unmapped page: copy page by page, so
	 * only pages the string really uses have to be readable. */
	size_t done = 0;
	while (done < size) {
		u64 chunk = MIN(size - done, PAGE_SIZE - ((addr + done) & (PAGE_SIZE - 1)));
		if (!mm_access_ok(mm, addr + done, chunk, /*write=*/false))
			return -EFAULT;
		mm_user_access_begin();
		long r = uaccess_strncpy(dst + done, (const char *)(addr + done), chunk);
		mm_user_access_end();
		if (r >= 0)
			return (long)done + r;
		if (r != -ENAMETOOLONG)
			return r;
		done += chunk;
	}
	return -ENAMETOOLONG;
}

int put_user_u64(u64 __user *dst, u64 val)
{
	return copy_to_user(dst, &val, sizeof(val));
}
int get_user_u64(u64 *dst, const u64 __user *src)
{
	return copy_from_user(dst, src, sizeof(*dst));
}
