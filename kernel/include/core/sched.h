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
/* The turn (core/sched.c): whether next, about to run, starts a new time
 * slice; the slice is over: its owner goes to the back of its queue; a
 * new turn starts with whoever runs next (after an idle wait, too). */
bool sched_turn_begins(struct tcb *next);
void sched_turn_end(void);
void sched_turn_reset(void);
