/*
 * A guest that takes interrupts: it enables its (virtual) GIC CPU
 * interface, says it is ready with HVC 3, and reports every interrupt it
 * takes with HVC 4 (x1 = INTID). If the VMM answers that with x0 = 1, it
 * arms its virtual timer, whose interrupt it then reports the same way.
 */
#define ICC_PMR_EL1	S3_0_C4_C6_0
#define ICC_IAR1_EL1	S3_0_C12_C12_0
#define ICC_EOIR1_EL1	S3_0_C12_C12_1
#define ICC_IGRPEN1_EL1 S3_0_C12_C12_7

	.section .rodata.guest, "a"
	.balign	4096
	.global	guest_irq_start
	.global	guest_irq_end
guest_irq_start:
	adr	x1, vectors
	msr	vbar_el1, x1
	mov	x1, #0xff
	msr	ICC_PMR_EL1, x1
	mov	x1, #1
	msr	ICC_IGRPEN1_EL1, x1
	isb
	msr	daifclr, #2
	mov	x0, #3
	hvc	#0
1:	wfi
	b	1b

	.balign	2048
vectors:
	.skip	0x280		/* to "current EL with SP_ELx, IRQ" */
	mrs	x1, ICC_IAR1_EL1
	cmp	x1, #27
	b.ne	2f
	msr	cntv_ctl_el0, xzr	/* our timer: stop it */
2:	msr	ICC_EOIR1_EL1, x1
	mov	x0, #4
	hvc	#0
	cbz	x0, 3f
	mov	x2, #10000
	msr	cntv_tval_el0, x2
	mov	x2, #1
	msr	cntv_ctl_el0, x2
3:	eret
	.balign	4
guest_irq_end:
