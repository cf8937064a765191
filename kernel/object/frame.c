/*
 * Frames and PageTables: mapping into a VSpace. Each capability maps its
 * object at most once and records where; deleting it removes that mapping.
 * Tables are never made here: they are PageTable capabilities, mapped on
 * their own or lent to a FRAME_MAP (or VSPACE_PROTECT) for the tables its
 * walk finds missing; a call given too few says where and how many more it
 * needs, having changed nothing. Each invocation is decoded (everything
 * checked, the walk's dry run included, nothing changed) and then invoked
 * (cannot fail); the walker in mm/pgtable.c writes every entry.
 */
#include <arch.h>
#include <klib.h>
#include <object/cap.h>
#include <object/decode.h>
#include <object/vspace.h>

void mapping_record(struct cap *c, const struct vspace *vs, uint64_t word)
{
	c->word = word | CAP_MAPPED;
	c->map = vs->pgt.vmid | (uint64_t)vs->gen << 8;
}

int table_caps_decode(struct table_caps *t, struct cte *const *caps, unsigned n)
{
	t->cache = (struct pgt_cache){t->pages, 0, t->where};
	t->given = n;
	/* The walk takes pages from the end: the first given goes in first. */
	for (unsigned i = 0; i < n; i++) {
		struct cap *c = &caps[n - 1 - i]->cap;

		if (c->type != CAP_PAGE_TABLE)
			return SEPTA_E_CAP_TYPE;
		if (mapping_live(c))
			return SEPTA_E_IN_USE;
		for (unsigned j = 0; j < i; j++)
			if (pa_addr(t->pages[j]) == c->obj)
				return SEPTA_E_ARG; /* one table given twice */
		t->cap[i] = c;
		t->pages[t->cache.count++] = pa_init(c->obj);
	}
	return SEPTA_OK;
}

int mapping_check(struct inv *iv, const struct vspace *vs, struct pgt_edit *e,
		  struct table_caps *t)
{
	e->cache = t ? &t->cache : NULL;
	switch (pgt_check(&vs->pgt, e)) {
	case PGT_OK:
		return SEPTA_OK;
	case PGT_E_NO_TABLE:
		msg_set(iv->caller, SEPTA_NO_TABLE_LEVEL, e->stop_level);
		msg_set(iv->caller, SEPTA_NO_TABLE_MISSING,
			e->tables - (t ? t->cache.count : 0));
		iv->reply_len = SEPTA_NO_TABLE_LEN;
		return SEPTA_E_NO_TABLE;
	case PGT_E_EXISTS:
		return SEPTA_E_DELETE_FIRST;
	case PGT_E_RANGE:
		return SEPTA_E_RANGE;
	case PGT_E_LIMIT:
		return SEPTA_E_LIMIT;
	default:
		return SEPTA_E_ALIGN;
	}
}

void mapping_commit(const struct vspace *vs, struct pgt_edit *e, struct table_caps *t)
{
	pgt_commit(&vs->pgt, e);
	if (!t)
		return;
	/* The pages from cache.count on went in; where[] says where. */
	for (unsigned j = t->cache.count; j < t->given; j++)
		mapping_record(t->cap[j], vs,
			       CAP_MAP_IPA(t->where[j]) | CAP_MAP_LEVEL(t->where[j]));
}

/* The VSpace a map invocation names as its first capability, and a place
 * for `size` bytes at ipa that this capability does not map yet. */
static int decode_vspace(const struct cte *cap, struct vspace **vs)
{
	if (cap->cap.type != CAP_VSPACE)
		return SEPTA_E_CAP_TYPE;
	*vs = (struct vspace *)(uintptr_t)cap->cap.obj;
	return SEPTA_OK;
}

static int decode_place(const struct cap *c, const struct vspace *vs, uint64_t ipa,
			uint64_t size)
{
	if (mapping_live(c))
		return SEPTA_E_IN_USE;
	if (!IS_ALIGNED(ipa, size))
		return SEPTA_E_ALIGN;
	if (ipa >> vs->pgt.geom.ia_bits || size > (1ULL << vs->pgt.geom.ia_bits) - ipa)
		return SEPTA_E_RANGE;
	return SEPTA_OK;
}

struct vspace *mapping_live(const struct cap *c)
{
	struct vspace *vs = vspace_of_mapping(c);

	if (vs && c->type == CAP_FRAME) {
		uint64_t done = MAPPING_DONE(c), ipa = CAP_MAP_IPA(c->word) + done;
		pte_t pte;
		unsigned level;

		/* This very frame, as the block it was mapped as or split into
		 * smaller entries by a protect: its first page an unmap has not
		 * removed yet. */
		if (pgt_query(&vs->pgt, ipa, &pte, &level) == PGT_OK && pte &&
		    pte_addr(pte) + (ipa & (pgt_granule(level) - 1)) == c->obj + done &&
		    pgt_granule(level) <= 1ULL << c->size_bits)
			return vs;
	} else if (vs && c->type == CAP_PAGE_TABLE) {
		/* This very table, still linked there. */
		struct pgt_edit e = {.op = PGT_OP_TABLE_REMOVE,
				     .addr = CAP_MAP_IPA(c->word),
				     .level = CAP_MAP_LEVEL(c->word),
				     .table = pa_init(c->obj)};

		if (pgt_check(&vs->pgt, &e) == PGT_OK)
			return vs;
	}
	return NULL;
}

/* A frame's steps remove only what maps this frame at its offset: a
 * stale record's range may hold others' mappings since, and a live one's
 * may hold what was mapped into a hole a deleted table left. */
bool frame_remove_step(struct cap *c, const struct vspace *vs, unsigned leaves,
		       struct pgt_flush *f)
{
	uint64_t done = MAPPING_DONE(c), size = 1ULL << c->size_bits;
	uint64_t step = pgt_unmap_own_deferred(&vs->pgt, CAP_MAP_IPA(c->word) + done,
					       size - done, c->obj + done, leaves, f);

	if (done + step < size) {
		c->map += (step >> SEPTA_PAGE_SHIFT) << MAPPING_DONE_SHIFT;
		return false;
	}
	c->word = 0;
	c->map = 0;
	return true;
}

bool mapping_remove(struct cap *c, unsigned leaves)
{
	struct vspace *vs = vspace_of_mapping(c);

	if (vs && c->type == CAP_FRAME) {
		struct pgt_flush f = {0};
		bool gone = frame_remove_step(c, vs, leaves, &f);

		pgt_flush(&vs->pgt, &f);
		return gone;
	} else if (vs && c->type == CAP_PAGE_TABLE) {
		/* Removed only if this very table is still linked there. */
		struct pgt_edit e = {.op = PGT_OP_TABLE_REMOVE,
				     .addr = CAP_MAP_IPA(c->word),
				     .level = CAP_MAP_LEVEL(c->word),
				     .table = pa_init(c->obj)};

		pgt_apply(&vs->pgt, &e);
	}
	c->word = 0;
	c->map = 0;
	return true;
}

struct frame_map_args {
	struct inv *iv;
	struct cap *frame;
	struct vspace *vs;
	uint64_t ipa;
	struct pgt_map_req req;
	struct pgt_edit edit;
	struct table_caps tables; /* extra capabilities after the VSpace */
	struct table_caps *t;	  /* &tables if there are any */
};

static int decode_frame_map(const struct frame_map_msg *m, struct frame_map_args *a)
{
	struct inv *iv = m->iv;
	struct cap *c = &iv->slot->cap;
	uint64_t rights = m->rights, owner = m->owner, size = 1ULL << c->size_bits;
	unsigned ntables = iv->ncaps - SEPTA_INV_NCAPS(FRAME_MAP);
	int err;

	err = decode_vspace(m->vspace, &a->vs);
	if (err)
		return err;
	a->ipa = m->ipa;
	if (!(rights & SEPTA_MAP_R) ||
	    rights > (SEPTA_MAP_R | SEPTA_MAP_W | SEPTA_MAP_X) || owner > SEPTA_BORROWED)
		return SEPTA_E_ARG;
	if (((rights & SEPTA_MAP_W) && !(c->rights & SEPTA_RIGHT_WRITE)) ||
	    !(c->rights & SEPTA_RIGHT_READ))
		return SEPTA_E_RIGHTS;
	if ((c->flags & CAP_F_DEVICE) && (rights & SEPTA_MAP_X))
		return SEPTA_E_ARG;
	err = decode_place(c, a->vs, a->ipa, size);
	if (err)
		return err;
	/* The PageTables: the capabilities after those the table lists. */
	a->t = ntables ? &a->tables : NULL;
	if (a->t && (err = table_caps_decode(a->t, iv->caps + SEPTA_INV_NCAPS(FRAME_MAP),
					     ntables)))
		return err;
	a->iv = iv;
	a->frame = c;
	a->req = (struct pgt_map_req){
	    .pa = c->obj,
	    .blocks = true,
	    .attrs =
		((c->flags & CAP_F_DEVICE)
		     ? arch_s2_device_attrs(true, rights & SEPTA_MAP_W)
		     : arch_s2_attrs(true, rights & SEPTA_MAP_W, rights & SEPTA_MAP_X)) |
		pte_owner_bits((enum septa_owner)owner) |
		pte_frame_w_bit(c->rights & SEPTA_RIGHT_WRITE)};
	/* A frame goes as one entry or one table's entries, the most a frame
	 * as big as a block has at the level below it. Over finer tables (a
	 * 1 GiB frame over last-level tables: 262,144 entries) it would cost
	 * what user level built, and its pages would lie in 513 tables, each
	 * of which could be taken away alone: E_LIMIT. */
	a->edit = (struct pgt_edit){.op = PGT_OP_MAP,
				    .addr = a->ipa,
				    .size = size,
				    .req = &a->req,
				    .limit = PGT_ENTRIES};
	err = mapping_check(iv, a->vs, &a->edit, a->t);
	/* The check lets the very entries asked for stand (the same frame,
	 * rights and tag): another capability's mapping, not to be recorded
	 * by this one too. A stale record of this one's own may have left
	 * them: its invoke removes those first and decodes again. */
	if (!err && !vspace_of_mapping(c) && a->edit.last && pte_valid(*a->edit.last))
		return SEPTA_E_DELETE_FIRST;
	return err;
}

static void invoke_frame_map(struct frame_map_args *a)
{
	/* A stale record (a table above it went) may still have part of the
	 * frame mapped in tables left linked: that goes first, in steps, and
	 * the call restarts to map on what is there then. */
	if (vspace_of_mapping(a->frame)) {
		mapping_remove(a->frame, MAPPING_STEP_LEAVES);
		a->iv->restart = true;
		return;
	}
	mapping_commit(a->vs, &a->edit, a->t);
	mapping_record(a->frame, a->vs, a->ipa);
}

struct frame_get_address_args {
	struct tcb *caller;
	uint64_t paddr;
};

static int decode_frame_get_address(const struct frame_get_address_msg *m,
				    struct frame_get_address_args *a)
{
	a->caller = m->iv->caller;
	a->paddr = m->iv->slot->cap.obj;
	return SEPTA_OK;
}

static void invoke_frame_get_address(const struct frame_get_address_args *a)
{
	msg_set(a->caller, 0, a->paddr);
}

/* Unmapping a frame or a PageTable: its capability. */
struct frame_unmap_args {
	struct inv *iv;
	struct cap *c;
};
#define page_table_unmap_args	frame_unmap_args
#define invoke_page_table_unmap invoke_frame_unmap

static int decode_frame_unmap(const struct frame_unmap_msg *m, struct frame_unmap_args *a)
{
	a->iv = m->iv;
	a->c = &m->iv->slot->cap;
	return SEPTA_OK;
}

static void invoke_frame_unmap(const struct frame_unmap_args *a)
{
	a->iv->restart = !mapping_remove(a->c, MAPPING_STEP_LEAVES);
}

INV_DISPATCH(frame_invoke, SEPTA_FRAME_INVOCATIONS)

/* A PageTable is installed at `level` (the level of the entries it holds)
 * in the entry one level up; everything above must exist already. */
struct page_table_map_args {
	struct cap *table;
	struct vspace *vs;
	uint64_t ipa;
	unsigned level;
	struct pgt_edit edit;
};

static int decode_page_table_map(const struct page_table_map_msg *m,
				 struct page_table_map_args *a)
{
	struct cap *c = &m->iv->slot->cap;
	int err;

	err = decode_vspace(m->vspace, &a->vs);
	if (err)
		return err;
	a->ipa = m->ipa;
	if (m->level <= a->vs->pgt.geom.start_level || m->level > 3)
		return SEPTA_E_ARG;
	err = decode_place(c, a->vs, a->ipa, pgt_granule((unsigned)m->level - 1));
	if (err)
		return err;
	a->table = c;
	a->level = (unsigned)m->level;
	a->edit = (struct pgt_edit){.op = PGT_OP_TABLE_INSTALL,
				    .addr = a->ipa,
				    .level = a->level,
				    .table = pa_init(c->obj)};
	return mapping_check(m->iv, a->vs, &a->edit, NULL);
}

static void invoke_page_table_map(struct page_table_map_args *a)
{
	mapping_commit(a->vs, &a->edit, NULL);
	mapping_record(a->table, a->vs, a->ipa | a->level);
}

static int decode_page_table_unmap(const struct page_table_unmap_msg *m,
				   struct frame_unmap_args *a)
{
	a->iv = m->iv;
	a->c = &m->iv->slot->cap;
	return SEPTA_OK;
}

INV_DISPATCH(page_table_invoke, SEPTA_PAGE_TABLE_INVOCATIONS)
