/*
 * The probe a memtest thread runs in a client's address space: read x0,
 * then (if x1 is not 0) write x3 to x1, then report with a system call no
 * kernel has, which reaches memtest as a fault message. A memory fault on
 * the way reaches it instead. The page holds nothing else (memtest_peek
 * is more of the same), so sharing it (read-execute) with another client
 * gives away nothing more.
 */
	.section .text.probe, "ax"
	.balign	4096
	.global	memtest_probe
memtest_probe:
	ldr	x2, [x0]
	cbz	x1, 1f
	str	x3, [x1]
1:	mov	x7, #0x7e00
	svc	#0
	b	memtest_probe
	/* The same for a caller that can set only pc and sp (two registers:
	 * no IPC buffer needed): x0 <- the word at the address in sp, which
	 * the fault message carries. */
	.global	memtest_peek
memtest_peek:
	mov	x0, sp
	ldr	x0, [x0]
	mov	x7, #0x7e00
	svc	#0
	b	memtest_peek
	.balign	4096
