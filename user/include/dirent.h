/* Reading directories: the entries that getdents() yields (struct
 * mnemo_dirent_long, include/uapi/dirent.h), with their whole names,
 * through POSIX's interface. picolibc has no <dirent.h> of its own for
 * this target. */
#ifndef MNEMO_DIRENT_H
#define MNEMO_DIRENT_H

#include <sys/types.h>

#include "include/uapi/dirent.h"
#include "include/uapi/limits.h"

struct dirent {
	ino_t d_ino;
	char d_name[MNEMO_NAME_MAX + 1]; /* NUL-terminated */
};

/* An open directory stream (user/lib/dirent.c). */
typedef struct mnemo_dir DIR;

/* Opens the directory at path: a stream, or NULL with errno (ENOTDIR if
 * path is something else). The stream is malloc()ed. */
DIR *opendir(const char *path);
/* The next entry, "." and ".." included; NULL at the end (errno
 * unchanged) or on error (errno set). The record is overwritten by the
 * next call on the same stream. */
struct dirent *readdir(DIR *dir);
/* Starts over at the first entry. */
void rewinddir(DIR *dir);
/* The stream's file descriptor. */
int dirfd(DIR *dir);
/* Closes the descriptor and frees the stream: 0, or -1 with errno. */
int closedir(DIR *dir);

#endif
