/*
 * Entry and exception vectors of the test guests. They run with their MMU
 * off at EL1h. A synchronous exception (an abort vmsrv injected) is
 * counted and stepped over; an IRQ is acknowledged and handed to C.
 */
#define ICC_IAR1_EL1  S3_0_C12_C12_0
#define ICC_EOIR1_EL1 S3_0_C12_C12_1

/* What C may clobber; the rest it keeps. */
	.macro	save_caller_saved
	sub	sp, sp, #256
	stp	x0, x1, [sp]
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x30, [sp, #144]
	.endm

	.section .text.start, "ax"
	.global	_start
_start:
	ldr	x1, =guest_stack_top
	mov	sp, x1
	adr	x1, vectors
	msr	vbar_el1, x1
	isb
	bl	guest_main
	b	guest_off

	/* A secondary vCPU (PSCI CPU_ON): x0 = its stack top. */
	.global	guest_secondary_entry
guest_secondary_entry:
	mov	sp, x0
	adr	x1, vectors
	msr	vbar_el1, x1
	isb
	bl	guest_secondary
	b	.

	.text
	.balign	2048
vectors:
	.skip	0x200
	b	sync_entry		/* current EL, SP_ELx: synchronous */
	.balign	0x80
	b	irq_entry		/* current EL, SP_ELx: IRQ */
	.balign	0x80
	b	.
	.balign	0x80
	b	.
	.balign	0x80
	.skip	0x200			/* lower ELs: never used */

sync_entry:
	save_caller_saved
	mrs	x0, esr_el1
	mrs	x1, far_el1
	mrs	x2, elr_el1
	bl	guest_sync
	mrs	x2, elr_el1
	add	x2, x2, #4		/* step over the faulting access */
	msr	elr_el1, x2
	b	restore

irq_entry:
	save_caller_saved
	mrs	x0, ICC_IAR1_EL1
	msr	ICC_EOIR1_EL1, x0
	bl	guest_irq
restore:
	ldp	x0, x1, [sp]
	ldp	x2, x3, [sp, #16]
	ldp	x4, x5, [sp, #32]
	ldp	x6, x7, [sp, #48]
	ldp	x8, x9, [sp, #64]
	ldp	x10, x11, [sp, #80]
	ldp	x12, x13, [sp, #96]
	ldp	x14, x15, [sp, #112]
	ldp	x16, x17, [sp, #128]
	ldp	x18, x30, [sp, #144]
	add	sp, sp, #256
	eret
