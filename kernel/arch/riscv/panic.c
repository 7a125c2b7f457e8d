/* Panics: the message, the registers and a backtrace with function names,
 * then every hart stops. */
#include <stdarg.h>

#include "kernel/arch/riscv/cpu.h"
#include "kernel/arch/riscv/csr.h"
#include "kernel/arch/riscv/ksyms.h"
#include "kernel/arch/riscv/memlayout.h"
#include "kernel/arch/riscv/sbi.h"
#include "kernel/arch/riscv/trap.h"
#include "kernel/lib/panic.h"
#include "kernel/lib/printf.h"

static void print_location(u64 pc)
{
	u64 offset;
	const char *name = ksym_lookup(pc, &offset);
	if (name)
		printk("  %p %s+0x%lx\n", (void *)pc, name, offset);
	else
		printk("  %p ?\n", (void *)pc);
}

/* Frames built with -fno-omit-frame-pointer: fp-8 holds the return address
 * and fp-16 the caller's fp. Stop at anything outside the kernel half. */
void backtrace(u64 fp)
{
	printk("backtrace:\n");
	for (int depth = 0; depth < 32; depth++) {
		if (fp < DIRECT_MAP || (fp & 7))
			break;
		u64 ra = *(u64 *)(fp - 8);
		u64 prev = *(u64 *)(fp - 16);
		if (ra < DIRECT_MAP)
			break;
		print_location(ra - 4);
		if (prev <= fp)
			break;
		fp = prev;
	}
}

void dump_trapframe(const struct trapframe *tf)
{
	static const char *names[32] = {"pc", "ra", "sp",  "gp",  "tp", "t0", "t1", "t2",
					"s0", "s1", "a0",  "a1",  "a2", "a3", "a4", "a5",
					"a6", "a7", "s2",  "s3",  "s4", "s5", "s6", "s7",
					"s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6"};
	const u64 *r = (const u64 *)tf;
	for (int i = 0; i < 32; i += 4)
		printk(" %3s %016lx %3s %016lx %3s %016lx %3s %016lx\n", names[i], r[i],
		       names[i + 1], r[i + 1], names[i + 2], r[i + 2], names[i + 3], r[i + 3]);
	printk(" sstatus %016lx\n", tf->sstatus);
	print_location(tf->epc);
}

/* The hart that panicked first, and how many times it has entered
 * panic_begin() (more than once: the panic itself went wrong). */
static int panic_hart = -1;
static int panic_depth;

void panic_begin(void)
{
	intr_off();
	int me = cpu_id(), first = -1;
	if (!__atomic_compare_exchange_n(&panic_hart, &first, me, false, __ATOMIC_SEQ_CST,
					 __ATOMIC_SEQ_CST) &&
	    first != me) {
		/* Another hart is reporting its panic: stay out of its way. */
		for (;;)
			wfi();
	}
	printk_panic_mode();
	/* A panic inside the panic (a fault while printing or walking the
	 * stack) must not loop: say so once, then stop. */
	if (++panic_depth > 1) {
		if (panic_depth == 2)
			printk("\n(a second panic while panicking: stopping)\n");
		panic_end();
	}
}

void panic_end(void)
{
	/* SBI system reset stops every hart at once. */
	sbi_shutdown();
}

void panic(const char *fmt, ...)
{
	panic_begin();
	char buf[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintk(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	printk("\npanic: %s\n", buf);
	char who[40];
	panic_describe_running(who, sizeof(who));
	printk("hart %lu, cpu %d, %s\n", mycpu()->hartid, cpu_id(), who);
	backtrace((u64)__builtin_frame_address(0));
	panic_end();
}
