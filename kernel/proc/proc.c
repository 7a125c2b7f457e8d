/* The process table, per-hart state, and sleep/wakeup.
 *
 * Sleeping processes wait on hashed queues so that wakeup() looks only at
 * processes sleeping on channels of the same hash. Lock order: the
 * caller's condition lock, then a queue's lock, then p->lock. */
#include "kernel/proc/proc.h"
#include "include/uapi/errno.h"
#include "kernel/arch/riscv/csr.h"
#include "kernel/lib/list.h"
#include "kernel/lib/panic.h"
#include "kernel/lib/printf.h"
#include "kernel/lib/string.h"
#include "kernel/mm/mm.h"
#include "kernel/mm/page.h"
#include "kernel/proc/proc_internal.h"
#include "kernel/proc/signal.h"

struct proc proc_table[NPROC];
struct spinlock wait_lock = SPINLOCK_INIT("wait");
int proc_slots_used; /* (a) see proc_table_end */
struct proc *init_proc;

#define SLEEP_BUCKETS 64
static struct sleep_queue {
	struct spinlock lock;
	struct list sleepers;
} sleep_queues[SLEEP_BUCKETS];

static struct sleep_queue *queue_of(void *chan)
{
	return &sleep_queues[((uptr)chan >> 4) % SLEEP_BUCKETS];
}

void proc_init(void)
{
	for (int i = 0; i < SLEEP_BUCKETS; i++) {
		spin_init(&sleep_queues[i].lock, "sleepq");
		list_init(&sleep_queues[i].sleepers);
	}
	for (int i = 0; i < NPROC; i++) {
		spin_init(&proc_table[i].lock, "proc");
		list_init(&proc_table[i].sleep_link);
		proc_table[i].last_hart = -1;
		proc_table[i].wake_hart = -1;
	}
}

/* PIDs below this are given out only by the kernel, to its services. */
#define FIRST_USER_PID 3
static int next_pid = FIRST_USER_PID;

static bool pid_in_use(int pid)
{
	for (struct proc *p = proc_table; p < proc_table_end(); p++)
		if (p->pid == pid && p->state != PROC_UNUSED)
			return true;
	return false;
}

struct proc *proc_alloc(void)
{
	return proc_alloc_pid(0);
}

struct proc *proc_alloc_pid(int want)
{
	if (want && pid_in_use(want))
		return NULL;
	for (struct proc *p = proc_table; p < &proc_table[NPROC]; p++) {
		if (__atomic_load_n(&p->state, __ATOMIC_RELAXED) != PROC_UNUSED)
			continue; /* a racy peek, checked again under the lock */
		spin_lock(&p->lock);
		if (p->state != PROC_UNUSED) {
			spin_unlock(&p->lock);
			continue;
		}
		struct page *stack = page_alloc(KSTACK_ORDER);
		struct sigacts *sig = stack ? sigacts_alloc() : NULL;
		if (!sig) {
			if (stack)
				page_put(stack);
			spin_unlock(&p->lock);
			return NULL;
		}
		p->state = PROC_USED;
		int end = (int)(p - proc_table) + 1;
		int was = __atomic_load_n(&proc_slots_used, __ATOMIC_RELAXED);
		while (was < end &&
		       !__atomic_compare_exchange_n(&proc_slots_used, &was, end, false,
						    __ATOMIC_RELEASE, __ATOMIC_RELAXED))
			;
		p->sig = sig;
		p->sig_blocked = p->sig_pending = p->sig_saved = 0;
		p->sig_restore = p->sig_wake = false;
		p->kill_sig = 0;
		p->xsig = 0;
		p->pid = want ? want : __atomic_fetch_add(&next_pid, 1, __ATOMIC_RELAXED);
		p->pgid = p->sid = p->pid; /* fork gives the parent's */
		/* A group of its own; thread_create makes it join the caller's. */
		p->tgid = p->pid;
		p->leader = p;
		p->nthreads = 1;
		p->group_exit = false;
		p->group_dead = false;
		p->threaded = false;
		p->group_status = 0;
		p->group_sig = 0;
		p->clear_tid = 0;
		p->exit_alone = false;
		p->killed = false;
		p->xstate = 0;
		p->kstack = page_kva(stack);
		*(struct kstack_head *)p->kstack = (struct kstack_head){.proc = p};
		p->tf = (struct trapframe *)((char *)p->kstack + (PAGE_SIZE << KSTACK_ORDER)) - 1;
		memset(p->tf, 0, sizeof(*p->tf));
		memset(&p->ctx, 0, sizeof(p->ctx));
		p->ctx.sp = (u64)p->tf;
		p->last_hart = -1;
		p->wake_hart = -1;
		return p; /* with p->lock held */
	}
	return NULL;
}

void proc_free(struct proc *p)
{
	if (p->kstack)
		page_put(kva_to_page(p->kstack));
	p->kstack = NULL;
	p->tf = NULL;
	p->mm = NULL;
	sigacts_put(p->sig); /* wait_lock held, or p never seen: see signal_send */
	p->sig = NULL;
	p->fdt = NULL;
	p->pid = 0;
	p->tgid = 0;
	p->leader = NULL;
	p->nthreads = 0;
	p->parent = NULL;
	p->name[0] = 0;
	p->chan = NULL;
	p->killed = false;
	p->xstate = 0;
	p->spawn_path = NULL;
	p->spawn_argv = NULL;
	p->service = NULL;
	p->state = PROC_UNUSED;
}

/* Puts the caller to sleep on chan unless killable and it has been
 * killed. The killed flag is read under p->lock, which proc_kill holds
 * while it sets the flag and takes again to wake a sleeper: either this
 * check sees the kill, or the killer sees PROC_SLEEPING and wakes us. */
static int sleep_on(void *chan, struct spinlock *lk, bool killable)
{
	struct proc *p = myproc();
	struct sleep_queue *q = queue_of(chan);
	spin_lock(&q->lock);
	spin_lock(&p->lock);
	if (killable && (p->killed || signal_wakes(p))) {
		spin_unlock(&p->lock);
		spin_unlock(&q->lock);
		return -EINTR;
	}
	p->chan = chan;
	p->state = PROC_SLEEPING;
	list_push_back(&q->sleepers, &p->sleep_link);
	spin_unlock(&q->lock);
	spin_unlock(lk);
	sched();
	p->chan = NULL;
	spin_unlock(&p->lock);
	spin_lock(lk);
	return killable && (proc_killed(p) || __atomic_load_n(&p->sig_wake, __ATOMIC_ACQUIRE))
		   ? -EINTR
		   : 0;
}

void sleep(void *chan, struct spinlock *lk)
{
	sleep_on(chan, lk, /*killable=*/false);
}

int sleep_killable(void *chan, struct spinlock *lk)
{
	return sleep_on(chan, lk, /*killable=*/true);
}

void sleep_ticks(u64 n)
{
	spin_lock(&tickslock);
	u64 start = ticks;
	while (ticks - start < n)
		sleep((void *)&ticks, &tickslock);
	spin_unlock(&tickslock);
}

/* Wakes at most n sleepers on chan (all if n < 0); with kick, also an
 * idle hart to run them, else the first one woken is this hart's handoff:
 * the scheduler runs it next if the waker gives up the hart by sleeping. */
static int wake(void *chan, int n, bool kick)
{
	struct sleep_queue *q = queue_of(chan);
	struct list *pos, *tmp;
	int woke = 0;
	spin_lock(&q->lock);
	list_for_each_safe(pos, tmp, &q->sleepers)
	{
		struct proc *p = list_entry(pos, struct proc, sleep_link);
		if (p->chan != chan)
			continue;
		if (woke == n)
			break;
		spin_lock(&p->lock);
		list_del(&p->sleep_link);
		/* Left to a hart before the state: a hart that sees p
		 * runnable sees whose it is. */
		bool sync = !kick && woke == 0;
		if (sync && !leave_to_hart(p))
			mycpu()->handoff = p; /* q->lock held: no hart change */
		__atomic_store_n(&p->state, PROC_RUNNABLE, __ATOMIC_RELEASE);
		if (sync)
			hart_nudge(p);
		spin_unlock(&p->lock);
		woke++;
	}
	spin_unlock(&q->lock);
	if (woke && kick)
		kick_idle_hart();
	return woke;
}

void wakeup(void *chan)
{
	wake(chan, -1, true);
}
int wakeup_sync(void *chan, int n)
{
	return wake(chan, n, false);
}

void proc_interrupt_sleep_how(struct proc *p, bool kick)
{
	spin_lock(&p->lock);
	void *chan = p->state == PROC_SLEEPING ? p->chan : NULL;
	spin_unlock(&p->lock);
	if (!chan)
		return;
	struct sleep_queue *q = queue_of(chan);
	spin_lock(&q->lock);
	spin_lock(&p->lock);
	bool woke = p->state == PROC_SLEEPING && p->chan == chan;
	if (woke) {
		list_del(&p->sleep_link);
		p->state = PROC_RUNNABLE;
		if (!kick)
			mycpu()->handoff = p; /* q->lock held: no hart change */
	}
	spin_unlock(&p->lock);
	spin_unlock(&q->lock);
	if (woke && kick)
		kick_idle_hart();
}

void proc_interrupt_sleep(struct proc *p)
{
	proc_interrupt_sleep_how(p, /*kick=*/true);
}

void proc_set_killed_by(struct proc *p, int sig)
{
	int none = 0;
	__atomic_compare_exchange_n(&p->kill_sig, &none, sig, false, __ATOMIC_RELAXED,
				    __ATOMIC_RELAXED);
	__atomic_store_n(&p->killed, true, __ATOMIC_RELEASE);
}

void proc_set_killed(struct proc *p)
{
	proc_set_killed_by(p, SIGKILL);
}

/* wait_lock held. Every thread of l's group but the caller, that has not
 * exited, is killed; a thread being created meanwhile sees group_exit
 * (or its creator's kill) under wait_lock and is not started. alone:
 * each is to end alone, not take the group with it (an exec). */
static void kill_others(struct proc *l, bool alone)
{
	struct proc *me = myproc();
	for (struct proc *t = proc_table; t < proc_table_end(); t++) {
		if (t == me)
			continue;
		spin_lock(&t->lock);
		bool member = t->leader == l && t->state != PROC_UNUSED && t->state != PROC_ZOMBIE;
		if (member) {
			/* Before killed: t, once it sees killed (an acquire,
			 * signal_return), reads exit_alone without t->lock. */
			t->exit_alone |= alone;
			__atomic_store_n(&t->killed, true, __ATOMIC_RELEASE);
		}
		spin_unlock(&t->lock);
		if (member)
			proc_interrupt_sleep(t);
	}
}

void proc_kill_others(struct proc *l)
{
	assert(spin_holding(&wait_lock));
	kill_others(l, /*alone=*/true);
}

void proc_mark_group_exit(struct proc *l, int status, int sig)
{
	assert(spin_holding(&wait_lock));
	if (!l->group_exit) {
		l->group_exit = true;
		l->group_status = status;
		l->group_sig = sig;
	}
}

void proc_begin_group_exit(struct proc *l, int status, int sig)
{
	assert(spin_holding(&wait_lock));
	proc_mark_group_exit(l, status, sig);
	if (l->nthreads > 1) /* the caller is one */
		kill_others(l, /*alone=*/false);
}

/* A kill ends the whole process: the group of the leader with this pid
 * (one that ended early stands for its threads). */
int proc_kill(int pid)
{
	int err = -ESRCH;
	spin_lock(&wait_lock);
	for (struct proc *p = proc_table; p < proc_table_end(); p++) {
		if (p->pid != pid || p->leader != p || p->state == PROC_UNUSED ||
		    p->state == PROC_USED || p->nthreads == 0)
			continue;
		err = proc_is_system(p) ? -EPERM : 0;
		if (!err)
			signal_send(p, SIGKILL, SI_KERNEL, 0);
		break;
	}
	spin_unlock(&wait_lock);
	return err;
}

void panic_describe_running(char *buf, size_t size)
{
	struct proc *p = mycpu()->proc;
	if (p)
		snprintk(buf, size, "process %d (%s)", p->pid, p->name);
	else
		snprintk(buf, size, "no process");
}

bool proc_is_system(struct proc *p)
{
	return p == init_proc || p->service != NULL || p->kthread != NULL;
}

/* wait_lock held: no parent link changes and no process is reaped. */
static bool is_descendant(struct proc *p, struct proc *ancestor)
{
	struct proc *q = p->parent;
	while (q && q != ancestor)
		q = q->parent;
	return q != NULL;
}

int proc_descendant_mm(struct proc *me, int pid, struct mm **mm)
{
	int err = -ESRCH;
	*mm = NULL;
	/* The whole check under wait_lock: the process found cannot be
	 * reaped, and its slot handed to another, before its mm is held.
	 * Any of its threads that has not ended holds the mm. */
	spin_lock(&wait_lock);
	for (struct proc *p = proc_table; p < proc_table_end(); p++) {
		spin_lock(&p->lock);
		if (p->tgid == pid && p->state != PROC_UNUSED && p->state != PROC_ZOMBIE) {
			if (proc_is_system(p) || !is_descendant(p->leader, me->leader) || !p->mm) {
				err = -EPERM;
			} else {
				*mm = p->mm;
				mm_get(*mm);
				err = 0;
			}
			spin_unlock(&p->lock);
			break;
		}
		spin_unlock(&p->lock);
	}
	spin_unlock(&wait_lock);
	return err;
}
