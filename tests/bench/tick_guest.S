/*
 * The virtual-timer benchmark (guestbench.c, GICv3). The guest says it is
 * ready with HVC x0 = 1; each answer gives x0 = a period in counter ticks
 * and x1 = how many ticks to take: the guest arms CNTV that far ahead
 * (CVAL += period, as a tickless kernel re-arms), waits in WFI, takes the
 * interrupt (acknowledge, end), and so on, then reports with HVC x0 = 2.
 * An answer with x1 = 0 leaves it waiting. Interrupts stay masked at
 * PSTATE: WFI wakes for a pending one and the guest polls its interface.
 *
 * bench_spin, a native thread's code, counts in *x0 forever, three
 * instructions a count: what it did not count, the CPU spent elsewhere.
 */
#define ICC_PMR_EL1	S3_0_C4_C6_0
#define ICC_IAR1_EL1	S3_0_C12_C12_0
#define ICC_EOIR1_EL1	S3_0_C12_C12_1
#define ICC_IGRPEN1_EL1 S3_0_C12_C12_7

	.section .rodata.guest, "a"
	.balign	4096
	.global	guest_tick_start
	.global	guest_tick_end
guest_tick_start:
	mov	x1, #0xff
	msr	ICC_PMR_EL1, x1
	mov	x1, #1
	msr	ICC_IGRPEN1_EL1, x1
	isb
	mov	x0, #1
1:	hvc	#0
	cbz	x1, 1b
	mov	x19, x0
	mov	x20, x1
	mrs	x21, cntvct_el0
	add	x21, x21, x19
	msr	cntv_cval_el0, x21	/* the deadline first: enabled, it is checked */
	mov	x2, #1
	msr	cntv_ctl_el0, x2
	isb
2:	wfi
	mrs	x1, ICC_IAR1_EL1
	cmp	x1, #1023
	b.eq	2b
	msr	ICC_EOIR1_EL1, x1
	add	x21, x21, x19
	msr	cntv_cval_el0, x21
	isb
	subs	x20, x20, #1
	b.ne	2b
	msr	cntv_ctl_el0, xzr
	mov	x0, #2
	b	1b
	.balign	4
guest_tick_end:

	.text
	.balign	4
	.global	bench_spin
bench_spin:
	mov	x1, #0
1:	add	x1, x1, #1
	str	x1, [x0]
	b	1b
