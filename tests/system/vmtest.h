/* Helpers for the memory-mapping tests (t_mmap, t_mprotect, t_vmfault,
 * t_uaccess, t_cow, t_vmstress); header only, on top of test.h.
 *
 * The central one draws a window of the address space as a picture, one
 * character per page, from what vmmaps() reports:
 *
 *   'w' read-write   'r' read-only   'x' read-execute   'X' read-write-execute
 *   '-' PROT_NONE    '.' nothing mapped
 *
 * and a '|' between two mapped pages that belong to different VMAs. So
 * mprotect(PROT_READ) of the middle of an eight-page mapping turns
 * "wwwwwwww" into "ww|rrrr|ww", and undoing it must give "wwwwwwww" back
 * (the VMAs merged again). Tests compare such pictures as strings. */
#ifndef TESTS_SYSTEM_VMTEST_H
#define TESTS_SYSTEM_VMTEST_H

#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>

#include "test.h"

#define PAGE 4096L

/* The first address of the kernel half: no user range may reach it. */
#define VM_KERNEL_HALF 0x4000000000UL

/* Where the tests put the mappings they place themselves: far above any
 * heap, below the place the kernel picks from (0x2000000000), so nothing
 * of the program's own lies there. Each test program uses its own
 * windows inside it. */
#define VM_ARENA 0x1000000000UL

#define VM_MAX_MAPS 1200

static struct mnemo_vmmap vm_maps_buf[VM_MAX_MAPS];

/* Reads the caller's mappings into vm_maps_buf; returns how many were
 * read (at most VM_MAX_MAPS), or -1. */
static inline int vm_maps(void)
{
	int n = vmmaps(0, vm_maps_buf, VM_MAX_MAPS);

	return n > VM_MAX_MAPS ? VM_MAX_MAPS : n;
}

/* The number of mappings the caller has, or -1. */
static inline int vm_map_count(void)
{
	return vmmaps(0, vm_maps_buf, 0);
}

/* The record of the mapping that holds addr (in vm_maps_buf, valid until
 * the next call), or NULL. */
static inline const struct mnemo_vmmap *vm_find(uint64_t addr)
{
	int n = vm_maps();

	for (int i = 0; i < n; i++)
		if (vm_maps_buf[i].start <= addr && addr < vm_maps_buf[i].end)
			return &vm_maps_buf[i];
	return NULL;
}

/* The record of the first mapping whose backing is name ("[stack]"...). */
static inline const struct mnemo_vmmap *vm_find_named(const char *name)
{
	int n = vm_maps();

	for (int i = 0; i < n; i++)
		if (strcmp(vm_maps_buf[i].backing, name) == 0)
			return &vm_maps_buf[i];
	return NULL;
}

static inline char vm_prot_char(uint32_t prot)
{
	switch (prot & (PROT_READ | PROT_WRITE | PROT_EXEC)) {
	case PROT_NONE:
		return '-';
	case PROT_READ:
		return 'r';
	case PROT_READ | PROT_EXEC:
		return 'x';
	case PROT_READ | PROT_WRITE | PROT_EXEC:
		return 'X';
	default:
		return 'w';
	}
}

/* Draws the npages pages from addr into out (size at least 2 * npages);
 * returns out. A VMA that starts before addr or ends after the window is
 * not marked at the window's edges. */
static inline char *vm_picture(uint64_t addr, long npages, char *out)
{
	int n = vm_maps(), k = 0;
	long prev = -1; /* index of the VMA of the previous page, -1: none */

	for (long i = 0; i < npages; i++) {
		uint64_t va = addr + (uint64_t)i * PAGE;
		long at = -1;

		for (int j = 0; j < n; j++)
			if (vm_maps_buf[j].start <= va && va < vm_maps_buf[j].end) {
				at = j;
				break;
			}
		if (at >= 0 && prev >= 0 && at != prev)
			out[k++] = '|';
		out[k++] = at < 0 ? '.' : vm_prot_char(vm_maps_buf[at].prot);
		prev = at;
	}
	out[k] = '\0';
	return out;
}

/* CHECKs that the window [addr, addr + npages pages) looks like want. */
static inline int vm_check_picture(const char *name, void *addr, long npages, const char *want)
{
	char got[512];

	vm_picture((uint64_t)(uintptr_t)addr, npages, got);
	return CHECK(name, strcmp(got, want) == 0, "address space \"%s\", expected \"%s\"", got,
		     want);
}

/* mmap of anonymous private memory; MAP_FAILED on failure. */
static inline void *vm_anon(void *addr, long len, int prot, int extra_flags)
{
	return mmap(addr, len, prot, MAP_PRIVATE | MAP_ANONYMOUS | extra_flags, -1, 0);
}

/* Anonymous private memory at exactly addr, which must be free. */
static inline void *vm_anon_at(uint64_t addr, long len, int prot)
{
	return vm_anon((void *)(uintptr_t)addr, len, prot, MAP_FIXED_NOREPLACE);
}

/* Child bodies for test_in_child(): one access at addr. A child that
 * survives its access exits 0. */
static inline int vm_child_read(long addr)
{
	(void)*(volatile char *)addr;
	return 0;
}

static inline int vm_child_write(long addr)
{
	*(volatile char *)addr = 1;
	return 0;
}

/* Calls the code at addr as a function. */
static inline int vm_child_exec(long addr)
{
	((void (*)(void))addr)();
	return 0;
}

/* Writes a page-identifying word at the start and the end of each of the
 * npages pages at p, so that a lost, moved or swapped page shows. */
static inline void vm_mark(char *p, long npages, uint32_t seed)
{
	for (long i = 0; i < npages; i++) {
		uint64_t w = test_pattern_word(seed, (uint64_t)(uintptr_t)(p + i * PAGE) / PAGE);
		memcpy(p + i * PAGE, &w, 8);
		memcpy(p + i * PAGE + PAGE - 8, &w, 8);
	}
}

/* The number of pages among the npages at p whose marks are wrong. */
static inline long vm_mark_errors(const char *p, long npages, uint32_t seed)
{
	long bad = 0;

	for (long i = 0; i < npages; i++) {
		uint64_t w = test_pattern_word(seed, (uint64_t)(uintptr_t)(p + i * PAGE) / PAGE);
		bad +=
		    memcmp(p + i * PAGE, &w, 8) != 0 || memcmp(p + i * PAGE + PAGE - 8, &w, 8) != 0;
	}
	return bad;
}

/* The number of nonzero bytes in [p, p + n). */
static inline long vm_nonzero(const char *p, long n)
{
	long bad = 0;

	for (long i = 0; i < n; i++)
		bad += p[i] != 0;
	return bad;
}

/* Waits at most VM_GROUP_SECONDS for child pid; 1 with its status in
 * *status once it has ended, 0 if it is still running, -1 on error. */
#ifndef VM_GROUP_SECONDS
#define VM_GROUP_SECONDS 30 /* a pressure test (p_*) may set more */
#endif

static inline int vm_wait_group(int pid, int *status)
{
	for (long tick = 0; tick < VM_GROUP_SECONDS * 100L; tick++) {
		int r = waitpid(pid, status, WNOHANG | MNEMO_WAIT_RAW);
		if (r == pid)
			return 1;
		if (r < 0)
			return -1;
		usleep(10000);
	}
	return 0;
}

static inline void vm_group_body(void (*fn)(void))
{
	test_nfailed = 0; /* the parent's failures are not the group's */
	fn();
	_exit(test_done());
}

static inline void vm_group_nothing(void)
{
	usleep(20000);
}

/* Runs fn() in a child as a group of checks (their PASS and FAIL lines
 * are the child's) and waits at most VM_GROUP_SECONDS for it. A group
 * that dies (status -1) or never ends (a process stuck in the kernel
 * cannot even be killed) gives one more FAIL line here, so that the rest
 * of the program still runs; one that ends with failed checks counts as
 * failed. Free memory must come back exactly once the group's
 * process is gone (test_check_free). Returns whether all went well.
 *
 * The first call warms up: it runs an empty group, so that this parent
 * has faulted in the code it runs while it waits before a group is
 * counted. */
static inline int vm_run_group(const char *name, void (*fn)(void))
{
	static int warm;
	long before;
	int pid, status, ended;

	if (!warm) {
		warm = 1;
		test_print("(each group of checks runs in a child process of its own)");
		pid = fork();
		if (pid == 0)
			vm_group_body(vm_group_nothing);
		if (pid > 0)
			vm_wait_group(pid, &status);
	}
	before = test_settle();
	pid = fork();
	if (pid < 0)
		return CHECK(name, 0, "fork: %s", strerror(errno));
	if (pid == 0)
		vm_group_body(fn);
	ended = vm_wait_group(pid, &status);
	if (ended < 0)
		return CHECK(name, 0, "waitpid: %s", strerror(errno));
	if (ended == 0) {
		kill(pid, SIGKILL);
		return CHECK(name, 0,
			     "the group is still running after %d s (stuck in the kernel?)",
			     VM_GROUP_SECONDS);
	}
	if (status == -1)
		return CHECK(name, 0, "the group was killed (status -1)");
	char leak[80];
	snprintf(leak, sizeof(leak), "%s-no-leak", name);
	test_nfailed += status != 0;
	return test_check_free(leak, before) && status == 0;
}

#endif
