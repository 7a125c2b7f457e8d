/* Records that the kernel's introspection calls fill in. */
#ifndef UAPI_SYSINFO_H
#define UAPI_SYSINFO_H

#include <stdint.h>

struct mnemo_meminfo {
	uint64_t page_size;
	uint64_t total_pages;	  /* pages the allocator manages */
	uint64_t free_pages;	  /* pages free now (leak tests compare this) */
	uint64_t pagetable_pages; /* pages used as page tables, all processes */
};

#define MNEMO_PROC_NAME 16

struct mnemo_procinfo {
	int32_t pid;
	int32_t ppid;
	int32_t state;	    /* 1 sleeping, 2 runnable, 3 running, 4 zombie */
	int32_t hart;	    /* hart it runs on, or -1 */
	uint64_t mem_bytes; /* resident user memory */
	char name[MNEMO_PROC_NAME];
};

struct mnemo_vmmap {
	uint64_t start, end;
	uint32_t prot;	   /* MNEMO_PROT_* */
	uint32_t flags;	   /* MNEMO_MAP_SHARED or MNEMO_MAP_PRIVATE */
	uint64_t offset;   /* file offset of start */
	uint64_t resident; /* resident pages */
	char backing[32];  /* "[heap]", "[stack]", "[anon]", a file name, ... */
};

#endif
