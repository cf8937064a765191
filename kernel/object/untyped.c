/*
 * Untyped memory and retype. Objects are carved from an Untyped in address
 * order at their natural alignment; the Untyped's capability records how
 * far it is used. Memory comes back only by revoking the Untyped: with no
 * children left, it is all free again.
 */
#include <arch.h>
#include <klib.h>
#include <object/cap.h>
#include <object/cspace.h>
#include <object/invoke.h>
#include <object/tcb.h>
#include <object/vcpu.h>
#include <object/vspace.h>

#define RETYPE_MAX_COUNT 256u

/* Log2 of an object's size in bytes, or 0 if size_bits is not allowed. */
unsigned object_size_bits(unsigned type, unsigned size_bits)
{
	switch (type) {
	case SEPTA_OBJ_UNTYPED:
		return size_bits >= SEPTA_UNTYPED_MIN && size_bits <= SEPTA_UNTYPED_MAX
			   ? size_bits
			   : 0;
	case SEPTA_OBJ_CNODE:
		return size_bits >= 1 && size_bits <= SEPTA_CNODE_MAX_BITS
			   ? size_bits + SEPTA_CNODE_SLOT_BITS
			   : 0;
	case SEPTA_OBJ_TCB:
		return SEPTA_TCB_BITS;
	case SEPTA_OBJ_ENDPOINT:
		return SEPTA_ENDPOINT_BITS;
	case SEPTA_OBJ_NOTIFICATION:
		return SEPTA_NTFN_BITS;
	case SEPTA_OBJ_FRAME_4K:
		return 12;
	case SEPTA_OBJ_FRAME_2M:
		return 21;
	case SEPTA_OBJ_FRAME_1G:
		return 30;
	case SEPTA_OBJ_PAGE_TABLE:
	case SEPTA_OBJ_VCPU:
		return PAGE_SHIFT;
	case SEPTA_OBJ_VSPACE: {
		struct pgt_geom g;
		unsigned bits = PAGE_SHIFT;

		/* Root tables, then a page for the header; a power of two. */
		if (size_bits > arch_pa_bits() || pgt_geom_init(&g, size_bits, true))
			return 0;
		while ((1u << (bits - PAGE_SHIFT)) < g.root_pages + 1u)
			bits++;
		return bits;
	}
	}
	return 0;
}

static struct cap new_cap(unsigned type, unsigned size_bits, uint64_t addr, bool device)
{
	struct cap c = {.rights = SEPTA_RIGHTS_ALL, .obj = addr};

	switch (type) {
	case SEPTA_OBJ_UNTYPED:
		c.type = CAP_UNTYPED;
		c.size_bits = (uint8_t)size_bits;
		c.flags = device ? CAP_F_DEVICE : 0;
		break;
	case SEPTA_OBJ_CNODE:
		c.type = CAP_CNODE;
		c.size_bits = (uint8_t)size_bits;
		break;
	case SEPTA_OBJ_TCB:
		c.type = CAP_TCB;
		tcb_init((struct tcb *)(uintptr_t)addr);
		break;
	case SEPTA_OBJ_ENDPOINT:
		c.type = CAP_ENDPOINT;
		break;
	case SEPTA_OBJ_NOTIFICATION:
		c.type = CAP_NOTIFICATION;
		break;
	case SEPTA_OBJ_PAGE_TABLE:
		c.type = CAP_PAGE_TABLE;
		break;
	case SEPTA_OBJ_VCPU:
		c.type = CAP_VCPU;
		vcpu_init((struct vcpu *)(uintptr_t)addr);
		break;
	case SEPTA_OBJ_VSPACE: {
		struct pgt_geom g;
		struct vspace *vs;

		pgt_geom_init(&g, size_bits, true);
		vs = (struct vspace *)(uintptr_t)(addr +
						  (uint64_t)g.root_pages * PAGE_SIZE);
		vspace_init(vs, pa_init(addr), size_bits);
		c.type = CAP_VSPACE;
		c.obj = (uintptr_t)vs;
		break;
	}
	default: /* frames */
		c.type = CAP_FRAME;
		c.size_bits = (uint8_t)object_size_bits(type, size_bits);
		c.flags = device ? CAP_F_DEVICE : 0;
		break;
	}
	return c;
}

int untyped_invoke(struct inv *iv)
{
	struct cap *ut = &iv->slot->cap;
	struct tcb *t = iv->caller;
	uint64_t type, size_bits, index, depth, offset, count, obj_bits, base, used,
	    start;
	struct cte *node_slot;
	const struct cap *node;
	struct cte *dst;
	bool device = ut->flags & CAP_F_DEVICE;

	if (iv->label != SEPTA_UNTYPED_RETYPE)
		return SEPTA_E_LABEL;
	if (iv->len < 6)
		return SEPTA_E_ARG;
	if (iv->ncaps < 1)
		return SEPTA_E_EXTRA_CAPS;
	type = msg_get(t, 0);
	size_bits = msg_get(t, 1);
	index = msg_get(t, 2);
	depth = msg_get(t, 3);
	offset = msg_get(t, 4);
	count = msg_get(t, 5);

	if (type < SEPTA_OBJ_UNTYPED || type > SEPTA_OBJ_VCPU)
		return SEPTA_E_ARG;
	if (device && type != SEPTA_OBJ_UNTYPED &&
	    (type < SEPTA_OBJ_FRAME_4K || type > SEPTA_OBJ_FRAME_1G))
		return SEPTA_E_ARG; /* device memory only holds frames */
	obj_bits =
	    object_size_bits((unsigned)type, size_bits > 64 ? 0 : (unsigned)size_bits);
	if (obj_bits == 0)
		return SEPTA_E_SIZE;
	if (count < 1 || count > RETYPE_MAX_COUNT)
		return SEPTA_E_RANGE;
	if (type == SEPTA_OBJ_VSPACE && !vspace_vmid_available((unsigned)count))
		return SEPTA_E_NO_VMID;

	/* Destination: a CNode named by (index, depth) under the given root,
	 * or the root itself with depth 0. */
	node = &iv->caps[0]->cap;
	if (node->type != CAP_CNODE)
		return SEPTA_E_CAP_TYPE;
	if (depth != 0) {
		int err = cspace_lookup_slot(node, index, (unsigned)depth, &node_slot);

		if (err)
			return err;
		if (node_slot->cap.type != CAP_CNODE)
			return SEPTA_E_CAP_TYPE;
		node = &node_slot->cap;
	}
	if (offset >= (1ULL << node->size_bits) ||
	    count > (1ULL << node->size_bits) - offset)
		return SEPTA_E_RANGE;
	dst = (struct cte *)(uintptr_t)node->obj + offset;
	for (uint64_t i = 0; i < count; i++)
		if (dst[i].cap.type != CAP_NULL)
			return SEPTA_E_DELETE_FIRST;

	base = ut->obj;
	used = iv->slot->first_child ? ut->word : 0;
	if (obj_bits > ut->size_bits)
		return SEPTA_E_NO_MEMORY;
	start = ALIGN_UP(base + used, 1ULL << obj_bits);
	if (start - base > (1ULL << ut->size_bits) ||
	    count > ((1ULL << ut->size_bits) - (start - base)) >> obj_bits)
		return SEPTA_E_NO_MEMORY;

	/* Commit: nothing below can fail. */
	for (uint64_t i = 0; i < count; i++) {
		uint64_t addr = start + (i << obj_bits);
		struct cap c;

		if (!device)
			memset((void *)(uintptr_t)addr, 0, 1ULL << obj_bits);
		c = new_cap((unsigned)type, (unsigned)size_bits, addr, device);
		cdt_insert(iv->slot, &dst[i], &c);
	}
	ut->word = start + (count << obj_bits) - base;
	return SEPTA_OK;
}
