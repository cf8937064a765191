/* Notifications: a word of badges OR-ed together by signals, taken by a
 * waiter. A notification bound to a thread also reaches it while it waits
 * on an endpoint. */
#include <core/sched.h>
#include <object/endpoint.h>
#include <object/notification.h>
#include <object/tcb.h>

static void deliver(struct tcb *t, uint64_t badge)
{
	t->regs.x[0] = SEPTA_OK;
	t->regs.x[1] = 0;
	t->regs.x[6] = badge;
	sched_set_runnable(t);
}

void notification_signal(struct notification *n, uint64_t badge)
{
	struct tcb *t = tcbq_pop(&n->q);

	if (t) {
		deliver(t, badge);
		return;
	}
	if (n->bound && n->bound->state == TCB_BLOCKED_RECV) {
		endpoint_cancel(n->bound);
		deliver(n->bound, badge);
		return;
	}
	n->word |= badge;
	n->active = true;
}

void notification_wait(struct notification *n, struct tcb *t, bool blocking)
{
	if (n->active) {
		uint64_t word = n->word;

		n->word = 0;
		n->active = false;
		t->regs.x[0] = SEPTA_OK;
		t->regs.x[1] = 0;
		t->regs.x[6] = word;
		return;
	}
	if (!blocking) {
		t->regs.x[0] = (uint64_t)SEPTA_E_WOULD_BLOCK;
		t->regs.x[6] = 0;
		return;
	}
	t->blocked_on = n;
	sched_block(t, TCB_BLOCKED_NTFN);
	tcbq_append(&n->q, t);
}

bool notification_take_bound(struct tcb *t)
{
	struct notification *n = t->bound_ntfn;

	if (!n || !n->active)
		return false;
	notification_wait(n, t, false);
	return true;
}

void notification_cancel(struct tcb *t)
{
	struct notification *n = t->blocked_on;

	if (!n)
		return;
	tcbq_remove(&n->q, t);
	t->blocked_on = NULL;
}

void notification_finalise(struct notification *n)
{
	while (tcbq_wake_deleted(&n->q)) /* none left when delete.c calls */
		;
	if (n->bound) {
		n->bound->bound_ntfn = NULL;
		n->bound = NULL;
	}
}
