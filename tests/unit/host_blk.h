/* The host's disk for the swap tests (host_blk.c). */
#ifndef TESTS_UNIT_HOST_BLK_H
#define TESTS_UNIT_HOST_BLK_H

#include "kernel/types.h"

/* A zeroed disk of bytes (0: none), replacing any earlier one. */
void host_blk_attach(u64 bytes);
/* Requests that succeed before every later one fails with -EIO; -1: never. */
extern long host_blk_fail_after;
/* Requests done so far. */
extern u64 host_blk_reads, host_blk_writes;

#endif
