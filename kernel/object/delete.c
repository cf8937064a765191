/*
 * Deleting and revoking capabilities, in bounded steps. Deleting the last
 * capability to an object finalises it; objects that hold capabilities
 * (CNodes, TCBs) are emptied first and objects that hold waiting threads
 * (endpoints, notifications) wake them first. Both can be as big as user
 * level makes them, so that final capability becomes a zombie in its slot
 * (CAP_ZOMBIE: nothing but CNODE_DELETE/REVOKE accepts it) and the object
 * is emptied DELETE_STEP_UNITS units of work per kernel entry; the
 * invocation restarts (INV_RESTART) until the slot is empty. Every unit
 * is O(1), whatever the nesting, and leaves every object consistent.
 *
 * A queue zombie (an endpoint or notification) holds no capabilities:
 * whoever meets it wakes its waiters one a unit, where it lies.
 *
 * Container zombies (CNodes, TCBs) of one deletion form a ring, a
 * circular doubly linked list through their caps (word, map), so any of
 * them finds the others in O(1). At most one of a ring is its root
 * (CAP_F_ROOT): it lies in the slot its deletion is driven from (the slot
 * a thread deletes, or one a revoke met) and is the one emptied there.
 * Every other one lies in its own object, in the slot it was emptying
 * when it stepped aside, so its object holds no other zombie of the ring
 * and none of them lies in memory of another. The root, emptying its
 * object, steps aside in two cases, both O(1) (zombies have no children,
 * so trading their slots is a constant number of pointer writes):
 *
 *   - a slot of it holds a final container: that becomes a zombie and
 *     trades slots with the root, so the new zombie is the root at the
 *     driving slot and the old one goes into its own object;
 *   - a slot of it holds the root of another deletion (left half done
 *     there, a thread's or a revoke's): the same trade, and the two rings
 *     become one (a ring has one root, so two roots are never on one ring
 *     and the splice never cuts one in two).
 *
 * When the root is emptied it leaves the tree and another zombie of its
 * ring is moved into the driving slot as the root, so the slot is empty
 * only when the whole deletion is done; if that slot lay in the root's
 * own object, the ring goes on without a root. A revoke meets zombies
 * through the derivation tree, where they stay (their Untyped stays in use
 * until they are gone): a root it drives where it lies; one that is not a
 * root it empties in its own object, and a root met in a slot there is
 * driven in that slot, not joined: it may be the root of that very ring (a
 * cycle), which a zombie that is not the root cannot tell in O(1), and
 * splicing a ring with itself would cut it in two. Nothing is lost: the
 * slot is empty only once that root's ring is done. (This is seL4's idea
 * of keeping the zombie worked on in the top slot, with the ring in place
 * of its recursion.) Emptied, a zombie that is not a root stays until the
 * rest of its ring is done, working on its neighbours (one that is emptied
 * too goes at once, but for the host: a root that stepped aside from a
 * slot of its own object left the driving slot there, so it is marked
 * CAP_F_HOST and waits behind the one working until it is the root again,
 * or its memory would be freed under the root), so a revoke finishes what
 * its deletion started. A
 * zombie thus never walks anything: no unit looks further than a ring
 * neighbour, a slot of the zombie's object, or the zombie found there. So
 * nesting is unlimited, no check pass is needed, and finality is decided
 * once, when a zombie is made.
 *
 * No zombie is ever left in freed memory: an object is freed when its
 * zombie is emptied, which it is only once every other slot of it has
 * been met empty, and nothing is put into a slot of a zombie's object
 * that the zombie has passed (what moves goes into the slot being
 * emptied or into a driving slot, which its object's zombie, if it has
 * one, has not passed, since that slot held a zombie).
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

static struct cte *slot_at(uint64_t v)
{
	return (struct cte *)(uintptr_t)v;
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

/* A zombie that holds slots, on a ring (CNode, TCB); otherwise a queue. */
static bool holds_slots(const struct cap *z)
{
	return z->was == CAP_CNODE || z->was == CAP_TCB;
}

static unsigned zombie_count(const struct cap *z)
{
	return z->was == CAP_CNODE ? 1u << z->size_bits : TCB_SLOTS;
}

/* Whether slot is one of z's own object's slots. */
static bool in_own(const struct cap *z, const struct cte *slot)
{
	const struct cte *s = zombie_slots(z);

	return s && slot >= s && slot < s + zombie_count(z);
}

/* ---- rings: word is the previous zombie's slot, map the next's ---- */
static struct cte *ring_next(const struct cte *z)
{
	return slot_at(z->cap.map);
}

static struct cte *ring_prev(const struct cte *z)
{
	return slot_at(z->cap.word);
}

static void ring_link(struct cte *a, struct cte *b) /* b after a */
{
	a->cap.map = (uintptr_t)b;
	b->cap.word = (uintptr_t)a;
}

/* The zombie in now was moved there from was: its neighbours follow. */
static void ring_moved(struct cte *now, struct cte *was)
{
	if (ring_next(now) == was) {
		ring_link(now, now); /* alone */
		return;
	}
	ring_link(ring_prev(now), now);
	ring_link(now, ring_next(now));
}

/* Two rings become one (a and b are never on one ring: see the top). */
static void ring_splice(struct cte *a, struct cte *b)
{
	struct cte *an = ring_next(a), *bn = ring_next(b);

	ring_link(a, bn);
	ring_link(b, an);
}

static void ring_remove(struct cte *z)
{
	ring_link(ring_prev(z), ring_next(z));
	ring_link(z, z);
}

/* Nobody can reach the object through a capability any more; what else
 * points at it is cut off now where that is O(1), so a TCB never runs
 * again and no interrupt signals a dying notification. A container's
 * zombie is the root of a ring of its own. */
static void zombify(struct cte *slot)
{
	struct cap c = slot->cap;

	if (c.type == CAP_TCB)
		tcb_finalise((struct tcb *)(uintptr_t)c.obj);
	if (c.type == CAP_NOTIFICATION)
		irq_forget_notification((struct notification *)(uintptr_t)c.obj);
	slot->cap = (struct cap){
	    .type = CAP_ZOMBIE, .was = c.type, .size_bits = c.size_bits, .obj = c.obj};
	if (holds_slots(&slot->cap)) {
		slot->cap.flags = CAP_F_ROOT;
		slot->cap.left = zombie_count(&slot->cap);
		ring_link(slot, slot);
	}
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

/* True once c's mapping is gone; a big frame's goes in steps (vspace.h). */
static bool unmap(struct cap *c)
{
	/* Each frame or page-table capability owns its own mapping. */
	if (c->type == CAP_FRAME || c->type == CAP_PAGE_TABLE)
		return mapping_remove(c, MAPPING_UNIT_LEAVES);
	return true;
}

enum plain { PLAIN_DONE, PLAIN_MORE, PLAIN_ZOMBIE };

/*
 * One unit of deleting a capability that is not a zombie: hand on one
 * child, or remove it, or turn it into a zombie.
 */
static enum plain delete_plain(struct cte *s)
{
	struct cap cap;

	switch (cdt_hand_on_child(s)) {
	case CDT_HANDED:
		return PLAIN_MORE;
	case CDT_NO_CHILD:
		break;
	}
	if (!unmap(&s->cap))
		return PLAIN_MORE;
	if (!cdt_is_final(s)) {
		cdt_unlink(s);
		return PLAIN_DONE;
	}
	if (needs_zombie(&s->cap)) {
		zombify(s);
		return PLAIN_ZOMBIE;
	}
	cap = s->cap;
	cdt_unlink(s);
	finalise(&cap);
	return PLAIN_DONE;
}

/* One unit of a queue zombie at q: wake a waiter, or finish. */
static void queue_unit(struct cte *q)
{
	if (tcbq_wake_deleted(zombie_queue(&q->cap)))
		return;
	zombie_finalise(&q->cap);
	cdt_unlink(q);
}

/* The root at t steps aside for the root at s, in a slot of its object
 * (made there this unit, or another deletion's): s goes into the driving
 * slot t, t's zombie into s, in its own object, and their rings join. */
static void step_aside(struct cte *t, struct cte *s)
{
	bool host = in_own(&t->cap, t);

	cdt_swap(t, s);
	ring_moved(t, s);
	ring_moved(s, t);
	s->cap.flags &= (uint8_t)~CAP_F_ROOT;
	if (host)
		s->cap.flags |= CAP_F_HOST; /* the driving slot is in its object */
	ring_splice(t, s);
}

/* The root at t is emptied: it goes, and another of its ring takes the
 * driving slot, unless that slot is in its own object (freed now). */
static void root_done(struct cte *t)
{
	struct cte *m = ring_next(t);
	bool own = in_own(&t->cap, t);

	zombie_finalise(&t->cap);
	ring_remove(t);
	cdt_unlink(t);
	if (m == t || own)
		return;
	cdt_move(t, m);
	ring_moved(t, m);
	t->cap.flags = (uint8_t)((t->cap.flags & ~CAP_F_HOST) | CAP_F_ROOT);
}

/* n, h's next, is the host: it goes behind h, so h's next is another of
 * the ring (there is one: the root, which lies in n's object). */
static void ring_behind(struct cte *h, struct cte *n)
{
	ring_remove(n);
	ring_link(ring_prev(h), n);
	ring_link(n, h);
}

/* One unit of the root at t, emptying its object from the last slot. */
static void root_unit(struct cte *t)
{
	struct cap *zc = &t->cap;
	struct cte *s;

	if (!zc->left) {
		root_done(t);
		return;
	}
	s = &zombie_slots(zc)[zc->left - 1];
	if (s == t || s->cap.type == CAP_NULL) {
		zc->left--; /* empty, or the root itself */
	} else if (s->cap.type == CAP_ZOMBIE) {
		/* Every container zombie but a root lies in its own object. */
		if (holds_slots(&s->cap))
			step_aside(t, s);
		else
			queue_unit(s);
	} else if (delete_plain(s) == PLAIN_ZOMBIE && holds_slots(&s->cap)) {
		step_aside(t, s);
	}
}

/* One unit of a zombie h that is not a root, in its own object (only a
 * revoke meets one): empty a slot of it; a root found there (a final
 * container made this unit or before, or a deletion left half done in
 * that slot) is driven there. Emptied, h works on its ring until it is
 * the last. */
static void member_unit(struct cte *h)
{
	struct cap *zc = &h->cap;
	struct cte *s, *n;

	if (zc->left) {
		s = &zombie_slots(zc)[zc->left - 1];
		if (s == h || s->cap.type == CAP_NULL)
			zc->left--;
		else if (s->cap.type != CAP_ZOMBIE)
			delete_plain(s);
		else if (holds_slots(&s->cap))
			root_unit(s);
		else
			queue_unit(s);
		return;
	}
	n = ring_next(h);
	if (n == h) {
		cdt_unlink(h);
	} else if (n->cap.flags & CAP_F_ROOT) {
		root_unit(n);
	} else if (n->cap.left) {
		member_unit(n); /* n has work: no deeper than once */
	} else if (n->cap.flags & CAP_F_HOST) {
		ring_behind(h, n); /* the root lies in n's memory: n waits */
	} else {
		ring_remove(n); /* emptied too: h stays for the ring */
		cdt_unlink(n);
	}
}

/* One unit of deleting slot's capability, which is there. */
static void delete_unit(struct cte *slot)
{
	if (slot->cap.type != CAP_ZOMBIE)
		delete_plain(slot);
	else if (!holds_slots(&slot->cap))
		queue_unit(slot);
	else if (slot->cap.flags & CAP_F_ROOT)
		root_unit(slot);
	else
		member_unit(slot);
}

int cap_delete(struct cte *slot)
{
	for (unsigned left = DELETE_STEP_UNITS; left; left--) {
		if (slot->cap.type == CAP_NULL)
			return SEPTA_OK;
		delete_unit(slot);
	}
	return slot->cap.type == CAP_NULL ? SEPTA_OK : INV_RESTART;
}

/*
 * A thread whose deletion stops between steps runs its call again, looking
 * the slot up again. Another deletion may have taken the slot's zombie
 * over by then (the slot lay in a CNode it deleted), so that lookup fails
 * although the capability is gone: it was a zombie, which nothing makes
 * usable again. The call repeats exactly (x0-x3: the CNode, message info,
 * index and depth), so the kernel knows it by its registers.
 */
void cap_delete_note_restart(struct tcb *t, const struct cte *slot)
{
	if (slot->cap.type != CAP_ZOMBIE)
		return; /* a capability still handing on its children */
	for (unsigned i = 0; i < 4; i++)
		t->del_regs[i] = t->regs.x[i];
}

bool cap_delete_again(struct tcb *t)
{
	bool same = true;

	t->del_again = false;
	if (!t->del_regs[1])
		return false; /* nothing noted: every other call */
	for (unsigned i = 0; i < 4; i++) {
		same = same && t->del_regs[i] == t->regs.x[i];
		t->del_regs[i] = 0;
	}
	t->del_again = same;
	return same;
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
static void revoke_unit(struct cte *slot)
{
	struct cte *x = slot->first_child, *y = x->first_child;

	if (x->cap.flags & CAP_F_PEER) {
		cdt_step_aside(slot);
		return;
	}
	if (!y) {
		delete_unit(x);
		return;
	}
	if (x->cap.type == CAP_UNTYPED || cdt_is_copy(x))
		cdt_hand_on_child(x);
	else if (y->first_child)
		cdt_hand_on_child(y); /* a copy: to x */
	else
		delete_plain(y); /* a copy, so not final */
}

int cap_revoke(struct cte *slot)
{
	for (unsigned left = DELETE_STEP_UNITS; left; left--) {
		if (!slot->first_child)
			return SEPTA_OK;
		revoke_unit(slot);
	}
	return slot->first_child ? INV_RESTART : SEPTA_OK;
}

/* For the audits (core/audit.c, the host tests): what is wrong with the
 * zombie in z, or NULL. A root's ring is walked, up to max steps. */
const char *cap_zombie_problem(const struct cte *z, unsigned max)
{
	const struct cap *zc = &z->cap;
	const struct cte *n = ring_next(z), *p = ring_prev(z);

	if (!holds_slots(zc))
		return zc->was == CAP_ENDPOINT || zc->was == CAP_NOTIFICATION
			   ? NULL
			   : "zombie of a type that is never one";
	if (z->first_child)
		return "zombie with children";
	if (zc->left > zombie_count(zc))
		return "zombie with more slots left than it has";
	if (!n || !p || n->cap.type != CAP_ZOMBIE || p->cap.type != CAP_ZOMBIE ||
	    !holds_slots(&n->cap) || !holds_slots(&p->cap))
		return "zombie's ring neighbour is not a zombie";
	if (ring_prev(n) != z || ring_next(p) != z)
		return "zombie's ring is not linked both ways";
	if (!(zc->flags & CAP_F_ROOT)) {
		if (!in_own(zc, z))
			return "zombie that is not a root lies outside its object";
		return NULL;
	}
	for (unsigned i = 0; n != z && i < max; i++, n = ring_next(n)) {
		if (n->cap.flags & CAP_F_ROOT)
			return "two roots on one ring";
		/* In a member's memory: where it has yet to empty, or its host. */
		if (in_own(&n->cap, z) && !(n->cap.flags & CAP_F_HOST) &&
		    (unsigned)(z - zombie_slots(&n->cap)) >= n->cap.left)
			return "root in a slot a member passed, not its host";
	}
	return NULL;
}
