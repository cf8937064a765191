/*
 * Guests for the edges of the kernel's trap decoding and fault replies
 * (t_trap_edges.c). Each fills its registers with values its VMM knows, so
 * that a register the kernel writes when it should not shows.
 */
	.section .rodata.guest, "a"

/*
 * Register 31 is the zero register in a load or store, not SP: a load
 * into it must change no register (SP_EL0 included: it sits in x31's
 * place in the kernel's frame), a store of it stores 0. x_n = 0x7700 + n,
 * but x9 (the MMIO base, 0x09000000) and SP_EL0 = 0x5a5a0000.
 */
	.balign	4
	.global	guest_xzr_start
	.global	guest_xzr_end
guest_xzr_start:
	movz	x10, #0x5a5a, lsl #16
	msr	sp_el0, x10
	.irp	n, 0,1,2,3,4,5,6,7,8,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30
	mov	x\n, #(0x7700 + \n)
	.endr
	movz	x9, #0x0900, lsl #16
	ldr	xzr, [x9]		/* exit 1: a described read into register 31 */
	ldr	x30, [x9, #16]		/* exit 2: the same into register 30 */
	mrs	xzr, id_aa64pfr0_el1	/* the kernel answers: no exit */
	str	xzr, [x9, #8]		/* exit 3: a store of 0 */
	msr	pmcr_el0, xzr		/* exit 4: a system register written 0 */
	hvc	#0			/* exit 5: done */
	b	.
guest_xzr_end:

/* HVC after HVC with its registers as the replies left them: x_n = 0x6600
 * + n to start with. */
	.balign	4
	.global	guest_hvc_start
	.global	guest_hvc_end
guest_hvc_start:
	.irp	n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30
	mov	x\n, #(0x6600 + \n)
	.endr
1:	hvc	#0
	b	1b
guest_hvc_end:

/* An SMC, answered; then the instruction after it runs once (x0 + 1) and
 * an HVC reports. */
	.balign	4
	.global	guest_smc_start
	.global	guest_smc_end
	.global	guest_smc_at
	.global	guest_smc_hvc
guest_smc_start:
	mov	x0, #0x100
guest_smc_at:
	smc	#0
	add	x0, x0, #1
	hvc	#0
guest_smc_hvc:
	b	.
guest_smc_end:

/* A WFI with an interrupt pending in a list register that its CPU
 * interface, never enabled (priority mask 0), does not signal: the CPU
 * traps the WFI, and the kernel must not let it wait. HVC 1 before, 2
 * after. */
	.balign	4
	.global	guest_lrwait_start
	.global	guest_lrwait_end
guest_lrwait_start:
	mov	x0, #1
	hvc	#0
	wfi
	mov	x0, #2
	hvc	#0
	b	.
guest_lrwait_end:
