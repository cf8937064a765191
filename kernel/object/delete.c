/*
 * Deleting and revoking capabilities. Deleting the last capability to an
 * object finalises it; for objects that hold capabilities themselves
 * (CNodes, TCBs) their contents are deleted first. That nests, so it is
 * bounded: a check pass walks what a deletion would reach, refuses with
 * SEPTA_E_TOO_DEEP beyond DELETE_MAX_DEPTH containers, and changes
 * nothing; the commit pass then cannot fail.
 */
#include <irq.h>
#include <object/cap.h>
#include <object/delete.h>
#include <object/endpoint.h>
#include <object/notification.h>
#include <object/tcb.h>
#include <object/vcpu.h>
#include <object/vspace.h>

#define DELETE_MAX_DEPTH 16

struct chain {
	uint64_t objs[DELETE_MAX_DEPTH];
	unsigned n;
};

static bool on_chain(const struct chain *c, uint64_t obj)
{
	for (unsigned i = 0; i < c->n; i++)
		if (c->objs[i] == obj)
			return true;
	return false;
}

/* The slots inside a container object; NULL for other types. */
static struct cte *contents(const struct cap *cap, unsigned *count)
{
	if (cap->type == CAP_CNODE) {
		*count = 1u << cap->size_bits;
		return (struct cte *)(uintptr_t)cap->obj;
	}
	if (cap->type == CAP_TCB) {
		*count = TCB_SLOTS;
		return ((struct tcb *)(uintptr_t)cap->obj)->slots;
	}
	return NULL;
}

/*
 * Conservative: descends into every container capability it meets, final
 * or not, since earlier deletions in the same pass can make it final.
 */
static int check(const struct cap *cap, struct chain *c)
{
	unsigned count;
	struct cte *slots = contents(cap, &count);
	int err = SEPTA_OK;

	if (!slots || on_chain(c, cap->obj))
		return SEPTA_OK;
	if (c->n == DELETE_MAX_DEPTH)
		return SEPTA_E_TOO_DEEP;
	c->objs[c->n++] = cap->obj;
	for (unsigned i = 0; i < count && !err; i++)
		if (slots[i].cap.type != CAP_NULL)
			err = check(&slots[i].cap, c);
	c->n--;
	return err;
}

static void finalise(const struct cap *cap)
{
	switch (cap->type) {
	case CAP_TCB:
		tcb_finalise((struct tcb *)(uintptr_t)cap->obj);
		break;
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
		/* Untyped, CNode (emptied already), frames, VSpaces: no state. */
		break;
	}
}

static void delete_in(struct cte *slot, struct chain *c)
{
	struct cap cap = slot->cap;
	unsigned count;
	struct cte *slots;

	if (cap.type == CAP_NULL)
		return;
	slots = cdt_is_final(slot) ? contents(&cap, &count) : NULL;
	if (slots && !on_chain(c, cap.obj)) {
		c->objs[c->n++] = cap.obj;
		for (unsigned i = 0; i < count; i++)
			delete_in(&slots[i], c);
		c->n--;
		/* The container may have held this very capability. */
		if (slot->cap.type == CAP_NULL)
			return;
	}
	/* Each frame or page-table capability owns its own mapping. */
	if (cap.type == CAP_FRAME || cap.type == CAP_PAGE_TABLE)
		mapping_remove(&cap);
	if (cdt_is_final(slot)) {
		cdt_unlink(slot);
		finalise(&cap);
	} else {
		cdt_unlink(slot);
	}
}

int cap_delete_check(struct cte *slot)
{
	struct chain c = {.n = 0};

	return check(&slot->cap, &c);
}

void cap_delete(struct cte *slot)
{
	struct chain c = {.n = 0};

	delete_in(slot, &c);
}

/* Every descendant, in preorder, without recursion: derivation chains
 * are as long as user level makes them. */
int cap_revoke_check(struct cte *slot)
{
	struct cte *d = slot->first_child;

	while (d) {
		int err = cap_delete_check(d);

		if (err)
			return err;
		if (d->first_child) {
			d = d->first_child;
			continue;
		}
		while (d != slot && !d->next)
			d = d->parent;
		d = d == slot ? NULL : d->next;
	}
	return SEPTA_OK;
}

/* Deletes descendants leaf first, so no deletion has children to hand on. */
void cap_revoke(struct cte *slot)
{
	while (slot->first_child) {
		struct cte *leaf = slot->first_child;

		while (leaf->first_child)
			leaf = leaf->first_child;
		cap_delete(leaf);
	}
}
