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

/*
 * A third guest, whose EL0 runs AArch32 Thumb code (as a 64-bit kernel's
 * 32-bit processes do): a 16-bit load from a device is 2 bytes long, and
 * an abort from AArch32 is taken at the vector for a lower AArch32 EL.
 */
	.balign	2048
	.global	guest_a32_start
	.global	guest_a32_end
guest_a32_start:
	adr	x0, 1f
	msr	elr_el1, x0
	mov	x0, #0x1f0		/* AArch32 User, Thumb, A, I and F masked */
	msr	spsr_el1, x0
	movz	x1, #0x0900, lsl #16	/* r1: an emulated device */
	mov	x0, #0
	mov	x2, #0
	mov	x5, #0
	eret
	.balign	4
1:	.hword	0x6808			/* ldr r0, [r1]: 16 bits, emulated */
	.hword	0x2201			/* movs r2, #1 */
	.hword	0xdf00			/* svc #0: report at EL1 */
	.hword	0x4292			/* cmp r2, r2 */
	.hword	0xbf0c			/* ite eq */
	.hword	0x6888			/* ldreq r0, [r1, #8]: emulated */
	.hword	0x2501			/* movne r5, #1: not run */
	.hword	0xdf00			/* svc #0 */
	.hword	0x6848			/* ldr r0, [r1, #4]: answered with an abort */
	.hword	0xe7fe			/* b . */

	.balign	2048			/* VBAR_EL1 = guest_a32_start + 0x800 */
	.skip	0x400			/* lower EL, AArch64: the wrong vector */
	mov	x0, #0x400
	hvc	#0
	b	.
	.balign	0x200			/* lower EL, AArch32, synchronous */
	mov	x6, x0			/* r0; r1 stays the device's address */
	mrs	x3, esr_el1
	mrs	x4, elr_el1
	mov	x0, #0x600
	hvc	#0
	eret
guest_a32_end:
