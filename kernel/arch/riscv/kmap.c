/* The kernel's page table: the direct map of RAM (read-write, never
 * executable) with the kernel's text executable and read-only, plus the
 * UART, the PLIC and the virtio-mmio transports the device tree names.
 * All of it lives in the upper half, in level-2 slots
 * that user page tables copy at creation; nothing is added to those slots
 * later, so the copies stay exact. */
#include "kernel/arch/riscv/kmap.h"
#include "kernel/arch/riscv/csr.h"
#include "kernel/arch/riscv/memlayout.h"
#include "kernel/lib/panic.h"
#include "kernel/lib/printf.h"
#include "kernel/mm/pagetable.h"

extern char kernel_start[], etext[], erodata[];

pagetable_t kernel_root;
u64 kernel_satp; /* kernel_root as satp holds it, for trap.S */

static void map(u64 va, u64 pa, u64 size, u64 perm, bool huge)
{
	if (pt_map_range(kernel_root, va, pa, size, perm | PTE_G, huge, NULL) < 0)
		panic("kmap: out of memory");
}

void satp_switch(pagetable_t root)
{
	csr_write(satp, MAKE_SATP(kva_to_pa(root)));
	sfence_vma_all();
}

void kmap_init(const struct boot_info *bi)
{
	u64 ram_end = bi->mem_start + bi->mem_size;
	kernel_root = pt_alloc(NULL);
	if (!kernel_root)
		panic("kmap: out of memory");
	u64 text = kva_to_pa(kernel_start), text_end = kva_to_pa(etext);
	u64 ro_end = kva_to_pa(erodata);
	/* RAM below the kernel belongs to the firmware: not mapped. */
	map((u64)pa_to_kva(text), text, text_end - text, PTE_R | PTE_X, false);
	map((u64)pa_to_kva(text_end), text_end, ro_end - text_end, PTE_R, false);
	u64 rw = ro_end;
	u64 big = ALIGN_UP(rw, PT_LEVEL_SIZE(1));
	map((u64)pa_to_kva(rw), rw, big - rw, PTE_R | PTE_W, false);
	map((u64)pa_to_kva(big), big, ram_end - big, PTE_R | PTE_W, true);
	map((u64)pa_to_kva(UART0_PA), UART0_PA, PAGE_SIZE, PTE_R | PTE_W, false);
	map((u64)pa_to_kva(PLIC_PA), PLIC_PA, PLIC_SIZE, PTE_R | PTE_W, true);
	for (int i = 0; i < bi->nvirtio; i++) {
		u64 pa = ALIGN_DOWN(bi->virtio[i].base, PAGE_SIZE);
		u64 end = ALIGN_UP(bi->virtio[i].base + bi->virtio[i].size, PAGE_SIZE);
		map((u64)pa_to_kva(pa), pa, end - pa, PTE_R | PTE_W, false);
	}
	kernel_satp = MAKE_SATP(kva_to_pa(kernel_root));
	satp_switch(kernel_root);
}

void kmap_init_hart(void)
{
	satp_switch(kernel_root);
}
