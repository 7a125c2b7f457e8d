/* Supervisor Binary Interface calls into the firmware (OpenSBI). */
#ifndef ARCH_RISCV_SBI_H
#define ARCH_RISCV_SBI_H

#include "kernel/types.h"

void sbi_set_timer(u64 stime_value);
void sbi_send_ipi(u64 hart_mask, u64 hart_mask_base);
void sbi_remote_sfence_vma(u64 hart_mask, u64 hart_mask_base, u64 start, u64 size);
long sbi_hart_start(u64 hartid, u64 start_addr, u64 opaque);
void sbi_console_putchar(int c);
void sbi_shutdown(void) __attribute__((noreturn));

#endif
