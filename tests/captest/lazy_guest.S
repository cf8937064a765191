/*
 * A guest that keeps values in its EL1 registers across its exits, for
 * the lazy world switch (t_lazy.c). Started with x0 = a seed, it reports
 * what it finds (HVC 0), then in rounds sets v = seed + round in TPIDR_EL1
 * and TPIDRRO_EL0 and v << 12 in VBAR_EL1 and TTBR0_EL1 (HVC 1, x4 = v),
 * and reads them back (HVC 2, x4 = v). Each report: x1 = TPIDR_EL1, x2 =
 * VBAR_EL1, x3 = TTBR0_EL1, x5 = TTBR1_EL1, x6 = TPIDRRO_EL0.
 */
	.macro	lazy_report what
	mrs	x1, tpidr_el1
	mrs	x2, vbar_el1
	mrs	x3, ttbr0_el1
	mrs	x5, ttbr1_el1
	mrs	x6, tpidrro_el0
	mov	x0, #\what
	hvc	#0
	.endm

	.section .rodata.guest, "a"
	.balign	4
	.global	guest_lazy_start
	.global	guest_lazy_end
guest_lazy_start:
	mov	x10, x0
	mov	x11, #0
	mov	x4, #0
	lazy_report 0
1:	add	x4, x10, x11
	msr	tpidr_el1, x4
	msr	tpidrro_el0, x4
	lsl	x7, x4, #12
	msr	vbar_el1, x7
	msr	ttbr0_el1, x7
	isb
	mov	x0, #1
	hvc	#0
	lazy_report 2
	add	x11, x11, #1
	b	1b
guest_lazy_end:
