/*
 * VCPU objects: the EL1 state of a guest CPU. Bound to a TCB, they make
 * that thread run at EL1 inside its VSpace; its exceptions that are not the
 * guest's own go to its fault endpoint like any thread's.
 */
#include <arch.h>
#include <core/sched.h>
#include <object/cap.h>
#include <object/decode.h>
#include <object/tcb.h>
#include <object/vcpu.h>

/* VCPUs bound now: at most SEPTA_VCPU_MAX_BOUND, which bounds the guests
 * waiting in WFI that the scheduler walks (arch vcpu_wait_deadline). */
static unsigned vcpu_bound;

void vcpu_init(struct vcpu *v)
{
	arch_vcpu_reset(v);
}

void vcpu_unbind(struct vcpu *v)
{
	struct tcb *t = v->tcb;

	if (!t)
		return;
	/* Its registers describe a guest: it cannot go on as a plain thread. */
	tcb_suspend(t);
	t->vcpu = NULL;
	v->tcb = NULL;
	vcpu_bound--;
	/* Its SPSR is a guest's EL1 mode: an ERET to it with TGE set would
	 * stay at EL2 and jump to a PC its owner chose. */
	arch_thread_make_native(t);
}

void vcpu_finalise(struct vcpu *v)
{
	vcpu_unbind(v);
	arch_vcpu_forget(v);
}

static struct vcpu *target(const struct inv *iv)
{
	return (struct vcpu *)(uintptr_t)iv->slot->cap.obj;
}

/* Its thread must not be running its registers right now. */
static bool running(const struct vcpu *v)
{
	return v->tcb && v->tcb == sched_current;
}

struct vcpu_set_tcb_args {
	struct vcpu *v;
	struct tcb *t;
};

static int decode_vcpu_set_tcb(const struct vcpu_set_tcb_msg *m,
			       struct vcpu_set_tcb_args *a)
{
	if (m->tcb->cap.type != CAP_TCB)
		return SEPTA_E_CAP_TYPE;
	a->v = target(m->iv);
	a->t = (struct tcb *)(uintptr_t)m->tcb->cap.obj;
	if (a->v->tcb || a->t->vcpu)
		return SEPTA_E_IN_USE;
	if (a->t == m->iv->caller)
		return SEPTA_E_STATE;
	if (vcpu_bound == SEPTA_VCPU_MAX_BOUND)
		return SEPTA_E_LIMIT;
	return SEPTA_OK;
}

static void invoke_vcpu_set_tcb(const struct vcpu_set_tcb_args *a)
{
	tcb_suspend(a->t);
	a->v->tcb = a->t;
	a->t->vcpu = a->v;
	vcpu_bound++;
	a->t->regs.spsr = arch_vcpu_entry_spsr();
}

/* Read and write a register: the register's slot in the saved state,
 * which the CPU's registers may hold instead (arch_vcpu_unload). */
struct vcpu_read_reg_args {
	struct vcpu *v;
	uint64_t *reg;
	struct tcb *caller;
	uint64_t value;
};
#define vcpu_write_reg_args vcpu_read_reg_args

static int decode_reg(const struct inv *iv, uint64_t reg, struct vcpu_read_reg_args *a)
{
	struct vcpu *v = target(iv);
	/* The whole register as sent: cut to its low half, 2^32 would be 0. */
	int idx = reg != (unsigned)reg ? -1 : arch_vcpu_reg_index((unsigned)reg);

	if (idx < 0)
		return SEPTA_E_RANGE;
	if (running(v))
		return SEPTA_E_STATE;
	a->v = v;
	a->reg = &v->sysreg[idx];
	a->caller = iv->caller;
	return SEPTA_OK;
}

static int decode_vcpu_read_reg(const struct vcpu_read_reg_msg *m,
				struct vcpu_read_reg_args *a)
{
	return decode_reg(m->iv, m->reg, a);
}

static void invoke_vcpu_read_reg(const struct vcpu_read_reg_args *a)
{
	arch_vcpu_unload(a->v);
	msg_set(a->caller, 0, *a->reg);
}

static int decode_vcpu_write_reg(const struct vcpu_write_reg_msg *m,
				 struct vcpu_read_reg_args *a)
{
	a->value = m->value;
	return decode_reg(m->iv, m->reg, a);
}

static void invoke_vcpu_write_reg(const struct vcpu_read_reg_args *a)
{
	arch_vcpu_unload(a->v);
	*a->reg = a->value;
}

struct vcpu_reset_args {
	struct vcpu *v;
};

static int decode_vcpu_reset(const struct vcpu_reset_msg *m, struct vcpu_reset_args *a)
{
	a->v = target(m->iv);
	return running(a->v) ? SEPTA_E_STATE : SEPTA_OK;
}

static void invoke_vcpu_reset(const struct vcpu_reset_args *a)
{
	arch_vcpu_reset(a->v);
	if (a->v->tcb)
		a->v->tcb->regs.spsr = arch_vcpu_entry_spsr();
}

struct vcpu_inject_irq_args {
	struct vcpu *v;
	unsigned intid, prio;
};

static int decode_vcpu_inject_irq(const struct vcpu_inject_irq_msg *m,
				  struct vcpu_inject_irq_args *a)
{
	a->v = target(m->iv);
	a->intid = (unsigned)m->intid;
	a->prio = (unsigned)m->prio;
	return arch_vcpu_inject_check(a->v, m->intid, m->prio);
}

static void invoke_vcpu_inject_irq(const struct vcpu_inject_irq_args *a)
{
	arch_vcpu_inject(a->v, a->intid, a->prio);
}

INV_DISPATCH(vcpu_invoke, SEPTA_VCPU_INVOCATIONS)
