/*
 * The lazily kept ready queue against the early kernel exit
 * (kernel_exit leaves without asking the scheduler when nothing was
 * queued, sched_changed): every way a thread above the caller becomes
 * runnable in the caller's invocation must run it before the invocation
 * returns. Raised by a set-priority of another thread, resumed, woken by
 * a signal, and a server above its caller that answers with Reply alone
 * and goes on. The kernel audit after each test checks the queues too
 * (sched_queues_problem, sched_tcb_problem in core/sched.c).
 */
#include "captest.h"

static volatile uint64_t lq2_flag, lq2_self;

/* Counts each run, then stops itself until resumed. */
static void lq2_stopper(uint64_t unused)
{
	(void)unused;
	for (;;) {
		lq2_flag++;
		septa_tcb_suspend(lq2_self);
	}
}

/* A thread below the caller raised above it runs before the set-priority
 * returns; resumed above it, before the resume returns. */
void test_lazyq_raised_or_resumed_runs_first(void)
{
	uint64_t t;

	lq2_flag = 0;
	lq2_self = 0;
	t = spawn(lq2_stopper, 0, LOW_PRIO, 0);
	CHECK(t);
	lq2_self = t;
	CHECK_EQ(lq2_flag, 0); /* below the suite: not yet run */
	CHECK_EQ(septa_tcb_set_priority(t, HIGH_PRIO), 0);
	CHECK_EQ(lq2_flag, 1);
	CHECK_EQ(septa_tcb_resume(t), 0);
	CHECK_EQ(lq2_flag, 2);
	CHECK_EQ(septa_tcb_resume(t), 0);
	CHECK_EQ(lq2_flag, 3);
}

static void lq2_waiter(uint64_t n)
{
	uint64_t badge;

	for (;;) {
		CHECK_EQ(septa_wait(n, &badge), 0);
		lq2_flag++;
	}
}

/* A signal to a waiter above the signaller runs it at once, each time. */
void test_lazyq_signal_higher_runs_first(void)
{
	uint64_t n = mk(SEPTA_OBJ_NOTIFICATION, 0);

	CHECK(n);
	lq2_flag = 0;
	CHECK(spawn(lq2_waiter, n, HIGH_PRIO, 0)); /* runs and waits */
	CHECK_EQ(lq2_flag, 0);
	for (uint64_t i = 1; i <= 3; i++) {
		CHECK_EQ(septa_signal(n), 0);
		CHECK_EQ(lq2_flag, i);
	}
}

/* Answers with Reply alone, then notes it before it waits again. */
static void lq2_reply_server(uint64_t ep)
{
	struct septa_msg m = {0};

	for (;;) {
		CHECK_EQ(septa_recv(ep, &m), 0);
		m.info = septa_msginfo(0, 0, 0);
		CHECK_EQ(septa_reply(&m), 0);
		lq2_flag++;
	}
}

/* A Reply from above to a lower caller: the server goes on first (the
 * caller, resumed at the front of its own priority, waits); and a Call
 * to a receiver below the caller runs that receiver. */
void test_lazyq_reply_to_lower_caller(void)
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0);
	struct septa_msg m = {0};

	CHECK(ep);
	lq2_flag = 0;
	CHECK(spawn(lq2_reply_server, ep, HIGH_PRIO, 0));
	for (uint64_t i = 1; i <= 3; i++) {
		m.info = septa_msginfo(0, 0, 0);
		CHECK_EQ(septa_call(ep, &m), 0);
		CHECK_EQ(lq2_flag, i);
	}
}
