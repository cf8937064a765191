/*
 * A guest for the fault fastpath's tests (t_fault_fast.c): one round of
 * every exit kind the fastpath serves, over and over, the same each
 * round, so that a round on the fastpath and one on the full path can be
 * compared word for word. What each reply left shows in a later exit.
 */
	.section .rodata.guest, "a"
	.balign	4
	.global	guest_ff_start
	.global	guest_ff_end
guest_ff_start:
	movz	x9, #0x0900, lsl #16	/* nothing mapped: an emulated device */
	movz	x11, #0x4000, lsl #16	/* its own code page (GUEST_RAM), */
	add	x11, x11, #0xff0	/* mapped without W: past the code */
1:	mov	x0, #0x10
	mov	x1, #0x11
	mov	x2, #0x12
	mov	x3, #0x13
	mov	x4, #0x14
	mov	x5, #0x15
	mov	x6, #0x16
	mov	x7, #0x17
	hvc	#0			/* 0: HVC, x0-x7; the reply sets x0-x3 */
	str	x1, [x9]		/* 1: 8-byte write of the reply's x1 */
	ldr	w5, [x9, #8]		/* 2: 4-byte read into w5 */
	ldrsb	x6, [x9, #16]		/* 3: signed byte into x6 */
	ldr	x10, [x9, #24]		/* 4: retried once (5), then read */
	smc	#0			/* 6: SMC, x0-x7; the reply sets x0-x1 */
	mrs	x7, pmccntr_el0		/* 7: a trapped system register read */
	str	x10, [x9, #32]		/* 8: what 5 read */
	str	x1, [x11]		/* 9: stored by the kernel (SEPTA_REPLY_STORE) */
	ldr	x12, [x11]
	str	x12, [x9, #40]		/* 10: what 9 stored, read back */
	str	xzr, [x11]		/* 11: XZR stored by the kernel */
	ldr	x12, [x11]
	str	x12, [x9, #48]		/* 12: zero, read back */
	hvc	#1			/* 13: x0-x7 as the replies left them */
	b	1b
guest_ff_end:

/* A guest that waits in WFI for ever (no timer, no interrupt): while it
 * is on the kernel's list of waiting guests, the fault fastpath stands
 * aside (each switch must arm the EL2 timer for its deadline). */
	.balign	4
	.global	guest_ffwait_start
	.global	guest_ffwait_end
guest_ffwait_start:
1:	wfi
	b	1b
guest_ffwait_end:
