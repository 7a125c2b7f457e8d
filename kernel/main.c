/* The boot sequence: the first C the boot hart runs (from
 * kernel/arch/riscv/entry.S), and the one place that calls every layer, so
 * it sits above them all. Each layer is set up from the bottom up: the
 * machine (console, memory, interrupts), processes, the file system from
 * the initrd, then the first processes, init (PID 1) and the crypto
 * server (PID 2), and the other harts. Every hart ends in the scheduler.
 * The machine-specific steps are kernel/arch/riscv/start.c's. */
#include "kernel/arch/riscv/boot.h"
#include "kernel/arch/riscv/memlayout.h"
#include "kernel/arch/riscv/trap.h"
#include "kernel/dev/blk.h"
#include "kernel/dev/uart.h"
#include "kernel/fs/fs.h"
#include "kernel/lib/panic.h"
#include "kernel/lib/printf.h"
#include "kernel/lib/string.h"
#include "kernel/mm/mm.h"
#include "kernel/mm/page.h"
#include "kernel/mm/reclaim.h"
#include "kernel/mm/swap.h"
#include "kernel/proc/proc.h"
#include "kernel/syscall/syscall.h"

/* crashtest=printk: the first character printed after boot panics, from
 * inside printk with its lock held, so that scripts/panic-test can check
 * that such a panic is still reported once and stops the machine. */
static void crashtest_putc(int c)
{
	(void)c;
	printk_putc = uart_putc_sync;
	panic("crashtest: panic inside printk");
}

/* Copies the value of the boot argument starting at word (after key=). */
static void bootarg_value(const char *word, size_t keylen, char *out, size_t size)
{
	size_t n = 0;
	for (word += keylen; *word && *word != ' ' && n + 1 < size; word++)
		out[n++] = *word;
	out[n] = 0;
}

/* The crypto server's program, read once at boot (cryptosrv=PATH). */
static char crypto_server_path[64] = "/bin/crypto_srv";

/* Kernel options among the boot arguments: pager=lazy|eager,
 * cryptosrv=PATH (the tests start a server that crashes on purpose),
 * crashtest=printk for the panic test, and blkcheck for the block
 * device's (scripts/blk-test): init checks the disk before it starts
 * /bin/init, as blk_rw sleeps and needs a process; hsmrace starts the
 * other harts as a racing firmware does (boot_start_harts). Other words
 * are init's. */
static void apply_bootargs(const char *args)
{
	char value[16];
	bool blkcheck = false, blkbench = false;
	for (const char *w = args; *w; w++) {
		if (w != args && w[-1] != ' ')
			continue;
		if (strncmp(w, "pager=", 6) == 0) {
			bootarg_value(w, 6, value, sizeof(value));
			if (mm_set_default_pager(value) < 0)
				printk("mnemo: unknown pager \"%s\", using lazy\n", value);
		} else if (strncmp(w, "cryptosrv=", 10) == 0) {
			bootarg_value(w, 10, crypto_server_path, sizeof(crypto_server_path));
		} else if (strncmp(w, "blkcheck", 8) == 0 && (w[8] == ' ' || w[8] == 0)) {
			blkcheck = true;
		} else if (strncmp(w, "blkbench", 8) == 0 && (w[8] == ' ' || w[8] == 0)) {
			blkbench = true;
		} else if (strncmp(w, "hsmrace", 7) == 0 && (w[7] == ' ' || w[7] == 0)) {
			boot_hsmrace = true;
		} else if (strncmp(w, "crashtest=", 10) == 0) {
			bootarg_value(w, 10, value, sizeof(value));
			if (strcmp(value, "printk") == 0) {
				printk_putc = crashtest_putc;
				printk("mnemo: crashtest\n");
			}
		}
	}
	/* One hook as init starts: the check, or else the measure. */
	if (blkcheck)
		proc_on_init_start(blk_check);
	else if (blkbench)
		proc_on_init_start(blk_bench);
}

void kmain(u64 hartid, u64 fdt_pa)
{
	boot_console_init(hartid);
	struct boot_info *bi = boot_memory_init(fdt_pa);
	printk("\nmnemo: %lu MiB RAM, %lu MiB free, %d harts, timebase %lu Hz, boot hart %lu\n",
	       bi->mem_size >> 20, (page_free_count() * PAGE_SIZE) >> 20, ncpu, timebase_hz,
	       hartid);
	printk("mnemo: bootargs \"%s\"\n", bi->bootargs);
	boot_interrupts_init(hartid);

	proc_init();
	console_init();
	pgrp_init();
	/* A machine without a disk runs without one, and without swap. */
	if (blk_init() == 0)
		swap_init();
	fs_init(bi->initrd_start ? pa_to_kva(bi->initrd_start) : NULL,
		bi->initrd_end - bi->initrd_start);
	/* The file system copied the archive: its pages are free now. */
	if (bi->initrd_end > bi->initrd_start)
		page_alloc_init(bi->initrd_start, bi->initrd_end);
	apply_bootargs(bi->bootargs);
	userinit_with_args(bi->bootargs);
	crypto_init(crypto_server_path);
	futex_init();
	if (kthread_start("kswapd", reclaim_thread) < 0)
		panic("kswapd: no process slot");

	boot_start_harts(bi, hartid);
	scheduler();
}
