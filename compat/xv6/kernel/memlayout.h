/* xv6's physical and virtual memory landmarks, as seen from user code.
 *
 * Physical memory: RAM starts at KERNBASE on QEMU's virt machine, and
 * PHYSTOP is where the RAM the kernel manages ends. mnemo's RAM size is
 * not a constant, so PHYSTOP asks the kernel (a meminfo() call each time
 * it is evaluated; it is not usable in a constant expression).
 *
 * Virtual memory: xv6 maps the trampoline at the top of user space and
 * the trap frame just below. mnemo has neither (its kernel is in the upper
 * half), but it leaves those two pages unmapped and puts the top of the
 * stack under them, so that a program touching TRAMPOLINE or TRAPFRAME
 * faults as it would on xv6. */
#ifndef XV6_KERNEL_MEMLAYOUT_H
#define XV6_KERNEL_MEMLAYOUT_H

#include <mnemo.h>

#include "riscv.h"

#define KERNBASE 0x80000000L
#define PHYSTOP	 (KERNBASE + (long)mnemo_ram_bytes())

#define TRAMPOLINE (MAXVA - PGSIZE)
#define TRAPFRAME  (TRAMPOLINE - PGSIZE)

#endif
