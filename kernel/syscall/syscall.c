/* The system-call table and its dispatcher. */
#include "kernel/syscall/syscall.h"
#include "include/uapi/errno.h"
#include "include/uapi/syscall.h"
#include "kernel/arch/riscv/csr.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/signal.h"

static syscall_fn *const syscalls[NSYSCALL] = {
    [SYS_fork] = sys_fork,
    [SYS_exit] = sys_exit,
    [SYS_wait] = sys_wait,
    [SYS_pipe] = sys_pipe,
    [SYS_read] = sys_read,
    [SYS_kill] = sys_kill,
    [SYS_exec] = sys_exec,
    [SYS_fstat] = sys_fstat,
    [SYS_chdir] = sys_chdir,
    [SYS_dup] = sys_dup,
    [SYS_sbrk] = sys_sbrk,
    [SYS_sleep] = sys_sleep,
    [SYS_open] = sys_open,
    [SYS_write] = sys_write,
    [SYS_mknod] = sys_mknod,
    [SYS_unlink] = sys_unlink,
    [SYS_link] = sys_link,
    [SYS_mkdir] = sys_mkdir,
    [SYS_close] = sys_close,
    [SYS_lseek] = sys_lseek,
    [SYS_meminfo] = sys_meminfo,
    [SYS_poweroff] = sys_poweroff,
    [SYS_procinfo] = sys_procinfo,
    [SYS_dup2] = sys_dup2,
    [SYS_getcwd] = sys_getcwd,
    [SYS_getdents] = sys_getdents,
    [SYS_ftruncate] = sys_ftruncate,
    [SYS_truncate] = sys_truncate,
    [SYS_vmstat] = sys_vmstat,
    [SYS_mmap] = sys_mmap,
    [SYS_crypto_op] = sys_crypto_op,
    [SYS_take_shared_memory_request] = sys_take_shared_memory_request,
    [SYS_remove_shared_memory_request] = sys_remove_shared_memory_request,
    [SYS_crypto_wait] = sys_crypto_wait,
    [SYS_map_shared_pages] = sys_map_shared_pages,
    [SYS_unmap_shared_pages] = sys_unmap_shared_pages,
    [SYS_futex_wait] = sys_futex_wait,
    [SYS_futex_wake] = sys_futex_wake,
    [SYS_munmap] = sys_munmap,
    [SYS_mprotect] = sys_mprotect,
    [SYS_vmmaps] = sys_vmmaps,
    [SYS_sigaction] = sys_sigaction,
    [SYS_sigprocmask] = sys_sigprocmask,
    [SYS_sigpending] = sys_sigpending,
    [SYS_sigsuspend] = sys_sigsuspend,
    [SYS_pause] = sys_pause,
    [SYS_sigreturn] = sys_sigreturn,
    [SYS_alarm] = sys_alarm,
    [SYS_setpgid] = sys_setpgid,
    [SYS_getpgid] = sys_getpgid,
    [SYS_setsid] = sys_setsid,
    [SYS_tcsetpgrp] = sys_tcsetpgrp,
    [SYS_tcgetpgrp] = sys_tcgetpgrp,
    [SYS_tkill] = sys_tkill,
    [SYS_thread_create] = sys_thread_create,
    [SYS_thread_exit] = sys_thread_exit,
    /* SYS_trap_floor never gets here: trap.S answers it; the quick
     * calls are answered by quick_call below. */
};

/* Calls that only read a word or two of the kernel's: no lock, no sleep,
 * no user memory, a few instructions. They are answered here, inline:
 * under QEMU each indirect call and each return costs a lookup of the
 * next block of translated code, and the two of a call through the table
 * cost as much as such a call's own work. They run with interrupts still
 * off, as the trap left them, which saves a write of sstatus, another trip
 * through QEMU's main loop. An interrupt that comes meanwhile is taken as
 * soon as the call returns to user mode, so the timer's preemption is not
 * lost. Returns false for any other call. */
static inline __attribute__((always_inline)) bool quick_call(u64 nr, long *ret)
{
	struct proc *p = myproc();

	switch (nr) {
	case SYS_getpid:
		*ret = p->tgid;
		return true;
	case SYS_gettid:
		*ret = p->pid;
		return true;
	case SYS_getppid: {
		/* No lock and no fence: a racing exit or exec may give a
		 * pid that is just changing, but never a bad read, as every
		 * struct proc stays in the static table. The leader stays (a
		 * zombie if it ended) while any thread runs. */
		struct proc *parent = __atomic_load_n(&p->leader->parent, __ATOMIC_RELAXED);
		*ret = parent ? parent->pid : 0;
		return true;
	}
	case SYS_uptime:
		*ret = (long)ticks;
		return true;
	case SYS_timebase:
		*ret = (long)timebase_hz;
		return true;
	default:
		return false;
	}
}

/* Any call but a quick one, and a quick one that must look at signals on
 * its way out. */
static __attribute__((noinline)) struct trapframe *syscall_slow(struct trapframe *tf)
{
	u64 nr = tf->a7, a0 = tf->a0;
	syscall_fn *fn = nr < NSYSCALL ? syscalls[nr] : NULL;
	bool known = true;
	long ret;

	if (quick_call(nr, &ret)) {
		tf->a0 = (u64)ret;
	} else if (fn) {
		intr_on();
		tf->a0 = (u64)fn(&tf->a0);
	} else {
		tf->a0 = (u64)-ENOSYS;
		known = false;
	}
	/* A kill or a signal that comes after this check is seen at the
	 * next trap: the timer's, at the latest. */
	if (proc_must_look(myproc()))
		signal_return(tf, known ? (long)nr : -1, a0);
	return tf; /* user_return turns interrupts off again */
}

/* The whole of a system call but the register saving. A quick call with
 * no signal to look at is answered here, saving no registers and calling
 * nothing: under QEMU every call and return costs a lookup of the next
 * block of translated code, about as much as the rest of getppid. (Before
 * the call rather than after, the look comes to the same: a quick call
 * changes no signal state.) Hot: placed with trap.S in one page
 * (kernel.ld), where QEMU chains the call from trap.S instead of looking
 * it up. */
__attribute__((hot)) struct trapframe *syscall_trap(struct trapframe *tf)
{
	long ret;

	if (!proc_must_look(myproc()) && quick_call(tf->a7, &ret)) {
		tf->a0 = (u64)ret;
		return tf;
	}
	return syscall_slow(tf);
}
