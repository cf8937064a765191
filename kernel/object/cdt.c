/*
 * The capability derivation tree. Children are kept in a doubly linked
 * sibling list under their parent; deleting a capability hands its
 * children to its parent, so every capability to an object stays in one
 * subtree rooted at the capability its Untyped gave out.
 */
#include <object/cap.h>

static void list_add(struct cte *parent, struct cte *child)
{
	child->parent = parent;
	child->prev = NULL;
	child->next = parent ? parent->first_child : NULL;
	if (child->next)
		child->next->prev = child;
	if (parent)
		parent->first_child = child;
}

static void list_remove(struct cte *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else if (c->parent)
		c->parent->first_child = c->next;
	if (c->next)
		c->next->prev = c->prev;
	c->parent = c->next = c->prev = NULL;
}

void cdt_insert(struct cte *parent, struct cte *child, const struct cap *cap)
{
	child->cap = *cap;
	child->first_child = NULL;
	list_add(parent, child);
}

/* Only for a slot without children: a deletion hands them on first, a
 * step at a time (cdt_hand_on_child). */
void cdt_unlink(struct cte *slot)
{
	list_remove(slot);
	slot->cap = (struct cap){0};
}

static void take_place(struct cte *c, struct cte *slot);

/*
 * One O(1) step of taking slot's children off it before it goes (a slot
 * may have any number, so a deletion does this a step at a time). They go
 * to slot's parent where that keeps the rule that a non-Untyped
 * capability's children are copies of it: slot is an Untyped, or a copy
 * (its parent refers to the same object). Otherwise slot is its object's
 * original and they are copies of it: the first takes slot's place at
 * once and slot goes under it as its peer, so the others then follow one
 * a step as from any copy, marked as peers, and every step leaves each
 * relation true however the deletion is cut short. They stay together
 * under the first so finality stays a local question (copies handed to an
 * Untyped side by side would each look final).
 */
enum cdt_hand cdt_hand_on_child(struct cte *slot)
{
	struct cte *c = slot->first_child;

	if (!c)
		return CDT_NO_CHILD;
	if (slot->cap.type == CAP_UNTYPED) {
		slot->cap.flags |= CAP_F_HANDED;
		list_remove(c);
		list_add(slot->parent, c);
		return CDT_HANDED;
	}
	if (!cdt_is_copy(slot)) {
		cdt_step_aside(slot);
		return CDT_HANDED;
	}
	/* Derived from slot's parent exactly when slot was. */
	c->cap.flags =
	    (uint8_t)((c->cap.flags & ~CAP_F_PEER) | (slot->cap.flags & CAP_F_PEER));
	list_remove(c);
	list_add(slot->parent, c);
	return CDT_HANDED;
}

/* c, off the tree, takes slot's place there, and its relation to the
 * parent (derived or peer); slot is left off the tree. */
static void take_place(struct cte *c, struct cte *slot)
{
	c->parent = slot->parent;
	c->prev = slot->prev;
	c->next = slot->next;
	if (c->prev)
		c->prev->next = c;
	else if (c->parent)
		c->parent->first_child = c;
	if (c->next)
		c->next->prev = c;
	c->cap.flags =
	    (uint8_t)((c->cap.flags & ~CAP_F_PEER) | (slot->cap.flags & CAP_F_PEER));
	slot->parent = slot->prev = slot->next = NULL;
}

void cdt_step_aside(struct cte *slot)
{
	struct cte *p = slot->first_child;

	list_remove(p);
	take_place(p, slot);
	slot->cap.flags |= CAP_F_PEER;
	list_add(p, slot);
}

void cdt_move(struct cte *dst, struct cte *src)
{
	dst->cap = src->cap;
	dst->parent = src->parent;
	dst->prev = src->prev;
	dst->next = src->next;
	dst->first_child = src->first_child;
	if (dst->prev)
		dst->prev->next = dst;
	else if (dst->parent)
		dst->parent->first_child = dst;
	if (dst->next)
		dst->next->prev = dst;
	for (struct cte *c = dst->first_child; c; c = c->next)
		c->parent = dst;
	*src = (struct cte){0};
}

bool cdt_children_over(const struct cte *slot, unsigned n)
{
	const struct cte *c = slot->first_child;

	for (unsigned i = 0; c && i < n; i++)
		c = c->next;
	return c != NULL;
}

/* Two slots trade capabilities and places in the tree; for zombies, which
 * have no children (delete.c, a root stepping aside). */
void cdt_swap(struct cte *a, struct cte *b)
{
	struct cte tmp;

	cdt_move(&tmp, a);
	cdt_move(a, b);
	cdt_move(b, &tmp);
}

/*
 * Every path that duplicates a capability goes through here, so a copy
 * made by CNODE_COPY and one received over IPC obey the same rule. One
 * Untyped capability per region keeps its accounting single; IRQControl
 * is unique by design; a page table is mapped once, by its one capability.
 * A frame's copy starts unmapped: the mapping record belongs to the
 * capability that made the mapping, not to its copies.
 */
int cap_copy_of(const struct cap *src, struct cap *copy)
{
	if (src->type == CAP_ZOMBIE)
		return SEPTA_E_ZOMBIE;
	if (src->type == CAP_UNTYPED || src->type == CAP_IRQ_CONTROL ||
	    src->type == CAP_PAGE_TABLE)
		return SEPTA_E_CAP_TYPE;
	*copy = *src;
	copy->flags &= (uint8_t)~CAP_F_PEER; /* a copy is derived from src */
	if (copy->type == CAP_FRAME)
		copy->word = copy->map = 0;
	return SEPTA_OK;
}

bool cap_same_object(const struct cap *a, const struct cap *b)
{
	return a->type == b->type && a->obj == b->obj && a->type != CAP_NULL;
}

bool cdt_is_copy(const struct cte *slot)
{
	return slot->parent && cap_same_object(&slot->parent->cap, &slot->cap);
}

/* Children of a non-Untyped capability are always copies of it, so the
 * capability is the last one to its object when it has neither a parent
 * nor a child that refers to the same object. */
bool cdt_is_final(const struct cte *slot)
{
	if (slot->cap.type == CAP_UNTYPED)
		return false;
	return !cdt_is_copy(slot) && slot->first_child == NULL;
}
