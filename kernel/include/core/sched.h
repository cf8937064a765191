/* Thread queues and the scheduler (core/sched.c). */
#pragma once
#include <object/tcb.h>

/* A queue of threads waiting on an endpoint or notification, or ready. */
struct tcb_queue {
	struct tcb *head, *tail;
};

extern struct tcb *sched_current;
/* Guests blocked in WFI (TCB_BLOCKED_WFI), linked through q_next. */
extern struct tcb_queue sched_waiting;
/* Queue operations: inline, every IPC makes some. */
static inline void tcbq_append(struct tcb_queue *q, struct tcb *t)
{
	t->q_next = NULL;
	t->q_prev = q->tail;
	if (q->tail)
		q->tail->q_next = t;
	else
		q->head = t;
	q->tail = t;
}

static inline void tcbq_remove(struct tcb_queue *q, struct tcb *t)
{
	if (t->q_prev)
		t->q_prev->q_next = t->q_next;
	else
		q->head = t->q_next;
	if (t->q_next)
		t->q_next->q_prev = t->q_prev;
	else
		q->tail = t->q_prev;
	t->q_next = t->q_prev = NULL;
}

static inline struct tcb *tcbq_pop(struct tcb_queue *q)
{
	struct tcb *t = q->head;

	if (t)
		tcbq_remove(q, t);
	return t;
}

static inline void tcbq_prepend(struct tcb_queue *q, struct tcb *t)
{
	t->q_prev = NULL;
	t->q_next = q->head;
	if (q->head)
		q->head->q_prev = t;
	else
		q->tail = t;
	q->head = t;
}

bool tcbq_wake_deleted(struct tcb_queue *q); /* one waiter */
/* Whether t is the running thread, on no ready queue while it runs
 * (core/sched.c's header). */
static inline bool sched_running(const struct tcb *t)
{
	return t == sched_current && t->state == TCB_RUNNABLE && !t->queued;
}
/* A thread was queued since sched_choose last decided (which clears it). */
extern bool sched_changed;
void sched_set_prio(struct tcb *t, uint8_t prio);
void sched_set_runnable(struct tcb *t);
void sched_resume(struct tcb *t); /* runnable, first of its priority */
void sched_block(struct tcb *t, enum tcb_state state);
void sched_yield(struct tcb *t);
void sched_wait(struct tcb *t);	       /* blocked in WFI, on sched_waiting */
void sched_wake(struct tcb *t);	       /* out of WFI, if it is there */
void sched_wait_cancel(struct tcb *t); /* off sched_waiting (tcb_suspend) */
/* The thread to run, taken off its queue (the running one goes on unless
 * a higher priority is ready); NULL: nobody is runnable. */
struct tcb *sched_choose(void);
/* The fastpaths' switch from the running thread to to, if the scheduler
 * would make it (core/sched.c), to taken first off the head of wait (an
 * endpoint's queue, or NULL); false: nothing changed. */
bool sched_hand_over(struct tcb *from, struct tcb *to, bool front,
		     struct tcb_queue *wait);
/* The turn (core/sched.c): its owner (NULL: whoever runs next starts
 * one), the priority it runs at, and the owner whose turn ended while it
 * was blocked. */
extern const struct tcb *sched_turn_owner;
extern uint8_t sched_turn_prio;
extern const struct tcb *sched_turn_over;
/* The slice is over: its owner goes to the back of its queue, and whoever
 * runs next starts a new turn (after an idle wait, too: reset). */
void sched_turn_end(void);
#ifdef SEPTA_TEST_BUILD
/* Slices ended since boot, for tests whose order a slice's end changes. */
extern uint64_t sched_slices_ended;
#endif
void sched_turn_reset(void);
/* t goes away: forget it as a turn's owner. */
void sched_forget(const struct tcb *t);

/* Whether next, about to run after prev, starts a new turn: not if it is
 * the owner, runs above the owner's priority, or answers the owner's Call
 * (or fault), which it does in the owner's time. On every switch: inline.
 * The fastpath asks the first part before prev blocks: next_answers_prev
 * says whether prev will then wait for next's reply. */
static inline bool sched_turn_goes_on(const struct tcb *prev, const struct tcb *next,
				      bool next_answers_prev)
{
	return next == sched_turn_owner ||
	       (sched_turn_owner && next->prio > sched_turn_prio) ||
	       (prev == sched_turn_owner && prev && next_answers_prev);
}

static inline bool sched_turn_begins(const struct tcb *prev, const struct tcb *next)
{
	if (sched_turn_goes_on(prev, next,
			       prev && prev->state == TCB_BLOCKED_REPLY &&
				   prev->replier == next))
		return false;
	sched_turn_owner = next;
	sched_turn_prio = next->prio;
	if (sched_turn_over == next)
		sched_turn_over = NULL;
	return true;
}
#if defined(SEPTA_TEST_BUILD) || defined(SEPTA_HOST_UNIT)
/* The audit's checks of core/sched.c's header invariant (core/audit.c,
 * tests/unit): what is wrong, or NULL. The ready queues: each a list whose
 * links agree, of runnable threads of its priority marked queued, the
 * bitmap naming the ones that hold any, none above the running thread
 * (*at: the thread concerned). One thread: runnable only if queued
 * (exactly once, on its priority's queue) or running. */
const char *sched_queues_problem(const struct tcb **at);
const char *sched_tcb_problem(const struct tcb *t);
#endif
