/* The kernel's error numbers by name (include/uapi/errno.h), for printing
 * results and for the rule that a negative result is one of them. This
 * file alone includes the kernel's errno.h: picolibc's numbers differ. */
#include "include/uapi/errno.h"

#include "fuzz.h"

#define FZ_E(name) [name] = #name

static const char *const fz_errnames[] = {
    FZ_E(EPERM),   FZ_E(ENOENT),  FZ_E(ESRCH),	      FZ_E(EINTR),  FZ_E(EIO),	     FZ_E(ENXIO),
    FZ_E(E2BIG),   FZ_E(ENOEXEC), FZ_E(EBADF),	      FZ_E(ECHILD), FZ_E(EAGAIN),    FZ_E(ENOMEM),
    FZ_E(EACCES),  FZ_E(EFAULT),  FZ_E(EBUSY),	      FZ_E(EEXIST), FZ_E(EXDEV),     FZ_E(ENODEV),
    FZ_E(ENOTDIR), FZ_E(EISDIR),  FZ_E(EINVAL),	      FZ_E(ENFILE), FZ_E(EMFILE),    FZ_E(ENOTTY),
    FZ_E(EFBIG),   FZ_E(ENOSPC),  FZ_E(ESPIPE),	      FZ_E(EROFS),  FZ_E(EMLINK),    FZ_E(EPIPE),
    FZ_E(ERANGE),  FZ_E(EDEADLK), FZ_E(ENAMETOOLONG), FZ_E(ENOSYS), FZ_E(ENOTEMPTY),
};

const char *fz_errname(long ret)
{
	long e = -ret;

	if (e <= 0 || e >= (long)(sizeof(fz_errnames) / sizeof(fz_errnames[0])))
		return NULL;
	return fz_errnames[e];
}
