/*
 * A guest that drains its interrupts by polling, PSTATE.I masked: it
 * acknowledges and ends every one it finds, counting them in x2, and when
 * it finds none (1023) reports HVC 5 with that count, then polls on. HVC
 * 3 says it is ready. Interrupts the kernel had to queue behind its list
 * registers reach it only when the kernel refills them, which it learns
 * of from the underflow maintenance interrupt (t_trap_edges.c).
 *
 * Assembled once per GIC, as irq_guest.S: by default for a GICv3, with
 * IRQ_GUEST_GICV2 for a GICv2's CPU interface at 0x08010000.
 */
#ifdef IRQ_GUEST_GICV2
#define GUEST_START guest_uie_v2_start
#define GUEST_END   guest_uie_v2_end

	.macro	uie_cpu_enable
	movz	x9, #0x0801, lsl #16
	mov	w1, #0xff
	str	w1, [x9, #0x04]		/* GICC_PMR */
	mov	w1, #1
	str	w1, [x9, #0x00]		/* GICC_CTLR */
	.endm
	/* x1 <- the INTID, 1023 if none; x3 keeps the IAR value. */
	.macro	uie_ack
	ldr	w3, [x9, #0x0c]		/* GICC_IAR */
	and	x1, x3, #0x3ff
	.endm
	.macro	uie_eoi
	str	w3, [x9, #0x10]		/* GICC_EOIR */
	.endm
#else
#define GUEST_START guest_uie_start
#define GUEST_END   guest_uie_end

	.macro	uie_cpu_enable
	mov	x1, #0xff
	msr	S3_0_C4_C6_0, x1	/* ICC_PMR_EL1 */
	mov	x1, #1
	msr	S3_0_C12_C12_7, x1	/* ICC_IGRPEN1_EL1 */
	.endm
	.macro	uie_ack
	mrs	x1, S3_0_C12_C12_0	/* ICC_IAR1_EL1 */
	.endm
	.macro	uie_eoi
	msr	S3_0_C12_C12_1, x1	/* ICC_EOIR1_EL1 */
	.endm
#endif

	.section .rodata.guest, "a"
	.balign	4
	.global	GUEST_START
	.global	GUEST_END
GUEST_START:
	uie_cpu_enable
	isb
	mov	x2, #0
	mov	x0, #3
	hvc	#0
1:	uie_ack
	cmp	x1, #1023
	b.eq	2f
	uie_eoi
	add	x2, x2, #1
	b	1b
2:	mov	x0, #5
	hvc	#0
	b	1b
GUEST_END:
