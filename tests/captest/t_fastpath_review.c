/*
 * A review of the IPC fastpath (kernel/core/fastpath.c) against the full
 * path: what each side sees of a message of 0 to 5 words, registers past
 * the length included; a receiver's reply link replaced by a later Call;
 * the rights each half of a ReplyRecv needs. Every check is what the full
 * path gives (qemu.captest-slowpath), so it must hold on both paths.
 */
#include "captest.h"

static volatile uint64_t rv_seen[8], rv_rounds;

/* Calls the fastpath served since boot, and whether it is on. */
static void rv_fp_stats(uint64_t *calls, uint64_t *on)
{
	struct septa_msg m = {0};

	CHECK_EQ(septa_ipc(SEPTA_SYS_TEST_FASTPATH, 0, &m), 0);
	*calls = m.info;
	*on = m.mr[1];
}

/* Records each message (info, the four registers, the badge, the fifth
 * word) and answers with label 0x77 and the same length, all four of its
 * registers 0x61.. whatever the length (0x65 the fifth, in the buffer). */
static void rv_server(uint64_t ep)
{
	struct septa_msg m = {.mr = {0x51, 0x52, 0x53, 0x54}};

	CHECK_EQ(septa_recv(ep, &m), 0);
	for (;;) {
		unsigned len = SEPTA_MSG_LEN(m.info);

		rv_seen[0] = m.info;
		for (unsigned i = 0; i < 4; i++)
			rv_seen[1 + i] = m.mr[i];
		rv_seen[5] = m.badge;
		rv_seen[6] = len > 4 ? septa_ipc_buffer()->msg[4] : 0;
		rv_rounds++;
		m.info = septa_msginfo(0x77, 0, len);
		for (unsigned i = 0; i < 4; i++)
			m.mr[i] = 0x61 + i;
		septa_ipc_buffer()->msg[4] = 0x65;
		CHECK_EQ(septa_reply_recv(ep, &m), 0);
	}
}

/* Lengths 0-5, twice: what arrives, and what stays in the registers past
 * the length (the receiver's own words at its call). */
void test_fastpath_review_lengths(void)
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0), badged = slot();
	uint64_t calls0, calls1, on;

	CHECK_EQ(septa_cnode_mint(CNODE, badged, DEPTH, CNODE, ep, DEPTH,
				  SEPTA_RIGHTS_ALL, 0x5eed),
		 0);
	rv_rounds = 0;
	rv_fp_stats(&calls0, &on);
	CHECK(spawn(rv_server, ep, HIGH_PRIO, 0));
	for (unsigned round = 0; round < 2; round++) {
		for (unsigned len = 0; len <= 5; len++) {
			struct septa_msg m = {.info = septa_msginfo(0x100 + len, 0, len),
					      .mr = {0x11, 0x12, 0x13, 0x14}};
			uint64_t before = rv_rounds;
			uint64_t prev = round == 0 && len == 0 ? 0x51 : 0x61;

			septa_ipc_buffer()->msg[4] = 0x15;
			CHECK_EQ(septa_call(badged, &m), 0);
			CHECK_EQ(rv_rounds, before + 1);
			CHECK_EQ(rv_seen[0], septa_msginfo(0x100 + len, 0, len));
			for (unsigned i = 0; i < 4; i++)
				CHECK_EQ(rv_seen[1 + i], i < len ? 0x11 + i : prev + i);
			CHECK_EQ(rv_seen[5], 0x5eed);
			CHECK_EQ(rv_seen[6], len > 4 ? 0x15 : 0);
			CHECK_EQ(m.info, septa_msginfo(0x77, 0, len));
			for (unsigned i = 0; i < 4; i++)
				CHECK_EQ(m.mr[i], i < len ? 0x61 + i : 0x11 + i);
			CHECK_EQ(m.badge, 0);
			CHECK_EQ(septa_ipc_buffer()->msg[4], len > 4 ? 0x65 : 0x15);
		}
	}
	/* Lengths 0-4 are the fastpath's (a timer tick may take a few). */
	rv_fp_stats(&calls1, &on);
	CHECK(on ? calls1 - calls0 >= 5 : calls1 == calls0);
}

static volatile uint64_t rl_first_back, rl_got[2];

/* Takes a Call and leaves it unanswered, takes a second, answers that. */
static void rl_server(uint64_t ep)
{
	struct septa_msg m = {0};

	CHECK_EQ(septa_recv(ep, &m), 0);
	rl_got[0] = m.mr[0];
	CHECK_EQ(septa_recv(ep, &m), 0);
	rl_got[1] = m.mr[0];
	m.info = septa_msginfo(0, 0, 1);
	m.mr[0] = 0xb0b;
	CHECK_EQ(septa_reply_recv(ep, &m), 0);
	for (;;)
		septa_recv(ep, &m);
}

static void rl_first_caller(uint64_t ep)
{
	struct septa_msg m = {.info = septa_msginfo(0, 0, 1), .mr = {0xa}};

	septa_call(ep, &m);
	rl_first_back = 1; /* never: its reply went with the second Call */
}

/* A receiver holding a reply for an earlier caller takes a Call: the
 * earlier caller stays waiting, the later one gets the answer. */
void test_fastpath_review_reply_link_replaced(void)
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0);
	struct septa_msg m = {.info = septa_msginfo(0, 0, 1), .mr = {0xb}};

	rl_first_back = rl_got[0] = rl_got[1] = 0;
	CHECK(spawn(rl_server, ep, HIGH_PRIO, 0));
	CHECK(spawn(rl_first_caller, ep, (ROOT_PRIO + HIGH_PRIO) / 2, 0));
	CHECK_EQ(rl_got[0], 0xa);
	CHECK_EQ(septa_call(ep, &m), 0);
	CHECK_EQ(m.mr[0], 0xb0b);
	CHECK_EQ(rl_got[1], 0xb);
	CHECK_EQ(rl_first_back, 0);
	/* The server's reply is gone: a Reply now has nobody to answer. */
}

static volatile uint64_t rr_err, rr_done;
static uint64_t rr_noread;

/* Answers one Call with ReplyRecv on a capability without Read: the
 * answer goes, the receive is refused. */
static void rr_server(uint64_t ep)
{
	struct septa_msg m = {0};

	CHECK_EQ(septa_recv(ep, &m), 0);
	m.info = septa_msginfo(3, 0, 2);
	m.mr[0] = 0x77;
	m.mr[1] = 0x78;
	rr_err = (uint64_t)septa_reply_recv(rr_noread, &m);
	rr_done = 1;
	for (;;)
		septa_recv(ep, &m);
}

void test_fastpath_review_rights(void)
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0), nowrite = slot();
	struct septa_msg m = {.info = septa_msginfo(1, 0, 1), .mr = {5}};

	rr_noread = slot();
	CHECK_EQ(septa_cnode_mint(CNODE, nowrite, DEPTH, CNODE, ep, DEPTH,
				  SEPTA_RIGHT_READ | SEPTA_RIGHT_GRANT, 0),
		 0);
	CHECK_EQ(septa_cnode_mint(CNODE, rr_noread, DEPTH, CNODE, ep, DEPTH,
				  SEPTA_RIGHT_WRITE | SEPTA_RIGHT_GRANT, 0),
		 0);
	rr_err = rr_done = 0;
	CHECK(spawn(rr_server, ep, HIGH_PRIO, 0));
	/* A Call without Write to a waiting receiver is refused. */
	CHECK_EQ(septa_call(nowrite, &m), SEPTA_E_RIGHTS);
	CHECK_EQ(rr_done, 0);
	m = (struct septa_msg){.info = septa_msginfo(1, 0, 1), .mr = {5}};
	CHECK_EQ(septa_call(ep, &m), 0);
	CHECK_EQ(m.info, septa_msginfo(3, 0, 2));
	CHECK_EQ(m.mr[0], 0x77);
	CHECK_EQ(m.mr[1], 0x78);
	CHECK_EQ(rr_done, 1);
	CHECK_EQ(rr_err, (uint64_t)(int64_t)SEPTA_E_RIGHTS);
}
