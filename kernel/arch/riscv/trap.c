/* Trap dispatch: system calls, interrupts and faults, from user mode and
 * from the kernel. The assembly in trap.S saves the registers. */
#include "kernel/arch/riscv/trap.h"
#include "kernel/arch/riscv/csr.h"
#include "kernel/arch/riscv/memlayout.h"
#include "kernel/arch/riscv/plic.h"
#include "kernel/arch/riscv/sbi.h"
#include "kernel/lib/panic.h"
#include "kernel/lib/printf.h"
#include "kernel/mm/mm.h"
#include "kernel/mm/reclaim.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/signal.h"

extern char trap_entry[];
u64 timebase_hz = 10000000;
static u64 tick_interval;

volatile u64 ticks;
struct spinlock tickslock = SPINLOCK_INIT("ticks");

void trap_init_hart(void)
{
	csr_write(sscratch, 0);
	csr_write(stvec, (u64)trap_entry);
#ifndef UACCESS_TOGGLE_SUM
	csr_set(sstatus, SSTATUS_SUM); /* see mm_user_access_begin() */
#endif
	csr_set(sie, SIE_SEIE | SIE_STIE | SIE_SSIE);
}

void timer_init_hart(void)
{
	tick_interval = timebase_hz / TICK_HZ;
	sbi_set_timer(rdtime() + tick_interval);
}

/* Handles one interrupt; returns true if the running process should give
 * up the hart (its time slice is over). */
static bool handle_interrupt(u64 irq)
{
	switch (irq) {
	case IRQ_S_TIMER:
		sbi_set_timer(rdtime() + tick_interval);
		if (cpu_id() == 0) {
			spin_lock(&tickslock);
			ticks++;
			wakeup((void *)&ticks);
			u64 now = ticks;
			spin_unlock(&tickslock);
			reclaim_tick();
			signal_tick(now);
		}
		return true;
	case IRQ_S_EXT:
		plic_intr(mycpu()->hartid);
		return false;
	case IRQ_S_SOFT:
		csr_clear(sip, SIE_SSIE);
		return false;
	default:
		printk("trap: unexpected interrupt %lu\n", irq);
		return false;
	}
}

static enum fault_access access_of(u64 cause)
{
	if (cause == EXC_STORE_PAGE_FAULT || cause == EXC_STORE_ACCESS)
		return FAULT_WRITE;
	if (cause == EXC_INST_PAGE_FAULT || cause == EXC_INST_ACCESS)
		return FAULT_EXEC;
	return FAULT_READ;
}

static bool is_page_fault(u64 cause)
{
	return cause == EXC_LOAD_PAGE_FAULT || cause == EXC_STORE_PAGE_FAULT ||
	       cause == EXC_INST_PAGE_FAULT;
}

static const char *exception_name(u64 cause)
{
	switch (cause) {
	case EXC_INST_MISALIGNED:
		return "misaligned instruction";
	case EXC_INST_ACCESS:
	case EXC_LOAD_ACCESS:
	case EXC_STORE_ACCESS:
		return "access fault";
	case EXC_ILLEGAL_INST:
		return "illegal instruction";
	case EXC_BREAKPOINT:
		return "breakpoint";
	case EXC_LOAD_MISALIGNED:
		return "misaligned load";
	case EXC_STORE_MISALIGNED:
		return "misaligned store";
	default:
		return "unknown exception";
	}
}

/* The signal for a fault the pager could not resolve (POSIX's mapping of
 * each kind of fault) and its si_code. */
static int fault_signal(u64 cause, enum fault_result r, bool mapped, int *code)
{
	switch (cause) {
	case EXC_ILLEGAL_INST:
		*code = ILL_ILLOPC;
		return SIGILL;
	case EXC_BREAKPOINT:
		*code = TRAP_BRKPT;
		return SIGTRAP;
	case EXC_INST_MISALIGNED:
	case EXC_LOAD_MISALIGNED:
	case EXC_STORE_MISALIGNED:
		*code = BUS_ADRALN;
		return SIGBUS;
	}
	if (r == FAULT_SIGBUS || r == FAULT_IOERR) {
		*code = BUS_ADRERR;
		return SIGBUS;
	}
	*code = mapped ? SEGV_ACCERR : SEGV_MAPERR;
	return SIGSEGV;
}

/* A fault in user mode: let the pager resolve it; else raise its signal,
 * which a handler may catch, or kill the process with a one-line reason. */
static void user_fault(struct proc *p, struct trapframe *tf, u64 cause, u64 addr)
{
	const char *why = exception_name(cause);
	enum fault_result r = FAULT_SEGV;
	if (is_page_fault(cause)) {
		r = mm_fault(p->mm, addr, access_of(cause), &why);
		if (r == FAULT_OK)
			return;
		if (r == FAULT_OOM) {
			/* The biggest process goes, which may be this one. */
			if (!oom_fault(p, addr))
				proc_set_killed(p);
			return;
		}
	}
	if (proc_killed(p))
		return; /* killed meanwhile: one reason is enough */
	int code;
	int sig =
	    fault_signal(cause, r, is_page_fault(cause) && mm_addr_mapped(p->mm, addr), &code);
	/* POSIX's si_addr: the faulting pc for an illegal instruction. */
	u64 si_addr = sig == SIGILL || sig == SIGTRAP ? tf->epc : addr;
	if (signal_fault(sig, code, si_addr))
		return;
	/* A thread other than the leader is named by its tid as well. */
	char tid[24] = "";
	if (p->pid != p->tgid)
		snprintk(tid, sizeof(tid), " tid %d", p->pid);
	printk("pid %d%s (%s): segfault at %p pc %p: %s\n", p->tgid, tid, p->name, (void *)addr,
	       (void *)tf->epc, why);
	proc_set_killed_by(p, sig);
}

/* An interrupt or a fault from user mode, with interrupts off (an ecall
 * goes to syscall_trap instead); trap.S read scause to tell them apart. */
struct trapframe *user_trap(struct trapframe *tf, u64 cause)
{
	struct proc *p = myproc();

	if (cause & SCAUSE_INTR) {
		if (handle_interrupt(cause & ~SCAUSE_INTR))
			yield();
	} else {
		u64 addr = csr_read(stval);
		intr_on();
		user_fault(p, tf, cause, addr);
	}
	/* A kill or a signal that comes after this check is seen at the
	 * next trap: the timer's, at the latest. */
	if (proc_must_look(p))
		signal_return(tf, -1, 0);
	return tf; /* user_return turns interrupts off and sets sstatus */
}

/* Entered from fork_return and exec: go to user mode through the current
 * process's trapframe. */
void user_trap_return(void)
{
	user_return(myproc()->tf);
}

struct extable_entry {
	u64 insn, fixup;
};
extern struct extable_entry extable_start[], extable_end[];

static u64 extable_fixup(u64 pc)
{
	for (struct extable_entry *e = extable_start; e < extable_end; e++)
		if (e->insn == pc)
			return e->fixup;
	return 0;
}

void kernel_trap(struct trapframe *tf)
{
	u64 cause = csr_read(scause);
	if (tf->sstatus & SSTATUS_SPP) {
		/* fine: from S-mode as expected */
	} else {
		panic("kernel_trap: not from supervisor mode");
	}

	if (cause & SCAUSE_INTR) {
		struct proc *p = myproc();
		/* Not while it holds a task lock: another thread on this
		 * hart could spin on it (the next tick preempts instead). */
		if (handle_interrupt(cause & ~SCAUSE_INTR) && p && p->state == PROC_RUNNING &&
		    !kstack_head()->task_locks)
			yield();
		return;
	}

	u64 addr = csr_read(stval);
	u64 fixup = extable_fixup(tf->epc);
	if (fixup) {
		/* A uaccess helper touched user memory: resolve lazy or
		 * copy-on-write pages, else make the helper return -EFAULT. */
		struct proc *p = myproc();
		if (p && is_page_fault(cause) && addr < USER_TOP) {
			const char *why;
			if (tf->sstatus & SSTATUS_SPIE)
				intr_on();
			enum fault_result r = mm_fault(p->mm, addr, access_of(cause), &why);
			intr_off();
			if (r == FAULT_OK)
				return;
		}
		tf->epc = fixup;
		return;
	}

	panic_begin();
	printk("\npanic: kernel trap: %s (scause %lu) at pc %p, stval %p\n",
	       is_page_fault(cause) ? "page fault" : exception_name(cause), cause, (void *)tf->epc,
	       (void *)addr);
	dump_trapframe(tf);
	backtrace(tf->s0);
	panic_end();
}
