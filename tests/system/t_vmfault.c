/* Faults on mapped memory: a write to read-only memory, an instruction
 * fetch from memory without PROT_EXEC, any access to PROT_NONE memory or
 * to an unmapped hole, a touch below the stack's size limit. Each kills only
 * the child that does it (status -1): a sibling and the parent go on. The
 * kernel prints one line per fault (pid, name, address, pc, reason); the
 * test checks only the status. */
#include <include/uapi/limits.h>

#include "vmtest.h"

#define RW  (PROT_READ | PROT_WRITE)
#define WIN ((char *)(VM_ARENA + 0x020000000UL))

/* Two RISC-V instructions: `li a0, 42` and `ret`. */
static const uint32_t code_return_42[] = {0x02a00513, 0x00008067};

/* Runs fn(arg) in a child; expects it to be killed (status -1). */
static void expect_killed(const char *name, int (*fn)(long), long arg)
{
	int status = test_in_child(fn, arg);

	CHECK(name, status == -1, "status %d, expected -1 (killed)", status);
}

static int call_code(long addr)
{
	return ((int (*)(void))addr)();
}

/* Makes a page at WIN + i pages holding code_return_42, with prot. */
static char *code_page(int i, int prot)
{
	char *p = vm_anon_at((uintptr_t)(WIN + i * PAGE), PAGE, RW);

	if (p == MAP_FAILED)
		return NULL;
	memcpy(p, code_return_42, sizeof(code_return_42));
	__asm__ volatile(".word 0x0000100f" ::: "memory"); /* fence.i */
	if (mprotect(p, PAGE, prot) < 0)
		return NULL;
	return p;
}

static void test_write_read_only(void)
{
	char *p = vm_anon_at((uintptr_t)WIN, 2 * PAGE, PROT_READ);
	int fd;

	if (!CHECK("read-only-map", p == WIN))
		return;
	CHECK("read-only-read-ok", p[0] == 0 && p[PAGE] == 0);
	expect_killed("write-read-only", vm_child_write, (long)p);
	/* The page was never read in the child: the write is its first
	 * touch, and still not allowed. */
	expect_killed("write-read-only-untouched", vm_child_write, (long)p + PAGE + 7);
	munmap(p, 2 * PAGE);

	/* A private mapping of a file opened read-only, mapped read-only. */
	fd = open("/bin/t_vmfault", O_RDONLY);
	p = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
	if (CHECK("read-only-file-map", p != MAP_FAILED && p[1] == 'E')) {
		expect_killed("write-read-only-file", vm_child_write, (long)p + 1);
		munmap(p, PAGE);
	}
	close(fd);
}

static void test_exec(void)
{
	char *p;

	p = code_page(0, PROT_READ | PROT_EXEC);
	CHECK("exec-allowed-runs", p && test_in_child(call_code, (long)p) == 42,
	      "code in a PROT_EXEC page did not return 42");
	p = code_page(1, PROT_READ);
	if (CHECK("exec-read-only-setup", p != NULL))
		expect_killed("exec-read-only", call_code, (long)p);
	p = code_page(2, RW);
	if (CHECK("exec-read-write-setup", p != NULL))
		expect_killed("exec-read-write", call_code, (long)p);
	/* Data and heap are not executable either. */
	static uint32_t data_code[2];
	memcpy(data_code, code_return_42, sizeof(data_code));
	expect_killed("exec-data", call_code, (long)data_code);
	munmap(WIN, 3 * PAGE);
}

static void test_prot_none(void)
{
	char *p = vm_anon_at((uintptr_t)WIN, PAGE, PROT_NONE);

	if (!CHECK("prot-none-map", p == WIN))
		return;
	expect_killed("prot-none-read", vm_child_read, (long)p);
	expect_killed("prot-none-write", vm_child_write, (long)p + 100);
	expect_killed("prot-none-exec", vm_child_exec, (long)p);
	munmap(p, PAGE);
}

static void test_hole(void)
{
	char *a = vm_anon_at((uintptr_t)WIN, PAGE, RW);
	char *b = vm_anon_at((uintptr_t)WIN + 2 * PAGE, PAGE, RW);

	if (!CHECK("hole-setup", a == WIN && b == WIN + 2 * PAGE))
		return;
	expect_killed("hole-read", vm_child_read, (long)WIN + PAGE);
	expect_killed("hole-write", vm_child_write, (long)WIN + 2 * PAGE - 1);
	expect_killed("hole-exec", vm_child_exec, (long)WIN + PAGE);
	CHECK("hole-neighbours-ok", test_in_child(vm_child_write, (long)a + PAGE - 1) == 0 &&
					test_in_child(vm_child_write, (long)b) == 0);
	munmap(WIN, 3 * PAGE);
}

/* Small frames, so that the stack runs into the guard page itself rather
 * than jumping over it. */
static int recurse(long depth)
{
	volatile char frame[200];

	frame[0] = (char)depth;
	if (depth > 1000000)
		return 0;
	return recurse(depth + 1) + frame[0];
}

static void test_stack_guard(void)
{
	const struct mnemo_vmmap *stack = vm_find_named("[stack]");
	uint64_t stack_start, stack_top;

	if (!CHECK("stack-listed", stack != NULL))
		return;
	stack_start = stack->start;
	stack_top = stack->end;
	CHECK("stack-guard-below", vm_find(stack_start - 1) &&
				       strcmp(vm_find(stack_start - 1)->backing, "[guard]") == 0);
	/* The lowest byte of the stack is fine, the byte below is not. */
	CHECK("stack-lowest-byte-ok", test_in_child(vm_child_write, (long)stack_start) == 0);
	/* The guard page moves down with the stack: a touch of it grows
	 * the stack (t_stack has the rest); below the stack's size limit
	 * is an overflow. */
	CHECK("stack-guard-touch-grows", test_in_child(vm_child_write, (long)stack_start - 1) == 0);
	expect_killed("stack-below-limit", vm_child_write,
		      (long)(stack_top - MNEMO_STACK_LIMIT) - 1);
	expect_killed("stack-overflow-recursion", recurse, 0);
}

/* A faulting child takes nobody else along: a sibling blocked in read()
 * finishes normally afterwards, and the parent's memory is intact. */
static int sibling(long fd)
{
	char c;

	return read((int)fd, &c, 1) == 1 && c == 'g' ? 7 : 1;
}

static void test_only_the_child(void)
{
	static volatile long canary = 0x5a5a;
	int fds[2], pid, status;

	if (!CHECK_OK("sibling-pipe-setup", pipe(fds)))
		return;
	pid = fork();
	if (pid == 0) {
		close(fds[1]);
		_exit(sibling(fds[0]));
	}
	close(fds[0]);
	expect_killed("sibling-fault", vm_child_write, (long)test_done);
	write(fds[1], "g", 1);
	close(fds[1]);
	status = test_wait_status(pid);
	CHECK("sibling-survives", status == 7, "sibling status %d", status);
	CHECK("parent-survives", canary == 0x5a5a && getpid() > 0);
	char *p = vm_anon(NULL, PAGE, RW, 0);
	CHECK("parent-still-maps", p != MAP_FAILED && (p[0] = 1) == 1);
	if (p != MAP_FAILED)
		munmap(p, PAGE);
}

int main(void)
{
	test_write_read_only();
	test_exec();
	test_prot_none();
	test_hole();
	test_stack_guard();
	test_only_the_child();
	return test_done();
}
