/*
 * A bare-metal guest for captest's VMM. It runs at EL1 with its MMU off,
 * from wherever it is loaded (only PC-relative code), and talks to its VMM
 * the two ways a guest can: device registers and hypercalls.
 */
	.section .rodata.guest, "a"
	.balign	4
	.global	guest_mmio_start
	.global	guest_mmio_end
guest_mmio_start:
	movz	x9, #0x0900, lsl #16	/* the emulated PL011 at 0x09000000 */
	mov	w1, #'G'
	strb	w1, [x9]		/* a byte written to UARTDR */
	ldr	w2, [x9, #0x18]		/* a word read from UARTFR */
	mov	x0, #0x1000
	mov	x1, x2
	hvc	#0			/* tell the VMM what the read returned */
	add	x0, x0, #1		/* show that the VMM's answer arrived */
	mov	x1, #0
	hvc	#0
	movz	x10, #0x5000, lsl #16
	ldr	x3, [x10]		/* memory this guest was never given */
	b	.
guest_mmio_end:

/*
 * A second guest, whose device accesses show the kernel's decoding of an
 * abort: a narrow store, sign-extending loads, a load pair (which the
 * syndrome cannot describe) and a fetch from nothing. The last two come
 * back as aborts at its own vector, which reports what it got.
 */
	.balign	2048
	.global	guest_abort_start
	.global	guest_abort_end
guest_abort_start:
	movz	x9, #0x0900, lsl #16	/* an emulated device at 0x09000000 */
	movz	x3, #0x5678
	movk	x3, #0xcafe, lsl #16
	movk	x3, #0xbeef, lsl #32
	strh	w3, [x9, #2]		/* 2 bytes of register 3: 0x5678 */
	ldrsb	x4, [x9, #4]		/* sign-extended into an X register */
	ldrsb	w5, [x9, #5]		/* and into a W register */
	mov	x0, #1
	mov	x1, x4
	mov	x2, x5
	hvc	#0
	ldp	x6, x7, [x9, #0x10]	/* not described: injected as an abort */
	mov	x0, #2			/* back from the vector, past the ldp */
	hvc	#0
	movz	x10, #0x5000, lsl #16
	blr	x10			/* a fetch from nothing */
	b	.

	.balign	2048			/* VBAR_EL1 = guest_abort_start + 0x800 */
	.skip	0x200			/* current EL with SP_ELx, synchronous */
	mrs	x1, esr_el1
	mrs	x2, far_el1
	mrs	x3, elr_el1
	mov	x0, #7
	hvc	#0
	add	x3, x3, #4
	msr	elr_el1, x3
	eret
guest_abort_end:
