/* The life of a fuzzing process. A child sets up its descriptors, working
 * directory and memory (the layout in fuzz.h), makes its random calls,
 * and exits; a grandchild, forked by a child's fork call, makes a few
 * calls of the kinds that need no descriptor model and exits. Every
 * system call goes through step.c, so it is counted, said in the status
 * slot and printed with --print. */
#include <string.h>

#include "include/uapi/fcntl.h"
#include "include/uapi/mman.h"

#include "fuzz.h"

#define FZ_RW_PROT (MNEMO_PROT_READ | MNEMO_PROT_WRITE)

/* Maps [addr, addr+len) afresh with prot (flags: private or shared). */
static long fz_map(struct fz_proc *p, uint64_t addr, uint64_t len, long prot, long flags)
{
	return fz_sub(p, "mmap", SYS_mmap, 6, (long)addr, (long)len, prot,
		      flags | MNEMO_MAP_ANONYMOUS | MNEMO_MAP_FIXED, -1l, 0l);
}

/* Standard input, output and error become /dev/null: the console would
 * make a read sleep forever, and the runner's pipe must not see the
 * fuzzer's writes. FZ_LOG_FD stays as the parent set it. */
static void fz_setup_fds(struct fz_proc *p)
{
	long fd = fz_sub(p, "open", SYS_open, 2, (long)"/dev/null", (long)MNEMO_O_RDWR);

	for (int i = 0; i < 3 && fd >= 0; i++)
		if (fd != i)
			fz_sub(p, "dup2", SYS_dup2, 2, fd, (long)i);
	if (fd > 2)
		fz_sub(p, "close", SYS_close, 1, fd);
	for (int i = 0; i < FZ_NOFILE; i++)
		p->fd[i].kind = i < 3 ? FZ_FD_OPEN : FZ_FD_CLOSED;
	p->fd[FZ_LOG_FD].kind = FZ_FD_LOG;
}

/* The working directory becomes /tmp/fz, made again if a sibling has
 * removed it already. A child that cannot get there stops: relative
 * paths must never resolve outside /tmp/fz*. */
static void fz_setup_cwd(struct fz_proc *p)
{
	if (fz_sub(p, "chdir", SYS_chdir, 1, (long)"/tmp/fz") == 0)
		return;
	fz_sub(p, "mkdir", SYS_mkdir, 1, (long)"/tmp/fz");
	if (fz_sub(p, "chdir", SYS_chdir, 1, (long)"/tmp/fz") != 0)
		fz_exit(p, 0);
}

/* The memory of fuzz.h. What fails to map is only a pointer class that
 * faults; PREP and the slots are retried before each use. */
static void fz_setup_memory(struct fz_proc *p)
{
	fz_map(p, FZ_RW, FZ_RW_SIZE, FZ_RW_PROT, MNEMO_MAP_PRIVATE);
	/* The read-only page holds no NUL, so a path read there runs on
	 * into the PROT_NONE page. */
	if (fz_map(p, FZ_RO, FZ_PAGE, FZ_RW_PROT, MNEMO_MAP_PRIVATE) == (long)FZ_RO)
		memset((void *)FZ_RO, 'Z', FZ_PAGE);
	fz_sub(p, "mprotect", SYS_mprotect, 3, (long)FZ_RO, (long)FZ_PAGE, (long)MNEMO_PROT_READ);
	fz_map(p, FZ_NONE, FZ_PAGE, MNEMO_PROT_NONE, MNEMO_MAP_PRIVATE);
	fz_map(p, FZ_SHARED, FZ_SHARED_SIZE, FZ_RW_PROT, MNEMO_MAP_SHARED);
	for (int k = 0; k < FZ_NCRYPTO; k++) {
		uint64_t s = FZ_CRYPTO + (uint64_t)k * FZ_SLOT_SIZE;
		p->slot_lost[k] =
		    fz_map(p, s, FZ_SLOT_RW, FZ_RW_PROT, MNEMO_MAP_PRIVATE) != (long)s;
		fz_map(p, s + FZ_SLOT_RW, FZ_PAGE, MNEMO_PROT_READ, MNEMO_MAP_PRIVATE);
	}
	p->prep_lost = true;
	fz_prep_ready(p);
}

void fz_exit(struct fz_proc *p, int status)
{
	p->status->slot[p->slot].state = FZ_SLOT_DONE;
	fz_sub(p, "exit", SYS_exit, 1, (long)status);
	for (;;)
		; /* exit does not return */
}

void fz_child_main(const struct fz_opts *o, struct fz_status *st, long round, int index,
		   const int *siblings)
{
	uint8_t stack[FZ_STACK_BYTES]; /* the "stack" pointer class */
	struct fz_proc p;

	memset(&p, 0, sizeof(p));
	p.opts = o;
	p.status = st;
	p.round = round;
	p.child = p.slot = index;
	p.stack = stack;
	p.budget = FZ_BUDGET;
	fz_rng_init(&p.rng, o->seed, (uint64_t)round, (uint64_t)index);
	memcpy(p.siblings, siblings, (size_t)index * sizeof(int));
	p.nsiblings = index;
	st->slot[index].state = FZ_SLOT_RUNNING;
	p.pid = (int)fz_sub(&p, "getpid", SYS_getpid, 0);
	p.ppid = (int)fz_sub(&p, "getppid", SYS_getppid, 0);
	st->slot[index].pid = p.pid;

	fz_setup_fds(&p);
	fz_setup_cwd(&p);
	fz_setup_memory(&p);
	p.limit = p.ncalls + o->per_child;
	while (p.ncalls < p.limit)
		fz_step(&p);
	fz_exit(&p, 0);
}

void fz_note_kid(struct fz_proc *p, int pid)
{
	p->status->slot[fz_kid_slot(p->child, p->nkids)].pid = pid;
	p->kids[p->nkids++] = pid;
}

void fz_become_kid(struct fz_proc *p, int kid)
{
	struct fz_slot *s;

	p->slot = fz_kid_slot(p->child, kid);
	s = &p->status->slot[p->slot];
	s->state = FZ_SLOT_RUNNING;
	fz_rng_init(&p->rng, p->opts->seed, (uint64_t)p->round, (uint64_t)p->slot);
	p->ncalls = 0;
	p->ppid = p->pid;
	p->pid = (int)fz_sub(p, "getpid", SYS_getpid, 0);
	s->pid = p->pid;
	p->nkids = 0;
	p->limit = FZ_KID_CALLS;
}

/* Sometimes a grandchild sleeps first, so that it outlives its parent
 * and is an orphan of init's while it calls. */
void fz_kid_main(struct fz_proc *p, int kid)
{
	fz_become_kid(p, kid);
	if (fz_chance(&p->rng, 30))
		fz_sub(p, "sleep", SYS_sleep, 1, (long)(1 + fz_below(&p->rng, 3)));
	p->limit = p->ncalls + FZ_KID_CALLS;
	while (p->ncalls < p->limit)
		fz_step(p);
	fz_exit(p, 0);
}
