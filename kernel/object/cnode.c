/* CNode invocations: copy, mint, move, mutate, delete, revoke. Decode
 * looks everything up and checks it; only then does anything change. */
#include <object/cap.h>
#include <object/cspace.h>
#include <object/delete.h>
#include <object/decode.h>

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

/* Copy and mint: a capability derived from src goes into dst. Move and
 * mutate: src's capability goes to dst, perhaps changed. */
struct slot_pair {
	struct cte *dst, *src;
	struct cap cap; /* what dst will hold */
};
/* Delete and revoke: the slot; iv to say when a step leaves more to do. */
struct cnode_delete_args {
	struct inv *iv;
	struct cte *slot;
};
#define cnode_copy_args	  slot_pair
#define cnode_mint_args	  slot_pair
#define cnode_move_args	  slot_pair
#define cnode_mutate_args slot_pair
#define cnode_revoke_args cnode_delete_args
/* Mint and mutate differ from copy and move only in what they decode. */
#define invoke_cnode_mint   invoke_cnode_copy
#define invoke_cnode_mutate invoke_cnode_move

/* The slots every copy, mint, move and mutate message names. */
#define SLOT_PAIR(m)                                                                     \
	(m)->iv, (m)->dst, (m)->dst_depth, (m)->src_root, (m)->src, (m)->src_depth

/* Destination (under the invoked CNode) empty, source (under src_root)
 * full; dst is to hold src's capability unless the caller changes it. */
static int two_slots(const struct inv *iv, uint64_t dst, uint64_t dst_depth,
		     const struct cte *src_root, uint64_t src, uint64_t src_depth,
		     struct slot_pair *a)
{
	int err = cspace_lookup_slot(&iv->slot->cap, dst, dst_depth, &a->dst);

	if (!err)
		err = cspace_lookup_slot(&src_root->cap, src, src_depth, &a->src);
	if (err)
		return err;
	if (a->src->cap.type == CAP_NULL)
		return SEPTA_E_MISSING_CAP;
	if (a->src->cap.type == CAP_ZOMBIE)
		return SEPTA_E_ZOMBIE;
	if (a->dst->cap.type != CAP_NULL)
		return SEPTA_E_DELETE_FIRST;
	a->cap = a->src->cap;
	return SEPTA_OK;
}

/* A copy has at most the source's rights and starts unmapped. */
static int copy_of(const struct inv *iv, uint64_t dst, uint64_t dst_depth,
		   const struct cte *src_root, uint64_t src, uint64_t src_depth,
		   uint64_t rights, struct slot_pair *a)
{
	int err = two_slots(iv, dst, dst_depth, src_root, src, src_depth, a);

	if (err)
		return err;
	err = cap_copy_of(&a->src->cap, &a->cap);
	if (err)
		return err;
	a->cap.rights &= (uint8_t)(rights & SEPTA_RIGHTS_ALL);
	return SEPTA_OK;
}

static int decode_cnode_copy(const struct cnode_copy_msg *m, struct slot_pair *a)
{
	return copy_of(SLOT_PAIR(m), m->rights, a);
}

static int decode_cnode_mint(const struct cnode_mint_msg *m, struct slot_pair *a)
{
	int err = copy_of(SLOT_PAIR(m), m->rights, a);

	return err ? err : apply_data(&a->cap, m->badge);
}

static void invoke_cnode_copy(const struct slot_pair *a)
{
	cdt_insert(a->src, a->dst, &a->cap);
}

/* cdt_move re-points each child at the new slot: bounded, so that one
 * kernel entry never walks copies as many as user level made. */
static int decode_cnode_move(const struct cnode_move_msg *m, struct slot_pair *a)
{
	int err = two_slots(SLOT_PAIR(m), a);

	if (!err && cdt_children_over(a->src, SEPTA_MOVE_MAX_CHILDREN))
		return SEPTA_E_LIMIT;
	return err;
}

static int decode_cnode_mutate(const struct cnode_mutate_msg *m, struct slot_pair *a)
{
	int err = two_slots(SLOT_PAIR(m), a);

	if (err)
		return err;
	/* Its copies keep what they were made with; change none under it. */
	if (a->src->first_child)
		return SEPTA_E_REVOKE_FIRST;
	return apply_data(&a->cap, m->badge);
}

static void invoke_cnode_move(const struct slot_pair *a)
{
	cdt_move(a->dst, a->src);
	a->dst->cap = a->cap;
}

/* The slot (index, depth) under the invoked CNode: any slot, a zombie's
 * too (deleting it again is how its deletion goes on). Deletion cannot
 * fail, it only takes more than one step (cap_delete, cap_revoke). */
static int one_slot(struct inv *iv, uint64_t index, uint64_t depth,
		    struct cnode_delete_args *a)
{
	a->iv = iv;
	return cspace_lookup_slot(&iv->slot->cap, index, depth, &a->slot);
}

static int decode_cnode_delete(const struct cnode_delete_msg *m,
			       struct cnode_delete_args *a)
{
	int err = one_slot(m->iv, m->index, m->depth, a);

	if (err && m->iv->caller->del_again) {
		a->slot = NULL; /* taken over: done (cap_delete_again) */
		return SEPTA_OK;
	}
	return err;
}

static void invoke_cnode_delete(const struct cnode_delete_args *a)
{
	if (!a->slot)
		return;
	a->iv->restart = cap_delete(a->slot) == INV_RESTART;
	if (a->iv->restart)
		cap_delete_note_restart(a->iv->caller, a->slot);
}

static int decode_cnode_revoke(const struct cnode_revoke_msg *m,
			       struct cnode_delete_args *a)
{
	return one_slot(m->iv, m->index, m->depth, a);
}

static void invoke_cnode_revoke(const struct cnode_delete_args *a)
{
	a->iv->restart = cap_revoke(a->slot) == INV_RESTART;
}

INV_DISPATCH(cnode_invoke, SEPTA_CNODE_INVOCATIONS)
