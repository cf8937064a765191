/* Notifications (notification.c). */
#pragma once
#include <core/sched.h>

struct notification {
	uint64_t word; /* OR of pending badges */
	bool active;
	struct tcb_queue q;
	struct tcb *bound;
	uint32_t irq_bound; /* number of IRQ handlers signalling it */
};
_Static_assert(sizeof(struct notification) <= 1u << SEPTA_NTFN_BITS, "notification size");

void notification_finalise(struct notification *n);
void notification_signal(struct notification *n, uint64_t badge);
void notification_wait(struct notification *n, struct tcb *t, bool blocking);
bool notification_take_bound(struct tcb *t);
void notification_cancel(struct tcb *t);
