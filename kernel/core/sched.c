/*
 * Ready queues by priority with round robin within a priority, kept
 * lazily: the running thread (sched_current, runnable, queued false) is on
 * no ready queue while it runs. It stands, unseen, at the head of its
 * priority's queue, and goes onto the queue only when that place has to
 * be real: it is preempted by a higher priority (sched_choose puts it back
 * at the front), yields or its slice ends (the back), its priority
 * changes (the back of the new one, as before), or a thread is put in
 * front of it at its priority (sched_resume's front: it goes first, so
 * the order is the one a queue holding it would have). A thread the
 * fastpaths switch to (sched_hand_over) is never queued at all. So the
 * invariant: a runnable thread is on its queue unless it is the running
 * one, and nothing is queued above the running thread's priority at user
 * level (sched_choose took the highest). The ones that run are taken off
 * their queue when chosen; yield and the timer move the running thread
 * to the tail. sched_changed says whether a thread was queued since
 * sched_choose last decided: if not, the running thread that still runs
 * is still its choice, and kernel_exit lets it go on without asking
 * (nothing else makes a thread ready).
 *
 * The time slice is a turn of one thread at its priority, and what runs
 * above that priority while the turn lasts, or answers the owner's Call,
 * runs within it: a guest's exits, served by its VMM at a higher priority,
 * are the guest's time. A
 * turn that restarted at every switch would never end for a guest that
 * exits more often than a slice, and the others of its priority would
 * wait for ever. The owner is only compared, never followed: it may be
 * gone by the time its turn ends.
 */
#include <core/sched.h>
#include <object/tcb.h>

struct tcb *sched_current;
struct tcb_queue sched_waiting;
static struct tcb_queue ready[SEPTA_PRIO_MAX + 1];
static uint64_t ready_bitmap[(SEPTA_PRIO_MAX + 1) / 64];
const struct tcb *sched_turn_owner;
uint8_t sched_turn_prio;
const struct tcb *sched_turn_over;
bool sched_changed;

static inline __attribute__((always_inline)) void enqueue(struct tcb *t, bool front)
{
	struct tcb *c = sched_current;

	if (t->queued)
		return;
	sched_changed = true;
	if (front) {
		/* In front of the running thread: that one's place at the
		 * head becomes real first, so that it comes next. */
		if (c && c != t && c->prio == t->prio && sched_running(c)) {
			tcbq_prepend(&ready[c->prio], c);
			c->queued = true;
		}
		tcbq_prepend(&ready[t->prio], t);
	} else {
		tcbq_append(&ready[t->prio], t);
	}
	ready_bitmap[t->prio / 64] |= 1ULL << (t->prio % 64);
	t->queued = true;
}

static void dequeue(struct tcb *t)
{
	if (!t->queued)
		return;
	tcbq_remove(&ready[t->prio], t);
	if (!ready[t->prio].head)
		ready_bitmap[t->prio / 64] &= ~(1ULL << (t->prio % 64));
	t->queued = false;
}

/* The running thread stays where it is; one that blocked in this kernel
 * entry and is runnable again goes on its queue like any other. */
void sched_set_runnable(struct tcb *t)
{
	if (sched_running(t))
		return;
	t->state = TCB_RUNNABLE;
	t->blocked_on = NULL;
	enqueue(t, false);
}

/* A caller whose call was answered goes on with its turn: at the head of its
 * queue, not behind threads that never gave the CPU up (a guest's exits
 * would otherwise cost it a whole time slice each). */
void sched_resume(struct tcb *t)
{
	if (sched_running(t))
		return;
	t->state = TCB_RUNNABLE;
	t->blocked_on = NULL;
	if (__builtin_expect(t == sched_turn_over, 0)) {
		sched_turn_over = NULL;
		enqueue(t, false); /* its turn is over: behind the others */
	} else {
		enqueue(t, true);
	}
}

/* A runnable owner is the head of its queue, or runs (and is its unseen
 * head); a blocked one (waiting for its VMM, say) goes to the back when
 * it is resumed. */
#ifdef SEPTA_TEST_BUILD
uint64_t sched_slices_ended;
#endif

void sched_turn_end(void)
{
	struct tcb *head = ready[sched_turn_prio].head;

#ifdef SEPTA_TEST_BUILD
	sched_slices_ended++;
#endif

	if (!sched_turn_owner)
		return;
	if (head == sched_turn_owner)
		sched_yield(head);
	else if (sched_current == sched_turn_owner && sched_running(sched_current) &&
		 sched_current->prio == sched_turn_prio)
		sched_yield(sched_current);
	else
		sched_turn_over = sched_turn_owner;
	sched_turn_owner = NULL;
}

void sched_turn_reset(void)
{
	sched_turn_owner = NULL;
}

/* A TCB that goes away takes its turn with it: a new one made in its
 * memory must not inherit it. */
void sched_forget(const struct tcb *t)
{
	if (sched_turn_owner == t)
		sched_turn_owner = NULL;
	if (sched_turn_over == t)
		sched_turn_over = NULL;
}

void sched_block(struct tcb *t, enum tcb_state state)
{
	dequeue(t);
	t->state = (uint8_t)state;
}

/* A guest's WFI: off the ready queue until its interrupt or timer (arch
 * code decides which) wakes it. */
void sched_wait(struct tcb *t)
{
	sched_block(t, TCB_BLOCKED_WFI);
	tcbq_append(&sched_waiting, t);
}

/* It goes to the back of its priority, as a thread whose slice ended: a
 * guest cannot jump its queue by arming its timer and waiting. */
void sched_wake(struct tcb *t)
{
	if (t->state != TCB_BLOCKED_WFI)
		return;
	sched_wait_cancel(t);
	sched_set_runnable(t);
}

void sched_wait_cancel(struct tcb *t)
{
	tcbq_remove(&sched_waiting, t);
}

void sched_yield(struct tcb *t)
{
	if (sched_running(t) || t->queued) {
		dequeue(t);
		enqueue(t, false);
	}
}

/* To the back of the new priority, the running thread too (it runs on
 * only if sched_choose takes it again). */
void sched_set_prio(struct tcb *t, uint8_t prio)
{
	bool was = t->queued || sched_running(t);

	dequeue(t);
	t->prio = prio;
	if (was)
		enqueue(t, false);
}

/* Whether a thread is ready at a priority from lo to hi. */
static bool ready_in(unsigned lo, unsigned hi)
{
	unsigned w = lo / 64, last = hi / 64;
	uint64_t bits;

	/* Before any read: lo may be one past SEPTA_PRIO_MAX (to + front). */
	if (lo > hi)
		return false;
	bits = ready_bitmap[w] & (~0ULL << (lo % 64));
	for (; w < last; bits = ready_bitmap[++w])
		if (bits)
			return true;
	return (bits & (~0ULL >> (63 - hi % 64))) != 0;
}

/*
 * The fastpaths' switch (core/fastpath*.c): if, once from (the running
 * thread, on no queue) blocks and to is made runnable at the front of its
 * queue (sched_resume) or the back (sched_set_runnable), sched_choose
 * would pick to, say so: to then runs without touching the ready queues,
 * as a thread sched_choose took. Otherwise change nothing. Nothing is
 * queued above from (the header), so to wins if it is above from, or at
 * from's priority in front; else nothing may be ready from to's priority
 * (past it, when in front) to from's. A to that heads the endpoint queue
 * wait (NULL: none) leaves it.
 */
bool sched_hand_over(struct tcb *from, struct tcb *to, bool front, struct tcb_queue *wait)
{
	unsigned p = to->prio, q = from->prio;

	if (from->queued || to->queued || from != sched_current)
		return false;
	if ((p < q || (p == q && !front)) && ready_in(p + front, q))
		return false;
	if (wait)
		tcbq_pop(wait);
	return true;
}

/* Whether a thread is ready above priority p: at a guest's or a thread's
 * every kernel exit, so only the words from p's up are looked at. */
static inline bool ready_above(unsigned p)
{
	unsigned w = p / 64;

	if (ready_bitmap[w] & (~1ULL << (p % 64)))
		return true;
	while (++w < ARRAY_SIZE(ready_bitmap))
		if (ready_bitmap[w])
			return true;
	return false;
}

/* The thread to run, taken off its queue: the running thread goes on
 * unless a higher priority is ready (it is then put back at the head of
 * its queue); NULL if nobody is runnable. */
struct tcb *sched_choose(void)
{
	struct tcb *c = sched_current, *t = NULL;

	if (c && sched_running(c)) {
		if (!ready_above(c->prio)) {
			sched_changed = false;
			return c;
		}
		enqueue(c, true);
	}
	for (int w = (int)ARRAY_SIZE(ready_bitmap) - 1; w >= 0; w--) {
		if (!ready_bitmap[w])
			continue;
		t = ready[w * 64 + 63 - __builtin_clzll(ready_bitmap[w])].head;
		dequeue(t);
		break;
	}
	sched_changed = false; /* after its own enqueue: decided */
	return t;
}

/* The object q belongs to is going away: a waiter learns it. A thread
 * whose fault was waiting to be delivered stays stopped instead, its
 * registers untouched: they are its program's (a guest's), not the result
 * of a call, and whoever resumes it finds them as they were. One at a
 * time, so a deletion can wake a long queue over several kernel entries;
 * false when nobody was waiting. */
bool tcbq_wake_deleted(struct tcb_queue *q)
{
	struct tcb *t = tcbq_pop(q);

	if (!t)
		return false;
	t->blocked_on = NULL;
	if (t->fault) {
		t->fault = 0;
		sched_block(t, TCB_INACTIVE);
		return true;
	}
	t->regs.x[0] = (uint64_t)SEPTA_E_DELETED;
	t->regs.x[1] = 0;
	t->regs.x[6] = 0;
	sched_set_runnable(t);
	return true;
}

#if defined(SEPTA_TEST_BUILD) || defined(SEPTA_HOST_UNIT)
/* More threads than that on one queue: its links go round. */
#define SCHED_AUDIT_QUEUE_MAX (1u << 20)

/* Whether t is on its priority's ready queue. */
static bool on_ready(const struct tcb *t)
{
	unsigned n = 0;

	for (const struct tcb *q = ready[t->prio].head; q && n < SCHED_AUDIT_QUEUE_MAX;
	     q = q->q_next, n++)
		if (q == t)
			return true;
	return false;
}

const char *sched_queues_problem(const struct tcb **at)
{
	const struct tcb *c = sched_current;

	for (unsigned p = 0; p <= SEPTA_PRIO_MAX; p++) {
		const struct tcb *prev = NULL, *t = ready[p].head;
		bool bit = (ready_bitmap[p / 64] >> (p % 64)) & 1;
		unsigned n = 0;

		*at = t;
		if (bit != (t != NULL))
			return "ready bitmap disagrees with its queue";
		if (t && c && sched_running(c) && p > c->prio)
			return "thread queued above the running one";
		for (; t; prev = t, t = t->q_next) {
			*at = t;
			if (++n > SCHED_AUDIT_QUEUE_MAX)
				return "ready queue goes round";
			if (t->q_prev != prev)
				return "ready queue's links disagree (a thread on it "
				       "twice)";
			if (!t->queued)
				return "thread on a ready queue not marked queued";
			if (t->prio != p)
				return "thread on another priority's ready queue";
			if (t->state != TCB_RUNNABLE)
				return "thread on a ready queue not runnable";
		}
		if (ready[p].tail != prev)
			return "ready queue's tail is not its last";
	}
	*at = NULL;
	return NULL;
}

const char *sched_tcb_problem(const struct tcb *t)
{
	if (t->state == TCB_RUNNABLE && !t->queued && t != sched_current)
		return "runnable thread neither queued nor running (lost)";
	if (t->queued && t->state != TCB_RUNNABLE)
		return "queued thread not runnable";
	if (t->queued && !on_ready(t))
		return "thread marked queued on no ready queue";
	return NULL;
}
#endif
