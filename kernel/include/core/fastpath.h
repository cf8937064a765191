/* The IPC fastpath (core/fastpath.c). */
#pragma once
#include <core/sched.h>
#include <object/endpoint.h>
#include <object/tcb.h>

/* The fastpath's two cases, given the endpoint capability the call
 * names: serve it and do not return, or return having changed nothing
 * (a Call: its slot s, for the full path). */
struct cte *fastpath_call(struct tcb *t, struct cte *s);
void fastpath_reply_recv(struct tcb *t, const struct cap *c);
/* The fault fastpath (core/fastpath_fault.c): a guest's exception of
 * label with its n decoded words, delivered to a handler waiting on its
 * fault endpoint; and the handler's ReplyRecv on c that resumes it. Each
 * serves it and does not return, or returns having changed nothing. */
void fastpath_fault(struct tcb *t, unsigned label, const uint64_t *mrs, unsigned n);
void fastpath_fault_reply(struct tcb *t, const struct cap *c);

/* One step of a lookup (cspace.c's resolve) at CNode node with `left`
 * bits of the cptr unresolved, at the top of u: the guard is the top g
 * bits, the index the r bits below them. False when the step fails or is
 * not the usual one (the full path decides); a CNode of no slot bits is
 * left to the full path. */
static inline __attribute__((always_inline)) bool
fastpath_step(const struct cap *node, uint64_t u, unsigned left, struct cte **s)
{
	unsigned g = node->guard_bits, r = node->size_bits;

	if (node->type != CAP_CNODE || g + r > left || r == 0 ||
	    (g ? u >> (64 - g) : 0) != node->word)
		return false;
	*s = (struct cte *)(uintptr_t)node->obj + ((u << g) >> (64 - r));
	return true;
}

/* The endpoint capability with `right` that cptr names in t's CSpace, when
 * the root CNode's first step finds it (resolve stops at a slot that is no
 * CNode); NULL for anything else. */
static inline __attribute__((always_inline)) const struct cap *
fastpath_ep_cap(const struct tcb *t, uint64_t cptr, unsigned right)
{
	struct cte *s;

	if (!fastpath_step(&t->slots[TCB_SLOT_CSPACE].cap, cptr, 64, &s))
		return NULL;
	return s->cap.type == CAP_ENDPOINT && (s->cap.rights & right) ? &s->cap : NULL;
}

/* The slot cspace_lookup_cap(root, cptr) finds, when at most two steps
 * (a one-level CSpace like the root task's, a two-level one like
 * memsrv's) decide it; NULL when the lookup must be left to it: a step
 * failed, or found no capability or a zombie (errors are the full
 * path's), or a CNode with bits left over after two steps. A slot that
 * is no CNode ends the lookup whatever bits are left (tests/unit's
 * test_cspace.c holds this to the lookup's model). */
static inline __attribute__((always_inline)) struct cte *
fastpath_slot(const struct cap *root, uint64_t cptr)
{
	struct cte *s;
	unsigned left;

	if (!fastpath_step(root, cptr, 64, &s))
		return NULL;
	left = 64 - root->guard_bits - root->size_bits;
	if (s->cap.type == CAP_CNODE && left) {
		const struct cap *node = &s->cap;

		if (!fastpath_step(node, cptr << (64 - left), left, &s))
			return NULL;
		left -= node->guard_bits + node->size_bits;
	}
	if (s->cap.type == CAP_NULL || s->cap.type == CAP_ZOMBIE ||
	    (s->cap.type == CAP_CNODE && left))
		return NULL;
	return s;
}

/* The fastpath's first checks, inline in the SVC entry, so that what it
 * never serves costs little: an invocation (a Call on a capability that
 * is no endpoint) and a fault handler's reply. Each serves the call and
 * does not return, or returns having changed nothing; a Call returns the
 * slot the full path's lookup would find (fastpath_slot) or NULL, so that
 * an invocation looks its capability up once. */
static inline struct cte *fastpath_call_check(struct tcb *t)
{
	uint64_t mi = t->regs.x[1];
	struct cte *s = fastpath_slot(&t->slots[TCB_SLOT_CSPACE].cap, t->regs.x[0]);

	if (s && s->cap.type == CAP_ENDPOINT && (s->cap.rights & SEPTA_RIGHT_WRITE) &&
	    SEPTA_MSG_LEN(mi) <= SEPTA_MSG_REGS && !SEPTA_MSG_CAPS(mi))
		return fastpath_call(t, s);
	return s;
}

static inline void fastpath_reply_recv_check(struct tcb *t)
{
	uint64_t mi = t->regs.x[1];
	const struct cap *c;

	if (SEPTA_MSG_LEN(mi) > SEPTA_MSG_REGS || SEPTA_MSG_CAPS(mi) || !t->reply_to ||
	    !(c = fastpath_ep_cap(t, t->regs.x[0], SEPTA_RIGHT_READ)))
		return;
	if (t->reply_to->fault)
		fastpath_fault_reply(t, c);
	else
		fastpath_reply_recv(t, c);
}
/* Off with the bootarg septa.nofastpath: every call and fault takes the
 * full path. */
extern bool fastpath_off;
void fastpath_configure(const char *bootargs, uint32_t len);
#ifdef SEPTA_TEST_BUILD
/* What each case served (Call, ReplyRecv, fault, fault reply), for the
 * tests that it is taken at all. */
extern uint64_t fastpath_served[4];
#define FASTPATH_COUNT(i) (fastpath_served[i]++)
void fastpath_test_syscall(struct tcb *t); /* SEPTA_SYS_TEST_FASTPATH */
#else
#define FASTPATH_COUNT(i) ((void)0)
#endif

/* The end of both Calls (an IPC Call, a guest's exit): the receiver runs,
 * linked to the caller it answers, and the caller waits for the reply.
 * served says which case it was, for the test count. */
static inline __attribute__((always_inline, noreturn)) void
fastpath_call_switch(struct tcb *caller, struct tcb *r, unsigned served)
{
	r->state = TCB_RUNNABLE;
	r->blocked_on = NULL;
	if (r->reply_to)
		r->reply_to->replier = NULL;
	r->reply_to = caller;
	caller->replier = r;
	caller->state = TCB_BLOCKED_REPLY;
	FASTPATH_COUNT(served);
	(void)served;
	arch_fastpath_switch(r);
}

/* The end of both ReplyRecvs (to an IPC caller, to a guest's fault): the
 * caller runs, and the replier waits on ep for the next message. */
static inline __attribute__((always_inline, noreturn)) void
fastpath_reply_switch(struct tcb *t, struct tcb *caller, struct endpoint *ep,
		      unsigned served)
{
	caller->state = TCB_RUNNABLE;
	caller->blocked_on = NULL;
	t->blocked_on = ep;
	t->state = TCB_BLOCKED_RECV;
	tcbq_append(&ep->q, t);
	ep->state = EP_RECV;
	FASTPATH_COUNT(served);
	(void)served;
	arch_fastpath_switch(caller);
}
