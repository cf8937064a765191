/*
 * Entry from QEMU's ELF loader or a boot loader's booti. The first 64 bytes
 * are the arm64 Image header (Linux boot protocol), so the flat binary of
 * the same link boots with booti; its first word branches over the header.
 * x0 holds the device tree's physical address under booti, 0 otherwise.
 */
	.section .text.head, "ax"
	.global _start
_start:
	b	primary_entry
	.long	0
	.quad	SEPTA_TEXT_OFFSET	/* text_offset */
	.quad	_image_size		/* image_size, including bss */
	.quad	0x2			/* flags: little-endian, 4 KiB pages */
	.quad	0, 0, 0
	.ascii	"ARM\x64"
	.long	0

primary_entry:
#ifdef SEPTA_BOOT_STATS
	mrs	x21, cntpct_el0	/* bench.boot counts from here (bootbench.c) */
#endif
	mov	x19, x0
	msr	daifset, #0xf
	mrs	x20, CurrentEL
	lsr	x20, x20, #2
	cmp	x20, #2
	b.ne	1f
	msr	spsel, #1
1:	adrp	x0, boot_stack_top
	add	x0, x0, :lo12:boot_stack_top
	mov	sp, x0
	cmp	x20, #2
	b.ne	not_el2

	/* Absolute addresses in the image are only right where it was linked. */
	adr	x0, _start
	ldr	x1, =_start
	cmp	x0, x1
	b.ne	wrong_place

	adrp	x0, __bss_start
	add	x0, x0, :lo12:__bss_start
	adrp	x1, __bss_end
	add	x1, x1, :lo12:__bss_end
2:	cmp	x0, x1
	b.hs	3f
	str	xzr, [x0], #8
	b	2b
3:
#ifdef SEPTA_BOOT_STATS
	adrp	x0, arch_boot_entry_ticks
	str	x21, [x0, :lo12:arch_boot_entry_ticks]
#endif
	adrp	x0, vectors_el2
	add	x0, x0, :lo12:vectors_el2
	msr	vbar_el2, x0
	isb
	mov	x0, x19
	bl	kmain
	b	.

not_el2:
	mov	x0, x20
	bl	boot_not_el2
	b	.

wrong_place:
	bl	boot_wrong_place
	b	.

	.section .bss.stack, "aw", %nobits
	.balign	16
boot_stack:
	.skip	16384
	.global	boot_stack_top
boot_stack_top:
