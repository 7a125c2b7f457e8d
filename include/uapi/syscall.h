/* System-call numbers: the ABI between user space and the kernel.
 * 1..21 follow xv6-riscv so that its programs' stubs line up; 24..28 are
 * the crypto service and page sharing of seed 001; mnemo's own start at 30.
 * Convention: a7 = number, a0..a5 = arguments, a0 = result or -errno. */
#ifndef UAPI_SYSCALL_H
#define UAPI_SYSCALL_H

#define SYS_fork   1
#define SYS_exit   2
#define SYS_wait   3
#define SYS_pipe   4
#define SYS_read   5
#define SYS_kill   6 /* (int pid, int sig) */
#define SYS_exec   7
#define SYS_fstat  8
#define SYS_chdir  9
#define SYS_dup	   10
#define SYS_getpid 11
#define SYS_sbrk   12
#define SYS_sleep  13
#define SYS_uptime 14
#define SYS_open   15
#define SYS_write  16
#define SYS_mknod  17
#define SYS_unlink 18
#define SYS_link   19
#define SYS_mkdir  20
#define SYS_close  21

#define SYS_crypto_op			 24
#define SYS_take_shared_memory_request	 25
#define SYS_remove_shared_memory_request 26
#define SYS_map_shared_pages		 27
#define SYS_unmap_shared_pages		 28
#define SYS_crypto_wait			 29 /* (struct crypto_op *) -> 0 or -EIO */

#define SYS_mmap       30
#define SYS_munmap     31
#define SYS_mprotect   32
#define SYS_lseek      33
#define SYS_meminfo    34 /* (struct meminfo *) */
#define SYS_poweroff   35 /* (int status) */
#define SYS_procinfo   36 /* (struct procinfo *buf, int max) -> count */
#define SYS_getppid    37
#define SYS_futex_wait 38
#define SYS_futex_wake 39
#define SYS_vmmaps     40 /* (int pid, struct vmmap *buf, int max) -> count */
#define SYS_dup2       41
#define SYS_getcwd     42 /* (char *buf, size_t size) -> length */
#define SYS_timebase   43 /* () -> rdtime ticks per second */
#define SYS_getdents   44 /* (int fd, void *buf, size_t n) -> bytes */
#define SYS_ftruncate  45 /* (int fd, off_t length) */
#define SYS_truncate   46 /* (const char *path, off_t length) */
#define SYS_vmstat     47 /* (struct mnemo_vmstat *) */
/* () -> 0, at once: trap.S answers it before any C code runs, so it
 * costs what entering and leaving the kernel cost (make bench's floor). */
#define SYS_trap_floor 48

/* Signals (docs/signals.md) and process groups. */
#define SYS_sigaction	49 /* (int sig, const struct mnemo_sigaction *act, old *) */
#define SYS_sigprocmask 50 /* (int how, const uint64_t *set, uint64_t *old) */
#define SYS_sigpending	51 /* (uint64_t *set) */
#define SYS_sigsuspend	52 /* (uint64_t mask) -> -EINTR */
#define SYS_sigreturn	53 /* () from a handler's restorer: resumes what it interrupted */
#define SYS_alarm	54 /* (unsigned seconds) -> seconds left of the last one */
#define SYS_setpgid	55 /* (int pid, int pgid) */
#define SYS_getpgid	56 /* (int pid) -> pgid */
#define SYS_setsid	57 /* () -> the new session's id */
#define SYS_tcsetpgrp	58 /* (int fd, int pgid): the console's foreground group */
#define SYS_tcgetpgrp	59 /* (int fd) -> pgid */

/* Threads (kernel/proc/thread.c; docs/threads.md). */
#define SYS_thread_create 60 /* (void *stack, void *tls, u32 *clear_tid) -> tid, 0 in it */
#define SYS_thread_exit	  61 /* (int status): ends the calling thread alone */
#define SYS_gettid	  62 /* () -> the calling thread's id */
#define SYS_tkill	  63 /* (int tid, int sig): a signal to one thread */

#define SYS_pause 64 /* () -> -EINTR, once a signal has run a handler */

#define NSYSCALL 65

#endif
