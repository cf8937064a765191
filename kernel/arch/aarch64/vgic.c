/*
 * The virtual CPU interface of the GIC for guests: list registers, their
 * queue, the maintenance interrupt and the guest's virtual timer. GICv3
 * uses the ICH_* system registers; GICv2 (boards) the memory-mapped GICH.
 * The list-register formats differ; everything else here is shared.
 */
#include <arch.h>
#include <core/sched.h>
#include <irq.h>
#include <object/tcb.h>
#include <object/vcpu.h>
#include <plat.h>
#include "gic.h"
#include "sysreg.h"
#include "vcpu.h"

#define ICH_AP0R0_EL2 S3_4_C12_C8_0
#define ICH_AP1R0_EL2 S3_4_C12_C9_0
#define ICH_HCR_EL2   S3_4_C12_C11_0
#define ICH_VMCR_EL2  S3_4_C12_C11_7
#define ICH_LR0_EL2   S3_4_C12_C12_0
#define ICH_LR1_EL2   S3_4_C12_C12_1
#define ICH_LR2_EL2   S3_4_C12_C12_2
#define ICH_LR3_EL2   S3_4_C12_C12_3

/* List-register fields, GICv3 (64-bit) and GICv2 (32-bit). */
#define V3_PENDING (1ULL << 62)
#define V3_STATE   (3ULL << 62)
#define V3_GROUP1  BIT(60)
#define V3_EOI	   BIT(41)
#define V2_PENDING (1u << 28)
#define V2_STATE   (3u << 28)
#define V2_EOI	   (1u << 19)

/* Fixed once the GIC is known (vgic_init): not re-read on every switch. */
static bool is_v3;
static unsigned nlr;

static bool v3(void)
{
	return is_v3;
}

static volatile uint32_t *gich(unsigned off)
{
	return (volatile uint32_t *)(uintptr_t)(plat.gich_base + off);
}

static uint64_t read_lr(unsigned i)
{
	if (!v3())
		return *gich(GICH_LR0 + 4 * i);
	switch (i) {
	case 0:
		return read_sysreg(ICH_LR0_EL2);
	case 1:
		return read_sysreg(ICH_LR1_EL2);
	case 2:
		return read_sysreg(ICH_LR2_EL2);
	default:
		return read_sysreg(ICH_LR3_EL2);
	}
}

static void write_lr(unsigned i, uint64_t v)
{
	if (!v3()) {
		*gich(GICH_LR0 + 4 * i) = (uint32_t)v;
		return;
	}
	switch (i) {
	case 0:
		write_sysreg(ICH_LR0_EL2, v);
		break;
	case 1:
		write_sysreg(ICH_LR1_EL2, v);
		break;
	case 2:
		write_sysreg(ICH_LR2_EL2, v);
		break;
	default:
		write_sysreg(ICH_LR3_EL2, v);
		break;
	}
}

void vgic_init(unsigned gic_version, unsigned list_regs)
{
	is_v3 = gic_version == 3;
	nlr = list_regs < VCPU_LRS ? list_regs : VCPU_LRS;
}

static unsigned lr_count(void)
{
	return nlr;
}

static bool lr_busy(uint64_t lr)
{
	return v3() ? (lr & V3_STATE) != 0 : (lr & V2_STATE) != 0;
}

static bool lr_pending(uint64_t lr)
{
	return v3() ? (lr & V3_PENDING) != 0 : (lr & V2_PENDING) != 0;
}

static bool lr_eoi(uint64_t lr)
{
	return v3() ? (lr & V3_EOI) != 0 : (lr & V2_EOI) != 0;
}

/* The virtual timer's LR asks for a maintenance interrupt on EOI, so that
 * its physical interrupt is unmasked only then. GICv2 guests enable group
 * 0 (as Linux does), GICv3 guests group 1. */
static uint64_t lr_value(unsigned intid, unsigned prio)
{
	bool timer = intid == GIC_PPI_VTIMER;

	if (v3())
		return V3_PENDING | V3_GROUP1 | (uint64_t)prio << 48 | intid |
		       (timer ? V3_EOI : 0);
	return V2_PENDING | (prio >> 3) << 23 | intid | (timer ? V2_EOI : 0);
}

static void write_hcr(uint64_t v)
{
	if (v3()) {
		write_sysreg(ICH_HCR_EL2, v);
		isb();
	} else {
		*gich(GICH_HCR) = (uint32_t)v;
	}
}

/* Moves queued interrupts into free list registers of v's saved state, or
 * of the live registers when v runs. */
static void refill(struct vcpu *v, bool live)
{
	for (unsigned i = 0; i < lr_count() && v->npending; i++) {
		uint64_t lr = live ? read_lr(i) : v->lr[i];

		if (lr_busy(lr))
			continue;
		lr = lr_value(v->pending[0] & 0xffff, v->pending[0] >> 16);
		for (unsigned j = 1; j < v->npending; j++)
			v->pending[j - 1] = v->pending[j];
		v->npending--;
		if (live)
			write_lr(i, lr);
		else
			v->lr[i] = lr;
	}
}

static uint64_t hcr_for(const struct vcpu *v)
{
	return ICH_HCR_EN | (v->npending ? ICH_HCR_UIE : 0);
}

/* The INTID an LR holds: GICv3's vINTID is 32 bits, GICv2's VirtualID 10. */
static uint64_t lr_intid(uint64_t lr)
{
	return v3() ? (uint32_t)lr : lr & 0x3ff;
}

/* The list register holding intid pending or active, or -1. */
static int lr_holding(const struct vcpu *v, bool live, uint64_t intid)
{
	for (unsigned i = 0; i < lr_count(); i++) {
		uint64_t lr = live ? read_lr(i) : v->lr[i];

		if (lr_busy(lr) && lr_intid(lr) == intid)
			return (int)i;
	}
	return -1;
}

static bool queued(const struct vcpu *v, uint64_t intid)
{
	for (unsigned i = 0; i < v->npending; i++)
		if ((v->pending[i] & 0xffff) == intid)
			return true;
	return false;
}

/* An INTID already in a list register or the queue is not added twice:
 * the GIC leaves the same INTID in two list registers unpredictable, and
 * copies would take room from other interrupts. An active one becomes
 * pending and active, one pending already stays as it is, with its
 * priority. */
int arch_vcpu_inject(struct vcpu *v, uint64_t intid, uint64_t prio)
{
	bool live = v == arch_vcpu_live();
	int err = arch_vcpu_inject_check(v, intid, prio);
	int i;

	if (err)
		return err;
	if ((i = lr_holding(v, live, intid)) >= 0) {
		uint64_t lr = live ? read_lr((unsigned)i) : v->lr[i];

		lr |= v3() ? V3_PENDING : V2_PENDING;
		if (live)
			write_lr((unsigned)i, lr);
		else
			v->lr[i] = lr;
	} else if (!queued(v, intid)) {
		v->pending[v->npending++] = (uint32_t)(intid | prio << 16);
		refill(v, live);
		if (live)
			write_hcr(hcr_for(v));
	}
	if (v->tcb)
		sched_wake(v->tcb); /* if it waits in WFI, it waited for this */
	return SEPTA_OK;
}

bool vgic_irq_pending(const struct vcpu *v)
{
	bool live = v == arch_vcpu_live();

	if (v->npending)
		return true;
	for (unsigned i = 0; i < lr_count(); i++)
		if (lr_pending(live ? read_lr(i) : v->lr[i]))
			return true;
	return false;
}

void vgic_save(struct vcpu *v)
{
	for (unsigned i = 0; i < lr_count(); i++)
		v->lr[i] = read_lr(i);
	if (v3()) {
		v->vmcr = read_sysreg(ICH_VMCR_EL2);
		v->ap0r0 = read_sysreg(ICH_AP0R0_EL2);
		v->ap1r0 = read_sysreg(ICH_AP1R0_EL2);
	} else {
		v->vmcr = *gich(GICH_VMCR);
		v->ap0r0 = *gich(GICH_APR);
	}
	vgic_off();
}

void vgic_off(void)
{
	write_hcr(0);
}

void vgic_load(const struct vcpu *v)
{
	for (unsigned i = 0; i < lr_count(); i++)
		write_lr(i, v->lr[i]);
	if (v3()) {
		write_sysreg(ICH_VMCR_EL2, v->vmcr);
		write_sysreg(ICH_AP0R0_EL2, v->ap0r0);
		write_sysreg(ICH_AP1R0_EL2, v->ap1r0);
	} else {
		*gich(GICH_VMCR) = (uint32_t)v->vmcr;
		*gich(GICH_APR) = (uint32_t)v->ap0r0;
	}
	write_hcr(hcr_for(v));
}

void vgic_timer_inject(struct vcpu *v)
{
	if (v->vtimer_idle && !arch_vcpu_inject(v, GIC_PPI_VTIMER, 0xa0))
		v->vtimer_idle = false;
}

/* The guest whose state is live has its own timer firing: straight in,
 * and awake if it waits in WFI. */
void arch_vcpu_vtimer_fired(void)
{
	struct vcpu *v = arch_vcpu_live();

	arch_irq_set_ppi(GIC_PPI_VTIMER, false);
	if (v)
		vgic_timer_inject(v);
}

/* Maintenance: list registers were deactivated or ran dry. */
void arch_vcpu_maintenance(void)
{
	struct vcpu *v = arch_vcpu_live();
	bool timer_in_lr = false;

	if (!v)
		return;
	for (unsigned i = 0; i < lr_count(); i++) {
		uint64_t lr = read_lr(i);

		/* A finished LR that asked for EOI maintenance keeps asking
		 * until it is cleared. */
		if (!lr_busy(lr) && lr_eoi(lr))
			write_lr(i, 0);
		else if (lr_busy(lr) && (lr & 0x3ff) == GIC_PPI_VTIMER)
			timer_in_lr = true;
	}
	if (!timer_in_lr && !queued(v, GIC_PPI_VTIMER)) {
		v->vtimer_idle = true;
		arch_irq_set_ppi(GIC_PPI_VTIMER, arch_vcpu_vtimer_on_time());
	}
	refill(v, true);
	write_hcr(hcr_for(v));
}

/* 1020-1023 are the GIC's special INTIDs (spurious and the like) and
 * above them nothing a list register here can present: refused whoever
 * injects (VCPU_INJECT_IRQ, a fault reply, the timer). */
int arch_vcpu_inject_check(const struct vcpu *v, uint64_t intid, uint64_t prio)
{
	if (intid >= IRQ_MAX || prio > 255)
		return SEPTA_E_RANGE;
	if (!nlr)
		return SEPTA_E_STATE; /* no virtual CPU interface known */
	if (v->npending == VCPU_PENDING &&
	    lr_holding(v, v == arch_vcpu_live(), intid) < 0 && !queued(v, intid))
		return SEPTA_E_IN_USE;
	return SEPTA_OK;
}
