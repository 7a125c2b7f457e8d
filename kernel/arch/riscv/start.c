/* The machine's part of booting (kernel/main.c has the sequence): the boot
 * hart's console, memory from the device tree and the kernel page table,
 * interrupts, and starting the other harts, which enter at
 * secondary_main. */
#include "kernel/arch/riscv/asid.h"
#include "kernel/arch/riscv/boot.h"
#include "kernel/arch/riscv/cpu.h"
#include "kernel/arch/riscv/csr.h"
#include "kernel/arch/riscv/fdt.h"
#include "kernel/arch/riscv/kmap.h"
#include "kernel/arch/riscv/memlayout.h"
#include "kernel/arch/riscv/plic.h"
#include "kernel/arch/riscv/sbi.h"
#include "kernel/arch/riscv/trap.h"
#include "kernel/dev/uart.h"
#include "kernel/lib/panic.h"
#include "kernel/lib/printf.h"
#include "kernel/mm/page.h"
#include "kernel/proc/proc.h"

extern char kernel_start[], kernel_end[];
extern char secondary_entry[], _start[];
/* The cpu index each started hart is to take, by hart id, for one that
 * the firmware sends to _start instead of secondary_entry (entry.S). In
 * .data: the boot hart zeroes .bss after such a hart may have looked. */
u32 boot_cpu_index[BOOT_MAX_HARTID] __attribute__((section(".data")));
bool boot_hsmrace;
extern volatile u64 boot_late_harts; /* entry.S */

struct boot_info boot_info;
static volatile int harts_started;
/* Set once the boot hart has said how many harts run. No other hart runs
 * a process before, so that the line never lands in the middle of what
 * init and the shell print (as it did on a slow host, after the shell's
 * second prompt, which scripts/ctrlc-test could not find then). */
static int harts_released;

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

static void cpu_setup(int id, u64 hartid)
{
	struct cpu *c = &cpus[id];
	c->id = id;
	c->hartid = hartid;
	asm volatile("mv tp, %0" ::"r"(c));
}

void boot_console_init(u64 hartid)
{
	cpu_setup(0, hartid);
	printk_putc = sbi_console_putchar;
	uart_init();
	printk_putc = uart_putc_sync;
}

struct boot_info *boot_memory_init(u64 fdt_pa)
{
	struct boot_info *bi = &boot_info;
	if (fdt_parse(fdt_pa, bi) < 0 || bi->mem_size == 0)
		panic("boot: no usable device tree at %p", (void *)fdt_pa);
	if (bi->timebase)
		timebase_hz = bi->timebase;
	ncpu = MIN(bi->nharts, NCPU);

	/* The page descriptors go right after the kernel image. */
	bi->pages_end = page_alloc_setup(bi->mem_start, bi->mem_start + bi->mem_size,
					 PAGE_ROUND_UP(pa_of(kernel_end)));
	free_ram(bi);
	kmap_init(bi);
	asid_init();
	return bi;
}

void boot_interrupts_init(u64 hartid)
{
	trap_init_hart();
	plic_init_hart(hartid);
	if (plic_route(UART0_IRQ, uart_intr) < 0)
		panic("boot: cannot route the UART's interrupt");
}

void boot_start_harts(const struct boot_info *bi, u64 hartid)
{
	/* cpus[] index i goes to the i-th other hart. */
	int next = 1;
	for (int i = 0; i < bi->nharts && next < ncpu; i++) {
		if (bi->hartids[i] == hartid)
			continue;
		cpus[next].hartid = bi->hartids[i];
		if (bi->hartids[i] < BOOT_MAX_HARTID)
			__atomic_store_n(&boot_cpu_index[bi->hartids[i]], next, __ATOMIC_SEQ_CST);
		/* Boot argument hsmrace: start each hart as the racing firmware
		 * sometimes does, at the boot entry with the boot arguments (the
		 * test of entry.S's late_secondary). */
		u64 entry = boot_hsmrace ? pa_of(_start) : pa_of(secondary_entry);
		u64 arg = boot_hsmrace ? bi->fdt_start : (u64)next;
		if (sbi_hart_start(bi->hartids[i], entry, arg) == 0)
			next++;
	}
	ncpu = next;
	while (harts_started < ncpu - 1)
		;
	timer_init_hart();
	for (int id = 0; id < BOOT_MAX_HARTID; id++)
		if (boot_late_harts & (1ULL << id))
			printk(
			    "mnemo: hart %d came in at the boot entry (the firmware's start race): "
			    "runs as a secondary\n",
			    id);
	printk("mnemo: %d harts running\n", ncpu);
	__atomic_store_n(&harts_released, 1, __ATOMIC_RELEASE);
}

void secondary_main(u64 hartid, u64 id)
{
	cpu_setup((int)id, hartid);
	kmap_init_hart();
	trap_init_hart();
	plic_init_hart(hartid);
	__atomic_fetch_add(&harts_started, 1, __ATOMIC_RELEASE);
	timer_init_hart();
	while (!__atomic_load_n(&harts_released, __ATOMIC_ACQUIRE))
		;
	scheduler();
}
