/* Message registers and the dispatch of invocations by capability type. */
#include <arch.h>
#include <object/cap.h>
#include <object/cspace.h>
#include <object/invoke.h>
#include <object/tcb.h>

uint64_t msg_get_buffer(const struct tcb *t, unsigned i)
{
	const struct septa_ipc_buffer *b = tcb_buffer(t);

	return b && i < SEPTA_MSG_MAX ? b->msg[i] : 0;
}

void msg_set_buffer(struct tcb *t, unsigned i, uint64_t v)
{
	struct septa_ipc_buffer *b = tcb_buffer(t);

	if (b && i < SEPTA_MSG_MAX)
		b->msg[i] = v;
}

void ipc_set_result(struct tcb *t, int status, uint64_t label, unsigned len)
{
	t->regs.x[0] = (uint64_t)(int64_t)status;
	t->regs.x[1] = septa_msginfo(label, 0, len);
}

int msg_lookup_caps(struct tcb *t, unsigned n, struct cte **out)
{
	const struct septa_ipc_buffer *b;
	const struct cap *root;

	if (n == 0)
		return SEPTA_OK; /* most messages: no buffer needed */
	b = tcb_buffer(t);
	if (!b)
		return SEPTA_E_EXTRA_CAPS;
	root = tcb_cspace(t);
	for (unsigned i = 0; i < n; i++) {
		int err = cspace_lookup_cap(root, b->caps_or_badges[i], &out[i]);

		if (err)
			return err;
	}
	return SEPTA_OK;
}

void invoke(struct tcb *t, struct cte *slot, uint64_t msginfo)
{
	struct inv iv = {.caller = t,
			 .slot = slot,
			 .label = SEPTA_MSG_LABEL(msginfo),
			 .len = SEPTA_MSG_LEN(msginfo),
			 .ncaps = SEPTA_MSG_CAPS(msginfo)};
	int err;

	if (iv.len > SEPTA_MSG_MAX) {
		err = SEPTA_E_MSG_LENGTH;
		goto out;
	}
	/* Its registers beyond the fourth are nowhere (the buffer went with
	 * its frame): read as zeros they would be another invocation. */
	if (iv.len > SEPTA_MSG_REGS && !tcb_buffer(t)) {
		err = SEPTA_E_NO_BUFFER;
		goto out;
	}
	err = msg_lookup_caps(t, iv.ncaps, iv.caps);
	if (err)
		goto out;
	switch (slot->cap.type) {
#define INV_TYPE_CASE(OBJ, obj, doc)                                                     \
	case CAP_##OBJ:                                                                  \
		err = obj##_invoke(&iv);                                                 \
		break;
		SEPTA_OBJECTS(INV_TYPE_CASE)
#undef INV_TYPE_CASE
	default:
		err = SEPTA_E_CAP_TYPE;
		break;
	}
	if (err == INV_RESTART) {
		arch_syscall_restart(&t->regs);
		return;
	}
out:
	/* Only a success or a decode that explains its refusal (E_NO_TABLE:
	 * where and how many, septa_no_table_mr) sets a reply length. */
	ipc_set_result(t, err, 0, iv.reply_len);
}
