/*
 * Capability lookup in guarded radix CNodes. A capability pointer is read
 * from its most significant resolved bit down: at each CNode the guard must
 * match, then radix bits pick the slot.
 */
#include <object/cap.h>
#include <object/cspace.h>

/*
 * Resolves up to `depth` bits. With exact, the bits must run out exactly
 * at a slot; otherwise resolution also ends at the first slot that does
 * not hold a CNode (the usual way a cptr names a capability).
 */
static int resolve_slow(const struct cap *root, uint64_t cptr, unsigned depth, bool exact,
			struct cte **out)
{
	const struct cap *node = root;
	unsigned left = depth;

	if (depth == 0 || depth > 64)
		return SEPTA_E_DEPTH;
	if (root->type != CAP_CNODE)
		return SEPTA_E_INVALID_ROOT;
	for (;;) {
		unsigned g = node->guard_bits, r = node->size_bits;
		struct cte *slot;

		if (g + r > left)
			return SEPTA_E_DEPTH;
		if (cspace_bits_at(cptr, left, g) != node->word)
			return SEPTA_E_GUARD;
		slot = (struct cte *)(uintptr_t)node->obj +
		       cspace_bits_at(cptr, left - g, r);
		left -= g + r;
		if (left == 0) {
			*out = slot;
			return SEPTA_OK;
		}
		if (slot->cap.type != CAP_CNODE) {
			/* A CNode being deleted: nothing under it is reachable. */
			if (slot->cap.type == CAP_ZOMBIE)
				return SEPTA_E_ZOMBIE;
			if (exact)
				return slot->cap.type == CAP_NULL ? SEPTA_E_MISSING_CAP
								  : SEPTA_E_DEPTH;
			*out = slot;
			return SEPTA_OK;
		}
		node = &slot->cap;
	}
}

/*
 * resolve's usual case, at about half the cost of resolve_slow's loop
 * (whose shifts must allow a guard or radix of 0 or 64 bits): every
 * CNode on the way has 1..63 slot bits. It only ever answers the slot
 * resolve_slow would find; for anything else (a guard that differs, too
 * few bits left, a zombie, exact bits that do not run out at a slot, a
 * CNode of 0 or 64 slot bits) it returns NULL and resolve_slow decides,
 * error codes and all. The bits not yet resolved are kept at the top of
 * u, so no shift is by 64: r >= 1 and g + r <= 64 make g <= 63.
 */
static inline struct cte *resolve_fast(const struct cap *node, uint64_t cptr,
				       unsigned depth, bool exact)
{
	unsigned left = depth;
	uint64_t u;

	if (depth == 0 || depth > 64)
		return NULL;
	u = cptr << (64 - depth);
	for (;;) {
		unsigned g, r;
		struct cte *slot;

		if (node->type != CAP_CNODE)
			return NULL;
		g = node->guard_bits;
		r = node->size_bits;
		if (r == 0 || r == 64 || g + r > left)
			return NULL;
		if ((g ? u >> (64 - g) : 0) != node->word)
			return NULL;
		u <<= g;
		slot = (struct cte *)(uintptr_t)node->obj + (u >> (64 - r));
		u <<= r;
		left -= g + r;
		if (left == 0)
			return slot;
		if (slot->cap.type != CAP_CNODE)
			return exact || slot->cap.type == CAP_ZOMBIE ? NULL : slot;
		node = &slot->cap;
	}
}

static int resolve(const struct cap *root, uint64_t cptr, unsigned depth, bool exact,
		   struct cte **out)
{
	struct cte *slot = resolve_fast(root, cptr, depth, exact);

	if (!slot)
		return resolve_slow(root, cptr, depth, exact, out);
	*out = slot;
	return SEPTA_OK;
}

int cspace_lookup_cap(const struct cap *root, uint64_t cptr, struct cte **out)
{
	struct cte *slot;
	int err = resolve(root, cptr, 64, false, &slot);

	if (err)
		return err;
	if (slot->cap.type == CAP_NULL)
		return SEPTA_E_MISSING_CAP;
	if (slot->cap.type == CAP_ZOMBIE)
		return SEPTA_E_ZOMBIE; /* only CNODE_DELETE/REVOKE name its slot */
	*out = slot;
	return SEPTA_OK;
}

int cspace_lookup_slot(const struct cap *root, uint64_t index, uint64_t depth,
		       struct cte **out)
{
	/* depth is a whole message register: bounded before it is narrowed, a
	 * wide one goes in as 0, which resolve refuses with E_DEPTH. */
	return resolve(root, index, depth > 64 ? 0 : (unsigned)depth, true, out);
}
