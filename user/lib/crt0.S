/*
 * _start: where every user program begins.
 *
 * The kernel enters here with a0 = argc, a1 = argv (a NULL-terminated array
 * on the user stack) and sp 16-byte aligned. Before main can run, the
 * thread pointer must point at a TLS block (errno lives there), and the
 * constructors must have run; after main, exit() runs the destructors
 * (which flush stdio) and ends the process with main's result.
 */

	.section .text.startup._start, "ax", @progbits
	.globl _start
	.type _start, @function
_start:
	/* No caller: a zero frame pointer and return address end gdb's
	 * backtraces here. */
	li s0, 0
	li ra, 0
	mv s1, a0 /* argc, kept across the calls below (callee-saved) */
	mv s2, a1 /* argv */

	/* The TLS block is carved out of the stack, just below argv: the
	 * process is single-threaded, and this costs no memory of its own.
	 * Its size and alignment come from the linker script. */
	lla t0, __tls_size
	sub sp, sp, t0
	lla t1, __tls_align
	neg t1, t1
	and sp, sp, t1 /* align the block (alignments are powers of two) */
	andi sp, sp, -16 /* and keep the ABI's stack alignment */

	/* Fill the block from the template (.tdata, then zeros for .tbss),
	 * then point tp at it. The block is at sp, which calls preserve. */
	mv a0, sp
	call _init_tls
	mv a0, sp
	call _set_tls

	/* Constructors: .preinit_array, _init if any, .init_array. */
	call __libc_init_array

	mv a0, s1
	mv a1, s2
	call main
	/* exit() runs atexit handlers and .fini_array, then _exit(). */
	call exit
	.size _start, . - _start
