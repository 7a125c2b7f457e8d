/* Boot: the boot hart sets up memory, devices and the first processes,
 * then starts the other harts; every hart ends in the scheduler. */
#include "kernel/arch/riscv/csr.h"
#include "kernel/arch/riscv/fdt.h"
#include "kernel/arch/riscv/kmap.h"
#include "kernel/arch/riscv/memlayout.h"
#include "kernel/arch/riscv/plic.h"
#include "kernel/arch/riscv/sbi.h"
#include "kernel/arch/riscv/trap.h"
#include "kernel/dev/uart.h"
#include "kernel/fs/fs.h"
#include "kernel/lib/printf.h"
#include "kernel/lib/string.h"
#include "kernel/mm/mm.h"
#include "kernel/mm/page.h"
#include "kernel/proc/proc.h"
#include "kernel/syscall/syscall.h"

extern char kernel_start[], kernel_end[];
extern char secondary_entry[];

struct boot_info boot_info;
static volatile int harts_started;

static u64 pa_of(const void *kva)
{
	return kva_to_pa(kva);
}

/* Hands the allocator every RAM page not used by the kernel image, the
 * initrd or the device tree. */
static void free_ram(const struct boot_info *bi)
{
	struct {
		u64 start, end;
	} used[] = {
	    {pa_of(kernel_start), bi->pages_end},
	    {bi->initrd_start, bi->initrd_end},
	    {bi->fdt_start, bi->fdt_start + bi->fdt_size},
	};
	u64 lo = pa_of(kernel_start), hi = bi->mem_start + bi->mem_size;
	/* Walk [lo, hi) in address order, skipping the used ranges. */
	while (lo < hi) {
		u64 next = hi;
		for (size_t i = 0; i < ARRAY_SIZE(used); i++) {
			if (used[i].start == used[i].end)
				continue;
			if (used[i].start <= lo && lo < used[i].end) {
				lo = used[i].end;
				next = 0;
				break;
			}
			if (used[i].start > lo && used[i].start < next)
				next = used[i].start;
		}
		if (next == 0)
			continue;
		page_alloc_init(lo, next);
		lo = next;
	}
}

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
 * cryptosrv=PATH (the tests start a server that crashes on purpose), and
 * crashtest=printk for the panic test. Other words are init's. */
static void apply_bootargs(const char *args)
{
	char value[16];
	for (const char *w = args; *w; w++) {
		if (w != args && w[-1] != ' ')
			continue;
		if (strncmp(w, "pager=", 6) == 0) {
			bootarg_value(w, 6, value, sizeof(value));
			if (mm_set_default_pager(value) < 0)
				printk("mnemo: unknown pager \"%s\", using lazy\n", value);
		} else if (strncmp(w, "cryptosrv=", 10) == 0) {
			bootarg_value(w, 10, crypto_server_path, sizeof(crypto_server_path));
		} else if (strncmp(w, "crashtest=", 10) == 0) {
			bootarg_value(w, 10, value, sizeof(value));
			if (strcmp(value, "printk") == 0) {
				printk_putc = crashtest_putc;
				printk("mnemo: crashtest\n");
			}
		}
	}
}

static void cpu_setup(int id, u64 hartid)
{
	struct cpu *c = &cpus[id];
	c->id = id;
	c->hartid = hartid;
	asm volatile("mv tp, %0" ::"r"(c));
}

void kmain(u64 hartid, u64 fdt_pa)
{
	cpu_setup(0, hartid);
	printk_putc = sbi_console_putchar;
	uart_init();
	printk_putc = uart_putc_sync;

	struct boot_info *bi = &boot_info;
	if (fdt_parse(fdt_pa, bi) < 0 || bi->mem_size == 0)
		panic("kmain: no usable device tree at %p", (void *)fdt_pa);
	if (bi->timebase)
		timebase_hz = bi->timebase;
	ncpu = MIN(bi->nharts, NCPU);

	/* The page descriptors go right after the kernel image. */
	bi->pages_end = page_alloc_setup(bi->mem_start, bi->mem_start + bi->mem_size,
					 PAGE_ROUND_UP(pa_of(kernel_end)));
	free_ram(bi);
	kmap_init(bi->mem_start, bi->mem_start + bi->mem_size);

	printk("\nmnemo: %lu MiB RAM, %lu MiB free, %d harts, timebase %lu Hz, boot hart %lu\n",
	       bi->mem_size >> 20, (page_free_count() * PAGE_SIZE) >> 20, ncpu, timebase_hz,
	       hartid);
	printk("mnemo: bootargs \"%s\"\n", bi->bootargs);

	trap_init_hart();
	plic_init();
	plic_init_hart(hartid);
	proc_init();
	console_init();
	fs_init(bi->initrd_start ? pa_to_kva(bi->initrd_start) : NULL,
		bi->initrd_end - bi->initrd_start);
	/* The file system copied the archive: its pages are free now. */
	if (bi->initrd_end > bi->initrd_start)
		page_alloc_init(bi->initrd_start, bi->initrd_end);
	apply_bootargs(bi->bootargs);
	userinit_with_args(bi->bootargs);
	crypto_init(crypto_server_path);

	/* Start the other harts; cpus[] index i goes to the i-th other hart. */
	int next = 1;
	for (int i = 0; i < bi->nharts && next < ncpu; i++) {
		if (bi->hartids[i] == hartid)
			continue;
		cpus[next].hartid = bi->hartids[i];
		if (sbi_hart_start(bi->hartids[i], pa_of(secondary_entry), next) == 0)
			next++;
	}
	ncpu = next;
	while (harts_started < ncpu - 1)
		;
	timer_init_hart();
	scheduler();
}

void secondary_main(u64 hartid, u64 id)
{
	cpu_setup((int)id, hartid);
	kmap_init_hart();
	trap_init_hart();
	plic_init_hart(hartid);
	__atomic_fetch_add(&harts_started, 1, __ATOMIC_RELEASE);
	timer_init_hart();
	scheduler();
}
