/* Process groups and sessions, as far as a shell's job control needs
 * them: setpgid, getpgid, setsid, and the console's foreground group,
 * which Ctrl-C and Ctrl-\ signal. Every process is in a group and a
 * session, both inherited at fork; init and each service start their own.
 * Groups and sessions change under wait_lock. */
#include "include/uapi/errno.h"
#include "kernel/fs/fs.h"
#include "kernel/lib/panic.h"
#include "kernel/proc/proc_internal.h"
#include "kernel/proc/signal.h"
#include "kernel/syscall/syscall.h"

static int console_pgrp; /* (w) the foreground group; 0: none */

/* Is p a process's leader, which holds its group and session, and not
 * yet reaped? */
static bool alive(const struct proc *p)
{
	enum proc_state st = __atomic_load_n(&p->state, __ATOMIC_ACQUIRE);
	return st != PROC_UNUSED && st != PROC_USED && p->leader == p;
}

/* Is there a process in group pgid of session sid? wait_lock held. */
static bool group_exists(int pgid, int sid)
{
	assert(spin_holding(&wait_lock));
	for (struct proc *p = proc_table; p < proc_table_end(); p++)
		if (alive(p) && p->pgid == pgid && p->sid == sid)
			return true;
	return false;
}

/* setpgid(pid, pgid): puts the caller (pid 0) or a child of it in group
 * pgid (0: a new group named after the process), which must be that
 * process's own or one in the caller's session. As POSIX says: -ESRCH
 * for no such process among them, -EPERM for a session leader, a child
 * in another session or a group that is not there, -EINVAL for pgid < 0. */
long sys_setpgid(const u64 *arg)
{
	int pid = (int)arg[0], pgid = (int)arg[1];
	struct proc *me = myproc()->leader;
	if (pgid < 0 || pid < 0)
		return -EINVAL;
	if (pid == 0)
		pid = me->pid;
	if (pgid == 0)
		pgid = pid;
	int err = -ESRCH;
	spin_lock(&wait_lock);
	for (struct proc *p = proc_table; p < proc_table_end(); p++) {
		if (!alive(p) || p->pid != pid || (p != me && p->parent != me))
			continue;
		if (p->sid == p->pid || p->sid != me->sid)
			err = -EPERM;
		else if (pgid != p->pid && !group_exists(pgid, me->sid))
			err = -EPERM;
		else {
			p->pgid = pgid;
			err = 0;
		}
		break;
	}
	spin_unlock(&wait_lock);
	return err;
}

/* getpgid(pid): the group of pid (0: the caller), or -ESRCH. */
long sys_getpgid(const u64 *arg)
{
	int pid = (int)arg[0];
	if (pid == 0)
		return myproc()->leader->pgid;
	long ret = -ESRCH;
	spin_lock(&wait_lock);
	for (struct proc *p = proc_table; p < proc_table_end(); p++) {
		if (alive(p) && p->pid == pid) {
			ret = p->pgid;
			break;
		}
	}
	spin_unlock(&wait_lock);
	return ret;
}

/* setsid(): a new session and group, both named after the caller, which
 * must not lead a group already (-EPERM). */
long sys_setsid(const u64 *arg)
{
	(void)arg;
	struct proc *me = myproc()->leader;
	long ret = -EPERM;
	spin_lock(&wait_lock);
	if (me->pgid != me->pid && !group_exists(me->pid, me->sid)) {
		me->sid = me->pgid = me->pid;
		ret = me->pid;
	}
	spin_unlock(&wait_lock);
	return ret;
}

/* tcsetpgrp(fd, pgid): makes pgid, a group of the caller's session, the
 * console's foreground group; fd must be open on the console (-ENOTTY). */
long sys_tcsetpgrp(const u64 *arg)
{
	int fd = (int)arg[0], pgid = (int)arg[1];
	if (!fd_is_console(fd))
		return -ENOTTY;
	if (pgid <= 0)
		return -EINVAL;
	long err = -EPERM;
	spin_lock(&wait_lock);
	if (group_exists(pgid, myproc()->leader->sid)) {
		console_pgrp = pgid;
		err = 0;
	}
	spin_unlock(&wait_lock);
	return err;
}

/* tcgetpgrp(fd): the console's foreground group (0 if none was set). */
long sys_tcgetpgrp(const u64 *arg)
{
	if (!fd_is_console((int)arg[0]))
		return -ENOTTY;
	return __atomic_load_n(&console_pgrp, __ATOMIC_RELAXED);
}

/* Ctrl-C or Ctrl-\ on the console, in interrupt context: the signal goes
 * to every process of the foreground group but the system's own. */
static void signal_console_group(int sig)
{
	spin_lock(&wait_lock);
	for (struct proc *p = proc_table; console_pgrp && p < proc_table_end(); p++)
		if (alive(p) && !p->group_dead && p->pgid == console_pgrp && !proc_is_system(p))
			signal_send(p, sig, SI_KERNEL, 0);
	spin_unlock(&wait_lock);
}

void pgrp_init(void)
{
	console_on_signal_key(signal_console_group);
}
