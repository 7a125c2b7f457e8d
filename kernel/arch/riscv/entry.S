# First instructions, with the MMU off, at the physical load address.
# OpenSBI enters the boot hart with a0 = hart id, a1 = device tree; a hart
# started by sbi_hart_start() arrives at secondary_entry with a1 = its cpu
# index. Both turn on a boot page table that maps the kernel's gigabyte
# twice (identity, to survive the satp write, and at DIRECT_MAP), jump to
# the high address and call C.

#include "kernel/arch/riscv/memlayout.h"

#define PTE_BOOT 0xef /* V R W X G A D: gigapages for boot only */
#define BOOT_STACK 16384

	.section .text.boot, "ax"
	.globl _start
_start:
	# One hart boots. Another that comes here was started by
	# sbi_hart_start() for secondary_entry, but the firmware sent it to
	# the boot entry with the boot arguments (a1 = the device tree):
	# OpenSBI 1.1 publishes a started hart's new state before its start
	# address, and a hart that wakes in between leaves with the old one.
	# Running kmain a second time would wipe the allocator under the
	# first, so it goes where it was sent, as the cpu boot_start_harts
	# gave its hart id.
	lla t0, boot_claimed
	li t1, 1
	amoswap.w.aqrl t1, t1, (t0)
	bnez t1, late_secondary
	mv s0, a0
	mv s1, a1
	call enable_boot_paging
	# Zero .bss (the boot stacks live there, unused so far).
	la t0, bss_start
	la t1, bss_end
1:	bgeu t0, t1, 2f
	sd zero, 0(t0)
	addi t0, t0, 8
	j 1b
2:	la sp, boot_stacks
	li t0, BOOT_STACK
	add sp, sp, t0
	mv a0, s0
	mv a1, s1
	call kmain
3:	wfi
	j 3b

late_secondary:
	li t0, BOOT_MAX_HARTID
	bgeu a0, t0, 6f
	lla t0, boot_cpu_index
	slli t1, a0, 2
	add t0, t0, t1
	lw a1, 0(t0)		# its cpu index; 0: it was never started
	fence r, rw
	beqz a1, 6f
	lla t0, boot_late_harts	# for boot_start_harts to say so
	li t1, 1
	sll t1, t1, a0
	amoor.d zero, t1, (t0)
	j secondary_entry
6:	wfi			# not ours to run: parked for good
	j 6b

	.globl secondary_entry
secondary_entry:
	mv s0, a0
	mv s1, a1
	call enable_boot_paging
	# sp = boot_stacks + (cpu index + 1) * BOOT_STACK
	la sp, boot_stacks
	addi t0, s1, 1
	li t1, BOOT_STACK
	mul t0, t0, t1
	add sp, sp, t0
	mv a0, s0
	mv a1, s1
	call secondary_main
4:	wfi
	j 4b

# Turns on boot_pagetable and returns to the caller at its high address.
enable_boot_paging:
	lla t0, boot_pagetable
	srli t0, t0, 12
	li t1, 8 << 60
	or t0, t0, t1
	sfence.vma
	csrw satp, t0
	sfence.vma
	li t0, DIRECT_MAP
	add ra, ra, t0
	ret

	.section .data
	.balign 4
	.globl boot_claimed
boot_claimed:
	.word 0			# 1 once a hart has taken the boot path
	.balign 8
	.globl boot_late_harts
boot_late_harts:
	.dword 0		# a bit for each hart id that came in late

	.balign 4096
boot_pagetable:
	.quad 0
	.quad 0
	.quad (0x80000000 >> 12 << 10) | PTE_BOOT	# identity 2 GiB..3 GiB
	.fill 253, 8, 0
	.quad (0x00000000 >> 12 << 10) | PTE_BOOT	# DIRECT_MAP + 0..4 GiB
	.quad (0x40000000 >> 12 << 10) | PTE_BOOT
	.quad (0x80000000 >> 12 << 10) | PTE_BOOT
	.quad (0xc0000000 >> 12 << 10) | PTE_BOOT
	.fill 252, 8, 0

	# Aligned to their size, like process kernel stacks: myproc() reads the
	# word at the base, which stays 0 here.
	.section .bss
	.balign BOOT_STACK
	.globl boot_stacks
boot_stacks:
	.space BOOT_STACK * 8
