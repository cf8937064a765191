/* CNode invocations: copy, mint, move, mutate, delete, revoke. Decode
 * looks everything up and checks it; only then does anything change. */
#include <object/cap.h>
#include <object/cspace.h>
#include <object/delete.h>
#include <object/invoke.h>

static bool copyable(const struct cap *c)
{
	/* One Untyped capability per region keeps its accounting single;
	 * IRQControl is unique by design; a page table is mapped once, by its
	 * one capability. */
	return c->type != CAP_UNTYPED && c->type != CAP_IRQ_CONTROL &&
	       c->type != CAP_PAGE_TABLE;
}

static bool badgeable(const struct cap *c)
{
	return c->type == CAP_ENDPOINT || c->type == CAP_NOTIFICATION;
}

/* Applies a badge (endpoints, notifications) or guard (CNodes): data is
 * guard_bits | guard << 6 for a CNode. */
static int apply_data(struct cap *c, uint64_t data)
{
	if (c->type == CAP_CNODE) {
		unsigned gbits = data & 63;
		uint64_t guard = data >> 6;

		if (gbits + c->size_bits > 64 || (gbits < 64 && (guard >> gbits) != 0))
			return SEPTA_E_ARG;
		c->guard_bits = (uint8_t)gbits;
		c->word = guard;
		return SEPTA_OK;
	}
	if (badgeable(c)) {
		if (c->word != 0)
			return SEPTA_E_ARG; /* badged once, for good */
		c->word = data;
		return SEPTA_OK;
	}
	return data ? SEPTA_E_ARG : SEPTA_OK;
}

static int two_slots(struct inv *iv, struct cte **dst, struct cte **src)
{
	int err;

	if (iv->ncaps < 1)
		return SEPTA_E_EXTRA_CAPS;
	err = cspace_lookup_slot(&iv->slot->cap, msg_get(iv->caller, 0),
				 (unsigned)msg_get(iv->caller, 1), dst);
	if (!err)
		err = cspace_lookup_slot(&iv->caps[0]->cap, msg_get(iv->caller, 2),
					 (unsigned)msg_get(iv->caller, 3), src);
	if (err)
		return err;
	if ((*src)->cap.type == CAP_NULL)
		return SEPTA_E_MISSING_CAP;
	if ((*dst)->cap.type != CAP_NULL)
		return SEPTA_E_DELETE_FIRST;
	return SEPTA_OK;
}

static int copy(struct inv *iv, bool mint)
{
	struct cte *dst, *src;
	struct cap c;
	int err;

	if (iv->len < (mint ? 6u : 5u))
		return SEPTA_E_ARG;
	err = two_slots(iv, &dst, &src);
	if (err)
		return err;
	if (!copyable(&src->cap))
		return SEPTA_E_CAP_TYPE;
	c = src->cap;
	c.rights &= (uint8_t)(msg_get(iv->caller, 4) & SEPTA_RIGHTS_ALL);
	if (c.type == CAP_FRAME)
		c.word = c.map = 0; /* a copy starts unmapped */
	if (mint) {
		err = apply_data(&c, msg_get(iv->caller, 5));
		if (err)
			return err;
	}
	cdt_insert(src, dst, &c);
	return SEPTA_OK;
}

static int move(struct inv *iv, bool mutate)
{
	struct cte *dst, *src;
	struct cap c;
	int err;

	if (iv->len < (mutate ? 5u : 4u))
		return SEPTA_E_ARG;
	err = two_slots(iv, &dst, &src);
	if (err)
		return err;
	c = src->cap;
	if (mutate) {
		/* Its copies keep what they were made with; change none under it. */
		if (src->first_child)
			return SEPTA_E_REVOKE_FIRST;
		err = apply_data(&c, msg_get(iv->caller, 4));
		if (err)
			return err;
	}
	cdt_move(dst, src);
	dst->cap = c;
	return SEPTA_OK;
}

static int one_slot(struct inv *iv, struct cte **slot)
{
	if (iv->len < 2)
		return SEPTA_E_ARG;
	return cspace_lookup_slot(&iv->slot->cap, msg_get(iv->caller, 0),
				  (unsigned)msg_get(iv->caller, 1), slot);
}

int cnode_invoke(struct inv *iv)
{
	struct cte *slot;
	int err;

	switch (iv->label) {
	case SEPTA_CNODE_COPY:
		return copy(iv, false);
	case SEPTA_CNODE_MINT:
		return copy(iv, true);
	case SEPTA_CNODE_MOVE:
		return move(iv, false);
	case SEPTA_CNODE_MUTATE:
		return move(iv, true);
	case SEPTA_CNODE_DELETE:
		err = one_slot(iv, &slot);
		if (!err)
			err = cap_delete_check(slot);
		if (!err)
			cap_delete(slot);
		return err;
	case SEPTA_CNODE_REVOKE:
		err = one_slot(iv, &slot);
		if (!err)
			err = cap_revoke_check(slot);
		if (!err)
			cap_revoke(slot);
		return err;
	}
	return SEPTA_E_LABEL;
}
