/* Entry of every user-level program: x0 = boot-info IPA, sp set by the
 * creator, bss already zero (fresh pages). */
	.section .text.start, "ax"
	.global	_start
_start:
	adrp	x1, septa_bootinfo_ptr
	str	x0, [x1, :lo12:septa_bootinfo_ptr]
	mov	x29, #0
	mov	x30, #0
	bl	septa_libc_init
	mov	x0, #0
	mov	x1, #0
	bl	main
	bl	exit
	b	.
