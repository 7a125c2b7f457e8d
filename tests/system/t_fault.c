/* Faults: a child that writes to address 0, executes an illegal
 * instruction, jumps into the kernel and so on ends with status -1, and
 * the parent goes on unharmed. The kernel prints one line per fault. */
#include "test.h"

#define KERNEL_ADDR   0xffffffc080200000ul
#define UNMAPPED_ADDR 0x3000000000ul

static volatile long canary = 0x600dcafe;

static int write_null(long unused)
{
	(void)unused;
	*(volatile int *)0 = 1;
	return 0;
}

static int read_null(long unused)
{
	(void)unused;
	return *(volatile int *)0;
}

static int illegal_instruction(long unused)
{
	(void)unused;
	__asm__ volatile("unimp");
	return 0;
}

static int jump_to(long addr)
{
	((void (*)(void))addr)();
	return 0;
}

static int read_at(long addr)
{
	return *(volatile int *)addr;
}

static int write_at(long addr)
{
	*(volatile int *)addr = 1;
	return 0;
}

/* Each level keeps a page of stack live until the stack runs out: the
 * bound (400 MiB) is beyond the machine's memory. */
static int recurse(long depth)
{
	volatile char frame[4096];

	frame[0] = (char)depth;
	frame[4095] = (char)depth;
	if (depth > 100000)
		return 0;
	return recurse(depth + 1) + frame[0] + frame[4095];
}

static int touch_then_fault(long unused)
{
	(void)unused;
	canary = 0; /* a copy-on-write page of our own; the parent's stays */
	*(volatile int *)0 = 1;
	return 0;
}

/* Runs fn(arg) in a child; expects status -1 and an intact parent. */
static void expect_killed(const char *name, int (*fn)(long), long arg)
{
	int status = test_in_child(fn, arg);

	CHECK(name, status == -1 && canary == 0x600dcafe && getpid() > 0, "status %d, expected -1",
	      status);
}

int main(void)
{
	expect_killed("fault-write-null", write_null, 0);
	expect_killed("fault-read-null", read_null, 0);
	expect_killed("fault-illegal-instruction", illegal_instruction, 0);
	expect_killed("fault-jump-kernel", jump_to, KERNEL_ADDR);
	expect_killed("fault-jump-null", jump_to, 0);
	expect_killed("fault-jump-unmapped", jump_to, UNMAPPED_ADDR);
	expect_killed("fault-read-kernel", read_at, KERNEL_ADDR);
	expect_killed("fault-write-kernel", write_at, KERNEL_ADDR);
	expect_killed("fault-read-unmapped", read_at, UNMAPPED_ADDR);
	/* Text is mapped R-X and data RW- (user/lib/user.ld). */
	expect_killed("fault-write-code", write_at, (long)main);
	expect_killed("fault-jump-data", jump_to, (long)&canary);
	expect_killed("fault-after-cow-write", touch_then_fault, 0);
	expect_killed("fault-stack-overflow", recurse, 0);

	/* An unknown system call fails with ENOSYS; nothing is killed. */
	CHECK("syscall-unknown", test_syscall(999, 0, 0, 0) == -KERR_ENOSYS);
	CHECK("syscall-negative", test_syscall(-1, 0, 0, 0) == -KERR_ENOSYS);

	/* Many faulting children in a row leave nothing behind (the runner
	 * checks the page count). */
	int ok = 0;
	for (int i = 0; i < 20; i++)
		ok += test_in_child(write_null, 0) == -1;
	CHECK("fault-repeated", ok == 20, "%d of 20", ok);
	return test_done();
}
