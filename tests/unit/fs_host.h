/* Host stand-ins for what kernel/fs needs from the rest of the kernel:
 * pages and kmalloc (with counters, poison and failure injection), and
 * uaccess on plain host pointers. A test_fs_*.c file includes this header,
 * then the kernel/fs sources it tests; printk, panic and the locks come
 * from host_kernel.c, which the Makefile links in as FS_HOST. Each test
 * binary is its own program, so these definitions never clash. */
#ifndef TESTS_UNIT_FS_HOST_H
#define TESTS_UNIT_FS_HOST_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "include/uapi/errno.h"
#include "kernel/lib/printf.h"
#include "kernel/lib/sleeplock.h"
#include "kernel/lib/spinlock.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/mm.h"
#include "kernel/mm/page.h"
#include "kernel/mm/uaccess.h"

#define FS_HOST_POISON 0xa5

static long fs_host_pages;	  /* pages allocated and not freed */
static long fs_host_objs;	  /* kmalloc objects allocated and not freed */
static long fs_host_allocs;	  /* allocations of either kind so far */
static long fs_host_fail_at = -1; /* the allocation with this number fails */

/* Makes allocation number n (counting from now, 0 = the next) fail. */
static inline void fs_host_fail_after(long n)
{
	fs_host_fail_at = fs_host_allocs + n;
}
static inline void fs_host_fail_never(void)
{
	fs_host_fail_at = -1;
}

static bool fs_host_fails(void)
{
	return fs_host_allocs++ == fs_host_fail_at;
}

/* kernel/mm's side of truncating a mapped file: the host has no address
 * spaces, so the calls are only counted. */
static long fs_host_unmaps __attribute__((unused));
void mm_unmap_object(const void *obj, u64 pgoff)
{
	(void)obj;
	(void)pgoff;
	fs_host_unmaps++;
}

/* No swap on the host's file system tests: nothing is ever evicted, so
 * nothing comes back. */
int swap_in(u64 slot, struct page **out)
{
	(void)slot;
	(void)out;
	return -EIO;
}
void swap_put(u64 slot)
{
	(void)slot;
}
long swap_slot_for(struct page *pg)
{
	(void)pg;
	return -1;
}
void swap_add_entry(u64 slot)
{
	(void)slot;
}
u64 swap_write(struct page **pages, int n)
{
	(void)pages;
	(void)n;
	return 0;
}
/* Page frames, for fdata's eviction, which these tests never reach: the
 * host's kernel pages are plain malloc'd memory, not frames. */
u8 *host_phys_base;
u64 host_phys_start;
struct page *page_array; /* none: every pa_to_page lands in page_bad_pa */
u64 page_first_pfn, page_npages;
void page_bad_pa(u64 pa)
{
	(void)pa;
	cr_assert_fail("pa_to_page: the file system tests have no page frames");
	abort();
}
void page_put(struct page *pg)
{
	(void)pg;
	cr_assert_fail("page_put: the file system tests have no page frames");
}

void fs_swap_init(void)
{
}
/* The reverse map of a file's mappings: no address spaces here. */
void vm_mappings_init(struct vm_mappings *maps)
{
	list_init(&maps->vmas);
}
bool vm_mapped(struct vm_mappings *maps)
{
	return !list_empty(&maps->vmas);
}
bool reclaim_unmap_object_page(struct vm_mappings *maps, u64 pgoff, struct page *pg, u64 refs)
{
	(void)maps, (void)pgoff, (void)pg, (void)refs;
	cr_assert_fail("reclaim_unmap_object_page: the file system tests have no mappings");
	return false;
}
void reclaim_if_low(void)
{
}
u64 reclaim_pages(u64 want)
{
	(void)want;
	return 0;
}

void *kpage_alloc(void)
{
	void *p;

	if (fs_host_fails())
		return NULL;
	p = aligned_alloc(PAGE_SIZE, PAGE_SIZE);
	cr_assert(p);
	memset(p, FS_HOST_POISON, PAGE_SIZE);
	fs_host_pages++;
	return p;
}

void *kpage_alloc_zeroed(void)
{
	void *p = kpage_alloc();

	if (p)
		memset(p, 0, PAGE_SIZE);
	return p;
}

void kpage_free(void *kva)
{
	cr_assert(kva);
	cr_assert((uintptr_t)kva % PAGE_SIZE == 0);
	fs_host_pages--;
	free(kva);
}

void *kmalloc(size_t size)
{
	void *p;

	if (fs_host_fails())
		return NULL;
	p = malloc(size ? size : 1);
	cr_assert(p);
	memset(p, FS_HOST_POISON, size);
	fs_host_objs++;
	return p;
}

void *kzalloc(size_t size)
{
	void *p = kmalloc(size);

	if (p)
		memset(p, 0, size);
	return p;
}

void kfree(void *p)
{
	if (!p)
		return;
	fs_host_objs--;
	free(p);
}

/* Called in the middle of every user copy when set: what a page fault
 * there could do (map a page of the file being read or written). */
static void (*fs_host_during_copy)(void);

/* "User" memory is host memory; NULL stands for a bad address. */
int copy_to_user(void __user *dst, const void *src, size_t n)
{
	if (!dst)
		return -EFAULT;
	if (fs_host_during_copy)
		fs_host_during_copy();
	memcpy(dst, src, n);
	return 0;
}

int copy_from_user(void *dst, const void __user *src, size_t n)
{
	if (!src)
		return -EFAULT;
	memcpy(dst, src, n);
	if (fs_host_during_copy)
		fs_host_during_copy();
	return 0;
}

#endif
