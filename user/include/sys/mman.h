/* Memory mappings: POSIX's calls with Linux's constant values, which are
 * the kernel's (include/uapi/mman.h). picolibc has no <sys/mman.h>. */
#ifndef MNEMO_SYS_MMAN_H
#define MNEMO_SYS_MMAN_H

#include <stddef.h>
#include <sys/types.h>

#include "include/uapi/mman.h"

#define PROT_NONE  MNEMO_PROT_NONE
#define PROT_READ  MNEMO_PROT_READ
#define PROT_WRITE MNEMO_PROT_WRITE
#define PROT_EXEC  MNEMO_PROT_EXEC

#define MAP_SHARED	    MNEMO_MAP_SHARED
#define MAP_PRIVATE	    MNEMO_MAP_PRIVATE
#define MAP_FIXED	    MNEMO_MAP_FIXED
#define MAP_ANONYMOUS	    MNEMO_MAP_ANONYMOUS
#define MAP_ANON	    MAP_ANONYMOUS
#define MAP_FIXED_NOREPLACE MNEMO_MAP_FIXED_NOREPLACE

/* What mmap() returns on failure (with errno set). */
#define MAP_FAILED ((void *)-1)

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t offset);
int munmap(void *addr, size_t len);
int mprotect(void *addr, size_t len, int prot);

#endif
