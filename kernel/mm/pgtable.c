#include <klib.h>
#include <pgtable.h>

int pgt_geom_init(struct pgt_geom *g, unsigned ia_bits, bool concat)
{
	unsigned levels, start, root_bits;

	/* Stage 2 starts at level 2 at the lowest (no FEAT_TTST), which with
	 * concatenation covers 32 bits at the least worth supporting. */
	if (ia_bits > 48 || ia_bits < (concat ? 32u : 25u))
		return PGT_E_IA_BITS;
	/* Each level resolves 9 bits above the 12-bit page offset; with
	 * concatenation the start level may resolve 4 bits more. */
	if (concat)
		levels = (ia_bits - SEPTA_PAGE_SHIFT - 4 + 8) / 9;
	else
		levels = (ia_bits - SEPTA_PAGE_SHIFT + 8) / 9;
	start = 4 - levels;
	root_bits = ia_bits - pgt_level_shift(start);
	g->ia_bits = (uint8_t)ia_bits;
	g->start_level = (uint8_t)start;
	g->root_pages = (uint8_t)(root_bits > 9 ? 1u << (root_bits - 9) : 1u);
	return PGT_OK;
}

struct walk_data {
	const struct pgt *pgt;
	const struct pgt_walker *w;
	uint64_t addr;
	uint64_t end;
};

static int walk_table(struct walk_data *d, pte_t *table, unsigned nentries,
		      unsigned level);

static int visit(struct walk_data *d, pte_t *ptep, unsigned level,
		 enum pgt_visit_kind kind)
{
	struct pgt_visit v = {d->pgt, d->addr, d->end, level, ptep, d->w->arg};

	if (!(d->w->kinds & kind))
		return 0;
	return d->w->cb(&v, kind);
}

static int walk_entry(struct walk_data *d, pte_t *ptep, unsigned level)
{
	uint64_t next = ALIGN_DOWN(d->addr, pgt_granule(level)) + pgt_granule(level);
	int ret;

	if (pte_is_table(*ptep, level)) {
		ret = visit(d, ptep, level, PGT_VISIT_TABLE_PRE);
		if (ret == PGT_WALK_SKIP) {
			d->addr = next; /* the visitor did the entries below */
			return 0;
		}
		if (ret)
			return ret;
	}
	if (!pte_is_table(*ptep, level)) {
		ret = visit(d, ptep, level, PGT_VISIT_LEAF);
		if (ret)
			return ret;
		/* A visitor may have installed a table here: walk it next. */
		if (!pte_is_table(*ptep, level)) {
			d->addr = next;
			return 0;
		}
	}
	ret = walk_table(d, d->pgt->mm->phys_to_virt(pa_init(pte_addr(*ptep))),
			 PGT_ENTRIES, level + 1);
	if (ret)
		return ret;
	return visit(d, ptep, level, PGT_VISIT_TABLE_POST);
}

static int walk_table(struct walk_data *d, pte_t *table, unsigned nentries,
		      unsigned level)
{
	unsigned idx = (unsigned)(d->addr >> pgt_level_shift(level)) & (nentries - 1);

	for (; idx < nentries && d->addr < d->end; idx++) {
		int ret = walk_entry(d, &table[idx], level);
		if (ret)
			return ret;
	}
	return 0;
}

static bool range_ok(const struct pgt *pgt, uint64_t addr, uint64_t size)
{
	uint64_t limit = 1ULL << pgt->geom.ia_bits;

	return size != 0 && addr < limit && size <= limit - addr;
}

int pgt_walk(const struct pgt *pgt, uint64_t addr, uint64_t size,
	     const struct pgt_walker *w)
{
	struct walk_data d = {pgt, w, addr, addr + size};

	if (!range_ok(pgt, addr, size))
		return PGT_E_RANGE;
	return walk_table(&d, pgt->mm->phys_to_virt(pgt->root),
			  PGT_ENTRIES * pgt->geom.root_pages, pgt->geom.start_level);
}

/* ---- edits: map, unmap, protect, table install and removal ---- */

#define STOP 1 /* a table op found its entry: the walk ends, not an error */

static bool is_table_op(const struct pgt_edit *e)
{
	return e->op == PGT_OP_TABLE_INSTALL || e->op == PGT_OP_TABLE_REMOVE;
}

static bool is_limited(const struct pgt_edit *e)
{
	return (e->op == PGT_OP_MAP || e->op == PGT_OP_UNMAP) && e->limit;
}

static bool leaf_fits(const struct pgt_map_req *req, unsigned level, uint64_t addr,
		      uint64_t end, uint64_t pa)
{
	uint64_t g = pgt_granule(level);

	if (level < 3 && (level == 0 || !req->blocks))
		return false;
	return IS_ALIGNED(addr, g) && end - addr >= g && IS_ALIGNED(pa, g);
}

static bool covers(unsigned level, uint64_t addr, uint64_t end)
{
	uint64_t g = pgt_granule(level);

	return IS_ALIGNED(addr, g) && end - addr >= g;
}

/*
 * Tables needed below one entry at `level` for the part [addr, end) of the
 * range inside it. A map of an empty entry needs a table wherever a leaf
 * does not fit; an unmap or protect of a valid block needs one wherever the
 * block is only partly covered (it is split, keeping the rest mapped).
 */
static unsigned tables_below(const struct pgt_edit *e, unsigned level, uint64_t addr,
			     uint64_t end, uint64_t pa)
{
	uint64_t g = pgt_granule(level);
	uint64_t stop = ALIGN_DOWN(addr, g) + g;
	unsigned n = 1;

	if (stop > end)
		stop = end;
	if (level + 1 == 3)
		return n;
	for (uint64_t a = addr; a < stop;) {
		uint64_t cg = pgt_granule(level + 1);
		uint64_t cend =
		    ALIGN_DOWN(a, cg) + cg < stop ? ALIGN_DOWN(a, cg) + cg : stop;
		bool need = e->op == PGT_OP_MAP
				? !leaf_fits(e->req, level + 1, a, cend, pa + (a - addr))
				: !covers(level + 1, a, cend);

		if (need)
			n += tables_below(e, level + 1, a, cend, pa + (a - addr));
		a = cend;
	}
	return n;
}

static void set_pte(const struct pgt *pgt, pte_t *ptep, pte_t new, uint64_t addr,
		    unsigned level)
{
	/* Break-before-make: the old translation must be gone from every TLB
	 * before a different one can be seen. */
	if (pte_valid(*ptep)) {
		*(volatile pte_t *)ptep = 0;
		pgt->mm->tlb_inval(pgt, addr, level);
	}
	*(volatile pte_t *)ptep = new;
}

/* Replaces an empty entry with the table `page`, or a block with a table
 * of entries that map exactly what the block mapped. Every entry of the
 * page is written: a table page may hold what it held in a VSpace that
 * died, and none of it may come back. */
static void link_table(struct pgt_visit *v, paddr_t page)
{
	pte_t *table = v->pgt->mm->phys_to_virt(page);
	pte_t old = *v->ptep;
	uint64_t cg = pgt_granule(v->level + 1);

	if (pte_valid(old))
		for (unsigned i = 0; i < PGT_ENTRIES; i++)
			table[i] = (pte_addr(old) + i * cg) | (old & PTE_LEAF_ATTRS) |
				   PTE_VALID | (v->level + 1 == 3 ? PTE_TYPE_TABLE : 0);
	else
		memset(table, 0, SEPTA_PAGE_SIZE);
	set_pte(v->pgt, v->ptep, pa_addr(page) | PTE_VALID | PTE_TYPE_TABLE,
		ALIGN_DOWN(v->addr, pgt_granule(v->level)), v->level);
}

/* A table from the cache, recording where it went. */
static void link_cached_table(struct pgt_visit *v, struct pgt_cache *cache)
{
	paddr_t page = cache->pages[--cache->count];

	if (cache->where)
		cache->where[cache->count] =
		    ALIGN_DOWN(v->addr, pgt_granule(v->level)) | (v->level + 1);
	link_table(v, page);
}

/* Unlinks the table entry at v; what it mapped may be cached anywhere in
 * its range, at any level. */
static void unlink_table(struct pgt_visit *v)
{
	*(volatile pte_t *)v->ptep = 0;
	v->pgt->mm->tlb_inval_all(v->pgt);
}

/* Part of the range needs a table at this empty entry or block: counted by
 * the check, taken from the cache by the commit. */
static int need_table(struct pgt_visit *v, struct pgt_edit *e, unsigned n)
{
	if (e->commit) {
		link_cached_table(v, e->cache);
		return 0;
	}
	if (e->tables == 0)
		e->stop_level = v->level;
	e->tables += n;
	return 0;
}

static int range_leaf(struct pgt_visit *v, enum pgt_visit_kind kind)
{
	struct pgt_edit *e = v->arg;
	uint64_t g = pgt_granule(v->level);
	uint64_t base = ALIGN_DOWN(v->addr, g);
	uint64_t pa = e->op == PGT_OP_MAP ? e->req->pa + (v->addr - e->addr) : 0;
	pte_t old = *v->ptep, new;
	bool whole;

	(void)kind;
	if (is_limited(e) && e->visited++ == e->limit) {
		if (e->op == PGT_OP_MAP)
			return PGT_E_LIMIT;
		/* An unmap does the part before this entry (an entry boundary:
		 * every leaf before it lay wholly in the range). */
		e->size = v->addr - e->addr;
		return STOP;
	}
	/* The last leaf visited: the only one if the range lies inside it. */
	e->last = v->ptep;
	e->last_level = (uint8_t)v->level;
	if (e->op == PGT_OP_MAP) {
		whole = leaf_fits(e->req, v->level, v->addr, v->end, pa);
		if (whole) {
			new = pa | e->req->attrs | PTE_VALID |
			      (v->level == 3 ? PTE_TYPE_TABLE : 0);
			if (pte_valid(old) && old != new && !e->req->replace)
				return PGT_E_EXISTS;
			if (e->commit && old != new)
				set_pte(v->pgt, v->ptep, new, base, v->level);
			return 0;
		}
		if (pte_valid(old) && !e->req->replace)
			return PGT_E_EXISTS;
	} else {
		if (!pte_valid(old))
			return 0; /* nothing mapped here: nothing to change */
		whole = covers(v->level, v->addr, v->end);
		/* Another's translation (or one not wholly inside): not ours. */
		if (e->op == PGT_OP_UNMAP && e->req &&
		    (!whole || pte_addr(old) != e->req->pa + (base - e->addr)))
			return 0;
		if (whole) {
			new = e->op == PGT_OP_UNMAP ? 0 : (old & ~e->clear) | e->set;
			if (e->commit && e->batch) {
				/* Only an unmap batches: one flush at the end. */
				if (!e->flush->cleared++) {
					e->flush->addr = base;
					e->flush->level = v->level;
				}
				*(volatile pte_t *)v->ptep = 0;
				return 0;
			}
			if (e->commit && new != old)
				set_pte(v->pgt, v->ptep, new, base, v->level);
			return 0;
		}
	}
	/* Part of this entry's range: it needs a table to descend into. */
	if (e->commit)
		return need_table(v, e, 0);
	return need_table(v, e,
			  tables_below(e, v->level, v->addr,
				       v->end - base > g ? base + g : v->end, pa));
}

/* Table ops walk the one entry of the level above the table's (e->level -
 * 1) that covers addr, and the entries above it. */
static int table_visit(struct pgt_visit *v, enum pgt_visit_kind kind)
{
	struct pgt_edit *e = v->arg;
	unsigned at = e->level - 1;

	if (kind == PGT_VISIT_TABLE_PRE) {
		if (v->level < at)
			return 0; /* go down */
		if (e->op == PGT_OP_TABLE_INSTALL)
			return PGT_E_EXISTS;
		if (pte_addr(*v->ptep) != pa_addr(e->table))
			return PGT_E_NOT_THERE;
		if (e->commit)
			unlink_table(v);
		return STOP;
	}
	/* An empty entry or a block, at `at` or above. */
	if (e->op == PGT_OP_TABLE_REMOVE)
		return PGT_E_NOT_THERE;
	if (pte_valid(*v->ptep))
		return PGT_E_EXISTS;
	if (v->level < at)
		return need_table(v, e, at - v->level);
	if (e->commit)
		link_table(v, e->table);
	return STOP;
}

static int edit_walk(const struct pgt *pgt, struct pgt_edit *e)
{
	struct pgt_walker w = {range_leaf, e, PGT_VISIT_LEAF};
	int ret;

	if (is_table_op(e)) {
		w = (struct pgt_walker){table_visit, e,
					PGT_VISIT_LEAF | PGT_VISIT_TABLE_PRE};
		ret = pgt_walk(pgt, e->addr, pgt_granule(e->level - 1), &w);
		return ret == STOP ? PGT_OK : ret;
	}
	ret = pgt_walk(pgt, e->addr, e->size, &w);
	return ret == STOP ? PGT_OK : ret; /* an unmap reached its limit */
}

static int check_args(const struct pgt *pgt, const struct pgt_edit *e)
{
	switch (e->op) {
	case PGT_OP_MAP:
		if (!IS_ALIGNED(e->req->pa, SEPTA_PAGE_SIZE))
			return PGT_E_ALIGN;
		break;
	case PGT_OP_PROTECT:
		if ((e->set | e->clear) & ~PTE_LEAF_ATTRS)
			return PGT_E_ALIGN;
		break;
	case PGT_OP_TABLE_INSTALL:
	case PGT_OP_TABLE_REMOVE:
		if (e->level <= pgt->geom.start_level || e->level > 3)
			return PGT_E_RANGE;
		return IS_ALIGNED(e->addr, pgt_granule(e->level - 1)) &&
			       IS_ALIGNED(pa_addr(e->table), SEPTA_PAGE_SIZE)
			   ? PGT_OK
			   : PGT_E_ALIGN;
	default:
		break;
	}
	return IS_ALIGNED(e->addr | e->size, SEPTA_PAGE_SIZE) ? PGT_OK : PGT_E_ALIGN;
}

int pgt_check(const struct pgt *pgt, struct pgt_edit *e)
{
	int ret = check_args(pgt, e);

	e->commit = false;
	e->last = NULL;
	e->tables = 0;
	if (is_limited(e))
		e->visited = 0;
	if (ret)
		return ret;
	ret = edit_walk(pgt, e);
	if (ret)
		return ret;
	return e->tables > (e->cache ? e->cache->count : 0) ? PGT_E_NO_TABLE : PGT_OK;
}

/* A range edit inside one leaf entry that takes no table: the check
 * visited only that entry, and nothing changed since, so the commit
 * visits only it. (Had the check visited more, the last would start
 * inside the range, on a boundary of its own size.) */
static bool one_entry(const struct pgt_edit *e)
{
	uint64_t g = pgt_granule(e->last_level);

	return !is_table_op(e) && e->last && e->tables == 0 &&
	       ALIGN_DOWN(e->addr, g) + g - e->addr >= e->size;
}

void pgt_commit(const struct pgt *pgt, struct pgt_edit *e)
{
	e->commit = true;
	/* The check visited no more than allowed and trimmed an unmap to
	 * what it visited: the commit visits the same entries. */
	if (is_limited(e))
		e->limit = 0;
	if (one_entry(e)) {
		struct pgt_visit v = {pgt,	     e->addr, e->addr + e->size,
				      e->last_level, e->last, e};

		range_leaf(&v, PGT_VISIT_LEAF);
	} else {
		edit_walk(pgt, e);
	}
	pgt->mm->publish();
}

int pgt_apply(const struct pgt *pgt, struct pgt_edit *e)
{
	int ret = pgt_check(pgt, e);

	if (!ret)
		pgt_commit(pgt, e);
	return ret;
}

static int apply_req(const struct pgt *pgt, struct pgt_edit *e, struct pgt_map_req *req)
{
	int ret;

	e->cache = req->cache;
	ret = pgt_apply(pgt, e);
	req->tables = e->tables;
	req->stop_level = e->stop_level;
	return ret;
}

int pgt_map(const struct pgt *pgt, uint64_t addr, uint64_t size, struct pgt_map_req *req)
{
	struct pgt_edit e = {.op = PGT_OP_MAP, .addr = addr, .size = size, .req = req};

	return apply_req(pgt, &e, req);
}

int pgt_unmap(const struct pgt *pgt, uint64_t addr, uint64_t size,
	      struct pgt_map_req *req)
{
	struct pgt_edit e = {.op = PGT_OP_UNMAP, .addr = addr, .size = size};

	return apply_req(pgt, &e, req);
}

int pgt_protect(const struct pgt *pgt, uint64_t addr, uint64_t size, pte_t set,
		pte_t clear, struct pgt_map_req *req)
{
	struct pgt_edit e = {
	    .op = PGT_OP_PROTECT, .addr = addr, .size = size, .set = set, .clear = clear};

	return apply_req(pgt, &e, req);
}

/*
 * The batch unmap's walk: range_leaf's, but a last-level table goes in a
 * loop of its own instead of a visit per entry (the walker's visit is some
 * 100 instructions; a 2 MiB frame over a last-level table is 512 of them).
 * What it removes is what range_leaf would: entries that map the frame's
 * page at their offset, whole pages being whole at level 3; it counts
 * every entry as visited and stops where range_leaf would, before the
 * entry past the limit, trimming the edit's size to what it covered.
 */
static int own_unmap_visit(struct pgt_visit *v, enum pgt_visit_kind kind)
{
	struct pgt_edit *e = v->arg;
	uint64_t stop =
	    ALIGN_DOWN(v->addr, pgt_granule(v->level)) + pgt_granule(v->level);
	unsigned n, left;
	pte_t *t, *end, want;

	if (kind == PGT_VISIT_LEAF)
		return range_leaf(v, kind);
	if (v->level != 2)
		return 0; /* go down */
	t = (pte_t *)v->pgt->mm->phys_to_virt(pa_init(pte_addr(*v->ptep))) +
	    ((v->addr >> SEPTA_PAGE_SHIFT) & (PGT_ENTRIES - 1));
	n = (unsigned)(((stop < v->end ? stop : v->end) - v->addr) >> SEPTA_PAGE_SHIFT);
	left = e->limit - e->visited; /* a batch always has a limit */
	if (n > left) {
		/* The entry after the last allowed is where the edit ends. */
		n = left;
		e->visited = e->limit + 1;
		e->size = v->addr + ((uint64_t)n << SEPTA_PAGE_SHIFT) - e->addr;
	} else {
		e->visited += n;
	}
	/* An entry of ours is valid and maps the frame's page at its offset:
	 * its address and valid bit, compared at once. */
	want = (e->req->pa + (v->addr - e->addr)) | PTE_VALID;
	end = t + n;
	for (; t < end && (*t & (PTE_ADDR_MASK | PTE_VALID)) != want; t++)
		want += SEPTA_PAGE_SIZE;
	if (t == end)
		return e->visited > e->limit ? STOP : PGT_WALK_SKIP;
	/* The first one found is recorded: the flush invalidates it alone if
	 * it stays the only one. Any entry after it may be another: counted
	 * as one more without looking (a flush of the whole VMID is never
	 * wrong, and only a range with one entry of ours followed by entries
	 * that are not could tell the difference: mapping over a frame's
	 * range is refused, so no frame's range holds others' pages after its
	 * own). That leaves the loop its load, compare and store. */
	if (!e->flush->cleared) {
		e->flush->addr = (want & PTE_ADDR_MASK) - e->req->pa + e->addr;
		e->flush->level = 3;
	}
	e->flush->cleared += end - t > 1 ? 2 : 1;
	/* Unrolled: the loop's own instructions were a third of each entry's. */
#pragma GCC unroll 4
	for (; t < end; t++, want += SEPTA_PAGE_SIZE)
		if ((*t & (PTE_ADDR_MASK | PTE_VALID)) == want)
			*(volatile pte_t *)t = 0;
	return e->visited > e->limit ? STOP : PGT_WALK_SKIP;
}

uint64_t pgt_unmap_own_deferred(const struct pgt *pgt, uint64_t addr, uint64_t size,
				uint64_t pa, unsigned limit, struct pgt_flush *f)
{
	struct pgt_map_req own = {.pa = pa};
	struct pgt_edit e = {.op = PGT_OP_UNMAP,
			     .addr = addr,
			     .size = size,
			     .commit = true,
			     .batch = true,
			     .req = &own,
			     .limit = limit ? limit : ~0u,
			     .flush = f};
	struct pgt_walker w = {own_unmap_visit, &e, PGT_VISIT_LEAF | PGT_VISIT_TABLE_PRE};

	if (!range_ok(pgt, addr, size) || !IS_ALIGNED(addr | size | pa, SEPTA_PAGE_SIZE))
		return size;
	pgt_walk(pgt, addr, size, &w);
	/* The entry that stopped the walk was not visited: not counted. */
	f->visited += e.visited > e.limit ? e.limit : e.visited;
	return e.size;
}

/*
 * One invalidation for all an unmap cleared. One entry: by IPA (what lies
 * in the TLBs for other addresses stays). More: every entry of the table
 * (for stage 2 the VMID's, VMALLS12E1IS), one instruction where by IPA
 * would take one per entry and this CPU has no ranged TLBI (FEAT_TLBIRANGE
 * is Armv8.4; the Cortex-A72 is Armv8.0); the cost is the refills of what
 * the rest of that address space had cached. mm->tlb_inval and
 * tlb_inval_all make the cleared entries visible to the walker (DSB ISHST)
 * before the TLBI and wait for it to complete (DSB ISH) after.
 */
void pgt_flush(const struct pgt *pgt, struct pgt_flush *f)
{
	if (f->cleared == 1)
		pgt->mm->tlb_inval(pgt, f->addr, f->level);
	else if (f->cleared > 1)
		pgt->mm->tlb_inval_all(pgt);
	pgt->mm->publish();
	f->cleared = 0;
}

uint64_t pgt_unmap_own(const struct pgt *pgt, uint64_t addr, uint64_t size, uint64_t pa,
		       unsigned limit)
{
	struct pgt_flush f = {0};
	uint64_t done = pgt_unmap_own_deferred(pgt, addr, size, pa, limit, &f);

	pgt_flush(pgt, &f);
	return done;
}

void pgt_map_leaf(pte_t *leaf, uint64_t pa, pte_t attrs)
{
	/* The check found it empty (a valid one is E_EXISTS): no break. */
	*(volatile pte_t *)leaf = pa | attrs | PTE_VALID | PTE_TYPE_TABLE;
}

void pgt_publish(const struct pgt *pgt)
{
	pgt->mm->publish();
}

struct retag_data {
	uint64_t addr, pa;
	pte_t tag;
	unsigned visited;
};

static int retag_visit(struct pgt_visit *v, enum pgt_visit_kind kind)
{
	struct retag_data *r = v->arg;
	uint64_t g = pgt_granule(v->level), base = ALIGN_DOWN(v->addr, g);
	pte_t old = *v->ptep;

	(void)kind;
	r->visited++;
	/* Only this frame's own, as unmap_own takes only its own. */
	if (pte_valid(old) && covers(v->level, v->addr, v->end) &&
	    pte_addr(old) == r->pa + (base - r->addr))
		*(volatile pte_t *)v->ptep = (old & ~PTE_OWNER_MASK) | r->tag;
	return 0;
}

unsigned pgt_retag_own(const struct pgt *pgt, uint64_t addr, uint64_t size, uint64_t pa,
		       pte_t tag)
{
	struct retag_data r = {addr, pa, tag & PTE_OWNER_MASK, 0};
	struct pgt_walker w = {retag_visit, &r, PGT_VISIT_LEAF};

	if (!range_ok(pgt, addr, size) || !IS_ALIGNED(addr | size | pa, SEPTA_PAGE_SIZE))
		return 0;
	pgt_walk(pgt, addr, size, &w);
	/* The walker reads the tables, never the tags: nothing to publish
	 * beyond the stores themselves (pgt_query and the fault path read
	 * the entries from memory). */
	return r.visited;
}

void pgt_clear(const struct pgt *pgt)
{
	memset(pgt->mm->phys_to_virt(pgt->root), 0,
	       (size_t)pgt->geom.root_pages * SEPTA_PAGE_SIZE);
	pgt->mm->tlb_inval_all(pgt);
}

/* ---- query ---- */

/* Where addr's leaf or empty entry is (never a table entry): its table,
 * that table's level and entry count, and addr's index in it. A descent
 * from the root without a visitor: a query's few instructions a level. */
struct pgt_spot {
	const pte_t *table;
	unsigned level, n, idx;
};

static inline void descend(const struct pgt *pgt, uint64_t a, struct pgt_spot *s)
{
	const pte_t *table = pgt->mm->phys_to_virt(pgt->root);
	unsigned level = pgt->geom.start_level, n = PGT_ENTRIES * pgt->geom.root_pages,
		 idx;

	for (;;) {
		idx = (unsigned)(a >> pgt_level_shift(level)) & (n - 1);
		if (!pte_is_table(table[idx], level))
			break;
		table = pgt->mm->phys_to_virt(pa_init(pte_addr(table[idx])));
		level++;
		n = PGT_ENTRIES;
	}
	*s = (struct pgt_spot){table, level, n, idx};
}

int pgt_query(const struct pgt *pgt, uint64_t addr, pte_t *pte, unsigned *level)
{
	struct pgt_spot s;
	pte_t e;

	if (!range_ok(pgt, ALIGN_DOWN(addr, SEPTA_PAGE_SIZE), SEPTA_PAGE_SIZE))
		return PGT_E_RANGE;
	descend(pgt, addr, &s);
	e = s.table[s.idx];
	*pte = pte_valid(e) ? e : 0;
	*level = s.level;
	return PGT_OK;
}

/*
 * Not a pgt_walk() visitor: the entries of one table are read in a loop
 * of four instructions each (no callback per entry), which is what makes
 * a check that 2 MiB of pages are free one call. Each round descends from
 * the root to the table holding addr's leaf or empty entry, checks its
 * kind, then reads along that table while entries are of that kind (an
 * invalid entry, or a page or block: never a table) up to the table's
 * end, the range's end or the limit; the next round goes on from there.
 */
int pgt_query_range(const struct pgt *pgt, uint64_t addr, uint64_t size, unsigned limit,
		    uint64_t *extent, bool *mapped)
{
	uint64_t a = addr, end = addr + size;
	unsigned seen = 0;
	int kind = -1;

	*extent = 0;
	if (!range_ok(pgt, addr, size))
		return PGT_E_RANGE;
	if (!IS_ALIGNED(addr | size, SEPTA_PAGE_SIZE))
		return PGT_E_ALIGN;
	while (a < end && seen < limit) {
		struct pgt_spot sp;
		const pte_t *table, *e, *stop;
		unsigned level, n, idx, shift, k, i;
		pte_t mask, want;

		descend(pgt, a, &sp);
		table = sp.table;
		level = sp.level;
		n = sp.n;
		idx = sp.idx;
		if (kind < 0)
			kind = pte_valid(table[idx]);
		else if (pte_valid(table[idx]) != (kind > 0))
			break;
		/* Entries of this table it may read: to the range's end and
		 * the limit. Mapped: a page, or a block (bits 1:0 = 01). */
		shift = pgt_level_shift(level);
		k = n - idx;
		if (((end - 1) >> shift) - (a >> shift) < k)
			k = (unsigned)(((end - 1) >> shift) - (a >> shift)) + 1;
		if (limit - seen < k)
			k = limit - seen;
		mask = kind && level < 3 ? PTE_VALID | PTE_TYPE_TABLE : PTE_VALID;
		want = kind ? PTE_VALID : 0;
		for (e = &table[idx + 1], stop = &table[idx + k];
		     e < stop && (*e & mask) == want; e++)
			;
		i = (unsigned)(e - &table[idx]);
		seen += i;
		a = ((a >> shift) + i) << shift;
	}
	*extent = (a < end ? a : end) - addr;
	*mapped = kind > 0;
	return PGT_OK;
}
