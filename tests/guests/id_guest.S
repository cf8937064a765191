/*
 * A guest that looks at its CPU: it reports two ID registers (x1, x2) with
 * HVC 5, then reads the PMU, which it must not have, and reports HVC 6
 * with what its VMM answered.
 */
	.section .rodata.guest, "a"
	.balign	4
	.global	guest_id_start
	.global	guest_id_end
guest_id_start:
	mrs	x1, id_aa64dfr0_el1
	mrs	x2, id_aa64mmfr0_el1
	mov	x0, #5
	hvc	#0
	mrs	x3, pmcr_el0
	mov	x0, #6
	mov	x1, x3			/* what the VMM answered */
	hvc	#0
	b	.
guest_id_end:
