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
#include <object/decode.h>
#include <object/tcb.h>
#include <object/vcpu.h>
#include <object/vspace.h>

#define RETYPE_MAX_COUNT 256u
/* The most a retype zeroes in one kernel entry (DC ZVA: some 9,000
 * instructions); a bigger one restarts (INV_RESTART) until it is done. */
#define RETYPE_ZERO_STEP (256u << 10)

/*
 * An Untyped's known-zero region, in its capability's map word: pages
 * [lo, hi) from its base, lo in the low half and hi in the high. A big
 * retype zeroes it one step per kernel entry and restarts, and uses what is
 * zero already (a small one zeroes its objects). Nothing was made there
 * since it was zeroed
 * (each retype cuts off what its objects overlap), and zeroing only
 * happens past the used part, where no live object is, so the region stays
 * true across revokes. Offsets past 2^44 bytes are not recorded.
 */
static uint64_t zero_lo(const struct cap *ut)
{
	return (ut->map & 0xffffffffu) << SEPTA_PAGE_SHIFT;
}

static uint64_t zero_hi(const struct cap *ut)
{
	return (ut->map >> 32) << SEPTA_PAGE_SHIFT;
}

static void zero_set(struct cap *ut, uint64_t lo, uint64_t hi)
{
	ut->map = lo >= hi || hi >> (32 + SEPTA_PAGE_SHIFT)
		      ? 0
		      : lo >> SEPTA_PAGE_SHIFT | (hi >> SEPTA_PAGE_SHIFT) << 32;
}

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
		return SEPTA_PAGE_SHIFT;
	case SEPTA_OBJ_VSPACE: {
		struct pgt_geom g;
		unsigned bits = SEPTA_PAGE_SHIFT;

		/* Root tables, then a page for the header; a power of two. */
		if (size_bits > arch_pa_bits() || pgt_geom_init(&g, size_bits, true))
			return 0;
		while ((1u << (bits - SEPTA_PAGE_SHIFT)) < g.root_pages + 1u)
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
		vs = (struct vspace *)(uintptr_t)(addr + (uint64_t)g.root_pages *
							     SEPTA_PAGE_SIZE);
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

struct untyped_retype_args {
	struct cte *ut;
	struct cte *dst; /* count empty slots */
	unsigned type, size_bits, obj_bits;
	uint64_t start, count;
	uint64_t zero_len; /* bytes from start the invocation zeroes */
};

/* The destination CNode: root itself with depth 0, else the CNode at
 * (index, depth) under it (also the CNode of VSPACE_UNMAP_FRAMES' run). */
int cspace_cnode_at(const struct cap *root, uint64_t index, uint64_t depth,
		    const struct cap **node)
{
	struct cte *slot;
	int err;

	if (root->type != CAP_CNODE)
		return SEPTA_E_CAP_TYPE;
	*node = root;
	if (depth == 0)
		return SEPTA_OK;
	err = cspace_lookup_slot(root, index, depth, &slot);
	if (err)
		return err;
	if (slot->cap.type != CAP_CNODE)
		return SEPTA_E_CAP_TYPE;
	*node = &slot->cap;
	return SEPTA_OK;
}

/*
 * The last step of decoding, everything checked: how much of the objects'
 * memory the invocation zeroes (zero_len from start). Up to
 * RETYPE_ZERO_STEP in all, all of it. More is zeroed here, past the used
 * part, where no object and no user level sees it, so a retype that
 * restarts has changed nothing else: the zero region grows by a step a
 * kernel entry (restarting) until it covers [first page boundary, end),
 * and the invocation zeroes what is below that boundary. A region
 * elsewhere is given up for the new one: only a retype from the same
 * Untyped does that.
 */
static int retype_zero_step(struct untyped_retype_args *a)
{
	struct cap *ut = &a->ut->cap;
	uint64_t size = a->count << a->obj_bits, s = a->start - ut->obj, e = s + size;
	uint64_t lo, hi, head = ALIGN_UP(s, SEPTA_PAGE_SIZE), n;

	a->zero_len = size;
	if ((ut->flags & CAP_F_DEVICE) || a->type == SEPTA_OBJ_UNTYPED)
		a->zero_len = 0;
	/* Small, or where no region can be recorded: zeroed when made. */
	if (a->zero_len <= RETYPE_ZERO_STEP || !IS_ALIGNED(ut->obj, SEPTA_PAGE_SIZE) ||
	    ALIGN_UP(e, SEPTA_PAGE_SIZE) >> (32 + SEPTA_PAGE_SHIFT))
		return SEPTA_OK;
	lo = zero_lo(ut);
	hi = zero_hi(ut);
	if (head < lo || head > hi)
		lo = hi = head;
	e = ALIGN_UP(e, SEPTA_PAGE_SIZE); /* within the Untyped: it is > a step */
	if (hi >= e) {
		a->zero_len = head - s;
		return SEPTA_OK;
	}
	n = e - hi < RETYPE_ZERO_STEP ? e - hi : RETYPE_ZERO_STEP;
	arch_zero((void *)(uintptr_t)(ut->obj + hi), n);
	zero_set(ut, lo, hi + n);
	return INV_RESTART;
}

static int decode_untyped_retype(const struct untyped_retype_msg *m,
				 struct untyped_retype_args *a)
{
	const struct cap *ut = &m->iv->slot->cap, *node;
	bool device = ut->flags & CAP_F_DEVICE;
	uint64_t type = m->type, count = m->count, base = ut->obj, used;
	int err;

	if (ut->flags & CAP_F_HANDED)
		return SEPTA_E_ZOMBIE; /* what it holds is its old children's */
	if (type < SEPTA_OBJ_UNTYPED || type > SEPTA_OBJ_VCPU)
		return SEPTA_E_ARG;
	if (device && type != SEPTA_OBJ_UNTYPED &&
	    (type < SEPTA_OBJ_FRAME_4K || type > SEPTA_OBJ_FRAME_1G))
		return SEPTA_E_ARG; /* device memory only holds frames */
	a->obj_bits = object_size_bits((unsigned)type,
				       m->size_bits > 64 ? 0 : (unsigned)m->size_bits);
	if (a->obj_bits == 0)
		return SEPTA_E_SIZE;
	if (count < 1 || count > RETYPE_MAX_COUNT)
		return SEPTA_E_RANGE;
	if (type == SEPTA_OBJ_VSPACE && !vspace_vmid_available((unsigned)count))
		return SEPTA_E_NO_VMID;
	err = cspace_cnode_at(&m->root->cap, m->index, m->depth, &node);
	if (err)
		return err;
	if (m->offset >= (1ULL << node->size_bits) ||
	    count > (1ULL << node->size_bits) - m->offset)
		return SEPTA_E_RANGE;
	a->dst = (struct cte *)(uintptr_t)node->obj + m->offset;
	for (uint64_t i = 0; i < count; i++)
		if (a->dst[i].cap.type != CAP_NULL)
			return SEPTA_E_DELETE_FIRST;
	used = m->iv->slot->first_child ? ut->word : 0;
	if (a->obj_bits > ut->size_bits)
		return SEPTA_E_NO_MEMORY;
	a->start = ALIGN_UP(base + used, 1ULL << a->obj_bits);
	if (a->start - base > (1ULL << ut->size_bits) ||
	    count > ((1ULL << ut->size_bits) - (a->start - base)) >> a->obj_bits)
		return SEPTA_E_NO_MEMORY;
	a->ut = m->iv->slot;
	a->type = (unsigned)type;
	a->size_bits = (unsigned)m->size_bits;
	a->count = count;
	return retype_zero_step(a);
}

static void invoke_untyped_retype(const struct untyped_retype_args *a)
{
	struct cap *ut = &a->ut->cap;
	bool device = ut->flags & CAP_F_DEVICE;
	uint64_t s = a->start - ut->obj, e = s + (a->count << a->obj_bits);

	/* An Untyped's memory is never seen until objects are made from it,
	 * and each is cleared then: clearing it when it becomes a child
	 * Untyped too would clear all of RAM once more at boot. */
	arch_zero((void *)(uintptr_t)a->start, a->zero_len);
	for (uint64_t i = 0; i < a->count; i++) {
		uint64_t addr = a->start + (i << a->obj_bits);
		struct cap c = new_cap(a->type, a->size_bits, addr, device);

		cdt_insert(a->ut, &a->dst[i], &c);
	}
	ut->word = e;
	/* What the objects overlap is no longer known to be zero. */
	if (ut->map && s < zero_hi(ut) && e > zero_lo(ut))
		zero_set(ut, ALIGN_UP(e, SEPTA_PAGE_SIZE), zero_hi(ut));
}

INV_DISPATCH(untyped_invoke, SEPTA_UNTYPED_INVOCATIONS)
