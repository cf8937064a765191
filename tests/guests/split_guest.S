/*
 * A guest whose RAM is one 2 MiB block: it writes two of its pages,
 * reports with HVC 7, then writes the same two again. Between the two
 * rounds its VMM makes one of them read-only, which splits the block.
 */
	.section .rodata.guest, "a"
	.balign	4
	.global	guest_split_start
	.global	guest_split_end
guest_split_start:
	adr	x9, guest_split_start	/* the block's first page: this code */
	add	x10, x9, #0x10000	/* a page that stays writable */
	add	x11, x9, #0x20000	/* a page that will be read-only */
	mov	x1, #1
	str	x1, [x10]
	str	x1, [x11]
	mov	x0, #7
	hvc	#0
	mov	x1, #2
	str	x1, [x10]
	str	x1, [x11]		/* faults once it is read-only */
	mov	x0, #8
	hvc	#0
	b	.
guest_split_end:
