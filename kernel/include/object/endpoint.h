/* Endpoints and the IPC between threads (endpoint.c). */
#pragma once
#include <core/sched.h>

struct endpoint {
	uint8_t state; /* EP_IDLE, EP_SEND (senders queued), EP_RECV */
	struct tcb_queue q;
};
enum { EP_IDLE, EP_SEND, EP_RECV };
_Static_assert(sizeof(struct endpoint) <= 1u << SEPTA_ENDPOINT_BITS, "endpoint size");

void endpoint_finalise(struct endpoint *ep);
void endpoint_send(struct endpoint *ep, struct tcb *sender, uint64_t badge,
		   bool can_grant, bool is_call, bool blocking);
void endpoint_recv(struct endpoint *ep, struct tcb *receiver, bool blocking);
void endpoint_cancel(struct tcb *t);
int ipc_reply(struct tcb *replier);
