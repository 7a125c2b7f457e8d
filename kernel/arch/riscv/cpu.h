/* Harts: what the kernel keeps per hart, how code finds its own hart
 * (tp holds its struct cpu in the kernel), the registers a context switch
 * saves, and the nesting of interrupt masking that spinlocks rely on. The
 * bottom of the kernel: nothing here calls anything above it. */
#ifndef ARCH_RISCV_CPU_H
#define ARCH_RISCV_CPU_H

#include "kernel/arch/riscv/csr.h"
#include "kernel/lib/panic.h"
#include "kernel/types.h"

#define NCPU	 8   /* most harts the kernel runs on */
#define ASID_MAX 256 /* most address-space ids used (kernel/arch/riscv/mmu.c) */

/* Kernel stacks, one per process and per hart's scheduler, each aligned
 * to its size. */
#define KSTACK_ORDER 2 /* 16 KiB */
#define KSTACK_SIZE  (4096UL << KSTACK_ORDER)

/* The base of the kernel stack this code runs on, which tells the kernel
 * threads apart (a process's, or a hart's scheduler) in one instruction. */
static inline uptr kstack_base(void)
{
	u64 sp;
	asm volatile("mv %0, sp" : "=r"(sp));
	return sp & ~(KSTACK_SIZE - 1);
}

/* What the bottom of each kernel stack holds about the thread that runs on
 * it: the process (NULL on a hart's scheduler stack: myproc()), and how
 * many task spinlocks it holds (kernel/lib/spinlock.h), while which the
 * timer must not preempt it. Kept with the stack, not the hart, because
 * a preemptible thread may change hart between any two instructions. */
struct kstack_head {
	struct proc *proc;
	long task_locks;
};

static inline struct kstack_head *kstack_head(void)
{
	return (struct kstack_head *)kstack_base();
}

/* Callee-saved registers of a kernel thread, for swtch(). */
struct context {
	u64 ra, sp;
	u64 s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11;
};

struct proc;
struct mm;

/* cpu.idle: what a hart with nothing to run is doing (kernel/proc/sched.c). */
enum { HART_BUSY, HART_POLLING, HART_IN_WFI };

struct cpu {
	struct proc *proc;	  /* running on this hart, or NULL */
	struct context scheduler; /* swtch() here to enter the scheduler */
	int noff;		  /* depth of push_off() */
	bool intena;		  /* were interrupts on before push_off()? */
	int id;			  /* index in cpus[] */
	u64 hartid;		  /* the hardware's hart id */
	struct mm *active_mm;	  /* loaded in satp (a reference), or NULL for the kernel's */
	struct mm *mm_to_drop;	  /* a last reference let go under p->lock (sched.c) */
	int idle;		  /* (a) HART_BUSY, HART_POLLING or HART_IN_WFI */
	int reserved;		  /* (a) runnable processes left to it (p->wake_hart) */
	struct proc *handoff;	  /* woken here by wakeup_sync: the next to run
				   * if the waker sleeps (this hart's own) */
	u64 asid_gen;		  /* the ASID generation this hart's TLB holds (mmu.c) */
	u64 asid_seen[ASID_MAX];  /* per ASID, its mm's tlb_flushes when last loaded */
};

extern struct cpu cpus[NCPU];
extern int ncpu; /* harts running */

static inline struct cpu *mycpu(void)
{
	struct cpu *c;
	asm volatile("mv %0, tp" : "=r"(c));
	return c;
}
int cpu_id(void);

/* Interrupt masking that nests: the outermost pop_off restores what the
 * outermost push_off found. Inline, and one access of sstatus each
 * (csrrci, and csrrsi or a read): every spinlock comes here, and under
 * QEMU a call's return and each access of sstatus cost a call into the
 * emulator, a write also a trip out of the translated code. */
static __always_inline void push_off(void)
{
	bool old = intr_off_was_on();
	struct cpu *c = mycpu();
	if (c->noff == 0)
		c->intena = old;
	c->noff++;
}

static __always_inline void pop_off(void)
{
	struct cpu *c = mycpu();
	if (c->noff < 1)
		panic("pop_off: unbalanced");
	c->noff--;
	/* The check that they were off comes with the write that turns
	 * them on, if there is one. */
	if (c->noff == 0 && c->intena ? intr_on_was_on() : intr_get())
		panic("pop_off: interrupts on");
}

/* Saves the callee-saved registers in old and loads new's (trap.S). */
void swtch(struct context *old, struct context *new);

#endif
