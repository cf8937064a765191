/*
 * irq_guest.S for a GICv2: the same protocol (HVC 3 ready, HVC 4 per
 * interrupt with x1 = INTID, x0 = 1 in the answer arms the virtual timer),
 * through a memory-mapped CPU interface at 0x08010000, which its VMM backs
 * with the GICV frame.
 */
#define GICC_CTLR 0x00
#define GICC_PMR  0x04
#define GICC_IAR  0x0c
#define GICC_EOIR 0x10

	.section .rodata.guest, "a"
	.balign	4096
	.global	guest_irq_v2_start
	.global	guest_irq_v2_end
guest_irq_v2_start:
	movz	x9, #0x0801, lsl #16
	mov	w1, #0xff
	str	w1, [x9, #GICC_PMR]
	mov	w1, #1
	str	w1, [x9, #GICC_CTLR]
	adr	x1, vectors_v2
	msr	vbar_el1, x1
	isb
	msr	daifclr, #2
	mov	x0, #3
	hvc	#0
1:	wfi
	b	1b

	.balign	2048
vectors_v2:
	.skip	0x280
	movz	x9, #0x0801, lsl #16
	ldr	w3, [x9, #GICC_IAR]
	and	x1, x3, #0x3ff
	cmp	x1, #27
	b.ne	2f
	msr	cntv_ctl_el0, xzr
2:	str	w3, [x9, #GICC_EOIR]
	mov	x0, #4
	hvc	#0
	cbz	x0, 3f
	mov	x2, #10000
	msr	cntv_tval_el0, x2
	mov	x2, #1
	msr	cntv_ctl_el0, x2
3:	eret
	.balign	4
guest_irq_v2_end:
