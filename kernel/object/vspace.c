/*
 * VSpaces: stage-2 address spaces with their own IPA size, and the VMIDs
 * that tag their TLB entries. A VMID is recycled when its VSpace goes; the
 * generation count tells mapping records of the old VSpace from the new.
 */
#include <klib.h>
#include <object.h>

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
	memset(vs->pgt.mm->phys_to_virt(vs->pgt.root), 0,
	       (size_t)vs->pgt.geom.root_pages * PAGE_SIZE);
	arch_vmid_flush((uint16_t)v);
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

int vspace_invoke(struct inv *iv)
{
	struct vspace *vs = (struct vspace *)(uintptr_t)iv->slot->cap.obj;
	uint64_t ipa;
	pte_t pte;
	unsigned level;

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
	msg_set(iv->caller, 1, pte ? level : 0);
	msg_set(iv->caller, 2, pte ? arch_s2_rights(pte) : 0);
	msg_set(iv->caller, 3, pte ? pte_owner(pte) : 0);
	iv->reply_len = 4;
	return SEPTA_OK;
}
