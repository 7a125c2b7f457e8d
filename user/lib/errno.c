/* errno translation: the kernel reports errors with Linux's numbers, but
 * strerror() and perror() and every program compiled against picolibc's
 * <errno.h> expect picolibc's. The two agree up to ERANGE (34) and differ
 * above (ENAMETOOLONG is 36 in one, 91 in the other), so the one place
 * where the library stores into errno translates. */
#include <errno.h>

#include "errno_list.h"
#include "usys.h"

#define ERRNO_LIBC_VALUE(name) name,

static const unsigned char errno_libc_values[ERRNO_COUNT] = {ERRNO_LIST(ERRNO_LIBC_VALUE)};

/* Errors are rare and the list short: a linear search is enough. A number
 * the list does not know is stored unchanged (correct up to 34). */
void usys_set_errno(long kernel_errno)
{
	for (int i = 0; i < ERRNO_COUNT; i++) {
		if (errno_kernel_values[i] == kernel_errno) {
			errno = errno_libc_values[i];
			return;
		}
	}
	errno = (int)kernel_errno;
}
