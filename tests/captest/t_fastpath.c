/*
 * The kernel's IPC fastpath (kernel/core/fastpath.c). Every IPC test of
 * the suite runs on both paths: qemu.captest with the fastpath,
 * qemu.captest-slowpath with septa.nofastpath. These check that the plain
 * case is served by the fastpath at all, and that where the full path's
 * scheduler would run another thread first, it still does.
 */
#include "captest.h"

struct fp_stats {
	uint64_t calls, reply_recvs, on;
};

static struct fp_stats fp_stats(void)
{
	struct septa_msg m = {0};
	long err = septa_ipc(SEPTA_SYS_TEST_FASTPATH, 0, &m);

	if (err)
		harness_fail(__FILE__, __LINE__, "SEPTA_SYS_TEST_FASTPATH", err, 0);
	return (struct fp_stats){m.info, m.mr[0], m.mr[1]};
}

/* Answers each call with its words one more, but the last: the badge it
 * came with; and its label one more. */
static void fp_echo(uint64_t ep)
{
	struct septa_msg m = {0};

	CHECK_EQ(septa_recv(ep, &m), 0);
	for (;;) {
		unsigned len = SEPTA_MSG_LEN(m.info);

		for (unsigned i = 0; i + 1 < len; i++)
			septa_set_mr(&m, i, septa_mr(&m, i) + 1);
		septa_set_mr(&m, len - 1, m.badge);
		m.info = septa_msginfo(SEPTA_MSG_LABEL(m.info) + 1, 0, len);
		CHECK_EQ(septa_reply_recv(ep, &m), 0);
	}
}

/* The plain case: a badged Call to a server waiting above us, answered by
 * ReplyRecv, the message in registers. With the fastpath on, it serves
 * both (a timer interrupt may send one round the full path: most, not
 * all); off, none. The answers are the same either way. */
void test_fastpath_plain_call_taken(void)
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0), badged = slot();
	struct fp_stats a, b;

	CHECK_EQ(septa_cnode_mint(CNODE, badged, DEPTH, CNODE, ep, DEPTH,
				  SEPTA_RIGHTS_ALL, 0xbad9e),
		 0);
	CHECK(spawn(fp_echo, ep, HIGH_PRIO, 0));
	a = fp_stats();
	for (uint64_t i = 0; i < 8; i++) {
		struct septa_msg m = {.info = septa_msginfo(i, 0, 4), .mr = {i, 2, 3, 4}};

		CHECK_EQ(septa_call(badged, &m), 0);
		CHECK_EQ(SEPTA_MSG_LABEL(m.info), i + 1);
		CHECK_EQ(SEPTA_MSG_LEN(m.info), 4);
		CHECK_EQ(m.mr[0], i + 1);
		CHECK_EQ(m.mr[2], 4);
		CHECK_EQ(m.mr[3], 0xbad9e);
		CHECK_EQ(m.badge, 0); /* a reply carries no badge */
	}
	b = fp_stats();
	CHECK_EQ(a.on, b.on);
	if (b.on) {
		CHECK(b.calls - a.calls >= 4 && b.calls - a.calls <= 8);
		CHECK(b.reply_recvs - a.reply_recvs >= 4 &&
		      b.reply_recvs - a.reply_recvs <= 8);
	} else {
		CHECK_EQ(b.calls, a.calls);
		CHECK_EQ(b.reply_recvs, a.reply_recvs);
	}
}

static volatile uint64_t fp_seen[4], fp_order;
static uint64_t fp_wake_ep;

/* Says it is about to wait, receives one Call, records its badge and when
 * it ran, answers, and waits for ever. */
static void fp_answer_once(uint64_t ep)
{
	struct septa_msg m = {0};

	fp_seen[3] = 1;
	CHECK_EQ(septa_recv(ep, &m), 0);
	fp_seen[0] = m.badge;
	fp_seen[1] = ++fp_order;
	m.info = septa_msginfo(0, 0, 1);
	m.mr[0] = 99;
	CHECK_EQ(septa_reply(&m), 0);
	septa_recv(ep, &m);
}

/* Records when it ran (fp_seen[2]), first and each time it is woken. */
static void fp_mark(uint64_t ep)
{
	struct septa_msg m = {0};

	for (;;) {
		fp_seen[2] = ++fp_order;
		septa_recv(ep, &m);
	}
}

/* Marks whoever waits on fp_wake_ep ready, then answers with ReplyRecv. */
static void fp_wake_then_answer(uint64_t ep)
{
	struct septa_msg m = {0}, w = {.info = septa_msginfo(0, 0, 0)};

	CHECK_EQ(septa_recv(ep, &m), 0);
	for (;;) {
		CHECK_EQ(septa_nbsend(fp_wake_ep, &w), 0);
		m.info = septa_msginfo(0, 0, 1);
		m.mr[0] = 42;
		CHECK_EQ(septa_reply_recv(ep, &m), 0);
	}
}

/* A Call to a receiver below a thread that is ready: the full path's
 * scheduler runs that thread first, and so must the fastpath (it leaves
 * this one to the full path). */
void test_fastpath_call_keeps_order(void)
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0), wake = mk(SEPTA_OBJ_ENDPOINT, 0);
	struct septa_msg m = {.info = septa_msginfo(1, 0, 1), .mr = {7}};
	struct fp_stats a, b;

	fp_order = 0;
	fp_seen[0] = fp_seen[1] = fp_seen[2] = fp_seen[3] = 0;
	CHECK(spawn(fp_answer_once, ep, LOW_PRIO, 0));
	join_lower(&fp_seen[3]); /* it waits in its Recv */
	/* Ready between the two, not run yet. */
	CHECK(spawn(fp_mark, wake, (LOW_PRIO + ROOT_PRIO) / 2, 0));
	a = fp_stats();
	CHECK_EQ(septa_call(ep, &m), 0);
	b = fp_stats();
	CHECK_EQ(m.mr[0], 99);
	CHECK_EQ(fp_seen[2], 1); /* the ready thread first */
	CHECK_EQ(fp_seen[1], 2);
	CHECK_EQ(b.calls, a.calls);
}

/* ReplyRecv to a caller below a thread the server made ready: that one
 * runs first. */
void test_fastpath_reply_keeps_order(void)
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0);
	struct septa_msg m = {.info = septa_msginfo(1, 0, 1), .mr = {7}};
	struct fp_stats a, b;

	fp_wake_ep = mk(SEPTA_OBJ_ENDPOINT, 0);
	CHECK(spawn(fp_mark, fp_wake_ep, (ROOT_PRIO + HIGH_PRIO) / 2, 0)); /* waits */
	fp_order = 0;
	fp_seen[2] = 0;
	CHECK(spawn(fp_wake_then_answer, ep, HIGH_PRIO, 0));
	a = fp_stats();
	CHECK_EQ(septa_call(ep, &m), 0);
	fp_seen[1] = ++fp_order;
	b = fp_stats();
	CHECK_EQ(m.mr[0], 42);
	CHECK_EQ(fp_seen[2], 1); /* the woken thread before the caller */
	CHECK_EQ(fp_seen[1], 2);
	CHECK_EQ(b.reply_recvs, a.reply_recvs);
}
