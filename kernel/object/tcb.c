/* Thread control blocks: state, suspension, and the TCB invocations. */
#include <arch.h>
#include <core/sched.h>
#include <object/cap.h>
#include <object/cspace.h>
#include <object/endpoint.h>
#include <object/invoke.h>
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
	if (t->vcpu) {
		t->vcpu->tcb = NULL;
		t->vcpu = NULL;
	}
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

static int configure(struct inv *iv, struct tcb *t)
{
	const struct cap *cs, *vs, *buf;
	struct cte *fault = NULL;
	uint64_t fault_cptr, buffer_ipa;

	if (iv->len < 2)
		return SEPTA_E_ARG;
	if (iv->ncaps < 3)
		return SEPTA_E_EXTRA_CAPS;
	cs = &iv->caps[0]->cap;
	vs = &iv->caps[1]->cap;
	buf = &iv->caps[2]->cap;
	fault_cptr = msg_get(iv->caller, 0);
	buffer_ipa = msg_get(iv->caller, 1);
	/* The kernel writes IPC buffers through its map of RAM, so a device
	 * frame cannot be one. */
	if (cs->type != CAP_CNODE || vs->type != CAP_VSPACE || buf->type != CAP_FRAME ||
	    buf->size_bits != PAGE_SHIFT || (buf->flags & CAP_F_DEVICE))
		return SEPTA_E_CAP_TYPE;
	if (!IS_ALIGNED(buffer_ipa, PAGE_SIZE))
		return SEPTA_E_ALIGN;
	if (fault_cptr) {
		int err = cspace_lookup_cap(tcb_cspace(iv->caller), fault_cptr, &fault);

		if (err)
			return err;
		if (fault->cap.type != CAP_ENDPOINT)
			return SEPTA_E_CAP_TYPE;
		if (!(fault->cap.rights & SEPTA_RIGHT_WRITE))
			return SEPTA_E_RIGHTS;
	}
	for (unsigned i = 0; i < TCB_SLOTS; i++)
		if (t->slots[i].cap.type != CAP_NULL)
			return SEPTA_E_STATE; /* configured once */

	cdt_insert(iv->caps[0], &t->slots[TCB_SLOT_CSPACE], cs);
	cdt_insert(iv->caps[1], &t->slots[TCB_SLOT_VSPACE], vs);
	cdt_insert(iv->caps[2], &t->slots[TCB_SLOT_BUFFER], buf);
	if (fault)
		cdt_insert(fault, &t->slots[TCB_SLOT_FAULT], &fault->cap);
	t->buffer_ipa = buffer_ipa;
	return SEPTA_OK;
}

static int read_registers(struct inv *iv, struct tcb *t)
{
	uint64_t n;

	if (iv->len < 1)
		return SEPTA_E_ARG;
	n = msg_get(iv->caller, 0);
	if (n < 1 || n > TCB_REGS_MAX)
		return SEPTA_E_RANGE;
	if (t == iv->caller)
		return SEPTA_E_STATE;
	if (n > SEPTA_MSG_REGS && !tcb_buffer(iv->caller))
		return SEPTA_E_RANGE;
	for (unsigned i = 0; i < n; i++)
		msg_set(iv->caller, i, *reg_ref(t, i));
	iv->reply_len = (unsigned)n;
	return SEPTA_OK;
}

static int write_registers(struct inv *iv, struct tcb *t)
{
	uint64_t resume, n;

	if (iv->len < 2)
		return SEPTA_E_ARG;
	resume = msg_get(iv->caller, 0);
	n = msg_get(iv->caller, 1);
	if (n > TCB_REGS_MAX)
		return SEPTA_E_RANGE;
	if (iv->len < 2 + n)
		return SEPTA_E_ARG;
	if (t == iv->caller)
		return SEPTA_E_STATE;
	if (resume && t->state == TCB_INACTIVE && !configured(t))
		return SEPTA_E_STATE;
	for (unsigned i = 0; i < n; i++)
		*reg_ref(t, i) = msg_get(iv->caller, 2 + i);
	if (resume && t->state == TCB_INACTIVE)
		sched_set_runnable(t);
	return SEPTA_OK;
}

static int decode_prio(const struct inv *iv, uint8_t *prio)
{
	uint64_t p;

	if (iv->len < 1)
		return SEPTA_E_ARG;
	p = msg_get(iv->caller, 0);
	if (p > SEPTA_PRIO_MAX)
		return SEPTA_E_RANGE;
	if (p > iv->caller->mcp)
		return SEPTA_E_PERM;
	*prio = (uint8_t)p;
	return SEPTA_OK;
}

int tcb_invoke(struct inv *iv)
{
	struct tcb *t = (struct tcb *)(uintptr_t)iv->slot->cap.obj;
	struct notification *n;
	uint8_t prio;

	switch (iv->label) {
	case SEPTA_TCB_CONFIGURE:
		return configure(iv, t);
	case SEPTA_TCB_SET_PRIORITY:
	case SEPTA_TCB_SET_MCP: {
		/* Both bounded by the caller's MCP: nobody hands out more than
		 * it has. */
		int err = decode_prio(iv, &prio);

		if (err)
			return err;
		if (iv->label == SEPTA_TCB_SET_MCP)
			t->mcp = prio;
		else
			sched_set_prio(t, prio);
		return SEPTA_OK;
	}
	case SEPTA_TCB_SUSPEND:
		tcb_suspend(t);
		return SEPTA_OK;
	case SEPTA_TCB_RESUME:
		if (t->state != TCB_INACTIVE)
			return SEPTA_OK;
		if (!configured(t))
			return SEPTA_E_STATE;
		sched_set_runnable(t);
		return SEPTA_OK;
	case SEPTA_TCB_READ_REGISTERS:
		return read_registers(iv, t);
	case SEPTA_TCB_WRITE_REGISTERS:
		return write_registers(iv, t);
	case SEPTA_TCB_BIND_NOTIFICATION:
		if (iv->ncaps < 1)
			return SEPTA_E_EXTRA_CAPS;
		if (iv->caps[0]->cap.type != CAP_NOTIFICATION)
			return SEPTA_E_CAP_TYPE;
		n = (struct notification *)(uintptr_t)iv->caps[0]->cap.obj;
		if (t->bound_ntfn || n->bound)
			return SEPTA_E_IN_USE;
		t->bound_ntfn = n;
		n->bound = t;
		return SEPTA_OK;
	case SEPTA_TCB_UNBIND_NOTIFICATION:
		if (!t->bound_ntfn)
			return SEPTA_E_STATE;
		t->bound_ntfn->bound = NULL;
		t->bound_ntfn = NULL;
		return SEPTA_OK;
	}
	return SEPTA_E_LABEL;
}
