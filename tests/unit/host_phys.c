/* Simulated physical memory: see host_phys.h. */
#include "tests/unit/host_phys.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

u8 *host_phys_base;
u64 host_phys_start;
int host_cpu;

static size_t host_phys_pages;

int host_cpu_id(void)
{
	return host_cpu;
}

void host_phys_init(size_t npages)
{
	if (host_phys_base || npages == 0) {
		fprintf(stderr, "host_phys_init: already initialised or empty\n");
		abort();
	}
	host_phys_base = aligned_alloc(PAGE_SIZE, npages * PAGE_SIZE);
	if (!host_phys_base) {
		fprintf(stderr, "host_phys_init: out of host memory\n");
		abort();
	}
	memset(host_phys_base, HOST_PHYS_POISON, npages * PAGE_SIZE);
	host_phys_start = HOST_PHYS_START;
	host_phys_pages = npages;
	host_cpu = 0;
}

void host_phys_fini(void)
{
	free(host_phys_base);
	host_phys_base = NULL;
	host_phys_start = 0;
	host_phys_pages = 0;
}

u64 host_phys_end(void)
{
	return host_phys_start + host_phys_pages * PAGE_SIZE;
}
