/* The stack grows on demand (kernel/mm/mmap.c, mmap_grow_stack):
 *   - exec maps MNEMO_STACK_INITIAL bytes with a guard page under them;
 *   - touching below the stack, down to MNEMO_STACK_LIMIT under its top,
 *     grows it there, the guard page moving along; every byte is kept;
 *   - a system call given a buffer below the stack grows it too, as the
 *     program's own touch would (read into a big local array);
 *   - a touch below the limit kills; so does one that would bring the
 *     stack within a page of another mapping (MAP_FIXED in its room);
 *   - mmap places nothing in the stack's room, and a child of fork
 *     inherits both the grown stack and the room.
 * The runner's exact count afterwards checks that growing leaks nothing. */
#include <sys/mman.h>

#include <include/uapi/limits.h>

#include "test.h"
#include "vmtest.h"

#define PAGE  4096L
#define LIMIT ((long)MNEMO_STACK_LIMIT)

/* The end of the stack mapping (its top), from vmmaps. */
static uint64_t stack_top(void)
{
	const struct mnemo_vmmap *s = vm_find_named("[stack]");

	return s ? s->end : 0;
}

/* Writes a pattern over n bytes of the stack, from the frame of a
 * function whose local array takes them, and reads it back; returns the
 * number of bytes wrong. noinline keeps the array in its own frame. */
static __attribute__((noinline)) long deep_frame(long n)
{
	volatile char buf[n];
	long bad = 0;

	for (long i = n - 1; i >= 0; i -= 512)
		buf[i] = (char)(i >> 9);
	for (long i = n - 1; i >= 0; i -= 512)
		bad += buf[i] != (char)(i >> 9);
	return bad;
}

static void test_initial(void)
{
	const struct mnemo_vmmap *s = vm_find_named("[stack]");
	uint64_t size = s ? s->end - s->start : 0;

	CHECK("initial-size", size >= MNEMO_STACK_INITIAL && size < 4 * MNEMO_STACK_INITIAL,
	      "stack of %llu bytes", (unsigned long long)size);
}

/* 4 MiB of locals: the stack grows, its guard right below it. */
static void test_grows(void)
{
	long bad = deep_frame(4L << 20);
	int n = vm_maps();
	const struct mnemo_vmmap *stack = NULL, *guard = NULL;

	for (int i = 0; i < n; i++) {
		if (strcmp(vm_maps_buf[i].backing, "[stack]") == 0)
			stack = &vm_maps_buf[i];
		if (strcmp(vm_maps_buf[i].backing, "[guard]") == 0)
			guard = &vm_maps_buf[i];
	}
	CHECK("grows-keeps-bytes", bad == 0, "%ld bytes wrong", bad);
	CHECK("grows", stack && stack->end - stack->start >= (4UL << 20), "stack of %llu bytes",
	      stack ? (unsigned long long)(stack->end - stack->start) : 0ULL);
	CHECK("guard-moves-along",
	      stack && guard && guard->end == stack->start &&
		  guard->end - guard->start == (uint64_t)PAGE,
	      "guard %#llx-%#llx, stack from %#llx",
	      guard ? (unsigned long long)guard->start : 0ULL,
	      guard ? (unsigned long long)guard->end : 0ULL,
	      stack ? (unsigned long long)stack->start : 0ULL);
}

/* A child touches addr (below its stack); returns its status. */
static int touch_in_child(uint64_t addr)
{
	return test_in_child(vm_child_write, (long)addr);
}

static void test_limit(void)
{
	uint64_t top = stack_top();

	CHECK("limit-last-page-ok", touch_in_child(top - LIMIT) == 0,
	      "the lowest page of the limit could not be touched");
	CHECK("limit-below-kills", touch_in_child(top - LIMIT - 1) == -1,
	      "a touch below the limit did not kill");
	CHECK("limit-far-below-kills", touch_in_child(top - 2 * LIMIT) == -1);
}

/* read() into a buffer below the stack, as a program with a big local
 * array does before touching it. */
static int read_below(long depth)
{
	int p[2];
	char here;
	char *buf = &here - depth;

	if (pipe(p) < 0 || write(p[1], "stack!", 6) != 6)
		return 1;
	if (read(p[0], buf, 6) != 6)
		return 2;
	return memcmp(buf, "stack!", 6) == 0 ? 0 : 3;
}

static void test_syscall_grows(void)
{
	int status = test_in_child(read_below, 2L << 20);

	CHECK("syscall-buffer-grows", status == 0, "status %d", status);
	status = test_in_child(read_below, 2 * LIMIT);
	CHECK("syscall-buffer-below-limit-efault", status == 2, "status %d", status);
}

/* MAP_FIXED in the stack's room: the stack grows up to a page above the
 * mapping, and no further. */
static int blocked(long unused)
{
	uint64_t top = stack_top(), at = top - LIMIT + LIMIT / 4; /* under test_grows' 4 MiB */

	(void)unused;
	if (mmap((void *)at, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
		 -1, 0) != (void *)at)
		return 1;
	if (touch_in_child(at + 2 * PAGE) != 0)
		return 2;
	if (touch_in_child(at + PAGE) != -1)
		return 3;
	if (touch_in_child(at - PAGE) != -1)
		return 4;
	return 0;
}

static void test_blocked(void)
{
	int status = test_in_child(blocked, 0);

	CHECK("blocked-by-mapping", status == 0, "step %d", status);
}

/* mmap with no address never lands in the stack's room. */
static void test_mmap_keeps_out(void)
{
	uint64_t top = stack_top(), bad = 0;
	void *maps[64];
	int n = 0;

	for (; n < 64; n++) {
		maps[n] = mmap((void *)(top - LIMIT / 2), PAGE, PROT_READ,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (maps[n] == MAP_FAILED)
			break;
		bad += (uint64_t)maps[n] + PAGE > top - LIMIT - PAGE;
	}
	CHECK("mmap-keeps-out-of-stack-room", n == 64 && bad == 0, "%d maps, %llu in the room", n,
	      (unsigned long long)bad);
	while (n-- > 0)
		munmap(maps[n], PAGE);
}

/* After the parent's growth, the child has the same stack and can grow
 * it further. */
static int child_grows(long unused)
{
	(void)unused;
	return deep_frame(6L << 20) == 0 ? 0 : 1;
}

static void test_fork(void)
{
	int status = test_in_child(child_grows, 0);

	CHECK("fork-child-grows", status == 0, "status %d", status);
}

int main(void)
{
	test_initial();
	test_grows();
	test_limit();
	test_syscall_grows();
	test_blocked();
	test_mmap_keeps_out();
	test_fork();
	return test_done();
}
