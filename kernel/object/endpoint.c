/*
 * Synchronous IPC through endpoints: whoever arrives first waits in the
 * endpoint's queue; the partner copies the message across. A Call leaves
 * the sender waiting for the receiver's Reply.
 */
#include <arch.h>
#include <core/sched.h>
#include <object/cap.h>
#include <object/cspace.h>
#include <object/endpoint.h>
#include <object/faultmsg.h>
#include <object/invoke.h>
#include <object/notification.h>
#include <object/tcb.h>
#include <object/vcpu.h>

static void reply_link(struct tcb *receiver, struct tcb *caller)
{
	if (receiver->reply_to)
		receiver->reply_to->replier = NULL; /* an unanswered earlier caller */
	receiver->reply_to = caller;
	caller->replier = receiver;
	sched_block(caller, TCB_BLOCKED_REPLY);
}

/* The receive slot named in the receiver's IPC buffer, if it is usable. */
static struct cte *receive_slot(const struct tcb *to, const struct septa_ipc_buffer *buf)
{
	const struct cap *root = tcb_cspace(to);
	struct cte *node, *slot;

	if (buf->receive_cnode) {
		if (cspace_lookup_cap(root, buf->receive_cnode, &node) ||
		    node->cap.type != CAP_CNODE)
			return NULL;
		root = &node->cap;
	}
	if (cspace_lookup_slot(root, buf->receive_index, buf->receive_depth, &slot))
		return NULL;
	return slot->cap.type == CAP_NULL ? slot : NULL;
}

/* Capabilities travel only with Grant. A badged capability to the endpoint
 * the message travels on arrives as its badge; one other capability can be
 * received into the receiver's receive slot. */
static unsigned transfer_caps(struct tcb *from, struct tcb *to, struct endpoint *ep,
			      unsigned n, unsigned *unwrapped)
{
	struct septa_ipc_buffer *fb = tcb_buffer(from), *tb = tcb_buffer(to);
	bool received = false;
	unsigned i;

	*unwrapped = 0;
	if (!fb || !tb)
		return 0;
	for (i = 0; i < n; i++) {
		struct cte *src, *dst;
		struct cap copy;

		if (cspace_lookup_cap(tcb_cspace(from), fb->caps_or_badges[i], &src))
			break;
		if (src->cap.type == CAP_ENDPOINT && src->cap.obj == (uintptr_t)ep &&
		    src->cap.word) {
			tb->caps_or_badges[i] = src->cap.word;
			*unwrapped |= 1u << i;
			continue;
		}
		/* The same rule as CNODE_COPY: what cannot be copied there
		 * cannot be copied here, and a frame arrives unmapped. */
		if (received || cap_copy_of(&src->cap, &copy) ||
		    !(dst = receive_slot(to, tb)))
			break;
		cdt_insert(src, dst, &copy);
		received = true;
	}
	return i;
}

/* A fault message (object/faultmsg.h). Kept out of line: the ordinary
 * path's code, and its cost, stay as they are. */
static __attribute__((noinline)) unsigned
fault_transfer(const struct tcb *from, struct tcb *to, struct septa_ipc_buffer *tb)
{
	return fault_msg_write(from, to, tb);
}

static void transfer(struct tcb *from, struct tcb *to, uint64_t badge, bool can_grant,
		     struct endpoint *ep)
{
	uint64_t mi = from->regs.x[1];
	unsigned len = SEPTA_MSG_LEN(mi), caps = 0, unwrapped = 0;
	uint64_t label = SEPTA_MSG_LABEL(mi);
	struct septa_ipc_buffer *fb = tcb_buffer(from), *tb = tcb_buffer(to);

	if (from->fault) {
		label = from->fault;
		len = fault_transfer(from, to, tb);
	} else {
		/* Beyond the registers the message needs both IPC buffers; the
		 * receiver sees the length that arrived. */
		if (len > SEPTA_MSG_REGS && (!fb || !tb))
			len = SEPTA_MSG_REGS;
		for (unsigned i = 0; i < SEPTA_MSG_REGS && i < len; i++)
			to->regs.x[2 + i] = from->regs.x[2 + i];
		for (unsigned i = SEPTA_MSG_REGS; i < len; i++)
			tb->msg[i] = fb->msg[i];
		if (can_grant)
			caps =
			    transfer_caps(from, to, ep, SEPTA_MSG_CAPS(mi), &unwrapped);
	}
	to->regs.x[0] = SEPTA_OK;
	to->regs.x[1] = septa_msginfo(label, caps, len) | (uint64_t)unwrapped << 9;
	to->regs.x[6] = badge;
}

void endpoint_send(struct endpoint *ep, struct tcb *sender, uint64_t badge,
		   bool can_grant, bool is_call, bool blocking)
{
	if (ep->state == EP_RECV) {
		struct tcb *r = tcbq_pop(&ep->q);

		if (!ep->q.head)
			ep->state = EP_IDLE;
		transfer(sender, r, badge, can_grant, ep);
		sched_set_runnable(r);
		if (is_call)
			reply_link(r, sender);
		else
			sender->regs.x[0] = SEPTA_OK;
		return;
	}
	if (!blocking) {
		sender->regs.x[0] = (uint64_t)SEPTA_E_WOULD_BLOCK;
		return;
	}
	sender->ipc_badge = badge;
	sender->ipc_can_grant = can_grant;
	sender->ipc_is_call = is_call;
	sender->blocked_on = ep;
	sched_block(sender, TCB_BLOCKED_SEND);
	tcbq_append(&ep->q, sender);
	ep->state = EP_SEND;
}

void endpoint_recv(struct endpoint *ep, struct tcb *receiver, bool blocking)
{
	if (notification_take_bound(receiver))
		return;
	if (ep->state == EP_SEND) {
		struct tcb *s = tcbq_pop(&ep->q);

		if (!ep->q.head)
			ep->state = EP_IDLE;
		transfer(s, receiver, s->ipc_badge, s->ipc_can_grant, ep);
		if (s->ipc_is_call) {
			reply_link(receiver, s);
		} else {
			s->regs.x[0] = SEPTA_OK;
			sched_set_runnable(s);
		}
		return;
	}
	if (!blocking) {
		receiver->regs.x[0] = (uint64_t)SEPTA_E_WOULD_BLOCK;
		receiver->regs.x[1] = 0;
		receiver->regs.x[6] = 0;
		return;
	}
	receiver->blocked_on = ep;
	sched_block(receiver, TCB_BLOCKED_RECV);
	tcbq_append(&ep->q, receiver);
	ep->state = EP_RECV;
}

void endpoint_cancel(struct tcb *t)
{
	struct endpoint *ep = t->blocked_on;

	if (!ep)
		return;
	tcbq_remove(&ep->q, t);
	if (!ep->q.head)
		ep->state = EP_IDLE;
	t->blocked_on = NULL;
}

int ipc_reply(struct tcb *replier)
{
	struct tcb *caller = replier->reply_to;
	uint64_t mi = replier->regs.x[1];
	struct fault_store store;

	if (!caller)
		return SEPTA_E_NO_REPLY;
	/* Refused before anything changes: a longer reply would run past the
	 * caller's msg[] into its user data, caps and receive slot. The caller
	 * keeps waiting for a proper reply. Fault replies are held to it too. */
	if (SEPTA_MSG_LEN(mi) > SEPTA_MSG_MAX)
		return SEPTA_E_MSG_LENGTH;
	if (SEPTA_MSG_LEN(mi) > SEPTA_MSG_REGS && !tcb_buffer(replier))
		return SEPTA_E_NO_BUFFER;
	/* A store the kernel cannot make as the thread asked is refused so
	 * too: the handler learns it and may still answer otherwise. */
	if (caller->fault &&
	    SEPTA_REPLY_ACTION(SEPTA_MSG_LABEL(mi)) == SEPTA_REPLY_STORE) {
		int err = fault_store_check(caller, caller->fault, &store);

		if (err)
			return err;
	}
	replier->reply_to = NULL;
	caller->replier = NULL;
	if (caller->fault) {
		/* A fault handler's answer: label 0 resumes the thread, anything
		 * else leaves it suspended. */
		unsigned fault = caller->fault;
		uint64_t label = SEPTA_MSG_LABEL(mi);

		unsigned action = SEPTA_REPLY_ACTION(label);
		bool guest_abort = caller->vcpu && fault == SEPTA_FAULT_ABORT;

		caller->fault = 0;
		/* "The handler performed the access" cannot be true of an access
		 * the syndrome did not describe: stepping over it would skip an
		 * instruction nobody ran. The thread stays stopped instead. */
		if (action == 0 && fault == SEPTA_FAULT_ABORT &&
		    !(caller->fault_mr[SEPTA_ABORT_ACCESS] & SEPTA_ACCESS_VALID)) {
			sched_block(caller, TCB_INACTIVE);
			return SEPTA_E_ARG;
		}
		if ((label & SEPTA_REPLY_INJECT(0)) && caller->vcpu &&
		    (action == 0 || action == SEPTA_REPLY_RETRY ||
		     action == SEPTA_REPLY_STORE ||
		     (action == SEPTA_REPLY_ABORT && guest_abort))) {
			/* VCPU_INJECT_IRQ's check, on the whole field: a refused
			 * injection refuses the reply, which stays to be given. */
			int err = arch_vcpu_inject(caller->vcpu, label >> 20, 0xa0);

			if (err) {
				caller->fault = fault;
				caller->replier = replier;
				replier->reply_to = caller;
				return err;
			}
		}
		if (action == SEPTA_REPLY_ABORT && guest_abort) {
			arch_vcpu_inject_abort(caller->vcpu, &caller->regs,
					       caller->fault_mr[SEPTA_ABORT_ACCESS],
					       caller->fault_mr[SEPTA_ABORT_FAR]);
			sched_resume(caller);
			return SEPTA_OK;
		}
		if (action == SEPTA_REPLY_RETRY) {
			sched_resume(caller);
			return SEPTA_OK;
		}
		if (action == SEPTA_REPLY_STORE)
			fault_store_commit(&store); /* checked above; then as label 0 */
		else if (action != 0) {
			sched_block(caller, TCB_INACTIVE);
			return SEPTA_OK;
		}
		fault_resume(caller, fault, replier, SEPTA_MSG_LEN(mi));
		sched_resume(caller);
		return SEPTA_OK;
	}
	transfer(replier, caller, 0, false, NULL);
	sched_resume(caller);
	return SEPTA_OK;
}

/* Everyone waiting learns that the endpoint is gone (a deletion wakes a
 * long queue a step at a time first, delete.c). */
void endpoint_finalise(struct endpoint *ep)
{
	while (tcbq_wake_deleted(&ep->q))
		;
	ep->state = EP_IDLE;
}
