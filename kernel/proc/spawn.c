/* Processes the kernel starts itself: init (PID 1) and services with a
 * reserved PID, such as the crypto server (PID 2), which the kernel starts
 * again whenever it exits. Each begins in kernel mode here, execs its
 * program, and drops to user mode. */
#include "kernel/arch/riscv/trap.h"
#include "kernel/fs/fs.h"
#include "kernel/lib/printf.h"
#include "kernel/lib/string.h"
#include "kernel/proc/proc_internal.h"

#define MAX_SERVICES 4

struct service {
	int pid;
	const char *path;
	char *argv[2];
	bool failed; /* its exec failed: do not start it again */
};

static struct service services[MAX_SERVICES];
static struct spinlock services_lock = SPINLOCK_INIT("services");

static char init_args[256];
static char *init_argv[16];

static struct service *service_of(int pid)
{
	for (int i = 0; i < MAX_SERVICES; i++)
		if (services[i].pid == pid)
			return &services[i];
	return NULL;
}

static void spawn_return(void)
{
	struct proc *p = myproc();
	spin_unlock(&p->lock);
	int err = kernel_exec(p->spawn_path, p->spawn_argv);
	if (err < 0) {
		if (p == init_proc)
			panic("init: cannot exec %s (error %d)", p->spawn_path, -err);
		printk("mnemo: cannot start %s (error %d)\n", p->spawn_path, -err);
		spin_lock(&services_lock);
		struct service *s = service_of(p->pid);
		if (s)
			s->failed = true;
		spin_unlock(&services_lock);
		exit_current(-1);
	}
	user_trap_return();
}

/* A process with the given pid that will exec path with argv. */
static struct proc *spawn(int pid, const char *path, char *const argv[], struct proc *parent)
{
	struct proc *p = proc_alloc_pid(pid);
	if (!p)
		return NULL;
	p->spawn_path = path;
	p->spawn_argv = argv;
	p->ctx.ra = (u64)spawn_return;
	p->cwd = fs_root();
	strlcpy(p->name, argv[0], sizeof(p->name));
	p->parent = parent;
	p->state = PROC_RUNNABLE;
	spin_unlock(&p->lock);
	return p;
}

void userinit_with_args(const char *bootargs)
{
	strlcpy(init_args, bootargs, sizeof(init_args));
	int argc = 0;
	init_argv[argc++] = "init";
	for (char *s = init_args; *s && argc < 15;) {
		while (*s == ' ')
			*s++ = 0;
		if (!*s)
			break;
		init_argv[argc++] = s;
		while (*s && *s != ' ')
			s++;
	}
	init_argv[argc] = NULL;
	init_proc = spawn(1, "/bin/init", init_argv, NULL);
	if (!init_proc)
		panic("userinit: no process slot");
}

void proc_start_service(int pid, const char *path)
{
	spin_lock(&services_lock);
	struct service *s = service_of(0);
	if (!s)
		panic("proc_start_service: too many services");
	s->pid = pid;
	s->path = path;
	const char *base = strchr(path, '/') ? path + strlen(path) : path;
	while (base > path && base[-1] != '/')
		base--;
	s->argv[0] = (char *)base;
	s->argv[1] = NULL;
	spin_unlock(&services_lock);
	spin_lock(&wait_lock);
	if (!spawn(pid, path, s->argv, init_proc))
		panic("proc_start_service: cannot start %s", path);
	spin_unlock(&wait_lock);
}

void proc_service_reaped(int pid)
{
	spin_lock(&services_lock);
	struct service *s = service_of(pid);
	bool again = s && !s->failed;
	spin_unlock(&services_lock);
	if (!again)
		return;
	spin_lock(&wait_lock);
	struct proc *p = spawn(pid, s->path, s->argv, init_proc);
	spin_unlock(&wait_lock);
	if (!p)
		printk("mnemo: cannot restart %s: no process slot\n", s->path);
}
