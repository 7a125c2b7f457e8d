#ifndef ARCH_RISCV_PLIC_H
#define ARCH_RISCV_PLIC_H

#include "kernel/types.h"

void plic_init(void);
void plic_init_hart(u64 hartid);
int plic_claim(u64 hartid); /* 0: nothing pending */
void plic_complete(u64 hartid, int irq);

#endif
