/* Memory calls: mmap, munmap, mprotect and sbrk on the process's own
 * memory (its arena, the play area, the edges of user space), and the
 * futexes. The process's text and stack are never targets: remapping
 * them would not test the kernel, only end the process, or worse, run
 * whatever bytes a file put there. Every range touched is reported to
 * fz_lost_range, so that the memory the process writes itself is mapped
 * again before it does. */
#include "include/uapi/mman.h"

#include "fuzz.h"

/* An address for mmap, munmap and mprotect: the play area (page-aligned,
 * sometimes not), a map_shared_pages result, or any pointer class but the
 * text and the stack. */
static uint64_t fz_map_addr(struct fz_proc *p, struct fz_call *c, int i)
{
	struct fz_rng *r = &p->rng;
	uint64_t a;

	switch (fz_below(r, 10)) {
	case 0:
		fz_arg(c, i, 0, "%s", "");
		return 0;
	case 1:
	case 2:
	case 3: {
		uint64_t page = fz_below(r, FZ_PLAY_SIZE / FZ_PAGE);
		uint64_t skew = fz_chance(r, 10) ? 1 + fz_below(r, FZ_PAGE - 1) : 0;
		a = FZ_PLAY + page * FZ_PAGE + skew;
		fz_arg(c, i, (long)a, "play+0x%lx", (unsigned long)(a - FZ_PLAY));
		return a;
	}
	case 4:
		if (p->nshared_in) {
			const struct fz_region *g = &p->shared_in[fz_below(r, p->nshared_in)];
			fz_arg(c, i, (long)g->start, "shared-in");
			return g->start;
		}
		break;
	default:
		break;
	}
	return fz_ptr_arg(p, c, i, FZ_NO_STACK | FZ_NO_TEXT).addr;
}

static const long fz_prots[] = {
    MNEMO_PROT_NONE,
    MNEMO_PROT_READ,
    MNEMO_PROT_READ | MNEMO_PROT_WRITE,
    MNEMO_PROT_READ | MNEMO_PROT_WRITE,
    MNEMO_PROT_READ | MNEMO_PROT_EXEC,
    MNEMO_PROT_READ | MNEMO_PROT_WRITE | MNEMO_PROT_EXEC,
    MNEMO_PROT_WRITE,
    MNEMO_PROT_EXEC,
    0x8,
    0xff,
    -1,
};

/* A protection: the usual ones, write-only, exec-only, and bits that are none. */
static long fz_prot_arg(struct fz_proc *p, struct fz_call *c, int i)
{
	long prot = fz_prots[fz_below(&p->rng, sizeof(fz_prots) / sizeof(fz_prots[0]))];

	fz_arg(c, i, prot, "%s", "");
	return prot;
}

/* A size that mmap or sbrk could grant is charged against the budget. */
static uint64_t fz_map_size(struct fz_proc *p, struct fz_call *c, int i)
{
	uint64_t len = fz_size_arg(p, c, i, NULL);
	uint64_t charged = fz_charge(p, len);

	if (charged != len)
		fz_arg(c, i, (long)charged, "over-budget");
	return charged;
}

/* mmap of anonymous memory or a descriptor, private or shared (or both, or
 * neither), fixed or not, at the classes of fz_map_addr. */
static void gen_mmap(struct fz_proc *p, struct fz_call *c)
{
	static const long offs[] = {0, 0, FZ_PAGE, 3 * FZ_PAGE, 1, -4096, 1l << 40};
	struct fz_rng *r = &p->rng;
	long flags = fz_chance(r, 70) ? MNEMO_MAP_PRIVATE : MNEMO_MAP_SHARED;

	c->nr = SYS_mmap;
	c->address = true;
	fz_map_addr(p, c, 0);
	fz_map_size(p, c, 1);
	fz_prot_arg(p, c, 2);
	if (fz_chance(r, 5))
		flags ^= MNEMO_MAP_SHARED | MNEMO_MAP_PRIVATE | (fz_chance(r, 50) ? 3 : 0);
	if (fz_chance(r, 80))
		flags |= MNEMO_MAP_ANONYMOUS;
	if (fz_chance(r, 35))
		flags |= MNEMO_MAP_FIXED;
	if (fz_chance(r, 10))
		flags |= MNEMO_MAP_FIXED_NOREPLACE;
	if (fz_chance(r, 5))
		flags |= (long)(fz_next(r) & 0x7ff00);
	fz_arg(c, 3, flags, "%s", "");
	if (flags & MNEMO_MAP_ANONYMOUS)
		fz_arg(c, 4, fz_chance(r, 80) ? -1 : (long)fz_below(r, FZ_NOFILE - 1), "%s", "");
	else
		fz_fd_arg(p, c, 4);
	fz_arg(c, 5, offs[fz_below(r, sizeof(offs) / sizeof(offs[0]))], "%s", "");
}

/* A mapping lies in user space on a page boundary; MAP_FIXED puts it
 * where asked. A fixed mapping that failed may have unmapped its range
 * first, so the range counts as lost either way. */
static void after_mmap(struct fz_proc *p, struct fz_call *c, long ret)
{
	uint64_t addr = (uint64_t)c->arg[0], len = (uint64_t)c->arg[1];
	bool fixed = c->arg[3] & (MNEMO_MAP_FIXED | MNEMO_MAP_FIXED_NOREPLACE);

	if (fixed)
		fz_lost_range(p, addr, len);
	if (ret < 0)
		return;
	fz_lost_range(p, (uint64_t)ret, len);
	if (ret == 0 || (ret & (FZ_PAGE - 1)) || (uint64_t)ret >= FZ_USER_TOP ||
	    (uint64_t)ret + len > FZ_USER_TOP)
		fz_broken(p, "mmap gave 0x%lx for 0x%lx bytes", (unsigned long)ret,
			  (unsigned long)len);
	else if (fixed && (uint64_t)ret != addr)
		fz_broken(p, "MAP_FIXED at 0x%lx gave 0x%lx", (unsigned long)addr,
			  (unsigned long)ret);
}

/* munmap and mprotect refuse a misaligned address and an empty range. */
static void fz_expect_range(struct fz_call *c)
{
	if ((c->arg[0] & (FZ_PAGE - 1)) || c->arg[1] == 0)
		c->expect = -FZ_EINVAL;
}

/* munmap of any range of fz_map_addr's classes. */
static void gen_munmap(struct fz_proc *p, struct fz_call *c)
{
	c->nr = SYS_munmap;
	fz_map_addr(p, c, 0);
	fz_size_arg(p, c, 1, NULL);
	fz_expect_range(c);
}

/* mprotect of any range, with protections valid or not. */
static void gen_mprotect(struct fz_proc *p, struct fz_call *c)
{
	c->nr = SYS_mprotect;
	fz_map_addr(p, c, 0);
	fz_size_arg(p, c, 1, NULL);
	long prot = fz_prot_arg(p, c, 2);
	fz_expect_range(c);
	if ((uint32_t)prot & ~7u)
		c->expect = -FZ_EINVAL;
}

/* The range touched may have held PREP or a crypto slot. */
static void after_unmap_or_protect(struct fz_proc *p, struct fz_call *c, long ret)
{
	(void)ret; /* a failure may come after part of the work */
	fz_lost_range(p, (uint64_t)c->arg[0], (uint64_t)c->arg[1]);
}

/* sbrk by small, page, huge and extreme amounts both ways. */
static void gen_sbrk(struct fz_proc *p, struct fz_call *c)
{
	static const long incr[] = {0,
				    1,
				    FZ_PAGE,
				    -FZ_PAGE,
				    1l << 20,
				    -(1l << 20),
				    1l << 40,
				    -(1l << 40),
				    -1,
				    0x7fffffffffffffff,
				    -0x7fffffffffffffff - 1};
	struct fz_rng *r = &p->rng;
	long v = fz_chance(r, 40) ? (long)fz_below(r, 3 * FZ_PAGE) - (long)FZ_PAGE
				  : incr[fz_below(r, sizeof(incr) / sizeof(incr[0]))];

	c->nr = SYS_sbrk;
	c->address = true;
	if (v > 0 && (uint64_t)v < FZ_USER_TOP && fz_charge(p, (uint64_t)v) != (uint64_t)v)
		fz_arg(c, 0, 1l << 40, "over-budget");
	else
		fz_arg(c, 0, v, "%s", "");
	/* The fill: as the pager (POSIX sbrk), now or on first touch (xv6's
	 * sbrk and sbrklazy), or none of these. */
	unsigned fill = (unsigned)fz_below(r, 20);
	if (fill < 3) {
		fz_arg(c, 1, fill, "%s", fill == 1 ? "eager" : fill == 2 ? "lazy" : "pager");
	} else if (fill == 3) {
		fz_arg(c, 1, (long)fz_next(r), "bad-fill");
		c->expect = -FZ_EINVAL;
	}
}

/* The old break is an address in user space. */
static void after_sbrk(struct fz_proc *p, struct fz_call *c, long ret)
{
	(void)c;
	if (ret >= 0 && (uint64_t)ret >= FZ_USER_TOP)
		fz_broken(p, "the break is at 0x%lx", (unsigned long)ret);
}

/* A futex address fails with EINVAL when misaligned, before anything else,
 * and with EFAULT where nothing can be mapped. */
static void fz_expect_futex(struct fz_call *c, const struct fz_ptr *at)
{
	if (at->addr & 3)
		c->expect = -FZ_EINVAL;
	else if (at->bad)
		c->expect = -FZ_EFAULT;
}

/* The value never matches what the word holds (the kernel's and the
 * fuzzer's data are small numbers, text and random bytes; a random word
 * with its top nibble 0xf is as good as never there), so the call cannot
 * sleep. */
static void gen_futex_wait(struct fz_proc *p, struct fz_call *c)
{
	struct fz_ptr at = fz_ptr_arg(p, c, 0, 0);

	c->nr = SYS_futex_wait;
	fz_arg(c, 1, (long)(0xf0000000u | (uint32_t)fz_below(&p->rng, 0x10000000)), "%s", "");
	fz_expect_futex(c, &at);
}

/* A futex_wait that returns 0 slept and was woken: nobody wakes it here. */
static void after_futex_wait(struct fz_proc *p, struct fz_call *c, long ret)
{
	(void)c;
	if (ret == 0)
		fz_broken(p, "futex_wait slept on a value the word never held");
}

/* futex_wake of any address, for none, one, all or many sleepers. */
static void gen_futex_wake(struct fz_proc *p, struct fz_call *c)
{
	static const long counts[] = {0, 1, -1, 0x7fffffff, 1000};
	struct fz_ptr at = fz_ptr_arg(p, c, 0, 0);

	c->nr = SYS_futex_wake;
	fz_arg(c, 1, counts[fz_below(&p->rng, sizeof(counts) / sizeof(counts[0]))], "%s", "");
	fz_expect_futex(c, &at);
}

const struct fz_entry fz_mem_calls[] = {
    {"mmap", "mem", 6, true, gen_mmap, after_mmap},
    {"munmap", "mem", 4, true, gen_munmap, after_unmap_or_protect},
    {"mprotect", "mem", 4, true, gen_mprotect, after_unmap_or_protect},
    {"sbrk", "mem", 2, true, gen_sbrk, after_sbrk},
    {"futex_wait", "futex", 2, true, gen_futex_wait, after_futex_wait},
    {"futex_wake", "futex", 2, true, gen_futex_wake, NULL},
};
const int fz_nmem_calls = sizeof(fz_mem_calls) / sizeof(fz_mem_calls[0]);
