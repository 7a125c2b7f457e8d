/* xv6's sbrk fills the pages it adds at once, whatever the pager, so it
 * fails rather than overcommit (usertests counts free memory that way);
 * sbrklazy fills them on first touch, whatever the pager, and may reserve
 * more than RAM holds. An xv6 program, built against compat/xv6. */
#include "compat/xv6/kernel/memlayout.h"
#include "compat/xv6/kernel/riscv.h"
#include "compat/xv6/kernel/stat.h"
#include "compat/xv6/kernel/types.h"
#include "compat/xv6/kernel/vm.h"
#include "compat/xv6/user/user.h"
#include "tests/system/xv6test.h"

#define NPAGES 64
#define GIB    (1 << 30)

/* Free pages gone since before, or -1 if more came back. */
static long pages_taken(uint64 before)
{
	uint64 now = free_page_count();

	return now <= before ? (long)(before - now) : -1;
}

static void test_sbrk_fills(void)
{
	uint64 before = free_page_count();
	char *p = sbrk(NPAGES * PGSIZE);
	long taken = pages_taken(before);

	XV6_CHECK("xv6-sbrk-fills", p != SBRK_ERROR && taken >= NPAGES,
		  "sbrk of %d pages took %d free pages", NPAGES, (int)taken);
	sbrk(-NPAGES * PGSIZE);
}

/* More than the free pages (and free swap) but less than RAM (and swap):
 * the fill runs out, and the call fails without killing the caller.
 * Exits 0 when it failed. */
static void sbrk_too_much(void)
{
	struct mnemo_meminfo mi;
	uint64 free = free_page_count();

	if (meminfo(&mi) == 0)
		free += mi.swap_pages - mi.swap_used_pages;

	exit(sbrk((free + NPAGES) * PGSIZE) == SBRK_ERROR ? 0 : 3);
}

static void test_sbrk_fails(void)
{
	int status = xv6test_in_child(sbrk_too_much);

	XV6_CHECK("xv6-sbrk-out-of-memory", status == 0,
		  "sbrk of more than the free pages: status %d (0: it failed)", status);
	XV6_CHECK("xv6-sbrk-bad-how", sys_sbrk(PGSIZE, SBRK_LAZY + 1) == SBRK_ERROR,
		  "sys_sbrk took an unknown fill");
}

static void test_sbrklazy_defers(void)
{
	int len = 4096 * PGSIZE;
	uint64 before = free_page_count();
	char *p = sbrklazy(len);
	long taken = pages_taken(before);

	XV6_CHECK("xv6-sbrklazy-defers", p != SBRK_ERROR && taken < NPAGES,
		  "sbrklazy of 4096 pages took %d free pages", (int)taken);
	if (p != SBRK_ERROR) {
		p[len - 1] = 42;
		XV6_CHECK("xv6-sbrklazy-touch", p[len - 1] == 42 && p[0] == 0, "read back %d %d",
			  p[len - 1], p[0]);
		sbrk(-len);
	}
}

/* Shrinks the heap by bytes, in steps sbrk's int can carry. */
static void sbrk_back(uint64 bytes)
{
	for (uint64 done = 0; done < bytes; done += GIB)
		sbrk(-(bytes - done > GIB ? GIB : (int)(bytes - done)));
}

/* Grows the heap lazily by bytes, in steps sbrk's int can carry; returns
 * the old break, or SBRK_ERROR having given back what it took. */
static char *sbrklazy_long(uint64 bytes)
{
	char *start = sbrk(0);

	for (uint64 done = 0; done < bytes; done += GIB) {
		if (sbrklazy(bytes - done > GIB ? GIB : (int)(bytes - done)) == SBRK_ERROR) {
			sbrk_back(done);
			return SBRK_ERROR;
		}
	}
	return start;
}

static void test_sbrklazy_beyond_ram(void)
{
	uint64 len = 2 * (PHYSTOP - KERNBASE);
	char *p = sbrklazy_long(len);

	XV6_CHECK("xv6-sbrklazy-beyond-ram", p != SBRK_ERROR,
		  "sbrklazy of twice the RAM (%d MiB) failed", (int)(len >> 20));
	if (p == SBRK_ERROR)
		return;
	for (uint64 off = 0; off < len; off += len / 8)
		p[off] = 1;
	sbrk_back(len);
}

int main(void)
{
	test_sbrk_fills();
	test_sbrk_fails();
	test_sbrklazy_defers();
	test_sbrklazy_beyond_ram();
	return xv6test_done();
}
