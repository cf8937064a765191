/* The IPC fastpath (core/fastpath.c). */
#pragma once
#include <object/tcb.h>

/* The fastpath's two cases, given the endpoint capability the call
 * names: serve it and do not return, or return having changed nothing. */
void fastpath_call(struct tcb *t, const struct cap *c);
void fastpath_reply_recv(struct tcb *t, const struct cap *c);
/* The fault fastpath (core/fastpath_fault.c): a guest's exception of
 * label with its n decoded words, delivered to a handler waiting on its
 * fault endpoint; and the handler's ReplyRecv on c that resumes it. Each
 * serves it and does not return, or returns having changed nothing. */
void fastpath_fault(struct tcb *t, unsigned label, const uint64_t *mrs, unsigned n);
void fastpath_fault_reply(struct tcb *t, const struct cap *c);

/* The endpoint capability with `right` that cptr names in t's CSpace, when
 * the root CNode's first step finds it (cspace.c's resolve stops at a slot
 * that is no CNode); NULL for anything else. The guard is the top g bits
 * of cptr, the index the r bits below it; a root of no slot bits is left
 * to the full path. */
static inline __attribute__((always_inline)) const struct cap *
fastpath_ep_cap(const struct tcb *t, uint64_t cptr, unsigned right)
{
	const struct cap *root = &t->slots[TCB_SLOT_CSPACE].cap;
	unsigned g = root->guard_bits, r = root->size_bits;
	const struct cap *c;

	if (root->type != CAP_CNODE || g + r > 64 || r == 0 ||
	    (g ? cptr >> (64 - g) : 0) != root->word)
		return NULL;
	c = &((const struct cte *)(uintptr_t)root->obj + ((cptr << g) >> (64 - r)))->cap;
	return c->type == CAP_ENDPOINT && (c->rights & right) ? c : NULL;
}

/* Serves t's Call or ReplyRecv (nr) when the plain case allows it, and
 * then does not return; returns, having changed nothing, when the full
 * path must serve it. Its first checks are here, inline in the SVC entry,
 * so that what it never serves costs little: an invocation (a Call on a
 * capability that is no endpoint) and a fault handler's reply. */
static inline void fastpath(struct tcb *t, uint64_t nr)
{
	uint64_t mi = t->regs.x[1];
	const struct cap *c;

	if (SEPTA_MSG_LEN(mi) > SEPTA_MSG_REGS || SEPTA_MSG_CAPS(mi))
		return;
	if (nr == SEPTA_SYS_CALL) {
		if ((c = fastpath_ep_cap(t, t->regs.x[0], SEPTA_RIGHT_WRITE)))
			fastpath_call(t, c);
	} else if (t->reply_to &&
		   (c = fastpath_ep_cap(t, t->regs.x[0], SEPTA_RIGHT_READ))) {
		if (t->reply_to->fault)
			fastpath_fault_reply(t, c);
		else
			fastpath_reply_recv(t, c);
	}
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
