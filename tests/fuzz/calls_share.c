/* Page sharing: map_shared_pages between the process and itself, its
 * parent, its children, its siblings, init, the crypto server and pids
 * nobody has; unmap_shared_pages of what it got and of anything else.
 *
 * The rules: the caller must be one of the two sides (else EINVAL), and
 * init and the crypto server are never a side (docs: "a caller shares
 * only between itself and its own descendants"), even for an orphan whose
 * parent init has become.
 *
 * A child's parent is the fuzzer itself: its pages may be mapped only
 * from its donor area (fuzz.h), never its stack or data, since the child
 * could then write into them; what a child maps into its parent, the
 * parent unmaps after the round (clean.c). */
#include "fuzz.h"

/* Is pid, as the kernel will read it, the caller? */
static bool fz_is_self(const struct fz_proc *p, long pid)
{
	return (int)pid == 0 || (int)pid == p->pid;
}

/* The source address: in the source's memory, which for the fuzzer
 * parent is its donor pages (or arena addresses it does not map). */
static void fz_share_src(struct fz_proc *p, struct fz_call *c, long src)
{
	bool parent_is_fuzzer = p->slot < FZ_MAX_CHILDREN && (int)src == p->ppid;

	if (parent_is_fuzzer && fz_chance(&p->rng, 60)) {
		uint64_t off = fz_below(&p->rng, FZ_DONOR_SIZE);
		fz_arg(c, 2, (long)(FZ_DONOR + off), "donor+0x%lx", (unsigned long)off);
		return;
	}
	fz_ptr_arg(p, c, 2, FZ_NO_STACK | (parent_is_fuzzer ? FZ_NO_TEXT | FZ_NO_TOP : 0));
}

/* map_shared_pages: the caller as the source, the destination, both or
 * neither, with the other side any pid of fz_pid_arg. */
static void gen_map_shared(struct fz_proc *p, struct fz_call *c)
{
	struct fz_rng *r = &p->rng;
	long src, dst;

	c->nr = SYS_map_shared_pages;
	c->address = true;
	switch (fz_below(r, 10)) {
	case 0:
	case 1:
	case 2:
	case 3:
		src = fz_chance(r, 50) ? 0 : p->pid;
		fz_arg(c, 0, src, src ? "self" : "caller");
		dst = fz_pid_arg(p, c, 1, FZ_PID_SHARE);
		break;
	case 4:
	case 5:
	case 6:
		src = fz_pid_arg(p, c, 0, FZ_PID_SHARE);
		dst = fz_chance(r, 50) ? 0 : p->pid;
		fz_arg(c, 1, dst, dst ? "self" : "caller");
		break;
	case 7:
		src = fz_pid_arg(p, c, 0, FZ_PID_SHARE);
		dst = fz_pid_arg(p, c, 1, FZ_PID_SHARE);
		break;
	default:
		src = p->pid;
		fz_arg(c, 0, src, "self");
		dst = p->ppid;
		fz_arg(c, 1, dst, "parent");
		break;
	}
	fz_share_src(p, c, src);
	fz_size_arg(p, c, 3, NULL);

	bool src_self = fz_is_self(p, src), dst_self = fz_is_self(p, dst);
	long other = src_self ? dst : src;
	if ((!src_self && !dst_self) || (src_self && dst_self))
		c->expect = -FZ_EINVAL;
	else if ((int)other == 1 || (int)other == 2)
		c->must_fail = true;
}

/* What the process got is remembered (the last few) as a pointer class,
 * so that later calls read, write, unmap and share it again. */
static void after_map_shared(struct fz_proc *p, struct fz_call *c, long ret)
{
	if (ret < 0)
		return;
	if ((uint64_t)ret >= FZ_USER_TOP)
		fz_broken(p, "map_shared_pages gave 0x%lx", (unsigned long)ret);
	else if (fz_is_self(p, c->arg[1])) {
		int k = p->nshared_in < FZ_MAX_SHARED ? p->nshared_in++
						      : (int)fz_below(&p->rng, FZ_MAX_SHARED);
		p->shared_in[k] =
		    (struct fz_region){(uint64_t)ret & ~(FZ_PAGE - 1),
				       ((uint64_t)ret & (FZ_PAGE - 1)) + (uint64_t)c->arg[3]};
	}
}

/* unmap_shared_pages of what map_shared_pages gave (all, the rest, or
 * any size), or of any pointer. */
static void gen_unmap_shared(struct fz_proc *p, struct fz_call *c)
{
	struct fz_rng *r = &p->rng;

	c->nr = SYS_unmap_shared_pages;
	if (p->nshared_in && fz_chance(r, 60)) {
		const struct fz_region *g = &p->shared_in[fz_below(r, p->nshared_in)];
		uint64_t skip = fz_chance(r, 20) ? fz_below(r, g->len) : 0;
		fz_arg(c, 0, (long)(g->start + skip), "shared-in+0x%lx", (unsigned long)skip);
		if (fz_chance(r, 60))
			fz_arg(c, 1, (long)(g->len - skip), "rest");
		else
			fz_size_arg(p, c, 1, NULL);
	} else {
		fz_ptr_arg(p, c, 0, 0);
		fz_size_arg(p, c, 1, NULL);
	}
	if (c->arg[1] == 0)
		c->expect = -FZ_EINVAL;
}

const struct fz_entry fz_share_calls[] = {
    {"map_shared_pages", "share", 5, true, gen_map_shared, after_map_shared},
    {"unmap_shared_pages", "share", 3, true, gen_unmap_shared, NULL},
};
const int fz_nshare_calls = sizeof(fz_share_calls) / sizeof(fz_share_calls[0]);
