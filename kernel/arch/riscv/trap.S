# Trap entry and exit. stvec points at trap_entry for both user and kernel
# traps; sscratch tells them apart: it holds the current process's
# trapframe while the hart runs user code and 0 while it runs the kernel.
# Saving and restoring happen on the kernel stack, in the same address
# space: no page-table switch and no fence on this path.

#include "include/uapi/syscall.h"

#define TF_EPC 0
#define TF_SP (2 * 8)
#define TF_TP (4 * 8)
#define TF_A0 (10 * 8)
#define TF_SSTATUS (32 * 8)
#define TF_KTP (33 * 8)
#define TF_SIZE (34 * 8)

#define SSTATUS_SIE 0x2		/* as in csr.h */
#define SSTATUS_SPIE 0x20
#define SSTATUS_SPP 0x100

.macro save_gprs base
	sd x1, 1*8(\base)
	sd x3, 3*8(\base)
	sd x4, 4*8(\base)
	sd x5, 5*8(\base)
	sd x6, 6*8(\base)
	sd x7, 7*8(\base)
	sd x8, 8*8(\base)
	sd x9, 9*8(\base)
	sd x10, 10*8(\base)
	sd x11, 11*8(\base)
	sd x12, 12*8(\base)
	sd x13, 13*8(\base)
	sd x14, 14*8(\base)
	sd x15, 15*8(\base)
	sd x16, 16*8(\base)
	sd x17, 17*8(\base)
	sd x18, 18*8(\base)
	sd x19, 19*8(\base)
	sd x20, 20*8(\base)
	sd x21, 21*8(\base)
	sd x22, 22*8(\base)
	sd x23, 23*8(\base)
	sd x24, 24*8(\base)
	sd x25, 25*8(\base)
	sd x26, 26*8(\base)
	sd x27, 27*8(\base)
	sd x28, 28*8(\base)
	sd x29, 29*8(\base)
	sd x30, 30*8(\base)
	sd x31, 31*8(\base)
.endm

# Not tp: a kernel trap may resume on another hart (after sleeping in a
# page fault), where tp must stay that hart's struct cpu.
.macro restore_gprs base
	ld x1, 1*8(\base)
	ld x3, 3*8(\base)
	ld x5, 5*8(\base)
	ld x6, 6*8(\base)
	ld x7, 7*8(\base)
	ld x8, 8*8(\base)
	ld x9, 9*8(\base)
	ld x10, 10*8(\base)
	ld x11, 11*8(\base)
	ld x12, 12*8(\base)
	ld x13, 13*8(\base)
	ld x14, 14*8(\base)
	ld x15, 15*8(\base)
	ld x16, 16*8(\base)
	ld x17, 17*8(\base)
	ld x18, 18*8(\base)
	ld x19, 19*8(\base)
	ld x20, 20*8(\base)
	ld x21, 21*8(\base)
	ld x22, 22*8(\base)
	ld x23, 23*8(\base)
	ld x24, 24*8(\base)
	ld x25, 25*8(\base)
	ld x26, 26*8(\base)
	ld x27, 27*8(\base)
	ld x28, 28*8(\base)
	ld x29, 29*8(\base)
	ld x30, 30*8(\base)
	ld x31, 31*8(\base)
.endm

	.section .text.hot, "ax"	# beside syscall_trap: kernel.ld
	.balign 4
	.globl trap_entry
trap_entry:
	csrrw sp, sscratch, sp
	beqz sp, from_kernel

	# From user: sp = trapframe (top of the kernel stack), sscratch = user sp.
	save_gprs sp
	csrrw t0, sscratch, zero	# the user's sp; 0 says "in the kernel"
	sd t0, TF_SP(sp)
	csrr t0, sepc
	sd t0, TF_EPC(sp)
	csrr t0, sstatus
	sd t0, TF_SSTATUS(sp)
	ld tp, TF_KTP(sp)
	mv a0, sp
	mv s0, zero		# ends the backtrace here
	csrr a1, scause
	li t0, 8		# EXC_ECALL_U
	bne a1, t0, 2f

	# A system call: it resumes after the ecall. SYS_trap_floor comes
	# straight back from here, so it costs the entry and the exit alone:
	# what make bench measures as the floor under every system call.
	# With a nonzero argument it also loads the kernel's table into satp
	# and this one back: the floor under a switch of address spaces,
	# as QEMU empties its software TLB at each change of ASID. (Correct
	# without a fence: neither table changed, and the kernel's has no
	# user half for the hart to cache under ASID 0.)
	ld t0, TF_EPC(sp)
	addi t0, t0, 4
	sd t0, TF_EPC(sp)
	li t0, SYS_trap_floor
	bne a7, t0, 1f
	ld t0, TF_A0(sp)
	beqz t0, 3f
	csrr t0, satp
	ld t1, kernel_satp
	csrw satp, t1
	csrw satp, t0
3:	sd zero, TF_A0(sp)
	j user_return
1:	call syscall_trap	# kernel/syscall/syscall.c: syscall_trap(tf)
	j user_return

	# An interrupt or a fault.
2:	call user_trap		# user_trap(tf, scause)
	# Both return the trapframe to resume; fall into user_return.

	.globl user_return
# user_return(struct trapframe *tf): back to user mode, from any kernel
# code that may take interrupts. Under QEMU every CSR write costs a trip
# through its main loop, so one write of sstatus does three jobs: it turns
# interrupts off (SIE = 0), so that no trap can come before the sret to
# see sepc and sscratch half set, and it sets up the sret (SPP = 0: to
# user mode; SPIE = 1: interrupts on there). The other bits stay as this
# hart has them (SUM): an interrupt between the read and the write may
# move us to another hart, but every hart keeps the same ones.
user_return:
	csrr t0, sstatus
	andi t0, t0, ~(SSTATUS_SIE | SSTATUS_SPP)
	ori t0, t0, SSTATUS_SPIE
	csrw sstatus, t0
	sd t0, TF_SSTATUS(a0)
	ld t0, TF_EPC(a0)
	csrw sepc, t0
	sd tp, TF_KTP(a0)
	csrw sscratch, a0
	mv sp, a0
	restore_gprs sp
	ld tp, TF_TP(sp)
	ld sp, TF_SP(sp)
	sret

from_kernel:
	# sp was 0: swap back so sp is the kernel stack and sscratch 0 again.
	csrrw sp, sscratch, sp
	addi sp, sp, -TF_SIZE
	save_gprs sp
	addi t0, sp, TF_SIZE
	sd t0, TF_SP(sp)
	csrr t0, sepc
	sd t0, TF_EPC(sp)
	csrr t0, sstatus
	sd t0, TF_SSTATUS(sp)
	mv a0, sp
	call kernel_trap
	ld t0, TF_EPC(sp)
	csrw sepc, t0
	ld t0, TF_SSTATUS(sp)
	csrw sstatus, t0
	restore_gprs sp
	addi sp, sp, TF_SIZE
	sret

# swtch(struct context *old, struct context *new): saves the callee-saved
# registers into old and resumes new.
	.globl swtch
swtch:
	sd ra, 0(a0)
	sd sp, 8(a0)
	sd s0, 16(a0)
	sd s1, 24(a0)
	sd s2, 32(a0)
	sd s3, 40(a0)
	sd s4, 48(a0)
	sd s5, 56(a0)
	sd s6, 64(a0)
	sd s7, 72(a0)
	sd s8, 80(a0)
	sd s9, 88(a0)
	sd s10, 96(a0)
	sd s11, 104(a0)
	ld ra, 0(a1)
	ld sp, 8(a1)
	ld s0, 16(a1)
	ld s1, 24(a1)
	ld s2, 32(a1)
	ld s3, 40(a1)
	ld s4, 48(a1)
	ld s5, 56(a1)
	ld s6, 64(a1)
	ld s7, 72(a1)
	ld s8, 80(a1)
	ld s9, 88(a1)
	ld s10, 96(a1)
	ld s11, 104(a1)
	ret
