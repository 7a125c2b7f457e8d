/* The kernel's own symbol table, for backtraces. scripts/ksyms generates
 * it from a first link of the kernel; the final link places it last so that
 * no other address moves. */
#ifndef ARCH_RISCV_KSYMS_H
#define ARCH_RISCV_KSYMS_H

#include "kernel/types.h"

/* The function containing pc and the offset into it, or NULL. */
const char *ksym_lookup(u64 pc, u64 *offset);

#endif
