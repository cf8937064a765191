/*
 * EL2 exception vectors. Exceptions from EL0/EL1 save the interrupted
 * context into the current thread's register block (TPIDR_EL2 points at it)
 * and go to C; whatever thread is current afterwards is resumed. Exceptions
 * taken at EL2 are the kernel's own faults: dumped, then the machine halts.
 */
#include "regs.h"

	.macro	ventry label
	.balign	0x80
	b	\label
	.endm

	.macro	kernel_entry kind
	sub	sp, sp, #REGS_SIZE
	stp	x0, x1, [sp, #16 * 0]
	stp	x2, x3, [sp, #16 * 1]
	stp	x4, x5, [sp, #16 * 2]
	stp	x6, x7, [sp, #16 * 3]
	stp	x8, x9, [sp, #16 * 4]
	stp	x10, x11, [sp, #16 * 5]
	stp	x12, x13, [sp, #16 * 6]
	stp	x14, x15, [sp, #16 * 7]
	stp	x16, x17, [sp, #16 * 8]
	stp	x18, x19, [sp, #16 * 9]
	stp	x20, x21, [sp, #16 * 10]
	stp	x22, x23, [sp, #16 * 11]
	stp	x24, x25, [sp, #16 * 12]
	stp	x26, x27, [sp, #16 * 13]
	stp	x28, x29, [sp, #16 * 14]
	add	x0, sp, #REGS_SIZE
	stp	x30, x0, [sp, #REGS_X30]
	mrs	x0, elr_el2
	mrs	x1, spsr_el2
	stp	x0, x1, [sp, #REGS_ELR]
	mov	x0, sp
	mov	x1, #\kind
	bl	trap_kernel
	b	.
	.endm

	.macro	user_entry handler
	stp	x0, x1, [sp, #-16]!
	mrs	x0, tpidr_el2
	stp	x2, x3, [x0, #16 * 1]
	stp	x4, x5, [x0, #16 * 2]
	stp	x6, x7, [x0, #16 * 3]
	stp	x8, x9, [x0, #16 * 4]
	stp	x10, x11, [x0, #16 * 5]
	stp	x12, x13, [x0, #16 * 6]
	stp	x14, x15, [x0, #16 * 7]
	stp	x16, x17, [x0, #16 * 8]
	stp	x18, x19, [x0, #16 * 9]
	stp	x20, x21, [x0, #16 * 10]
	stp	x22, x23, [x0, #16 * 11]
	stp	x24, x25, [x0, #16 * 12]
	stp	x26, x27, [x0, #16 * 13]
	stp	x28, x29, [x0, #16 * 14]
	ldp	x2, x3, [sp], #16
	stp	x2, x3, [x0, #16 * 0]
	mrs	x2, sp_el0
	stp	x30, x2, [x0, #REGS_X30]
	mrs	x2, elr_el2
	mrs	x3, spsr_el2
	stp	x2, x3, [x0, #REGS_ELR]
	bl	\handler
	bl	kernel_exit
	b	arch_return_to_user
	.endm

	.text
	.balign	0x800
	.global	vectors_el2
vectors_el2:
	ventry	cur_sp0_any		/* current EL, SP_EL0: never used */
	ventry	cur_sp0_any
	ventry	cur_sp0_any
	ventry	cur_sp0_any
	ventry	cur_sync		/* current EL, SP_EL2 */
	ventry	cur_irq
	ventry	cur_fiq
	ventry	cur_serror
	ventry	low64_sync		/* lower EL, AArch64 */
	ventry	low64_irq
	ventry	low64_fiq
	ventry	low64_serror
	ventry	low32_any		/* lower EL, AArch32: never entered */
	ventry	low32_any
	ventry	low32_any
	ventry	low32_any

cur_sp0_any:	kernel_entry TRAP_KIND_SP0
cur_sync:	kernel_entry TRAP_KIND_SYNC
cur_irq:	kernel_entry TRAP_KIND_IRQ
cur_fiq:	kernel_entry TRAP_KIND_FIQ
cur_serror:	kernel_entry TRAP_KIND_SERROR
low32_any:	kernel_entry TRAP_KIND_AARCH32

low64_sync:	user_entry trap_lower_sync
low64_irq:	user_entry trap_lower_irq
low64_fiq:	user_entry trap_lower_irq
low64_serror:	user_entry trap_lower_serror

/* Resumes the thread whose register block TPIDR_EL2 points at. */
	.global	arch_return_to_user
arch_return_to_user:
	mrs	x0, tpidr_el2
	ldp	x2, x3, [x0, #REGS_ELR]
	msr	elr_el2, x2
	msr	spsr_el2, x3
	ldp	x30, x2, [x0, #REGS_X30]
	msr	sp_el0, x2
	ldp	x2, x3, [x0, #16 * 1]
	ldp	x4, x5, [x0, #16 * 2]
	ldp	x6, x7, [x0, #16 * 3]
	ldp	x8, x9, [x0, #16 * 4]
	ldp	x10, x11, [x0, #16 * 5]
	ldp	x12, x13, [x0, #16 * 6]
	ldp	x14, x15, [x0, #16 * 7]
	ldp	x16, x17, [x0, #16 * 8]
	ldp	x18, x19, [x0, #16 * 9]
	ldp	x20, x21, [x0, #16 * 10]
	ldp	x22, x23, [x0, #16 * 11]
	ldp	x24, x25, [x0, #16 * 12]
	ldp	x26, x27, [x0, #16 * 13]
	ldp	x28, x29, [x0, #16 * 14]
	ldp	x0, x1, [x0, #16 * 0]
	eret

/* First entry to user level: drop the boot stack and resume. */
	.global	arch_enter_user
arch_enter_user:
	adrp	x0, boot_stack_top
	add	x0, x0, :lo12:boot_stack_top
	mov	sp, x0
	b	arch_return_to_user
