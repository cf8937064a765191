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
