/* POSIX <sys/stat.h>: picolibc's struct stat and S_* bits, filled by
 * mnemo's fstat() from the kernel's struct mnemo_stat: st_mode is S_IFDIR,
 * S_IFREG, S_IFCHR (devices) or S_IFIFO (pipes) with permission bits that
 * say "anyone may" (mnemo has no owners); st_blksize is the file system's
 * block size; times are 0. mkdir() ignores its mode. */
#ifndef MNEMO_SYS_STAT_H
#define MNEMO_SYS_STAT_H

#include_next <sys/stat.h>

/* There are no symbolic links: lstat() is stat(). */
int lstat(const char *restrict path, struct stat *restrict st);

/* Makes a device file for driver `major' (include/uapi/stat.h lists them),
 * as xv6 does: mnemo's own three-int signature, not POSIX's mode/dev. */
int mknod(const char *path, int major, int minor);

#endif
