# The only instructions that touch user memory. Each one that may fault is
# listed in the .extable section with the address to resume at, so that a
# fault the pager cannot resolve becomes -EFAULT instead of a panic.
# The callers (kernel/mm/uaccess.c) set sstatus.SUM around these.

#define EFAULT 14
#define ENAMETOOLONG 36

.macro ex insn, fixup
99:	\insn
	.pushsection .extable, "a"
	.balign 8
	.dword 99b, \fixup
	.popsection
.endm

	.section .text
# long uaccess_copy(void *dst, const void *src, size_t n): 0 or -EFAULT.
# Under 256 bytes and aligned to that, so that no loop of it straddles a
# page (see ALIGN_FLAGS in the Makefile); the same for the next one.
	.balign 256
	.globl uaccess_copy
uaccess_copy:
	or t0, a0, a1
	andi t0, t0, 7
	bnez t0, 3f
	li t1, 32
1:	bltu a2, t1, 2f
	ex "ld t2, 0(a1)", copy_fault
	ex "ld t3, 8(a1)", copy_fault
	ex "ld t4, 16(a1)", copy_fault
	ex "ld t5, 24(a1)", copy_fault
	ex "sd t2, 0(a0)", copy_fault
	ex "sd t3, 8(a0)", copy_fault
	ex "sd t4, 16(a0)", copy_fault
	ex "sd t5, 24(a0)", copy_fault
	addi a0, a0, 32
	addi a1, a1, 32
	addi a2, a2, -32
	j 1b
2:	li t1, 8
	bltu a2, t1, 3f
	ex "ld t2, 0(a1)", copy_fault
	ex "sd t2, 0(a0)", copy_fault
	addi a0, a0, 8
	addi a1, a1, 8
	addi a2, a2, -8
	j 2b
3:	beqz a2, 4f
	ex "lbu t2, 0(a1)", copy_fault
	ex "sb t2, 0(a0)", copy_fault
	addi a0, a0, 1
	addi a1, a1, 1
	addi a2, a2, -1
	j 3b
4:	li a0, 0
	ret
copy_fault:
	li a0, -EFAULT
	ret

# long uaccess_strncpy(char *dst, const char *src, size_t size): the
# string's length, -EFAULT, or -ENAMETOOLONG when no NUL in size bytes.
	.balign 64
	.globl uaccess_strncpy
uaccess_strncpy:
	li t0, 0
1:	bgeu t0, a2, 2f
	add t1, a1, t0
	ex "lbu t2, 0(t1)", copy_fault
	add t3, a0, t0
	sb t2, 0(t3)
	beqz t2, 3f
	addi t0, t0, 1
	j 1b
2:	li a0, -ENAMETOOLONG
	ret
3:	mv a0, t0
	ret
