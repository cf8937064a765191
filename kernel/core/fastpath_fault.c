/*
 * The fault fastpath: a guest's exit delivered to its VMM waiting on the
 * VCPU thread's fault endpoint, and the VMM's ReplyRecv that resumes the
 * guest, each in one pass from the exception entry straight back to the
 * partner. As the IPC fastpath (fastpath.c) it makes the full path's
 * decisions and leaves its state (core/fault.c's fault_raise,
 * endpoint.c's endpoint_send, ipc_reply and endpoint_recv, sched.c,
 * kernel_exit), with the message in the one encoding of object/faultmsg.h,
 * and it goes ahead only when that path would switch to the partner.
 * Anything else (nobody waiting, a receiver without the IPC buffer the
 * message needs, a reply that injects, aborts, stops or is refused, a
 * sender queued, a bound notification pending, a turn that ends, a guest
 * waiting for its timer, another thread the scheduler would choose)
 * returns having touched nothing, and the full path serves it.
 */
#include <arch.h>
#include <core/fastpath.h>
#include <core/sched.h>
#include <object/cap.h>
#include <object/endpoint.h>
#include <object/faultmsg.h>
#include <object/notification.h>
#include <object/tcb.h>

/* What kernel_exit runs: a thread with its VSpace. */
static inline bool has_vspace(const struct tcb *t)
{
	return t->slots[TCB_SLOT_VSPACE].cap.type == CAP_VSPACE;
}

/* fault_record and fault_msg_write in one pass, unrolled: each word
 * loaded once, kept in t and put in the handler r. n is at most
 * ARRAY_SIZE(t->fault_mr) (trap.c's messages; fault_record's limit). */
#define FF_WORD(i)                                                                       \
	case (i) + 1: {                                                                  \
		uint64_t v = mrs[i];                                                     \
                                                                                         \
		t->fault_mr[i] = v;                                                      \
		fault_msg_put(r, tb, i, v);                                              \
	}                                                                                \
		__attribute__((fallthrough))

static inline __attribute__((always_inline)) void
deliver_words(struct tcb *t, struct tcb *r, struct septa_ipc_buffer *tb,
	      const uint64_t *mrs, unsigned n)
{
	_Static_assert(ARRAY_SIZE(t->fault_mr) == 8, "one case a word");
	t->fault_len = (uint8_t)n;
	switch (n) {
		FF_WORD(7);
		FF_WORD(6);
		FF_WORD(5);
		FF_WORD(4);
		FF_WORD(3);
		FF_WORD(2);
		FF_WORD(1);
		FF_WORD(0);
	default:
		break;
	}
}

/* fault_raise and endpoint_send (a Call) to a receiver waiting, then
 * kernel_exit switching to it. */
void fastpath_fault(struct tcb *t, unsigned label, const uint64_t *mrs, unsigned n)
{
	const struct cap *c = &t->slots[TCB_SLOT_FAULT].cap;
	struct septa_ipc_buffer *tb;
	struct endpoint *ep;
	struct tcb *r;

	if (c->type != CAP_ENDPOINT || n > ARRAY_SIZE(t->fault_mr))
		return;
	ep = (struct endpoint *)(uintptr_t)c->obj;
	if (ep->state != EP_RECV)
		return;
	r = ep->q.head;
	tb = tcb_buffer(r);
	/* Without a buffer the full path cuts the message to the registers. */
	if (r->vcpu || r->fault || !has_vspace(r) || fault_msg_len(n, tb) != n ||
	    !sched_turn_goes_on(t, r, true) || sched_waiting.head ||
	    !sched_hand_over(t, r, false, &ep->q))
		return;
	t->fault = (uint8_t)label;
	deliver_words(t, r, tb, mrs, n);
	if (!ep->q.head)
		ep->state = EP_IDLE;
	r->regs.x[0] = SEPTA_OK;
	r->regs.x[1] = septa_msginfo(label, 0, fault_msg_len(n, tb));
	r->regs.x[6] = c->word;
	fastpath_call_switch(t, r, 2);
}

/* Whether a reply of label to caller's fault is served here: one that
 * resumes a guest's hypercall, described access or system register,
 * retries, or stores as the abort asked (its check here, leaving *store);
 * ipc_reply refuses label 0 to an undescribed abort, and the store a
 * check refuses, with the error the full path gives. */
static inline bool reply_plain(const struct tcb *caller, uint64_t label,
			       struct fault_store *store)
{
	switch (caller->fault) {
	case SEPTA_FAULT_HVC:
	case SEPTA_FAULT_SMC:
	case SEPTA_FAULT_SYSREG:
		return label == 0 || label == SEPTA_REPLY_RETRY;
	case SEPTA_FAULT_ABORT:
		if (label == SEPTA_REPLY_STORE)
			return fault_store_check(caller, SEPTA_FAULT_ABORT, store) ==
			       SEPTA_OK;
		return label == SEPTA_REPLY_RETRY ||
		       (label == 0 &&
			(caller->fault_mr[SEPTA_ABORT_ACCESS] & SEPTA_ACCESS_VALID));
	default:
		return false;
	}
}

/* ipc_reply to a guest's fault, then sys_recv and endpoint_recv with
 * nobody sending, then kernel_exit switching to the guest. */
void fastpath_fault_reply(struct tcb *t, const struct cap *c)
{
	uint64_t mi = t->regs.x[1], label = SEPTA_MSG_LABEL(mi);
	struct tcb *caller = t->reply_to;
	struct endpoint *ep = (struct endpoint *)(uintptr_t)c->obj;
	struct fault_store store;

	/* sched_resume puts a caller whose turn ended behind the others; a
	 * bound notification's signal is received first. */
	if (t->vcpu || t->fault || !caller->vcpu || caller->state != TCB_BLOCKED_REPLY ||
	    !has_vspace(caller) || !reply_plain(caller, label, &store) ||
	    ep->state == EP_SEND || (t->bound_ntfn && t->bound_ntfn->active) ||
	    caller == sched_turn_over || !sched_turn_goes_on(t, caller, false) ||
	    sched_waiting.head || !sched_hand_over(t, caller, true, NULL))
		return;
	t->reply_to = NULL;
	caller->replier = NULL;
	if (label == SEPTA_REPLY_STORE)
		fault_store_commit(&store);
	if (label == 0 || label == SEPTA_REPLY_STORE)
		fault_resume(caller, caller->fault, t, SEPTA_MSG_LEN(mi));
	caller->fault = 0;
	fastpath_reply_switch(t, caller, ep, 3);
}
