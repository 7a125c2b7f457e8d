/* free: shows physical memory, like Linux's free, in KiB and in pages:
 * what the page allocator manages, what is in use, what is free, and how
 * much of the used part holds page tables and kmalloc's slabs. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <mnemo.h>

static void free_row(const char *unit, unsigned long total, unsigned long used, unsigned long avail,
		     unsigned long pagetables, unsigned long slab)
{
	printf("%-6s %12lu %12lu %12lu %12lu %12lu\n", unit, total, used, avail, pagetables, slab);
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

	printf("%-6s %12s %12s %12s %12s %12s\n", "", "total", "used", "free", "pagetables",
	       "slab");
	free_row("KiB:", total * kib, (total - avail) * kib, avail * kib, pt * kib, slab * kib);
	free_row("Pages:", total, total - avail, avail, pt, slab);
	return 0;
}
