/* POSIX <fcntl.h>: picolibc's, whose O_* values are Linux's; open()
 * translates them into the kernel's (user/lib/open.c), since picolibc's
 * own fopen() passes them too.
 *
 * open() takes an optional mode that mnemo ignores (no permissions).
 * openat() accepts only AT_FDCWD or an absolute path; fcntl() knows only
 * F_DUPFD; flock() fails with ENOSYS. */
#ifndef MNEMO_FCNTL_H
#define MNEMO_FCNTL_H

#include_next <fcntl.h>

#endif
