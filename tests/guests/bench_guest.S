/*
 * The guest side of tests/bench/guestbench.c: hypercalls, device writes,
 * stores into a page mapped without W (SEPTA_REPLY_STORE), then loads that fault on memory the VMM maps on demand. x0 = 1 marks a
 * hypercall of the first phase, x0 = 2 the end.
 */
	.section .rodata.guest, "a"
	.balign	4
	.global	guest_bench_start
	.global	guest_bench_end
guest_bench_start:
	mov	x19, #2000
1:	mov	x0, #1
	hvc	#0
	subs	x19, x19, #1
	b.ne	1b
	movz	x9, #0x0900, lsl #16
	mov	x19, #2000
2:	str	w19, [x9]
	subs	x19, x19, #1
	b.ne	2b
	movz	x11, #0x4000, lsl #16	/* its own code page, mapped without W: */
	add	x11, x11, #0xf00	/* each store done by the kernel */
	mov	x19, #2000
5:	str	w19, [x11]
	subs	x19, x19, #1
	b.ne	5b
	movz	x10, #0x5000, lsl #16	/* 256 pages in one 2 MiB: one table */
	mov	x19, #256
3:	ldr	x3, [x10]
	add	x10, x10, #4096
	subs	x19, x19, #1
	b.ne	3b
	movz	x10, #0x6000, lsl #16	/* 64 pages 2 MiB apart: a table each */
	mov	x19, #64
4:	ldr	x3, [x10]
	add	x10, x10, #0x200000
	subs	x19, x19, #1
	b.ne	4b
	mov	x0, #2
	hvc	#0
	b	.
guest_bench_end:
