/*
 * Faults of user-level threads become messages to the thread's fault
 * endpoint, sent as a Call: the handler's Reply resumes the thread or
 * leaves it suspended. A thread without a handler is stopped with a report;
 * the root task without one takes the machine down, as init would.
 */
#include <arch.h>
#include <kernel.h>
#include <kprintf.h>
#include <object/cap.h>
#include <object/endpoint.h>
#include <object/tcb.h>
#include <status.h>

void thread_end(struct tcb *t, int status)
{
	if (t->is_root) {
		kprintf("septa: root task '%s' ended (status %d)\n", t->name, status);
		arch_shutdown(status);
	}
	tcb_suspend(t);
}

_Static_assert(sizeof(((struct tcb *)0)->fault_mr) / sizeof(uint64_t) >= SEPTA_HVC_LEN &&
		   SEPTA_HVC_LEN >= SEPTA_ABORT_LEN,
	       "every fault message fits");

void fault_raise(struct tcb *t, unsigned label, const uint64_t *mrs, unsigned n)
{
	struct cte *ep = &t->slots[TCB_SLOT_FAULT];

	if (ep->cap.type != CAP_ENDPOINT) {
		kprintf("septa: thread '%s' (tcb %p) has no fault handler; stopped\n",
			t->name, (void *)t);
		thread_end(t, SEPTA_STATUS_ROOT_FAULT);
		return;
	}
	t->fault = (uint8_t)label;
	t->fault_len =
	    (uint8_t)(n < ARRAY_SIZE(t->fault_mr) ? n : ARRAY_SIZE(t->fault_mr));
	for (unsigned i = 0; i < t->fault_len; i++)
		t->fault_mr[i] = mrs[i];
	endpoint_send((struct endpoint *)(uintptr_t)ep->cap.obj, t, ep->cap.word, false,
		      true, true);
}
