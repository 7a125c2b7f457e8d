// xv6layout: prints the memory landmarks of kernel/riscv.h and
// kernel/memlayout.h as a user program sees them, and checks that the
// stack is where a user stack should be.
#include "kernel/types.h"
#include "kernel/stat.h"
#include "user/user.h"
#include "kernel/riscv.h"
#include "kernel/memlayout.h"
#include "kernel/param.h"

int main(int argc, char *argv[])
{
	uint64 sp = r_sp();
	uint64 ram = PHYSTOP - KERNBASE;

	printf("r_sp()           %p\n", (void *)sp);
	printf("PGSIZE           %d\n", PGSIZE);
	printf("MAXVA            %p\n", (void *)MAXVA);
	printf("PHYSTOP-KERNBASE %p (%d MiB)\n", (void *)ram, (int)(ram >> 20));
	printf("TRAPFRAME        %p\n", (void *)TRAPFRAME);
	printf("PGROUNDDOWN(sp)  %p\n", (void *)PGROUNDDOWN(sp));
	if (sp >= MAXVA || sp < PGSIZE) {
		fprintf(2, "xv6layout: the stack is outside user space\n");
		exit(1);
	}
	if (ram == 0 || ram % PGSIZE != 0) {
		fprintf(2, "xv6layout: PHYSTOP is not a page boundary above KERNBASE\n");
		exit(1);
	}
	exit(0);
}
