/*
 * VCPU objects: the EL1 state of a guest CPU. Bound to a TCB, they make
 * that thread run at EL1 inside its VSpace; its exceptions that are not the
 * guest's own go to its fault endpoint like any thread's.
 */
#include <arch.h>
#include <core/sched.h>
#include <object/cap.h>
#include <object/invoke.h>
#include <object/tcb.h>
#include <object/vcpu.h>

void vcpu_init(struct vcpu *v)
{
	arch_vcpu_reset(v);
}

static void unbind(struct vcpu *v)
{
	struct tcb *t = v->tcb;

	if (!t)
		return;
	/* Its registers describe a guest: it cannot go on as a plain thread. */
	tcb_suspend(t);
	t->vcpu = NULL;
	v->tcb = NULL;
}

void vcpu_finalise(struct vcpu *v)
{
	unbind(v);
	arch_vcpu_forget(v);
}

int vcpu_invoke(struct inv *iv)
{
	struct vcpu *v = (struct vcpu *)(uintptr_t)iv->slot->cap.obj;
	struct tcb *t;
	int idx;

	switch (iv->label) {
	case SEPTA_VCPU_SET_TCB:
		if (iv->ncaps < 1)
			return SEPTA_E_EXTRA_CAPS;
		if (iv->caps[0]->cap.type != CAP_TCB)
			return SEPTA_E_CAP_TYPE;
		t = (struct tcb *)(uintptr_t)iv->caps[0]->cap.obj;
		if (v->tcb || t->vcpu)
			return SEPTA_E_IN_USE;
		if (t == iv->caller)
			return SEPTA_E_STATE;
		tcb_suspend(t);
		v->tcb = t;
		t->vcpu = v;
		t->regs.spsr = arch_vcpu_entry_spsr();
		return SEPTA_OK;
	case SEPTA_VCPU_READ_REG:
	case SEPTA_VCPU_WRITE_REG:
		if (iv->len < (iv->label == SEPTA_VCPU_READ_REG ? 1u : 2u))
			return SEPTA_E_ARG;
		idx = arch_vcpu_reg_index((unsigned)msg_get(iv->caller, 0));
		if (idx < 0)
			return SEPTA_E_RANGE;
		/* Its thread must not be running its registers right now. */
		if (v->tcb && v->tcb == sched_current)
			return SEPTA_E_STATE;
		if (iv->label == SEPTA_VCPU_WRITE_REG) {
			v->sysreg[idx] = msg_get(iv->caller, 1);
			return SEPTA_OK;
		}
		msg_set(iv->caller, 0, v->sysreg[idx]);
		iv->reply_len = 1;
		return SEPTA_OK;
	case SEPTA_VCPU_RESET:
		if (v->tcb && v->tcb == sched_current)
			return SEPTA_E_STATE;
		arch_vcpu_reset(v);
		if (v->tcb)
			v->tcb->regs.spsr = arch_vcpu_entry_spsr();
		return SEPTA_OK;
	case SEPTA_VCPU_INJECT_IRQ: {
		uint64_t intid, prio;

		if (iv->len < 2)
			return SEPTA_E_ARG;
		intid = msg_get(iv->caller, 0);
		prio = msg_get(iv->caller, 1);
		if (intid >= 1020 || prio > 255)
			return SEPTA_E_RANGE;
		return arch_vcpu_inject(v, (unsigned)intid, (unsigned)prio);
	}
	}
	return SEPTA_E_LABEL;
}
