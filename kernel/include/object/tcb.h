/* Threads (tcb.c). */
#pragma once
#include <arch.h>
#include <object/cap.h>

enum tcb_state {
	TCB_INACTIVE = 0,
	TCB_RUNNABLE,
	TCB_BLOCKED_SEND,
	TCB_BLOCKED_RECV,
	TCB_BLOCKED_REPLY,
	TCB_BLOCKED_NTFN,
	TCB_BLOCKED_WFI, /* a guest waiting for an interrupt (core/sched.c) */
};

enum tcb_slot {
	TCB_SLOT_CSPACE,
	TCB_SLOT_VSPACE,
	TCB_SLOT_BUFFER,
	TCB_SLOT_FAULT,
	TCB_SLOTS
};

struct notification;
struct vcpu;
struct vspace;

struct tcb {
	struct arch_regs regs; /* first: the trap path saves into it */
	struct fpsimd_state fp;
	uint64_t tpidr_el0; /* the thread's own pointer register (its IPC buffer) */
	uint8_t state;
	uint8_t prio;
	uint8_t mcp; /* highest priority it may give any thread, itself included */
	bool queued; /* on the ready queue */
	bool is_root;
	uint8_t fault; /* the septa_fault being delivered or handled, 0 if none */
	uint8_t fault_len;
	uint64_t fault_mr[8];
	struct vcpu *vcpu; /* set: this thread runs a guest at EL1 */
	struct tcb *q_next, *q_prev;
	void *blocked_on; /* endpoint or notification */
	uint64_t ipc_badge;
	bool ipc_is_call, ipc_can_grant;
	struct tcb *reply_to; /* the caller this thread must answer */
	struct tcb *replier;  /* while BLOCKED_REPLY: who holds our reply */
	struct notification *bound_ntfn;
	uint64_t buffer_ipa;
	struct cte slots[TCB_SLOTS];
	/* x0-x3 of a CNODE_DELETE that stopped with its slot a zombie, and
	 * whether this call repeats it (object/delete.c). */
	uint64_t del_regs[4];
	bool del_again;
	char name[24];
};
_Static_assert(sizeof(struct tcb) <= 1u << SEPTA_TCB_BITS, "TCB size");

void tcb_init(struct tcb *t);
void tcb_finalise(struct tcb *t);
void tcb_suspend(struct tcb *t);
struct septa_ipc_buffer *tcb_buffer(const struct tcb *t);
struct cap *tcb_cspace(const struct tcb *t);
struct vspace *tcb_vspace(const struct tcb *t);
