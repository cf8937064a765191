/*
 * Guests for the kernel's handling of WFI/WFE, the virtual timer and the
 * traps whose answer must be defined (t_wfx.c). Interrupts stay masked at
 * PSTATE: a WFI wakes for a pending one all the same, and the guest takes
 * it by polling its CPU interface.
 *
 * The waiting guest reports with HVC x0 = 1 before it waits, 2 with x1 =
 * the INTID that woke it, then arms its virtual timer for the ticks the
 * VMM answers in x0 and waits for it: HVC 3 with x1 = INTID, x3 = CNTVCT
 * when it woke and x4 = the CVAL it set; again while the answer is not 0.
 *
 * Assembled once per GIC, as irq_guest.S: by default for a GICv3, with
 * IRQ_GUEST_GICV2 for a GICv2's CPU interface at 0x08010000.
 */
#ifdef IRQ_GUEST_GICV2
#define GUEST_START guest_wfi_v2_start
#define GUEST_END   guest_wfi_v2_end
#define GUEST_WAIT  guest_wfi_v2_wait

	.macro	gic_cpu_enable
	movz	x9, #0x0801, lsl #16
	mov	w1, #0xff
	str	w1, [x9, #0x04]		/* GICC_PMR */
	mov	w1, #1
	str	w1, [x9, #0x00]		/* GICC_CTLR */
	.endm
	/* x1 <- the INTID, 1023 if none; x10 keeps the IAR value. */
	.macro	gic_ack
	movz	x9, #0x0801, lsl #16
	ldr	w10, [x9, #0x0c]	/* GICC_IAR */
	and	x1, x10, #0x3ff
	.endm
	.macro	gic_eoi
	str	w10, [x9, #0x10]	/* GICC_EOIR */
	.endm
#else
#define GUEST_START guest_wfi_start
#define GUEST_END   guest_wfi_end
#define GUEST_WAIT  guest_wfi_wait

	.macro	gic_cpu_enable
	mov	x1, #0xff
	msr	S3_0_C4_C6_0, x1	/* ICC_PMR_EL1 */
	mov	x1, #1
	msr	S3_0_C12_C12_7, x1	/* ICC_IGRPEN1_EL1 */
	.endm
	.macro	gic_ack
	mrs	x1, S3_0_C12_C12_0	/* ICC_IAR1_EL1 */
	.endm
	.macro	gic_eoi
	msr	S3_0_C12_C12_1, x1	/* ICC_EOIR1_EL1 */
	.endm
#endif

	.section .rodata.guest, "a"
	.balign	4096
	.global	GUEST_START
	.global	GUEST_END
	.global	GUEST_WAIT
GUEST_START:
	gic_cpu_enable
	isb
	mov	x0, #1
	hvc	#0
GUEST_WAIT:
	wfi				/* nothing pending */
1:	gic_ack
	cmp	x1, #1023
	b.eq	2f
	gic_eoi
2:	mov	x0, #2
	hvc	#0
3:	msr	cntv_tval_el0, x0	/* the VMM's answer: ticks from now */
	mov	x2, #1
	msr	cntv_ctl_el0, x2
	isb
4:	wfi
	gic_ack
	cmp	x1, #1023
	b.eq	4b			/* woken for nothing: wait on */
	msr	cntv_ctl_el0, xzr
	gic_eoi
	isb
	mrs	x3, cntvct_el0
	mrs	x4, cntv_cval_el0
	mov	x0, #3
	hvc	#0
	cbnz	x0, 3b
	b	.
	.balign	4
GUEST_END:

#ifndef IRQ_GUEST_GICV2
/*
 * The traps whose answer is defined: a trapped register read the VMM
 * answers without a value, set/way cache maintenance, sign-extending loads
 * from an emulated device, WFE. HVC 4 reports x1 = the PMCR_EL0 read, x2 =
 * ldrsh into an X, x3 = ldrsh into a W, x4 = ldrsw; HVC 5 follows the WFE.
 */
	.balign	4096
	.global	guest_traps_start
	.global	guest_traps_end
guest_traps_start:
	movz	x3, #0xdead
	mrs	x3, pmcr_el0		/* trapped (MDCR_EL2.TPM): read as answered */
	mov	x12, #(1 << 1)		/* level 2, set 0, way 0 */
	dc	isw, x12		/* set/way: the kernel does them */
	dc	csw, xzr
	dc	cisw, x12
	movz	x9, #0x0900, lsl #16	/* an emulated device at 0x09000000 */
	ldrsh	x5, [x9, #2]
	ldrsh	w6, [x9, #2]
	ldrsw	x7, [x9, #4]
	mov	x0, #4
	mov	x1, x3
	mov	x2, x5
	mov	x3, x6
	mov	x4, x7
	hvc	#0
	wfe
	mov	x0, #5
	hvc	#0
	b	.
	.balign	4
guest_traps_end:
#endif
