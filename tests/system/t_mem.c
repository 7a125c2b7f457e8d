/* Memory: sbrk grows (every new page touched), shrinks, sbrk(0); sbrk
 * until ENOMEM leaves the process working; fork copies memory; the
 * pages come back; meminfo and vmmaps describe it. */
#include <stdlib.h>

#include "test.h"

#define PAGE	   4096L
#define GROW_PAGES 256

static int write_at(long addr)
{
	*(volatile char *)addr = 1;
	return 0;
}

static void test_grow_shrink(void)
{
	char *old = sbrk(0), *p, *top;
	long f0, f1, bad = 0, nonzero = 0;

	CHECK("sbrk-0-stable", sbrk(0) == old);
	f0 = test_settle();
	p = sbrk(GROW_PAGES * PAGE);
	CHECK("sbrk-grow", p == old && sbrk(0) == old + GROW_PAGES * PAGE, "returned %p, old %p", p,
	      old);
	if (p == (char *)-1)
		return;
	for (long i = 0; i < GROW_PAGES; i++) {
		nonzero += p[i * PAGE] != 0 || p[i * PAGE + PAGE - 1] != 0;
		p[i * PAGE] = (char)i;
		p[i * PAGE + PAGE - 1] = (char)~i;
	}
	CHECK("sbrk-new-zeroed", nonzero == 0, "%ld pages not zero", nonzero);
	for (long i = 0; i < GROW_PAGES; i++)
		bad += p[i * PAGE] != (char)i || p[i * PAGE + PAGE - 1] != (char)~i;
	CHECK("sbrk-touch-all", bad == 0, "%ld pages wrong", bad);
	/* At least the pages touched; the page tables over them besides. */
	f1 = test_settle();
	CHECK("sbrk-uses-pages", f0 - f1 >= GROW_PAGES * PAGE, "%ld bytes used", f0 - f1);

	top = sbrk(-GROW_PAGES * PAGE);
	CHECK("sbrk-shrink", top == old + GROW_PAGES * PAGE && sbrk(0) == old);
	/* The pages and the page tables they emptied. */
	test_check_free("sbrk-shrink-frees", f0);
	CHECK("sbrk-shrunk-unmapped", test_in_child(write_at, (long)old + 8 * PAGE) == -1);

	/* Growing again gives zeroed memory, not the old bytes. */
	p = sbrk(GROW_PAGES * PAGE);
	nonzero = 0;
	for (long i = 8; i < GROW_PAGES; i++)
		nonzero += p[i * PAGE] != 0;
	CHECK("sbrk-regrow-zeroed", p == old && nonzero == 0, "%ld pages not zero", nonzero);
	sbrk(-GROW_PAGES * PAGE);

	/* Increments that are not whole pages. */
	p = sbrk(100);
	CHECK("sbrk-unaligned", p == old && sbrk(0) == old + 100 && (p[99] = 1) == 1);
	sbrk(-100);
	CHECK("sbrk-unaligned-back", sbrk(0) == old);
}

/* sbrk in big steps until it fails: ENOMEM, and the process goes on. */
static void test_enomem(void)
{
	char *start = sbrk(0);
	long grown = 0, step = 64L << 20;
	int err = 0;

	for (int i = 0; i < 8192; i++) {
		if (sbrk(step) == (void *)-1) {
			err = errno;
			break;
		}
		grown += step;
	}
	CHECK("sbrk-enomem", err == ENOMEM, "errno %d (%s) after %ld MiB", err, strerror(err),
	      grown >> 20);
	CHECK("sbrk-enomem-break-kept", sbrk(0) == start + grown);
	CHECK("sbrk-enomem-shrink", sbrk(-grown) == start + grown && sbrk(0) == start);

	expect_errno("sbrk-huge", (long)sbrk(1L << 45), ENOMEM);
	CHECK("sbrk-below-start", sbrk(-(1L << 45)) == (void *)-1 && sbrk(0) == start);

	char *m = malloc(100000);
	CHECK("after-enomem-malloc", m != NULL && (m[99999] = 5) == 5);
	free(m);
	CHECK("after-enomem-fork", test_in_child(write_at, (long)&grown) == 0);
}

/* fork gives the child a copy: its writes do not reach the parent. */
static void test_fork_copy(void)
{
	static char data[3 * PAGE];
	char *heap = malloc(PAGE);
	int fds[2], pid;
	char seen[2] = {0};

	memset(data, 'p', sizeof(data));
	memset(heap, 'h', PAGE);
	pipe(fds);
	pid = fork();
	if (pid == 0) {
		seen[0] = data[PAGE];
		seen[1] = heap[10];
		write(fds[1], seen, 2);
		memset(data, 'c', sizeof(data));
		memset(heap, 'c', PAGE);
		_exit(0);
	}
	read(fds[0], seen, 2);
	close(fds[0]);
	close(fds[1]);
	CHECK("fork-child-sees-parent", seen[0] == 'p' && seen[1] == 'h');
	CHECK("fork-copy-status", test_wait_status(pid) == 0);
	CHECK("fork-parent-unchanged", data[0] == 'p' && data[sizeof(data) - 1] == 'p' &&
					   heap[0] == 'h' && heap[PAGE - 1] == 'h');
	free(heap);
}

static int grow_touch_exit(long pages)
{
	char *p = sbrk(pages * PAGE);

	if (p == (char *)-1)
		return 1;
	for (long i = 0; i < pages; i++)
		p[i * PAGE] = 1;
	return 0;
}

static void test_exit_frees(void)
{
	long before = test_settle();
	int status = test_in_child(grow_touch_exit, 1024);

	CHECK("exit-frees-child-ran", status == 0, "status %d", status);
	test_check_free("exit-frees-memory", before);
}

static void test_info(void)
{
	struct mnemo_meminfo mi;
	struct mnemo_vmmap maps[32];
	int n, heap = 0, stack = 0;

	CHECK("meminfo",
	      meminfo(&mi) == 0 && mi.page_size == PAGE && mi.total_pages >= 32768 &&
		  mi.free_pages > 0 && mi.free_pages < mi.total_pages,
	      "page %llu total %llu free %llu", (unsigned long long)mi.page_size,
	      (unsigned long long)mi.total_pages, (unsigned long long)mi.free_pages);
	CHECK("free-page-count", free_page_count() > 0);

	sbrk(PAGE); /* make sure there is a heap */
	n = vmmaps(0, maps, 32);
	for (int i = 0; i < n && i < 32; i++) {
		heap += strcmp(maps[i].backing, "[heap]") == 0;
		stack += strcmp(maps[i].backing, "[stack]") == 0;
	}
	CHECK("vmmaps", n >= 3 && heap == 1 && stack == 1, "%d maps, heap %d stack %d", n, heap,
	      stack);
	for (int i = 0; i < n && i < 32; i++)
		if (strcmp(maps[i].backing, "[heap]") == 0)
			CHECK("vmmaps-heap-end", maps[i].end >= (uint64_t)(uintptr_t)sbrk(0),
			      "heap ends at %#llx, break %p", (unsigned long long)maps[i].end,
			      sbrk(0));
	CHECK("vmmaps-max-0", vmmaps(0, maps, 0) == n);
	sbrk(-PAGE);
}

int main(void)
{
	test_grow_shrink();
	test_enomem();
	test_fork_copy();
	test_exit_frees();
	test_info();
	return test_done();
}
