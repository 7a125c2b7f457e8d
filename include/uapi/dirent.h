/* Directory entries, in two layouts that move the same position (one
 * record per entry, "." and ".." first):
 *
 * - read() of a directory yields struct mnemo_dirent, xv6's struct dirent,
 *   so that xv6's ls works unchanged; a name longer than MNEMO_DIRSIZ
 *   bytes is cut to its first MNEMO_DIRSIZ there, as the record has no
 *   more room.
 * - getdents(fd, buf, n) (syscall 44) yields struct mnemo_dirent_long,
 *   with the whole name (up to MNEMO_NAME_MAX bytes, include/uapi/limits.h):
 *   what the user library's readdir() reads, so that ls shows every name
 *   as it was created. */
#ifndef UAPI_DIRENT_H
#define UAPI_DIRENT_H

#include <stdint.h>

#define MNEMO_DIRSIZ 14

struct mnemo_dirent {
	uint16_t inum; /* 0: free slot */
	char name[MNEMO_DIRSIZ];
};

/* A record takes reclen bytes (a multiple of 8, so the next one is
 * aligned): the header, the name and its NUL, then padding. */
struct mnemo_dirent_long {
	uint32_t inum;
	uint16_t reclen;
	uint16_t namelen; /* bytes of name, without its NUL */
	char name[];
};

#endif
