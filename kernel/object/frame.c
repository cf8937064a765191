/*
 * Frames: mapping into a VSpace. Each frame capability maps its frame at
 * most once and records where; deleting the capability removes that
 * mapping. Tables are never made here: a map that finds one missing says
 * at which level the walk stopped, and the caller maps a PageTable there.
 */
#include <arch.h>
#include <klib.h>
#include <object/cap.h>
#include <object/invoke.h>
#include <object/vspace.h>

static int map_error(int pgt_err, struct inv *iv, const struct pgt_map_req *req)
{
	switch (pgt_err) {
	case PGT_E_NO_TABLE:
		msg_set(iv->caller, 0, req->stop_level);
		iv->reply_len = 1;
		return SEPTA_E_NO_TABLE;
	case PGT_E_EXISTS:
		return SEPTA_E_DELETE_FIRST;
	case PGT_E_RANGE:
		return SEPTA_E_RANGE;
	default:
		return SEPTA_E_ALIGN;
	}
}

/* Map invocations: nargs message registers and a VSpace as the first cap. */
static int target_vspace(const struct inv *iv, unsigned nargs, struct vspace **vs)
{
	if (iv->len < nargs)
		return SEPTA_E_ARG;
	if (iv->ncaps < 1)
		return SEPTA_E_EXTRA_CAPS;
	if (iv->caps[0]->cap.type != CAP_VSPACE)
		return SEPTA_E_CAP_TYPE;
	*vs = (struct vspace *)(uintptr_t)iv->caps[0]->cap.obj;
	return SEPTA_OK;
}

void mapping_remove(struct cap *c)
{
	struct vspace *vs = vspace_of_mapping(c);

	if (vs && c->type == CAP_FRAME) {
		struct pgt_map_req req = {0};
		uint64_t ipa = CAP_MAP_IPA(c->word);
		pte_t pte;
		unsigned level;

		/* Only if it still maps this very frame there, as the block it
		 * was mapped as or split into smaller entries by a protect. */
		if (pgt_query(&vs->pgt, ipa, &pte, &level) == PGT_OK && pte &&
		    pte_addr(pte) == c->obj && pgt_granule(level) <= 1ULL << c->size_bits)
			pgt_unmap(&vs->pgt, ipa, 1ULL << c->size_bits, &req);
	} else if (vs && c->type == CAP_PAGE_TABLE) {
		pte_t *ptep;
		unsigned reached;

		if (pgt_entry(&vs->pgt, CAP_MAP_IPA(c->word), CAP_MAP_LEVEL(c->word) - 1,
			      &ptep, &reached) == PGT_OK &&
		    pte_is_table(*ptep, CAP_MAP_LEVEL(c->word) - 1) &&
		    pte_addr(*ptep) == c->obj) {
			*(volatile pte_t *)ptep = 0;
			arch_vmid_flush(vs->pgt.vmid);
			/* What it mapped must not come back with it elsewhere. */
			memset((void *)(uintptr_t)c->obj, 0, PAGE_SIZE);
		}
	}
	c->word = 0;
	c->map = 0;
}

static int frame_map(struct inv *iv)
{
	struct cap *c = &iv->slot->cap;
	uint64_t ipa, rights, owner, size = 1ULL << c->size_bits;
	struct vspace *vs;
	struct pgt_map_req req = {0};
	int err;

	err = target_vspace(iv, 3, &vs);
	if (err)
		return err;
	ipa = msg_get(iv->caller, 0);
	rights = msg_get(iv->caller, 1);
	owner = msg_get(iv->caller, 2);
	if (!(rights & SEPTA_MAP_R) ||
	    rights > (SEPTA_MAP_R | SEPTA_MAP_W | SEPTA_MAP_X) || owner > SEPTA_BORROWED)
		return SEPTA_E_ARG;
	if (((rights & SEPTA_MAP_W) && !(c->rights & SEPTA_RIGHT_WRITE)) ||
	    !(c->rights & SEPTA_RIGHT_READ))
		return SEPTA_E_RIGHTS;
	if ((c->flags & CAP_F_DEVICE) && (rights & SEPTA_MAP_X))
		return SEPTA_E_ARG;
	if (vspace_of_mapping(c))
		return SEPTA_E_IN_USE;
	if (!IS_ALIGNED(ipa, size))
		return SEPTA_E_ALIGN;
	if (ipa >> vs->pgt.geom.ia_bits || size > (1ULL << vs->pgt.geom.ia_bits) - ipa)
		return SEPTA_E_RANGE;
	req.pa = c->obj;
	req.blocks = true;
	req.attrs =
	    ((c->flags & CAP_F_DEVICE)
		 ? arch_s2_device_attrs(true, rights & SEPTA_MAP_W)
		 : arch_s2_attrs(true, rights & SEPTA_MAP_W, rights & SEPTA_MAP_X)) |
	    pte_owner_bits((enum septa_owner)owner);
	err = pgt_map(&vs->pgt, ipa, size, &req);
	if (err)
		return map_error(err, iv, &req);
	c->word = ipa | CAP_MAPPED;
	c->map = vs->pgt.vmid | (uint64_t)vs->gen << 8;
	return SEPTA_OK;
}

int frame_invoke(struct inv *iv)
{
	switch (iv->label) {
	case SEPTA_FRAME_GET_ADDRESS:
		msg_set(iv->caller, 0, iv->slot->cap.obj);
		iv->reply_len = 1;
		return SEPTA_OK;
	case SEPTA_FRAME_MAP:
		return frame_map(iv);
	case SEPTA_FRAME_UNMAP:
		mapping_remove(&iv->slot->cap);
		return SEPTA_OK;
	}
	return SEPTA_E_LABEL;
}

/* A PageTable is installed at `level` (the level of the entries it holds)
 * in the entry one level up; everything above must exist already. */
static int page_table_map(struct inv *iv)
{
	struct cap *c = &iv->slot->cap;
	struct vspace *vs;
	uint64_t ipa, level;
	pte_t *ptep;
	unsigned reached;
	int err;

	err = target_vspace(iv, 2, &vs);
	if (err)
		return err;
	ipa = msg_get(iv->caller, 0);
	level = msg_get(iv->caller, 1);
	if (level <= vs->pgt.geom.start_level || level > 3)
		return SEPTA_E_ARG;
	if (vspace_of_mapping(c))
		return SEPTA_E_IN_USE;
	if (!IS_ALIGNED(ipa, pgt_granule((unsigned)level - 1)))
		return SEPTA_E_ALIGN;
	if (ipa >> vs->pgt.geom.ia_bits)
		return SEPTA_E_RANGE;
	err = pgt_entry(&vs->pgt, ipa, (unsigned)level - 1, &ptep, &reached);
	if (err == PGT_E_NO_TABLE) {
		msg_set(iv->caller, 0, reached);
		iv->reply_len = 1;
		return SEPTA_E_NO_TABLE;
	}
	if (err || pte_valid(*ptep))
		return SEPTA_E_DELETE_FIRST;
	/* A table whose VSpace died still holds that VSpace's entries. */
	memset((void *)(uintptr_t)c->obj, 0, PAGE_SIZE);
	*(volatile pte_t *)ptep = c->obj | PTE_VALID | PTE_TYPE_TABLE;
	vs->pgt.mm->publish();
	c->word = ipa | level | CAP_MAPPED;
	c->map = vs->pgt.vmid | (uint64_t)vs->gen << 8;
	return SEPTA_OK;
}

int page_table_invoke(struct inv *iv)
{
	switch (iv->label) {
	case SEPTA_PAGE_TABLE_MAP:
		return page_table_map(iv);
	case SEPTA_PAGE_TABLE_UNMAP:
		mapping_remove(&iv->slot->cap);
		return SEPTA_OK;
	}
	return SEPTA_E_LABEL;
}
