/* free: shows physical memory and swap, like Linux's free, in KiB and in
 * pages: what the page allocator manages, what is in use, what is free,
 * how much of the used part holds page tables and kmalloc's slabs; and
 * the swap disk's size, the part taken, and the pages the swap cache
 * keeps in RAM. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <mnemo.h>

static void mem_row(const char *unit, unsigned long total, unsigned long used, unsigned long avail,
		    unsigned long pagetables, unsigned long slab)
{
	printf("%-10s %12lu %12lu %12lu %12lu %12lu\n", unit, total, used, avail, pagetables, slab);
}

static void swap_row(const char *unit, unsigned long total, unsigned long used,
		     unsigned long cached)
{
	printf("%-10s %12lu %12lu %12lu %12s %12s %12lu\n", unit, total, used, total - used, "", "",
	       cached);
}

int main(void)
{
	struct mnemo_meminfo mi;

	if (meminfo(&mi) < 0) {
		fprintf(stderr, "free: meminfo: %s\n", strerror(errno));
		return 1;
	}
	unsigned long kib = (unsigned long)(mi.page_size / 1024);
	unsigned long total = (unsigned long)mi.total_pages;
	unsigned long avail = (unsigned long)mi.free_pages;
	unsigned long pt = (unsigned long)mi.pagetable_pages;
	unsigned long slab = (unsigned long)mi.slab_pages;
	unsigned long swap = (unsigned long)mi.swap_pages;
	unsigned long swap_used = (unsigned long)mi.swap_used_pages;
	unsigned long cached = (unsigned long)mi.swap_cache_pages;

	printf("%-10s %12s %12s %12s %12s %12s %12s\n", "", "total", "used", "free", "pagetables",
	       "slab", "swapcache");
	mem_row("Mem KiB:", total * kib, (total - avail) * kib, avail * kib, pt * kib, slab * kib);
	mem_row("Mem pages:", total, total - avail, avail, pt, slab);
	swap_row("Swap KiB:", swap * kib, swap_used * kib, cached * kib);
	swap_row("Swap pages:", swap, swap_used, cached);
	return 0;
}
