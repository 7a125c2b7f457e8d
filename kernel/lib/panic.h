/* Panics: for broken invariants only, never for bad user input (that is an
 * errno, or a killed process). panic() prints its message, the registers
 * and a backtrace, and stops every hart; it is the machine's
 * (kernel/arch/riscv/panic.c). */
#ifndef KERNEL_LIB_PANIC_H
#define KERNEL_LIB_PANIC_H

#include "kernel/types.h"

void panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

#define assert(cond)                                                                               \
	do {                                                                                       \
		if (unlikely(!(cond)))                                                             \
			panic("%s:%d: %s: assertion failed: %s", __FILE__, __LINE__, __func__,     \
			      #cond);                                                              \
	} while (0)

/* Describes what runs on this hart ("process 7 (sh)", or "no process"),
 * for a panic's report. Declared here, below kernel/proc, which provides
 * it: panic reaches the process table through it and nothing else. */
void panic_describe_running(char *buf, size_t size);

#endif
