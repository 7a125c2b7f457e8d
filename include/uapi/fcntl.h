/* open() flags of the system call. O_CREAT 0x200 and O_TRUNC 0x400 are
 * xv6's O_CREATE and O_TRUNC, so xv6 programs pass theirs unchanged; the
 * POSIX open() in the user library translates picolibc's values. */
#ifndef UAPI_FCNTL_H
#define UAPI_FCNTL_H

#define MNEMO_O_RDONLY	  0x000
#define MNEMO_O_WRONLY	  0x001
#define MNEMO_O_RDWR	  0x002
#define MNEMO_O_ACCMODE	  0x003
#define MNEMO_O_APPEND	  0x008
#define MNEMO_O_CREAT	  0x200
#define MNEMO_O_TRUNC	  0x400
#define MNEMO_O_EXCL	  0x800
#define MNEMO_O_DIRECTORY 0x200000

#define MNEMO_SEEK_SET 0
#define MNEMO_SEEK_CUR 1
#define MNEMO_SEEK_END 2

/* Special "fd" meaning the working directory, reserved for *at() calls. */
#define MNEMO_AT_FDCWD (-100)

#endif
