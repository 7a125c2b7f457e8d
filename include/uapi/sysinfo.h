/* Records that the kernel's introspection calls fill in. */
#ifndef UAPI_SYSINFO_H
#define UAPI_SYSINFO_H

#include <stdint.h>

struct mnemo_meminfo {
	uint64_t page_size;
	uint64_t total_pages;	   /* pages the allocator manages */
	uint64_t free_pages;	   /* pages free now */
	uint64_t pagetable_pages;  /* pages used as page tables, all processes */
	uint64_t slab_pages;	   /* pages kmalloc holds as slabs */
	uint64_t slab_used_bytes;  /* bytes of the objects handed out of them */
	uint64_t swap_pages;	   /* slots on the swap device (0: no swap) */
	uint64_t swap_used_pages;  /* slots taken */
	uint64_t swap_cache_pages; /* pages in memory that the swap cache holds */
};

/* Free memory in bytes: free pages, free swap slots and the pages the
 * swap cache holds, counting the unused part of kmalloc's slabs as free:
 * the measure a leak check compares. The free-page count alone moves
 * when long-lived kernel objects end up spread over more or fewer slab
 * pages than before, with nothing leaked, and when pages of processes
 * that live on go to swap or come back: a page sent to swap frees a page
 * and takes a slot, one read back does the opposite, and one that is in
 * RAM and on the disk at once (in the swap cache) is counted once. */
#define MNEMO_FREE_BYTES(mi)                                                                       \
	(((mi)->free_pages + (mi)->slab_pages + (mi)->swap_pages - (mi)->swap_used_pages +         \
	  (mi)->swap_cache_pages) *                                                                \
	     (mi)->page_size -                                                                     \
	 (mi)->slab_used_bytes)

#define MNEMO_PROC_NAME 16

/* One record a thread: a process with several threads has as many, all
 * with its pid (the group's, what getpid returns) and each its own tid. */
struct mnemo_procinfo {
	int32_t pid;
	int32_t ppid;
	int32_t state;	     /* 1 sleeping, 2 runnable, 3 running, 4 zombie */
	int32_t hart;	     /* hart it runs on, or -1 */
	uint64_t mem_bytes;  /* resident user memory */
	uint64_t swap_bytes; /* user memory swapped out */
	char name[MNEMO_PROC_NAME];
	int32_t tid;	 /* the thread's id (gettid); pid for a leader */
	int32_t threads; /* threads the process has that have not ended */
};

/* Memory events since boot (vmstat): Linux's /proc/vmstat names. */
struct mnemo_vmstat {
	uint64_t pgfault;  /* page faults taken, the kernel's on user memory too */
	uint64_t pswpin;   /* pages read from swap */
	uint64_t pswpout;  /* pages written to swap */
	uint64_t pgscan;   /* pages reclaim's clock looked at */
	uint64_t pgsteal;  /* pages reclaim freed */
	uint64_t oom_kill; /* processes the OOM killer killed */
};

struct mnemo_vmmap {
	uint64_t start, end;
	uint32_t prot;	   /* MNEMO_PROT_* */
	uint32_t flags;	   /* MNEMO_MAP_SHARED or MNEMO_MAP_PRIVATE */
	uint64_t offset;   /* file offset of start */
	uint64_t resident; /* resident pages */
	uint64_t swapped;  /* pages swapped out */
	char backing[32];  /* "[heap]", "[stack]", "[anon]", a file name, ... */
};

#endif
