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
void tcbq_append(struct tcb_queue *q, struct tcb *t);
void tcbq_remove(struct tcb_queue *q, struct tcb *t);
struct tcb *tcbq_pop(struct tcb_queue *q);
bool tcbq_wake_deleted(struct tcb_queue *q); /* one waiter */
void sched_set_prio(struct tcb *t, uint8_t prio);
void sched_set_runnable(struct tcb *t);
void sched_resume(struct tcb *t); /* runnable, first of its priority */
void sched_block(struct tcb *t, enum tcb_state state);
void sched_yield(struct tcb *t);
void sched_wait(struct tcb *t);	       /* blocked in WFI, on sched_waiting */
void sched_wake(struct tcb *t);	       /* out of WFI, if it is there */
void sched_wait_cancel(struct tcb *t); /* off sched_waiting (tcb_suspend) */
struct tcb *sched_choose(void);
/* The turn (core/sched.c): its owner (NULL: whoever runs next starts
 * one), the priority it runs at, and the owner whose turn ended while it
 * was blocked. */
extern const struct tcb *sched_turn_owner;
extern uint8_t sched_turn_prio;
extern const struct tcb *sched_turn_over;
/* The slice is over: its owner goes to the back of its queue, and whoever
 * runs next starts a new turn (after an idle wait, too: reset). */
void sched_turn_end(void);
void sched_turn_reset(void);
/* t goes away: forget it as a turn's owner. */
void sched_forget(const struct tcb *t);

/* Whether next, about to run after prev, starts a new turn: not if it is
 * the owner, runs above the owner's priority, or answers the owner's Call
 * (or fault), which it does in the owner's time. On every switch: inline. */
static inline bool sched_turn_begins(const struct tcb *prev, const struct tcb *next)
{
	if (next == sched_turn_owner ||
	    (sched_turn_owner && next->prio > sched_turn_prio))
		return false;
	if (prev == sched_turn_owner && prev && prev->state == TCB_BLOCKED_REPLY &&
	    prev->replier == next)
		return false;
	sched_turn_owner = next;
	sched_turn_prio = next->prio;
	if (sched_turn_over == next)
		sched_turn_over = NULL;
	return true;
}
