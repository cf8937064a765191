/*
 * Invocations, decoded from the one table (septa/invocations.def). For each
 * invocation NAME of its capability type an object file defines
 *   struct name_args  what the invocation will do, found by decoding;
 *   static int decode_name(const struct name_msg *m, struct name_args *a)
 *                     checks and looks up everything and changes nothing
 *                     but, on E_NO_TABLE, the reply that says what is
 *                     missing (iv->reply_len set with it);
 *   static void invoke_name([const] struct name_args *a)
 *                     does it, and cannot fail (the map invocations use
 *                     up the table pages lent in a, hence not const); a
 *                     long one does a bounded step and sets iv->restart
 *                     while more is left (INV_RESTART, object/invoke.h);
 * and INV_DISPATCH(obj_invoke, SEPTA_<OBJ>_INVOCATIONS) makes the type's
 * entry point (declared in object/invoke.h). That checks the message carries the
 * registers and capabilities the table lists (E_ARG, E_EXTRA_CAPS), unpacks them by name
 * into struct name_msg, decodes and only then invokes.
 */
#pragma once
#include <object/invoke.h>
#include <object/tcb.h>

/* The message of one invocation: its registers and capabilities by name,
 * and the invocation itself for the rest (target, caller, variable tail). */
#define INV_MSG_MR(ctype, field, doc) uint64_t field;
#define INV_MSG_CAP(field, doc)	      struct cte *field;
#define INV_MSG_STRUCT(OBJ, NAME, name, ...)                                             \
	struct name##_msg {                                                              \
		struct inv *iv;                                                          \
		SEPTA_ARGS_##NAME(INV_MSG_MR, INV_MSG_CAP, SEPTA_ARG_NONE)               \
	};
SEPTA_INVOCATIONS(INV_MSG_STRUCT)
#undef INV_MSG_STRUCT

static inline int inv_check_length(const struct inv *iv, unsigned nmr, unsigned ncaps)
{
	if (iv->len < nmr)
		return SEPTA_E_ARG;
	if (iv->ncaps < ncaps)
		return SEPTA_E_EXTRA_CAPS;
	return SEPTA_OK;
}

#define INV_UNPACK_MR(ctype, field, doc) m.field = msg_get(iv->caller, nmr++);
#define INV_UNPACK_CAP(field, doc)	 m.field = iv->caps[ncaps++];
#define INV_CASE(OBJ, NAME, name, ...)                                                   \
	case SEPTA_##NAME: {                                                             \
		struct name##_msg m = {.iv = iv};                                        \
		struct name##_args a;                                                    \
		unsigned nmr = 0, ncaps = 0;                                             \
		int err =                                                                \
		    inv_check_length(iv, SEPTA_INV_NMR(NAME), SEPTA_INV_NCAPS(NAME));    \
                                                                                         \
		if (err)                                                                 \
			return err;                                                      \
		SEPTA_ARGS_##NAME(INV_UNPACK_MR, INV_UNPACK_CAP, SEPTA_ARG_NONE);        \
		(void)nmr;                                                               \
		(void)ncaps;                                                             \
		err = decode_##name(&m, &a);                                             \
		if (err)                                                                 \
			return err;                                                      \
		iv->reply_len = SEPTA_INV_NOUT(NAME);                                    \
		invoke_##name(&a);                                                       \
		return iv->restart ? INV_RESTART : SEPTA_OK;                             \
	}
#define INV_DISPATCH(fn, LIST)                                                           \
	int fn(struct inv *iv)                                                           \
	{                                                                                \
		switch (iv->label) {                                                     \
			LIST(INV_CASE)                                                   \
		}                                                                        \
		return SEPTA_E_LABEL;                                                    \
	}
