/* Endpoints and notifications between the root task and its threads. */
#include "captest.h"

static volatile uint64_t seen[8];
/* What a sender's septa_send returned, before it has returned. */
#define NOT_YET 0x5e17ULL

/* Records its send's result in seen[0], then says it is done in seen[3]. */
static void sender(uint64_t ep)
{
	struct septa_msg m = {.info = septa_msginfo(7, 0, 4), .mr = {11, 22, 33, 44}};

	seen[0] = (uint64_t)septa_send(ep, &m);
	seen[3] = 1;
}

void test_send_recv(void)
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0);
	struct septa_msg m = {0};

	seen[0] = NOT_YET;
	seen[3] = 0;
	CHECK(spawn(sender, ep, LOW_PRIO, 0));
	CHECK_EQ(septa_recv(ep, &m), 0);
	CHECK_EQ(SEPTA_MSG_LABEL(m.info), 7);
	CHECK_EQ(SEPTA_MSG_LEN(m.info), 4);
	CHECK_EQ(m.mr[0], 11);
	CHECK_EQ(m.mr[3], 44);
	CHECK_EQ(m.badge, 0);
	/* The sender's side: its send succeeded. */
	join_lower(&seen[3]);
	CHECK_EQ(seen[0], 0);
}

/* Answers each call with its label and words one more; a receive that
 * fails fails the test (the caller then waits for ever: the suite's
 * timeout names it). */
static void echo_server(uint64_t ep)
{
	struct septa_msg m = {0};

	CHECK_EQ(septa_recv(ep, &m), 0);
	for (;;) {
		unsigned len = SEPTA_MSG_LEN(m.info);

		for (unsigned i = 0; i < len; i++)
			septa_set_mr(&m, i, septa_mr(&m, i) + 1);
		m.info = septa_msginfo(SEPTA_MSG_LABEL(m.info) + 1, 0, len);
		CHECK_EQ(septa_reply_recv(ep, &m), 0);
	}
}

void test_call_reply(void)
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0);
	struct septa_msg m = {.info = septa_msginfo(5, 0, 2), .mr = {100, 200}};

	CHECK(spawn(echo_server, ep, LOW_PRIO, 0));
	CHECK_EQ(septa_call(ep, &m), 0);
	CHECK_EQ(SEPTA_MSG_LABEL(m.info), 6);
	CHECK_EQ(m.mr[0], 101);
	CHECK_EQ(m.mr[1], 201);
}

void test_reply_recv_loop(void)
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0);

	CHECK(spawn(echo_server, ep, LOW_PRIO, 0));
	for (uint64_t i = 0; i < 3; i++) {
		struct septa_msg m = {.info = septa_msginfo(i, 0, 1), .mr = {i * 10}};

		CHECK_EQ(septa_call(ep, &m), 0);
		CHECK_EQ(m.mr[0], i * 10 + 1);
		CHECK_EQ(SEPTA_MSG_LABEL(m.info), i + 1);
	}
}

void test_long_message(void)
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0);
	struct septa_msg m = {.info = septa_msginfo(1, 0, SEPTA_MSG_MAX)};

	CHECK(spawn(echo_server, ep, LOW_PRIO, 0));
	for (unsigned i = 0; i < SEPTA_MSG_MAX; i++)
		septa_set_mr(&m, i, 1000 + i);
	CHECK_EQ(septa_call(ep, &m), 0);
	CHECK_EQ(SEPTA_MSG_LEN(m.info), SEPTA_MSG_MAX);
	CHECK_EQ(septa_mr(&m, 3), 1004);
	CHECK_EQ(septa_mr(&m, 4), 1005);
	CHECK_EQ(septa_mr(&m, SEPTA_MSG_MAX - 1), 1000 + SEPTA_MSG_MAX);
}

void test_badge_on_receive(void)
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0), b = slot();
	struct septa_msg m = {0};

	CHECK_EQ(
	    septa_cnode_mint(CNODE, b, DEPTH, CNODE, ep, DEPTH, SEPTA_RIGHTS_ALL, 0xbeef),
	    0);
	seen[0] = NOT_YET;
	seen[3] = 0;
	CHECK(spawn(sender, b, LOW_PRIO, 0));
	CHECK_EQ(septa_recv(ep, &m), 0);
	CHECK_EQ(m.badge, 0xbeef);
	join_lower(&seen[3]);
	CHECK_EQ(seen[0], 0);
}

void test_nonblocking_no_partner(void)
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0);
	struct septa_msg m = {.info = septa_msginfo(1, 0, 1)};

	CHECK_EQ(septa_nbsend(ep, &m), SEPTA_E_WOULD_BLOCK);
	CHECK_EQ(septa_nbrecv(ep, &m), SEPTA_E_WOULD_BLOCK);
}

void test_ipc_rights(void)
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0), ro = slot(), wo = slot();
	struct septa_msg m = {0};

	CHECK_EQ(septa_cnode_copy(CNODE, ro, DEPTH, CNODE, ep, DEPTH, SEPTA_RIGHT_READ),
		 0);
	CHECK_EQ(septa_cnode_copy(CNODE, wo, DEPTH, CNODE, ep, DEPTH, SEPTA_RIGHT_WRITE),
		 0);
	CHECK_EQ(septa_nbsend(ro, &m), SEPTA_E_RIGHTS);
	CHECK_EQ(septa_nbrecv(wo, &m), SEPTA_E_RIGHTS);
	CHECK_EQ(septa_call(ro, &m), SEPTA_E_RIGHTS);
}

void test_recv_on_wrong_type(void)
{
	struct septa_msg m = {0};

	CHECK_EQ(septa_nbrecv(SEPTA_CAP_INIT_TCB, &m), SEPTA_E_CAP_TYPE);
	CHECK_EQ(septa_nbrecv(slot(), &m), SEPTA_E_MISSING_CAP);
}

void test_reply_without_caller(void)
{
	struct septa_msg m = {0};

	CHECK_EQ(septa_reply(&m), SEPTA_E_NO_REPLY);
}

static void cap_sender(uint64_t ep)
{
	struct septa_msg m = {.info = septa_msginfo(3, 1, 0)};

	septa_ipc_buffer()->caps_or_badges[0] = seen[1];
	seen[0] = (uint64_t)septa_send(ep, &m);
	seen[3] = 1;
}

void test_cap_transfer(void)
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0), n = mk(SEPTA_OBJ_NOTIFICATION, 0),
		 recv = slot();
	struct septa_ipc_buffer *b = septa_ipc_buffer();
	struct septa_msg m = {0};
	uint64_t badge;

	seen[1] = n;
	b->receive_cnode = 0;
	b->receive_index = recv;
	b->receive_depth = DEPTH;
	seen[0] = NOT_YET;
	seen[3] = 0;
	CHECK(spawn(cap_sender, ep, LOW_PRIO, 0));
	CHECK_EQ(septa_recv(ep, &m), 0);
	CHECK_EQ(SEPTA_MSG_CAPS(m.info), 1);
	CHECK_EQ(septa_signal(recv), 0);
	CHECK_EQ(septa_poll(n, &badge), 0);
	join_lower(&seen[3]);
	CHECK_EQ(seen[0], 0); /* the sender's send worked */
}

void test_cap_transfer_needs_grant(void)
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0), nogrant = slot();
	struct septa_msg m = {.info = septa_msginfo(3, 1, 0)};

	CHECK_EQ(septa_cnode_copy(CNODE, nogrant, DEPTH, CNODE, ep, DEPTH,
				  SEPTA_RIGHT_READ | SEPTA_RIGHT_WRITE),
		 0);
	septa_ipc_buffer()->caps_or_badges[0] = ep;
	CHECK_EQ(septa_nbsend(nogrant, &m), SEPTA_E_RIGHTS);
	septa_ipc_buffer()->caps_or_badges[0] = slot(); /* empty */
	m.info = septa_msginfo(3, 1, 0);		/* the failed call overwrote it */
	CHECK_EQ(septa_nbsend(ep, &m), SEPTA_E_MISSING_CAP);
}

void test_cap_unwrapped(void)
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0), b = slot();
	struct septa_msg m = {0};

	CHECK_EQ(
	    septa_cnode_mint(CNODE, b, DEPTH, CNODE, ep, DEPTH, SEPTA_RIGHTS_ALL, 42), 0);
	seen[1] = b;
	seen[0] = NOT_YET;
	seen[3] = 0;
	CHECK(spawn(cap_sender, ep, LOW_PRIO, 0));
	CHECK_EQ(septa_recv(ep, &m), 0);
	CHECK_EQ(SEPTA_MSG_CAPS(m.info), 1);
	CHECK_EQ(SEPTA_MSG_UNWRAP(m.info), 1);
	CHECK_EQ(septa_ipc_buffer()->caps_or_badges[0], 42);
	join_lower(&seen[3]);
	CHECK_EQ(seen[0], 0); /* the sender's send worked */
}

void test_cap_receive_slot_occupied(void)
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0), n = mk(SEPTA_OBJ_NOTIFICATION, 0);
	struct septa_ipc_buffer *b = septa_ipc_buffer();
	struct septa_msg m = {0};

	seen[1] = n;
	b->receive_cnode = 0;
	b->receive_index = n; /* occupied */
	b->receive_depth = DEPTH;
	seen[0] = NOT_YET;
	seen[3] = 0;
	CHECK(spawn(cap_sender, ep, LOW_PRIO, 0));
	CHECK_EQ(septa_recv(ep, &m), 0);
	CHECK_EQ(SEPTA_MSG_LABEL(m.info), 3);
	CHECK_EQ(SEPTA_MSG_CAPS(m.info), 0);
	join_lower(&seen[3]);
	CHECK_EQ(seen[0], 0); /* the sender's send worked */
}

static void tagged_sender(uint64_t arg)
{
	struct septa_msg m = {.info = septa_msginfo(arg & 0xff, 0, 0)};

	seen[arg & 3] = (uint64_t)septa_send(arg >> 8, &m);
	seen[4 + (arg & 3)] = 1;
}

void test_sender_queue_fifo(void)
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0);
	struct septa_msg m = {0};

	/* Above us: each runs as soon as it is resumed, until it blocks. */
	seen[1] = seen[2] = NOT_YET;
	seen[5] = seen[6] = 0;
	CHECK(spawn(tagged_sender, ep << 8 | 1, HIGH_PRIO, 0));
	CHECK(spawn(tagged_sender, ep << 8 | 2, HIGH_PRIO, 0));
	CHECK_EQ(septa_recv(ep, &m), 0);
	CHECK_EQ(SEPTA_MSG_LABEL(m.info), 1);
	CHECK_EQ(septa_recv(ep, &m), 0);
	CHECK_EQ(SEPTA_MSG_LABEL(m.info), 2);
	/* Each sender's send worked. */
	yield_until(&seen[5]);
	yield_until(&seen[6]);
	CHECK_EQ(seen[1], 0);
	CHECK_EQ(seen[2], 0);
}

void test_call_on_notification(void)
{
	uint64_t n = mk(SEPTA_OBJ_NOTIFICATION, 0);
	struct septa_msg m = {0};

	CHECK_EQ(septa_call(n, &m), SEPTA_E_CAP_TYPE);
}

static void receiver(uint64_t ep)
{
	struct septa_msg m = {0};

	seen[2] = 1;
	seen[0] = (uint64_t)septa_recv(ep, &m);
	seen[2] = 2;
}

void test_delete_endpoint_wakes_waiters(void)
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0);

	seen[0] = 0;
	seen[2] = 0;
	CHECK(spawn(receiver, ep, HIGH_PRIO, 0));
	CHECK_EQ(seen[2], 1); /* it is waiting on the endpoint */
	CHECK_EQ(septa_cnode_delete(CNODE, ep, DEPTH), 0);
	CHECK_EQ(seen[2], 2); /* woken, it ran before we got back */
	CHECK_EQ((long)seen[0], SEPTA_E_DELETED);
}

void test_revoke_badged_with_sender_waiting(void)
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0), b = slot();

	CHECK_EQ(septa_cnode_mint(CNODE, b, DEPTH, CNODE, ep, DEPTH, SEPTA_RIGHTS_ALL, 9),
		 0);
	seen[0] = NOT_YET;
	CHECK(spawn(sender, b, HIGH_PRIO, 0));
	/* Revoking the original removes the badged copy but the endpoint
	 * lives on: the sender still waits. Deleting the original ends it. */
	CHECK_EQ(septa_cnode_revoke(CNODE, ep, DEPTH), 0);
	CHECK_EQ(septa_nbsend(b, &(struct septa_msg){0}), SEPTA_E_MISSING_CAP);
	CHECK_EQ(seen[0], NOT_YET);
	CHECK_EQ(septa_cnode_delete(CNODE, ep, DEPTH), 0);
	CHECK_EQ((long)seen[0], SEPTA_E_DELETED);
}

/* ---- notifications ---- */

void test_signal_then_wait(void)
{
	uint64_t n = mk(SEPTA_OBJ_NOTIFICATION, 0), b = slot(), badge = 0;

	CHECK_EQ(septa_cnode_mint(CNODE, b, DEPTH, CNODE, n, DEPTH, SEPTA_RIGHTS_ALL, 4),
		 0);
	CHECK_EQ(septa_signal(b), 0);
	CHECK_EQ(septa_wait(n, &badge), 0);
	CHECK_EQ(badge, 4);
}

void test_badges_or(void)
{
	uint64_t n = mk(SEPTA_OBJ_NOTIFICATION, 0), a = slot(), b = slot(), badge = 0;

	CHECK_EQ(septa_cnode_mint(CNODE, a, DEPTH, CNODE, n, DEPTH, SEPTA_RIGHTS_ALL, 1),
		 0);
	CHECK_EQ(septa_cnode_mint(CNODE, b, DEPTH, CNODE, n, DEPTH, SEPTA_RIGHTS_ALL, 8),
		 0);
	CHECK_EQ(septa_signal(a), 0);
	CHECK_EQ(septa_signal(b), 0);
	CHECK_EQ(septa_signal(a), 0);
	CHECK_EQ(septa_poll(n, &badge), 0);
	CHECK_EQ(badge, 9);
	CHECK_EQ(septa_poll(n, &badge), SEPTA_E_WOULD_BLOCK);
}

static void waiter(uint64_t n)
{
	uint64_t badge = 0;

	seen[2] = 1;
	seen[0] = (uint64_t)septa_wait(n, &badge);
	seen[1] = badge;
	seen[2] = 2;
}

void test_wait_blocks_until_signal(void)
{
	uint64_t n = mk(SEPTA_OBJ_NOTIFICATION, 0), b = slot();

	CHECK_EQ(
	    septa_cnode_mint(CNODE, b, DEPTH, CNODE, n, DEPTH, SEPTA_RIGHTS_ALL, 0x30),
	    0);
	seen[2] = 0;
	CHECK(spawn(waiter, n, HIGH_PRIO, 0));
	CHECK_EQ(seen[2], 1);
	CHECK_EQ(septa_signal(b), 0);
	CHECK_EQ(seen[2], 2);
	CHECK_EQ(seen[1], 0x30);
}

static void ep_waiter(uint64_t ep)
{
	struct septa_msg m = {0};

	seen[2] = 1;
	seen[0] = (uint64_t)septa_recv(ep, &m);
	seen[1] = m.badge;
	seen[2] = 2;
}

void test_bound_notification(void)
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0), n = mk(SEPTA_OBJ_NOTIFICATION, 0),
		 b = slot();
	uint64_t t;

	CHECK_EQ(
	    septa_cnode_mint(CNODE, b, DEPTH, CNODE, n, DEPTH, SEPTA_RIGHTS_ALL, 0x66),
	    0);
	seen[2] = 0;
	t = spawn(ep_waiter, ep, HIGH_PRIO, 0);
	CHECK(t);
	CHECK_EQ(seen[2], 1);
	CHECK_EQ(septa_tcb_bind_notification(t, n), 0);
	CHECK_EQ(septa_signal(b), 0);
	CHECK_EQ(seen[2], 2);
	CHECK_EQ(seen[1], 0x66);
}

void test_bind_errors(void)
{
	uint64_t n = mk(SEPTA_OBJ_NOTIFICATION, 0), n2 = mk(SEPTA_OBJ_NOTIFICATION, 0);
	uint64_t t = mk(SEPTA_OBJ_TCB, 0), t2 = mk(SEPTA_OBJ_TCB, 0);

	CHECK_EQ(septa_tcb_unbind_notification(t), SEPTA_E_STATE);
	CHECK_EQ(septa_tcb_bind_notification(t, n), 0);
	CHECK_EQ(septa_tcb_bind_notification(t, n2), SEPTA_E_IN_USE);
	CHECK_EQ(septa_tcb_bind_notification(t2, n), SEPTA_E_IN_USE);
	CHECK_EQ(septa_tcb_bind_notification(t2, t), SEPTA_E_CAP_TYPE);
	CHECK_EQ(septa_tcb_unbind_notification(t), 0);
	CHECK_EQ(septa_tcb_bind_notification(t2, n), 0);
}

void test_notification_rights(void)
{
	uint64_t n = mk(SEPTA_OBJ_NOTIFICATION, 0), ro = slot(), wo = slot(), badge;

	CHECK_EQ(septa_cnode_copy(CNODE, ro, DEPTH, CNODE, n, DEPTH, SEPTA_RIGHT_READ),
		 0);
	CHECK_EQ(septa_cnode_copy(CNODE, wo, DEPTH, CNODE, n, DEPTH, SEPTA_RIGHT_WRITE),
		 0);
	CHECK_EQ(septa_signal(ro), SEPTA_E_RIGHTS);
	CHECK_EQ(septa_poll(wo, &badge), SEPTA_E_RIGHTS);
}

void test_delete_notification_wakes_waiter(void)
{
	uint64_t n = mk(SEPTA_OBJ_NOTIFICATION, 0);

	seen[2] = 0;
	CHECK(spawn(waiter, n, HIGH_PRIO, 0));
	CHECK_EQ(septa_cnode_delete(CNODE, n, DEPTH), 0);
	CHECK_EQ(seen[2], 2);
	CHECK_EQ((long)seen[0], SEPTA_E_DELETED);
}

/* ---- hostile lengths and capability transfer (issue 14) ---- */

/* Answers the first call with a reply 7 words past SEPTA_MSG_MAX, by REPLY
 * and by REPLY_RECV, its own buffer's fields beyond msg[] set to values the
 * caller must never see; then answers properly. */
static void long_replier(uint64_t ep)
{
	struct septa_ipc_buffer *b = septa_ipc_buffer();
	struct septa_msg m = {0};

	CHECK_EQ(septa_recv(ep, &m), 0);
	b->user_data = 0xbad0;
	for (unsigned i = 0; i < SEPTA_MSG_MAX_CAPS; i++)
		b->caps_or_badges[i] = 0xbad1 + i;
	b->receive_cnode = 0xbad4;
	b->receive_index = 0xbad5;
	b->receive_depth = 0xbad6;
	m.info = septa_msginfo(66, 0, 127);
	seen[0] = (uint64_t)septa_reply(&m);
	m.info = septa_msginfo(66, 0, 127);
	/* Refused again, and REPLY_RECV says so rather than receiving: the
	 * caller still waits for us. */
	seen[1] = (uint64_t)septa_reply_recv(ep, &m);
	m.info = septa_msginfo(77, 0, 1);
	m.mr[0] = 5;
	seen[2] = (uint64_t)septa_reply(&m);
}

void test_reply_too_long(void)
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0);
	struct septa_ipc_buffer *b = septa_ipc_buffer();
	struct septa_msg m = {.info = septa_msginfo(1, 0, 1), .mr = {1}};
	uint64_t rc, ri, rd;

	seen[0] = seen[1] = seen[2] = NOT_YET;
	CHECK(spawn(long_replier, ep, HIGH_PRIO, 0));
	/* After spawning: its invocations use these fields. */
	rc = b->receive_cnode;
	ri = b->receive_index;
	rd = b->receive_depth;
	b->user_data = 0x600d;
	for (unsigned i = 0; i < SEPTA_MSG_MAX_CAPS; i++)
		b->caps_or_badges[i] = 0x6001 + i;
	CHECK_EQ(septa_call(ep, &m), 0);
	CHECK_EQ((long)seen[0], SEPTA_E_MSG_LENGTH);
	CHECK_EQ((long)seen[1], SEPTA_E_MSG_LENGTH); /* REPLY_RECV did not receive */
	CHECK_EQ(seen[2], 0);
	CHECK_EQ(SEPTA_MSG_LABEL(m.info), 77); /* only the proper reply came */
	CHECK_EQ(SEPTA_MSG_LEN(m.info), 1);
	CHECK_EQ(m.mr[0], 5);
	CHECK_EQ(b->user_data, 0x600d);
	for (unsigned i = 0; i < SEPTA_MSG_MAX_CAPS; i++)
		CHECK_EQ(b->caps_or_badges[i], 0x6001 + i);
	CHECK_EQ(b->receive_cnode, rc);
	CHECK_EQ(b->receive_index, ri);
	CHECK_EQ(b->receive_depth, rd);
}

/* Every other user-chosen length is refused before anything moves. */
void test_send_too_long(void)
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0);
	struct septa_msg m = {.info = septa_msginfo(1, 0, SEPTA_MSG_MAX + 1)};

	CHECK_EQ(septa_nbsend(ep, &m), SEPTA_E_MSG_LENGTH);
	m.info = septa_msginfo(1, 0, 127);
	CHECK_EQ(septa_send(ep, &m), SEPTA_E_MSG_LENGTH);
	m.info = septa_msginfo(1, 0, 127);
	CHECK_EQ(septa_call(ep, &m), SEPTA_E_MSG_LENGTH);
}

static uint64_t ipc_vspace32(void)
{
	uint64_t vs = mk(SEPTA_OBJ_VSPACE, 32), pt = mk(SEPTA_OBJ_PAGE_TABLE, 0);

	if (!vs || !pt || septa_page_table_map(pt, vs, 0, 3, NULL))
		return 0;
	return vs;
}

/* A frame received over IPC arrives unmapped, as a CNODE_COPY does: it maps
 * on its own, and unmapping it leaves the sender's mapping alone. */
void test_cap_transfer_frame_unmapped(void)
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0), vs = ipc_vspace32(),
		 f = mk(SEPTA_OBJ_FRAME_4K, 0), recv = slot(), q[4];
	struct septa_ipc_buffer *b = septa_ipc_buffer();
	struct septa_msg m = {0};

	CHECK(vs && f);
	CHECK_EQ(septa_frame_map(f, vs, 0x5000, SEPTA_MAP_R | SEPTA_MAP_W, SEPTA_OWNED, 0,
				 NULL, NULL),
		 0);
	seen[1] = f;
	b->receive_cnode = 0;
	b->receive_index = recv;
	b->receive_depth = DEPTH;
	seen[0] = NOT_YET;
	seen[3] = 0;
	CHECK(spawn(cap_sender, ep, LOW_PRIO, 0));
	CHECK_EQ(septa_recv(ep, &m), 0);
	CHECK_EQ(SEPTA_MSG_CAPS(m.info), 1);
	CHECK_EQ(
	    septa_frame_map(recv, vs, 0x6000, SEPTA_MAP_R, SEPTA_OWNED, 0, NULL, NULL),
	    0);
	CHECK_EQ(septa_frame_unmap(recv), 0);
	CHECK_EQ(septa_vspace_query(vs, 0x6000, q), 0);
	CHECK_EQ(q[0], 0);
	CHECK_EQ(septa_vspace_query(vs, 0x5000, q), 0);
	CHECK(q[0] != 0); /* the sender's mapping stays */
	CHECK_EQ(septa_frame_unmap(f), 0);
	CHECK_EQ(septa_vspace_query(vs, 0x5000, q), 0);
	CHECK_EQ(q[0], 0);
	join_lower(&seen[3]);
	CHECK_EQ(seen[0], 0); /* the sender's send worked */
}

/* A PageTable has one capability: IPC transfer refuses it as CNODE_COPY
 * does, and the receive slot stays empty. */
void test_cap_transfer_page_table_refused(void)
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0), pt = mk(SEPTA_OBJ_PAGE_TABLE, 0),
		 recv = slot();
	struct septa_ipc_buffer *b = septa_ipc_buffer();
	struct septa_msg m = {0};

	CHECK(pt);
	seen[1] = pt;
	b->receive_cnode = 0;
	b->receive_index = recv;
	b->receive_depth = DEPTH;
	seen[0] = NOT_YET;
	seen[3] = 0;
	CHECK(spawn(cap_sender, ep, LOW_PRIO, 0));
	CHECK_EQ(septa_recv(ep, &m), 0);
	CHECK_EQ(SEPTA_MSG_LABEL(m.info), 3);
	CHECK_EQ(SEPTA_MSG_CAPS(m.info), 0);
	CHECK_EQ(
	    septa_cnode_copy(CNODE, slot(), DEPTH, CNODE, recv, DEPTH, SEPTA_RIGHTS_ALL),
	    SEPTA_E_MISSING_CAP);
	join_lower(&seen[3]);
	CHECK_EQ(seen[0], 0); /* the sender's send worked */
}
