/*
 * Deleting and revoking capabilities, in bounded steps. Deleting the last
 * capability to an object finalises it; objects that hold capabilities
 * (CNodes, TCBs) are emptied first and objects that hold waiting threads
 * (endpoints, notifications) wake them first. Both can be as big as user
 * level makes them, so that final capability becomes a zombie in its slot
 * (CAP_ZOMBIE: nothing but CNODE_DELETE/REVOKE accepts it) and the object
 * is emptied DELETE_STEP_UNITS units of work per kernel entry; the
 * invocation restarts (INV_RESTART) until the slot is empty.
 *
 * A container met while emptying another whose capability there is final
 * becomes a zombie itself and is emptied first. The zombies being worked
 * on form a stack kept in the objects, not on the kernel stack: each
 * inner zombie's map is the slot of the zombie whose object holds it, and
 * the outermost one's map says which is being worked on. So nesting is
 * unlimited and no check pass is needed; finality is decided once, when
 * a zombie is made, and a zombie met again inside its own object (a CNode
 * holding the only capability to itself, or a cycle) is skipped: the
 * outermost is the only one on the stack that can lie in an object on it.
 * Zombies stay where their capability was in the derivation tree, so the
 * Untyped their memory came from stays in use until they are gone.
 */
#include <core/sched.h>
#include <irq.h>
#include <object/cap.h>
#include <object/delete.h>
#include <object/endpoint.h>
#include <object/invoke.h>
#include <object/notification.h>
#include <object/tcb.h>
#include <object/vcpu.h>
#include <object/vspace.h>

/* Work one kernel entry may do: each unit is a slot looked at, a child
 * handed on, a waiter woken or a capability deleted, all O(1). */
#define DELETE_STEP_UNITS 64u

#define ZOMBIE_TOP 1ull /* in map: slots are aligned, bit 0 is free */

static struct cte *slot_at(uint64_t v)
{
	return (struct cte *)(uintptr_t)(v & ~ZOMBIE_TOP);
}

/* Final capabilities whose object may need more than a step to undo: a
 * container, or a queue someone waits on (an empty one is O(1)). */
static bool needs_zombie(const struct cap *c)
{
	if (c->type == CAP_ENDPOINT)
		return ((struct endpoint *)(uintptr_t)c->obj)->q.head != NULL;
	if (c->type == CAP_NOTIFICATION)
		return ((struct notification *)(uintptr_t)c->obj)->q.head != NULL;
	return c->type == CAP_CNODE || c->type == CAP_TCB;
}

/* The slots inside a zombie's object; NULL for endpoints, notifications. */
static struct cte *zombie_slots(const struct cap *z)
{
	if (z->was == CAP_CNODE)
		return (struct cte *)(uintptr_t)z->obj;
	if (z->was == CAP_TCB)
		return ((struct tcb *)(uintptr_t)z->obj)->slots;
	return NULL;
}

static struct tcb_queue *zombie_queue(const struct cap *z)
{
	if (z->was == CAP_ENDPOINT)
		return &((struct endpoint *)(uintptr_t)z->obj)->q;
	return &((struct notification *)(uintptr_t)z->obj)->q;
}

/* Nobody can reach the object through a capability any more; what else
 * points at it is cut off now where that is O(1), so a TCB never runs
 * again and no interrupt signals a dying notification. */
static void zombify(struct cte *slot, struct cte *outer)
{
	struct cap c = slot->cap;

	if (c.type == CAP_TCB)
		tcb_finalise((struct tcb *)(uintptr_t)c.obj);
	if (c.type == CAP_NOTIFICATION)
		irq_forget_notification((struct notification *)(uintptr_t)c.obj);
	slot->cap = (struct cap){
	    .type = CAP_ZOMBIE,
	    .was = c.type,
	    .size_bits = c.size_bits,
	    .obj = c.obj,
	    .word = c.type == CAP_CNODE ? 1ull << c.size_bits
					: (c.type == CAP_TCB ? TCB_SLOTS : 0),
	    .map = outer ? (uintptr_t)outer : ((uintptr_t)slot | ZOMBIE_TOP)};
}

/* An emptied zombie's object: what is left of finalising it. */
static void zombie_finalise(const struct cap *z)
{
	if (z->was == CAP_ENDPOINT)
		endpoint_finalise((struct endpoint *)(uintptr_t)z->obj);
	if (z->was == CAP_NOTIFICATION)
		notification_finalise((struct notification *)(uintptr_t)z->obj);
	/* CNode: nothing; TCB: finalised when it became a zombie. */
}

/* Objects whose finalisation is O(1) (or bounded by a constant): here
 * endpoints and notifications nobody waits on. */
static void finalise(const struct cap *cap)
{
	switch (cap->type) {
	case CAP_ENDPOINT:
		endpoint_finalise((struct endpoint *)(uintptr_t)cap->obj);
		break;
	case CAP_NOTIFICATION:
		irq_forget_notification((struct notification *)(uintptr_t)cap->obj);
		notification_finalise((struct notification *)(uintptr_t)cap->obj);
		break;
	case CAP_IRQ_HANDLER:
		irq_handler_finalise((unsigned)cap->obj);
		break;
	case CAP_VSPACE:
		vspace_finalise((struct vspace *)(uintptr_t)cap->obj);
		break;
	case CAP_VCPU:
		vcpu_finalise((struct vcpu *)(uintptr_t)cap->obj);
		break;
	default:
		/* Untyped, frames, page tables: no state beyond the mapping. */
		break;
	}
}

static void unmap(struct cap *c)
{
	/* Each frame or page-table capability owns its own mapping. */
	if (c->type == CAP_FRAME || c->type == CAP_PAGE_TABLE)
		mapping_remove(c);
}

enum plain { PLAIN_DONE, PLAIN_MORE, PLAIN_ZOMBIE };

/*
 * One unit of deleting a capability that is not a zombie: hand on one
 * child, or remove it, or turn it into a zombie (an inner one, held in
 * outer's object, when outer is set).
 */
static enum plain delete_plain(struct cte *s, struct cte *outer)
{
	struct cap cap;

	switch (cdt_hand_on_child(s)) {
	case CDT_HANDED:
		return PLAIN_MORE;
	case CDT_NO_CHILD:
		break;
	}
	if (!cdt_is_final(s)) {
		unmap(&s->cap);
		cdt_unlink(s);
		return PLAIN_DONE;
	}
	if (needs_zombie(&s->cap)) {
		zombify(s, outer);
		return PLAIN_ZOMBIE;
	}
	cap = s->cap;
	unmap(&cap);
	cdt_unlink(s);
	finalise(&cap);
	return PLAIN_DONE;
}

/* The outermost zombie of the stack z is on. Only a revoke meeting an
 * inner zombie in the derivation tree walks here; the outermost's map
 * finds the inner one being worked on in O(1). */
static struct cte *outermost(struct cte *z)
{
	while (!(z->cap.map & ZOMBIE_TOP))
		z = slot_at(z->cap.map);
	return z;
}

/*
 * z's object holds top, so z, emptied, would leave the tree (and free its
 * Untyped) while top's slot is still in its memory. They trade places: z
 * is then the one capability in its own object and top lies in the
 * object of z's outer zombie (or in its own), which skips it. So no
 * zombie ever lies in an object on its own stack but its own. The zombie
 * whose map named top's slot names its new place; returns it.
 */
static struct cte *swap_top(struct cte *z, struct cte *top)
{
	struct cte *ts = zombie_slots(&top->cap), *w = NULL;
	bool outer_is_top = slot_at(z->cap.map) == top;

	if (ts && top->cap.word) {
		w = &ts[top->cap.word - 1];
		if (w == z || w->cap.type != CAP_ZOMBIE || (w->cap.map & ZOMBIE_TOP) ||
		    slot_at(w->cap.map) != top)
			w = NULL;
	}
	cdt_swap(z, top);
	/* z's old slot holds top now, top's old slot the inner zombie. */
	if (w)
		w->cap.map = (uintptr_t)z;
	if (outer_is_top)
		top->cap.map = (uintptr_t)z;
	return z;
}

/* Works on the stack of zombies under top; true once top's slot is empty. */
static bool run(struct cte *top, unsigned *left)
{
	struct cte *z = slot_at(top->cap.map);

	for (; *left; (*left)--) {
		struct cap *zc = &z->cap;
		struct cte *slots = zombie_slots(zc), *s, *outer;

		if (!slots && tcbq_wake_deleted(zombie_queue(zc)))
			continue;
		if (slots && zc->word) {
			s = &slots[zc->word - 1];
			if (s == top && z != top) {
				/* A cycle: z holds top. z would leave the tree
				 * (its Untyped free) with top still in it. */
				top = swap_top(z, top);
				z = s;
				zc = &z->cap;
			}
			if (s->cap.type == CAP_NULL || s == top || s == z) {
				zc->word--; /* it holds itself */
				continue;
			}
			if (s->cap.type == CAP_ZOMBIE) {
				/* A deletion left half done (a top) is now part
				 * of this one. An inner zombie here would be ours
				 * already (its outer is z's), so work on it. */
				outer = z;
				z = slot_at(s->cap.map);
				if (s->cap.map & ZOMBIE_TOP)
					s->cap.map = (uintptr_t)outer;
				else
					z = s;
				continue;
			}
			if (delete_plain(s, z) == PLAIN_ZOMBIE)
				z = s;
			continue;
		}
		/* Emptied: finish it and go back to the one holding it. */
		zombie_finalise(zc);
		if (z == top) {
			cdt_unlink(top);
			return true;
		}
		/* Outer meets the slot that held z again: empty now, or
		 * holding top after a swap, which it must meet in turn. */
		outer = slot_at(zc->map);
		cdt_unlink(z);
		z = outer;
	}
	top->cap.map = (uintptr_t)z | ZOMBIE_TOP;
	return false;
}

/* Up to *left units of deleting slot's capability; true once it is empty. */
static bool delete_some(struct cte *slot, unsigned *left)
{
	while (*left) {
		if (slot->cap.type == CAP_NULL)
			return true;
		if (slot->cap.type == CAP_ZOMBIE) {
			/* Inner: its stack's outermost finishes it on the way. */
			if (!run(outermost(slot), left))
				return false;
			continue;
		}
		(*left)--;
		delete_plain(slot, NULL);
	}
	return slot->cap.type == CAP_NULL;
}

int cap_delete(struct cte *slot)
{
	unsigned left = DELETE_STEP_UNITS;

	return delete_some(slot, &left) ? SEPTA_OK : INV_RESTART;
}

/*
 * One unit of a revoke, never searching for a leaf (derivation chains are
 * as long as user level makes them): the first child goes if it has no
 * children; an Untyped's or a copy's children move up under slot; an
 * original's copies go first, each after handing its own children up to
 * the original. So every unit is O(1) progress kept in the tree, and no
 * original is deleted before its copies (which would promote one of them
 * over the others: O(copies) per original).
 */
static void revoke_unit(struct cte *slot, unsigned *left)
{
	struct cte *x = slot->first_child, *y = x->first_child;

	if (x->cap.flags & CAP_F_PEER) {
		(*left)--;
		cdt_step_aside(slot);
		return;
	}
	if (!y) {
		delete_some(x, left);
		return;
	}
	(*left)--;
	if (x->cap.type == CAP_UNTYPED || cdt_is_copy(x))
		cdt_hand_on_child(x);
	else if (y->first_child)
		cdt_hand_on_child(y); /* a copy: to x */
	else
		delete_plain(y, NULL); /* a copy, so not final */
}

int cap_revoke(struct cte *slot)
{
	unsigned left = DELETE_STEP_UNITS;

	while (slot->first_child) {
		if (!left)
			return INV_RESTART;
		revoke_unit(slot, &left);
	}
	return SEPTA_OK;
}
