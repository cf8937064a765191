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
		levels = (ia_bits - PAGE_SHIFT - 4 + 8) / 9;
	else
		levels = (ia_bits - PAGE_SHIFT + 8) / 9;
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

/* ---- edits: map, unmap, protect ---- */

enum edit_op { EDIT_MAP, EDIT_UNMAP, EDIT_PROTECT };

struct edit {
	enum edit_op op;
	struct pgt_map_req *req; /* map: what to map; all: the table cache */
	pte_t set, clear;	 /* protect: leaf attribute bits */
	uint64_t addr0;
	bool commit;
	unsigned tables;      /* dry run: pages the commit will take */
	unsigned first_level; /* dry run: where the first table is missing */
};

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
static unsigned tables_below(const struct edit *e, unsigned level, uint64_t addr,
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
		bool need = e->op == EDIT_MAP
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

/* Replaces an empty entry with a new table, or a block with a table of
 * entries that map exactly what the block mapped. */
static void install_table(struct pgt_visit *v, struct pgt_cache *cache)
{
	paddr_t page = cache->pages[--cache->count];
	pte_t *table = v->pgt->mm->phys_to_virt(page);

	if (cache->where)
		cache->where[cache->count] =
		    ALIGN_DOWN(v->addr, pgt_granule(v->level)) | (v->level + 1);
	pte_t old = *v->ptep;
	uint64_t cg = pgt_granule(v->level + 1);

	for (unsigned i = 0; i < PGT_ENTRIES; i++)
		table[i] = pte_valid(old)
			       ? (pte_addr(old) + i * cg) | (old & PTE_LEAF_ATTRS) |
				     PTE_VALID | (v->level + 1 == 3 ? PTE_TYPE_TABLE : 0)
			       : 0;
	set_pte(v->pgt, v->ptep, pa_addr(page) | PTE_VALID | PTE_TYPE_TABLE,
		ALIGN_DOWN(v->addr, pgt_granule(v->level)), v->level);
}

static int edit_leaf(struct pgt_visit *v, enum pgt_visit_kind kind)
{
	struct edit *e = v->arg;
	struct pgt_map_req *req = e->req;
	uint64_t g = pgt_granule(v->level);
	uint64_t base = ALIGN_DOWN(v->addr, g);
	uint64_t pa = e->op == EDIT_MAP ? req->pa + (v->addr - e->addr0) : 0;
	pte_t old = *v->ptep;
	bool whole;

	(void)kind;
	if (e->op == EDIT_MAP) {
		whole = leaf_fits(req, v->level, v->addr, v->end, pa);
		if (whole) {
			pte_t new = pa | req->attrs | PTE_VALID |
				    (v->level == 3 ? PTE_TYPE_TABLE : 0);

			if (pte_valid(old) && old != new && !req->replace)
				return PGT_E_EXISTS;
			if (e->commit && old != new)
				set_pte(v->pgt, v->ptep, new, base, v->level);
			return 0;
		}
		if (pte_valid(old) && !req->replace)
			return PGT_E_EXISTS;
	} else {
		if (!pte_valid(old))
			return 0; /* nothing mapped here: nothing to change */
		whole = covers(v->level, v->addr, v->end);
		if (whole) {
			pte_t new = e->op == EDIT_UNMAP ? 0 : (old & ~e->clear) | e->set;

			if (e->commit && new != old)
				set_pte(v->pgt, v->ptep, new, base, v->level);
			return 0;
		}
	}
	/* Part of this entry's range: it needs a table to descend into. */
	if (!e->commit) {
		uint64_t end = v->end - base > g ? base + g : v->end;

		if (e->tables == 0)
			e->first_level = v->level;
		e->tables += tables_below(e, v->level, v->addr, end, pa);
		return 0;
	}
	install_table(v, req->cache);
	return 0;
}

/* Every edit: walk once to check and count, then once to commit. */
static int edit_range(const struct pgt *pgt, uint64_t addr, uint64_t size, struct edit *e)
{
	struct pgt_walker w = {edit_leaf, e, PGT_VISIT_LEAF};
	struct pgt_map_req *req = e->req;
	unsigned have = req->cache ? req->cache->count : 0;
	int ret;

	if (!IS_ALIGNED(addr | size, PAGE_SIZE) ||
	    (e->op == EDIT_MAP && !IS_ALIGNED(req->pa, PAGE_SIZE)))
		return PGT_E_ALIGN;
	e->addr0 = addr;
	ret = pgt_walk(pgt, addr, size, &w);
	if (ret)
		return ret;
	req->tables = e->tables;
	if (e->tables > have) {
		req->stop_level = e->first_level;
		return PGT_E_NO_TABLE;
	}
	e->commit = true;
	ret = pgt_walk(pgt, addr, size, &w);
	pgt->mm->publish();
	return ret;
}

int pgt_map(const struct pgt *pgt, uint64_t addr, uint64_t size, struct pgt_map_req *req)
{
	struct edit e = {.op = EDIT_MAP, .req = req};

	return edit_range(pgt, addr, size, &e);
}

int pgt_unmap(const struct pgt *pgt, uint64_t addr, uint64_t size,
	      struct pgt_map_req *req)
{
	struct edit e = {.op = EDIT_UNMAP, .req = req};

	return edit_range(pgt, addr, size, &e);
}

int pgt_protect(const struct pgt *pgt, uint64_t addr, uint64_t size, pte_t set,
		pte_t clear, struct pgt_map_req *req)
{
	struct edit e = {.op = EDIT_PROTECT, .req = req, .set = set, .clear = clear};

	if ((set | clear) & ~PTE_LEAF_ATTRS)
		return PGT_E_ALIGN;
	return edit_range(pgt, addr, size, &e);
}

/* ---- audit ---- */

struct leaves {
	pgt_leaf_fn fn;
	void *arg;
};

static int leaf_cb(struct pgt_visit *v, enum pgt_visit_kind kind)
{
	struct leaves *l = v->arg;

	(void)kind;
	if (!pte_valid(*v->ptep))
		return 0;
	return l->fn(ALIGN_DOWN(v->addr, pgt_granule(v->level)), *v->ptep, v->level,
		     l->arg);
}

int pgt_for_each_leaf(const struct pgt *pgt, uint64_t addr, uint64_t size, pgt_leaf_fn fn,
		      void *arg)
{
	struct leaves l = {fn, arg};
	struct pgt_walker w = {leaf_cb, &l, PGT_VISIT_LEAF};

	return pgt_walk(pgt, addr, size, &w);
}

/* ---- query ---- */

struct query_data {
	pte_t pte;
	unsigned level;
};

static int query_leaf(struct pgt_visit *v, enum pgt_visit_kind kind)
{
	struct query_data *q = v->arg;

	(void)kind;
	q->pte = *v->ptep;
	q->level = v->level;
	return 0;
}

int pgt_query(const struct pgt *pgt, uint64_t addr, pte_t *pte, unsigned *level)
{
	struct query_data q = {0, 0};
	struct pgt_walker w = {query_leaf, &q, PGT_VISIT_LEAF};
	int ret = pgt_walk(pgt, ALIGN_DOWN(addr, PAGE_SIZE), PAGE_SIZE, &w);

	if (ret)
		return ret;
	*pte = pte_valid(q.pte) ? q.pte : 0;
	*level = q.level;
	return PGT_OK;
}

/* ---- one entry ---- */

struct entry_find {
	unsigned level, reached;
	pte_t *ptep;
};

#define FOUND 1 /* stops the walk; not an error */

static int entry_cb(struct pgt_visit *v, enum pgt_visit_kind kind)
{
	struct entry_find *f = v->arg;

	if (v->level == f->level) {
		f->ptep = v->ptep;
		return FOUND;
	}
	if (kind == PGT_VISIT_LEAF) {
		/* Above the wanted level, and no table to go down into. */
		f->reached = v->level;
		return pte_valid(*v->ptep) ? PGT_E_EXISTS : PGT_E_NO_TABLE;
	}
	return 0;
}

int pgt_entry(const struct pgt *pgt, uint64_t addr, unsigned level, pte_t **ptep,
	      unsigned *reached)
{
	struct entry_find f = {.level = level};
	struct pgt_walker w = {entry_cb, &f, PGT_VISIT_LEAF | PGT_VISIT_TABLE_PRE};
	int ret;

	if (level < pgt->geom.start_level || level > 3)
		return PGT_E_RANGE;
	ret = pgt_walk(pgt, ALIGN_DOWN(addr, PAGE_SIZE), PAGE_SIZE, &w);
	if (ret == FOUND) {
		*ptep = f.ptep;
		return PGT_OK;
	}
	*reached = f.reached;
	return ret ? ret : PGT_E_RANGE;
}
