/* xv6 keeps its trampoline and trap frame in the two top pages of user
 * space, and its programs expect a fault there; mnemo leaves them
 * unmapped and puts the stack under them. Reading USERSTACK pages under
 * the stack pointer faults, as on xv6. An xv6 program, built against
 * compat/xv6. */
#include "compat/xv6/kernel/fcntl.h"
#include "compat/xv6/kernel/memlayout.h"
#include "compat/xv6/kernel/param.h"
#include "compat/xv6/kernel/riscv.h"
#include "compat/xv6/kernel/stat.h"
#include "compat/xv6/kernel/types.h"
#include "compat/xv6/user/user.h"
#include "tests/system/xv6test.h"

static void write_trapframe(void)
{
	*(volatile int *)TRAPFRAME = 1;
}

static void write_trampoline(void)
{
	*(volatile int *)TRAMPOLINE = 1;
}

static void read_under_stack(void)
{
	volatile char *below = (char *)(r_sp() - USERSTACK * PGSIZE);

	printf("read %d under the stack\n", *below);
}

/* The kernel must refuse to copy into, or out of, the two pages. */
static void test_copies(void)
{
	uint64 page[] = {TRAPFRAME, TRAMPOLINE};
	int fds[2], bad = 0;

	if (pipe(fds) < 0) {
		printf("FAIL xv6-top-pages-copy: pipe\n");
		return;
	}
	for (int i = 0; i < 2; i++) {
		bad += write(fds[1], (void *)page[i], 16) >= 0;
		write(fds[1], "0123456789abcdef", 16);
		bad += read(fds[0], (void *)page[i], 16) >= 0;
	}
	close(fds[0]);
	close(fds[1]);
	XV6_CHECK("xv6-top-pages-copy", bad == 0, "%d of 4 copies to or from them worked", bad);
}

int main(void)
{
	uint64 sp = r_sp();
	int status;

	XV6_CHECK("xv6-stack-under-trapframe",
		  sp < TRAPFRAME && sp > TRAPFRAME - PGSIZE * USERSTACK, "sp %p, TRAPFRAME %p",
		  (void *)sp, (void *)TRAPFRAME);
	status = xv6test_in_child(write_trapframe);
	XV6_CHECK("xv6-trapframe-unmapped", status == -1, "writing TRAPFRAME: status %d", status);
	status = xv6test_in_child(write_trampoline);
	XV6_CHECK("xv6-trampoline-unmapped", status == -1, "writing TRAMPOLINE: status %d", status);
	test_copies();
	status = xv6test_in_child(read_under_stack);
	XV6_CHECK("xv6-under-userstack", status == -1,
		  "reading USERSTACK = %d pages under sp: status %d", USERSTACK, status);
	return xv6test_done();
}
