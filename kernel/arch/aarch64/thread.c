/*
 * Running threads at EL0. Servers run the way seL4 runs native threads on
 * a hypervisor build: EL1&0 stage 1 off with HCR_EL2.DC (memory is normal
 * cacheable), TGE so that their SVCs, faults and interrupts come to EL2,
 * and their address space is a stage-2 table walked by the same code as
 * guests'. The switch happens on the way out of the kernel.
 */
#include <arch.h>
#include <core/sched.h>
#include <kernel.h>
#include <kprintf.h>
#include <object/cap.h>
#include <object/tcb.h>
#include <object/vspace.h>
#include <status.h>
#include "gic.h"
#include "sysreg.h"
#include "thread.h"
#include "vcpu.h"

static struct tcb *fp_owner;	    /* whose FP/SIMD state the registers hold */
static const struct pgt *loaded_vs; /* whose stage-2 table VTTBR_EL2 holds */

/* Exactly the registers vcpu.c's el0_visible_save lists: the rest of EL1
 * (and VMPIDR/VPIDR, which only EL1 reads see) may hold a guest's. */
void arch_native_el1(void)
{
	write_sysreg(sctlr_el1,
		     SCTLR_EL1_RES1 | SCTLR_EL1_DZE | SCTLR_EL1_UCT | SCTLR_EL1_UCI);
	write_sysreg(cpacr_el1, CPACR_EL1_FPEN);
	write_sysreg(cntkctl_el1, CNTKCTL_EL0VCTEN); /* the count, no timer */
	write_sysreg(tpidrro_el0, 0);
	write_sysreg(cntvoff_el2, 0); /* native threads read the plain count */
}

void arch_thread_init_regs(struct tcb *t, uint64_t entry, uint64_t sp, uint64_t arg)
{
	t->regs = (struct arch_regs){0};
	t->regs.elr = entry;
	t->regs.spsr = SPSR_EL0t;
	t->regs.sp = sp;
	t->regs.x[0] = arg;
}

/* The SPSR is the kernel's alone (no invocation writes it): it is set at
 * start, on VCPU bind and here, on unbind and finalise, so a thread never
 * returns in a mode its kind cannot run in, and the exit path need not
 * check. */
void arch_thread_make_native(struct tcb *t)
{
	t->regs.spsr = SPSR_EL0t;
}

/* Only native threads make system calls, and they run AArch64 at EL0. */
void arch_syscall_restart(struct arch_regs *regs)
{
	regs->elr -= 4;
}

/* Every field fits in 32 bits (PS is bits 16-18, RES1 bit 31): kept in
 * the table (struct pgt's vtcr) once made. */
static uint32_t vtcr_for(const struct pgt *p)
{
	uint64_t ps = ID_MMFR0_PARANGE(read_sysreg(id_aa64mmfr0_el1)) & TCR_PS_MASK;
	uint64_t sl0 = 2 - p->geom.start_level; /* 4 KiB granule: 0 = level 2 */

	return (uint32_t)(TCR_T0SZ(p->geom.ia_bits) | sl0 << VTCR_SL0_SHIFT |
			  TCR_IRGN0_WBWA | TCR_ORGN0_WBWA | TCR_SH0_INNER |
			  ps << TCR_PS_SHIFT | VTCR_RES1);
}

void arch_vspace_forget(struct vspace *vs)
{
	if (loaded_vs == &vs->pgt)
		loaded_vs = NULL;
}

void arch_tcb_forget(struct tcb *t)
{
	if (fp_owner == t)
		fp_owner = NULL;
	if (tcb_vspace(t) && loaded_vs == &tcb_vspace(t)->pgt)
		loaded_vs = NULL;
	if (sched_current == t)
		sched_current = NULL;
}

/* next's registers and address space, as the CPU runs them. */
static inline __attribute__((always_inline)) void load_thread(struct tcb *next)
{
	/* Every caller checked that next holds its VSpace. */
	struct pgt *vs =
	    &((struct vspace *)(uintptr_t)next->slots[TCB_SLOT_VSPACE].cap.obj)->pgt;

	if (sched_current)
		sched_current->tpidr_el0 = read_sysreg(tpidr_el0);
	write_sysreg(tpidr_el0, next->tpidr_el0);
	write_sysreg(cptr_el2, CPTR_EL2_RES1 | (fp_owner != next ? CPTR_EL2_TFP : 0));
	if (loaded_vs != vs) {
		if (__builtin_expect(!vs->vtcr, 0))
			vs->vtcr = vtcr_for(vs);
		write_sysreg(vtcr_el2, (uint64_t)vs->vtcr);
		write_sysreg(vttbr_el2,
			     (uint64_t)vs->vmid << VTTBR_VMID_SHIFT | pa_addr(vs->root));
		isb();
		loaded_vs = vs;
	}
	arch_vcpu_switch(next);
#ifdef SEPTA_BOOT_STATS
	if (next->vcpu)
		arch_boot_first_guest(); /* does not return */
#endif
	write_sysreg(tpidr_el2, (uintptr_t)&next->regs);
}

static void switch_to(struct tcb *next)
{
	bool new_turn;

	load_thread(next);
	new_turn = sched_turn_begins(sched_current, next);
	/* A turn that goes on with no guest waiting needs no timer write. */
	if (new_turn || sched_waiting.head)
		gic_timer_arm(new_turn);
	sched_current = next;
}

/* The IPC fastpath's way out (core/fastpath.c): it has checked that the
 * turn goes on and that no guest waits for its timer, so switch_to would
 * write no timer; the kernel stack is empty on every way out to user level. */
void arch_fastpath_switch(struct tcb *next)
{
	load_thread(next);
	sched_current = next;
	arch_entry_end();
	arch_enter_user();
}

void arch_fp_claim(void)
{
	struct tcb *t = sched_current;

	/* The trap covers EL2 too: lift it before touching the registers. */
	write_sysreg(cptr_el2, CPTR_EL2_RES1);
	isb();
	if (fp_owner)
		fpsimd_save(&fp_owner->fp);
	fpsimd_restore(&t->fp);
	fp_owner = t;
}

void kernel_exit(void)
{
	struct tcb *next = sched_current;
	bool idled = false;

	/* The caller goes on (an invocation's usual end): nothing queued
	 * since sched_choose let it run, so sched_choose would take it again;
	 * its turn goes on, so sched_turn_begins would start none; its VSpace
	 * is checked as below. */
	if (!sched_changed && next && sched_running(next) &&
	    next->slots[TCB_SLOT_VSPACE].cap.type == CAP_VSPACE &&
	    sched_turn_goes_on(next, next, false)) {
		arch_entry_end();
		return;
	}
	for (;;) {
		next = sched_choose();
		if (next && !tcb_vspace(next)) {
			/* Its VSpace capability was deleted: nowhere to run. */
			kprintf("septa: thread '%s' (tcb %p) lost its VSpace; stopped\n",
				next->name, (void *)next);
			tcb_suspend(next);
			continue;
		}
		if (next)
			break;
		idled = true;
		if (!gic_wait_and_dispatch()) {
			kprintf(
			    "septa: every thread is blocked or stopped and no interrupt "
			    "can wake one\n");
			arch_shutdown(SEPTA_STATUS_DEADLOCK);
		}
		arch_entry_begin(); /* the wait is not kernel work */
	}
	/* After an idle wait nobody's turn goes on; after a turn's end the
	 * thread that goes on running starts the next. */
	if (idled)
		sched_turn_reset();
	if (next != sched_current)
		switch_to(next);
	else if (sched_turn_begins(next, next))
		gic_timer_arm(true);
	arch_entry_end();
}

/* The boot CPU's EL2 and EL1 setup for threads, then the first thread. */
void arch_thread_start(struct tcb *t)
{
	write_sysreg(hcr_el2, HCR_NATIVE);
	/* PMU and debug registers are shared hardware: every access from a
	 * thread or a guest traps. */
	write_sysreg(mdcr_el2, (read_sysreg(mdcr_el2) & MDCR_HPMN_MASK) | MDCR_TRAPS);
	arch_native_el1();
	isb();
	__asm__ volatile("tlbi alle1" ::: "memory");
	dsb(ish);
	isb();
	sched_current = NULL;
	sched_set_runnable(t);
	switch_to(sched_choose()); /* t, taken off its queue: it runs */
	arch_enter_user();
}
