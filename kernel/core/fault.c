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
#include <object/faultmsg.h>
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

void fault_raise(struct tcb *t, unsigned label, const uint64_t *mrs, unsigned n)
{
	struct cte *ep = &t->slots[TCB_SLOT_FAULT];

	if (ep->cap.type != CAP_ENDPOINT) {
		kprintf("septa: thread '%s' (tcb %p) has no fault handler; stopped\n",
			t->name, (void *)t);
		thread_end(t, SEPTA_STATUS_ROOT_FAULT);
		return;
	}
	fault_record(t, label, mrs, n);
	endpoint_send((struct endpoint *)(uintptr_t)ep->cap.obj, t, ep->cap.word, false,
		      true, true);
}
