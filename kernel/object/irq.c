/*
 * IRQControl hands out one IRQHandler capability per interrupt; a handler
 * binds its interrupt to a notification. The kernel masks an interrupt when
 * it signals it and unmasks it on Ack, so a slow driver sees each edge or
 * level once.
 */
#include <arch.h>
#include <irq.h>
#include <object/cap.h>
#include <object/cspace.h>
#include <object/invoke.h>
#include <object/notification.h>

struct irq_entry {
	bool issued;
	struct notification *ntfn;
	uint64_t badge;
};

static struct irq_entry irqs[IRQ_MAX];

static int control_get(struct inv *iv)
{
	uint64_t irq;
	struct cte *dst;
	struct cap c;
	int err;

	if (iv->len < 3)
		return SEPTA_E_ARG;
	if (iv->ncaps < 1)
		return SEPTA_E_EXTRA_CAPS;
	irq = msg_get(iv->caller, 0);
	if (irq >= IRQ_MAX || !arch_irq_user_allowed((unsigned)irq))
		return SEPTA_E_RANGE;
	if (irqs[irq].issued)
		return SEPTA_E_IN_USE;
	if (iv->caps[0]->cap.type != CAP_CNODE)
		return SEPTA_E_CAP_TYPE;
	err = cspace_lookup_slot(&iv->caps[0]->cap, msg_get(iv->caller, 1),
				 (unsigned)msg_get(iv->caller, 2), &dst);
	if (err)
		return err;
	if (dst->cap.type != CAP_NULL)
		return SEPTA_E_DELETE_FIRST;
	c = (struct cap){.type = CAP_IRQ_HANDLER, .rights = SEPTA_RIGHTS_ALL, .obj = irq};
	cdt_insert(iv->slot, dst, &c);
	irqs[irq].issued = true;
	return SEPTA_OK;
}

int irq_invoke(struct inv *iv)
{
	unsigned irq = (unsigned)iv->slot->cap.obj;
	const struct cap *n;

	if (iv->slot->cap.type == CAP_IRQ_CONTROL)
		return iv->label == SEPTA_IRQ_CONTROL_GET ? control_get(iv)
							  : SEPTA_E_LABEL;
	switch (iv->label) {
	case SEPTA_IRQ_HANDLER_SET_NOTIFICATION:
		if (iv->ncaps < 1)
			return SEPTA_E_EXTRA_CAPS;
		n = &iv->caps[0]->cap;
		if (n->type != CAP_NOTIFICATION)
			return SEPTA_E_CAP_TYPE;
		if (!(n->rights & SEPTA_RIGHT_WRITE))
			return SEPTA_E_RIGHTS;
		irqs[irq].ntfn = (struct notification *)(uintptr_t)n->obj;
		irqs[irq].badge = n->word;
		arch_irq_set_enabled(irq, true);
		return SEPTA_OK;
	case SEPTA_IRQ_HANDLER_ACK:
		if (!irqs[irq].ntfn)
			return SEPTA_E_STATE;
		arch_irq_set_enabled(irq, true);
		return SEPTA_OK;
	case SEPTA_IRQ_HANDLER_CLEAR:
		irqs[irq].ntfn = NULL;
		arch_irq_set_enabled(irq, false);
		return SEPTA_OK;
	}
	return SEPTA_E_LABEL;
}

void irq_handler_finalise(unsigned irq)
{
	arch_irq_set_enabled(irq, false);
	irqs[irq] = (struct irq_entry){0};
}

void irq_forget_notification(const struct notification *n)
{
	for (unsigned i = 0; i < IRQ_MAX; i++)
		if (irqs[i].ntfn == n) {
			irqs[i].ntfn = NULL;
			arch_irq_set_enabled(i, false);
		}
}

void irq_deliver(unsigned irq)
{
	if (irq >= IRQ_MAX || !irqs[irq].ntfn) {
		arch_irq_set_enabled(irq, false); /* nobody wants it */
		return;
	}
	arch_irq_set_enabled(irq, false);
	notification_signal(irqs[irq].ntfn, irqs[irq].badge);
}
