/* Small-object allocator for kernel structures: power-of-two size classes
 * from 16 bytes to 2 KiB carved out of pages; larger requests take whole
 * page runs. */
#ifndef KERNEL_MM_KMALLOC_H
#define KERNEL_MM_KMALLOC_H

#include "kernel/types.h"

void *kmalloc(size_t size); /* NULL when out of memory */
void *kzalloc(size_t size); /* zeroed */
void kfree(void *p);	    /* NULL is allowed */

/* What the slabs hold: their pages, and the bytes of the objects handed
 * out from them (by size class, so a 40-byte request counts 64). A slab
 * page's free space is what kmalloc can hand out without a new page; a
 * leak check counts it as free (include/uapi/sysinfo.h). */
struct kmalloc_usage {
	u64 slab_pages;
	u64 object_bytes;
};
void kmalloc_usage(struct kmalloc_usage *u);

#endif
