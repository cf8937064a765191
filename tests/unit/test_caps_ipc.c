/* IPC, fault delivery and the deletion of what IPC and interrupts point
 * at, on the host: the kernel's endpoint, fault and delete code driven
 * the way the system calls drive it, over the kernel-object fixture. Each
 * test is an edge the mutation run found unguarded (docs/testing.md). */
#include <core/sched.h>
#include <kernel.h>
#include <object/cap.h>
#include <object/cspace.h>
#include <object/delete.h>
#include <object/endpoint.h>
#include <object/invoke.h>
#include <septa/fault.h>
#include <stdlib.h>
#include <string.h>
#include "kfix.h"
#include "tests.h"

/* fault.c ends the root task by shutting down; no test thread is one. */
void arch_shutdown(int status)
{
	(void)status;
	abort();
}

/* Slots of the fixture's root CNode these tests use. */
enum {
	SLOT_VSPACE = 9,
	SLOT_EP = 30,	  /* the endpoint messages travel on */
	SLOT_EP2 = 31,	  /* another endpoint */
	SLOT_BADGED = 32, /* a badged capability, minted from one of them */
	SLOT_RECV = 40,	  /* the receiver's receive slot */
	SLOT_WEAK = 41,
};

static struct endpoint *ep_at(uint64_t slot)
{
	return (struct endpoint *)(uintptr_t)kf.root[slot].cap.obj;
}

static void make_vspace(void)
{
	CU_ASSERT_EQUAL(kfix_retype(SEPTA_OBJ_VSPACE, 32, SLOT_VSPACE, 1), SEPTA_OK);
}

static long configure(uint64_t tcb_slot, uint64_t frame_slot, uint64_t fault_ep)
{
	uint64_t caps[] = {0, SLOT_VSPACE, frame_slot}, args[] = {fault_ep, 0x10000};

	return kfix_call(tcb_slot, SEPTA_TCB_CONFIGURE, 3, caps, 2, args);
}

/* A thread with the fixture's CSpace and a buffer of its own, the TCB at
 * slot and its frame at slot + 1. */
static struct tcb *thread_at(uint64_t slot, uint64_t fault_ep)
{
	CU_ASSERT_EQUAL(kfix_retype(SEPTA_OBJ_TCB, 0, slot, 1), SEPTA_OK);
	CU_ASSERT_EQUAL(kfix_retype(SEPTA_OBJ_FRAME_4K, 0, slot + 1, 1), SEPTA_OK);
	CU_ASSERT_EQUAL(configure(slot, slot + 1, fault_ep), SEPTA_OK);
	return (struct tcb *)(uintptr_t)kf.root[slot].cap.obj;
}

static long mint(uint64_t dst, uint64_t src, uint64_t badge)
{
	uint64_t root = 0, a[] = {dst, 64, src, 64, SEPTA_RIGHTS_ALL, badge};

	return kfix_call(0, SEPTA_CNODE_MINT, 1, &root, 6, a);
}

/* Everything the test made goes, threads off every queue with it. */
static void clean_up(void)
{
	CU_ASSERT_EQUAL(kfix_revoke(kf.ut_slot), SEPTA_OK);
	CU_ASSERT_EQUAL(kfix_tree_problems(), 0);
}

/* One capability sent with Grant from s's buffer to r, who waits on ep
 * with its receive slot at SLOT_RECV. */
static void send_one_cap(struct tcb *s, struct tcb *r, uint64_t cptr)
{
	struct septa_ipc_buffer *rb = tcb_buffer(r);

	rb->receive_cnode = 0;
	rb->receive_index = SLOT_RECV;
	rb->receive_depth = 64;
	endpoint_recv(ep_at(SLOT_EP), r, true);
	CU_ASSERT_EQUAL(r->state, TCB_BLOCKED_RECV);
	tcb_buffer(s)->caps_or_badges[0] = cptr;
	s->regs.x[1] = septa_msginfo(7, 1, 0);
	endpoint_send(ep_at(SLOT_EP), s, 0, true, false, true);
	CU_ASSERT_EQUAL(s->regs.x[0], SEPTA_OK);
	CU_ASSERT_EQUAL(r->regs.x[0], SEPTA_OK);
	CU_ASSERT_EQUAL(SEPTA_MSG_CAPS(r->regs.x[1]), 1);
}

/* Only a badged capability to the endpoint the message travels on
 * arrives as its badge (unwrapped); a badged one to another endpoint is a
 * capability like any other and lands in the receive slot, badge kept. */
static void test_unwrap_only_this_endpoint(void)
{
	struct tcb *s, *r;

	kfix_reset();
	make_vspace();
	s = thread_at(10, 0);
	r = thread_at(12, 0);
	CU_ASSERT_EQUAL(kfix_retype(SEPTA_OBJ_ENDPOINT, 0, SLOT_EP, 2), SEPTA_OK);

	CU_ASSERT_EQUAL(mint(SLOT_BADGED, SLOT_EP2, 0x5a), SEPTA_OK);
	send_one_cap(s, r, SLOT_BADGED);
	CU_ASSERT_EQUAL(r->regs.x[1] >> 9 & 1, 0); /* not unwrapped */
	CU_ASSERT_EQUAL(kf.root[SLOT_RECV].cap.type, CAP_ENDPOINT);
	CU_ASSERT_EQUAL(kf.root[SLOT_RECV].cap.obj, kf.root[SLOT_EP2].cap.obj);
	CU_ASSERT_EQUAL(kf.root[SLOT_RECV].cap.word, 0x5a);
	CU_ASSERT_EQUAL(kfix_delete(SLOT_RECV), SEPTA_OK);
	CU_ASSERT_EQUAL(kfix_delete(SLOT_BADGED), SEPTA_OK);

	/* The same badge on this endpoint: unwrapped, nothing received. */
	CU_ASSERT_EQUAL(mint(SLOT_BADGED, SLOT_EP, 0x5a), SEPTA_OK);
	send_one_cap(s, r, SLOT_BADGED);
	CU_ASSERT_EQUAL(r->regs.x[1] >> 9 & 1, 1);
	CU_ASSERT_EQUAL(tcb_buffer(r)->caps_or_badges[0], 0x5a);
	CU_ASSERT_EQUAL(kf.root[SLOT_RECV].cap.type, CAP_NULL);
	clean_up();
}

/* The one waiting receiver taken, the endpoint is idle again: the next
 * send finds nobody. Without blocking it returns at once, and waits in no
 * queue. */
static void test_endpoint_idle_after_delivery(void)
{
	struct endpoint *ep;
	struct tcb *s, *r;

	kfix_reset();
	make_vspace();
	s = thread_at(10, 0);
	r = thread_at(12, 0);
	CU_ASSERT_EQUAL(kfix_retype(SEPTA_OBJ_ENDPOINT, 0, SLOT_EP, 1), SEPTA_OK);
	ep = ep_at(SLOT_EP);

	/* Nobody waits: a non-blocking send fails and leaves all as it was. */
	s->regs.x[1] = septa_msginfo(1, 0, 0);
	endpoint_send(ep, s, 0, false, false, false);
	CU_ASSERT_EQUAL(s->regs.x[0], (uint64_t)SEPTA_E_WOULD_BLOCK);
	CU_ASSERT_EQUAL(s->state, TCB_INACTIVE);
	CU_ASSERT_PTR_NULL(s->blocked_on);
	CU_ASSERT_EQUAL(ep->state, EP_IDLE);
	CU_ASSERT_PTR_NULL(ep->q.head);

	endpoint_recv(ep, r, true);
	CU_ASSERT_EQUAL(ep->state, EP_RECV);
	s->regs.x[1] = septa_msginfo(2, 0, 1);
	s->regs.x[2] = 0x1234;
	endpoint_send(ep, s, 0, false, false, false);
	CU_ASSERT_EQUAL(s->regs.x[0], SEPTA_OK);
	CU_ASSERT_EQUAL(r->regs.x[2], 0x1234);
	CU_ASSERT_EQUAL(r->state, TCB_RUNNABLE);
	CU_ASSERT_PTR_NULL(ep->q.head);
	if (ep->state != EP_IDLE) {
		CU_FAIL("the endpoint waits for a receiver it no longer has");
		clean_up(); /* the next send would pop nobody */
		return;
	}

	s->regs.x[1] = septa_msginfo(3, 0, 0);
	endpoint_send(ep, s, 0, false, false, false);
	CU_ASSERT_EQUAL(s->regs.x[0], (uint64_t)SEPTA_E_WOULD_BLOCK);
	CU_ASSERT_EQUAL(ep->state, EP_IDLE);
	/* A blocking one waits. */
	endpoint_send(ep, s, 0, false, false, true);
	CU_ASSERT_EQUAL(s->state, TCB_BLOCKED_SEND);
	CU_ASSERT_EQUAL(ep->state, EP_SEND);
	CU_ASSERT_PTR_EQUAL(ep->q.head, s);
	clean_up();
}

/* A handler waiting on the fault endpoint at SLOT_EP, and a thread t whose
 * faults go there. */
static void fault_pair(struct tcb **t, struct tcb **h)
{
	make_vspace();
	CU_ASSERT_EQUAL(kfix_retype(SEPTA_OBJ_ENDPOINT, 0, SLOT_EP, 1), SEPTA_OK);
	*t = thread_at(10, SLOT_EP);
	*h = thread_at(12, 0);
	endpoint_recv(ep_at(SLOT_EP), *h, true);
}

/* A described load the handler performed: the reply's MR
 * SEPTA_REPLY_VALUE is the value, and a reply without it loads zero, never
 * the handler's stale x2 (the register that MR would travel in). */
static void test_fault_reply_without_value(void)
{
	const unsigned reg = 5;
	uint64_t access = SEPTA_ACCESS_READ | SEPTA_ACCESS_VALID | SEPTA_ACCESS_WIDE |
			  3u << SEPTA_ACCESS_SIZE_SHIFT | reg << SEPTA_ACCESS_REG_SHIFT;
	uint64_t mr[SEPTA_ABORT_LEN] = {
	    [SEPTA_ABORT_PC] = 0x4000, [SEPTA_ABORT_ACCESS] = access};
	static const unsigned lens[] = {1, 0};
	struct tcb *t, *h;

	kfix_reset();
	fault_pair(&t, &h);
	for (unsigned i = 0; i < ARRAY_SIZE(lens); i++) {
		const unsigned with_value = lens[i];

		t->regs.elr = 0x4000;
		t->regs.x[reg] = 0x7777;
		fault_raise(t, SEPTA_FAULT_ABORT, mr, SEPTA_ABORT_LEN);
		CU_ASSERT_EQUAL(t->state, TCB_BLOCKED_REPLY);
		CU_ASSERT_EQUAL(h->regs.x[2 + SEPTA_ABORT_ACCESS], access);
		h->regs.x[1] = septa_msginfo(0, 0, with_value);
		h->regs.x[2] = 0xdead; /* the value, or stale */
		CU_ASSERT_EQUAL(ipc_reply(h), SEPTA_OK);
		CU_ASSERT_EQUAL(t->state, TCB_RUNNABLE);
		CU_ASSERT_EQUAL(t->regs.x[reg], with_value ? 0xdead : 0);
		CU_ASSERT_EQUAL(t->regs.elr, 0x4004);
		endpoint_recv(ep_at(SLOT_EP), h, true);
	}
	clean_up();
}

/* A fault message is kept in the thread's store (fault_mr) until it is
 * delivered: a longer one is cut at the store, which arrives whole. */
static void test_fault_message_cut_at_store(void)
{
	uint64_t mr[SEPTA_HVC_LEN + 1];
	struct tcb *t, *h;

	for (unsigned i = 0; i < ARRAY_SIZE(mr); i++)
		mr[i] = 0x100 + i;
	kfix_reset();
	fault_pair(&t, &h);
	fault_raise(t, SEPTA_FAULT_HVC, mr, ARRAY_SIZE(mr));
	CU_ASSERT_EQUAL(t->fault_len, ARRAY_SIZE(t->fault_mr));
	CU_ASSERT_EQUAL(SEPTA_MSG_LEN(h->regs.x[1]), ARRAY_SIZE(t->fault_mr));
	CU_ASSERT_EQUAL(SEPTA_MSG_LABEL(h->regs.x[1]), SEPTA_FAULT_HVC);
	for (unsigned i = 0; i < ARRAY_SIZE(t->fault_mr); i++)
		CU_ASSERT_EQUAL(msg_get(h, i), 0x100 + i);
	clean_up();
}

/* A fault waiting in its endpoint's queue when the endpoint goes cannot be
 * handled: the thread stays stopped, and its registers are its program's
 * (a guest's, for a VCPU thread), not a call's result, so they stay as
 * they were for whoever resumes it (TCB_RESUME: it faults again there). */
static void test_fault_endpoint_deleted_under_fault(void)
{
	uint64_t mr[SEPTA_EXCEPTION_LEN] = {[SEPTA_EXCEPTION_PC] = 0x4000};
	struct tcb *t;

	kfix_reset();
	make_vspace();
	CU_ASSERT_EQUAL(kfix_retype(SEPTA_OBJ_ENDPOINT, 0, SLOT_EP, 1), SEPTA_OK);
	t = thread_at(10, SLOT_EP);
	t->regs.elr = 0x4000;
	t->regs.x[0] = 0x1000;
	t->regs.x[1] = 0x1001;
	t->regs.x[6] = 0x1006;
	fault_raise(t, SEPTA_FAULT_EXCEPTION, mr, SEPTA_EXCEPTION_LEN);
	CU_ASSERT_EQUAL(t->state, TCB_BLOCKED_SEND);
	/* The last capability to the endpoint: the copy in t's fault slot
	 * first, then the original. */
	CU_ASSERT_EQUAL(kfix_revoke(SLOT_EP), SEPTA_OK);
	CU_ASSERT_EQUAL(t->slots[TCB_SLOT_FAULT].cap.type, CAP_NULL);
	CU_ASSERT_EQUAL(kfix_delete(SLOT_EP), SEPTA_OK);
	CU_ASSERT_EQUAL(t->state, TCB_INACTIVE);
	CU_ASSERT_EQUAL(t->fault, 0);
	CU_ASSERT_PTR_NULL(t->blocked_on);
	CU_ASSERT_EQUAL(t->regs.x[0], 0x1000);
	CU_ASSERT_EQUAL(t->regs.x[1], 0x1001);
	CU_ASSERT_EQUAL(t->regs.x[6], 0x1006);
	CU_ASSERT_EQUAL(kfix_call(10, SEPTA_TCB_RESUME, 0, NULL, 0, NULL), SEPTA_OK);
	CU_ASSERT_EQUAL(t->state, TCB_RUNNABLE);
	CU_ASSERT_EQUAL(t->regs.elr, 0x4000);
	clean_up();
}

/* An interrupt bound to a notification nobody waits on: deleting the
 * notification unbinds it (an Ack then says no notification is set), so
 * the interrupt never signals freed memory, or an object made there. */
static void test_deleted_notification_not_signalled(void)
{
	const uint64_t irq = 77, root = 0, get[] = {irq, 21, 64}, ntfn = 22;

	kfix_reset();
	cdt_insert(NULL, &kf.root[20],
		   &(struct cap){.type = CAP_IRQ_CONTROL, .rights = SEPTA_RIGHTS_ALL});
	CU_ASSERT_EQUAL(kfix_call(20, SEPTA_IRQ_CONTROL_GET, 1, &root, 3, get), SEPTA_OK);
	CU_ASSERT_EQUAL(kfix_retype(SEPTA_OBJ_NOTIFICATION, 0, ntfn, 1), SEPTA_OK);
	CU_ASSERT_EQUAL(
	    kfix_call(21, SEPTA_IRQ_HANDLER_SET_NOTIFICATION, 1, &ntfn, 0, NULL),
	    SEPTA_OK);
	CU_ASSERT_EQUAL(kfix_call(21, SEPTA_IRQ_HANDLER_ACK, 0, NULL, 0, NULL), SEPTA_OK);
	CU_ASSERT_EQUAL(kfix_delete(ntfn), SEPTA_OK);
	CU_ASSERT_EQUAL(kfix_call(21, SEPTA_IRQ_HANDLER_ACK, 0, NULL, 0, NULL),
			SEPTA_E_STATE);
	CU_ASSERT_EQUAL(kfix_delete(21), SEPTA_OK); /* the interrupt free again */
	kf.root[20] = (struct cte){0};
	clean_up();
}

/* The physical address VSPACE_QUERY finds at ipa in the VSpace at vs. */
static uint64_t query_pa(uint64_t vs, uint64_t ipa)
{
	CU_ASSERT_EQUAL(kfix_call(vs, SEPTA_VSPACE_QUERY, 0, NULL, 1, &ipa), SEPTA_OK);
	return msg_get(kf.caller, 0);
}

static long map_at(uint64_t cap, uint64_t label, uint64_t vs, unsigned n,
		   const uint64_t *args)
{
	return kfix_call(cap, label, 1, &vs, n, args);
}

/* Each frame capability owns the mapping it made: deleting it removes
 * that mapping, whether it is a copy (not final) or the last one. */
static void test_deleted_frame_capability_unmaps(void)
{
	const uint64_t vs = 60, pt = 61, f = 62, copy = 63;
	const uint64_t table[] = {0, 3}, at_copy[] = {0x1000, SEPTA_MAP_R, SEPTA_OWNED},
		       at_f[] = {0x2000, SEPTA_MAP_R, SEPTA_OWNED};
	uint64_t pa;

	kfix_reset();
	CU_ASSERT_EQUAL(kfix_retype(SEPTA_OBJ_VSPACE, 32, vs, 1), SEPTA_OK);
	CU_ASSERT_EQUAL(kfix_retype(SEPTA_OBJ_PAGE_TABLE, 0, pt, 1), SEPTA_OK);
	CU_ASSERT_EQUAL(map_at(pt, SEPTA_PAGE_TABLE_MAP, vs, 2, table), SEPTA_OK);
	CU_ASSERT_EQUAL(kfix_retype(SEPTA_OBJ_FRAME_4K, 0, f, 1), SEPTA_OK);
	pa = kf.root[f].cap.obj;
	CU_ASSERT_EQUAL(kfix_copy(copy, f, SEPTA_RIGHTS_ALL), SEPTA_OK);
	CU_ASSERT_EQUAL(map_at(copy, SEPTA_FRAME_MAP, vs, 3, at_copy), SEPTA_OK);
	CU_ASSERT_EQUAL(map_at(f, SEPTA_FRAME_MAP, vs, 3, at_f), SEPTA_OK);
	CU_ASSERT_EQUAL(query_pa(vs, 0x1000), pa);
	CU_ASSERT_EQUAL(query_pa(vs, 0x2000), pa);
	CU_ASSERT_EQUAL(kfix_delete(copy), SEPTA_OK);
	CU_ASSERT_EQUAL(query_pa(vs, 0x1000), 0);
	CU_ASSERT_EQUAL(query_pa(vs, 0x2000), pa);
	CU_ASSERT(cdt_is_final(&kf.root[f]));
	CU_ASSERT_EQUAL(kfix_delete(f), SEPTA_OK);
	CU_ASSERT_EQUAL(query_pa(vs, 0x2000), 0);
	clean_up();
}

/* The kernel writes each message into the buffer: a frame capability
 * without Write (or without Read) is no IPC buffer. */
static void test_buffer_needs_read_and_write(void)
{
	static const unsigned weak[] = {SEPTA_RIGHT_READ | SEPTA_RIGHT_GRANT,
					SEPTA_RIGHT_WRITE};

	kfix_reset();
	make_vspace();
	CU_ASSERT_EQUAL(kfix_retype(SEPTA_OBJ_TCB, 0, 10, 1), SEPTA_OK);
	CU_ASSERT_EQUAL(kfix_retype(SEPTA_OBJ_FRAME_4K, 0, 11, 1), SEPTA_OK);
	for (unsigned i = 0; i < ARRAY_SIZE(weak); i++) {
		CU_ASSERT_EQUAL(kfix_copy(SLOT_WEAK, 11, weak[i]), SEPTA_OK);
		CU_ASSERT_EQUAL(configure(10, SLOT_WEAK, 0), SEPTA_E_RIGHTS);
		CU_ASSERT_EQUAL(kfix_delete(SLOT_WEAK), SEPTA_OK);
	}
	CU_ASSERT_EQUAL(((struct tcb *)(uintptr_t)kf.root[10].cap.obj)
			    ->slots[TCB_SLOT_BUFFER]
			    .cap.type,
			CAP_NULL);
	CU_ASSERT_EQUAL(configure(10, 11, 0), SEPTA_OK);
	clean_up();
}

/* What the derivation tree's questions answer at their edges, for any
 * caller: two empty slots hold no common object, and an Untyped is never
 * the final capability to an object (what it covers is not one). */
static void test_cdt_edges(void)
{
	const struct cap empty = {0};

	kfix_reset();
	CU_ASSERT_FALSE(cap_same_object(&empty, &empty));
	CU_ASSERT_FALSE(cap_same_object(&kf.root[50].cap, &kf.root[51].cap));
	CU_ASSERT(cap_same_object(&kf.root[0].cap, &kf.root_cap));
	/* The fixture's root Untyped: no parent, no children. */
	CU_ASSERT_PTR_NULL(kf.root[kf.ut_slot].parent);
	CU_ASSERT_PTR_NULL(kf.root[kf.ut_slot].first_child);
	CU_ASSERT_FALSE(cdt_is_final(&kf.root[kf.ut_slot]));
	/* Nor one retyped from it, away from its parent's base. */
	CU_ASSERT_EQUAL(kfix_retype(SEPTA_OBJ_ENDPOINT, 0, 10, 1), SEPTA_OK);
	CU_ASSERT_EQUAL(kfix_retype(SEPTA_OBJ_UNTYPED, 12, 11, 1), SEPTA_OK);
	CU_ASSERT_NOT_EQUAL(kf.root[11].cap.obj, kf.root[kf.ut_slot].cap.obj);
	CU_ASSERT_FALSE(cdt_is_final(&kf.root[11]));
	CU_ASSERT(cdt_is_final(&kf.root[10]));
	clean_up();
}

void suite_caps_ipc(void)
{
	CU_pSuite s = CU_add_suite("caps_ipc", kfix_suite_init, kfix_suite_clean);

	CU_add_test(s, "only a badge of this endpoint is unwrapped",
		    test_unwrap_only_this_endpoint);
	CU_add_test(s, "an endpoint is idle after its receiver is taken",
		    test_endpoint_idle_after_delivery);
	CU_add_test(s, "a fault reply without a value loads zero",
		    test_fault_reply_without_value);
	CU_add_test(s, "a fault message is cut at its store, whole",
		    test_fault_message_cut_at_store);
	CU_add_test(s, "a fault whose endpoint goes leaves its thread as it was",
		    test_fault_endpoint_deleted_under_fault);
	CU_add_test(s, "a deleted notification is not signalled",
		    test_deleted_notification_not_signalled);
	CU_add_test(s, "a deleted frame capability takes its mapping",
		    test_deleted_frame_capability_unmaps);
	CU_add_test(s, "an IPC buffer needs Read and Write",
		    test_buffer_needs_read_and_write);
	CU_add_test(s, "derivation tree edges: empty slots, Untypeds", test_cdt_edges);
}
