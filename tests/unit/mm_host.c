/* The host stand-ins kernel/mm needs: see mm_host.h. printk, panic and
 * the locks are host_kernel.c's, shared with the kernel/fs tests. */
#include "tests/unit/mm_host.h"

#include <criterion/criterion.h>
#include <string.h>

/* ---- booting ---- */

static pte_t host_kernel_root[PT_ENTRIES] __attribute__((aligned(PAGE_SIZE)));
pte_t *kernel_root = host_kernel_root;

void mm_host_boot(size_t npages)
{
	host_phys_init(npages);
	/* Kernel pointers are told from user addresses by value (see
	 * mm_host_user.c); host memory must lie above user space. */
	cr_assert_geq((u64)host_phys_base, MM_USER_TOP, "host RAM at %p overlaps user space",
		      (void *)host_phys_base);
	u64 start = host_phys_start, end = host_phys_end();
	u64 first_free = page_alloc_setup(start, end, start);
	page_alloc_init(first_free, end);
	memset(host_kernel_root, 0, sizeof(host_kernel_root));
	mm_host_load(NULL);
	mm_host_flushes = mm_host_flushes_all = 0;
	mm_host_kill_after = -1;
}

void mm_host_halt(void)
{
	host_phys_fini();
}

/* ---- the hart and its TLB ---- */

struct mm *mm_host_loaded;
u64 mm_host_flushes, mm_host_flushes_all;
bool mm_host_sum;
struct mm_host_tlb_entry mm_host_tlb[MM_HOST_TLB_SIZE];

static void tlb_drop_all(void)
{
	memset(mm_host_tlb, 0, sizeof(mm_host_tlb));
}

void mm_host_load(struct mm *mm)
{
	mm_host_loaded = mm;
	tlb_drop_all();
}

struct mm *mm_current(void)
{
	return mm_host_loaded;
}

/* One thread, and a disk that answers at once: nobody ever waits for a
 * transfer another started. */
void mm_sleep(void *chan, struct spinlock *lk)
{
	(void)lk;
	cr_assert_fail("mm_sleep(%p): nothing could wake this single thread", chan);
}

void mm_wakeup(void *chan)
{
	(void)chan;
}

int mm_host_kill_after = -1;

bool mm_current_killed(void)
{
	if (mm_host_kill_after < 0)
		return false;
	if (mm_host_kill_after == 0)
		return true;
	mm_host_kill_after--;
	return false;
}

struct mm *mm_host_loaded_elsewhere;
u64 mm_host_remote_flushes, mm_host_local_flushes;

bool mm_tlb_loaded_elsewhere(struct mm *mm)
{
	return mm && mm == mm_host_loaded_elsewhere;
}

static void tlb_drop_page(u64 va)
{
	u64 vpn = va >> PAGE_SHIFT;
	struct mm_host_tlb_entry *e = &mm_host_tlb[vpn % MM_HOST_TLB_SIZE];
	if (e->valid && e->vpn == vpn)
		e->valid = false;
}

void mm_tlb_flush_local(struct mm *mm, u64 va)
{
	mm_host_local_flushes++;
	if (mm == mm_host_loaded)
		tlb_drop_page(va);
}

/* As kernel/arch/riscv/mmu.c: only the loaded mm has entries to drop. */
void mm_tlb_flush(struct mm *mm, u64 va)
{
	mm_host_flushes++;
	if (va == MM_FLUSH_ALL)
		mm_host_flushes_all++;
	if (mm_tlb_loaded_elsewhere(mm))
		mm_host_remote_flushes++;
	if (mm != mm_host_loaded)
		return;
	if (va == MM_FLUSH_ALL) {
		tlb_drop_all();
		return;
	}
	tlb_drop_page(va);
}

void mm_user_access_begin(void)
{
	cr_assert(!mm_host_sum, "mm_user_access_begin: SUM already set");
	mm_host_sum = true;
}

void mm_user_access_end(void)
{
	cr_assert(mm_host_sum, "mm_user_access_end: SUM not set");
	mm_host_sum = false;
}

/* glibc 2.36 has no strlcpy; kernel/lib/string.h's contract. */
size_t strlcpy(char *dst, const char *src, size_t size)
{
	size_t n = strlen(src);
	if (size) {
		size_t k = n < size - 1 ? n : size - 1;
		memcpy(dst, src, k);
		dst[k] = 0;
	}
	return n;
}
