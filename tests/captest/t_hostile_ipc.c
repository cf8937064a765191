/*
 * Hostile system calls: numbers that do not exist, buffers the caller
 * cannot read, lengths past the limits, IPC on capabilities of the wrong
 * type or without the right, capabilities to send that are not there,
 * replies nobody waits for. Each refusal delivers nothing: the endpoint
 * has no message queued, the notification no signal, the caller still
 * waits for a proper reply.
 */
#include <string.h>
#include "t_hostile.h"

static long sys(long nr, uint64_t x0, uint64_t x1)
{
	struct septa_msg m = {.info = x1};

	return septa_ipc(nr, x0, &m);
}

/* Between the numbers, past them, and the test-only range edge. */
static const long unknown_nrs[] = {0, 5, 9, 18, 0x7eff, 0x7f10, -1};
#define UNKNOWN_N (sizeof(unknown_nrs) / sizeof(unknown_nrs[0]))
static volatile long unknown_got[UNKNOWN_N + 1];
static volatile uint64_t unknown_done;

static void unknown_syscalls(uint64_t arg)
{
	(void)arg;
	for (unsigned i = 0; i < UNKNOWN_N; i++)
		unknown_got[i] = sys(unknown_nrs[i], 0, 0);
	unknown_got[UNKNOWN_N] = septa_yield(); /* still a working thread */
	unknown_done = 1;
}

/* Made by a thread without a fault handler: the test's own thread has one
 * (runner.c), to which each would be a fault message. */
void test_bad_sys_unknown_syscall(void)
{
	unknown_done = 0;
	CHECK(spawn(unknown_syscalls, 0, HIGH_PRIO, 0)); /* runs at once */
	CHECK_EQ(unknown_done, 1);
	for (unsigned i = 0; i < UNKNOWN_N; i++)
		CHECK_EQ(unknown_got[i], SEPTA_E_SYSCALL);
	CHECK_EQ(unknown_got[UNKNOWN_N], 0);
}

static char dw_buf[64] = "captest: a hostile write\n";

void test_bad_sys_debug_write_range(void)
{
	size_t n = 99;

	CHECK_EQ(septa_debug_write(dw_buf, SEPTA_DEBUG_WRITE_MAX + 1, &n), SEPTA_E_RANGE);
	CHECK_EQ(n, 0);
	CHECK_EQ(septa_debug_write(dw_buf, ~(size_t)0, &n), SEPTA_E_RANGE);
	/* addr + len wraps past the top of the address space. */
	CHECK_EQ(septa_debug_write((const void *)(uintptr_t)(~0ULL - 15), 32, &n),
		 SEPTA_E_RANGE);
	CHECK_EQ(septa_debug_write(dw_buf, 0, &n), 0);
	CHECK_EQ(n, 0);
}

void test_bad_sys_debug_write_fault(void)
{
	size_t n = 99;

	CHECK_EQ(septa_debug_write((const void *)UNMAPPED_IPA, 1, &n), SEPTA_E_FAULT);
	CHECK_EQ(septa_debug_write((const void *)(uintptr_t)(1ULL << 40), 8, &n),
		 SEPTA_E_FAULT);
	/* Mapped at the start, not at the end: refused whole. */
	CHECK_EQ(septa_debug_write((const void *)(SEPTA_ROOT_STACK_TOP - 8), 16, &n),
		 SEPTA_E_FAULT);
	CHECK_EQ(n, 0);
}

/* An endpoint with nothing queued: a non-blocking receive finds nobody. */
#define CHECK_IDLE(ep)                                                                   \
	do {                                                                             \
		struct septa_msg _m = {0};                                               \
		CHECK_EQ(septa_nbrecv(ep, &_m), SEPTA_E_WOULD_BLOCK);                    \
	} while (0)

void test_bad_sys_send_msg_length(void)
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0);
	struct septa_msg m = {.info = septa_msginfo(1, 0, SEPTA_MSG_MAX + 1)};

	CHECK(ep);
	CHECK_EQ(septa_nbsend(ep, &m), SEPTA_E_MSG_LENGTH);
	/* Every call returns its info word in m: set it each time. */
	m.info = septa_msginfo(1, 0, 127);
	CHECK_EQ(septa_send(ep, &m), SEPTA_E_MSG_LENGTH);
	m.info = septa_msginfo(1, 0, 127);
	CHECK_EQ(septa_call(ep, &m), SEPTA_E_MSG_LENGTH);
	CHECK_IDLE(ep);
	/* At the maximum it is a message: nobody there to take it. */
	m.info = septa_msginfo(1, 0, SEPTA_MSG_MAX);
	CHECK_EQ(septa_nbsend(ep, &m), SEPTA_E_WOULD_BLOCK);
}

void test_bad_sys_send_msg_length_notification(void)
{
	uint64_t n = mk(SEPTA_OBJ_NOTIFICATION, 0), b = 0;
	struct septa_msg m = {.info = septa_msginfo(0, 0, SEPTA_MSG_MAX + 1)};

	CHECK(n);
	CHECK_EQ(septa_send(n, &m), SEPTA_E_MSG_LENGTH);
	CHECK_EQ(septa_poll(n, &b), SEPTA_E_WOULD_BLOCK); /* no signal */
}

/* A copy of a new object of type with only these rights. */
static uint64_t with_rights(unsigned type, unsigned rights)
{
	uint64_t o = mk(type, 0), c = slot();

	if (!o || septa_cnode_copy(CNODE, c, DEPTH, CNODE, o, DEPTH, rights))
		return 0;
	return c;
}

void test_bad_sys_send_rights(void)
{
	uint64_t ep =
	    with_rights(SEPTA_OBJ_ENDPOINT, SEPTA_RIGHT_READ | SEPTA_RIGHT_GRANT);
	struct septa_msg m = {0};

	CHECK(ep);
	CHECK_EQ(septa_nbsend(ep, &m), SEPTA_E_RIGHTS);
	CHECK_EQ(septa_send(ep, &m), SEPTA_E_RIGHTS);
	CHECK_EQ(septa_call(ep, &m), SEPTA_E_RIGHTS);
	CHECK_IDLE(ep);
}

void test_bad_sys_send_rights_notification(void)
{
	uint64_t n = with_rights(SEPTA_OBJ_NOTIFICATION, SEPTA_RIGHT_READ), b = 0;

	CHECK(n);
	CHECK_EQ(septa_signal(n), SEPTA_E_RIGHTS);
	CHECK_EQ(septa_poll(n, &b), SEPTA_E_WOULD_BLOCK);
}

void test_bad_sys_send_rights_grant(void)
{
	uint64_t ep =
	    with_rights(SEPTA_OBJ_ENDPOINT, SEPTA_RIGHT_READ | SEPTA_RIGHT_WRITE);
	uint64_t f = mk(SEPTA_OBJ_FRAME_4K, 0);
	struct septa_msg m = {.info = septa_msginfo(0, 1, 0)};

	CHECK(ep && f);
	septa_ipc_buffer()->caps_or_badges[0] = f;
	/* Capabilities go only with Grant. */
	CHECK_EQ(septa_nbsend(ep, &m), SEPTA_E_RIGHTS);
	CHECK_IDLE(ep);
	m.info = 0;
	CHECK_EQ(septa_nbsend(ep, &m), SEPTA_E_WOULD_BLOCK);
}

void test_bad_sys_send_missing_cap_extra(void)
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0), f = mk(SEPTA_OBJ_FRAME_4K, 0);
	struct septa_msg m = {.info = septa_msginfo(0, 2, 0)};
	struct septa_ipc_buffer *b = septa_ipc_buffer();

	CHECK(ep && f);
	/* The second of two capabilities is not there. */
	b->caps_or_badges[0] = f;
	b->caps_or_badges[1] = slot();
	CHECK_EQ(septa_send(ep, &m), SEPTA_E_MISSING_CAP);
	CHECK_IDLE(ep);
}

void test_bad_sys_send_guard_extra(void)
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0), f = mk(SEPTA_OBJ_FRAME_4K, 0);
	struct septa_msg m = {.info = septa_msginfo(0, 2, 0)};
	struct septa_ipc_buffer *b = septa_ipc_buffer();

	CHECK(ep && f);
	/* The second of two capabilities is behind a guard that does not
	 * match: a blocking send that must not block. */
	b->caps_or_badges[0] = f;
	b->caps_or_badges[1] = BAD_GUARD_CPTR | f;
	CHECK_EQ(septa_send(ep, &m), SEPTA_E_GUARD);
	CHECK_IDLE(ep);
}

void test_bad_sys_call_cap_type(void)
{
	uint64_t n = mk(SEPTA_OBJ_NOTIFICATION, 0), b = 0;
	struct septa_msg m = {0};

	CHECK(n);
	/* A notification has nobody to answer a call. */
	CHECK_EQ(septa_call(n, &m), SEPTA_E_CAP_TYPE);
	CHECK_EQ(septa_poll(n, &b), SEPTA_E_WOULD_BLOCK);
}

void test_bad_sys_call_missing_cap(void)
{
	struct septa_msg m = {0};

	CHECK_EQ(septa_call(slot(), &m), SEPTA_E_MISSING_CAP);
	CHECK_EQ(septa_send(slot(), &m), SEPTA_E_MISSING_CAP);
	CHECK_EQ(septa_recv(slot(), &m), SEPTA_E_MISSING_CAP);
	/* The null slot of the root CNode, too. */
	CHECK_EQ(septa_call(SEPTA_CAP_NULL, &m), SEPTA_E_MISSING_CAP);
}

void test_bad_sys_call_guard(void)
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0);
	struct septa_msg m = {0};

	CHECK(ep);
	CHECK_EQ(septa_call(BAD_GUARD_CPTR | ep, &m), SEPTA_E_GUARD);
	CHECK_EQ(septa_nbrecv(~0ULL, &m), SEPTA_E_GUARD);
	CHECK_IDLE(ep);
}

void test_bad_sys_recv_cap_type(void)
{
	uint64_t f = mk(SEPTA_OBJ_FRAME_4K, 0), t = mk(SEPTA_OBJ_TCB, 0);
	struct septa_msg m = {0};

	CHECK(f && t);
	CHECK_EQ(septa_recv(f, &m), SEPTA_E_CAP_TYPE);
	CHECK_EQ(septa_nbrecv(t, &m), SEPTA_E_CAP_TYPE);
	CHECK_EQ(septa_nbrecv(CNODE, &m), SEPTA_E_CAP_TYPE);
	CHECK_EQ(septa_reply_recv(f, &m), SEPTA_E_CAP_TYPE);
}

void test_bad_sys_recv_rights(void)
{
	uint64_t ep = with_rights(SEPTA_OBJ_ENDPOINT, SEPTA_RIGHT_WRITE),
		 n = with_rights(SEPTA_OBJ_NOTIFICATION, SEPTA_RIGHT_WRITE), b = 0;
	struct septa_msg m = {0};

	CHECK(ep && n);
	CHECK_EQ(septa_recv(ep, &m), SEPTA_E_RIGHTS);
	CHECK_EQ(septa_nbrecv(ep, &m), SEPTA_E_RIGHTS);
	CHECK_EQ(septa_wait(n, &b), SEPTA_E_RIGHTS);
	CHECK_EQ(septa_signal(n), 0);
	CHECK_EQ(septa_poll(n, &b), SEPTA_E_RIGHTS);
}

void test_bad_sys_nbrecv_would_block(void)
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0), n = mk(SEPTA_OBJ_NOTIFICATION, 0), b = 9;
	struct septa_msg m = {.mr = {7, 7, 7, 7}};

	CHECK(ep && n);
	CHECK_EQ(septa_nbrecv(ep, &m), SEPTA_E_WOULD_BLOCK);
	CHECK_EQ(m.badge, 0);
	CHECK_EQ(septa_poll(n, &b), SEPTA_E_WOULD_BLOCK);
	CHECK_EQ(septa_nbsend(ep, &m), SEPTA_E_WOULD_BLOCK);
}

void test_bad_sys_reply_no_reply(void)
{
	struct septa_msg m = {.info = septa_msginfo(1, 0, 1), .mr = {5}};

	CHECK_EQ(septa_reply(&m), SEPTA_E_NO_REPLY);
	m.info = septa_msginfo(1, 0, 1);
	CHECK_EQ(septa_reply(&m), SEPTA_E_NO_REPLY);
	/* Too long and nobody to answer: nobody is said first. */
	m.info = septa_msginfo(1, 0, 127);
	CHECK_EQ(septa_reply(&m), SEPTA_E_NO_REPLY);
}

static volatile uint64_t got_label, got_mr0, got_err;

static void caller(uint64_t ep)
{
	struct septa_msg m = {.info = septa_msginfo(3, 0, 1), .mr = {11}};

	got_err = (uint64_t)septa_call(ep, &m);
	got_mr0 = m.mr[0];
	got_label = SEPTA_MSG_LABEL(m.info) | 0x1000;
}

void test_bad_sys_reply_msg_length(void)
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0);
	struct septa_msg m = {0};

	CHECK(ep);
	got_label = got_mr0 = 0;
	got_err = ~0ULL;
	/* Above the suite: it calls at once and waits for the answer. */
	CHECK(spawn(caller, ep, HIGH_PRIO, 0));
	CHECK_EQ(septa_recv(ep, &m), 0);
	CHECK_EQ(SEPTA_MSG_LABEL(m.info), 3);
	CHECK_EQ(m.mr[0], 11);
	m.info = septa_msginfo(9, 0, SEPTA_MSG_MAX + 1);
	m.mr[0] = 66;
	CHECK_EQ(septa_reply(&m), SEPTA_E_MSG_LENGTH);
	m.info = septa_msginfo(9, 0, 127);
	CHECK_EQ(septa_reply(&m), SEPTA_E_MSG_LENGTH);
	CHECK_EQ(septa_yield(), 0);
	CHECK_EQ(got_label, 0); /* it still waits */
	/* The whole maximum is a reply. */
	m.info = septa_msginfo(8, 0, SEPTA_MSG_MAX);
	m.mr[0] = 77;
	CHECK_EQ(septa_reply(&m), 0);
	yield_until(&got_label);
	CHECK_EQ(got_label, 8 | 0x1000);
	CHECK_EQ(got_err, 0);
	CHECK_EQ(got_mr0, 77);
}

/* Receive slots a hostile receiver names: the message still arrives, the
 * capability does not (caps 0), no slot is filled, the sender keeps it. */
static volatile uint64_t rs_cap, rs_err, rs_done;

static void rs_sender(uint64_t ep)
{
	struct septa_msg m = {.info = septa_msginfo(3, 1, 0)};

	septa_ipc_buffer()->caps_or_badges[0] = rs_cap;
	rs_err = (uint64_t)septa_send(ep, &m);
	rs_done = 1;
}

/* The receive slot is a fresh empty slot, its index with extra bits. */
static void bad_receive_slot(uint64_t cnode, uint64_t extra, uint64_t depth)
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0), n = mk(SEPTA_OBJ_NOTIFICATION, 0);
	uint64_t dst = slot(), index = dst | extra;
	struct septa_ipc_buffer *b = septa_ipc_buffer();
	struct septa_msg m = {0};

	CHECK(ep && n);
	rs_cap = n;
	rs_err = ~0ULL;
	rs_done = 0;
	b->receive_cnode = cnode;
	b->receive_index = index;
	b->receive_depth = depth;
	CHECK(spawn(rs_sender, ep, LOW_PRIO, 0));
	CHECK_EQ(septa_recv(ep, &m), 0);
	b->receive_cnode = b->receive_index = b->receive_depth = 0;
	CHECK_EQ(SEPTA_MSG_LABEL(m.info), 3);
	CHECK_EQ(SEPTA_MSG_CAPS(m.info), 0);
	CHECK_EQ(probe(dst), SEPTA_E_MISSING_CAP);
	CHECK_EQ(probe(n), SEPTA_OK); /* the sender's is still there */
	join_lower(&rs_done);
	CHECK_EQ(rs_err, 0); /* and its send worked */
}

void test_receive_slot_depth_zero(void)
{
	bad_receive_slot(0, 0, 0);
}

void test_receive_slot_depth_65(void)
{
	bad_receive_slot(0, 0, 65);
}

void test_receive_slot_depth_wide(void)
{
	bad_receive_slot(0, 0, 1ULL << 32 | DEPTH);
}

void test_receive_slot_guard(void)
{
	bad_receive_slot(0, BAD_GUARD_CPTR, DEPTH);
}

void test_receive_slot_cnode_not_cnode(void)
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0);

	CHECK(ep);
	bad_receive_slot(ep, 0, DEPTH);
}

void test_receive_slot_cnode_empty(void)
{
	bad_receive_slot(slot(), 0, DEPTH);
}
