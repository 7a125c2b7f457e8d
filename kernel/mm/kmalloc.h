/* Small-object allocator for kernel structures: power-of-two size classes
 * from 16 bytes to 2 KiB carved out of pages; larger requests take whole
 * page runs. */
#ifndef KERNEL_MM_KMALLOC_H
#define KERNEL_MM_KMALLOC_H

#include "kernel/types.h"

void *kmalloc(size_t size); /* NULL when out of memory */
void *kzalloc(size_t size); /* zeroed */
void kfree(void *p);	    /* NULL is allowed */

#endif
