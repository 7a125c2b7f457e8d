/* Private to the user library: every error number the kernel returns, by
 * name, once. errno_kernel.c expands the list with the kernel's values
 * (include/uapi/errno.h, Linux's) and errno.c with picolibc's, which differ
 * above 34; the two files cannot be one because the two headers define the
 * same names. A name added to include/uapi/errno.h belongs here too. */
#ifndef USER_LIB_ERRNO_LIST_H
#define USER_LIB_ERRNO_LIST_H

#define ERRNO_LIST(X)                                                                              \
	X(EPERM)                                                                                   \
	X(ENOENT)                                                                                  \
	X(ESRCH)                                                                                   \
	X(EINTR)                                                                                   \
	X(EIO)                                                                                     \
	X(ENXIO)                                                                                   \
	X(E2BIG)                                                                                   \
	X(ENOEXEC)                                                                                 \
	X(EBADF)                                                                                   \
	X(ECHILD)                                                                                  \
	X(EAGAIN)                                                                                  \
	X(ENOMEM)                                                                                  \
	X(EACCES)                                                                                  \
	X(EFAULT)                                                                                  \
	X(EBUSY)                                                                                   \
	X(EEXIST)                                                                                  \
	X(EXDEV)                                                                                   \
	X(ENODEV)                                                                                  \
	X(ENOTDIR)                                                                                 \
	X(EISDIR)                                                                                  \
	X(EINVAL)                                                                                  \
	X(ENFILE)                                                                                  \
	X(EMFILE)                                                                                  \
	X(ENOTTY)                                                                                  \
	X(EFBIG)                                                                                   \
	X(ENOSPC)                                                                                  \
	X(ESPIPE)                                                                                  \
	X(EROFS)                                                                                   \
	X(EMLINK)                                                                                  \
	X(EPIPE)                                                                                   \
	X(ERANGE)                                                                                  \
	X(EDEADLK)                                                                                 \
	X(ENAMETOOLONG)                                                                            \
	X(ENOSYS)                                                                                  \
	X(ENOTEMPTY)

#define ERRNO_COUNT_ONE(name) +1
/* How many names the list holds. */
#define ERRNO_COUNT (0 ERRNO_LIST(ERRNO_COUNT_ONE))

/* The kernel's numbers in list order (errno_kernel.c). */
extern const unsigned char errno_kernel_values[ERRNO_COUNT];

#endif
