/*
 * The IPC fastpath: a Call or ReplyRecv whose message fits in the message
 * registers, between native threads, served in one go and straight back
 * to user level at the partner. It makes the full path's decisions and
 * leaves its state (syscall.c, endpoint.c, sched.c, kernel_exit in the
 * arch code), and it only goes ahead when every check the full path would
 * make passes and that path would switch to the partner: the capability in
 * one lookup step (a Call's in up to two, fastpath_slot), the rights, the length, no
 * capabilities, the partner waiting, no restarted deletion, no fault, no bound
 * notification pending, a partner that the scheduler would choose, a turn that goes on
 * and no guest waiting for its timer. Anything else, it returns having
 * touched nothing and the full path serves the call, saying why if it
 * fails.
 */
#include <arch.h>
#include <core/fastpath.h>
#include <core/sched.h>
#include <object/cap.h>
#include <object/cspace.h>
#include <object/endpoint.h>
#include <object/notification.h>
#include <object/tcb.h>

bool fastpath_off;
#ifdef SEPTA_TEST_BUILD
uint64_t fastpath_served[4];
static bool fastpath_boot_off; /* septa.nofastpath, which no test lifts */
#endif

/* The message registers of a message of len words (endpoint.c's transfer
 * without buffer or capabilities): what did not arrive stays as it was. */
static inline void copy_regs(struct tcb *to, const struct tcb *from, unsigned len,
			     uint64_t label, uint64_t badge)
{
	switch (len) {
	case 4:
		to->regs.x[5] = from->regs.x[5];
		/* fall through */
	case 3:
		to->regs.x[4] = from->regs.x[4];
		/* fall through */
	case 2:
		to->regs.x[3] = from->regs.x[3];
		/* fall through */
	case 1:
		to->regs.x[2] = from->regs.x[2];
		/* fall through */
	default:
		break;
	}
	to->regs.x[0] = SEPTA_OK;
	to->regs.x[1] = septa_msginfo(label, 0, len);
	to->regs.x[6] = badge;
}

_Static_assert(SEPTA_MSG_REGS == 4, "copy_regs copies x2-x5");

static bool plain(const struct tcb *t, uint64_t mi)
{
	return SEPTA_MSG_LEN(mi) <= SEPTA_MSG_REGS && !SEPTA_MSG_CAPS(mi) && !t->fault &&
	       !t->vcpu;
}

/* A thread the full path would run: native, with its VSpace (kernel_exit
 * stops one that lost it). */
static bool can_run(const struct tcb *t)
{
	return !t->vcpu && t->slots[TCB_SLOT_VSPACE].cap.type == CAP_VSPACE;
}

/* Call: sys_send, endpoint_send to a waiting receiver, reply_link. */
struct cte *fastpath_call(struct tcb *t, struct cte *s)
{
	uint64_t mi = t->regs.x[1];
	const struct cap *c = &s->cap;
	struct endpoint *ep;
	struct tcb *r;

	/* del_regs: a CNODE_DELETE to take over (cap_delete_again). */
	if (!plain(t, mi) || t->del_regs[1])
		return s;
	ep = (struct endpoint *)(uintptr_t)c->obj;
	if (ep->state != EP_RECV)
		return s;
	r = ep->q.head;
	if (!can_run(r) || r->fault || !sched_turn_goes_on(t, r, true) ||
	    sched_waiting.head || !sched_hand_over(t, r, false, &ep->q))
		return s;
	t->del_again = false;
	if (!ep->q.head)
		ep->state = EP_IDLE;
	copy_regs(r, t, SEPTA_MSG_LEN(mi), SEPTA_MSG_LABEL(mi), c->word);
	fastpath_call_switch(t, r, 0);
}

/* ReplyRecv: ipc_reply to a caller that is no fault, then sys_recv and
 * endpoint_recv with nobody sending. */
void fastpath_reply_recv(struct tcb *t, const struct cap *c)
{
	uint64_t mi = t->regs.x[1];
	struct tcb *caller = t->reply_to;
	struct endpoint *ep;

	if (!caller || !plain(t, mi) || caller->fault ||
	    caller->state != TCB_BLOCKED_REPLY || !can_run(caller))
		return;
	ep = (struct endpoint *)(uintptr_t)c->obj;
	/* A sender waiting is received at once; a bound notification's
	 * signal first (notification_take_bound); sched_resume puts a caller
	 * whose turn ended behind the others. */
	if (ep->state == EP_SEND || (t->bound_ntfn && t->bound_ntfn->active) ||
	    caller == sched_turn_over || !sched_turn_goes_on(t, caller, false) ||
	    sched_waiting.head || !sched_hand_over(t, caller, true, NULL))
		return;
	t->reply_to = NULL;
	caller->replier = NULL;
	copy_regs(caller, t, SEPTA_MSG_LEN(mi), SEPTA_MSG_LABEL(mi), 0);
	fastpath_reply_switch(t, caller, ep, 1);
}

/* septa.nofastpath as one of the words of the bootargs. */
void fastpath_configure(const char *bootargs, uint32_t len)
{
	static const char word[] = "septa.nofastpath";

	for (uint32_t i = 0; i < len;) {
		uint32_t n = 0;

		while (i + n < len && bootargs[i + n] != ' ' && n < sizeof(word) - 1 &&
		       bootargs[i + n] == word[n])
			n++;
		if (n == sizeof(word) - 1 && (i + n == len || bootargs[i + n] == ' ')) {
			fastpath_off = true;
#ifdef SEPTA_TEST_BUILD
			fastpath_boot_off = true;
#endif
		}
		while (i < len && bootargs[i] != ' ')
			i++;
		while (i < len && bootargs[i] == ' ')
			i++;
	}
}

#ifdef SEPTA_TEST_BUILD
/* x0 1: first set the fastpath off (x1 1) or back as booted (x1 0), so
 * that a test can run one case on both paths. */
void fastpath_test_syscall(struct tcb *t)
{
	if (t->regs.x[0] == 1)
		fastpath_off = fastpath_boot_off || t->regs.x[1];
	t->regs.x[0] = SEPTA_OK;
	t->regs.x[1] = fastpath_served[0];
	t->regs.x[2] = fastpath_served[1];
	t->regs.x[3] = !fastpath_off;
	t->regs.x[4] = fastpath_served[2];
	t->regs.x[5] = fastpath_served[3];
	t->regs.x[6] = sched_slices_ended;
}
#endif
