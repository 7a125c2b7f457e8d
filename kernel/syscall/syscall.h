/* System-call handlers. Each takes the six argument registers a0..a5 and
 * returns a value or a negative errno, which goes back to user space in a0. */
#ifndef KERNEL_SYSCALL_SYSCALL_H
#define KERNEL_SYSCALL_SYSCALL_H

#include "kernel/types.h"

typedef long syscall_fn(const u64 *arg);

struct trapframe;
/* An ecall from user mode, called by trap.S with interrupts off and
 * tf->epc already past the ecall: runs the call tf asks for (a7), with
 * interrupts on unless it is one of a few quick ones (getpid, getppid,
 * gettid, uptime, timebase: syscall.c answers them itself), and puts its result
 * in tf->a0; then ends the process if it was killed. Returns tf, for
 * user_return. */
struct trapframe *syscall_trap(struct trapframe *tf);

/* kernel/proc */
syscall_fn sys_fork, sys_exit, sys_wait, sys_kill, sys_exec, sys_sbrk, sys_sleep, sys_procinfo,
    sys_poweroff, sys_sigaction, sys_sigprocmask, sys_sigpending, sys_sigsuspend, sys_pause,
    sys_sigreturn, sys_alarm, sys_setpgid, sys_getpgid, sys_setsid, sys_tcsetpgrp, sys_tcgetpgrp,
    sys_tkill;
syscall_fn sys_thread_create, sys_thread_exit;
/* kernel/fs */
syscall_fn sys_pipe, sys_read, sys_write, sys_fstat, sys_chdir, sys_dup, sys_dup2, sys_open,
    sys_mknod, sys_unlink, sys_link, sys_mkdir, sys_close, sys_lseek, sys_getcwd, sys_getdents,
    sys_ftruncate, sys_truncate;
/* kernel/ipc */
syscall_fn sys_crypto_op, sys_take_shared_memory_request, sys_remove_shared_memory_request,
    sys_crypto_wait, sys_map_shared_pages, sys_unmap_shared_pages, sys_futex_wait, sys_futex_wake;
/* Starts the crypto service with the server read from server_path. */
void crypto_init(const char *server_path);
/* Has an ending thread's clear-tid word woken like a futex_wake. */
void futex_init(void);
/* kernel/mm */
syscall_fn sys_meminfo, sys_mmap, sys_munmap, sys_mprotect, sys_vmmaps, sys_vmstat;

#endif
