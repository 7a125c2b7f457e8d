// xv6mem: the heap through xv6's interface: sbrk() to grow and shrink
// the break, malloc()/free(), errors reported with fprintf(2, ...).
#include "kernel/types.h"
#include "kernel/stat.h"
#include "user/user.h"
#include "kernel/riscv.h"

static void fail(const char *why)
{
	fprintf(2, "xv6mem: %s\n", why);
	exit(1);
}

static void check_sbrk(void)
{
	char *start = sbrk(0);
	char *old = sbrk(3 * PGSIZE);

	if (old != start)
		fail("sbrk did not return the old break");
	if (sbrk(0) != start + 3 * PGSIZE)
		fail("the break did not move");
	for (int i = 0; i < 3 * PGSIZE; i++)
		old[i] = (char)i;
	for (int i = 0; i < 3 * PGSIZE; i++)
		if (old[i] != (char)i)
			fail("heap memory lost a write");
	if (sbrk(-3 * PGSIZE) == (char *)-1 || sbrk(0) != start)
		fail("sbrk could not shrink");
	if (sbrk(0x7fffffff) != (char *)-1)
		fail("an absurd sbrk succeeded");
}

static void check_malloc(void)
{
	enum { N = 64 };
	int *blocks[N];

	for (int i = 0; i < N; i++) {
		blocks[i] = malloc((i + 1) * 100);
		if (blocks[i] == 0)
			fail("malloc returned 0");
		blocks[i][0] = i;
		blocks[i][(i + 1) * 100 / sizeof(int) - 1] = i;
	}
	for (int i = 0; i < N; i++) {
		if (blocks[i][0] != i || blocks[i][(i + 1) * 100 / sizeof(int) - 1] != i)
			fail("malloc blocks overlap");
		free(blocks[i]);
	}
}

int main(int argc, char *argv[])
{
	check_sbrk();
	check_malloc();
	printf("xv6mem: ok\n");
	exit(0);
}
