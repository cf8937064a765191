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
#include <object/decode.h>
#include <object/notification.h>

struct irq_entry {
	bool issued;
	struct notification *ntfn;
	uint64_t badge;
};

static struct irq_entry irqs[IRQ_MAX];

/* Every binding is counted in its notification, so the notification's
 * deletion knows whether any interrupt still signals it. */
static void unbind(unsigned irq)
{
	if (irqs[irq].ntfn)
		irqs[irq].ntfn->irq_bound--;
	irqs[irq].ntfn = NULL;
}

struct irq_control_get_args {
	struct cte *control, *dst;
	unsigned irq;
};

static int decode_irq_control_get(const struct irq_control_get_msg *m,
				  struct irq_control_get_args *a)
{
	int err;

	if (m->irq >= IRQ_MAX || !arch_irq_user_allowed((unsigned)m->irq))
		return SEPTA_E_RANGE;
	if (irqs[m->irq].issued)
		return SEPTA_E_IN_USE;
	if (m->root->cap.type != CAP_CNODE)
		return SEPTA_E_CAP_TYPE;
	err = cspace_lookup_slot(&m->root->cap, m->index, m->depth, &a->dst);
	if (err)
		return err;
	if (a->dst->cap.type != CAP_NULL)
		return SEPTA_E_DELETE_FIRST;
	a->control = m->iv->slot;
	a->irq = (unsigned)m->irq;
	return SEPTA_OK;
}

static void invoke_irq_control_get(const struct irq_control_get_args *a)
{
	struct cap c = {
	    .type = CAP_IRQ_HANDLER, .rights = SEPTA_RIGHTS_ALL, .obj = a->irq};

	cdt_insert(a->control, a->dst, &c);
	irqs[a->irq].issued = true;
}

INV_DISPATCH(irq_control_invoke, SEPTA_IRQ_CONTROL_INVOCATIONS)

static unsigned handler_irq(const struct inv *iv)
{
	return (unsigned)iv->slot->cap.obj;
}

struct irq_handler_set_notification_args {
	unsigned irq;
	const struct cap *ntfn;
};

static int
decode_irq_handler_set_notification(const struct irq_handler_set_notification_msg *m,
				    struct irq_handler_set_notification_args *a)
{
	a->ntfn = &m->ntfn->cap;
	if (a->ntfn->type != CAP_NOTIFICATION)
		return SEPTA_E_CAP_TYPE;
	if (!(a->ntfn->rights & SEPTA_RIGHT_WRITE))
		return SEPTA_E_RIGHTS;
	a->irq = handler_irq(m->iv);
	return SEPTA_OK;
}

static void
invoke_irq_handler_set_notification(const struct irq_handler_set_notification_args *a)
{
	unbind(a->irq);
	irqs[a->irq].ntfn = (struct notification *)(uintptr_t)a->ntfn->obj;
	irqs[a->irq].ntfn->irq_bound++;
	irqs[a->irq].badge = a->ntfn->word;
	arch_irq_set_enabled(a->irq, true);
}

/* Ack and clear: only the interrupt. */
struct irq_handler_ack_args {
	unsigned irq;
};
#define irq_handler_clear_args irq_handler_ack_args

static int decode_irq_handler_ack(const struct irq_handler_ack_msg *m,
				  struct irq_handler_ack_args *a)
{
	a->irq = handler_irq(m->iv);
	return irqs[a->irq].ntfn ? SEPTA_OK : SEPTA_E_STATE;
}

static void invoke_irq_handler_ack(const struct irq_handler_ack_args *a)
{
	arch_irq_set_enabled(a->irq, true);
}

static int decode_irq_handler_clear(const struct irq_handler_clear_msg *m,
				    struct irq_handler_ack_args *a)
{
	a->irq = handler_irq(m->iv);
	return SEPTA_OK;
}

static void invoke_irq_handler_clear(const struct irq_handler_ack_args *a)
{
	unbind(a->irq);
	arch_irq_set_enabled(a->irq, false);
}

INV_DISPATCH(irq_handler_invoke, SEPTA_IRQ_HANDLER_INVOCATIONS)

void irq_handler_finalise(unsigned irq)
{
	arch_irq_set_enabled(irq, false);
	unbind(irq);
	irqs[irq] = (struct irq_entry){0};
}

/* The count spares the deletion of every notification no interrupt
 * signals (nearly all) a walk of the whole table. */
void irq_forget_notification(struct notification *n)
{
	for (unsigned i = 0; i < IRQ_MAX && n->irq_bound; i++)
		if (irqs[i].ntfn == n) {
			unbind(i);
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
