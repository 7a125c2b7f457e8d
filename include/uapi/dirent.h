/* A directory read with read() yields records of this layout, which is
 * xv6's struct dirent, so that xv6's ls works unchanged. */
#ifndef UAPI_DIRENT_H
#define UAPI_DIRENT_H

#include <stdint.h>

#define MNEMO_DIRSIZ 14

struct mnemo_dirent {
	uint16_t inum; /* 0: free slot */
	char name[MNEMO_DIRSIZ];
};

#endif
