/* Processes the kernel starts itself: init (PID 1), and services with a
 * reserved pid such as the crypto server (PID 2). Each begins in kernel
 * mode here, execs its program, and drops to user mode.
 *
 * A service runs the image the kernel read at boot, never the file as it
 * is now: a user may replace /bin/crypto_srv, but not the server. When a
 * service's process exits or is killed it is not reaped: the same
 * process, pid and slot, lets go of its memory and files and execs the
 * boot image again, so a restart needs no free process slot and nobody can
 * take the pid meanwhile. If the exec fails (no memory) it tries again,
 * later and later, saying why each time; so does a service that keeps
 * dying as soon as it starts. */
#include "include/uapi/errno.h"
#include "kernel/arch/riscv/trap.h"
#include "kernel/fs/fs.h"
#include "kernel/lib/panic.h"
#include "kernel/lib/printf.h"
#include "kernel/lib/string.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/proc/elf.h"
#include "kernel/proc/proc_internal.h"

#define MAX_SERVICES	  2
#define RETRY_MAX_TICKS	  (2 * TICK_HZ) /* longest wait between restarts */
#define SERVICE_MAX_IMAGE (4UL << 20)

struct service {
	int pid;
	char name[PROC_NAME_LEN];
	char *argv[2];
	struct exec_image image; /* the program, read at boot */
	void (*on_exit)(void);
	u64 started; /* ticks at the last start */
	u64 backoff; /* ticks to wait before the next start */
};

static struct service services[MAX_SERVICES];
static int nservices; /* set at boot, before other harts run */

static char init_args[256];
static char *init_argv[16];
static void (*init_start)(void); /* set at boot, before init runs */

/* What went wrong, in words, for the errors an exec of a checked image
 * can still meet. */
static const char *exec_error(int err)
{
	switch (err) {
	case -ENOMEM:
		return "out of memory";
	case -ENOEXEC:
		return "not a valid program";
	case -EINTR:
		return "killed while starting";
	default:
		return "error";
	}
}

/* Runs s's boot image in the current process, trying until it starts. */
static void service_run(struct service *s) __attribute__((noreturn));
static void service_run(struct service *s)
{
	struct proc *p = myproc();
	for (u64 wait = 1;; wait = MIN(2 * wait, RETRY_MAX_TICKS)) {
		/* A kill aimed at the old image is spent. */
		__atomic_store_n(&p->killed, false, __ATOMIC_RELEASE);
		int err = kernel_exec_image(&s->image, s->name, s->argv);
		if (err == 0) {
			s->started = ticks;
			user_trap_return();
		}
		printk("mnemo: cannot start %s: %s (error %d); trying again in %lu ms\n", s->name,
		       exec_error(err), -err, wait * 1000 / TICK_HZ);
		sleep_ticks(wait);
	}
}

static void spawn_return(void)
{
	struct proc *p = myproc();
	spin_unlock(&p->lock);
	if (p->service)
		service_run(p->service);
	if (p == init_proc && init_start)
		init_start();
	int err = kernel_exec(p->spawn_path, p->spawn_argv);
	if (err < 0)
		panic("init: cannot exec %s (error %d)", p->spawn_path, -err);
	user_trap_return();
}

/* A runnable process with the given pid that will start in spawn_return. */
static struct proc *spawn(int pid, const char *name, struct proc *parent)
{
	struct proc *p = proc_alloc_pid(pid);
	if (!p)
		return NULL;
	p->ctx.ra = (u64)spawn_return;
	struct inode *root = fs_root();
	p->fdt = fdtable_new(root);
	if (!p->fdt) {
		inode_put(root);
		proc_free(p);
		spin_unlock(&p->lock);
		return NULL;
	}
	strlcpy(p->name, name, sizeof(p->name));
	p->parent = parent;
	p->state = PROC_RUNNABLE;
	return p; /* with p->lock held */
}

static void kthread_return(void)
{
	struct proc *p = myproc();
	spin_unlock(&p->lock);
	p->kthread();
	panic("kthread %s returned", p->name);
}

int kthread_start(const char *name, void (*fn)(void))
{
	struct proc *p = spawn(0, name, NULL);
	if (!p)
		return -ENOMEM;
	p->ctx.ra = (u64)kthread_return;
	p->kthread = fn;
	spin_unlock(&p->lock);
	return 0;
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
	init_proc = spawn(1, "init", NULL);
	if (!init_proc)
		panic("userinit: no process slot");
	init_proc->spawn_path = "/bin/init";
	init_proc->spawn_argv = init_argv;
	spin_unlock(&init_proc->lock);
}

void proc_on_init_start(void (*fn)(void))
{
	if (init_start)
		panic("proc_on_init_start: a hook is set already");
	init_start = fn;
}

/* Reads the whole regular file at path into kernel memory. */
static int load_image(const char *path, struct exec_image *img)
{
	struct inode *ip;
	int err = fs_lookup(fs_root(), path, &ip);
	if (err)
		return err;
	u64 size = inode_size(ip);
	u8 *bytes = NULL;
	if (!inode_is_file(ip) || size == 0 || size > SERVICE_MAX_IMAGE)
		err = -ENOEXEC;
	else if (!(bytes = kmalloc(size)))
		err = -ENOMEM;
	else if (inode_read(ip, bytes, 0, size) != (long)size)
		err = -EIO;
	inode_put(ip);
	if (err) {
		kfree(bytes);
		return err;
	}
	img->ip = NULL;
	img->bytes = bytes;
	img->size = size;
	return 0;
}

struct service *proc_start_service(int pid, const char *path, void (*on_exit)(void))
{
	if (nservices == MAX_SERVICES)
		panic("proc_start_service: too many services");
	struct service *s = &services[nservices];
	int err = load_image(path, &s->image);
	if (err) {
		printk("mnemo: cannot read %s (error %d): no such service\n", path, -err);
		return NULL;
	}
	const char *base = path;
	for (const char *c = path; *c; c++)
		if (*c == '/')
			base = c + 1;
	strlcpy(s->name, base, sizeof(s->name));
	s->argv[0] = s->name;
	s->argv[1] = NULL;
	s->pid = pid;
	s->on_exit = on_exit;
	spin_lock(&wait_lock);
	struct proc *p = spawn(pid, s->name, init_proc);
	if (!p)
		panic("proc_start_service: cannot start %s", path);
	p->service = s;
	spin_unlock(&p->lock);
	spin_unlock(&wait_lock);
	nservices++;
	return s;
}

bool proc_runs_service(struct proc *p, const struct service *s)
{
	return s && p->service == s;
}

void service_restart(struct proc *p, int status)
{
	struct service *s = p->service;
	/* One that dies within a second of starting waits longer each time. */
	bool early = ticks - s->started < TICK_HZ;
	s->backoff = early ? MIN(MAX(2 * s->backoff, 1), RETRY_MAX_TICKS) : 0;
	char how[32];
	if (proc_killed(p))
		strlcpy(how, "was killed", sizeof(how));
	else
		snprintk(how, sizeof(how), "exited with status %d", status);
	printk("mnemo: %s (pid %d) %s; starting it again in %lu ms\n", s->name, p->pid, how,
	       s->backoff * 1000 / TICK_HZ);
	if (s->on_exit)
		s->on_exit();
	sleep_ticks(s->backoff);
	service_run(s);
}
