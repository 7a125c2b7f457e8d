/* Paging in user space with mprotect and SIGSEGV (docs/user-paging.md).
 *
 * First what the technique rests on, with a handler of the test's own:
 * the handler sees the faulting address and SEGV_ACCERR or SEGV_MAPERR;
 * after it returns, the faulting instruction runs again (and faults again
 * if the handler fixed nothing), with every register as it was, or as the
 * handler left it in the ucontext; a fault it does not take (SIG_DFL put
 * back, SIGSEGV blocked, no stack for the frame) ends the process with
 * SIGSEGV.
 *
 * Then the checkpoint library (user/lib/ckpt.c): exactly the pages
 * written are recorded, each once, in the order of their first writes;
 * rollback brings back every byte; a commit moves the checkpoint; a fork
 * keeps the two logs apart; faults not in a region go to the action
 * SIGSEGV had before; ckpt_fini gives back every page. Last, the demo
 * program /bin/ckpt prints what docs/user-paging.md shows. */
#include <ckpt.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <ucontext.h>

#include "test.h"

#define PAGE TEST_PAGE
#define RW   (PROT_READ | PROT_WRITE)

/* After an access that may run a handler, before reading what the
 * handler wrote: the compiler does not know that a store can call a
 * function, and would be free to read the handler's results (and the
 * library's log) before the store. This fence tells it. */
#define HANDLED() atomic_signal_fence(memory_order_seq_cst)

static char *map(long npages, int prot)
{
	char *p = mmap(NULL, npages * PAGE, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

/* Runs fn(arg) in a child and returns the signal that ended it, or
 * -(1 + its exit code) if it exited, or -1000 if fork failed. */
static int child_signal(int (*fn)(long), long arg)
{
	int status, pid = fork();

	if (pid < 0)
		return -1000;
	if (pid == 0)
		_exit(fn(arg));
	if (waitpid(pid, &status, 0) != pid)
		return -1000;
	return WIFSIGNALED(status) ? WTERMSIG(status) : -(1 + WEXITSTATUS(status));
}

/* ---------------------------------------------------------------- the kernel's part */

/* What the test's handler does with a fault. */
enum fix {
	FIX_RW,	    /* mprotect the page read-write */
	FIX_R,	    /* mprotect it read-only (a read fault on PROT_NONE) */
	FIX_MAP,    /* map a fresh page there (a fault on a hole) */
	FIX_LATE,   /* nothing until the LATE_AFTER-th fault, then read-write */
	FIX_UNMAP,  /* nothing, then unmap it, then map a fresh one */
	FIX_SKIP,   /* no fix: step over the instruction, set a5 */
	FIX_DFL,    /* put SIG_DFL back and return */
	FIX_NESTED, /* touch nest_b (also protected) first, then read-write */
};

#define LATE_AFTER 5
#define MAX_SEEN   8

static volatile enum fix fix;
static volatile int nseen;
static struct {
	int signo, code;
	void *addr;
	uint64_t pc;
	int blocked; /* SIGSEGV was blocked while the handler ran */
} seen[MAX_SEEN];
static char *nest_b;
static uint64_t seen_gregs[32]; /* the ucontext's registers at the first fault */

static void on_segv(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	char *page = (char *)((uintptr_t)si->si_addr & ~(uintptr_t)(PAGE - 1));
	int n = nseen++;
	sigset_t mask;

	sigprocmask(SIG_BLOCK, NULL, &mask);
	if (n < MAX_SEEN) {
		seen[n].blocked = sigismember(&mask, SIGSEGV);
		seen[n].signo = sig == si->si_signo ? sig : -1;
		seen[n].code = si->si_code;
		seen[n].addr = si->si_addr;
		seen[n].pc = uc->uc_mcontext.gregs[REG_PC];
	}
	if (n == 0)
		memcpy(seen_gregs, uc->uc_mcontext.gregs, sizeof(seen_gregs));
	switch (fix) {
	case FIX_RW:
		mprotect(page, PAGE, RW);
		break;
	case FIX_R:
		mprotect(page, PAGE, PROT_READ);
		break;
	case FIX_MAP:
		mmap(page, PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		break;
	case FIX_LATE:
		if (n + 1 == LATE_AFTER)
			mprotect(page, PAGE, RW);
		break;
	case FIX_UNMAP:
		if (si->si_code == SEGV_MAPERR)
			mmap(page, PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		else if (n + 1 == 3)
			munmap(page, PAGE);
		break;
	case FIX_SKIP:
		uc->uc_mcontext.gregs[REG_PC] += 4; /* regs_probe's store: 4 bytes */
		uc->uc_mcontext.gregs[15] = 0x1234; /* a5 */
		break;
	case FIX_DFL:
		signal(SIGSEGV, SIG_DFL);
		break;
	case FIX_NESTED:
		if (page != (char *)((uintptr_t)nest_b & ~(uintptr_t)(PAGE - 1)))
			*(volatile char *)nest_b = 'b'; /* a fault inside the handler */
		mprotect(page, PAGE, RW);
		break;
	}
}

static void catch_segv_flags(enum fix how, int flags)
{
	struct sigaction sa = {.sa_sigaction = on_segv, .sa_flags = SA_SIGINFO | flags};

	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, NULL);
	fix = how;
	nseen = 0;
	memset(seen, 0, sizeof(seen));
}

static void catch_segv(enum fix how)
{
	catch_segv_flags(how, 0);
}

static int segv_blocked(void)
{
	sigset_t mask;

	sigprocmask(SIG_BLOCK, NULL, &mask);
	return sigismember(&mask, SIGSEGV);
}

static void uncatch_segv(void)
{
	signal(SIGSEGV, SIG_DFL);
}

static int seen_is(int k, int code, void *addr)
{
	return seen[k].signo == SIGSEGV && seen[k].code == code && seen[k].addr == addr;
}

static void test_write_readonly(void)
{
	char *p = map(1, PROT_READ);

	catch_segv(FIX_RW);
	((volatile char *)p)[123] = 'x';
	HANDLED();
	CHECK("segv-accerr-write", nseen == 1 && seen_is(0, SEGV_ACCERR, p + 123),
	      "%d faults, first: signal %d code %d addr %p (want %p, SEGV_ACCERR)", nseen,
	      seen[0].signo, seen[0].code, seen[0].addr, (void *)(p + 123));
	CHECK("segv-accerr-write-lands", p[123] == 'x');
	CHECK("segv-mask-during-and-after", seen[0].blocked == 1 && !segv_blocked(),
	      "blocked in the handler: %d, after: %d", seen[0].blocked, segv_blocked());
	uncatch_segv();
	munmap(p, PAGE);
}

/* SA_NODEFER: a fault inside the handler runs the handler again, on a
 * second frame below the first; both return, in order. */
static void test_nested(void)
{
	char *p = map(2, PROT_READ);

	nest_b = p + PAGE + 50;
	catch_segv_flags(FIX_NESTED, SA_NODEFER);
	((volatile char *)p)[10] = 'a';
	HANDLED();
	CHECK("segv-nested-nodefer",
	      nseen == 2 && seen_is(0, SEGV_ACCERR, p + 10) && seen_is(1, SEGV_ACCERR, nest_b) &&
		  p[10] == 'a' && *nest_b == 'b' && seen[1].blocked == 0 && !segv_blocked(),
	      "%d faults, second at %p (want %p), blocked %d/%d", nseen, seen[1].addr,
	      (void *)nest_b, seen[1].blocked, segv_blocked());
	uncatch_segv();
	munmap(p, 2 * PAGE);
}

static void test_read_none(void)
{
	char *p = map(1, PROT_NONE);

	catch_segv(FIX_R);
	char c = ((volatile char *)p)[4000];
	HANDLED();
	CHECK("segv-accerr-read", nseen == 1 && seen_is(0, SEGV_ACCERR, p + 4000) && c == 0,
	      "%d faults, first: code %d addr %p (want %p), read %d", nseen, seen[0].code,
	      seen[0].addr, (void *)(p + 4000), c);
	uncatch_segv();
	munmap(p, PAGE);
}

static void test_hole(void)
{
	char *p = map(3, RW);

	munmap(p + PAGE, PAGE);
	catch_segv(FIX_MAP);
	((volatile long *)(p + PAGE))[1] = 77;
	HANDLED();
	CHECK("segv-maperr", nseen == 1 && seen_is(0, SEGV_MAPERR, p + PAGE + 8),
	      "%d faults, first: code %d addr %p (want %p, SEGV_MAPERR)", nseen, seen[0].code,
	      seen[0].addr, (void *)(p + PAGE + 8));
	CHECK("segv-maperr-mapped-by-handler", ((long *)(p + PAGE))[1] == 77);
	uncatch_segv();
	munmap(p, 3 * PAGE);
}

/* A handler that fixes nothing sees the same fault again, as often as
 * it returns so; only the faulting store runs again, not the statement:
 * the load of (*p)++ happened once, before it. */
static void test_repeat(void)
{
	char *p = map(1, RW);
	volatile char *v = (volatile char *)p + 9;
	int same = 1;

	*v = 41;
	mprotect(p, PAGE, PROT_READ);
	catch_segv(FIX_LATE);
	(*v)++;
	HANDLED();
	for (int k = 1; k < LATE_AFTER; k++)
		same &= seen_is(k, SEGV_ACCERR, p + 9) && seen[k].pc == seen[0].pc;
	CHECK("segv-repeats-until-fixed",
	      nseen == LATE_AFTER && same && seen_is(0, SEGV_ACCERR, p + 9),
	      "%d faults (want %d), all the same: %d", nseen, LATE_AFTER, same);
	CHECK("segv-repeat-store-once", *v == 42, "value %d, want 42", *v);
	uncatch_segv();

	/* Now the handler unmaps the page on the third fault: the fourth
	 * finds a hole (SEGV_MAPERR) and maps a fresh, zeroed page. */
	*(volatile char *)(p + 8) = 5; /* page content the new page won't have */
	mprotect(p, PAGE, PROT_READ);
	catch_segv(FIX_UNMAP);
	*v = 7;
	HANDLED();
	CHECK("segv-repeat-then-unmap",
	      nseen == 4 && seen_is(0, SEGV_ACCERR, p + 9) && seen_is(2, SEGV_ACCERR, p + 9) &&
		  seen_is(3, SEGV_MAPERR, p + 9),
	      "%d faults, codes %d %d %d %d", nseen, seen[0].code, seen[1].code, seen[2].code,
	      seen[3].code);
	CHECK("segv-repeat-fresh-page", *v == 7 && p[8] == 0, "byte 9 = %d, byte 8 = %d", *v, p[8]);
	uncatch_segv();
	munmap(p, PAGE);
}

/* regs_probe(target, out): puts a known value in every register but sp,
 * gp and tp (a0 keeps target), stores t0 to *target, then saves x1..x31
 * into out[1..31] (out[2..4] are left alone). The store is 4 bytes long
 * (no compressed instructions here), at regs_probe_store. */
void regs_probe(void *target, uint64_t *out);
extern char regs_probe_store[];
#define PROBE(i) (0x5ca1ab1e00000000ull + (uint64_t)(i)*0x10001ull)
__asm__(
    ".text\n"
    ".globl regs_probe, regs_probe_store\n"
    ".type regs_probe, @function\n"
    "regs_probe:\n"
    ".option push\n"
    ".option norvc\n"
    "	addi sp, sp, -368\n"
    "	sd ra, 0(sp)\n"
    "	sd s0, 8(sp)\n"
    "	sd s1, 16(sp)\n"
    "	.irp i, 2,3,4,5,6,7,8,9,10,11\n"
    "	sd s\\i, (8 + 8 * \\i)(sp)\n"
    "	.endr\n"
    "	sd a1, 104(sp)\n"
    "	.irp i, 1,5,6,7,8,9,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n"
    "	li x\\i, 0x5ca1ab1e00000000 + \\i * 0x10001\n"
    "	.endr\n"
    "regs_probe_store:\n"
    "	sd t0, 0(a0)\n"
    "	.irp i, 1,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n"
    "	sd x\\i, (112 + 8 * \\i)(sp)\n"
    "	.endr\n"
    "	ld a1, 104(sp)\n"
    "	.irp i, 1,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n"
    "	ld t0, (112 + 8 * \\i)(sp)\n"
    "	sd t0, (8 * \\i)(a1)\n"
    "	.endr\n"
    "	ld ra, 0(sp)\n"
    "	ld s0, 8(sp)\n"
    "	ld s1, 16(sp)\n"
    "	.irp i, 2,3,4,5,6,7,8,9,10,11\n"
    "	ld s\\i, (8 + 8 * \\i)(sp)\n"
    "	.endr\n"
    "	addi sp, sp, 368\n"
    "	ret\n"
    ".option pop\n"
    ".size regs_probe, . - regs_probe\n");

/* Which registers regs_probe sets, and the value xi should hold. */
static int probe_sets(int i)
{
	return i == 1 || i >= 5;
}

static uint64_t probe_want(int i, void *target)
{
	return i == 10 ? (uint64_t)(uintptr_t)target : PROBE(i);
}

static void test_registers(void)
{
	uint64_t out[32];
	char *p = map(1, PROT_READ);
	int bad = -1, bad_seen = -1;

	/* The handler (C code: it clobbers a0-a7, t0-t6, ra) fixes the page;
	 * after sigreturn every register is what it was. */
	catch_segv(FIX_RW);
	memset(out, 0, sizeof(out));
	regs_probe(p, out);
	HANDLED();
	for (int i = 31; i >= 1; i--) {
		if (probe_sets(i) && out[i] != probe_want(i, p))
			bad = i;
		if (probe_sets(i) && seen_gregs[i] != probe_want(i, p))
			bad_seen = i;
	}
	CHECK("segv-frame-holds-registers",
	      nseen == 1 && bad_seen < 0 && seen[0].pc == (uintptr_t)regs_probe_store,
	      "%d faults; pc %llx (want %p); first wrong register x%d", nseen,
	      (unsigned long long)seen[0].pc, (void *)regs_probe_store, bad_seen);
	CHECK("segv-sigreturn-restores-registers", bad < 0, "x%d = %llx, want %llx", bad,
	      (unsigned long long)out[bad < 0 ? 1 : bad],
	      (unsigned long long)probe_want(bad < 0 ? 1 : bad, p));
	CHECK("segv-store-after-sigreturn", *(uint64_t *)p == PROBE(5));
	uncatch_segv();

	/* The handler moves the pc past the store and sets a5 in the
	 * ucontext: sigreturn resumes there, with that a5. */
	mprotect(p, PAGE, PROT_READ);
	catch_segv(FIX_SKIP);
	memset(out, 0, sizeof(out));
	regs_probe(p + 8, out);
	HANDLED();
	bad = -1;
	for (int i = 31; i >= 1; i--)
		if (probe_sets(i) && i != 15 && out[i] != probe_want(i, p + 8))
			bad = i;
	CHECK("segv-ucontext-changes-kept",
	      nseen == 1 && out[15] == 0x1234 && bad < 0 && *(uint64_t *)(p + 8) == 0,
	      "%d faults, a5 = %llx, first other wrong x%d, stored %llx", nseen,
	      (unsigned long long)out[15], bad, (unsigned long long)*(uint64_t *)(p + 8));
	uncatch_segv();
	munmap(p, PAGE);
}

/* Children that must end with SIGSEGV, their handler never having run
 * (it would exit 7) or having given up (SIG_DFL put back). */
static int dfl_child(long unused)
{
	char *p = map(1, PROT_READ);
	(void)unused;
	catch_segv(FIX_DFL);
	*(volatile char *)p = 1;
	return nseen == 1 ? 5 : 6; /* not reached */
}

static void exit7(int sig)
{
	(void)sig;
	_exit(7);
}

static int blocked_child(long unused)
{
	char *p = map(1, PROT_READ);
	sigset_t set;
	(void)unused;
	signal(SIGSEGV, exit7);
	sigemptyset(&set);
	sigaddset(&set, SIGSEGV);
	sigprocmask(SIG_BLOCK, &set, NULL);
	*(volatile char *)p = 1;
	return 5;
}

static int __attribute__((noinline)) overflow(long depth)
{
	volatile char frame[1024];

	frame[0] = (char)depth;
	if (depth < 0)
		return 0;
	return overflow(depth + 1) + frame[0];
}

static int overflow_child(long unused)
{
	(void)unused;
	signal(SIGSEGV, exit7);
	return overflow(1) ? 5 : 6;
}

static void test_uncaught(void)
{
	int sig = child_signal(dfl_child, 0);
	CHECK("segv-dfl-after-handler-kills", sig == SIGSEGV, "child ended with %d", sig);
	sig = child_signal(blocked_child, 0);
	CHECK("segv-blocked-kills", sig == SIGSEGV, "child ended with %d (-8: handler ran)", sig);
	/* No sigaltstack: the frame goes below sp, where the stack cannot
	 * grow any more, so the handler cannot run. */
	sig = child_signal(overflow_child, 0);
	CHECK("segv-stack-overflow-kills", sig == SIGSEGV, "child ended with %d (-8: handler ran)",
	      sig);
}

/* ---------------------------------------------------------------- the library */

#define NP   16
#define SEED 0xc4e1u

/* The writes, in order: page and offset. Pages 7, 3 and 12 are written
 * more than once; the memset at the end crosses from page 9 into 10. */
static const struct {
	int page, off;
} writes[] = {{7, 0}, {3, 4095},  {7, 100}, {12, 2048}, {0, 1},
	      {3, 0}, {15, 4095}, {12, 7},  {0, 4000},	{7, 4095}};
static const uint32_t first_writes[] = {7, 3, 12, 0, 15, 9, 10};
#define NFIRST (sizeof(first_writes) / sizeof(first_writes[0]))

static int in_first(size_t page)
{
	for (size_t k = 0; k < NFIRST; k++)
		if (first_writes[k] == page)
			return 1;
	return 0;
}

static void do_writes(char *r)
{
	for (size_t k = 0; k < sizeof(writes) / sizeof(writes[0]); k++)
		((volatile char *)r)[writes[k].page * PAGE + writes[k].off] = (char)(0xa0 + k);
	memset(r + 10 * PAGE - 10, 0xee, 20);
}

/* Every byte the writes left, and only those, differs from the pattern. */
static int writes_landed(const char *r)
{
	for (size_t k = 0; k < sizeof(writes) / sizeof(writes[0]); k++) {
		int last = 1;
		for (size_t j = k + 1; j < sizeof(writes) / sizeof(writes[0]); j++)
			if (writes[j].page == writes[k].page && writes[j].off == writes[k].off)
				last = 0;
		if (last && r[writes[k].page * PAGE + writes[k].off] != (char)(0xa0 + k))
			return 0;
	}
	for (int i = -10; i < 10; i++)
		if ((unsigned char)r[10 * PAGE + i] != 0xee)
			return 0;
	for (size_t i = 0; i < NP; i++)
		if (!in_first(i) &&
		    test_pattern_diff((const uint8_t *)r + i * PAGE, PAGE, SEED, i * PAGE) >= 0)
			return 0;
	return 1;
}

/* Maps the stack this test will use, so that no page of it is first
 * taken between the two counts of a leak check. */
static void __attribute__((noinline)) warm_stack(void)
{
	volatile char buf[32 * 1024];
	memset((char *)buf, 0, sizeof(buf));
}

static void test_checkpoint(void)
{
	char *r = map(NP, RW);
	struct ckpt c;
	int pfd[2];

	if (!CHECK("ckpt-map", r != NULL))
		return;
	test_pattern_fill((uint8_t *)r, NP * PAGE, SEED, 0);
	warm_stack();
	long before = test_settle();

	if (!CHECK_OK("ckpt-init", ckpt_init(&c, r, NP)) || !CHECK_OK("ckpt-begin", ckpt_begin(&c)))
		return;
	do_writes(r);
	HANDLED();
	int order = c.nlog == NFIRST;
	for (size_t k = 0; order && k < NFIRST; k++)
		order = c.log[k] == first_writes[k];
	CHECK("ckpt-log-exact", order, "%zu pages logged, want %zu, in order 7 3 12 0 15 9 10",
	      c.nlog, NFIRST);
	CHECK("ckpt-one-fault-per-page", c.faults == NFIRST, "%lu faults for %zu pages", c.faults,
	      NFIRST);
	int flags = 1;
	for (size_t i = 0; i < NP; i++)
		flags &= !!c.dirty[i] == in_first(i);
	CHECK("ckpt-dirty-flags", flags);
	CHECK("ckpt-writes-landed", writes_landed(r));

	/* The kernel's own writes do not fault to user space: read() into a
	 * page still read-only fails, and nothing is logged. */
	if (pipe(pfd) == 0) {
		(void)!write(pfd[1], "abc", 3);
		long n = read(pfd[0], r + 5 * PAGE, 3);
		int e = errno;
		CHECK("ckpt-syscall-write-efault",
		      n == -1 && e == EFAULT && c.nlog == NFIRST && !c.dirty[5],
		      "read returned %ld (errno %d), %zu logged", n, e, c.nlog);
		close(pfd[0]);
		close(pfd[1]);
	}

	long restored = ckpt_rollback(&c);
	CHECK("ckpt-rollback-count", restored == (long)NFIRST, "restored %ld", restored);
	long diff = test_pattern_diff((const uint8_t *)r, NP * PAGE, SEED, 0);
	CHECK("ckpt-rollback-every-byte", diff < 0, "byte %ld (page %ld) differs", diff,
	      diff / PAGE);
	CHECK("ckpt-rollback-clears-log", c.nlog == 0 && !c.dirty[7]);

	/* Read-only again: the next write is caught again. Commit it, write
	 * again, roll back: the committed byte comes back. */
	r[7 * PAGE + 5] = 'A';
	HANDLED();
	CHECK("ckpt-caught-after-rollback", c.faults == NFIRST + 1 && c.nlog == 1,
	      "%lu faults, %zu logged", c.faults, c.nlog);
	CHECK_OK("ckpt-commit", ckpt_begin(&c));
	r[7 * PAGE + 5] = 'B';
	r[8 * PAGE] = 'C';
	HANDLED();
	ckpt_rollback(&c);
	CHECK("ckpt-rollback-to-commit",
	      r[7 * PAGE + 5] == 'A' && c.faults == NFIRST + 3 &&
		  test_pattern_diff((const uint8_t *)r + 8 * PAGE, PAGE, SEED, 8 * PAGE) < 0,
	      "byte is %c, %lu faults", r[7 * PAGE + 5], c.faults);

	ckpt_fini(&c);
	struct sigaction now;
	sigaction(SIGSEGV, NULL, &now);
	CHECK("ckpt-fini-gives-back-segv", now.sa_handler == SIG_DFL);
	r[1] = 'w'; /* writable again: no handler to catch it */
	test_check_free("ckpt-fini-frees-all", before);
	munmap(r, NP * PAGE);
}

/* Fork: the child inherits the checkpoint (the handler, the region read-only,
 * the save area); each side's writes are caught and logged on its side. */
static char *fork_region;
static struct ckpt fork_ckpt;

static int fork_child(long unused)
{
	(void)unused;
	fork_region[2 * PAGE] = 'k';
	fork_region[2 * PAGE + 1] = 'k';
	HANDLED();
	int ok = CHECK("ckpt-fork-child-logs",
		       fork_ckpt.nlog == 1 && fork_ckpt.log[0] == 2 && fork_ckpt.faults == 1,
		       "%zu logged, %lu faults", fork_ckpt.nlog, fork_ckpt.faults);
	ckpt_rollback(&fork_ckpt);
	ok &= CHECK("ckpt-fork-child-rollback", fork_region[2 * PAGE] == 'p');
	return ok ? 0 : 1;
}

static void test_fork(void)
{
	fork_region = map(4, RW);
	if (!fork_region || ckpt_init(&fork_ckpt, fork_region, 4) < 0)
		return (void)CHECK("ckpt-fork-setup", 0);
	memset(fork_region, 'p', 4 * PAGE);
	ckpt_begin(&fork_ckpt);
	int st = test_in_child(fork_child, 0);
	CHECK("ckpt-fork-child-ok", st == 0, "child status %d", st);
	CHECK("ckpt-fork-parent-untouched",
	      fork_ckpt.nlog == 0 && fork_region[2 * PAGE] == 'p' && fork_ckpt.faults == 0);
	fork_region[2 * PAGE] = 'q';
	HANDLED();
	CHECK("ckpt-fork-parent-logs", fork_ckpt.nlog == 1 && fork_ckpt.log[0] == 2);
	ckpt_fini(&fork_ckpt);
	munmap(fork_region, 4 * PAGE);
}

/* Faults the library does not own. */
static int outside_child(long unused)
{
	char *r = map(2, RW), *other = map(1, PROT_READ);
	struct ckpt c;
	(void)unused;
	if (!r || !other || ckpt_init(&c, r, 2) < 0 || ckpt_begin(&c) < 0)
		return 3;
	r[0] = 1;
	*(volatile char *)other = 1; /* not in a region: the default action */
	return 4;
}

static int redirtied_child(long unused)
{
	char *r = map(2, RW);
	struct ckpt c;
	(void)unused;
	if (!r || ckpt_init(&c, r, 2) < 0 || ckpt_begin(&c) < 0)
		return 3;
	r[PAGE] = 1;			     /* dirty, writable */
	mprotect(r + PAGE, PAGE, PROT_READ); /* behind the library's back */
	r[PAGE] = 2;			     /* not the library's to undo */
	return 4;
}

static void test_pass(void)
{
	int sig = child_signal(outside_child, 0);
	CHECK("ckpt-outside-region-kills", sig == SIGSEGV, "child ended with %d", sig);
	sig = child_signal(redirtied_child, 0);
	CHECK("ckpt-reprotected-dirty-kills", sig == SIGSEGV, "child ended with %d", sig);

	/* A handler that was there first gets the faults that are not the
	 * library's, and has SIGSEGV back after ckpt_fini. */
	char *r = map(2, RW), *other = map(1, PROT_READ);
	struct ckpt c;
	struct sigaction now;
	catch_segv(FIX_RW);
	if (!r || !other || ckpt_init(&c, r, 2) < 0 || ckpt_begin(&c) < 0)
		return (void)CHECK("ckpt-chain-setup", 0);
	*(volatile char *)(other + 3) = 1;
	r[PAGE + 3] = 1;
	HANDLED();
	CHECK("ckpt-chains-to-old-handler",
	      nseen == 1 && seen_is(0, SEGV_ACCERR, other + 3) && other[3] == 1 && c.nlog == 1 &&
		  c.log[0] == 1,
	      "old handler saw %d faults, library logged %zu", nseen, c.nlog);
	ckpt_fini(&c);
	sigaction(SIGSEGV, NULL, &now);
	CHECK("ckpt-fini-gives-back-old-handler", now.sa_sigaction == on_segv);
	uncatch_segv();
	munmap(r, 2 * PAGE);
	munmap(other, PAGE);
}

/* ---------------------------------------------------------------- the demo */

static int has(const uint8_t *out, size_t len, const char *line)
{
	size_t n = strlen(line);
	for (size_t i = 0; i + n <= len; i++)
		if (memcmp(out + i, line, n) == 0)
			return 1;
	return 0;
}

static void test_demo(void)
{
	static uint8_t out[4096];
	char *demo[] = {"/bin/ckpt", NULL}, *lazy[] = {"/bin/ckpt", "lazy", NULL};
	size_t len;

	int st = test_run(demo, "", 0, out, sizeof(out), &len);
	CHECK("ckpt-demo",
	      st == 0 && has(out, len, "3 first writes caught; dirty pages in order: 6 1 4\n") &&
		  has(out, len, "page map (w = dirty): .w..w.w.\n") &&
		  has(out, len, "as 7 mappings (r read-only, w writable): r|w|rr|w|r|w|r\n") &&
		  has(out, len, "rollback restored 3 pages; region equals the checkpoint: yes\n") &&
		  has(out, len, "4 write faults in all\n"),
	      "status %d, output: %.*s", st, (int)(len > 300 ? 300 : len), out);
	st = test_run(lazy, "", 0, out, sizeof(out), &len);
	CHECK("ckpt-demo-lazy",
	      st == 0 && has(out, len, "3 of 16 pages filled, in order: 0 9 15\n"),
	      "status %d, output: %.*s", st, (int)(len > 300 ? 300 : len), out);
}

int main(void)
{
	test_write_readonly();
	test_read_none();
	test_hole();
	test_nested();
	test_repeat();
	test_registers();
	test_checkpoint();

	/* Children that die of SIGSEGV, some with a signal frame on their
	 * stack, or that fork with a checkpoint under way, give back every
	 * page when they are reaped (the runner checks the whole test too). */
	warm_stack();
	long before = test_settle();
	test_uncaught();
	test_fork();
	test_pass();
	test_check_free("segv-children-free-all", before);

	test_demo();
	return test_done();
}
