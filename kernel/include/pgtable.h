/*
 * One generic walker over AArch64 VMSAv8-64 translation tables with a 4 KiB
 * granule. It serves the kernel's own EL2 stage-1 tables and every stage-2
 * table (servers' and guests' address spaces): callers differ only in the
 * leaf attributes they pass. Map, unmap, protect, table install and
 * removal, query and audit are visitors on pgt_walk(), and this file's
 * walker is the only code that writes an entry. The same file builds into
 * host tests, where physical memory is a fake provided through pgt_mm_ops.
 */
#pragma once
#include <septa/abi.h>
#include <types.h>

typedef uint64_t pte_t;

#define PGT_ENTRIES    512u
#define PTE_VALID      BIT(0)
#define PTE_TYPE_TABLE BIT(1) /* levels 0-2: next-level table; level 3: page */
#define PTE_AF	       BIT(10)
#define PTE_ADDR_MASK  0x0000fffffffff000ULL
#define PTE_LEAF_ATTRS (~PTE_ADDR_MASK & ~(PTE_VALID | PTE_TYPE_TABLE))
#define PGT_MAX_ROOT   16u /* concatenated root tables a stage-2 start level may have */

enum pgt_err {
	PGT_OK = 0,
	PGT_E_RANGE = -1,     /* outside the input address space, empty or wrapping */
	PGT_E_ALIGN = -2,     /* address, size or output address not page-aligned */
	PGT_E_EXISTS = -3,    /* something is mapped there already */
	PGT_E_NO_TABLE = -4,  /* tables are missing: see pgt_map_req.stop_level/tables */
	PGT_E_IA_BITS = -5,   /* input address size not supported */
	PGT_E_NOT_THERE = -6, /* table removal: that table is not linked there */
	PGT_E_LIMIT = -7,     /* map: more leaf entries to visit than its limit */
};

struct pgt;

struct pgt_mm_ops {
	void *(*phys_to_virt)(paddr_t pa);
	/* Make an entry's removal visible: invalidate TLBs for addr at level. */
	void (*tlb_inval)(const struct pgt *pgt, uint64_t addr, unsigned level);
	/* Make written entries visible to the table walker. */
	void (*publish)(void);
	/* Make a table entry's removal visible: whatever lay below it may be
	 * cached for any address it covered, so drop all of this table's. */
	void (*tlb_inval_all)(const struct pgt *pgt);
};

struct pgt_geom {
	uint8_t ia_bits;
	uint8_t start_level;
	uint8_t root_pages; /* concatenated tables at the start level */
};

struct pgt {
	paddr_t root; /* root_pages contiguous pages, aligned to their size */
	struct pgt_geom geom;
	const struct pgt_mm_ops *mm;
	uint16_t vmid; /* stage 2 only: which TLB entries belong to this table */
	/* Stage 2 only: VTCR_EL2 for this table's geometry, made by the arch
	 * code the first time the table is loaded (0: not yet). */
	uint32_t vtcr;
};

enum pgt_visit_kind {
	PGT_VISIT_LEAF = 1,	  /* invalid entries, blocks and pages */
	PGT_VISIT_TABLE_PRE = 2,  /* a table entry, before its children */
	PGT_VISIT_TABLE_POST = 4, /* a table entry, after its children */
};

struct pgt_visit {
	const struct pgt *pgt;
	uint64_t addr; /* where the walk is, inside this entry's range */
	uint64_t end;  /* end of the walked range (exclusive) */
	unsigned level;
	pte_t *ptep;
	void *arg;
};

/* A visitor returns 0 to go on, an error (or any other positive value) to
 * end the walk with it, or, from PGT_VISIT_TABLE_PRE, PGT_WALK_SKIP when it
 * did what the walk would below that entry: the walk goes on after it. */
typedef int (*pgt_visitor_fn)(struct pgt_visit *v, enum pgt_visit_kind kind);
#define PGT_WALK_SKIP 2

struct pgt_walker {
	pgt_visitor_fn cb;
	void *arg;
	unsigned kinds; /* which pgt_visit_kind to call cb for */
};

/* Page-table pages the caller lends to an edit; used from the end. If
 * `where` is set, the input address and level each consumed page was
 * installed for is recorded there, at the page's index. */
struct pgt_cache {
	paddr_t *pages;
	unsigned count;
	uint64_t *where; /* addr | level of the table's entries */
};

struct pgt_map_req {
	uint64_t pa;  /* output address for the first input address */
	pte_t attrs;  /* leaf attributes: PTE_LEAF_ATTRS bits only */
	bool blocks;  /* use 2 MiB / 1 GiB blocks where alignment allows */
	bool replace; /* replace valid mappings (break-before-make) */
	struct pgt_cache *cache;
	/* Out, on PGT_E_NO_TABLE: the first level with a missing table and how
	 * many pages the whole map needs. */
	unsigned stop_level;
	unsigned tables;
};

/* The ABI's granule (septa/abi.h) is the one definition of level sizes. */
static inline unsigned pgt_level_shift(unsigned level)
{
	return septa_level_shift(level);
}

static inline uint64_t pgt_granule(unsigned level)
{
	return septa_level_size(level);
}

static inline bool pte_valid(pte_t p)
{
	return p & PTE_VALID;
}

static inline bool pte_is_table(pte_t p, unsigned level)
{
	return level < 3 &&
	       (p & (PTE_VALID | PTE_TYPE_TABLE)) == (PTE_VALID | PTE_TYPE_TABLE);
}

static inline uint64_t pte_addr(pte_t p)
{
	return p & PTE_ADDR_MASK;
}

/*
 * The ownership state of a mapped page (enum septa_owner), as the mapper
 * declares it, kept in two of the leaf's software bits (58:55 are ignored
 * by the table walker) so that a fault message or an audit reads it from
 * the PTE. This is the one place that knows the encoding.
 */
#define PTE_OWNER_SHIFT 55
#define PTE_OWNER_MASK	(3ULL << PTE_OWNER_SHIFT)

static inline pte_t pte_owner_bits(enum septa_owner o)
{
	return (pte_t)o << PTE_OWNER_SHIFT;
}

static inline enum septa_owner pte_owner(pte_t p)
{
	return (enum septa_owner)((p & PTE_OWNER_MASK) >> PTE_OWNER_SHIFT);
}

/*
 * Software bit 57 of a stage-2 leaf: the frame capability that mapped it
 * had Write (whatever rights the mapping itself has now). Every map path
 * sets it from the capability's rights; VSPACE_PROTECT (splits included)
 * and VSPACE_RETAG_FRAMES keep it. A SEPTA_REPLY_STORE writes only into
 * a page that has it (object/faultstore.c): taking W away at stage 2 to
 * watch a page's writes leaves the authority to write it on the record.
 * The table walker ignores it, and VSPACE_QUERY does not report it.
 */
#define PTE_FRAME_W BIT(57)
_Static_assert(!(PTE_FRAME_W & PTE_OWNER_MASK), "its own bit");

static inline pte_t pte_frame_w_bit(bool frame_has_write)
{
	return frame_has_write ? PTE_FRAME_W : 0;
}

/*
 * Geometry for an input-address size. With concat (stage 2), up to 16 root
 * tables are concatenated so that one level fewer is walked, as the Arm ARM
 * allows; stage 1 always has a single root page.
 */
int pgt_geom_init(struct pgt_geom *g, unsigned ia_bits, bool concat);
int pgt_walk(const struct pgt *pgt, uint64_t addr, uint64_t size,
	     const struct pgt_walker *w);
/*
 * Edits. Each is checked first (pgt_check walks without writing and says
 * what the commit needs) and then committed (pgt_commit cannot fail and
 * must follow a successful check with nothing changed in between), so an
 * invocation can decode everything before it changes anything.
 *
 * Map, unmap and protect act on a range. Unmap and protect split blocks
 * they cover only partly (the rest stays mapped as it was), which takes
 * tables too. A table install links the page `table` as the table of
 * `level` entries covering addr (aligned to one entry of the level above,
 * whose entry must be empty; the page's old contents are cleared); tables
 * missing above it come from the cache. A table removal unlinks `table`
 * from there if it is linked there, and everything it mapped goes.
 *
 * On PGT_E_NO_TABLE, stop_level is the first level with a missing table
 * and tables how many pages the cache must hold in all; nothing changed.
 * Tables are taken from the end of the cache.
 */
enum pgt_op {
	PGT_OP_MAP,
	PGT_OP_UNMAP,
	PGT_OP_PROTECT,
	PGT_OP_TABLE_INSTALL,
	PGT_OP_TABLE_REMOVE,
};

struct pgt_edit {
	uint64_t addr, size; /* range ops */
	enum pgt_op op;
	/* The walk's own: committing; the last leaf entry visited. With
	 * batch (pgt_unmap_own), no entry is invalidated as it is cleared:
	 * flush records them, for one invalidation at the end. */
	bool commit, batch;
	uint8_t last_level;
	pte_t *last;
	union {
		struct {
			/* Map: what to map. Unmap: if set, only leaves wholly in
			 * the range that map req->pa at their offset in it (what
			 * one frame put there) go; others stay as they are. */
			struct pgt_map_req *req;
			/* Map, unmap: leaf entries the walk may visit (0: any
			 * number). A map that would visit more fails with
			 * PGT_E_LIMIT; an unmap stops on an entry boundary
			 * before the next and pgt_check trims size to the part
			 * it covers. So the work is bounded by what the caller
			 * allows, not by how finely tables split the range. */
			unsigned limit, visited;
		};
		struct {
			pte_t set, clear; /* protect: leaf attribute bits */
		};
		struct {
			paddr_t table;	/* table ops: the table page */
			unsigned level; /* the level of its entries */
		};
	};
	union {
		struct pgt_cache *cache; /* tables lent to the edit; may be NULL */
		struct pgt_flush *flush; /* batch: what it cleared */
	};
	/* Out of pgt_check. */
	unsigned stop_level, tables;
};
/* Larger, an edit initialised in place becomes a memset call (GCC at -O2
 * with strict alignment), a cost on every map and unmap. */
_Static_assert(sizeof(struct pgt_edit) <= 64, "pgt_edit fits in 64 bytes");

int pgt_check(const struct pgt *pgt, struct pgt_edit *e);
void pgt_commit(const struct pgt *pgt, struct pgt_edit *e);
/* Check, then commit if the check passed. */
int pgt_apply(const struct pgt *pgt, struct pgt_edit *e);
/* Range edits in one call, with req->cache and req's out fields. */
int pgt_map(const struct pgt *pgt, uint64_t addr, uint64_t size, struct pgt_map_req *req);
int pgt_unmap(const struct pgt *pgt, uint64_t addr, uint64_t size,
	      struct pgt_map_req *req);
/*
 * What one frame of pa put in [addr, addr + size): leaves wholly inside
 * that map pa at their offset go, nothing else (so no table is needed and
 * there is no check). At most `limit` leaves are visited (0: any number);
 * returns how much of the range, from addr, that covered (size: all). The
 * TLBs hold none of the removed entries on return.
 */
uint64_t pgt_unmap_own(const struct pgt *pgt, uint64_t addr, uint64_t size, uint64_t pa,
		       unsigned limit);
/*
 * The same over several frames of one table with one TLB invalidation:
 * each pgt_unmap_own_deferred clears entries and records them in f (zeroed
 * before the first), adding the leaves it visited to f->visited; the
 * removed entries may stay in the TLBs until pgt_flush() (the caller's to
 * call before anything can use what they mapped: before it returns to a
 * lower exception level, or frees a frame).
 */
struct pgt_flush {
	uint64_t addr; /* the first entry cleared: its address and level */
	unsigned level;
	unsigned cleared; /* entries cleared: 0, 1, or more (at least 2 when
			   * more than one may have been) */
	unsigned visited; /* leaf entries visited */
};
uint64_t pgt_unmap_own_deferred(const struct pgt *pgt, uint64_t addr, uint64_t size,
				uint64_t pa, unsigned limit, struct pgt_flush *f);
void pgt_flush(const struct pgt *pgt, struct pgt_flush *f);
/*
 * A new ownership tag (pte_owner_bits) on the leaves wholly in [addr, addr +
 * size) that map one frame of pa at their offset, nothing else; returns
 * the leaves visited. The tag is in bits the table walker ignores, so the
 * entries are rewritten in place: no break-before-make and no TLB
 * invalidation (what a TLB holds means the same with either tag).
 */
unsigned pgt_retag_own(const struct pgt *pgt, uint64_t addr, uint64_t size, uint64_t pa,
		       pte_t tag);
/*
 * A page map whose check (pgt_check of a 4 KiB PGT_OP_MAP needing no
 * table) found its empty last-level entry, e->last: the entry written
 * without another walk. Nothing may change the tables between the check
 * and this; pgt_publish after the last makes them visible to the walker.
 */
void pgt_map_leaf(pte_t *leaf, uint64_t pa, pte_t attrs);
void pgt_publish(const struct pgt *pgt);
/* Sets and clears leaf attribute bits (rights, software bits) on what is mapped. */
int pgt_protect(const struct pgt *pgt, uint64_t addr, uint64_t size, pte_t set,
		pte_t clear, struct pgt_map_req *req);
/* Unlinks everything below the root and drops the table's TLB entries. */
void pgt_clear(const struct pgt *pgt);
/* The leaf entry covering addr and its level; *pte is 0 if unmapped. */
int pgt_query(const struct pgt *pgt, uint64_t addr, pte_t *pte, unsigned *level);
/* How far from addr (page-aligned) the entries are all mapped or all
 * unmapped as at addr (*mapped), up to size and to the first `limit` leaf
 * or empty entries: so at least a page and at most limit entries' reach.
 * PGT_E_RANGE/PGT_E_ALIGN as pgt_walk (*extent 0). */
int pgt_query_range(const struct pgt *pgt, uint64_t addr, uint64_t size, unsigned limit,
		    uint64_t *extent, bool *mapped);
