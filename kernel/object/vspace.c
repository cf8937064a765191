/*
 * VSpaces: stage-2 address spaces with their own IPA size, and the VMIDs
 * that tag their TLB entries. A VMID is recycled when its VSpace goes; the
 * generation count tells mapping records of the old VSpace from the new.
 */
#include <arch.h>
#include <klib.h>
#include <object/cap.h>
#include <object/cspace.h>
#include <object/decode.h>
#include <object/vspace.h>

#define VMID_COUNT 256 /* 8-bit VMIDs; 0 is never used, 1 is the root task's */

static struct vspace *vmid_owner[VMID_COUNT];
static uint32_t vmid_gen[VMID_COUNT];
/* Retyped VSpaces' VMIDs in use, and the lowest that may be free (all
 * below it are taken): one retype of many VSpaces scans each VMID once. */
static unsigned vmid_used, vmid_hint = 2;

bool vspace_vmid_available(unsigned n)
{
	return n <= VMID_COUNT - 2 - vmid_used;
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
	vs->pgt.vtcr = 0;
	for (unsigned v = vmid_hint; v < VMID_COUNT; v++)
		if (!vmid_owner[v]) {
			take_vmid(vs, v);
			vmid_hint = v + 1;
			vmid_used++;
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
	if (v >= 2) {
		vmid_used--;
		vmid_hint = v < vmid_hint ? v : vmid_hint;
	}
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

static int decode_vspace_protect(const struct vspace_protect_msg *m,
				 struct vspace_protect_args *a)
{
	struct vspace *vs = (struct vspace *)(uintptr_t)m->iv->slot->cap.obj;
	pte_t all = arch_s2_attrs(true, true, true), want;
	int err;

	if (m->keep > (SEPTA_MAP_R | SEPTA_MAP_W | SEPTA_MAP_X))
		return SEPTA_E_ARG;
	if (!IS_ALIGNED(m->ipa | m->size, SEPTA_PAGE_SIZE))
		return SEPTA_E_ALIGN;
	if (m->size == 0 || m->ipa >> vs->pgt.geom.ia_bits ||
	    m->size > (1ULL << vs->pgt.geom.ia_bits) - m->ipa)
		return SEPTA_E_RANGE;
	/* Its walk visits every entry in the range: at most two tables'. */
	if (m->size > SEPTA_PROTECT_MAX_SIZE)
		return SEPTA_E_LIMIT;
	/* The PageTables: every extra capability (the table lists none). */
	err = table_caps_decode(&a->tables, m->iv->caps, m->iv->ncaps);
	if (err)
		return err;
	/* Clear the access bits not kept; set execute-never if X is not. */
	want = arch_s2_attrs(m->keep & SEPTA_MAP_R, m->keep & SEPTA_MAP_W,
			     m->keep & SEPTA_MAP_X);
	a->vs = vs;
	a->edit = (struct pgt_edit){.op = PGT_OP_PROTECT,
				    .addr = m->ipa,
				    .size = m->size,
				    .set = want & ~all,
				    .clear = all & ~want};
	return mapping_check(m->iv, vs, &a->edit, &a->tables);
}

static void invoke_vspace_protect(struct vspace_protect_args *a)
{
	mapping_commit(a->vs, &a->edit, &a->tables);
}

struct vspace_query_args {
	struct tcb *caller;
	const struct vspace *vs;
	uint64_t ipa;
};

static int decode_vspace_query(const struct vspace_query_msg *m,
			       struct vspace_query_args *a)
{
	a->vs = (const struct vspace *)(uintptr_t)m->iv->slot->cap.obj;
	if (m->ipa >> a->vs->pgt.geom.ia_bits)
		return SEPTA_E_RANGE;
	a->caller = m->iv->caller;
	a->ipa = m->ipa;
	return SEPTA_OK;
}

static void invoke_vspace_query(const struct vspace_query_args *a)
{
	pte_t pte;
	unsigned level;

	pgt_query(&a->vs->pgt, a->ipa, &pte, &level);
	msg_set(a->caller, 0,
		pte ? pte_addr(pte) +
			  (ALIGN_DOWN(a->ipa, SEPTA_PAGE_SIZE) & (pgt_granule(level) - 1))
		    : 0);
	/* Unmapped: the level of the empty entry, so a caller scanning for
	 * mappings can skip that entry's whole range. */
	msg_set(a->caller, 1, level);
	msg_set(a->caller, 2, pte ? arch_s2_rights(pte) : 0);
	msg_set(a->caller, 3, pte ? pte_owner(pte) : 0);
}

/*
 * VSPACE_QUERY_EXTENT: how far the kind of entry at ipa (mapped or not)
 * goes, so that a caller checks a run free in one call, not one a page.
 * Bounded: it reads at most QUERY_EXTENT_STEP_ENTRIES leaf or empty
 * entries (one last-level table's worth, about 7 instructions each) and
 * replies what it found so far; the caller asks again from there.
 */
#define QUERY_EXTENT_STEP_ENTRIES 512u

struct vspace_query_extent_args {
	struct tcb *caller;
	const struct vspace *vs;
	uint64_t ipa, size;
};

static int decode_vspace_query_extent(const struct vspace_query_extent_msg *m,
				      struct vspace_query_extent_args *a)
{
	const struct vspace *vs = (const struct vspace *)(uintptr_t)m->iv->slot->cap.obj;
	uint64_t limit = 1ULL << vs->pgt.geom.ia_bits;

	if (!IS_ALIGNED(m->ipa | m->size, SEPTA_PAGE_SIZE))
		return SEPTA_E_ALIGN;
	if (m->size == 0)
		return SEPTA_E_ARG;
	if (m->ipa >= limit || m->size > limit - m->ipa)
		return SEPTA_E_RANGE;
	a->caller = m->iv->caller;
	a->vs = vs;
	a->ipa = m->ipa;
	a->size = m->size;
	return SEPTA_OK;
}

static void invoke_vspace_query_extent(const struct vspace_query_extent_args *a)
{
	uint64_t extent;
	bool mapped;

	/* Decoding checked what pgt_query_range refuses. */
	pgt_query_range(&a->vs->pgt, a->ipa, a->size, QUERY_EXTENT_STEP_ENTRIES, &extent,
			&mapped);
	msg_set(a->caller, 0, extent);
	msg_set(a->caller, 1, mapped);
}

/*
 * VSPACE_UNMAP_FRAMES: the frames of a run of slots out of this VSpace,
 * each capability checked and then every mapping removed, with one TLB
 * invalidation for all (pgt_flush: by IPA for one entry, the VMID's
 * entries for more) instead of one per frame or per leaf. Bounded per
 * kernel entry: a step does at most UNMAP_RUN_STEP_FRAMES frames and
 * MAPPING_STEP_LEAVES leaf entries (each frame's walk starts at the root);
 * the call then restarts on the rest of the run, its offset and count
 * registers advanced past the frames done (the reply replaces them, so
 * the caller sees one call). Each step checks all of what is left before
 * it changes anything: an error on the first step leaves everything as
 * it was; a later step finds only what the caller's own threads changed
 * in its CNode meanwhile, and stops with the frames before done. A frame
 * half done (a big frame split into more leaves than a step takes) keeps
 * its progress in its record, as a FRAME_UNMAP step does.
 */
#define UNMAP_RUN_STEP_FRAMES 128u

/* The run of slots offset .. offset + count - 1 of the CNode at index:
 * every ranged call names its frames so. */
static int run_at(const struct cte *root, uint64_t index, uint64_t depth, uint64_t offset,
		  uint64_t count, struct cte **run)
{
	const struct cap *node;
	int err = cspace_cnode_at(&root->cap, index, depth, &node);

	if (err)
		return err;
	if (offset >= (1ULL << node->size_bits) ||
	    count > (1ULL << node->size_bits) - offset)
		return SEPTA_E_RANGE;
	*run = (struct cte *)(uintptr_t)node->obj + offset;
	return SEPTA_OK;
}

/* A run of frame capabilities one ranged call on this VSpace works
 * through (UNMAP, RETAG and DELETE_FRAMES), in steps. */
struct frame_run {
	struct inv *iv;
	const struct vspace *vs;
	struct cte *run;
	uint64_t offset, count;
};

/* What each of those calls checks of a run, slot by slot in order: count,
 * the run's slots, each a Frame, then the call's own check of it. Inline,
 * so each call's check is inlined into its loop. */
static inline __attribute__((always_inline)) int
frame_run_open(struct inv *iv, const struct cte *root, uint64_t index, uint64_t depth,
	       uint64_t offset, uint64_t count, struct frame_run *r,
	       int (*check)(const struct cte *s, const struct vspace *vs))
{
	const struct vspace *vs = (const struct vspace *)(uintptr_t)iv->slot->cap.obj;
	int err;

	if (count == 0 || count > SEPTA_UNMAP_FRAMES_MAX)
		return SEPTA_E_ARG;
	err = run_at(root, index, depth, offset, count, &r->run);
	if (err)
		return err;
	for (uint64_t i = 0; i < count; i++) {
		const struct cte *s = &r->run[i];

		if (s->cap.type == CAP_NULL)
			return SEPTA_E_MISSING_CAP;
		if (s->cap.type != CAP_FRAME)
			return SEPTA_E_CAP_TYPE;
		err = check(s, vs);
		if (err)
			return err;
	}
	r->iv = iv;
	r->vs = vs;
	r->offset = offset;
	r->count = count;
	return SEPTA_OK;
}

/* done of the run's frames are through: the caller restarts on the rest. */
static void frame_run_restart(const struct frame_run *r, uint64_t done)
{
	if (done < r->count) {
		msg_set(r->iv->caller, 2, r->offset + done); /* offset */
		msg_set(r->iv->caller, 3, r->count - done);  /* count */
		r->iv->restart = true;
	}
}

struct vspace_unmap_frames_args {
	struct frame_run r;
};

/* Its record names this VSpace. A stale one (a table above went)
 * counts: its step removes nothing of anyone else's, only the record, as
 * FRAME_UNMAP's would. */
static int unmap_frames_check(const struct cte *s, const struct vspace *vs)
{
	return vspace_of_mapping(&s->cap) != vs ? SEPTA_E_NOT_MAPPED : SEPTA_OK;
}

static int decode_vspace_unmap_frames(const struct vspace_unmap_frames_msg *m,
				      struct vspace_unmap_frames_args *a)
{
	return frame_run_open(m->iv, m->root, m->index, m->depth, m->offset, m->count,
			      &a->r, unmap_frames_check);
}

static void invoke_vspace_unmap_frames(const struct vspace_unmap_frames_args *a)
{
	struct pgt_flush f = {0};
	uint64_t i = 0;

	while (i < a->r.count && i < UNMAP_RUN_STEP_FRAMES &&
	       f.visited < MAPPING_STEP_LEAVES &&
	       frame_remove_step(&a->r.run[i].cap, a->r.vs,
				 MAPPING_STEP_LEAVES - f.visited, &f))
		i++;
	pgt_flush(&a->r.vs->pgt, &f);
	frame_run_restart(&a->r, i);
}

/*
 * VSPACE_RETAG_FRAMES: a new ownership tag on the mappings of a run of
 * frames, in place (memsrv changes an owner's view, OWNED <->
 * SHARED_OWNED, without unmapping and mapping again). The authority is
 * the frame capabilities', as at FRAME_MAP where the tag was first given:
 * a client holding only its VSpace cannot retag its own pages. The tag is
 * in bits the table walker ignores, so no entry is broken first and no
 * TLB entry is invalidated. Checked as VSPACE_UNMAP_FRAMES's run (each
 * frame's record names this VSpace; a stale one counts), and each frame
 * at most 2 MiB (at most one table's entries, so a step that stops
 * between frames is bounded); then every frame's own leaves get the tag:
 * those that map this frame at its offset, so a stale record's range,
 * which may hold others' pages since, changes nothing of theirs (as
 * VSPACE_UNMAP_FRAMES removes nothing of theirs). The check is O(1) a
 * frame, no walk, so that restarting (each step checks what is left)
 * costs little. Steps of at most RETAG_STEP_FRAMES frames and about
 * MAPPING_STEP_LEAVES leaves, restarted on the rest as
 * VSPACE_UNMAP_FRAMES is.
 */
#define RETAG_STEP_FRAMES 128u

struct vspace_retag_frames_args {
	struct frame_run r;
	pte_t tag;
};

static int retag_frames_check(const struct cte *s, const struct vspace *vs)
{
	if (s->cap.size_bits > 21)
		return SEPTA_E_SIZE;
	return vspace_of_mapping(&s->cap) != vs ? SEPTA_E_NOT_MAPPED : SEPTA_OK;
}

static int decode_vspace_retag_frames(const struct vspace_retag_frames_msg *m,
				      struct vspace_retag_frames_args *a)
{
	if (m->tag > SEPTA_BORROWED)
		return SEPTA_E_ARG;
	a->tag = pte_owner_bits((enum septa_owner)m->tag);
	return frame_run_open(m->iv, m->root, m->index, m->depth, m->offset, m->count,
			      &a->r, retag_frames_check);
}

static void invoke_vspace_retag_frames(const struct vspace_retag_frames_args *a)
{
	unsigned visited = 0;
	uint64_t i = 0;

	for (; i < a->r.count && i < RETAG_STEP_FRAMES && visited < MAPPING_STEP_LEAVES;
	     i++) {
		const struct cap *c = &a->r.run[i].cap;
		uint64_t done = MAPPING_DONE(c);

		/* What a half-done unmap left: the rest of the frame. */
		visited +=
		    pgt_retag_own(&a->r.vs->pgt, CAP_MAP_IPA(c->word) + done,
				  (1ULL << c->size_bits) - done, c->obj + done, a->tag);
	}
	frame_run_restart(&a->r, i);
}

/*
 * VSPACE_MAP_FRAMES: a run of 4 KiB frames copied and mapped, what a
 * CNODE_MINT and a FRAME_MAP do for each (memsrv grants a run of pages
 * with one call instead of two a page). Copy i of source slot i goes into
 * empty destination slot i, a child of its source with Read and, for a
 * writable mapping, Write, and maps it at ipa + i pages with the rights
 * and ownership tag given; the copy's record is that mapping, so deleting
 * the copy unmaps it as any frame's. Every frame, slot and page is
 * checked first, the page-table walk's dry run included (tables must be
 * there: a FRAME_MAP of the run's first page brings them); a refusal
 * changes nothing. A run is at most SEPTA_MAP_FRAMES_MAX frames of one
 * leaf each, checked and mapped in this one kernel entry.
 */
struct vspace_map_frames_args {
	const struct vspace *vs;
	struct cte *src, *dst;
	uint64_t count, ipa, rights, tag;
	pte_t *leaf[SEPTA_MAP_FRAMES_MAX]; /* each page's entry, found by its check */
};

/* What a copy of c maps: FRAME_MAP's attributes for these rights. The
 * copy has Write (PTE_FRAME_W) only for a writable mapping: it is made
 * with no more rights than that (invoke_vspace_map_frames' keep). */
static pte_t run_attrs(const struct cap *c, uint64_t rights, uint64_t tag)
{
	return ((c->flags & CAP_F_DEVICE)
		    ? arch_s2_device_attrs(true, rights & SEPTA_MAP_W)
		    : arch_s2_attrs(true, rights & SEPTA_MAP_W, rights & SEPTA_MAP_X)) |
	       pte_owner_bits((enum septa_owner)tag) |
	       pte_frame_w_bit((c->rights & SEPTA_RIGHT_WRITE) && (rights & SEPTA_MAP_W));
}

static int run_check_one(struct vspace_map_frames_args *a, uint64_t i)
{
	const struct cap *c = &a->src[i].cap;
	struct pgt_map_req req;
	struct pgt_edit e;

	if (c->type == CAP_NULL)
		return SEPTA_E_MISSING_CAP;
	if (c->type != CAP_FRAME)
		return SEPTA_E_CAP_TYPE;
	if (c->size_bits != SEPTA_PAGE_SHIFT)
		return SEPTA_E_SIZE;
	if (((a->rights & SEPTA_MAP_W) && !(c->rights & SEPTA_RIGHT_WRITE)) ||
	    !(c->rights & SEPTA_RIGHT_READ))
		return SEPTA_E_RIGHTS;
	if ((c->flags & CAP_F_DEVICE) && (a->rights & SEPTA_MAP_X))
		return SEPTA_E_ARG;
	if (a->dst[i].cap.type != CAP_NULL)
		return SEPTA_E_IN_USE;
	req =
	    (struct pgt_map_req){.pa = c->obj, .attrs = run_attrs(c, a->rights, a->tag)};
	e = (struct pgt_edit){.op = PGT_OP_MAP,
			      .addr = a->ipa + i * SEPTA_PAGE_SIZE,
			      .size = SEPTA_PAGE_SIZE,
			      .req = &req};
	switch (pgt_check(&a->vs->pgt, &e)) {
	case PGT_OK:
		/* A page under a table there: its entry is the last leaf
		 * (at level 3, or the map would have needed a table). */
		if (!e.last || e.last_level != 3)
			return SEPTA_E_NO_TABLE;
		/* The check lets the very entry asked for stand (the same
		 * frame, rights and tag): another capability's mapping,
		 * which the copy must not record too. */
		if (pte_valid(*e.last))
			return SEPTA_E_DELETE_FIRST;
		a->leaf[i] = e.last;
		return SEPTA_OK;
	case PGT_E_NO_TABLE:
		return SEPTA_E_NO_TABLE;
	case PGT_E_EXISTS:
		return SEPTA_E_DELETE_FIRST;
	default:
		return SEPTA_E_RANGE;
	}
}

static int decode_vspace_map_frames(const struct vspace_map_frames_msg *m,
				    struct vspace_map_frames_args *a)
{
	const struct vspace *vs = (const struct vspace *)(uintptr_t)m->iv->slot->cap.obj;
	uint64_t limit = 1ULL << vs->pgt.geom.ia_bits;
	int err;

	if (m->count == 0 || m->count > SEPTA_MAP_FRAMES_MAX ||
	    !(m->rights & SEPTA_MAP_R) ||
	    m->rights > (SEPTA_MAP_R | SEPTA_MAP_W | SEPTA_MAP_X) ||
	    m->tag > SEPTA_BORROWED)
		return SEPTA_E_ARG;
	err =
	    run_at(m->root, m->src_index, m->src_depth, m->src_offset, m->count, &a->src);
	if (!err)
		err = run_at(m->root, m->dst_index, m->dst_depth, m->dst_offset, m->count,
			     &a->dst);
	if (err)
		return err;
	if (!IS_ALIGNED(m->ipa, SEPTA_PAGE_SIZE))
		return SEPTA_E_ALIGN;
	if (m->ipa >= limit || m->count > (limit - m->ipa) >> SEPTA_PAGE_SHIFT)
		return SEPTA_E_RANGE;
	a->vs = vs;
	a->count = m->count;
	a->ipa = m->ipa;
	a->rights = m->rights;
	a->tag = m->tag;
	/* Overlapping runs cannot pass: a slot both source and destination
	 * is empty (as a destination) and full (as a source) at once. */
	for (uint64_t i = 0; i < a->count; i++) {
		err = run_check_one(a, i);
		if (err)
			return err;
	}
	return SEPTA_OK;
}

static void invoke_vspace_map_frames(const struct vspace_map_frames_args *a)
{
	uint8_t keep =
	    SEPTA_RIGHT_READ | (a->rights & SEPTA_MAP_W ? SEPTA_RIGHT_WRITE : 0);

	for (uint64_t i = 0; i < a->count; i++) {
		struct cte *src = &a->src[i], *dst = &a->dst[i];
		struct cap copy;

		(void)cap_copy_of(&src->cap, &copy); /* a frame: cannot fail */
		copy.rights &= keep;
		cdt_insert(src, dst, &copy);
		/* Checked in decode, nothing changed since: its entry is
		 * empty, under a table that is there. */
		pgt_map_leaf(a->leaf[i], src->cap.obj,
			     run_attrs(&src->cap, a->rights, a->tag));
		mapping_record(&dst->cap, a->vs, a->ipa + i * SEPTA_PAGE_SIZE);
	}
	pgt_publish(&a->vs->pgt);
}

/*
 * VSPACE_DELETE_FRAMES: the frame capabilities of a run of slots deleted,
 * what a CNODE_REVOKE and a CNODE_DELETE of each do when it has no
 * children (memsrv ends a run of grants with one call instead of two a
 * page). A frame capability with children (a TCB's IPC buffer binding is
 * one) is refused whole: the caller revokes it. Each is mapped in this
 * VSpace (or its record is stale there) or nowhere; its mapping goes as
 * VSPACE_UNMAP_FRAMES takes it, with one TLB invalidation for the step,
 * and then the capability leaves the derivation tree (a frame has nothing
 * to finalise). Steps and restarts as VSPACE_UNMAP_FRAMES's; a frame half
 * unmapped stays in its slot with its progress until a later step.
 */
struct vspace_delete_frames_args {
	struct frame_run r;
};

static int delete_frames_check(const struct cte *s, const struct vspace *vs)
{
	const struct vspace *at = vspace_of_mapping(&s->cap);

	if (s->first_child)
		return SEPTA_E_REVOKE_FIRST;
	return at && at != vs ? SEPTA_E_NOT_MAPPED : SEPTA_OK;
}

static int decode_vspace_delete_frames(const struct vspace_delete_frames_msg *m,
				       struct vspace_delete_frames_args *a)
{
	return frame_run_open(m->iv, m->root, m->index, m->depth, m->offset, m->count,
			      &a->r, delete_frames_check);
}

static void invoke_vspace_delete_frames(const struct vspace_delete_frames_args *a)
{
	struct pgt_flush f = {0};
	uint64_t i = 0;

	for (; i < a->r.count && i < UNMAP_RUN_STEP_FRAMES &&
	       f.visited < MAPPING_STEP_LEAVES;
	     i++) {
		struct cte *s = &a->r.run[i];

		if (vspace_of_mapping(&s->cap) &&
		    !frame_remove_step(&s->cap, a->r.vs, MAPPING_STEP_LEAVES - f.visited,
				       &f))
			break; /* half done: the next step goes on with it */
		cdt_unlink(s);
	}
	/* Before anyone can reuse what the frames held: the caller's next
	 * instruction is after this. */
	pgt_flush(&a->r.vs->pgt, &f);
	frame_run_restart(&a->r, i);
}

INV_DISPATCH(vspace_invoke, SEPTA_VSPACE_INVOCATIONS)
