/*
 * Capabilities and kernel objects. Every object lives in memory retyped
 * from an Untyped that user level holds (the root task's initial objects
 * excepted); the kernel allocates nothing. This header and kernel/object/
 * have no architecture code, so the same files build into host tests.
 */
#pragma once
#include <pgtable.h>
#include <s2.h>
#include <septa/abi.h>
#include <types.h>
#include "../arch/aarch64/regs.h"

enum cap_type {
	CAP_NULL = 0,
	CAP_UNTYPED,
	CAP_CNODE,
	CAP_TCB,
	CAP_ENDPOINT,
	CAP_NOTIFICATION,
	CAP_FRAME,
	CAP_VSPACE,
	CAP_IRQ_CONTROL,
	CAP_IRQ_HANDLER,
	CAP_PAGE_TABLE,
	CAP_VCPU,
};

#define CAP_F_DEVICE 1u /* untyped or frame of device memory: never zeroed */

struct cap {
	uint8_t type;
	uint8_t rights;	    /* SEPTA_RIGHT_* */
	uint8_t size_bits;  /* untyped and frame: log2 bytes; CNode: log2 slots */
	uint8_t guard_bits; /* CNode */
	uint8_t flags;	    /* CAP_F_* */
	uint8_t pad[3];
	/* The object's address (kernel VA = PA), or the IRQ number. */
	uint64_t obj;
	/* Endpoint, notification: badge. CNode: guard. Untyped: bytes used.
	 * Frame, page table: mapped IPA | level | CAP_MAPPED. */
	uint64_t word;
	/* Frame, page table: VMID | generation << 8 of the VSpace it is in. */
	uint64_t map;
};
#define CAP_MAPPED	 0x10u
#define CAP_MAP_LEVEL(w) ((unsigned)(w)&3u)
#define CAP_MAP_IPA(w)	 ((w) & ~0xfffULL)

/*
 * A capability slot. The derivation tree is explicit: a capability made
 * from another (copy, mint, retype) is its child. All capabilities to one
 * object therefore form one subtree under the Untyped it came from, which
 * is what makes "is this the last capability?" a local question.
 */
struct cte {
	struct cap cap;
	struct cte *parent, *first_child, *next, *prev;
};
_Static_assert(sizeof(struct cte) == 1u << SEPTA_CNODE_SLOT_BITS, "slot size");

enum tcb_state {
	TCB_INACTIVE = 0,
	TCB_RUNNABLE,
	TCB_BLOCKED_SEND,
	TCB_BLOCKED_RECV,
	TCB_BLOCKED_REPLY,
	TCB_BLOCKED_NTFN,
};

enum tcb_slot {
	TCB_SLOT_CSPACE,
	TCB_SLOT_VSPACE,
	TCB_SLOT_BUFFER,
	TCB_SLOT_FAULT,
	TCB_SLOTS
};

struct fpsimd_state {
	uint64_t q[64];
	uint64_t fpsr, fpcr;
};

struct tcb;

/* A queue of threads waiting on an endpoint or notification, or ready. */
struct tcb_queue {
	struct tcb *head, *tail;
};

struct endpoint {
	uint8_t state; /* EP_IDLE, EP_SEND (senders queued), EP_RECV */
	struct tcb_queue q;
};
enum { EP_IDLE, EP_SEND, EP_RECV };

struct notification {
	uint64_t word; /* OR of pending badges */
	bool active;
	struct tcb_queue q;
	struct tcb *bound;
	uint32_t irq_bound; /* number of IRQ handlers signalling it */
};

/* A stage-2 address space. Retyped ones keep this header in the page after
 * their (concatenated) root tables; VMID and generation name it in the
 * mapping records of frame and page-table capabilities. */
struct vspace {
	struct pgt pgt;
	uint32_t gen;
};

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
	char name[24];
};
_Static_assert(sizeof(struct tcb) <= 1u << SEPTA_TCB_BITS, "TCB size");
_Static_assert(sizeof(struct endpoint) <= 1u << SEPTA_ENDPOINT_BITS, "endpoint size");
_Static_assert(sizeof(struct notification) <= 1u << SEPTA_NTFN_BITS, "notification size");

/* The EL1 state of a guest CPU while its thread is not running; the
 * architecture's save/restore defines the order (arch/aarch64/vcpu.c). */
#define VCPU_SYSREGS 32
#define VCPU_LRS     4	/* list registers saved (QEMU's GICv3 has 4) */
#define VCPU_PENDING 16 /* virtual interrupts waiting for a list register */
struct vcpu {
	uint64_t sysreg[VCPU_SYSREGS];
	uint64_t lr[VCPU_LRS];
	uint64_t vmcr, ap0r0, ap1r0;
	uint32_t pending[VCPU_PENDING]; /* INTID | priority << 16, FIFO */
	uint8_t npending;
	struct tcb *tcb;
	uint64_t fault_va; /* FAR_EL2 of the guest's last abort */
};
_Static_assert(sizeof(struct vcpu) <= 4096, "VCPU size");

/* ---- derivation tree (cdt.c) ---- */
void cdt_insert(struct cte *parent, struct cte *child, const struct cap *cap);
void cdt_unlink(struct cte *slot);
void cdt_move(struct cte *dst, struct cte *src);
bool cdt_is_final(const struct cte *slot);
bool cap_same_object(const struct cap *a, const struct cap *b);

/* ---- lookup (cspace.c) ---- */
int cspace_lookup_cap(const struct cap *root, uint64_t cptr, struct cte **out);
int cspace_lookup_slot(const struct cap *root, uint64_t index, unsigned depth,
		       struct cte **out);

/* ---- deletion (delete.c): check, then commit ---- */
int cap_delete_check(struct cte *slot);
void cap_delete(struct cte *slot);
int cap_revoke_check(struct cte *slot);
void cap_revoke(struct cte *slot);

/* ---- objects ---- */
unsigned object_size_bits(unsigned type, unsigned size_bits);
void tcb_init(struct tcb *t);
void tcb_finalise(struct tcb *t);
void endpoint_finalise(struct endpoint *ep);
void notification_finalise(struct notification *n);
struct septa_ipc_buffer *tcb_buffer(const struct tcb *t);

/* ---- IPC (endpoint.c, notification.c) ---- */
void endpoint_send(struct endpoint *ep, struct tcb *sender, uint64_t badge,
		   bool can_grant, bool is_call, bool blocking);
void endpoint_recv(struct endpoint *ep, struct tcb *receiver, bool blocking);
void endpoint_cancel(struct tcb *t);
int ipc_reply(struct tcb *replier);
void notification_signal(struct notification *n, uint64_t badge);
void notification_wait(struct notification *n, struct tcb *t, bool blocking);
bool notification_take_bound(struct tcb *t);
void notification_cancel(struct tcb *t);

/* ---- message registers (invoke.c) ---- */
uint64_t msg_get(const struct tcb *t, unsigned i);
void msg_set(struct tcb *t, unsigned i, uint64_t v);
void ipc_set_result(struct tcb *t, int status, uint64_t label, unsigned len);

/* An invocation being decoded: the invoked slot, the message and its
 * extra capabilities (already looked up), and the reply's length. */
struct inv {
	struct tcb *caller;
	struct cte *slot;
	uint64_t label;
	unsigned len;
	unsigned ncaps;
	struct cte *caps[SEPTA_MSG_MAX_CAPS];
	unsigned reply_len;
};

/* Decodes and performs an invocation of a kernel object by thread t; sets
 * t's status and reply registers. */
void invoke(struct tcb *t, struct cte *slot, uint64_t msginfo);
int untyped_invoke(struct inv *iv);
int cnode_invoke(struct inv *iv);
int tcb_invoke(struct inv *iv);
int irq_invoke(struct inv *iv);
int frame_invoke(struct inv *iv);
int page_table_invoke(struct inv *iv);
int vspace_invoke(struct inv *iv);
int vcpu_invoke(struct inv *iv);
void vcpu_init(struct vcpu *v);
void vcpu_finalise(struct vcpu *v);
/* Architecture: register numbers of enum septa_vcpu_reg in vcpu->sysreg. */
int arch_vcpu_reg_index(unsigned reg);
void arch_vcpu_reset(struct vcpu *v);
uint64_t arch_vcpu_entry_spsr(void);
/* The VCPU goes away: its state must not stay live in the registers. */
void arch_vcpu_forget(struct vcpu *v);
/* Enters the guest's EL1 vector with a synchronous external abort for the
 * abort (esr: its ESR_EL2) it took at regs->elr; its registers are saved. */
void arch_vcpu_inject_abort(struct vcpu *v, struct arch_regs *regs, uint64_t esr);
/* Queues a virtual interrupt for v; E_IN_USE when nothing can take it. */
int arch_vcpu_inject(struct vcpu *v, unsigned intid, unsigned prio);
/* VSpaces (vspace.c). */
bool vspace_vmid_available(unsigned n);
void vspace_init(struct vspace *vs, paddr_t root, unsigned ia_bits);
void vspace_register_root(struct vspace *vs);
void vspace_finalise(struct vspace *vs);
/* The VSpace a mapping record points at, if it still exists. */
struct vspace *vspace_of_mapping(const struct cap *c);
void mapping_remove(struct cap *c);
/* Looks up the extra capabilities a thread names in its IPC buffer. */
int msg_lookup_caps(struct tcb *t, unsigned n, struct cte **out);
struct cap *tcb_cspace(const struct tcb *t);
struct vspace *tcb_vspace(const struct tcb *t);
/* Called when a TCB goes away: the architecture forgets its FP state. */
void arch_tcb_forget(struct tcb *t);

/* ---- threads and scheduling (sched.c) ---- */
extern struct tcb *sched_current;
void tcbq_append(struct tcb_queue *q, struct tcb *t);
void tcbq_remove(struct tcb_queue *q, struct tcb *t);
struct tcb *tcbq_pop(struct tcb_queue *q);
void tcbq_wake_deleted(struct tcb_queue *q);
void sched_set_prio(struct tcb *t, uint8_t prio);
void sched_set_runnable(struct tcb *t);
void sched_resume(struct tcb *t); /* runnable, first of its priority */
void sched_block(struct tcb *t, enum tcb_state state);
void sched_yield(struct tcb *t);
struct tcb *sched_choose(void);
void tcb_suspend(struct tcb *t);
