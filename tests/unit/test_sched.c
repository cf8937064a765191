/*
 * The lazily kept ready queues (kernel/core/sched.c) on the host: the
 * running thread on no queue, the others queued exactly once. Each case
 * drives the scheduler as a kernel entry would (the invocation's calls,
 * then kernel_exit's choice, early exit included) and checks the
 * scheduler's own audit (sched_queues_problem, sched_tcb_problem) after
 * every step, and who runs.
 */
#include "tests.h"
#include <core/sched.h>
#include <string.h>

#define NTH 4
static struct tcb th[NTH];
static struct tcb *const A = &th[0], *const B = &th[1], *const C = &th[2],
			 *const D = &th[3];

static void reset(void)
{
	for (unsigned i = 0; i < NTH; i++)
		sched_block(&th[i], TCB_INACTIVE); /* off its queue, if on one */
	memset(th, 0, sizeof(th));
	sched_current = NULL;
	sched_turn_owner = NULL;
	sched_turn_over = NULL;
	sched_changed = false;
}

/* The audit finds nothing wrong. */
static void sane(void)
{
	const struct tcb *at;

	CU_ASSERT_PTR_NULL(sched_queues_problem(&at));
	for (unsigned i = 0; i < NTH; i++)
		CU_ASSERT_PTR_NULL(sched_tcb_problem(&th[i]));
}

/* kernel_exit's decision: the early exit when nothing was queued and the
 * running thread goes on, else sched_choose (the turn left out). */
static struct tcb *entry_end(void)
{
	struct tcb *c = sched_current;

	if (!(!sched_changed && c && sched_running(c)))
		sched_current = sched_choose();
	sane();
	return sched_current;
}

/* t, at priority p, runnable at the back of its queue. */
static void ready_at(struct tcb *t, uint8_t p)
{
	t->prio = p;
	t->mcp = SEPTA_PRIO_MAX;
	sched_set_runnable(t);
}

/* t runs at p (the first thread of a case). */
static void running_at(struct tcb *t, uint8_t p)
{
	ready_at(t, p);
	CU_ASSERT_PTR_EQUAL(entry_end(), t);
	CU_ASSERT_FALSE(t->queued);
}

static void test_preempted_goes_first(void)
{
	reset();
	running_at(A, 10);
	ready_at(C, 10);
	CU_ASSERT_PTR_EQUAL(entry_end(), A); /* same priority: behind it */
	ready_at(B, 20);
	CU_ASSERT_PTR_EQUAL(entry_end(), B);
	CU_ASSERT_TRUE(A->queued);
	sched_block(B, TCB_BLOCKED_RECV);
	CU_ASSERT_PTR_EQUAL(entry_end(), A); /* at the front, before C */
	sched_yield(A);
	CU_ASSERT_PTR_EQUAL(entry_end(), C);
	reset();
}

/* A Reply to a caller of the running thread's priority: the caller first,
 * then the replier, then the rest. */
static void test_resume_in_front(void)
{
	reset();
	running_at(A, 10);
	ready_at(C, 10);
	B->prio = 10;
	B->state = TCB_BLOCKED_REPLY;
	sched_resume(B);
	CU_ASSERT_PTR_EQUAL(entry_end(), B);
	sched_block(B, TCB_BLOCKED_RECV);
	CU_ASSERT_PTR_EQUAL(entry_end(), A);
	sched_block(A, TCB_BLOCKED_RECV);
	CU_ASSERT_PTR_EQUAL(entry_end(), C);
	/* A lower caller resumed: it waits. */
	B->prio = 5;
	sched_resume(B);
	CU_ASSERT_PTR_EQUAL(entry_end(), C);
	sched_block(C, TCB_BLOCKED_RECV);
	CU_ASSERT_PTR_EQUAL(entry_end(), B);
	reset();
}

/* The running thread blocks and is woken in one kernel entry (a signal
 * to itself after it waited, say): it is queued at the back like any
 * other and never lost. */
static void test_blocked_and_woken_in_one_entry(void)
{
	reset();
	running_at(A, 10);
	ready_at(C, 10);
	sched_block(A, TCB_BLOCKED_NTFN);
	sane();
	sched_set_runnable(A);
	CU_ASSERT_TRUE(A->queued);
	CU_ASSERT_PTR_EQUAL(entry_end(), C);
	sched_block(C, TCB_BLOCKED_RECV);
	CU_ASSERT_PTR_EQUAL(entry_end(), A);
	/* Resumed in front instead (a Call answered at once). */
	sched_block(A, TCB_BLOCKED_REPLY);
	ready_at(C, 10);
	sched_resume(A);
	CU_ASSERT_PTR_EQUAL(entry_end(), A);
	reset();
}

static void test_priority_changes(void)
{
	reset();
	running_at(A, 10);
	ready_at(C, 10);
	sched_set_prio(A, 10); /* its own, unchanged: to the back */
	CU_ASSERT_PTR_EQUAL(entry_end(), C);
	sched_set_prio(A, 30); /* another's, queued, raised above */
	CU_ASSERT_PTR_EQUAL(entry_end(), A);
	sched_set_prio(A, 1); /* its own, lowered below another */
	CU_ASSERT_PTR_EQUAL(entry_end(), C);
	B->state = TCB_BLOCKED_RECV;
	sched_set_prio(B, 200); /* blocked: raised, not queued */
	CU_ASSERT_FALSE(B->queued);
	CU_ASSERT_PTR_EQUAL(entry_end(), C);
	sched_set_runnable(B);
	CU_ASSERT_PTR_EQUAL(entry_end(), B);
	reset();
}

/* The running thread stopped, or deleted (its TCB forgotten: no current). */
static void test_running_stopped_or_deleted(void)
{
	reset();
	running_at(A, 10);
	ready_at(C, 5);
	sched_block(A, TCB_INACTIVE);
	CU_ASSERT_PTR_EQUAL(entry_end(), C);
	sched_set_runnable(A);
	CU_ASSERT_PTR_EQUAL(entry_end(), A);
	sched_block(A, TCB_INACTIVE);
	sched_current = NULL; /* arch_tcb_forget */
	CU_ASSERT_PTR_EQUAL(entry_end(), C);
	sched_block(C, TCB_INACTIVE);
	CU_ASSERT_PTR_NULL(entry_end());
	reset();
}

/* The slice's end: its owner, running, to the back (the timer's tick). */
static void test_turn_end(void)
{
	reset();
	running_at(A, 10);
	ready_at(C, 10);
	sched_turn_owner = A;
	sched_turn_prio = 10;
	sched_turn_end();
	if (sched_current->state == TCB_RUNNABLE)
		sched_yield(sched_current); /* as timer_fired does after it */
	CU_ASSERT_PTR_EQUAL(entry_end(), C);
	CU_ASSERT_PTR_EQUAL(entry_end(), C);
	sched_yield(C);
	CU_ASSERT_PTR_EQUAL(entry_end(), A);
	reset();
}

/* The fastpaths' switch at the ends of the priority range, and the state
 * it leaves: the partner runs on no queue, the caller blocked. */
static void test_hand_over(void)
{
	reset();
	running_at(A, SEPTA_PRIO_MAX);
	B->prio = SEPTA_PRIO_MAX;
	B->state = TCB_BLOCKED_REPLY;
	CU_ASSERT_TRUE(sched_hand_over(A, B, true, NULL));
	CU_ASSERT_TRUE(sched_hand_over(A, B, false, NULL));
	ready_at(C, SEPTA_PRIO_MAX);
	CU_ASSERT_TRUE(sched_hand_over(A, B, true, NULL));
	CU_ASSERT_FALSE(sched_hand_over(A, B, false, NULL)); /* C first */
	B->prio = SEPTA_PRIO_MAX - 1;
	CU_ASSERT_FALSE(sched_hand_over(A, B, true, NULL)); /* C above */
	B->prio = 0;
	sched_block(C, TCB_INACTIVE);
	ready_at(D, 0);
	CU_ASSERT_TRUE(sched_hand_over(A, B, true, NULL));
	CU_ASSERT_FALSE(sched_hand_over(A, B, false, NULL)); /* D first */
	CU_ASSERT_FALSE(sched_hand_over(A, D, true, NULL));  /* queued */
	sane();
	/* The switch as fastpath_reply_switch makes it. */
	CU_ASSERT_TRUE(sched_hand_over(A, B, true, NULL));
	B->state = TCB_RUNNABLE;
	A->state = TCB_BLOCKED_RECV;
	sched_current = B;
	sane();
	CU_ASSERT_PTR_EQUAL(entry_end(), B);
	CU_ASSERT_FALSE(sched_hand_over(A, B, true, NULL)); /* A is not running */
	sched_block(B, TCB_BLOCKED_RECV);
	CU_ASSERT_PTR_EQUAL(entry_end(), D);
	reset();
}

/* The audit can fail: a runnable thread nobody holds, a mark without a
 * queue. */
static void test_audit_sees_lost_threads(void)
{
	reset();
	running_at(A, 10);
	B->prio = 10;
	B->state = TCB_RUNNABLE;
	CU_ASSERT_PTR_NOT_NULL(sched_tcb_problem(B));
	B->queued = true;
	CU_ASSERT_PTR_NOT_NULL(sched_tcb_problem(B));
	B->state = TCB_BLOCKED_RECV;
	CU_ASSERT_PTR_NOT_NULL(sched_tcb_problem(B));
	memset(B, 0, sizeof(*B));
	reset();
}

void suite_sched(void)
{
	CU_pSuite s = CU_add_suite("sched", NULL, NULL);

	CU_add_test(s, "a preempted thread goes first at its priority",
		    test_preempted_goes_first);
	CU_add_test(s, "a resumed caller in front of the running thread",
		    test_resume_in_front);
	CU_add_test(s, "the running thread blocked and woken in one entry",
		    test_blocked_and_woken_in_one_entry);
	CU_add_test(s, "priority changes of the running thread and others",
		    test_priority_changes);
	CU_add_test(s, "the running thread stopped or deleted",
		    test_running_stopped_or_deleted);
	CU_add_test(s, "a slice's end sends the running owner back", test_turn_end);
	CU_add_test(s, "the fastpaths' switch at the ends of the range", test_hand_over);
	CU_add_test(s, "the audit finds a lost thread", test_audit_sees_lost_threads);
}
