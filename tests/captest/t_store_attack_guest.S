/*
 * A guest whose data accesses are big-endian (SCTLR_EL1.EE set), for
 * t_store_attack.c: its stores into its own code page (mapped without W)
 * are performed by the kernel on a SEPTA_REPLY_STORE, and it reads them
 * back, big-endian, into the registers its HVC reports.
 */
	.section .rodata.guest, "a"
	.balign	4
	.global	guest_sbe_start
	.global	guest_sbe_end
guest_sbe_start:
	movz	x11, #0x4000, lsl #16	/* its own code page (GUEST_RAM), */
	add	x11, x11, #0xf00	/* mapped without W: past the code */
	mrs	x0, sctlr_el1
	orr	x0, x0, #(1 << 25)	/* EE: EL1's data big-endian */
	msr	sctlr_el1, x0
	isb
	movz	x1, #0x3344
	movk	x1, #0x1122, lsl #16
	str	w1, [x11]		/* 1: 4 bytes, 0x11 first in memory */
	movz	x2, #0x5566
	strh	w2, [x11, #8]		/* 2: 2 bytes, 0x55 first */
	ldr	w0, [x11]		/* each read back as the guest sees it */
	ldrb	w1, [x11]
	ldrh	w2, [x11, #8]
	ldrb	w3, [x11, #8]
	hvc	#0			/* 3: x0-x3 in the message */
1:	b	1b
guest_sbe_end:
