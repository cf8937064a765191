/*
 * The lazily kept ready queue (kernel/core/sched.c): the running thread is
 * on no queue while it runs, and a thread the fastpaths switch to never
 * touches one. These check that no thread is lost or queued twice where
 * the running thread's place becomes real: the timer, a reply that puts
 * its caller first, a priority change of the running thread, Calls at one
 * priority, direct switches among three threads of one priority, and a
 * direct switch's target that stops or deletes itself while it runs.
 * Where a slice's end would change the order checked, a round is tried
 * again (the kernel counts slices ended, SEPTA_SYS_TEST_FASTPATH).
 */
#include "captest.h"
#include <stdbool.h>

struct lq_stats {
	uint64_t calls, reply_recvs, slices;
	bool on;
};

static struct lq_stats lq_stats(void)
{
	struct septa_msg m = {0};
	long err = septa_ipc(SEPTA_SYS_TEST_FASTPATH, 0, &m);

	if (err)
		harness_fail(__FILE__, __LINE__, "SEPTA_SYS_TEST_FASTPATH", err, 0);
	return (struct lq_stats){m.info, m.mr[0], m.badge, m.mr[1] != 0};
}

static volatile uint64_t lq_turns, lq_mine, lq_flag, lq_ready;

/* Counts the times it saw the suite get on between two of its own turns. */
static void lq_watch(uint64_t unused)
{
	uint64_t last = lq_mine;

	(void)unused;
	for (;;)
		if (lq_mine != last) {
			last = lq_mine;
			lq_turns++;
		}
}

/* Two threads of one priority that never yield: the timer takes turns
 * between them, each preempted one put back on its queue (not lost, not
 * left to run on: the spinner sees the suite come back three times). */
void test_lazyq_preempted_equal_gets_turns(void)
{
	uint64_t t;

	lq_turns = 0;
	lq_mine = 0;
	t = spawn(lq_watch, 0, ROOT_PRIO, 0);
	CHECK(t);
	for (uint64_t i = 0; lq_turns < 3 && i < 3000000000ULL; i++)
		lq_mine++;
	CHECK(lq_turns >= 3);
	CHECK_EQ(septa_tcb_suspend(t), 0);
}

/* Answers with Reply alone, then notes that it went on, and waits again. */
static void lq_reply_server(uint64_t ep)
{
	struct septa_msg m = {0};

	for (;;) {
		lq_ready = 1;
		CHECK_EQ(septa_recv(ep, &m), 0);
		m.info = septa_msginfo(0, 0, 0);
		CHECK_EQ(septa_reply(&m), 0);
		lq_flag = 1;
	}
}

/* A Reply from a thread of the caller's priority puts the caller in front
 * of the replier (sched_resume), the replier's own place at the head made
 * real behind it: the caller runs first. */
void test_lazyq_reply_runs_caller_first(void)
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0), seen = 1, slices = 1;

	lq_ready = 0;
	CHECK(spawn(lq_reply_server, ep, ROOT_PRIO, 0));
	yield_until(&lq_ready);
	for (int tries = 0; slices && tries < 8; tries++) {
		struct septa_msg m = {.info = septa_msginfo(0, 0, 0)};

		lq_flag = 0;
		slices = lq_stats().slices;
		CHECK_EQ(septa_call(ep, &m), 0);
		seen = lq_flag;
		slices = lq_stats().slices - slices;
		yield_until(&lq_flag); /* it went on, and waits again */
	}
	CHECK_EQ(slices, 0);
	CHECK_EQ(seen, 0);
}

static void lq_set(uint64_t v)
{
	lq_flag = v;
}

/* The running thread that lowers its own priority goes to the back of the
 * new one: a thread already waiting there runs before the call returns. */
void test_lazyq_lowered_self_goes_behind(void)
{
	uint64_t seen = 0, slices = 1;

	for (int tries = 0; slices && tries < 6; tries++) {
		lq_flag = 0;
		CHECK(spawn(lq_set, 1, LOW_PRIO, 0));
		CHECK_EQ(lq_flag, 0);
		slices = lq_stats().slices;
		CHECK_EQ(septa_tcb_set_priority(ct.self, LOW_PRIO), 0);
		seen = lq_flag;
		CHECK_EQ(septa_tcb_set_priority(ct.self, ROOT_PRIO), 0);
		slices = lq_stats().slices - slices;
	}
	CHECK_EQ(slices, 0);
	CHECK_EQ(seen, 1);
}

#define LQ_ROUNDS 6

static volatile uint64_t lq_log[3 * LQ_ROUNDS + 8], lq_n, lq_done;
static uint64_t lq_ep, lq_ntfn;

static void lq_echo(uint64_t ep)
{
	struct septa_msg m = {0};

	CHECK_EQ(septa_recv(ep, &m), 0);
	for (;;)
		CHECK_EQ(septa_reply_recv(ep, &m), 0);
}

static void lq_log_me(uint64_t id)
{
	if (lq_n < sizeof(lq_log) / sizeof(lq_log[0]))
		lq_log[lq_n] = id;
	lq_n++;
}

static void lq_finish(void)
{
	if (++lq_done == 3)
		CHECK_EQ(septa_signal(lq_ntfn), 0);
}

/* Logs, then calls the server (of its own priority, or above it). */
static void lq_worker_call(uint64_t id)
{
	for (int i = 0; i < LQ_ROUNDS; i++) {
		struct septa_msg m = {.info = septa_msginfo(0, 0, 1), .mr = {id}};

		lq_log_me(id);
		CHECK_EQ(septa_call(lq_ep, &m), 0);
	}
	lq_finish();
}

/* Calls the server above it, logs, then yields. */
static void lq_worker_yield(uint64_t id)
{
	for (int i = 0; i < LQ_ROUNDS; i++) {
		struct septa_msg m = {.info = septa_msginfo(0, 0, 1), .mr = {id}};

		CHECK_EQ(septa_call(lq_ep, &m), 0);
		lq_log_me(id);
		CHECK_EQ(septa_yield(), 0);
	}
	lq_finish();
}

/* Three workers and their server at server_prio (LOW_PRIO or above it),
 * run while the suite waits; the log must go round 0, 1, 2, 0, 1, ...
 * d: the slices ended meanwhile, and the fastpath's counts. */
static void lq_round(void (*worker)(uint64_t), unsigned server_prio, struct lq_stats *d)
{
	struct lq_stats a, b;
	uint64_t badge;

	lq_ep = mk(SEPTA_OBJ_ENDPOINT, 0);
	lq_ntfn = mk(SEPTA_OBJ_NOTIFICATION, 0);
	lq_n = lq_done = 0;
	CHECK(lq_ep && lq_ntfn);
	CHECK(spawn(lq_echo, lq_ep, server_prio, 0));
	for (uint64_t id = 0; id < 3; id++)
		CHECK(spawn(worker, id, LOW_PRIO, 0));
	a = lq_stats();
	CHECK_EQ(septa_wait(lq_ntfn, &badge), 0);
	b = lq_stats();
	d->calls = b.calls - a.calls;
	d->reply_recvs = b.reply_recvs - a.reply_recvs;
	d->on = b.on;
	d->slices = b.slices - a.slices;
}

static void lq_check_order(void)
{
	CHECK_EQ(lq_n, 3 * LQ_ROUNDS);
	for (uint64_t k = 0; k < 3 * LQ_ROUNDS && k < lq_n; k++)
		CHECK_EQ(lq_log[k], k % 3);
}

/* A Call to a server of the caller's priority while others of it are
 * ready is no direct switch: the server is queued behind them, and a
 * caller answered goes in front of the server, so each runs in turn. */
void test_lazyq_equal_server_keeps_order(void)
{
	struct lq_stats d = {.slices = 1};

	lq_round(lq_worker_call, LOW_PRIO, &d);
	if (d.slices) /* a slice's end reorders the queue: once more */
		lq_round(lq_worker_call, LOW_PRIO, &d);
	CHECK_EQ(d.slices, 0);
	lq_check_order();
}

/* Each Call and ReplyRecv a direct switch (the fastpath serves all of
 * them when it is on), and yield still goes round the three workers: the
 * thread switched to is the running one, on no queue, and goes to the
 * back when it yields. */
void test_lazyq_direct_switch_round_robin(void)
{
	struct lq_stats d = {.slices = 1};

	lq_round(lq_worker_yield, LOW_PRIO + 10, &d);
	if (d.slices)
		lq_round(lq_worker_yield, LOW_PRIO + 10, &d);
	CHECK_EQ(d.slices, 0);
	lq_check_order();
	if (d.on) {
		CHECK_EQ(d.calls, 3 * LQ_ROUNDS);
		CHECK_EQ(d.reply_recvs, 3 * LQ_ROUNDS);
	} else {
		CHECK_EQ(d.calls, 0);
		CHECK_EQ(d.reply_recvs, 0);
	}
}

static uint64_t lq_self;
static volatile uint64_t lq_after_suspend;

/* The target of the suite's Call: answers, stops itself while it runs,
 * and once resumed deletes its own TCB while it runs. */
static void lq_self_stopper(uint64_t ep)
{
	struct septa_msg m = {0};

	CHECK_EQ(septa_recv(ep, &m), 0);
	m.info = septa_msginfo(0, 0, 0);
	CHECK_EQ(septa_reply(&m), 0);
	CHECK_EQ(septa_tcb_suspend(lq_self), 0);
	lq_after_suspend = 1;
	septa_cnode_delete(CNODE, lq_self, DEPTH);
	lq_after_suspend = 2; /* never: it was deleted */
}

/* A thread switched to directly (the Call above it) that suspends itself
 * stops there and then: the suite runs, and finds it stopped; resumed, it
 * deletes itself while running, and the queues go on (a new thread of the
 * suite's priority gets its turn). */
void test_lazyq_direct_target_stops_itself(void)
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0);
	struct septa_msg m = {.info = septa_msginfo(0, 0, 0)};

	lq_after_suspend = 0;
	lq_self = ct.slot_next; /* spawn's TCB goes in the next slot */
	CHECK_EQ(spawn(lq_self_stopper, ep, HIGH_PRIO, 0), lq_self);
	CHECK_EQ(septa_call(ep, &m), 0);
	CHECK_EQ(lq_after_suspend, 0);
	CHECK_EQ(septa_yield(), 0);
	CHECK_EQ(lq_after_suspend, 0);
	CHECK_EQ(septa_tcb_resume(lq_self), 0); /* above us: it runs at once */
	CHECK_EQ(lq_after_suspend, 1);
	CHECK_EQ(septa_tcb_resume(lq_self), SEPTA_E_MISSING_CAP); /* gone */
	lq_flag = 0;
	CHECK(spawn(lq_set, 1, ROOT_PRIO, 0));
	yield_until(&lq_flag);
	CHECK_EQ(lq_flag, 1);
}

/* Answers a Call after a kernel call of its own (a poll that finds
 * nothing), so that its turn is decided on that call's way out. */
static void lq_poll_server(uint64_t ep)
{
	struct septa_msg m = {0};
	uint64_t badge;

	lq_ready = 1;
	CHECK_EQ(septa_recv(ep, &m), 0);
	for (;;) {
		CHECK_EQ(septa_poll(lq_ntfn, &badge), SEPTA_E_WOULD_BLOCK);
		m.info = septa_msginfo(0, 0, 0);
		CHECK_EQ(septa_reply_recv(ep, &m), 0);
	}
}

/* The caller that goes on leaves the kernel without the scheduler only
 * where the scheduler would decide the same, turn included: a server of
 * the caller's priority, switched to directly, starts its own turn at its
 * first kernel call (it only answers the caller), so its ReplyRecv is no
 * turn that goes on and takes the full path. */
void test_lazyq_fast_exit_starts_turn(void)
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0), slices = 1;
	struct lq_stats a = {0}, b = {0};

	lq_ntfn = mk(SEPTA_OBJ_NOTIFICATION, 0);
	lq_ready = 0;
	CHECK(spawn(lq_poll_server, ep, ROOT_PRIO, 0));
	yield_until(&lq_ready);
	for (int tries = 0; slices && tries < 8; tries++) {
		struct septa_msg m = {.info = septa_msginfo(0, 0, 0)};

		CHECK_EQ(septa_yield(), 0); /* a turn of our own, it waiting */
		a = lq_stats();
		CHECK_EQ(septa_call(ep, &m), 0);
		b = lq_stats();
		slices = b.slices - a.slices;
	}
	CHECK_EQ(slices, 0);
	CHECK_EQ(b.calls - a.calls, b.on ? 1 : 0);
	CHECK_EQ(b.reply_recvs - a.reply_recvs, 0);
}

static void lq_drop_vspace(uint64_t vs)
{
	CHECK_EQ(septa_cnode_revoke(CNODE, vs, DEPTH), 0);
	lq_flag = 1; /* never: the thread lost its VSpace on the way out */
}

/* A thread that takes its own VSpace capability away (revoking the one
 * its TCB's copy came from) is stopped on its way out of that call, as it
 * would be at any other: the early exit checks the VSpace too. */
void test_lazyq_running_thread_loses_vspace(void)
{
	uint64_t vs = slot(), t;

	CHECK_EQ(
	    septa_cnode_copy(CNODE, vs, DEPTH, CNODE, VSPACE, DEPTH, SEPTA_RIGHTS_ALL),
	    0);
	lq_flag = 0;
	ct.vspace = vs;
	t = spawn(lq_drop_vspace, vs, HIGH_PRIO, 0); /* runs at once */
	ct.vspace = 0;
	CHECK(t);
	CHECK_EQ(lq_flag, 0);
	CHECK_EQ(septa_tcb_resume(t), SEPTA_E_STATE); /* stopped, unconfigured */
	CHECK_EQ(lq_flag, 0);
}
