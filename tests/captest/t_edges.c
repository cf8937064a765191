/*
 * Edges the mutation run found untested (docs/mutation.md): each test here fails under
 * the mutant it is named after in tests/mutation/mutants.txt.
 */
#include "t_hostile.h"

/* Set by the helper threads below, read by the suite once they are done. */
static volatile uint64_t edge_err, edge_done;

/* ep-grant-dropped: a Reply has no Grant right to travel with, so the
 * capabilities it names stay where they are. */
static void edge_grant_replier(uint64_t arg)
{
	const uint64_t *a = (const uint64_t *)(uintptr_t)arg; /* ep, ntfn */
	struct septa_msg m = {0};

	if (septa_recv(a[0], &m) == 0) {
		septa_ipc_buffer()->caps_or_badges[0] = a[1];
		m.info = septa_msginfo(5, 1, 0);
		edge_err = (uint64_t)septa_reply(&m);
	}
	edge_done = 1;
}

void test_edges_reply_transfers_no_caps(void)
{
	static uint64_t args[2];
	uint64_t recv = slot();
	struct septa_ipc_buffer *b = septa_ipc_buffer();
	struct septa_msg m = {.info = septa_msginfo(1, 0, 0)};

	args[0] = mk(SEPTA_OBJ_ENDPOINT, 0);
	args[1] = mk(SEPTA_OBJ_NOTIFICATION, 0);
	CHECK(args[0] && args[1] && recv);
	edge_err = 1;
	edge_done = 0;
	b->receive_cnode = 0;
	b->receive_index = recv;
	b->receive_depth = DEPTH;
	CHECK(spawn(edge_grant_replier, (uint64_t)(uintptr_t)args, LOW_PRIO, 0));
	CHECK_EQ(septa_call(args[0], &m), 0);
	CHECK_EQ(SEPTA_MSG_LABEL(m.info), 5);
	CHECK_EQ(SEPTA_MSG_CAPS(m.info), 0);
	CHECK_EQ(SEPTA_MSG_UNWRAP(m.info), 0);
	CHECK_EQ(probe(recv), SEPTA_E_MISSING_CAP);
	join_lower(&edge_done);
	CHECK_EQ(edge_err, 0);
	/* The replier's notification is still its own. */
	CHECK_EQ(probe(args[1]), SEPTA_OK);
}

/* ep-unwrap-badge: only a badged capability to the endpoint a message
 * travels on arrives as its badge; an unbadged one (badge 0) would be
 * indistinguishable from a capability minted with badge 0, so it arrives
 * as a capability. */
static void edge_self_sender(uint64_t ep)
{
	struct septa_msg m = {.info = septa_msginfo(3, 1, 0)};

	septa_ipc_buffer()->caps_or_badges[0] = ep;
	edge_err = (uint64_t)septa_send(ep, &m);
	edge_done = 1;
}

void test_edges_unbadged_self_cap_arrives_as_cap(void)
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0), recv = slot();
	struct septa_ipc_buffer *b = septa_ipc_buffer();
	struct septa_msg m = {0};

	CHECK(ep && recv);
	edge_err = 1;
	edge_done = 0;
	b->receive_cnode = 0;
	b->receive_index = recv;
	b->receive_depth = DEPTH;
	CHECK(spawn(edge_self_sender, ep, LOW_PRIO, 0));
	CHECK_EQ(septa_recv(ep, &m), 0);
	CHECK_EQ(SEPTA_MSG_LABEL(m.info), 3);
	CHECK_EQ(SEPTA_MSG_CAPS(m.info), 1);
	CHECK_EQ(SEPTA_MSG_UNWRAP(m.info), 0);
	CHECK_EQ(m.badge, 0);
	/* An endpoint arrived in the receive slot (E_WOULD_BLOCK: no one
	 * waits on it), and the sender's copy stays. */
	CHECK_EQ(probe(recv), SEPTA_E_WOULD_BLOCK);
	join_lower(&edge_done);
	CHECK_EQ(edge_err, 0);
	CHECK_EQ(probe(ep), SEPTA_E_WOULD_BLOCK);
	CHECK_EQ(septa_cnode_delete(CNODE, recv, DEPTH), 0);
}

/* tcb-read-buffer: 5 registers are one more than the message registers
 * carry; a thread with no IPC buffer has nowhere for the fifth. */
static volatile uint64_t edge_err4;

static void edge_nobuf_reader(uint64_t tcb)
{
	uint64_t regs[8] = {0};

	edge_err = (uint64_t)septa_tcb_read_registers(tcb, SEPTA_MSG_REGS + 1, regs);
	edge_err4 = (uint64_t)septa_tcb_read_registers(tcb, SEPTA_MSG_REGS, regs);
	edge_done = 1;
}

void test_edges_read_registers_needs_buffer(void)
{
	uint64_t frame = bi->spare_frames_slot + ct.threads,
		 target = mk(SEPTA_OBJ_TCB, 0), t;

	CHECK(target);
	edge_err = edge_err4 = 1;
	edge_done = 0;
	t = spawn(edge_nobuf_reader, target, LOW_PRIO, 0);
	CHECK(t);
	/* Its buffer's frame capability revoked: the TCB's copy goes too. */
	CHECK_EQ(septa_cnode_revoke(CNODE, frame, DEPTH), 0);
	CHECK_EQ(septa_tcb_set_priority(t, HIGH_PRIO), 0); /* runs now */
	yield_until(&edge_done);
	CHECK_EQ(edge_done, 1);
	CHECK_EQ(edge_err, SEPTA_E_NO_BUFFER);
	/* As many as fit in the message registers need no buffer. */
	CHECK_EQ(edge_err4, 0);
}

/* sched-wake-state: an interrupt wakes a guest out of WFI only; one whose
 * thread waits on an endpoint (here its fault message, queued because no
 * one receives yet) stays queued with that message until it is received. */
extern const uint8_t guest_irq_start[], guest_irq_end[];
extern const uint8_t guest_irq_v2_start[], guest_irq_v2_end[];

void test_edges_irq_leaves_sender_blocked(void)
{
	static const struct guest_code v3 = {guest_irq_start, guest_irq_end},
				       v2 = {guest_irq_v2_start, guest_irq_v2_end};
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0), vcpu = 0, tcb;
	struct septa_msg m = {0};

	CHECK(ep);
	tcb = make_gic_guest(&v3, &v2, ep, &vcpu);
	CHECK(tcb);
	/* Above us: it runs to its "ready" HVC at once and waits to send. */
	CHECK_EQ(septa_tcb_set_priority(tcb, HIGH_PRIO), 0);
	CHECK_EQ(septa_tcb_resume(tcb), 0);
	CHECK_EQ(septa_yield(), 0);
	CHECK_EQ(septa_vcpu_inject_irq(vcpu, 40, 0x10), 0);
	/* Were it woken, it would run now, ahead of us. */
	CHECK_EQ(septa_yield(), 0);
	CHECK_EQ(septa_nbrecv(ep, &m), 0);
	CHECK_EQ(SEPTA_MSG_LABEL(m.info), SEPTA_FAULT_HVC);
	CHECK_EQ(m.mr[0], 3); /* ready, still the message it waited with */
	/* Answered, it takes the interrupt and reports it. */
	m.info = septa_msginfo(0, 0, 0);
	CHECK_EQ(septa_reply(&m), 0);
	CHECK_EQ(septa_recv(ep, &m), 0);
	CHECK_EQ(SEPTA_MSG_LABEL(m.info), SEPTA_FAULT_HVC);
	CHECK_EQ(m.mr[0], 4);
	CHECK_EQ(m.mr[1], 40);
	CHECK_EQ(septa_cnode_delete(CNODE, tcb, DEPTH), 0);
	CHECK_EQ(septa_nbrecv(ep, &m), SEPTA_E_WOULD_BLOCK);
}

/* del-zombie-ep: a deletion wakes an endpoint's waiters a step of 64
 * units at a time (kernel/object/delete.c), restarting in between, so 65
 * waiters take more than one step.
 * They wait above the suite: those the first step wakes run before the
 * second, and find the endpoint's slot still being deleted. The waiters
 * have no IPC buffer (their messages are empty), so any number can be
 * made, each with a small stack of its own. */
#define EDGE_WAITERS 65
#define EDGE_STACK   2048

static uint8_t edge_stacks[EDGE_WAITERS][EDGE_STACK] __attribute__((aligned(16)));
static volatile long edge_woke[EDGE_WAITERS], edge_saw[EDGE_WAITERS];
static uint64_t edge_ep;

static void edge_waiter(uint64_t i)
{
	struct septa_msg m = {0};

	edge_woke[i] = septa_recv(edge_ep, &m);
	edge_saw[i] = probe(edge_ep);
	septa_exit(0);
}

void test_edges_delete_endpoint_wakes_in_steps(void)
{
	uint64_t buf = mk(SEPTA_OBJ_FRAME_4K, 0);
	unsigned i;

	edge_ep = mk(SEPTA_OBJ_ENDPOINT, 0);
	CHECK(buf && edge_ep);
	for (i = 0; i < EDGE_WAITERS; i++) {
		uint64_t t = mk(SEPTA_OBJ_TCB, 0);
		uint64_t regs[3] = {(uint64_t)(uintptr_t)edge_waiter,
				    (uint64_t)(uintptr_t)(edge_stacks[i] + EDGE_STACK),
				    i};

		edge_woke[i] = edge_saw[i] = 1;
		CHECK(t);
		CHECK_EQ(septa_tcb_configure(t, 0, CNODE, VSPACE, buf, UNMAPPED_IPA), 0);
		CHECK_EQ(septa_tcb_set_priority(t, HIGH_PRIO), 0);
		/* It runs at once, and waits. */
		CHECK_EQ(septa_tcb_write_registers(t, 1, 3, regs), 0);
		CHECK_EQ(edge_woke[i], 1);
	}
	CHECK_EQ(septa_nbrecv(edge_ep, &(struct septa_msg){0}), SEPTA_E_WOULD_BLOCK);
	CHECK_EQ(septa_cnode_delete(CNODE, edge_ep, DEPTH), 0);
	/* Those the first step woke ran between the steps (the slot still a
	 * zombie), in the order they waited; the last one after the end. */
	CHECK_EQ(edge_saw[0], SEPTA_E_ZOMBIE);
	CHECK_EQ(edge_saw[EDGE_WAITERS - 1], SEPTA_E_MISSING_CAP);
	for (i = 0; i < EDGE_WAITERS; i++) {
		CHECK_EQ(edge_woke[i], SEPTA_E_DELETED);
		if (i && edge_saw[i - 1] == SEPTA_E_MISSING_CAP)
			CHECK_EQ(edge_saw[i], SEPTA_E_MISSING_CAP);
		else
			CHECK(edge_saw[i] == SEPTA_E_ZOMBIE ||
			      edge_saw[i] == SEPTA_E_MISSING_CAP);
	}
	CHECK_EQ(probe(edge_ep), SEPTA_E_MISSING_CAP);
}
