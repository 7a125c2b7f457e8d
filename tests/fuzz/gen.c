/* Argument generators: pointers, sizes, descriptors and pids, each drawn
 * from classes chosen to reach the kernel's edge cases, with a note that
 * says which class a value came from. Also the bookkeeping that keeps a
 * child's model of its own memory and budget. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "include/uapi/mman.h"

#include "fuzz.h"

void fz_arg(struct fz_call *c, int i, long v, const char *fmt, ...)
{
	va_list ap;

	c->arg[i] = v;
	va_start(ap, fmt);
	vsnprintf(c->note[i], FZ_NOTE, fmt, ap);
	va_end(ap);
	if (c->nargs < i + 1)
		c->nargs = i + 1;
}

/* An offset into a region of size bytes: its start, a page boundary, its
 * last bytes, an aligned or a misaligned spot. */
static uint64_t fz_offset(struct fz_rng *r, uint64_t size)
{
	switch (fz_below(r, 6)) {
	case 0:
		return 0;
	case 1:
		return fz_below(r, size / FZ_PAGE) * FZ_PAGE;
	case 2:
		return size - 1 - fz_below(r, 8);
	case 3:
		return fz_below(r, size) & ~7ul;
	default:
		return fz_below(r, size);
	}
}

/* A pointer somewhere in [base, base+size), named name+offset. */
static struct fz_ptr fz_in(struct fz_rng *r, struct fz_call *c, int i, uint64_t base, uint64_t size,
			   const char *name)
{
	uint64_t off = fz_offset(r, size);

	fz_arg(c, i, (long)(base + off), "%s+0x%lx", name, (unsigned long)off);
	return (struct fz_ptr){.addr = base + off, .room = size - off};
}

/* A pointer nothing of the process's can ever be at. */
static struct fz_ptr fz_bad(struct fz_call *c, int i, uint64_t addr, const char *name)
{
	fz_arg(c, i, (long)addr, "%s", name);
	return (struct fz_ptr){.addr = addr, .bad = true};
}

/* A pointer with a known room and no other property. */
static struct fz_ptr fz_at(struct fz_call *c, int i, uint64_t addr, uint64_t room, const char *name)
{
	fz_arg(c, i, (long)addr, "%s", name);
	return (struct fz_ptr){.addr = addr, .room = room};
}

/* Addresses the Sv39 MMU cannot even name, or that name the kernel. */
static const uint64_t fz_wild[] = {
    0x8000000000ul, 0x0000800000000000ul, 0x7fffffffffffffff, ~0ul,
    -4096ul,	    0xffffffc000000000ul, 0xffffffbfffffffff,
};

/* The pointer classes; read-write memory is drawn more often than the
 * others (FZ_P_COUNT + FZ_P_RW_EXTRA draws). */
enum fz_ptr_class {
	FZ_P_RW,	/* anywhere in RW */
	FZ_P_RW_END,	/* the last bytes before HOLE */
	FZ_P_RO,	/* read-only */
	FZ_P_NONE,	/* PROT_NONE */
	FZ_P_HOLE,	/* unmapped at setup */
	FZ_P_SHARED,	/* MAP_SHARED */
	FZ_P_SLOT,	/* a crypto slot */
	FZ_P_PLAY,	/* the play area */
	FZ_P_SHARED_IN, /* what map_shared_pages gave */
	FZ_P_STACK,	/* the stack buffer */
	FZ_P_TEXT,	/* the program's code */
	FZ_P_DONOR,	/* the parent's donor pages, inherited */
	FZ_P_NULL,
	FZ_P_ONE,
	FZ_P_PAGE_1,   /* the last byte of page 0 */
	FZ_P_TOP_1,    /* the last byte of user space */
	FZ_P_TOP_PAGE, /* the last page of user space (the stack's top) */
	FZ_P_USER_TOP, /* MM_USER_TOP itself */
	FZ_P_KERNEL,   /* the kernel image */
	FZ_P_WILD,     /* non-canonical and other impossible addresses */
	FZ_P_RANDOM,   /* random below MM_USER_TOP */
	FZ_P_RANDOM64, /* random 64 bits */
	FZ_P_COUNT,
	FZ_P_RW_EXTRA = 4,
};

struct fz_ptr fz_ptr_arg(struct fz_proc *p, struct fz_call *c, int i, unsigned avoid)
{
	struct fz_rng *r = &p->rng;
	unsigned k = (unsigned)fz_below(r, FZ_P_COUNT + FZ_P_RW_EXTRA);
	uint64_t off, a;

	if (k >= FZ_P_COUNT || (k == FZ_P_STACK && (avoid & FZ_NO_STACK)) ||
	    (k == FZ_P_TEXT && (avoid & FZ_NO_TEXT)) || (k == FZ_P_TOP_PAGE && (avoid & FZ_NO_TOP)))
		k = FZ_P_RW;
	if (k == FZ_P_SHARED_IN && p->nshared_in == 0)
		k = FZ_P_SHARED;
	switch ((enum fz_ptr_class)k) {
	case FZ_P_RW_END:
		off = 1 + fz_below(r, 64);
		return fz_at(c, i, FZ_HOLE - off, off, "rw-end");
	case FZ_P_RO:
		return fz_in(r, c, i, FZ_RO, FZ_PAGE, "ro");
	case FZ_P_NONE:
		return fz_in(r, c, i, FZ_NONE, FZ_PAGE, "none");
	case FZ_P_HOLE:
		return fz_in(r, c, i, FZ_HOLE, FZ_PAGE, "hole");
	case FZ_P_SHARED:
		return fz_in(r, c, i, FZ_SHARED, FZ_SHARED_SIZE, "shared");
	case FZ_P_SLOT: {
		static const char *const names[FZ_NCRYPTO] = {"slot0", "slot1", "slot2", "slot3"};
		uint64_t slot = fz_below(r, FZ_NCRYPTO);
		return fz_in(r, c, i, FZ_CRYPTO + slot * FZ_SLOT_SIZE, FZ_SLOT_SIZE, names[slot]);
	}
	case FZ_P_PLAY:
		return fz_in(r, c, i, FZ_PLAY, FZ_PLAY_SIZE, "play");
	case FZ_P_SHARED_IN: {
		const struct fz_region *g = &p->shared_in[fz_below(r, p->nshared_in)];
		return fz_in(r, c, i, g->start, g->len, "shared-in");
	}
	case FZ_P_STACK: {
		struct fz_ptr x = fz_in(r, c, i, (uint64_t)p->stack, FZ_STACK_BYTES, "stack");
		x.stack = true;
		return x;
	}
	case FZ_P_TEXT:
		return fz_at(c, i, (uint64_t)&fz_ptr_arg + fz_below(r, 64), 0, "text");
	case FZ_P_DONOR:
		return fz_in(r, c, i, FZ_DONOR, FZ_DONOR_SIZE, "donor");
	case FZ_P_NULL:
		return fz_bad(c, i, 0, "null");
	case FZ_P_ONE:
		return fz_bad(c, i, 1, "one");
	case FZ_P_PAGE_1:
		return fz_bad(c, i, FZ_PAGE - 1, "page-1");
	case FZ_P_TOP_1:
		return fz_at(c, i, FZ_USER_TOP - 1, 1, "top-1");
	case FZ_P_TOP_PAGE:
		return fz_at(c, i, FZ_USER_TOP - FZ_PAGE, FZ_PAGE, "top-page");
	case FZ_P_USER_TOP:
		return fz_bad(c, i, FZ_USER_TOP, "user-top");
	case FZ_P_KERNEL:
		return fz_bad(c, i, FZ_KERNEL + (fz_below(r, 4096) & ~7ul), "kernel");
	case FZ_P_WILD:
		return fz_bad(c, i, fz_wild[fz_below(r, sizeof(fz_wild) / sizeof(fz_wild[0]))],
			      "wild");
	case FZ_P_RANDOM:
		return fz_at(c, i, fz_below(r, FZ_USER_TOP), 0, "random");
	case FZ_P_RANDOM64:
		a = fz_next(r);
		return a >= FZ_USER_TOP ? fz_bad(c, i, a, "random") : fz_at(c, i, a, 0, "random");
	default:
		return fz_in(r, c, i, FZ_RW, FZ_RW_SIZE, "rw");
	}
}

uint64_t fz_size_arg(struct fz_proc *p, struct fz_call *c, int i, const struct fz_ptr *at)
{
	struct fz_rng *r = &p->rng;
	uint64_t room = at ? at->room : 0, v, extra;

	switch (fz_below(r, 18)) {
	case 0:
		v = 0;
		break;
	case 1:
		v = 1;
		break;
	case 2:
		v = 2 + fz_below(r, 63);
		break;
	case 3:
		v = 1 + fz_below(r, FZ_PAGE);
		break;
	case 4:
		v = FZ_PAGE - 1 + fz_below(r, 3);
		break;
	case 5:
		if (!room)
			room = 8;
		fz_arg(c, i, (long)room, "room");
		return room;
	case 6:
		extra = 1 + fz_below(r, 64);
		v = (room ? room : FZ_PAGE) + extra;
		if (at && at->stack)
			break; /* clamped below */
		fz_arg(c, i, (long)v, "room+%lu", (unsigned long)extra);
		return v;
	case 7:
		v = fz_below(r, 65536);
		break;
	case 8:
		v = 1ul << 20;
		break;
	case 9:
		v = 0x7fffffff + fz_below(r, 2);
		break;
	case 10:
		v = 0xffffffff;
		break;
	case 11:
		v = (1ul << 32) + fz_below(r, 16);
		break;
	case 12:
		v = 1ul << 40;
		break;
	case 13:
		v = ~0ul;
		break;
	case 14:
		v = -4096ul;
		break;
	case 15:
		v = 1ul << 63;
		break;
	case 16:
		v = fz_next(r);
		break;
	default:
		v = 8 * (1 + fz_below(r, 64));
		break;
	}
	/* The kernel must be able to fill a stack buffer without the
	 * process losing the frames above it. */
	if (at && at->stack && v > at->room) {
		fz_arg(c, i, (long)at->room, "stack-room");
		return at->room;
	}
	fz_arg(c, i, (long)v, "%s", "");
	return v;
}

static const char *const fz_fd_names[] = {
    [FZ_FD_CLOSED] = "closed", [FZ_FD_OPEN] = "open", [FZ_FD_PIPE_R] = "pipe-r",
    [FZ_FD_PIPE_W] = "pipe-w", [FZ_FD_LOG] = "log",
};

/* Notes what the model thinks of descriptor fd. */
static void fz_fd_note(const struct fz_proc *p, struct fz_call *c, int i, long v)
{
	int fd = (int)v;

	if (fd >= 0 && fd < FZ_NOFILE)
		fz_arg(c, i, v, "%s", fz_fd_names[p->fd[fd].kind]);
	else
		fz_arg(c, i, v, "%s", "bad");
}

int fz_open_fd(struct fz_proc *p)
{
	int open[FZ_NOFILE], n = 0;

	for (int fd = 0; fd < FZ_NOFILE; fd++)
		if (p->fd[fd].kind != FZ_FD_CLOSED && p->fd[fd].kind != FZ_FD_LOG)
			open[n++] = fd;
	return n ? open[fz_below(&p->rng, n)] : -1;
}

static const long fz_wild_fds[] = {-1, FZ_NOFILE, 1000, 0x7fffffff, -0x7fffffffl - 1};

int fz_fd_arg(struct fz_proc *p, struct fz_call *c, int i)
{
	struct fz_rng *r = &p->rng;
	long v;

	switch (fz_below(r, 10)) {
	case 6:
	case 7:
		v = (long)fz_below(r, FZ_NOFILE);
		break;
	case 8:
		v = fz_wild_fds[fz_below(r, sizeof(fz_wild_fds) / sizeof(fz_wild_fds[0]))];
		break;
	case 9:
		/* The kernel reads an int: the high half must not matter. */
		v = (long)((1ul << 32) | fz_below(r, FZ_NOFILE));
		break;
	default:
		v = fz_open_fd(p);
		if (v < 0)
			v = (long)fz_below(r, 8);
		break;
	}
	if ((int)v == FZ_LOG_FD)
		v--;
	fz_fd_note(p, c, i, v);
	return (int)v;
}

int fz_newfd_arg(struct fz_proc *p, struct fz_call *c, int i)
{
	struct fz_rng *r = &p->rng;
	long v = fz_chance(r, 85)
		     ? (long)fz_below(r, FZ_NOFILE)
		     : fz_wild_fds[fz_below(r, sizeof(fz_wild_fds) / sizeof(fz_wild_fds[0]))];

	if (v == FZ_LOG_FD)
		v--;
	fz_fd_note(p, c, i, v);
	return (int)v;
}

/* A pid no process will have in this run (pids are never reused). For
 * kill, never -1 (every process) nor a group the round's processes share
 * with the runner: a group no process has instead. */
static int fz_no_pid(struct fz_proc *p, struct fz_call *c, int i, bool kill)
{
	static const int wild[] = {-1, -0x7fffffff - 1, 0x7fffffff};
	int pid = fz_chance(&p->rng, 50) ? p->pid + 1000000
					 : wild[fz_below(&p->rng, sizeof(wild) / sizeof(wild[0]))];
	if (kill && pid == -1)
		pid = -(p->pid + 1000000);

	fz_arg(c, i, pid, "no-such");
	return pid;
}

int fz_pid_arg(struct fz_proc *p, struct fz_call *c, int i, enum fz_pid_use use)
{
	struct fz_rng *r = &p->rng;
	bool kill = use == FZ_PID_KILL;
	bool kid = p->slot >= FZ_MAX_CHILDREN;

	switch (fz_below(r, 9)) {
	case 0:
		/* Killing itself ends the process: rarely. */
		if (kill && fz_chance(r, 70))
			break;
		fz_arg(c, i, p->pid, "self");
		return p->pid;
	case 1:
		if (!p->nkids)
			break;
		{
			int pid = p->kids[fz_below(r, p->nkids)];
			fz_arg(c, i, pid, "kid");
			return pid;
		}
	case 2:
		if (!p->nsiblings)
			break;
		{
			int pid = p->siblings[fz_below(r, p->nsiblings)];
			fz_arg(c, i, pid, "sibling");
			return pid;
		}
	case 3:
		/* A child's parent runs the fuzzer: never killed. */
		if (kill && !kid)
			break;
		fz_arg(c, i, p->ppid, "parent");
		return p->ppid;
	case 4:
		if (kill)
			break;
		fz_arg(c, i, 1, "init");
		return 1;
	case 5:
		if (kill)
			break;
		fz_arg(c, i, 2, "crypto-srv");
		return 2;
	case 6:
		if (use == FZ_PID_WAIT || kill)
			break;
		fz_arg(c, i, 0, "caller");
		return 0;
	default:
		break;
	}
	if (use == FZ_PID_WAIT && fz_chance(r, 50)) {
		fz_arg(c, i, -1, "any");
		return -1;
	}
	return fz_no_pid(p, c, i, kill);
}

uint64_t fz_charge(struct fz_proc *p, uint64_t len)
{
	/* What cannot be placed in user space fails without costing. */
	if (len >= FZ_USER_TOP)
		return len;
	uint64_t pages = (len + FZ_PAGE - 1) / FZ_PAGE * FZ_PAGE;
	if (pages > p->budget)
		return 1ul << 62;
	p->budget -= pages;
	return len;
}

/* Does [a, b) meet [s, e)? */
static bool fz_meets(uint64_t a, uint64_t b, uint64_t s, uint64_t e)
{
	return a < e && s < b;
}

void fz_lost_range(struct fz_proc *p, uint64_t addr, uint64_t len)
{
	uint64_t start = addr & ~(FZ_PAGE - 1);
	uint64_t end = addr + len < addr ? ~0ul : addr + len;

	if (len == 0)
		return;
	if (fz_meets(start, end, FZ_PREP, FZ_PREP + FZ_PREP_SIZE))
		p->prep_lost = true;
	for (int k = 0; k < FZ_NCRYPTO; k++) {
		uint64_t s = FZ_CRYPTO + k * FZ_SLOT_SIZE;
		if (fz_meets(start, end, s, s + FZ_SLOT_RW))
			p->slot_lost[k] = true;
	}
}

void fz_prep_ready(struct fz_proc *p)
{
	if (!p->prep_lost)
		return;
	long at = fz_sub(p, "mmap", SYS_mmap, 6, FZ_PREP, FZ_PREP_SIZE,
			 MNEMO_PROT_READ | MNEMO_PROT_WRITE,
			 MNEMO_MAP_PRIVATE | MNEMO_MAP_ANONYMOUS | MNEMO_MAP_FIXED, -1, 0);
	p->prep_lost = at != (long)FZ_PREP;
}
