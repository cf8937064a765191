/*
 * A guest that takes interrupts: it enables its (virtual) GIC CPU
 * interface, says it is ready with HVC 3, and reports every interrupt it
 * takes with HVC 4 (x1 = INTID). If the VMM answers that with x0 = 1, it
 * arms its virtual timer, whose interrupt it then reports the same way.
 *
 * Assembled once per GIC: by default for a GICv3 (system-register CPU
 * interface), with IRQ_GUEST_GICV2 for a GICv2, whose memory-mapped CPU
 * interface it expects at 0x08010000 (its VMM backs that with the GICV
 * frame). Only the three macros below differ.
 */
#ifdef IRQ_GUEST_GICV2
#define GUEST_START guest_irq_v2_start
#define GUEST_END   guest_irq_v2_end
#define GICC_CTLR   0x00
#define GICC_PMR    0x04
#define GICC_IAR    0x0c
#define GICC_EOIR   0x10

	/* The CPU interface on, no priority masked. */
	.macro	gic_cpu_enable
	movz	x9, #0x0801, lsl #16
	mov	w1, #0xff
	str	w1, [x9, #GICC_PMR]
	mov	w1, #1
	str	w1, [x9, #GICC_CTLR]
	.endm
	/* Acknowledges the interrupt: x1 <- its INTID. */
	.macro	gic_ack
	movz	x9, #0x0801, lsl #16
	ldr	w3, [x9, #GICC_IAR]
	and	x1, x3, #0x3ff
	.endm
	/* Ends the interrupt gic_ack took. */
	.macro	gic_eoi
	str	w3, [x9, #GICC_EOIR]
	.endm
#else
#define GUEST_START	guest_irq_start
#define GUEST_END	guest_irq_end
#define ICC_PMR_EL1	S3_0_C4_C6_0
#define ICC_IAR1_EL1	S3_0_C12_C12_0
#define ICC_EOIR1_EL1	S3_0_C12_C12_1
#define ICC_IGRPEN1_EL1 S3_0_C12_C12_7

	.macro	gic_cpu_enable
	mov	x1, #0xff
	msr	ICC_PMR_EL1, x1
	mov	x1, #1
	msr	ICC_IGRPEN1_EL1, x1
	.endm
	.macro	gic_ack
	mrs	x1, ICC_IAR1_EL1
	.endm
	.macro	gic_eoi
	msr	ICC_EOIR1_EL1, x1
	.endm
#endif

	.section .rodata.guest, "a"
	.balign	4096
	.global	GUEST_START
	.global	GUEST_END
GUEST_START:
	adr	x1, vectors
	msr	vbar_el1, x1
	gic_cpu_enable
	isb
	msr	daifclr, #2
	mov	x0, #3
	hvc	#0
1:	wfi
	b	1b

	.balign	2048
vectors:
	.skip	0x280		/* to "current EL with SP_ELx, IRQ" */
	gic_ack
	cmp	x1, #27
	b.ne	2f
	msr	cntv_ctl_el0, xzr	/* our timer: stop it */
2:	gic_eoi
	mov	x0, #4
	hvc	#0
	cbz	x0, 3f
	mov	x2, #10000
	msr	cntv_tval_el0, x2
	mov	x2, #1
	msr	cntv_ctl_el0, x2
3:	eret
	.balign	4
GUEST_END:
