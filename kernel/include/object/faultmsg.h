/*
 * The one encoding of a fault message and of its reply's effect, shared
 * by the full path (core/fault.c, object/endpoint.c) and the fault
 * fastpath (core/fastpath_fault.c), so that both leave the same bytes:
 * the decoded words kept in the faulting thread (fault_record), the
 * message the handler receives (fault_msg_write), and what a reply with
 * label 0 does to the thread (fault_resume). Inline: on the fastpath they
 * are its body.
 */
#pragma once
#include <arch.h>
#include <object/invoke.h>
#include <object/tcb.h>

_Static_assert(sizeof(((struct tcb *)0)->fault_mr) / sizeof(uint64_t) >= SEPTA_HVC_LEN &&
		   SEPTA_HVC_LEN >= SEPTA_ABORT_LEN,
	       "every fault message fits");

/* The fault being delivered, kept until the reply (which reads the access
 * word and the address) or a deletion. */
static inline __attribute__((always_inline)) void
fault_record(struct tcb *t, unsigned label, const uint64_t *mrs, unsigned n)
{
	t->fault = (uint8_t)label;
	t->fault_len =
	    (uint8_t)(n < ARRAY_SIZE(t->fault_mr) ? n : ARRAY_SIZE(t->fault_mr));
	for (unsigned i = 0; i < t->fault_len; i++)
		t->fault_mr[i] = mrs[i];
}

/* Where word i of a fault message goes in the handler: x2-x5, then its
 * IPC buffer tb. */
static inline __attribute__((always_inline)) void
fault_msg_put(struct tcb *to, struct septa_ipc_buffer *tb, unsigned i, uint64_t v)
{
	if (i < SEPTA_MSG_REGS)
		to->regs.x[2 + i] = v;
	else
		tb->msg[i] = v;
}

/* The length of the message of a fault of fault_len words that arrives
 * in a handler with buffer tb (NULL if it has none: then what fits in the
 * registers). */
static inline unsigned fault_msg_len(unsigned fault_len,
				     const struct septa_ipc_buffer *tb)
{
	return fault_len > SEPTA_MSG_REGS && !tb ? SEPTA_MSG_REGS : fault_len;
}

/* The kernel's words, straight to the handler's registers and buffer; the
 * length that arrived. The caller writes x0, x1 (the label and that
 * length) and the badge. */
static inline __attribute__((always_inline)) unsigned
fault_msg_write(const struct tcb *from, struct tcb *to, struct septa_ipc_buffer *tb)
{
	unsigned len = fault_msg_len(from->fault_len, tb);

	for (unsigned i = 0; i < len; i++)
		fault_msg_put(to, tb, i, from->fault_mr[i]);
	return len;
}

/* A SEPTA_REPLY_STORE (object/faultstore.c): fault_store_check checks
 * it against t's recorded fault and its VSpace now, changing nothing, and
 * says where and what to store; fault_store_commit stores it. Nothing may
 * change t's VSpace in between. */
struct fault_store {
	void *p; /* the kernel's address of the byte at the fault's IPA */
	uint64_t value;
	unsigned size_log2;
};
int fault_store_check(const struct tcb *t, unsigned fault, struct fault_store *s);

static inline void fault_store_commit(const struct fault_store *s)
{
	arch_fault_store(s->p, s->size_log2, s->value);
}

/* msg_get, with the registers' part inline. */
static inline uint64_t fault_reply_word(const struct tcb *replier, unsigned i)
{
	return i < SEPTA_MSG_REGS ? replier->regs.x[2 + i] : msg_get(replier, i);
}

/* What an emulated load of `access` leaves in its register: the value at
 * the access's size, sign-extended if the load says so, into a W or an X. */
static inline uint64_t fault_loaded_value(uint64_t access, uint64_t v)
{
	unsigned bits = 8 * SEPTA_ACCESS_SIZE(access);

	if (bits < 64) {
		v &= (1ULL << bits) - 1;
		if ((access & SEPTA_ACCESS_SIGNED) && (v >> (bits - 1)))
			v |= ~0ULL << bits;
	}
	return access & SEPTA_ACCESS_WIDE ? v : v & 0xffffffffULL;
}

_Static_assert((int)SEPTA_ABORT_ACCESS == (int)SEPTA_SYSREG_ACCESS,
	       "emulated accesses share one access word");

_Static_assert(SEPTA_HVC_LEN == 8, "one case a register");
#define FAULT_REPLY_X(n)                                                                 \
	case n:                                                                          \
		t->regs.x[(n)-1] = fault_reply_word(replier, (n)-1);                     \
		__attribute__((fallthrough))

/*
 * How a reply with label 0 and len words resumes a faulted thread
 * (septa/fault.h). An abort or a system-register access was performed by
 * the handler: a described read gets the reply's value, or zero if the
 * reply carries none (never what the register held before); the
 * instruction is stepped over.
 */
static inline __attribute__((always_inline)) void
fault_resume(struct tcb *t, unsigned fault, const struct tcb *replier, unsigned len)
{
	uint64_t access = t->fault_mr[SEPTA_ABORT_ACCESS];
	unsigned reg = SEPTA_ACCESS_REG(access);

	switch (fault) {
	case SEPTA_FAULT_HVC:
	case SEPTA_FAULT_SMC:
		/* x0.. from the reply's words, as far as it has them: unrolled,
		 * each one load and one store. */
		switch (len < SEPTA_HVC_LEN ? len : SEPTA_HVC_LEN) {
			FAULT_REPLY_X(8);
			FAULT_REPLY_X(7);
			FAULT_REPLY_X(6);
			FAULT_REPLY_X(5);
			FAULT_REPLY_X(4);
			FAULT_REPLY_X(3);
			FAULT_REPLY_X(2);
			FAULT_REPLY_X(1);
		default:
			break;
		}
		if (fault == SEPTA_FAULT_SMC)
			t->regs.elr += 4;
		break;
	case SEPTA_FAULT_ABORT:
	case SEPTA_FAULT_SYSREG:
		if (SEPTA_ACCESS_KIND(access) == SEPTA_ACCESS_READ &&
		    (access & SEPTA_ACCESS_VALID) && reg != 31)
			t->regs.x[reg] =
			    len > SEPTA_REPLY_VALUE
				? fault_loaded_value(
				      access,
				      fault_reply_word(replier, SEPTA_REPLY_VALUE))
				: 0;
		if (access & SEPTA_ACCESS_AARCH32)
			arch_step_aarch32(&t->regs, access);
		else
			t->regs.elr += 4;
		break;
	default:
		if (len > SEPTA_REPLY_PC)
			t->regs.elr = fault_reply_word(replier, SEPTA_REPLY_PC);
		if (len > SEPTA_REPLY_SP)
			t->regs.sp = fault_reply_word(replier, SEPTA_REPLY_SP);
		break;
	}
}
