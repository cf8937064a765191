/*
 * VSpaces: stage-2 address spaces with their own IPA size, and the VMIDs
 * that tag their TLB entries. A VMID is recycled when its VSpace goes; the
 * generation count tells mapping records of the old VSpace from the new.
 */
#include <arch.h>
#include <klib.h>
#include <object/cap.h>
#include <object/invoke.h>
#include <object/vspace.h>

#define VMID_COUNT 256 /* 8-bit VMIDs; 0 is never used, 1 is the root task's */

static struct vspace *vmid_owner[VMID_COUNT];
static uint32_t vmid_gen[VMID_COUNT];

bool vspace_vmid_available(unsigned n)
{
	for (unsigned v = 2; v < VMID_COUNT && n; v++)
		if (!vmid_owner[v])
			n--;
	return n == 0;
}

static void take_vmid(struct vspace *vs, unsigned v)
{
	vmid_owner[v] = vs;
	vs->pgt.vmid = (uint16_t)v;
	vs->gen = vmid_gen[v];
}

void vspace_init(struct vspace *vs, paddr_t root, unsigned ia_bits)
{
	pgt_geom_init(&vs->pgt.geom, ia_bits, true);
	vs->pgt.root = root;
	vs->pgt.mm = &arch_s2_mm_ops;
	for (unsigned v = 2; v < VMID_COUNT; v++)
		if (!vmid_owner[v]) {
			take_vmid(vs, v);
			return;
		}
}

void vspace_register_root(struct vspace *vs)
{
	take_vmid(vs, 1);
}

void vspace_finalise(struct vspace *vs)
{
	unsigned v = vs->pgt.vmid;

	/* Tables below the root belong to PageTable objects: cut them off. */
	pgt_clear(&vs->pgt);
	arch_vspace_forget(vs);
	vmid_owner[v] = NULL;
	vmid_gen[v]++;
}

struct vspace *vspace_of_mapping(const struct cap *c)
{
	unsigned v = c->map & 0xff;
	struct vspace *vs = vmid_owner[v];

	if (!(c->word & CAP_MAPPED) || !vs || vs->gen != (uint32_t)(c->map >> 8))
		return NULL;
	return vs;
}

/*
 * Takes rights away from what is mapped in a range (never adds any: rights
 * come from the frame capabilities that mapped it). Blocks only partly in
 * the range are split, with the PageTables given as extra capabilities,
 * which then count as mapped where they went.
 */
struct vspace_protect_args {
	struct vspace *vs;
	struct pgt_edit edit;
	struct table_caps tables;
};

static int decode_vspace_protect(struct inv *iv, struct vspace *vs,
				 struct vspace_protect_args *a)
{
	uint64_t ipa, size, keep;
	pte_t all = arch_s2_attrs(true, true, true), want;
	int err;

	if (iv->len < 3)
		return SEPTA_E_ARG;
	ipa = msg_get(iv->caller, 0);
	size = msg_get(iv->caller, 1);
	keep = msg_get(iv->caller, 2);
	if (keep > (SEPTA_MAP_R | SEPTA_MAP_W | SEPTA_MAP_X))
		return SEPTA_E_ARG;
	if (!IS_ALIGNED(ipa | size, PAGE_SIZE))
		return SEPTA_E_ALIGN;
	if (size == 0 || ipa >> vs->pgt.geom.ia_bits ||
	    size > (1ULL << vs->pgt.geom.ia_bits) - ipa)
		return SEPTA_E_RANGE;
	err = table_caps_decode(&a->tables, iv->caps, iv->ncaps);
	if (err)
		return err;
	/* Clear the access bits not kept; set execute-never if X is not. */
	want = arch_s2_attrs(keep & SEPTA_MAP_R, keep & SEPTA_MAP_W, keep & SEPTA_MAP_X);
	a->vs = vs;
	a->edit = (struct pgt_edit){.op = PGT_OP_PROTECT,
				    .addr = ipa,
				    .size = size,
				    .set = want & ~all,
				    .clear = all & ~want};
	return mapping_check(iv, vs, &a->edit, &a->tables);
}

static void invoke_vspace_protect(struct vspace_protect_args *a)
{
	mapping_commit(a->vs, &a->edit, &a->tables);
}

int vspace_invoke(struct inv *iv)
{
	struct vspace *vs = (struct vspace *)(uintptr_t)iv->slot->cap.obj;
	uint64_t ipa;
	pte_t pte;
	unsigned level;

	if (iv->label == SEPTA_VSPACE_PROTECT) {
		struct vspace_protect_args protect;
		int err = decode_vspace_protect(iv, vs, &protect);

		if (!err)
			invoke_vspace_protect(&protect);
		return err;
	}
	if (iv->label != SEPTA_VSPACE_QUERY)
		return SEPTA_E_LABEL;
	if (iv->len < 1)
		return SEPTA_E_ARG;
	ipa = msg_get(iv->caller, 0);
	if (ipa >> vs->pgt.geom.ia_bits)
		return SEPTA_E_RANGE;
	pgt_query(&vs->pgt, ipa, &pte, &level);
	msg_set(iv->caller, 0,
		pte ? pte_addr(pte) +
			  (ALIGN_DOWN(ipa, PAGE_SIZE) & (pgt_granule(level) - 1))
		    : 0);
	/* Unmapped: the level of the empty entry, so a caller scanning for
	 * mappings can skip that entry's whole range. */
	msg_set(iv->caller, 1, level);
	msg_set(iv->caller, 2, pte ? arch_s2_rights(pte) : 0);
	msg_set(iv->caller, 3, pte ? pte_owner(pte) : 0);
	iv->reply_len = 4;
	return SEPTA_OK;
}
