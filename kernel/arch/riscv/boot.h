/* The machine's steps of booting, in the order kernel/main.c takes them. */
#ifndef ARCH_RISCV_BOOT_H
#define ARCH_RISCV_BOOT_H

#include "kernel/arch/riscv/fdt.h"
#include "kernel/types.h"

/* This hart becomes cpus[0], and printk writes to the UART. */
void boot_console_init(u64 hartid);
/* Reads the device tree at fdt_pa, gives the free RAM to the page
 * allocator and builds the kernel page table; the facts read. */
struct boot_info *boot_memory_init(u64 fdt_pa);
/* Traps and external interrupts on the boot hart. */
void boot_interrupts_init(u64 hartid);
/* Starts the other harts, waits until each runs, and starts this hart's
 * timer. With boot_hsmrace, each is started at the boot entry with the
 * device tree as its argument, as OpenSBI 1.1 sometimes does (entry.S). */
extern bool boot_hsmrace;
void boot_start_harts(const struct boot_info *bi, u64 hartid);

#endif
