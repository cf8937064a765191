/*
 * Guest EL1 state on the CPU: swapped only when what runs needs other
 * values (el1_owner, el1_guest), as FP/SIMD state is.
 */
#include <arch.h>
#include <core/sched.h>
#include <object/tcb.h>
#include <object/vcpu.h>
#include "gic.h"
#include "sysreg.h"
#include "thread.h"
#include "vcpu.h"

enum {
	R_SCTLR,
	R_SP_EL1,
	R_VBAR,
	R_ELR,
	R_SPSR,
	R_ESR,
	R_FAR,
	R_TCR,
	R_TTBR0,
	R_TTBR1,
	R_MAIR,
	R_VMPIDR,
	R_CPACR,
	R_AMAIR,
	R_CONTEXTIDR,
	R_TPIDR_EL1,
	R_TPIDRRO,
	R_AFSR0,
	R_AFSR1,
	R_PAR,
	R_CNTKCTL,
	R_CSSELR,
	R_CNTV_CTL,
	R_CNTV_CVAL,
	R_CNTVOFF,
	R_VPIDR,
	R_COUNT
};
_Static_assert(R_COUNT <= VCPU_SYSREGS, "vcpu sysreg space");
/* enum septa_vcpu_reg, in the order of the ABI. */
static const uint8_t abi_reg[SEPTA_VCPU_REG_COUNT] = {
    R_SCTLR, R_SP_EL1, R_VBAR,	R_ELR,	R_SPSR,	  R_ESR,     R_FAR,
    R_TCR,   R_TTBR0,  R_TTBR1, R_MAIR, R_VMPIDR, R_CNTVOFF, R_VPIDR,
};

/*
 * The registers hold one VCPU's EL1 state (el1_owner) or none; el1_guest
 * says whether that VCPU's thread is the one running. A native thread runs
 * at EL0 under TGE: exceptions go to EL2, stage 1 is off, and of the EL1
 * state it can see or be affected by only what el0_visible lists. So when
 * a native thread (its VMM, typically) follows a guest, only those are
 * swapped; the rest and the list registers stay the guest's ("lazily
 * loaded") until another guest runs or the kernel needs them in memory
 * (arch_vcpu_unload). The virtual interface stays enabled: a maintenance
 * interrupt then is the owner's, which the handler serves in the live list
 * registers, and virtual interrupts are not taken under TGE.
 */
static struct vcpu *el1_owner;
static bool el1_guest;

struct vcpu *arch_vcpu_live(void)
{
	return el1_owner;
}

int arch_vcpu_reg_index(unsigned reg)
{
	return reg < SEPTA_VCPU_REG_COUNT ? abi_reg[reg] : -1;
}

uint64_t arch_vcpu_entry_spsr(void)
{
	return SPSR_DAIF | SPSR_EL1h; /* interrupts masked, as a CPU resets */
}

/*
 * What the guest's own MMU would deliver for an access that hit nothing:
 * a synchronous external abort at the instruction, at the faulting
 * address, taken to EL1 at the vector for where it came from. Its handler
 * runs: the VCPU's registers may be loaded lazily, and go to memory first.
 */
void arch_vcpu_inject_abort(struct vcpu *v, struct arch_regs *regs, uint64_t access,
			    uint64_t far)
{
	unsigned mode = SPSR_M(regs->spsr), kind = SEPTA_ACCESS_KIND(access);
	bool a32 = regs->spsr & SPSR_AARCH32; /* EL0 only: EL1 is AArch64 */
	bool lower = a32 || mode == SPSR_EL0t;
	uint64_t ec = (kind == SEPTA_ACCESS_FETCH ? EC_IABT_LOW : EC_DABT_LOW) +
		      !lower; /* the _CUR class: from EL1 itself */
	uint64_t offset = a32		      ? 0x600 /* lower EL, AArch32 */
			  : mode == SPSR_EL0t ? 0x400 /* lower EL, AArch64 */
			  : mode == SPSR_EL1h ? 0x200 /* current EL, SP_ELx */
					      : 0;    /* current EL, SP_EL0 */

	arch_vcpu_unload(v);

	v->sysreg[R_ESR] = ec << ESR_EC_SHIFT | ESR_IL | FSC_SEA |
			   (kind == SEPTA_ACCESS_WRITE ? ISS_WNR : 0);
	v->sysreg[R_FAR] = far;
	v->sysreg[R_ELR] = regs->elr;
	v->sysreg[R_SPSR] = regs->spsr;
	regs->elr = v->sysreg[R_VBAR] + offset;
	regs->spsr = arch_vcpu_entry_spsr();
}

void arch_vcpu_reset(struct vcpu *v)
{
	arch_vcpu_forget(v); /* what the registers hold of it is thrown away */
	for (unsigned i = 0; i < VCPU_SYSREGS; i++)
		v->sysreg[i] = 0;
	for (unsigned i = 0; i < VCPU_LRS; i++)
		v->lr[i] = 0;
	v->vmcr = v->ap0r0 = v->ap1r0 = 0;
	v->npending = 0;
	v->vtimer_idle = true;
	v->sysreg[R_SCTLR] = SCTLR_EL1_RES1; /* MMU and caches off */
	v->sysreg[R_CPACR] = CPACR_EL1_FPEN;
	v->sysreg[R_VMPIDR] = MPIDR_RES1;
	v->sysreg[R_VPIDR] = read_sysreg(midr_el1);
}

/* The virtual timer's PPI is on while the owner's timer is not in its list
 * registers and fires at the right time: its thread runs, or its CNTVOFF
 * is a native thread's 0. A timer that came due while its interrupt was
 * off fires when it goes on (the interrupt is a level); one the guest has
 * not finished with must not go in twice. */
static void vtimer_ppi(const struct vcpu *v)
{
	arch_irq_set_ppi(GIC_PPI_VTIMER, v->vtimer_idle);
}

bool arch_vcpu_vtimer_on_time(void)
{
	return el1_guest || (el1_owner && !el1_owner->sysreg[R_CNTVOFF]);
}

/*
 * What a native thread at EL0 sees of EL1 state with TGE set: SCTLR_EL1's
 * EL0 controls (endianness, cache and DC ZVA access, WFx and alignment
 * traps), CPACR_EL1's FP/SIMD trap, CNTKCTL_EL1's counter and timer access,
 * TPIDRRO_EL0 (readable at EL0) and CNTVOFF_EL2 (in every CNTVCT_EL0 it
 * reads). These go to memory whenever a native thread follows a guest;
 * arch_native_el1 gives it its own values of the same registers.
 */
static void el0_visible_save(struct vcpu *v)
{
	uint64_t *r = v->sysreg;

	r[R_SCTLR] = read_sysreg(sctlr_el1);
	r[R_CPACR] = read_sysreg(cpacr_el1);
	r[R_CNTKCTL] = read_sysreg(cntkctl_el1);
	r[R_TPIDRRO] = read_sysreg(tpidrro_el0);
	r[R_CNTVOFF] = read_sysreg(cntvoff_el2);
	arch_native_el1();
	/* Its virtual timer compares with the count less CNTVOFF, which is
	 * 0 now: unless its own is 0 too, its interrupt would come at the
	 * wrong time. Off until it runs, then (a guest waiting in WFI has the
	 * EL2 timer for its deadline). */
	if (r[R_CNTVOFF])
		arch_irq_set_ppi(GIC_PPI_VTIMER, false);
}

static void el0_visible_load(const struct vcpu *v)
{
	const uint64_t *r = v->sysreg;

	write_sysreg(sctlr_el1, r[R_SCTLR]);
	write_sysreg(cpacr_el1, r[R_CPACR]);
	write_sysreg(cntkctl_el1, r[R_CNTKCTL]);
	write_sysreg(tpidrro_el0, r[R_TPIDRRO]);
	write_sysreg(cntvoff_el2, r[R_CNTVOFF]);
	if (r[R_CNTVOFF])
		vtimer_ppi(v);
}

/* The rest, which nothing but a guest's EL1 reads or changes. */
static void rest_save(struct vcpu *v)
{
	uint64_t *r = v->sysreg;

	r[R_SP_EL1] = read_sysreg(sp_el1);
	r[R_VBAR] = read_sysreg(vbar_el1);
	r[R_ELR] = read_sysreg(elr_el1);
	r[R_SPSR] = read_sysreg(spsr_el1);
	r[R_ESR] = read_sysreg(esr_el1);
	r[R_FAR] = read_sysreg(far_el1);
	r[R_TCR] = read_sysreg(tcr_el1);
	r[R_TTBR0] = read_sysreg(ttbr0_el1);
	r[R_TTBR1] = read_sysreg(ttbr1_el1);
	r[R_MAIR] = read_sysreg(mair_el1);
	r[R_AMAIR] = read_sysreg(amair_el1);
	r[R_CONTEXTIDR] = read_sysreg(contextidr_el1);
	r[R_TPIDR_EL1] = read_sysreg(tpidr_el1);
	r[R_AFSR0] = read_sysreg(afsr0_el1);
	r[R_AFSR1] = read_sysreg(afsr1_el1);
	r[R_PAR] = read_sysreg(par_el1);
	r[R_CSSELR] = read_sysreg(csselr_el1);
	r[R_CNTV_CTL] = read_sysreg(cntv_ctl_el0);
	r[R_CNTV_CVAL] = read_sysreg(cntv_cval_el0);
	vgic_save(v);
}

/* VMPIDR and VPIDR are EL2's, changed only by VCPU_WRITE_REG (in memory). */
static void rest_load(const struct vcpu *v)
{
	const uint64_t *r = v->sysreg;

	write_sysreg(sp_el1, r[R_SP_EL1]);
	write_sysreg(vbar_el1, r[R_VBAR]);
	write_sysreg(elr_el1, r[R_ELR]);
	write_sysreg(spsr_el1, r[R_SPSR]);
	write_sysreg(esr_el1, r[R_ESR]);
	write_sysreg(far_el1, r[R_FAR]);
	write_sysreg(tcr_el1, r[R_TCR]);
	write_sysreg(ttbr0_el1, r[R_TTBR0]);
	write_sysreg(ttbr1_el1, r[R_TTBR1]);
	write_sysreg(mair_el1, r[R_MAIR]);
	write_sysreg(amair_el1, r[R_AMAIR]);
	write_sysreg(contextidr_el1, r[R_CONTEXTIDR]);
	write_sysreg(tpidr_el1, r[R_TPIDR_EL1]);
	write_sysreg(afsr0_el1, r[R_AFSR0]);
	write_sysreg(afsr1_el1, r[R_AFSR1]);
	write_sysreg(par_el1, r[R_PAR]);
	write_sysreg(csselr_el1, r[R_CSSELR]);
	write_sysreg(cntv_cval_el0, r[R_CNTV_CVAL]);
	write_sysreg(cntv_ctl_el0, r[R_CNTV_CTL]);
	write_sysreg(vmpidr_el2, r[R_VMPIDR]);
	write_sysreg(vpidr_el2, r[R_VPIDR]);
	vgic_load(v);
	vtimer_ppi(v);
}

/* Its thread stops running: a native thread's EL0 view from here on. */
static void leave_guest(struct vcpu *v)
{
	el0_visible_save(v);
	el1_guest = false;
	write_sysreg(hcr_el2, HCR_NATIVE);
	isb();
}

/* The registers stop holding the owner's state: saved first if `keep`
 * (a reset or a deletion throws it away). Its virtual interface is
 * switched off, so that no maintenance interrupt asks for a VCPU the
 * registers no longer hold; the next owner's load writes every register a
 * guest can read. */
static void release(bool keep)
{
	struct vcpu *v = el1_owner;

	if (!v)
		return;
	if (el1_guest)
		leave_guest(v); /* another guest follows it straight */
	if (keep)
		rest_save(v);
	else
		vgic_off();
	arch_irq_set_ppi(GIC_PPI_VTIMER, false);
	el1_owner = NULL;
}

void arch_vcpu_switch(struct tcb *next)
{
	struct vcpu *want = next->vcpu;

	if (!want) {
		if (el1_guest)
			leave_guest(el1_owner); /* the rest stays, lazily */
		return;
	}
	if (want != el1_owner) {
		release(true);
		rest_load(want);
		el1_owner = want;
	}
	if (!el1_guest) {
		el0_visible_load(want);
		el1_guest = true;
		write_sysreg(hcr_el2, HCR_GUEST);
		isb();
	}
}

void arch_vcpu_unload(struct vcpu *v)
{
	if (el1_owner == v)
		release(true);
}

void arch_vcpu_forget(struct vcpu *v)
{
	if (el1_owner == v)
		release(false);
}

uint64_t vcpu_timer_deadline(const struct vcpu *v)
{
	bool live = v == el1_owner;
	uint64_t ctl = live ? read_sysreg(cntv_ctl_el0) : v->sysreg[R_CNTV_CTL];
	uint64_t cval = live ? read_sysreg(cntv_cval_el0) : v->sysreg[R_CNTV_CVAL];
	/* Lazily loaded, CNTVOFF is a native thread's 0 and v's is in memory. */
	uint64_t off =
	    live && el1_guest ? read_sysreg(cntvoff_el2) : v->sysreg[R_CNTVOFF];

	if ((ctl & (CNT_CTL_ENABLE | CNT_CTL_IMASK)) != CNT_CTL_ENABLE)
		return UINT64_MAX;
	/* CNTVCT is CNTPCT - CNTVOFF (an offset beyond the count, which makes
	 * CNTVCT wrap, is not one a VMM gives). A sum past 2^64 is a CVAL the
	 * guest's count cannot reach. */
	return cval + off < cval ? UINT64_MAX : cval + off;
}

bool vcpu_wfi_wakes(const struct vcpu *v)
{
	isb();
	return vgic_irq_pending(v) || vcpu_timer_deadline(v) <= read_sysreg(cntpct_el0);
}

uint64_t vcpu_wait_deadline(void)
{
	uint64_t first = UINT64_MAX;

	for (struct tcb *t = sched_waiting.head; t; t = t->q_next) {
		uint64_t d = vcpu_timer_deadline(t->vcpu);

		first = d < first ? d : first;
	}
	return first;
}

void vcpu_wake_due(uint64_t now)
{
	struct tcb *t = sched_waiting.head, *next;

	for (; t; t = next) {
		next = t->q_next;
		if (vcpu_timer_deadline(t->vcpu) > now)
			continue;
		/* Its interrupt goes in without a round trip through the PPI
		 * (unless one is in flight: then it just wakes). */
		vgic_timer_inject(t->vcpu);
		sched_wake(t);
	}
}

/*
 * A guest's read of an AArch64 ID register (op0 3, op1 0, CRn 0): the
 * CPU's value with what the guest does not get hidden. No PMU (its
 * registers trap, MDCR_EL2.TPM), no AMU or SVE; AArch32 ID registers read
 * as zero (guests run AArch64 only).
 */
bool arch_vcpu_is_id_reg(uint64_t id)
{
	return (id & ~ID_REG_CRM_OP2) == ID_REG_SPACE;
}

/* From what the guests read, so that a kernel image asking for a page
 * size they lack is refused before it boots (and hangs). */
unsigned arch_vcpu_page_sizes(void)
{
	uint64_t m = arch_vcpu_id_value(ID_AA64MMFR0);

	return (ID_MMFR0_TGRAN4(m) != 0xf ? SEPTA_PAGES_4K : 0) |
	       (ID_MMFR0_TGRAN16(m) != 0 ? SEPTA_PAGES_16K : 0) |
	       (ID_MMFR0_TGRAN64(m) != 0xf ? SEPTA_PAGES_64K : 0);
}

uint64_t arch_vcpu_id_value(uint64_t id)
{
	uint64_t v;

	switch (id) {
	case ID_AA64PFR0:
		v = read_sysreg(id_aa64pfr0_el1) & ~(ID_PFR0_AMU | ID_PFR0_SVE);
		break;
	case ID_AA64PFR1:
		v = read_sysreg(id_aa64pfr1_el1);
		break;
	case ID_AA64DFR0:
		v = read_sysreg(id_aa64dfr0_el1) & ~ID_DFR0_PMUVER;
		break;
	case ID_AA64ISAR0:
		v = read_sysreg(id_aa64isar0_el1);
		break;
	case ID_AA64ISAR1:
		v = read_sysreg(id_aa64isar1_el1);
		break;
	case ID_AA64MMFR0:
		v = read_sysreg(id_aa64mmfr0_el1);
		break;
	case ID_AA64MMFR1:
		v = read_sysreg(id_aa64mmfr1_el1);
		break;
	case ID_AA64MMFR2:
		v = read_sysreg(S3_0_C0_C7_2); /* ID_AA64MMFR2_EL1, by encoding */
		break;
	default:
		v = 0; /* AArch32 and reserved ID registers */
		break;
	}
	return v;
}
