/* The out-of-memory killer. When a user page fault finds no free page,
 * even after reclaim tried to send pages to swap (kernel/mm/reclaim.c),
 * the process that faulted is not simply the one to die: the user process
 * holding the most memory, resident and swapped, is killed instead
 * (Linux's choice), so
 * that a program that eats all of RAM cannot take a small one down with
 * it. The faulting process waits for the memory to come back and takes
 * the fault again. Init and the kernel's services are never chosen.
 *
 * Memory comes back only when the victim exits. While a
 * process the killer (or anyone) has killed still holds memory, nobody
 * else is chosen: its pages are on their way. */
#include "kernel/lib/printf.h"
#include "kernel/lib/string.h"
#include "kernel/mm/mm.h"
#include "kernel/mm/page.h"
#include "kernel/mm/vmstat.h"
#include "kernel/proc/proc_internal.h"

struct oom_choice {
	int pid; /* 0: no candidate */
	char name[PROC_NAME_LEN];
	u64 pages;   /* its resident pages */
	u64 swapped; /* its pages in swap */
	bool dying;  /* a killed process still holds memory */
};

/* Looks for the user process with the most resident pages, and for a
 * killed one that has not let go of its memory yet. me is left out of
 * the second search: its own kill is handled when it leaves the trap. */
static void oom_choose(struct proc *me, struct oom_choice *c)
{
	memset(c, 0, sizeof(*c));
	for (struct proc *p = proc_table; p < proc_table_end(); p++) {
		spin_lock(&p->lock);
		bool user = p->state != PROC_UNUSED && p->state != PROC_USED &&
			    p->state != PROC_ZOMBIE && p->mm && !proc_is_system(p);
		u64 pages = user ? p->mm->rss : 0, swapped = user ? p->mm->swapped : 0;
		/* A killed process that is not a zombie yet may have let go
		 * of its mm (p->mm is NULL) while the mm is still being torn
		 * down: its pages are on their way back all the same. */
		bool exiting = p->state != PROC_UNUSED && p->state != PROC_USED &&
			       p->state != PROC_ZOMBIE && !p->mm && !proc_is_system(p);
		if (p != me && proc_killed(p) && ((user && pages + swapped > 0) || exiting)) {
			c->dying = true;
		} else if (user && !proc_killed(p) && pages + swapped > c->pages + c->swapped) {
			c->pid = p->tgid;
			c->pages = pages;
			c->swapped = swapped;
			memcpy(c->name, p->name, sizeof(c->name));
		}
		spin_unlock(&p->lock);
	}
}

static void oom_say(const struct oom_choice *c)
{
	vmstat_count(VM_OOM_KILL);
	printk("oom: killed pid %d (%s): %lu KiB resident, %lu KiB swapped\n", c->pid, c->name,
	       (unsigned long)(c->pages * (PAGE_SIZE / 1024)),
	       (unsigned long)(c->swapped * (PAGE_SIZE / 1024)));
}

bool oom_fault(struct proc *me, u64 addr)
{
	/* A process killed already (its fault may have failed for that)
	 * costs nobody else anything: it is on its way out. */
	if (proc_killed(me))
		return false;
	struct oom_choice c;
	oom_choose(me, &c);
	bool system = proc_is_system(me);
	if (!c.dying && !system && (c.pid == me->tgid || c.pid == 0)) {
		/* The faulting process is the biggest: it goes itself. */
		c.pid = me->tgid;
		c.pages = me->mm ? me->mm->rss : 0;
		c.swapped = me->mm ? me->mm->swapped : 0;
		memcpy(c.name, me->name, sizeof(c.name));
		oom_say(&c);
		return false;
	}
	if (!c.dying && c.pid != 0 && proc_kill(c.pid) == 0) {
		oom_say(&c);
	} else if (!c.dying && system) {
		static u64 last_said;
		if (last_said == 0 || ticks - last_said >= TICK_HZ) {
			last_said = ticks;
			printk("pid %d (%s): out of memory at %p; waiting for a free page\n",
			       me->pid, me->name, (void *)addr);
		}
	}
	/* Memory is on its way back, or a system process must wait for
	 * some: take the fault again a tick later. */
	sleep_ticks(1);
	return true;
}
