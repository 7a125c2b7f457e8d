/* The scheduler: each hart loops over the process table and runs what is
 * runnable, round-robin. A hart with nothing to do polls for a while, then
 * waits in wfi.
 *
 * Address spaces are switched lazily: a hart keeps the last process's page
 * table loaded (its kernel half is the same everywhere) and writes satp
 * only when the next process has a different mm, so a process that keeps
 * the hart pays no fence; and as each mm has its own ASID, a switch fences
 * only what may be stale (asid_load_mm). A hart holds a reference on the mm in its satp
 * (mm_get), so an mm is destroyed only once no hart can walk its table:
 * by whoever drops the last reference, the process or a hart moving on
 * (never under p->lock: hart_put_mm_locked). */
#include "kernel/arch/riscv/asid.h"
#include "kernel/arch/riscv/csr.h"
#include "kernel/arch/riscv/kmap.h"
#include "kernel/arch/riscv/sbi.h"
#include "kernel/lib/panic.h"
#include "kernel/lib/printf.h"
#include "kernel/mm/mm.h"
#include "kernel/proc/proc_internal.h"

/* Hart c goes back to the kernel's table: first satp, then the mm it had
 * is no longer its active_mm. Returns that mm; the caller lets go of the
 * hart's reference on it. */
static struct mm *hart_unload_mm(struct cpu *c)
{
	satp_switch(kernel_root);
	return cpu_publish_mm(c, NULL);
}

/* Lets go of the reference hart c holds on old, under p->lock. Tearing an
 * mm down takes a fork family's lock, a task lock, which must not be
 * taken under p->lock (an interrupt handler takes p->lock): so a last
 * reference waits on the hart until run() has let p->lock go. run() lets
 * go of an mm it can see is the last before it takes p->lock, so this is
 * only for one that became the last meanwhile. */
static void hart_put_mm_locked(struct cpu *c, struct mm *old)
{
	if (mm_put_unless_last(old))
		return;
	/* At most one per run(): exec, the other caller, still holds the
	 * image it leaves when it lets this hart's reference go, or (init,
	 * a service) had none, and then run() parked nothing. */
	if (c->mm_to_drop)
		panic("sched: two last references wait on hart %d", c->id);
	c->mm_to_drop = old;
}

__always_inline void proc_activate_mm(struct proc *p)
{
	struct cpu *c = mycpu();
	struct mm *mm = p->mm;
	if (!mm) {
		/* A kernel thread does not keep the last process's mm loaded
		 * (run() lets it go before it takes p->lock): that process may
		 * have exited, and its memory must come back now, not when the
		 * thread next sleeps (the OOM killer waits for it). */
		if (p->kthread && c->active_mm)
			hart_put_mm_locked(c, hart_unload_mm(c));
		return;
	}
	if (mm != c->active_mm) {
		/* Published before the switch: a hart changing mm's PTEs
		 * either sees this hart among mm's (and fences it) or made its
		 * change before the fence that goes with the switch. */
		mm_get(mm);
		struct mm *old = cpu_publish_mm(c, mm);
		asid_load_mm(c, mm);
		if (old)
			hart_put_mm_locked(c, old);
	} else if (p->last_hart != c->id) {
		/* Still loaded here from an earlier run, but the process has
		 * since run elsewhere and may have changed its PTEs. */
		sfence_vma_all();
	}
	p->last_hart = c->id;
}

void proc_drop_mm(void)
{
	push_off();
	struct cpu *c = mycpu();
	if (c->active_mm)
		mm_put(hart_unload_mm(c));
	pop_off();
}

static int polling_hart(void)
{
	for (int i = 0; i < ncpu; i++)
		if (&cpus[i] != mycpu() &&
		    __atomic_load_n(&cpus[i].idle, __ATOMIC_SEQ_CST) == HART_POLLING)
			return i;
	return -1;
}

/* Wakes hart h if it sleeps in wfi. It counts as busy from here on, so
 * no other waker sends it an interrupt too. */
static bool wake_if_sleeping(int h)
{
	int in_wfi = HART_IN_WFI;
	if (!__atomic_compare_exchange_n(&cpus[h].idle, &in_wfi, HART_BUSY, false, __ATOMIC_SEQ_CST,
					 __ATOMIC_SEQ_CST))
		return false;
	sbi_send_ipi(1, cpus[h].hartid);
	return true;
}

/* Wakes some other hart that sleeps in wfi; returns it, or -1. */
static int wake_sleeping_hart(void)
{
	for (int i = 0; i < ncpu; i++)
		if (&cpus[i] != mycpu() && wake_if_sleeping(i))
			return i;
	return -1;
}

void kick_idle_hart(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST); /* the runnable state first */
	/* A polling hart looks again before it sleeps. */
	if (polling_hart() < 0)
		wake_sleeping_hart();
}

/* Whether hart c runs nothing and looks for work: polling, or on its way
 * through the scheduler's loop. */
static bool hart_looking(struct cpu *c)
{
	int idle = __atomic_load_n(&c->idle, __ATOMIC_SEQ_CST);
	return idle == HART_POLLING ||
	       (idle == HART_BUSY && !__atomic_load_n(&c->proc, __ATOMIC_ACQUIRE));
}

static int hart_for_woken(struct proc *p)
{
	struct cpu *me = mycpu();
	int h = p->last_hart;
	if (h >= 0 && h < ncpu && &cpus[h] != me && hart_looking(&cpus[h]) &&
	    __atomic_load_n(&cpus[h].active_mm, __ATOMIC_ACQUIRE) == p->mm)
		return h; /* it runs p with nothing to refill */
	if (p->mm == me->active_mm)
		return -1; /* nor does the waker's hart */
	if (!me->active_mm)
		return -1; /* the waker has let go of its own (an exit) */
	/* Any other refills once; then the two keep a hart each. Waking a
	 * sleeping hart for it costs an interrupt, but running it here
	 * would load its table now and the waker's again soon after, and
	 * again at each round trip while the two share this hart. */
	int i = polling_hart();
	return i >= 0 ? i : wake_sleeping_hart();
}

bool leave_to_hart(struct proc *p)
{
	assert(spin_holding(&p->lock));
	p->wake_hart = hart_for_woken(p);
	if (p->wake_hart < 0)
		return false;
	__atomic_add_fetch(&cpus[p->wake_hart].reserved, 1, __ATOMIC_SEQ_CST);
	return true;
}

void hart_nudge(struct proc *p)
{
	assert(spin_holding(&p->lock));
	int h = p->wake_hart;
	if (h < 0)
		return;
	__atomic_thread_fence(__ATOMIC_SEQ_CST); /* the runnable state first */
	if (!wake_if_sleeping(h) && !hart_looking(&cpus[h]))
		/* It took other work since it was chosen, maybe before it
		 * could count this process as left to it (run() kicks for
		 * those it counted): anyone may take it now, so wake one. */
		kick_idle_hart();
}

/* How long a task watches for an event on its hart (sched_watch_begin):
 * a partner on another hart answers within microseconds when it answers
 * at once, and no longer than the idle loop polls (POLL_US). */
#define WATCH_US 20

/* Sleeping until a partner on another hart acts, and being woken, costs
 * a switch away and back and the partner a wakeup: under QEMU a pipe
 * round trip took 4.9 to 9.5 us so, and 2.8 to 3.9 us watching. Watching
 * costs this hart's time, and so is allowed only while another hart looks
 * for work or sleeps in wfi, so that anything that becomes runnable
 * meanwhile has a hart and this one is needed by nobody (Linux's guests
 * poll for the same reason, in haltpoll), and while nothing waits for
 * this very hart: the process a wakeup_sync handed it (often the partner
 * itself, when the two share an mm) or one left to it. The look at the
 * other harts is taken once, at the start: a process that becomes
 * runnable meanwhile with every other hart busy, or asleep in wfi with
 * nobody to wake it (one that yielded here), waits for the watch to end,
 * 20 us at most. A signal or a kill ends the watch, as it would the
 * sleep. */
u64 sched_watch_begin(void)
{
	struct cpu *me = mycpu(); /* a hint: the task may move meanwhile */
	if (me->handoff || __atomic_load_n(&me->reserved, __ATOMIC_SEQ_CST) > 0)
		return 0;
	for (int i = 0; i < ncpu; i++)
		if (&cpus[i] != me &&
		    (hart_looking(&cpus[i]) ||
		     __atomic_load_n(&cpus[i].idle, __ATOMIC_RELAXED) == HART_IN_WFI))
			return rdtime() + timebase_hz / 1000000 * WATCH_US;
	return 0;
}

bool sched_watch_on(u64 until)
{
	struct proc *p = myproc();
	return rdtime() < until && !proc_killed(p) &&
	       !__atomic_load_n(&p->sig_wake, __ATOMIC_ACQUIRE);
}

/* Whether hart c leaves runnable p alone: a wakeup left p to another
 * hart, which is still looking for work (once it stops, anyone may). */
static bool left_to_other(struct cpu *c, struct proc *p)
{
	int h = __atomic_load_n(&p->wake_hart, __ATOMIC_RELAXED);
	return h >= 0 && h != c->id && hart_looking(&cpus[h]);
}

static bool any_runnable(struct cpu *c)
{
	for (struct proc *p = proc_table; p < proc_table_end(); p++)
		if (__atomic_load_n(&p->state, __ATOMIC_ACQUIRE) == PROC_RUNNABLE &&
		    !left_to_other(c, p))
			return true;
	return false;
}

#define POLL_US 50

/* Nothing to run: first look for work for a while, keeping the last
 * process's page table loaded, then sleep in wfi until an interrupt or a
 * kick. Under QEMU, waking a hart from wfi takes an interrupt through
 * the firmware on both sides, and running a process whose page table a
 * hart does not hold empties its software TLB: a partner that wakes the
 * process this hart last ran (a pipe, a futex, a server and its client)
 * usually does so within microseconds, and the process then runs here
 * with nothing to refill (wake() leaves it to this hart: hart_for_woken).
 *
 * The hart says it is idle before it looks one last time, and a waker
 * makes a process runnable before it looks for idle harts, so one of the
 * two always sees the other and no wakeup waits for the next timer tick.
 * The page table is dropped before wfi so that its mm can be freed
 * meanwhile; while polling, as soon as this hart is all that holds it. */
static void idle(struct cpu *c)
{
	u64 until = rdtime() + timebase_hz / 1000000 * POLL_US;

	__atomic_store_n(&c->idle, HART_POLLING, __ATOMIC_SEQ_CST);
	do {
		if (any_runnable(c)) {
			__atomic_store_n(&c->idle, HART_BUSY, __ATOMIC_SEQ_CST);
			return;
		}
		struct mm *mm = c->active_mm;
		if (mm && __atomic_load_n(&mm->users, __ATOMIC_ACQUIRE) == 1)
			proc_drop_mm();
	} while (rdtime() < until);
	intr_off();
	__atomic_store_n(&c->idle, HART_IN_WFI, __ATOMIC_SEQ_CST);
	__atomic_thread_fence(__ATOMIC_SEQ_CST); /* said, before the last look */
	if (!any_runnable(c)) {
		proc_drop_mm();
		wfi();
	}
	__atomic_store_n(&c->idle, HART_BUSY, __ATOMIC_SEQ_CST);
}

/* Runs p on this hart until it gives the hart back, if p is runnable
 * (the caller only peeked). Returns whether it ran and, if it did, whether
 * it gave the hart up by sleeping or exiting rather than by yielding. */
static bool run(struct cpu *c, struct proc *p, bool *blocked)
{
	bool ran = false;

	/* An mm that p will not use and that only this hart still holds (its
	 * process has exited) goes before p->lock is taken: see
	 * hart_put_mm_locked. A racy peek: p->mm only says whether to. */
	struct mm *held = c->active_mm;
	if (held && (p->kthread || held != p->mm) &&
	    __atomic_load_n(&held->users, __ATOMIC_ACQUIRE) == 1)
		proc_drop_mm();
	spin_lock(&p->lock);
	if (p->state == PROC_RUNNABLE) {
		p->state = PROC_RUNNING;
		if (p->wake_hart >= 0) {
			__atomic_sub_fetch(&cpus[p->wake_hart].reserved, 1, __ATOMIC_SEQ_CST);
			p->wake_hart = -1;
		}
		__atomic_store_n(&c->proc, p, __ATOMIC_SEQ_CST);
		/* Busy now: what else was left to this hart is anyone's, and
		 * the others may all be asleep. */
		if (__atomic_load_n(&c->reserved, __ATOMIC_SEQ_CST) > 0)
			kick_idle_hart();
		proc_activate_mm(p);
		swtch(&c->scheduler, &p->ctx);
		c->proc = NULL;
		*blocked = p->state != PROC_RUNNABLE;
		ran = true;
		/* A thread that ended, other than a leader (which stands for
		 * its process until reaped): nobody waits for it, and its
		 * kernel stack is out of use now that we are off it. */
		if (p->state == PROC_ZOMBIE && p->leader != p)
			proc_free(p);
	}
	spin_unlock(&p->lock);
	struct mm *dead = c->mm_to_drop;
	if (dead) {
		c->mm_to_drop = NULL;
		mm_put(dead);
	}
	return ran;
}

/* The scan of the table is what makes a switch slow under QEMU: a
 * process with another address space empties its software TLB, and the
 * table spans dozens of pages, each a page walk (the scan stops at the
 * end of the part ever used, proc_table_end, but that may be all of it
 * after a fork bomb). So when a process blocks
 * right after waking another with wakeup_sync (a pipe or futex partner, a
 * parent waiting for its exiting child, the crypto server and its
 * client), the one woken runs next, at once: the handoff. It is only a
 * hint: whoever it names runs only if still runnable. Fairness is the
 * timer's: a process that yields goes back to the scan, so two partners
 * handing the hart to each other keep it for one time slice at most.
 * Better still is another hart (hart_for_woken): the one that still
 * holds the woken process's table, looking for work, or else one that
 * polls or sleeps in wfi, if the waker's hart holds another table: then
 * wake() names no handoff, leaves the process to that hart
 * (p->wake_hart), which no other hart takes it from while that one looks
 * for work (left_to_other), and two partners end up on a hart each,
 * neither loading another table at each round trip. */
void scheduler(void)
{
	struct cpu *c = mycpu();
	c->proc = NULL;
	for (;;) {
		intr_on();
		bool ran = false;
		for (struct proc *p = proc_table; p < proc_table_end(); p++) {
			bool blocked;

			if (p->state != PROC_RUNNABLE || left_to_other(c, p))
				continue; /* racy peek; rechecked under the lock */
			if (!run(c, p, &blocked))
				continue;
			ran = true;
			while (blocked && c->handoff) {
				struct proc *next = c->handoff;

				c->handoff = NULL;
				if (!run(c, next, &blocked))
					break;
			}
			c->handoff = NULL; /* a yield goes to the scan */
		}
		if (!ran)
			idle(c);
	}
}

void sched(void)
{
	struct proc *p = myproc();
	struct cpu *c = mycpu();
	if (!spin_holding(&p->lock))
		panic("sched: p->lock not held");
	if (c->noff != 1)
		panic("sched: %d locks held", c->noff);
	if (kstack_head()->task_locks)
		panic("sched: %ld task locks held", kstack_head()->task_locks);
	if (p->state == PROC_RUNNING)
		panic("sched: still running");
	if (intr_get())
		panic("sched: interrupts on");
	bool intena = c->intena;
	swtch(&p->ctx, &c->scheduler);
	mycpu()->intena = intena;
}

void yield(void)
{
	struct proc *p = myproc();
	spin_lock(&p->lock);
	p->state = PROC_RUNNABLE;
	sched();
	spin_unlock(&p->lock);
}
