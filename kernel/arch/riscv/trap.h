/* Trap handling entry points shared by the arch code. */
#ifndef ARCH_RISCV_TRAP_H
#define ARCH_RISCV_TRAP_H

#include "kernel/types.h"

/* Registers saved on a trap. x1..x31 sit at index i, the pc in slot 0. The
 * assembly in trap.S knows these offsets. */
struct trapframe {
	u64 epc;
	u64 ra, sp, gp, tp, t0, t1, t2, s0, s1;
	u64 a0, a1, a2, a3, a4, a5, a6, a7;
	u64 s2, s3, s4, s5, s6, s7, s8, s9, s10, s11;
	u64 t3, t4, t5, t6;
	u64 sstatus;
	u64 kernel_tp; /* this hart's struct cpu, reloaded on entry from user */
};


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
