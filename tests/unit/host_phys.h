/* Simulated physical memory for host unit tests of kernel/mm.
 *
 * kernel/mm/mm_arch.h (under MNEMO_HOST) turns physical addresses into
 * pointers through host_phys_base and host_phys_start; this helper owns
 * them. A test calls host_phys_init() (usually from a Criterion .init
 * fixture), hands [host_phys_start, host_phys_end()) to the allocator under
 * test, and calls host_phys_fini() at the end. */
#ifndef TESTS_UNIT_HOST_PHYS_H
#define TESTS_UNIT_HOST_PHYS_H

#include "kernel/mm/mm_arch.h"
#include "kernel/types.h"

#define HOST_PHYS_START 0x80000000UL /* where QEMU virt's RAM starts */
#define HOST_PHYS_PAGES 4096	     /* default size: 16 MiB */

/* Byte that fills the simulated RAM at init, so that code which assumes
 * fresh memory is zero fails visibly. */
#define HOST_PHYS_POISON 0x5a

/* Allocates npages page-aligned pages pretending to start at physical
 * address HOST_PHYS_START, filled with HOST_PHYS_POISON. Aborts if out of
 * host memory or if already initialised. */
void host_phys_init(size_t npages);
/* Frees the simulated RAM. */
void host_phys_fini(void);
/* One past the last simulated physical address. */
u64 host_phys_end(void);

/* What host_cpu_id() (the host's mm_cpu_id()) returns: 0 unless a test
 * pretends to run on another hart, in [0, MM_NCPU). */
extern int host_cpu;

#endif
