/*
 * kernel/mm/pgtable.c, the stage-2 walker: random map, unmap, protect,
 * table install and removal, and queries over a 4 MiB window of the input
 * address space, against a model with one entry per page. After every edit
 * the walker's view of the window equals the model's (an error changed
 * nothing, a success did exactly what was asked), every table page is
 * linked at most once and lies in the lent memory, every translation that
 * changed was invalidated, and a table count from PGT_E_NO_TABLE suffices.
 */
#include <pgtable.h>
#include <string.h>
#include "fuzz.h"

#define FAKE_BASE  0x80000000ULL
#define POOL_PAGES 192u
#define WPAGES	   1024u /* the window: two 2 MiB blocks' worth */
#define PAGE	   SEPTA_PAGE_SIZE
#define MAX_INVALS 4096u

static uint8_t *pool;
static unsigned pool_next, nfree;
static paddr_t free_pages[POOL_PAGES]; /* lent and returned unused */

/* An unmapped page is all zero (no padding either), so that whole
 * windows compare with memcmp. */
struct page_model {
	uint64_t pa; /* output address; 0 unless mapped */
	pte_t attrs; /* leaf attributes; 0 unless mapped */
	uint64_t mapped;
};

static const struct page_model unmapped;

static struct fz {
	struct pgt pgt;
	uint64_t win; /* window base */
	struct page_model m[WPAGES];
	/* TLB maintenance seen during the current edit. */
	struct {
		uint64_t addr;
		unsigned level;
	} inval[MAX_INVALS];
	unsigned ninval;
	bool inval_all;
	/* Tables this run linked, for removals. */
	struct {
		paddr_t page;
		uint64_t addr;
		unsigned level;
	} tables[POOL_PAGES];
	unsigned ntables;
	uint8_t seen[POOL_PAGES];
} fz;

static void *p2v(paddr_t pa)
{
	uint64_t a = pa_addr(pa);

	FUZZ_CHECK(a >= FAKE_BASE && a < FAKE_BASE + (uint64_t)POOL_PAGES * PAGE);
	FUZZ_CHECK(IS_ALIGNED(a, PAGE));
	return pool + (a - FAKE_BASE);
}

static void tlbi(const struct pgt *p, uint64_t addr, unsigned level)
{
	(void)p;
	FUZZ_CHECK(fz.ninval < MAX_INVALS);
	fz.inval[fz.ninval].addr = addr;
	fz.inval[fz.ninval++].level = level;
}

static void publish(void)
{
}

static void tlbi_all(const struct pgt *p)
{
	(void)p;
	fz.inval_all = true;
}

static const struct pgt_mm_ops ops = {p2v, tlbi, publish, tlbi_all};

/* A fresh page, filled with junk: the walker must clear what it links. */
static bool pool_take(paddr_t *pa, uint8_t junk)
{
	if (nfree)
		*pa = free_pages[--nfree];
	else if (pool_next < POOL_PAGES)
		*pa = pa_init(FAKE_BASE + (uint64_t)pool_next++ * PAGE);
	else
		return false;
	memset(p2v(*pa), junk, PAGE);
	return true;
}

/* Tables lent and not taken (the front of the cache) go back. */
static void pool_return(const struct pgt_cache *c)
{
	for (unsigned i = 0; i < c->count; i++)
		free_pages[nfree++] = c->pages[i];
}

static void record_tables(const struct pgt_cache *c, unsigned lent)
{
	for (unsigned i = c->count; i < lent; i++) {
		FUZZ_CHECK(fz.ntables < POOL_PAGES);
		fz.tables[fz.ntables].page = c->pages[i];
		fz.tables[fz.ntables].addr = c->where[i] & ~3ULL;
		fz.tables[fz.ntables++].level = (unsigned)(c->where[i] & 3);
	}
}

static bool invalidated(uint64_t addr)
{
	if (fz.inval_all)
		return true;
	for (unsigned i = 0; i < fz.ninval; i++) {
		uint64_t g = pgt_granule(fz.inval[i].level);

		if (ALIGN_DOWN(addr, g) == ALIGN_DOWN(fz.inval[i].addr, g))
			return true;
	}
	return false;
}

/* A leaf entry as the model would see page addr in it. */
static struct page_model leaf_page(pte_t pte, unsigned level, uint64_t addr)
{
	struct page_model r = {0, 0, false};

	if (pte_valid(pte)) {
		FUZZ_CHECK(!pte_is_table(pte, level));
		FUZZ_CHECK(level >= 1 && level <= 3);
		FUZZ_CHECK(level == 3 ? (pte & PTE_TYPE_TABLE) : !(pte & PTE_TYPE_TABLE));
		r.mapped = true;
		r.pa = pte_addr(pte) + (addr & (pgt_granule(level) - 1));
		r.attrs = pte & PTE_LEAF_ATTRS;
	}
	return r;
}

/* Page k of the window as pgt_query sees it. */
static struct page_model read_page(unsigned k)
{
	uint64_t addr = fz.win + (uint64_t)k * PAGE;
	pte_t pte;
	unsigned level;

	FUZZ_CHECK(pgt_query(&fz.pgt, addr, &pte, &level) == PGT_OK);
	return leaf_page(pte, level, addr);
}

static bool same(const struct page_model *a, const struct page_model *b)
{
	return a->mapped == b->mapped &&
	       (!a->mapped || (a->pa == b->pa && a->attrs == b->attrs));
}

static struct page_model now[WPAGES];

/* An independent reader of the tables: every table reachable from the
 * root is a pool page linked only once, and every valid leaf lies in the
 * window (nothing else was ever mapped); what it maps goes to now[]. */
static void check_tables(uint64_t table_pa, unsigned n, unsigned level, uint64_t base)
{
	const pte_t *t = p2v(pa_init(table_pa));
	uint64_t g = pgt_granule(level);

	for (unsigned i = 0; i < n; i++) {
		uint64_t addr = base + i * g, next;

		if (!pte_valid(t[i]))
			continue;
		if (!pte_is_table(t[i], level)) {
			struct page_model p = leaf_page(t[i], level, addr), *w;

			FUZZ_CHECK(addr >= fz.win &&
				   addr - fz.win < (uint64_t)WPAGES * PAGE);
			FUZZ_CHECK(g <= (uint64_t)WPAGES * PAGE - (addr - fz.win));
			w = &now[(addr - fz.win) / PAGE];
			/* A block's pages follow from its first (leaf_page). */
			for (uint64_t a = 0; a < g; a += PAGE, p.pa += PAGE)
				*w++ = p;
			continue;
		}
		next = pte_addr(t[i]);
		FUZZ_CHECK(next >= FAKE_BASE && next < FAKE_BASE + POOL_PAGES * PAGE);
		FUZZ_CHECK(!fz.seen[(next - FAKE_BASE) / PAGE]++);
		check_tables(next, PGT_ENTRIES, level + 1, addr);
	}
}

/* After an edit: the tables are a tree of pool pages, the window agrees
 * with the model, what changed was invalidated, and the walker's query
 * agrees at one page. */
static void verify(const struct page_model *before, struct fuzz_in *in)
{
	unsigned k = fuzz_below(in, WPAGES);
	struct page_model q = read_page(k);

	memset(fz.seen, 0, sizeof(fz.seen));
	memset(now, 0, sizeof(now));
	for (unsigned i = 0; i < fz.pgt.geom.root_pages; i++)
		fz.seen[i] = 1;
	check_tables(pa_addr(fz.pgt.root), PGT_ENTRIES * fz.pgt.geom.root_pages,
		     fz.pgt.geom.start_level, 0);
	/* Page by page only where the windows differ: a refusal, a query
	 * or an edit that changed nothing compares in one memcmp. */
	if (memcmp(now, fz.m, sizeof(now)))
		for (unsigned i = 0; i < WPAGES; i++)
			FUZZ_CHECK(same(&now[i], &fz.m[i]));
	if (memcmp(before, now, sizeof(now)))
		for (unsigned i = 0; i < WPAGES; i++)
			if (before[i].mapped && !same(&before[i], &now[i]))
				FUZZ_CHECK(invalidated(fz.win + (uint64_t)i * PAGE));
	FUZZ_CHECK(same(&q, &fz.m[k]));
}

/* A range edit, lending tables until the walker has what it said it needs. */
static int edit(struct fuzz_in *in, int op, uint64_t addr, uint64_t size,
		struct pgt_map_req *req, pte_t set, pte_t clear)
{
	static paddr_t pages[64];
	static uint64_t where[64];
	struct pgt_cache cache = {pages, 0, where};
	unsigned extra = fuzz_below(in, 3), need = 0;
	int err;

	for (int round = 0;; round++) {
		unsigned lent = 0;

		cache.count = 0;
		while (cache.count < need + extra && cache.count < 64 &&
		       pool_take(&pages[cache.count], 0xa5))
			cache.count++;
		lent = cache.count;
		req->cache = &cache;
		if (op == 0)
			err = pgt_map(&fz.pgt, addr, size, req);
		else if (op == 1)
			err = pgt_unmap(&fz.pgt, addr, size, req);
		else
			err = pgt_protect(&fz.pgt, addr, size, set, clear, req);
		/* Tables come off the end; each is recorded where it went. */
		FUZZ_CHECK(err == PGT_OK || cache.count == lent);
		record_tables(&cache, lent);
		pool_return(&cache);
		if (err != PGT_E_NO_TABLE)
			return err;
		FUZZ_CHECK(req->tables > lent);
		/* The count is the whole need: a second round never asks again. */
		FUZZ_CHECK(round == 0);
		if (lent < need + extra)
			return err; /* the pool ran dry */
		need = req->tables;
		extra = 0;
	}
}

static void run_op(struct fuzz_in *in)
{
	static struct page_model before[WPAGES];
	unsigned op = fuzz_below(in, 6), k = fuzz_below(in, WPAGES);
	unsigned n = fuzz_below(in, WPAGES - k) + 1, flags = fuzz_u8(in);
	uint64_t addr = fz.win + (uint64_t)k * PAGE, size = (uint64_t)n * PAGE;
	uint64_t limit = 1ULL << fz.pgt.geom.ia_bits;
	struct pgt_map_req req = {0};
	bool wild = (flags & 0xe0) == 0xe0; /* misaligned or out of range */
	pte_t set = 0, clear = 0;
	int err;

	memcpy(before, fz.m, sizeof(before));
	fz.ninval = 0;
	fz.inval_all = false;
	if (wild) {
		switch (flags & 3) {
		case 0:
			addr += fuzz_below(in, PAGE - 1) + 1;
			break;
		case 1:
			size += fuzz_below(in, PAGE - 1) + 1;
			break;
		case 2:
			addr = limit - size + PAGE * (fuzz_below(in, 4) + 1);
			break;
		default:
			size = 0;
			break;
		}
	}
	switch (op) {
	case 0: /* map */
		req.pa = (fuzz_u32(in) & 1 ? (uint64_t)fuzz_u16(in) << 21
					   : (uint64_t)fuzz_u32(in) << 12) &
			 ((1ULL << 44) - 1);
		req.attrs = fuzz_u64(in) & PTE_LEAF_ATTRS;
		req.blocks = flags & 4;
		req.replace = flags & 8;
		if (wild && (flags & 16))
			req.pa |= 0x800;
		err = edit(in, 0, addr, size, &req, 0, 0);
		FUZZ_CHECK(!wild || err != PGT_OK);
		if (!wild && err == PGT_OK)
			for (unsigned i = 0; i < n; i++) {
				struct page_model want = {req.pa + (uint64_t)i * PAGE,
							  req.attrs, true};

				/* Without replace, nothing mapped differently. */
				if (!req.replace && fz.m[k + i].mapped)
					FUZZ_CHECK(same(&fz.m[k + i], &want));
				fz.m[k + i] = want;
			}
		if (!wild && err != PGT_OK) {
			bool any = false;

			for (unsigned i = 0; i < n; i++)
				any |= fz.m[k + i].mapped;
			/* An empty range is always mapped once tables suffice. */
			FUZZ_CHECK(any || err == PGT_E_NO_TABLE);
		}
		break;
	case 1: /* unmap */
	case 2: /* protect */
		if (op == 2) {
			set = fuzz_u64(in) & PTE_LEAF_ATTRS;
			clear = fuzz_u64(in) & PTE_LEAF_ATTRS;
			if (wild && (flags & 16))
				set |= PTE_VALID;
		}
		err = edit(in, (int)op, addr, size, &req, set, clear);
		FUZZ_CHECK(wild ? err != PGT_OK : err == PGT_OK || err == PGT_E_NO_TABLE);
		if (!wild && err == PGT_OK)
			for (unsigned i = 0; i < n; i++) {
				struct page_model *p = &fz.m[k + i];

				if (op == 1)
					*p = unmapped;
				else if (p->mapped)
					p->attrs = (p->attrs & ~clear) | set;
			}
		break;
	case 3: /* table install */
	case 4: /* table removal */ {
		struct pgt_edit e = {.op = op == 3 ? PGT_OP_TABLE_INSTALL
						   : PGT_OP_TABLE_REMOVE};
		static paddr_t pages[4];
		static uint64_t where[4];
		struct pgt_cache cache = {pages, 0, where};
		uint64_t g, lo, hi;
		unsigned lent;
		bool any = false;

		e.level = fz.pgt.geom.start_level + 1 + fuzz_below(in, 3);
		if (op == 4 && fz.ntables && !(flags & 16)) {
			unsigned t = fuzz_below(in, fz.ntables);

			e.table = fz.tables[t].page;
			e.level = fz.tables[t].level;
			addr = fz.tables[t].addr;
		} else if (op == 3 && !pool_take(&e.table, 0x5a)) {
			return;
		} else if (op == 4) {
			e.table = pa_init(FAKE_BASE +
					  (uint64_t)fuzz_below(in, POOL_PAGES) * PAGE);
		}
		if (e.level > 3 || e.level <= fz.pgt.geom.start_level) {
			if (op == 3)
				free_pages[nfree++] = e.table;
			return;
		}
		g = pgt_granule(e.level - 1);
		e.addr = wild ? addr : ALIGN_DOWN(addr, g);
		while (cache.count < 3 && pool_take(&pages[cache.count], 0x3c))
			cache.count++;
		lent = cache.count;
		e.cache = &cache;
		err = pgt_apply(&fz.pgt, &e);
		FUZZ_CHECK(err == PGT_OK || cache.count == lent);
		record_tables(&cache, lent);
		pool_return(&cache);
		if (err != PGT_OK && op == 3)
			free_pages[nfree++] = e.table;
		if (err == PGT_OK && op == 3) {
			FUZZ_CHECK(fz.ntables + 4 < POOL_PAGES);
			fz.tables[fz.ntables].page = e.table;
			fz.tables[fz.ntables].addr = e.addr;
			fz.tables[fz.ntables++].level = e.level;
		}
		lo = e.addr;
		hi = e.addr + g;
		for (unsigned i = 0; i < WPAGES; i++) {
			uint64_t a = fz.win + (uint64_t)i * PAGE;

			if (a >= lo && a - lo < hi - lo) {
				any |= fz.m[i].mapped;
				if (err == PGT_OK && op == 4)
					fz.m[i] = unmapped;
			}
		}
		/* Installing over anything mapped is refused. */
		FUZZ_CHECK(!(op == 3 && err == PGT_OK && any));
		break;
	}
	default: { /* queries outside the input address space */
		pte_t pte;
		unsigned level;

		FUZZ_CHECK(pgt_query(&fz.pgt, limit + (uint64_t)fuzz_u32(in) * PAGE, &pte,
				     &level) == PGT_E_RANGE);
		break;
	}
	}
	verify(before, in);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = fuzz_in(data, size);
	unsigned ia = 32 + fuzz_below(&in, 13);

	if (!pool)
		pool = aligned_alloc(PAGE, (size_t)POOL_PAGES * PAGE);
	pool_next = nfree = 0;
	memset(&fz, 0, sizeof(fz));
	FUZZ_CHECK(pgt_geom_init(&fz.pgt.geom, ia, true) == PGT_OK);
	FUZZ_CHECK(fz.pgt.geom.root_pages <= PGT_MAX_ROOT);
	fz.pgt.root = pa_init(FAKE_BASE);
	pool_next = fz.pgt.geom.root_pages;
	memset(pool, 0, (size_t)pool_next * PAGE);
	fz.pgt.mm = &ops;
	fz.pgt.vmid = 1;
	fz.win = ((uint64_t)fuzz_u32(&in) << 22) & ((1ULL << ia) - 1);
	for (unsigned i = 0; i < 48 && in.left; i++)
		run_op(&in);
	return 0;
}
