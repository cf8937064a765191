/* Invocations of kernel objects (invoke.c dispatches to each type's
 * *_invoke) and the message registers they read and write. */
#pragma once
#include <object/cap.h>
#include <object/tcb.h>

/* An invocation being decoded: the invoked slot, the message and its
 * extra capabilities (already looked up), and the reply's length. */
struct inv {
	struct tcb *caller;
	struct cte *slot;
	uint64_t label;
	unsigned len;
	unsigned ncaps;
	struct cte *caps[SEPTA_MSG_MAX_CAPS];
	unsigned reply_len; /* 0 unless set: an error replies with no registers */
	bool restart;	    /* set by an invoke that did a step and has more */
};

/* ---- message registers ---- */
/* Message register i: x2-x5 for the first SEPTA_MSG_REGS, inline since
 * they are nearly all an invocation reads or writes; the IPC buffer
 * beyond them (read as 0, and dropped, when there is none). */
uint64_t msg_get_buffer(const struct tcb *t, unsigned i);
void msg_set_buffer(struct tcb *t, unsigned i, uint64_t v);

static inline uint64_t msg_get(const struct tcb *t, unsigned i)
{
	return i < SEPTA_MSG_REGS ? t->regs.x[2 + i] : msg_get_buffer(t, i);
}

static inline void msg_set(struct tcb *t, unsigned i, uint64_t v)
{
	if (i < SEPTA_MSG_REGS)
		t->regs.x[2 + i] = v;
	else
		msg_set_buffer(t, i, v);
}
void ipc_set_result(struct tcb *t, int status, uint64_t label, unsigned len);
/* Looks up the extra capabilities a thread names in its IPC buffer. */
int msg_lookup_caps(struct tcb *t, unsigned n, struct cte **out);

/*
 * What an invocation returns when it did one bounded step of a long
 * operation (a big revoke, delete or clear) and has more to do: not an
 * error user level sees. The caller's registers are left as they were and
 * its SVC is executed again, so each kernel entry stays bounded and
 * interrupts are taken between steps. Each step must leave every object
 * consistent and record its progress in kernel state (not in the caller's
 * registers), since another thread may act on the same objects between
 * steps.
 */
#define INV_RESTART 1

/* Decodes and performs an invocation of a kernel object by thread t; sets
 * t's status and reply registers, or restarts its call (INV_RESTART). */
void invoke(struct tcb *t, struct cte *slot, uint64_t msginfo);
/* Each capability type's entry point, obj_invoke(iv), from the table of
 * invocations (septa/invocations.def); object/decode.h makes them. */
#define INV_ENTRY_DECL(OBJ, obj, doc) int obj##_invoke(struct inv *iv);
SEPTA_OBJECTS(INV_ENTRY_DECL)
#undef INV_ENTRY_DECL
