/* Trap handling entry points shared by the arch code. */
#ifndef ARCH_RISCV_TRAP_H
#define ARCH_RISCV_TRAP_H

#include "kernel/types.h"

struct trapframe;

void trap_init_hart(void);
void timer_init_hart(void);
extern u64 timebase_hz;

/* Returns to user mode through tf; does not return. */
void user_return(struct trapframe *tf) __attribute__((noreturn));
/* Prepares tf for the return to user mode and jumps there. */
void user_trap_return(void) __attribute__((noreturn));

/* A panic in two halves, for a caller (kernel_trap) that prints its own
 * report: panic_begin claims the panic for this hart and makes printk
 * lockless (a hart that finds another one panicking stops there, and a
 * panic inside the panic stops the machine at once); panic_end stops
 * every hart. panic() is both around its message and backtrace. */
void panic_begin(void);
void panic_end(void) __attribute__((noreturn));

/* Prints registers and a backtrace from the frame pointer fp. */
void dump_trapframe(const struct trapframe *tf);
void backtrace(u64 fp);

#endif
