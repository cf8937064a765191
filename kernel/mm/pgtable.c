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

/* ---- map ---- */

struct map_data {
	struct pgt_map_req *req;
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

/* Tables a map of [addr, end) needs below an empty entry at level. */
static unsigned tables_below(const struct pgt_map_req *req, unsigned level, uint64_t addr,
			     uint64_t end, uint64_t pa)
{
	uint64_t g = pgt_granule(level);
	uint64_t stop = ALIGN_DOWN(addr, g) + g;
	unsigned n = 1;

	if (stop > end || stop == 0)
		stop = end;
	if (level + 1 == 3)
		return n;
	for (uint64_t a = addr; a < stop;) {
		uint64_t cg = pgt_granule(level + 1);
		uint64_t cnext = ALIGN_DOWN(a, cg) + cg;
		uint64_t cend = cnext < stop ? cnext : stop;

		if (!leaf_fits(req, level + 1, a, cend, pa + (a - addr)))
			n += tables_below(req, level + 1, a, cend, pa + (a - addr));
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

static int map_leaf(struct pgt_visit *v, enum pgt_visit_kind kind)
{
	struct map_data *m = v->arg;
	struct pgt_map_req *req = m->req;
	uint64_t g = pgt_granule(v->level);
	uint64_t base = ALIGN_DOWN(v->addr, g);
	uint64_t pa = req->pa + (v->addr - m->addr0);
	pte_t old = *v->ptep;
	pte_t *table;
	paddr_t page;

	(void)kind;
	if (leaf_fits(req, v->level, v->addr, v->end, pa)) {
		pte_t new =
		    pa | req->attrs | PTE_VALID | (v->level == 3 ? PTE_TYPE_TABLE : 0);

		if (pte_valid(old) && old != new && !req->replace)
			return PGT_E_EXISTS;
		if (m->commit && old != new)
			set_pte(v->pgt, v->ptep, new, base, v->level);
		return 0;
	}
	if (pte_valid(old) && !req->replace)
		return PGT_E_EXISTS;
	if (!m->commit) {
		/* Count, without walking into what does not exist yet. A valid
		 * block is split into one table whose children keep its mapping. */
		uint64_t end = v->end - base > g ? base + g : v->end;

		if (m->tables == 0)
			m->first_level = v->level;
		m->tables +=
		    pte_valid(old) ? 1 : tables_below(req, v->level, v->addr, end, pa);
		return 0;
	}
	page = req->cache->pages[--req->cache->count];
	table = v->pgt->mm->phys_to_virt(page);
	for (unsigned i = 0; i < PGT_ENTRIES; i++) {
		uint64_t cg = pgt_granule(v->level + 1);

		table[i] = pte_valid(old)
			       ? (pte_addr(old) + i * cg) | (old & PTE_LEAF_ATTRS) |
				     PTE_VALID | (v->level + 1 == 3 ? PTE_TYPE_TABLE : 0)
			       : 0;
	}
	set_pte(v->pgt, v->ptep, pa_addr(page) | PTE_VALID | PTE_TYPE_TABLE, base,
		v->level);
	return 0;
}

int pgt_map(const struct pgt *pgt, uint64_t addr, uint64_t size, struct pgt_map_req *req)
{
	struct map_data m = {.req = req, .addr0 = addr};
	struct pgt_walker w = {map_leaf, &m, PGT_VISIT_LEAF};
	unsigned have = req->cache ? req->cache->count : 0;
	int ret;

	if (!IS_ALIGNED(addr | size | req->pa, PAGE_SIZE))
		return PGT_E_ALIGN;
	ret = pgt_walk(pgt, addr, size, &w);
	if (ret)
		return ret;
	if (m.tables > have) {
		req->stop_level = m.first_level;
		req->tables = m.tables;
		return PGT_E_NO_TABLE;
	}
	m.commit = true;
	ret = pgt_walk(pgt, addr, size, &w);
	pgt->mm->publish();
	return ret;
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
