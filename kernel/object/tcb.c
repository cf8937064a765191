/* Thread control blocks: state, suspension, and the TCB invocations. */
#include <arch.h>
#include <core/sched.h>
#include <object/cap.h>
#include <object/cspace.h>
#include <object/endpoint.h>
#include <object/decode.h>
#include <object/notification.h>
#include <object/tcb.h>
#include <object/vcpu.h>

#define TCB_REGS_MAX 33u /* pc, sp, x0-x30 */

void tcb_init(struct tcb *t)
{
	/* Memory from retype is zeroed: INACTIVE, priority 0, no slots. */
	t->state = TCB_INACTIVE;
}

struct cap *tcb_cspace(const struct tcb *t)
{
	return (struct cap *)&t->slots[TCB_SLOT_CSPACE].cap;
}

struct vspace *tcb_vspace(const struct tcb *t)
{
	const struct cap *c = &t->slots[TCB_SLOT_VSPACE].cap;

	return c->type == CAP_VSPACE ? (struct vspace *)(uintptr_t)c->obj : NULL;
}

struct septa_ipc_buffer *tcb_buffer(const struct tcb *t)
{
	const struct cap *c = &t->slots[TCB_SLOT_BUFFER].cap;

	return c->type == CAP_FRAME ? (struct septa_ipc_buffer *)(uintptr_t)c->obj : NULL;
}

/* Stops t wherever it is: off the ready queue and out of any IPC queue. A
 * caller waiting for t's reply keeps waiting; t can still answer it. */
void tcb_suspend(struct tcb *t)
{
	switch (t->state) {
	case TCB_BLOCKED_SEND:
	case TCB_BLOCKED_RECV:
		endpoint_cancel(t);
		break;
	case TCB_BLOCKED_NTFN:
		notification_cancel(t);
		break;
	case TCB_BLOCKED_WFI:
		sched_wait_cancel(t);
		break;
	case TCB_BLOCKED_REPLY:
		if (t->replier)
			t->replier->reply_to = NULL;
		t->replier = NULL;
		break;
	}
	t->fault = 0;
	sched_block(t, TCB_INACTIVE);
}

void tcb_finalise(struct tcb *t)
{
	tcb_suspend(t);
	if (t->reply_to) {
		/* Its caller can no longer be answered: it stays blocked until
		 * someone suspends it, as with a lost reply capability. */
		t->reply_to->replier = NULL;
		t->reply_to = NULL;
	}
	if (t->bound_ntfn) {
		t->bound_ntfn->bound = NULL;
		t->bound_ntfn = NULL;
	}
	if (t->vcpu)
		vcpu_unbind(t->vcpu); /* no guest mode for a native return */
	sched_forget(t);
	arch_tcb_forget(t);
}

static bool configured(const struct tcb *t)
{
	return t->slots[TCB_SLOT_CSPACE].cap.type == CAP_CNODE &&
	       t->slots[TCB_SLOT_VSPACE].cap.type == CAP_VSPACE;
}

static uint64_t *reg_ref(struct tcb *t, unsigned i)
{
	if (i == 0)
		return &t->regs.elr;
	if (i == 1)
		return &t->regs.sp;
	return &t->regs.x[i - 2];
}

static struct tcb *target(const struct inv *iv)
{
	return (struct tcb *)(uintptr_t)iv->slot->cap.obj;
}

struct tcb_configure_args {
	struct tcb *t;
	struct cte *cspace, *vspace, *buffer, *fault; /* fault: NULL for none */
	uint64_t buffer_ipa;
};

static int decode_tcb_configure(const struct tcb_configure_msg *m,
				struct tcb_configure_args *a)
{
	const struct cap *cs = &m->cspace->cap, *vs = &m->vspace->cap,
			 *buf = &m->buffer_frame->cap;

	/* The kernel writes IPC buffers through its map of RAM, so a device
	 * frame cannot be one. */
	if (cs->type != CAP_CNODE || vs->type != CAP_VSPACE || buf->type != CAP_FRAME ||
	    buf->size_bits != SEPTA_PAGE_SHIFT || (buf->flags & CAP_F_DEVICE))
		return SEPTA_E_CAP_TYPE;
	/* The kernel writes every message the thread receives into the
	 * buffer: a read-only capability must not let it write the page. */
	if ((buf->rights & (SEPTA_RIGHT_READ | SEPTA_RIGHT_WRITE)) !=
	    (SEPTA_RIGHT_READ | SEPTA_RIGHT_WRITE))
		return SEPTA_E_RIGHTS;
	if (!IS_ALIGNED(m->buffer_ipa, SEPTA_PAGE_SIZE))
		return SEPTA_E_ALIGN;
	a->fault = NULL;
	if (m->fault_ep) {
		int err =
		    cspace_lookup_cap(tcb_cspace(m->iv->caller), m->fault_ep, &a->fault);

		if (err)
			return err;
		if (a->fault->cap.type != CAP_ENDPOINT)
			return SEPTA_E_CAP_TYPE;
		if (!(a->fault->cap.rights & SEPTA_RIGHT_WRITE))
			return SEPTA_E_RIGHTS;
	}
	a->t = target(m->iv);
	for (unsigned i = 0; i < TCB_SLOTS; i++)
		if (a->t->slots[i].cap.type != CAP_NULL)
			return SEPTA_E_STATE; /* configured once */
	a->cspace = m->cspace;
	a->vspace = m->vspace;
	a->buffer = m->buffer_frame;
	a->buffer_ipa = m->buffer_ipa;
	return SEPTA_OK;
}

/* The TCB's slots hold copies made by the one rule (cap_copy_of): the
 * buffer's copy starts unmapped, or deleting the TCB would remove the
 * mapping its frame capability made. Decode let only types through that
 * the rule copies. */
static void bind_copy(struct cte *src, struct cte *dst)
{
	struct cap copy;

	cap_copy_of(&src->cap, &copy);
	cdt_insert(src, dst, &copy);
}

static void invoke_tcb_configure(const struct tcb_configure_args *a)
{
	struct tcb *t = a->t;

	bind_copy(a->cspace, &t->slots[TCB_SLOT_CSPACE]);
	bind_copy(a->vspace, &t->slots[TCB_SLOT_VSPACE]);
	bind_copy(a->buffer, &t->slots[TCB_SLOT_BUFFER]);
	if (a->fault)
		bind_copy(a->fault, &t->slots[TCB_SLOT_FAULT]);
	t->buffer_ipa = a->buffer_ipa;
}

/* Set priority and set MCP: both bounded by the caller's MCP, so nobody
 * hands out more than it has. */
struct tcb_set_priority_args {
	struct tcb *t;
	uint8_t prio;
};
#define tcb_set_mcp_args tcb_set_priority_args

static int decode_prio(const struct inv *iv, uint64_t p, struct tcb_set_priority_args *a)
{
	if (p > SEPTA_PRIO_MAX)
		return SEPTA_E_RANGE;
	if (p > iv->caller->mcp)
		return SEPTA_E_PERM;
	a->t = target(iv);
	a->prio = (uint8_t)p;
	return SEPTA_OK;
}

static int decode_tcb_set_priority(const struct tcb_set_priority_msg *m,
				   struct tcb_set_priority_args *a)
{
	return decode_prio(m->iv, m->prio, a);
}

static void invoke_tcb_set_priority(const struct tcb_set_priority_args *a)
{
	sched_set_prio(a->t, a->prio);
}

static int decode_tcb_set_mcp(const struct tcb_set_mcp_msg *m,
			      struct tcb_set_priority_args *a)
{
	return decode_prio(m->iv, m->mcp, a);
}

static void invoke_tcb_set_mcp(const struct tcb_set_priority_args *a)
{
	a->t->mcp = a->prio;
}

/* Suspend, resume, unbind: only the thread. */
struct tcb_suspend_args {
	struct tcb *t;
};
#define tcb_resume_args		     tcb_suspend_args
#define tcb_unbind_notification_args tcb_suspend_args

static int decode_tcb_suspend(const struct tcb_suspend_msg *m, struct tcb_suspend_args *a)
{
	a->t = target(m->iv);
	return SEPTA_OK;
}

static void invoke_tcb_suspend(const struct tcb_suspend_args *a)
{
	tcb_suspend(a->t);
}

static int decode_tcb_resume(const struct tcb_resume_msg *m, struct tcb_suspend_args *a)
{
	a->t = target(m->iv);
	/* Resuming a thread that is not stopped does nothing. */
	if (a->t->state == TCB_INACTIVE && !configured(a->t))
		return SEPTA_E_STATE;
	return SEPTA_OK;
}

static void invoke_tcb_resume(const struct tcb_suspend_args *a)
{
	if (a->t->state == TCB_INACTIVE)
		sched_set_runnable(a->t);
}

struct tcb_read_registers_args {
	struct inv *iv; /* the reply is as long as asked */
	struct tcb *t;
	unsigned n;
};

static int decode_tcb_read_registers(const struct tcb_read_registers_msg *m,
				     struct tcb_read_registers_args *a)
{
	if (m->count < 1 || m->count > TCB_REGS_MAX)
		return SEPTA_E_RANGE;
	if (target(m->iv) == m->iv->caller)
		return SEPTA_E_STATE;
	if (m->count > SEPTA_MSG_REGS && !tcb_buffer(m->iv->caller))
		return SEPTA_E_NO_BUFFER;
	a->iv = m->iv;
	a->t = target(m->iv);
	a->n = (unsigned)m->count;
	return SEPTA_OK;
}

static void invoke_tcb_read_registers(const struct tcb_read_registers_args *a)
{
	for (unsigned i = 0; i < a->n; i++)
		msg_set(a->iv->caller, i, *reg_ref(a->t, i));
	a->iv->reply_len = a->n;
}

struct tcb_write_registers_args {
	struct tcb *t;
	const struct tcb *from; /* the caller: its MRs from 2 on */
	unsigned n;
	bool resume;
};

static int decode_tcb_write_registers(const struct tcb_write_registers_msg *m,
				      struct tcb_write_registers_args *a)
{
	struct tcb *t = target(m->iv);

	if (m->count > TCB_REGS_MAX)
		return SEPTA_E_RANGE;
	if (m->iv->len < 2 + m->count)
		return SEPTA_E_ARG;
	if (t == m->iv->caller)
		return SEPTA_E_STATE;
	if (m->resume && t->state == TCB_INACTIVE && !configured(t))
		return SEPTA_E_STATE;
	a->t = t;
	a->from = m->iv->caller;
	a->n = (unsigned)m->count;
	a->resume = m->resume;
	return SEPTA_OK;
}

static void invoke_tcb_write_registers(const struct tcb_write_registers_args *a)
{
	for (unsigned i = 0; i < a->n; i++)
		*reg_ref(a->t, i) = msg_get(a->from, 2 + i);
	if (a->resume && a->t->state == TCB_INACTIVE)
		sched_set_runnable(a->t);
}

struct tcb_bind_notification_args {
	struct tcb *t;
	struct notification *n;
};

static int decode_tcb_bind_notification(const struct tcb_bind_notification_msg *m,
					struct tcb_bind_notification_args *a)
{
	if (m->ntfn->cap.type != CAP_NOTIFICATION)
		return SEPTA_E_CAP_TYPE;
	/* The bound thread receives the signals: that takes the right to
	 * wait, or a signal-only capability would let its holder take them
	 * from whoever waits (an interrupt's driver, say). */
	if (!(m->ntfn->cap.rights & SEPTA_RIGHT_READ))
		return SEPTA_E_RIGHTS;
	a->t = target(m->iv);
	a->n = (struct notification *)(uintptr_t)m->ntfn->cap.obj;
	if (a->t->bound_ntfn || a->n->bound)
		return SEPTA_E_IN_USE;
	return SEPTA_OK;
}

static void invoke_tcb_bind_notification(const struct tcb_bind_notification_args *a)
{
	a->t->bound_ntfn = a->n;
	a->n->bound = a->t;
}

static int decode_tcb_unbind_notification(const struct tcb_unbind_notification_msg *m,
					  struct tcb_suspend_args *a)
{
	a->t = target(m->iv);
	return a->t->bound_ntfn ? SEPTA_OK : SEPTA_E_STATE;
}

static void invoke_tcb_unbind_notification(const struct tcb_suspend_args *a)
{
	a->t->bound_ntfn->bound = NULL;
	a->t->bound_ntfn = NULL;
}

INV_DISPATCH(tcb_invoke, SEPTA_TCB_INVOCATIONS)
