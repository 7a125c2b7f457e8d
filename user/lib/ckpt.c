/* <ckpt.h>: incremental checkpoints by mprotect and SIGSEGV.
 *
 * The kernel does the paging; this file does a second layer of it, in
 * user space, on pages the kernel has already filled. Everything rests on
 * one promise of the kernel (kernel/arch/riscv/trap.c, user_fault, and
 * kernel/proc/signal.c): a write to a read-only page that a handler
 * catches does not kill the process. The kernel saves the registers in a
 * frame on the user stack, runs the handler with si_addr = the address
 * and si_code = SEGV_ACCERR, and when the handler returns, sigreturn puts
 * the registers back and the faulting store runs again: from scratch,
 * with whatever protection the handler left.
 *
 * The handler may only call what is safe in a signal handler: memcpy,
 * mprotect and sigaction are. */
#include <ckpt.h>
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>

/* The regions being checkpointed, for the handler to find the one a
 * fault is in. Changed only outside the handler, by ckpt_init and
 * ckpt_fini, which touch no region's pages themselves. */
static struct ckpt *ckpt_regions[CKPT_MAX];
static int ckpt_nregions;
static struct sigaction ckpt_old; /* SIGSEGV's action before ours */

/* Bytes of the area behind a region of npages pages: the saved copies,
 * then dirty[], then log[] (4-byte aligned, as npages pages of saved
 * copies end on a page boundary and dirty[] is rounded up). */
static size_t ckpt_area_size(size_t npages, size_t *dirty_off, size_t *log_off)
{
	*dirty_off = npages * CKPT_PAGE;
	*log_off = *dirty_off + ((npages + 3) & ~(size_t)3);
	size_t end = *log_off + npages * sizeof(uint32_t);
	return (end + CKPT_PAGE - 1) & ~(size_t)(CKPT_PAGE - 1);
}

static struct ckpt *ckpt_owner(const char *addr)
{
	for (int i = 0; i < CKPT_MAX; i++) {
		struct ckpt *c = ckpt_regions[i];
		if (c && addr >= c->base && addr < c->base + c->npages * CKPT_PAGE)
			return c;
	}
	return NULL;
}

/* A fault that is not ours: hand it to the action SIGSEGV had before
 * ckpt_init. A handler of its own is called as the kernel would have.
 * The default action (or SIG_IGN, which the kernel does not honour for a
 * fault) is put back, and we return: the access runs again, faults
 * again, and this time the process ends with SIGSEGV, as if we had never
 * been here. */
static void ckpt_pass(int sig, siginfo_t *si, void *uc)
{
	if (ckpt_old.sa_handler != SIG_DFL && ckpt_old.sa_handler != SIG_IGN) {
		if (ckpt_old.sa_flags & SA_SIGINFO)
			ckpt_old.sa_sigaction(sig, si, uc);
		else
			ckpt_old.sa_handler(sig);
		return;
	}
	sigaction(SIGSEGV, &ckpt_old, NULL);
}

/* The SIGSEGV handler: the first write to a page since the checkpoint. */
static void ckpt_on_segv(int sig, siginfo_t *si, void *uc)
{
	char *addr = si->si_addr;
	struct ckpt *c = ckpt_owner(addr);

	/* Ours only if it is a protection fault (SEGV_ACCERR: the page is
	 * mapped, the access not allowed) in a page we made read-only. A
	 * page already dirty is writable: if it faults, someone else
	 * changed its protection, and it is not for us to undo that. */
	if (!c || si->si_code != SEGV_ACCERR) {
		ckpt_pass(sig, si, uc);
		return;
	}
	size_t i = (size_t)(addr - c->base) / CKPT_PAGE;
	char *page = c->base + i * CKPT_PAGE;
	if (c->dirty[i]) {
		ckpt_pass(sig, si, uc);
		return;
	}
	/* The store has not happened: the page still holds what it held at
	 * the checkpoint. Save it before the store can land. */
	memcpy(c->saved + i * CKPT_PAGE, page, CKPT_PAGE);
	if (mprotect(page, CKPT_PAGE, PROT_READ | PROT_WRITE) < 0) {
		/* No memory to split the mapping: the store would fault
		 * forever. Let the old action have it. */
		ckpt_pass(sig, si, uc);
		return;
	}
	c->dirty[i] = 1;
	c->log[c->nlog++] = (uint32_t)i;
	c->faults++;
	/* Returning runs sigreturn (the restorer in the frame's ra): the
	 * registers come back and the store runs again, on a writable page. */
}

int ckpt_init(struct ckpt *c, void *base, size_t npages)
{
	size_t dirty_off, log_off;
	int slot = 0;

	memset(c, 0, sizeof(*c));
	while (slot < CKPT_MAX && ckpt_regions[slot])
		slot++;
	if (((uintptr_t)base & (CKPT_PAGE - 1)) || npages == 0 || npages > UINT32_MAX ||
	    slot == CKPT_MAX) {
		errno = EINVAL;
		return -1;
	}
	/* One anonymous mapping for the save area and the bookkeeping. Under
	 * the lazy pager it costs only the pages that get written: the save
	 * slot of a page is touched first when that page is first dirtied. */
	size_t size = ckpt_area_size(npages, &dirty_off, &log_off);
	char *area = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (area == MAP_FAILED)
		return -1;
	c->base = base;
	c->npages = npages;
	c->saved = area;
	c->dirty = (uint8_t *)(area + dirty_off);
	c->log = (uint32_t *)(area + log_off);

	if (ckpt_nregions == 0) {
		/* SA_SIGINFO: we need si_addr and si_code. No SA_NODEFER: a
		 * fault inside the handler itself is a bug, and with SIGSEGV
		 * blocked the kernel kills the process at once for it. */
		struct sigaction sa = {.sa_sigaction = ckpt_on_segv, .sa_flags = SA_SIGINFO};
		sigemptyset(&sa.sa_mask);
		if (sigaction(SIGSEGV, &sa, &ckpt_old) < 0) {
			munmap(area, size);
			return -1;
		}
	}
	ckpt_regions[slot] = c;
	ckpt_nregions++;
	return 0;
}

int ckpt_begin(struct ckpt *c)
{
	if (mprotect(c->base, c->npages * CKPT_PAGE, PROT_READ) < 0)
		return -1;
	for (size_t k = 0; k < c->nlog; k++)
		c->dirty[c->log[k]] = 0;
	c->nlog = 0;
	return 0;
}

long ckpt_rollback(struct ckpt *c)
{
	long restored = (long)c->nlog;

	/* Only dirty pages differ from the checkpoint, and they are the
	 * writable ones: copying back faults nothing. */
	for (size_t k = 0; k < c->nlog; k++) {
		size_t i = c->log[k];
		memcpy(c->base + i * CKPT_PAGE, c->saved + i * CKPT_PAGE, CKPT_PAGE);
	}
	if (ckpt_begin(c) < 0)
		return -1;
	return restored;
}

void ckpt_fini(struct ckpt *c)
{
	size_t dirty_off, log_off;

	mprotect(c->base, c->npages * CKPT_PAGE, PROT_READ | PROT_WRITE);
	for (int i = 0; i < CKPT_MAX; i++)
		if (ckpt_regions[i] == c)
			ckpt_regions[i] = NULL;
	if (--ckpt_nregions == 0)
		sigaction(SIGSEGV, &ckpt_old, NULL);
	munmap(c->saved, ckpt_area_size(c->npages, &dirty_off, &log_off));
	memset(c, 0, sizeof(*c));
}
