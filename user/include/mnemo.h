/* mnemo's own system calls, beyond POSIX. Link with the normal library. */
#ifndef MNEMO_H
#define MNEMO_H

#include <stddef.h>
#include <stdint.h>

#include "include/uapi/sysinfo.h"

/* Powers the machine off; status is reported to the host (make run). */
int poweroff(int status) __attribute__((noreturn));

/* Free and total page counts. Leak tests compare free_pages before and
 * after. Returns 0 or -1 with errno. */
int meminfo(struct mnemo_meminfo *mi);
/* Shorthand: the number of free physical pages now. */
long free_page_count(void);
/* Free memory in bytes, the unused part of the kernel's slabs included
 * (MNEMO_FREE_BYTES): what a leak check compares. */
long free_memory_bytes(void);
/* The RAM the kernel's page allocator manages, in bytes (total_pages *
 * page_size), or 0 if meminfo fails. compat/xv6's PHYSTOP uses it. */
uint64_t mnemo_ram_bytes(void);

/* Counters of memory events since boot (page faults, swap traffic,
 * reclaim, OOM kills). Returns 0 or -1 with errno. */
int vmstat(struct mnemo_vmstat *vs);

/* Fills up to max records, one per process; returns how many exist. */
int procinfo(struct mnemo_procinfo *buf, int max);
/* The mappings of process pid (0: the caller); returns their number. */
int vmmaps(int pid, struct mnemo_vmmap *buf, int max);
/* All the records of procinfo() or vmmaps(pid) in a malloc'd array, grown
 * until they fit; *count gets their number. free() the array. Returns
 * NULL with errno set on failure. */
struct mnemo_procinfo *procinfo_all(int *count);
struct mnemo_vmmap *vmmaps_all(int pid, int *count);

/* Reads n bytes, stopping early only at end of file; returns the number
 * read, or -1 with errno. */
long read_full(int fd, void *buf, size_t n);
/* Writes all n bytes, however many write() calls that takes; returns 0, or
 * -1 (with errno, unless write() wrote nothing). */
int write_all(int fd, const void *buf, size_t n);

/* Time: rdtime ticks, and how many of them make a second. */
static inline uint64_t mnemo_rdtime(void)
{
	uint64_t t;
	__asm__ volatile("rdtime %0" : "=r"(t));
	return t;
}
uint64_t mnemo_timebase(void);
/* Enters the kernel and comes straight back, without running any of its C
 * code: the floor under a system call's cost (make bench). */
void mnemo_trap_floor(void);
/* The same, with the kernel's page table loaded and this one back on the
 * way: the floor under a switch between processes, which under QEMU
 * empties the software TLB (make bench). */
void mnemo_switch_floor(void);

/* Ticks (1/100 s) since boot, as xv6's uptime(). */
int uptime(void);

/* Futexes: futex_wait sleeps while *addr == val and returns 0 when woken
 * (-1 with EAGAIN if *addr != val already); futex_wake wakes up to n
 * sleepers on addr (all if n < 0) and returns how many woke. They key on
 * the word's physical address, so they work across shared mappings. -1
 * with errno on failure. */
int futex_wait(uint32_t *addr, uint32_t val);
int futex_wake(uint32_t *addr, int n);

/* Threads (user/lib/pthread.c; <pthread.h> is what programs use).
 * gettid: the calling thread's id (getpid is its process's).
 * thread_create: the raw call: the new thread starts right after it, in
 * the caller's code, with sp = stack and tp = tls, returning 0 there; so
 * only a stack that is not one (a test of the kernel's checks) makes sense
 * here. The tid, or -1 with errno. thread_exit: ends the calling thread
 * alone. */
int gettid(void);
int thread_create(void *stack, void *tls, uint32_t *clear_tid);
void thread_exit(int status) __attribute__((noreturn));

/* Page sharing (seed 001). map_shared_pages maps the pages behind
 * [src_va, src_va+size) of process src_pid into dst_pid (0 for either
 * means the caller, who must be one of the two; the other must be a
 * descendant of the caller: a child, grandchild...; never init or the
 * crypto server) and returns the address in dst_pid, at the same offset
 * into the first page; the kernel picks the place, away from the heap, so
 * sbrk(0) does not move. Both sides then see each other's writes, on the
 * same pages for as long as the mapping lives; pages live until the last
 * side lets go, whichever exits first. (void *)-1 with errno: EPERM (not
 * a descendant), ESRCH, EFAULT (range not mapped), EINVAL, ENOMEM, EINTR. unmap_shared_pages
 * removes such a mapping from the caller: 0, or -1 with errno EINVAL when any page of the range is
 * not one. */
void *map_shared_pages(int src_pid, int dst_pid, void *src_va, uint64_t size);
int unmap_shared_pages(void *addr, uint64_t size);

#endif
