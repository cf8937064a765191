/*
 * Hostile TCB invocations: every argument slot of TCB_CONFIGURE with the
 * wrong type, priorities and MCPs at and past the limits (from a thread
 * whose MCP is lower than the suite's), register counts at 0, 33 and 34,
 * and binding what is bound already. Each refusal leaves the thread as it
 * was: still unconfigured, its registers unchanged, its binding intact.
 */
#include "t_hostile.h"

#define PC_MARK 0xfeed000u

/* A new TCB with PC_MARK as its pc. */
static uint64_t marked_tcb(void)
{
	uint64_t t = mk(SEPTA_OBJ_TCB, 0), pc = PC_MARK;

	return t && !septa_tcb_write_registers(t, 0, 1, &pc) ? t : 0;
}

/* Still as marked_tcb left it: pc, and never configured (resume refused). */
#define CHECK_UNTOUCHED(t)                                                               \
	do {                                                                             \
		uint64_t _pc = 0;                                                        \
		CHECK_EQ(septa_tcb_read_registers(t, 1, &_pc), 0);                       \
		CHECK_EQ(_pc, PC_MARK);                                                  \
		CHECK_EQ(septa_tcb_resume(t), SEPTA_E_STATE);                            \
	} while (0)

struct cfg {
	uint64_t fault, cspace, vspace, frame, ipa;
};

/* A configuration that would be accepted: override one field. */
static struct cfg good_cfg(void)
{
	return (struct cfg){0, CNODE, VSPACE, mk(SEPTA_OBJ_FRAME_4K, 0), 0x7000};
}

static void bad_configure_on(uint64_t t, struct cfg ok, struct cfg c, long want)
{
	CHECK(t && ok.frame);
	CHECK_EQ(septa_tcb_configure(t, c.fault, c.cspace, c.vspace, c.frame, c.ipa),
		 want);
	CHECK_UNTOUCHED(t);
	/* Nothing was bound: a good configuration still goes in, once. */
	CHECK_EQ(septa_tcb_configure(t, ok.fault, ok.cspace, ok.vspace, ok.frame, ok.ipa),
		 0);
	CHECK_EQ(septa_tcb_configure(t, ok.fault, ok.cspace, ok.vspace, ok.frame, ok.ipa),
		 SEPTA_E_STATE);
}

static void bad_configure(struct cfg c, long want)
{
	uint64_t t = marked_tcb();

	bad_configure_on(t, good_cfg(), c, want);
}

void test_bad_tcb_configure_cap_type_cspace(void)
{
	struct cfg c = good_cfg();

	c.cspace = VSPACE;
	bad_configure(c, SEPTA_E_CAP_TYPE);
}

void test_bad_tcb_configure_cap_type_vspace(void)
{
	struct cfg c = good_cfg();

	c.vspace = CNODE;
	bad_configure(c, SEPTA_E_CAP_TYPE);
}

void test_bad_tcb_configure_cap_type_buffer(void)
{
	struct cfg c = good_cfg();

	c.frame = mk(SEPTA_OBJ_ENDPOINT, 0);
	bad_configure(c, SEPTA_E_CAP_TYPE);
}

void test_bad_tcb_configure_cap_type_buffer_2m(void)
{
	uint64_t t = marked_tcb();
	struct cfg ok = good_cfg(), c = good_cfg();

	/* An IPC buffer is one 4 KiB page. Made last: it takes the upper
	 * half of the test's 4 MiB. */
	c.frame = mk(SEPTA_OBJ_FRAME_2M, 0);
	CHECK(c.frame);
	bad_configure_on(t, ok, c, SEPTA_E_CAP_TYPE);
}

void test_bad_tcb_configure_cap_type_buffer_device(void)
{
	struct cfg c = good_cfg();
	unsigned dev = bi->untyped_count;

	for (unsigned i = 0; i < bi->untyped_count; i++)
		if (bi->untyped[i].is_device)
			dev = i;
	CHECK(dev < bi->untyped_count);
	c.frame = slot();
	CHECK_EQ(septa_untyped_retype(bi->untyped_slot + dev, SEPTA_OBJ_FRAME_4K, 0,
				      CNODE, 0, 0, c.frame, 1),
		 0);
	bad_configure(c, SEPTA_E_CAP_TYPE);
	CHECK_EQ(septa_cnode_revoke(CNODE, bi->untyped_slot + dev, DEPTH), 0);
}

void test_bad_tcb_configure_cap_type_fault(void)
{
	struct cfg c = good_cfg();

	c.fault = mk(SEPTA_OBJ_NOTIFICATION, 0);
	bad_configure(c, SEPTA_E_CAP_TYPE);
}

void test_bad_tcb_configure_align(void)
{
	struct cfg c = good_cfg();

	c.ipa = 0x7800;
	bad_configure(c, SEPTA_E_ALIGN);
}

void test_bad_tcb_configure_align_low_bit(void)
{
	struct cfg c = good_cfg();

	c.ipa = 0x7001;
	bad_configure(c, SEPTA_E_ALIGN);
}

void test_bad_tcb_configure_rights(void)
{
	struct cfg c = good_cfg();
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0);

	/* A fault endpoint the thread could not send on. */
	c.fault = slot();
	CHECK_EQ(septa_cnode_copy(CNODE, c.fault, DEPTH, CNODE, ep, DEPTH,
				  SEPTA_RIGHT_READ | SEPTA_RIGHT_GRANT),
		 0);
	bad_configure(c, SEPTA_E_RIGHTS);
}

void test_bad_tcb_configure_missing_cap_fault(void)
{
	struct cfg c = good_cfg();

	c.fault = slot();
	bad_configure(c, SEPTA_E_MISSING_CAP);
}

void test_bad_tcb_configure_guard_fault(void)
{
	struct cfg c = good_cfg();

	c.fault = BAD_GUARD_CPTR | mk(SEPTA_OBJ_ENDPOINT, 0);
	bad_configure(c, SEPTA_E_GUARD);
}

void test_bad_tcb_configure_state(void)
{
	uint64_t t = mk(SEPTA_OBJ_TCB, 0), f = mk(SEPTA_OBJ_FRAME_4K, 0), pc = 0;
	uint64_t other = mk(SEPTA_OBJ_FRAME_4K, 0);

	CHECK(t && f && other);
	CHECK_EQ(septa_tcb_configure(t, 0, CNODE, VSPACE, f, 0x7000), 0);
	CHECK_EQ(septa_tcb_configure(t, 0, CNODE, VSPACE, other, 0x8000), SEPTA_E_STATE);
	/* The first buffer is still the one: the frame's copy in the TCB keeps
	 * it from being final, the other frame has none. */
	CHECK_EQ(septa_tcb_read_registers(t, 1, &pc), 0);
	CHECK_EQ(septa_tcb_resume(t), 0);
	CHECK_EQ(septa_tcb_suspend(t), 0);
}

/* Runs thread_op in a thread of MCP mcp; its result. */
static volatile long thread_result;
static volatile uint64_t thread_done;
static uint64_t thread_target;
static unsigned thread_op;

static void mcp_thread(uint64_t unused)
{
	(void)unused;
	switch (thread_op) {
	case 0:
		thread_result = septa_tcb_set_priority(thread_target, 11);
		break;
	case 1:
		thread_result = septa_tcb_set_priority(thread_target, 10);
		break;
	case 2:
		thread_result = septa_tcb_set_mcp(thread_target, 11);
		break;
	case 3:
		thread_result = septa_tcb_set_mcp(thread_target, 10);
		break;
	default:
		thread_result = septa_shutdown(3);
		break;
	}
	thread_done = 1;
}

static long run_with_mcp(unsigned op, uint64_t target, unsigned mcp)
{
	uint64_t t = ct.slot_next;

	thread_result = 99;
	thread_done = 0;
	thread_op = op;
	thread_target = target;
	if (spawn(mcp_thread, 0, LOW_PRIO, 0) != t || septa_tcb_set_mcp(t, mcp))
		return 98;
	/* Above the suite now: it runs to its end at the next yield. */
	if (septa_tcb_set_priority(t, HIGH_PRIO))
		return 97;
	yield_until(&thread_done);
	return thread_result;
}

void test_bad_tcb_set_priority_perm(void)
{
	uint64_t t = mk(SEPTA_OBJ_TCB, 0), v = 0;

	CHECK(t);
	/* With MCP 10: 10 is allowed, 11 is not. */
	CHECK_EQ(run_with_mcp(0, t, 10), SEPTA_E_PERM);
	CHECK_EQ(run_with_mcp(1, t, 10), 0);
	CHECK_EQ(septa_tcb_read_registers(t, 1, &v), 0);
}

void test_bad_tcb_set_mcp_perm(void)
{
	uint64_t t = mk(SEPTA_OBJ_TCB, 0);

	CHECK(t);
	CHECK_EQ(run_with_mcp(2, t, 10), SEPTA_E_PERM);
	CHECK_EQ(run_with_mcp(3, t, 10), 0);
}

void test_bad_sys_shutdown_perm(void)
{
	/* Only the root task may stop the machine; we are still here. */
	CHECK_EQ(run_with_mcp(4, 0, 0), SEPTA_E_PERM);
}

static void bad_prio(uint64_t label)
{
	uint64_t t = marked_tcb(), p;

	CHECK(t);
	p = 256;
	CHECK_EQ(raw_invoke(t, label, 0, NULL, 1, &p), SEPTA_E_RANGE);
	/* Cut to 32 bits it would be 0. */
	p = 1ULL << 32;
	CHECK_EQ(raw_invoke(t, label, 0, NULL, 1, &p), SEPTA_E_RANGE);
	p = ~0ULL;
	CHECK_EQ(raw_invoke(t, label, 0, NULL, 1, &p), SEPTA_E_RANGE);
	CHECK_UNTOUCHED(t);
	p = SEPTA_PRIO_MAX;
	CHECK_EQ(raw_invoke(t, label, 0, NULL, 1, &p), 0);
}

void test_bad_tcb_set_priority_range(void)
{
	bad_prio(SEPTA_TCB_SET_PRIORITY);
}

void test_bad_tcb_set_mcp_range(void)
{
	bad_prio(SEPTA_TCB_SET_MCP);
}

void test_bad_tcb_resume_state(void)
{
	uint64_t t = marked_tcb(), f = mk(SEPTA_OBJ_FRAME_4K, 0);

	CHECK(t && f);
	CHECK_EQ(septa_tcb_resume(t), SEPTA_E_STATE);
	CHECK_EQ(septa_tcb_resume(t), SEPTA_E_STATE);
	/* Nothing started: it still configures. */
	CHECK_EQ(septa_tcb_configure(t, 0, CNODE, VSPACE, f, 0x7000), 0);
}

void test_bad_tcb_read_registers_range(void)
{
	uint64_t t = marked_tcb(), regs[34] = {0}, n;

	CHECK(t);
	CHECK_EQ(septa_tcb_read_registers(t, 0, regs), SEPTA_E_RANGE);
	CHECK_EQ(septa_tcb_read_registers(t, 34, regs), SEPTA_E_RANGE);
	n = 1ULL << 32 | 1;
	CHECK_EQ(raw_invoke(t, SEPTA_TCB_READ_REGISTERS, 0, NULL, 1, &n), SEPTA_E_RANGE);
	/* All 33 at once is fine. */
	CHECK_EQ(septa_tcb_read_registers(t, 33, regs), 0);
	CHECK_EQ(regs[0], PC_MARK);
}

void test_bad_tcb_read_registers_state(void)
{
	uint64_t regs[2];

	/* Its own registers are being used to make this very call. */
	CHECK_EQ(septa_tcb_read_registers(ct.self, 2, regs), SEPTA_E_STATE);
}

void test_bad_tcb_write_registers_range(void)
{
	uint64_t t = marked_tcb(), regs[34] = {1, 2, 3};

	CHECK(t);
	CHECK_EQ(septa_tcb_write_registers(t, 0, 34, regs), SEPTA_E_RANGE);
	CHECK_UNTOUCHED(t);
	CHECK_EQ(septa_tcb_write_registers(t, 0, 0, regs), 0); /* none: fine */
	CHECK_UNTOUCHED(t);
}

void test_bad_tcb_write_registers_arg(void)
{
	uint64_t t = marked_tcb(), mr[8] = {0, 5, 1, 2, 3, 4, 5, 6};

	CHECK(t);
	/* Says 5 registers, carries 4 (the message holds 2 + 4). */
	CHECK_EQ(raw_invoke(t, SEPTA_TCB_WRITE_REGISTERS, 0, NULL, 6, mr), SEPTA_E_ARG);
	CHECK_UNTOUCHED(t);
	CHECK_EQ(raw_invoke(t, SEPTA_TCB_WRITE_REGISTERS, 0, NULL, 7, mr), 0);
}

void test_bad_tcb_write_registers_state_self(void)
{
	uint64_t regs[2] = {0, 0};

	CHECK_EQ(septa_tcb_write_registers(ct.self, 0, 2, regs), SEPTA_E_STATE);
}

void test_bad_tcb_write_registers_state_resume(void)
{
	uint64_t t = marked_tcb(), pc = 0x1000;

	CHECK(t);
	/* Resume while unconfigured: refused whole, pc not written. */
	CHECK_EQ(septa_tcb_write_registers(t, 1, 1, &pc), SEPTA_E_STATE);
	CHECK_UNTOUCHED(t);
}

void test_bad_tcb_bind_notification_cap_type(void)
{
	uint64_t t = mk(SEPTA_OBJ_TCB, 0), ep = mk(SEPTA_OBJ_ENDPOINT, 0);

	CHECK(t && ep);
	CHECK_EQ(septa_tcb_bind_notification(t, ep), SEPTA_E_CAP_TYPE);
	CHECK_EQ(septa_tcb_bind_notification(t, t), SEPTA_E_CAP_TYPE);
	CHECK_EQ(septa_tcb_unbind_notification(t), SEPTA_E_STATE);
}

void test_bad_tcb_bind_notification_in_use(void)
{
	uint64_t t = mk(SEPTA_OBJ_TCB, 0), u = mk(SEPTA_OBJ_TCB, 0);
	uint64_t n = mk(SEPTA_OBJ_NOTIFICATION, 0), m = mk(SEPTA_OBJ_NOTIFICATION, 0);

	CHECK(t && u && n && m);
	CHECK_EQ(septa_tcb_bind_notification(t, n), 0);
	CHECK_EQ(septa_tcb_bind_notification(t, m), SEPTA_E_IN_USE); /* t bound */
	CHECK_EQ(septa_tcb_bind_notification(u, n), SEPTA_E_IN_USE); /* n bound */
	CHECK_EQ(septa_tcb_bind_notification(t, n), SEPTA_E_IN_USE); /* again */
	/* u and m are still free: they bind to each other. */
	CHECK_EQ(septa_tcb_bind_notification(u, m), 0);
	CHECK_EQ(septa_tcb_unbind_notification(t), 0);
	CHECK_EQ(septa_tcb_unbind_notification(t), SEPTA_E_STATE);
}

void test_bad_tcb_unbind_notification_state(void)
{
	uint64_t t = mk(SEPTA_OBJ_TCB, 0), n = mk(SEPTA_OBJ_NOTIFICATION, 0);

	CHECK(t && n);
	CHECK_EQ(septa_tcb_unbind_notification(t), SEPTA_E_STATE);
	CHECK_EQ(septa_tcb_bind_notification(t, n), 0);
}

void test_bad_tcb_bind_notification_rights(void)
{
	uint64_t t = mk(SEPTA_OBJ_TCB, 0), n = mk(SEPTA_OBJ_NOTIFICATION, 0),
		 signal_only = slot(), b = 0;

	CHECK(t && n);
	CHECK_EQ(septa_cnode_mint(CNODE, signal_only, DEPTH, CNODE, n, DEPTH,
				  SEPTA_RIGHT_WRITE | SEPTA_RIGHT_GRANT, 5),
		 0);
	/* Bound, a thread of the holder's would take the signals meant for
	 * whoever waits on n: binding takes Read, as waiting does. */
	CHECK_EQ(septa_tcb_bind_notification(t, signal_only), SEPTA_E_RIGHTS);
	CHECK_EQ(septa_tcb_unbind_notification(t), SEPTA_E_STATE);
	/* The signal stays for the waiter. */
	CHECK_EQ(septa_signal(signal_only), 0);
	CHECK_EQ(septa_poll(n, &b), 0);
	CHECK_EQ(b, 5);
	CHECK_EQ(septa_tcb_bind_notification(t, n), 0);
}

void test_tcb_buffer_copy_leaves_mapping(void)
{
	uint64_t vs = hostile_vspace32(), f = mk(SEPTA_OBJ_FRAME_4K, 0),
		 t = mk(SEPTA_OBJ_TCB, 0), pa = 0, q[4];

	CHECK(vs && f && t);
	CHECK_EQ(septa_frame_map(f, vs, 0x1000, SEPTA_MAP_R, SEPTA_OWNED, 0, NULL, NULL),
		 0);
	CHECK_EQ(septa_frame_get_address(f, &pa), 0);
	/* The TCB's copy of the buffer's capability is a copy like any: it
	 * has no mapping, so its deletion removes none. */
	CHECK_EQ(septa_tcb_configure(t, 0, CNODE, VSPACE, f, 0x7000), 0);
	CHECK_EQ(septa_cnode_delete(CNODE, t, DEPTH), 0);
	CHECK_EQ(septa_vspace_query(vs, 0x1000, q), 0);
	CHECK_EQ(q[0], pa);
	/* And the frame's own capability still owns it. */
	CHECK_EQ(septa_frame_unmap(f), 0);
	CHECK_EQ(septa_vspace_query(vs, 0x1000, q), 0);
	CHECK_EQ(q[0], 0);
}

/* The kernel writes every message the thread receives into its buffer:
 * a capability without Write must not make it write the page. */
static void bad_buffer_rights(unsigned rights)
{
	struct cfg c = good_cfg();
	uint64_t weak = slot();

	CHECK(c.frame);
	CHECK_EQ(septa_cnode_copy(CNODE, weak, DEPTH, CNODE, c.frame, DEPTH, rights), 0);
	c.frame = weak;
	bad_configure(c, SEPTA_E_RIGHTS);
}

void test_bad_tcb_configure_rights_buffer_read_only(void)
{
	bad_buffer_rights(SEPTA_RIGHT_READ | SEPTA_RIGHT_GRANT);
}

void test_bad_tcb_configure_rights_buffer_write_only(void)
{
	bad_buffer_rights(SEPTA_RIGHT_WRITE);
}
