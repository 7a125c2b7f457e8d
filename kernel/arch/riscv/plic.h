/* The interrupt controller: which device interrupts reach which hart, and
 * the handler each one runs. */
#ifndef ARCH_RISCV_PLIC_H
#define ARCH_RISCV_PLIC_H

#include "kernel/types.h"

#define PLIC_MAX_IRQ 128 /* sources plic_route takes (QEMU virt has 95) */

/* Sets up this hart's S-mode context: threshold 0, and every source
 * routed so far enabled. Once per hart, as it starts. */
void plic_init_hart(u64 hartid);
/* Sends source irq to the S-mode context of every hart, now and as each
 * later hart starts, with priority 1, and has handler run (interrupts
 * off, on the hart that claimed it) for each of its interrupts. 0;
 * -EINVAL for a source out of range or no handler; -EBUSY if irq has
 * one already. For boot and driver set-up: a route is never taken back. */
int plic_route(int irq, void (*handler)(void));
/* An external interrupt reached this hart: claims the source, runs its
 * handler and completes it. Nothing to claim (another hart took it) is
 * fine. */
void plic_intr(u64 hartid);

#endif
