/*
 * memsrv's operations. Each one runs in three steps: the database's check
 * (own_check_*, no side effects), memsrv's own checks (whole blocks, rights
 * the owner has, free target addresses, room for capabilities and tables),
 * and then the commit: the database (own_commit_*), then the kernel
 * mappings, none of which can fail once the checks passed.
 */
#include <stdio.h>
#include "memsrv.h"

struct client clients[MEMSRV_MAX_CLIENTS];

int own_to_memsrv(int err)
{
	static const int map[] = {
	    MEMSRV_OK,	     MEMSRV_E_RANGE,	  MEMSRV_E_CLIENT,  MEMSRV_E_NOT_OWNER,
	    MEMSRV_E_BUSY,   MEMSRV_E_NOT_SHARED, MEMSRV_E_ALREADY, MEMSRV_E_NOT_LENT,
	    MEMSRV_E_RIGHTS, MEMSRV_E_TOO_MANY,	  MEMSRV_E_SELF,    MEMSRV_E_NO_MEMORY,
	    MEMSRV_E_ALIGN};

	return err <= 0 && -err < (int)(sizeof(map) / sizeof(map[0])) ? map[-err]
								      : MEMSRV_E_ARG;
}

/* A range of whole pages of the pool, given by physical address. */
static int page_range(uint64_t pa, uint64_t n, uint64_t *first)
{
	if (pa % SEPTA_PAGE_SIZE)
		return MEMSRV_E_ALIGN;
	if (pa < pool.base || n == 0 ||
	    (pa - pool.base) / SEPTA_PAGE_SIZE >= pool.pages ||
	    n > pool.pages - (pa - pool.base) / SEPTA_PAGE_SIZE)
		return MEMSRV_E_RANGE;
	*first = (pa - pool.base) / SEPTA_PAGE_SIZE;
	return MEMSRV_OK;
}

static bool is_block(uint64_t p)
{
	return pool_chunk(p)->state == CH_BLOCK;
}

static uint64_t unit_end(uint64_t p)
{
	return is_block(p) ? (p / CHUNK_PAGES + 1) * CHUNK_PAGES : p + 1;
}

/* Blocks are handed out whole: a range covers each one entirely or not at
 * all. Counts the range's units (pages and blocks). */
static int check_units(uint64_t first, uint64_t n, uint64_t *units)
{
	*units = 0;
	for (uint64_t p = first; p < first + n; p = unit_end(p)) {
		if (is_block(p) && (p % CHUNK_PAGES || n - (p - first) < CHUNK_PAGES))
			return MEMSRV_E_BLOCK;
		(*units)++;
	}
	return MEMSRV_OK;
}

/* Target addresses in another client's VSpace: free, and blocks aligned. */
int op_check_target(unsigned c, uint64_t ipa, uint64_t first, uint64_t n)
{
	for (uint64_t p = first; p < first + n; p = unit_end(p))
		if (is_block(p) && (ipa + (p - first) * SEPTA_PAGE_SIZE) % CHUNK_SIZE)
			return MEMSRV_E_ALIGN;
	if (n > (~0ULL - ipa) / SEPTA_PAGE_SIZE)
		return MEMSRV_E_IPA_RANGE;
	return ipa_check_free(clients[c].vspace, ipa, n * SEPTA_PAGE_SIZE);
}

int op_reserve(uint64_t units, uint64_t pages, bool blocks)
{
	if (grant_free_entries() < units)
		return MEMSRV_E_FULL;
	return pool_reserve(pages, blocks) ? MEMSRV_OK : MEMSRV_E_NO_MEMORY;
}

/* Pages going to another client: its addresses, and room to map them. */
static int check_handover(unsigned to, uint64_t ipa, uint64_t first, uint64_t n,
			  uint64_t units)
{
	int err = op_check_target(to, ipa, first, n);

	return err ? err : op_reserve(units, n, false);
}

/* The owner grants at most what it has itself. */
static int check_owner_rights(unsigned me, uint64_t first, uint64_t n, unsigned rights)
{
	for (uint64_t p = first; p < first + n; p = unit_end(p)) {
		struct grant *g = grant_find(me, p);

		if (!g || (rights & ~g->rights))
			return MEMSRV_E_RIGHTS;
	}
	return MEMSRV_OK;
}

/*
 * One page where nothing needs reserving (a fault, mostly): FRAME_MAP's own
 * refusal stands in for the address query, one kernel call fewer. Each
 * input gets the error the query's order gives it: the address's first
 * (E_ALIGN, then what the map's refusal says: E_IPA_BUSY something mapped
 * there, E_IPA_RANGE outside), then the quota's and the pool's, which are
 * asked first here without a change, the address checked before either
 * is returned. A refused map undoes the page's allocation: the database,
 * the books, the chunk's frames and memsrv's slots are as they were.
 */
static int alloc_page(unsigned me, uint64_t align, uint64_t ipa, unsigned rights,
		      uint64_t *pa)
{
	uint64_t first;
	bool pooled = false;
	long kerr;
	int err;

	if (ipa % SEPTA_PAGE_SIZE)
		return MEMSRV_E_ALIGN;
	/* No ready pages (a burst used them up): the index alone, as if
	 * there were no pool. */
	err = !quota_room(me, 0, 1)	 ? MEMSRV_E_QUOTA
	      : grant_free_entries() < 1 ? MEMSRV_E_FULL
	      : !idle_pooled() ? own_to_memsrv(own_alloc(&pool.db, me, 1, align, &first))
	      : align == 1     ? own_to_memsrv(idle_alloc_page(me, &first, &pooled))
			       : own_to_memsrv(idle_alloc(me, 1, align, &first));
	if (err) {
		int at = ipa_check_free(clients[me].vspace, ipa, SEPTA_PAGE_SIZE);

		return at ? at : err;
	}
	quota_move(me, 0, 1);
	if (!pooled) /* a pooled page is a frame already */
		pool_populate(first, 1, false);
	kerr = grant_map_unchecked(me, first, ipa, rights, SEPTA_OWNED);
	if (kerr) {
		quota_move(0, me, 1);
		if (pooled) { /* nobody saw it: still zero, back in the pool */
			idle_untake(first);
		} else {
			own_commit_free(&pool.db, first, 1);
			pool_release(first, 1);
		}
		return kerr == SEPTA_E_DELETE_FIRST ? MEMSRV_E_IPA_BUSY
						    : MEMSRV_E_IPA_RANGE;
	}
	*pa = pool.base + first * SEPTA_PAGE_SIZE;
	return MEMSRV_OK;
}

int op_alloc(unsigned me, uint64_t n, uint64_t align, uint64_t ipa, unsigned rights,
	     uint64_t *pa)
{
	bool blocks = n % CHUNK_PAGES == 0 && align % CHUNK_PAGES == 0;
	uint64_t first;
	int err;

	if (rights != MEMSRV_R && rights != MEMSRV_RW && rights != MEMSRV_RX &&
	    rights != MEMSRV_RWX)
		return MEMSRV_E_RIGHTS;
	if (n == 0 || n > pool.pages)
		return MEMSRV_E_RANGE;
	if (align == 0 || (align & (align - 1)) || (blocks && ipa % CHUNK_SIZE))
		return MEMSRV_E_ALIGN;
	if (n > (~0ULL - ipa) / SEPTA_PAGE_SIZE)
		return MEMSRV_E_IPA_RANGE;
	/* A reservation would change state a refused map could not undo. */
	if (n == 1 && pool_reserved(1))
		return alloc_page(me, align, ipa, rights, pa);
	err = ipa_check_free(clients[me].vspace, ipa, n * SEPTA_PAGE_SIZE);
	if (!err && !quota_room(me, 0, n))
		err = MEMSRV_E_QUOTA;
	if (!err)
		err = op_reserve(blocks ? n / CHUNK_PAGES : n, n, blocks);
	if (!err)
		err = own_to_memsrv(idle_alloc(me, n, align, &first));
	if (err)
		return err;
	quota_move(me, 0, n);
	pool_populate(first, n, blocks);
	for (uint64_t p = first; p < first + n; p = unit_end(p))
		grant_map(me, p, blocks, ipa + (p - first) * SEPTA_PAGE_SIZE, rights,
			  SEPTA_OWNED);
	*pa = pool.base + first * SEPTA_PAGE_SIZE;
	return MEMSRV_OK;
}

static int op_free(unsigned me, uint64_t first, uint64_t n)
{
	own_commit_free(&pool.db, first, n);
	quota_move(0, me, n);
	for (uint64_t p = first; p < first + n; p = unit_end(p))
		grant_drop(grant_find(me, p));
	pool_release(first, n);
	idle_freed(); /* memory back: a refill that found none may now */
	return MEMSRV_OK;
}

/* Share or lend: the borrower gets the pages at ipa with rights. */
static int op_give(unsigned me, unsigned label, uint64_t first, uint64_t n,
		   uint64_t units, unsigned b, uint64_t ipa, unsigned rights)
{
	bool lend = label == MEMSRV_LEND;
	int err = check_owner_rights(me, first, n, rights);
	struct grant_run rt = {0};
	static struct grant_batch gb;
	static struct grant_drops dr;

	if (!err)
		err = check_handover(b, ipa, first, n, units);
	if (err)
		return err;
	if (lend)
		own_commit_lend(&pool.db, first, n, b, rights);
	else
		own_commit_share(&pool.db, first, n, b, rights);
	for (uint64_t p = first; lend && p < first + n; p = unit_end(p))
		grant_delete_add(&dr, grant_find(me, p));
	grant_delete_flush(&dr);
	for (uint64_t p = first; p < first + n; p = unit_end(p)) {
		struct grant *g = grant_find(me, p);

		if (lend)
			grant_unmap(g);
		else if (g->tag != SEPTA_SHARED_OWNED)
			grant_retag(&rt, g, SEPTA_SHARED_OWNED);
		if (is_block(p))
			grant_map(b, p, true, ipa + (p - first) * SEPTA_PAGE_SIZE, rights,
				  lend ? SEPTA_BORROWED : SEPTA_SHARED_BORROWED);
		else
			grant_batch_new(&gb, b, p, ipa + (p - first) * SEPTA_PAGE_SIZE,
					rights,
					lend ? SEPTA_BORROWED : SEPTA_SHARED_BORROWED);
	}
	grant_batch_flush(&gb);
	grant_run_flush(&rt);
	return MEMSRV_OK;
}

static int op_unshare(unsigned me, uint64_t first, uint64_t n, unsigned b)
{
	static struct grant_drops dr;
	struct grant_run rt = {0};

	own_commit_unshare(&pool.db, first, n, b);
	for (uint64_t p = first; p < first + n; p = unit_end(p))
		grant_delete_add(&dr, grant_find(b, p));
	grant_delete_flush(&dr);
	for (uint64_t p = first; p < first + n; p = unit_end(p)) {
		grant_drop(grant_find(b, p));
		if (pool.db.pages[p].state == OWN_OWNED)
			grant_retag(&rt, grant_find(me, p), SEPTA_OWNED);
	}
	grant_run_flush(&rt);
	return MEMSRV_OK;
}

static unsigned borrower(uint64_t p)
{
	return (unsigned)__builtin_ctzll(pool.db.pages[p].borrowers);
}

static int op_reclaim(unsigned me, uint64_t first, uint64_t n)
{
	static struct grant_batch gb;
	static struct grant_drops dr;

	/* The owner's old addresses must still be free: checked a run of
	 * consecutive ones at a time (a lent range was usually mapped as one). */
	for (uint64_t p = first, ipa = 0, size = 0; p < first + n || size;) {
		struct grant *g = p < first + n ? grant_find(me, p) : NULL;
		int err;

		if (g && size && g->ipa == ipa + size) {
			size += (unit_end(p) - p) * SEPTA_PAGE_SIZE;
			p = unit_end(p);
			continue;
		}
		err = size ? ipa_check_free(clients[me].vspace, ipa, size) : MEMSRV_OK;
		if (err)
			return err;
		size = 0;
		if (g) {
			ipa = g->ipa;
			size = (unit_end(p) - p) * SEPTA_PAGE_SIZE;
			p = unit_end(p);
		}
	}
	if (!cs_reserve((unsigned)n + 8) ||
	    !kobj_reserve((unsigned)(n / CHUNK_PAGES + 4)))
		return MEMSRV_E_NO_MEMORY;
	/* The borrower's grants go first: a drop moves records, and the
	 * batch below keeps pointers to the owner's. */
	for (uint64_t p = first; p < first + n; p = unit_end(p))
		grant_delete_add(&dr, grant_find(borrower(p), p));
	grant_delete_flush(&dr);
	for (uint64_t p = first; p < first + n; p = unit_end(p))
		grant_drop(grant_find(borrower(p), p));
	for (uint64_t p = first; p < first + n; p = unit_end(p)) {
		struct grant *g = grant_find(me, p);

		if (is_block(p)) {
			grant_remap(g, SEPTA_OWNED);
		} else {
			g->tag = SEPTA_OWNED;
			grant_batch_add(&gb, g);
		}
	}
	grant_batch_flush(&gb);
	own_commit_reclaim(&pool.db, me, first, n);
	return MEMSRV_OK;
}

static int op_donate(unsigned me, uint64_t first, uint64_t n, uint64_t units, unsigned to,
		     uint64_t ipa)
{
	int err = quota_room(to, me, n) ? MEMSRV_OK : MEMSRV_E_QUOTA;

	if (!err)
		err = check_handover(to, ipa, first, n, units);
	if (err)
		return err;
	own_commit_donate(&pool.db, first, n, to);
	quota_move(to, me, n);
	for (uint64_t p = first; p < first + n; p = unit_end(p)) {
		struct grant *g = grant_find(me, p);
		unsigned rights = g->rights;

		grant_drop(g);
		grant_map(to, p, is_block(p), ipa + (p - first) * SEPTA_PAGE_SIZE, rights,
			  SEPTA_OWNED);
	}
	return MEMSRV_OK;
}

/* The database's check for a range operation; op_* commit it. */
static int check_own(unsigned label, unsigned me, uint64_t first, uint64_t n,
		     unsigned other, unsigned rights)
{
	const struct own_db *db = &pool.db;

	switch (label) {
	case MEMSRV_FREE:
		return own_to_memsrv(own_check_free(db, me, first, n));
	case MEMSRV_SHARE:
		return own_to_memsrv(own_check_share(db, me, first, n, other, rights));
	case MEMSRV_UNSHARE:
		return own_to_memsrv(own_check_unshare(db, me, first, n, other));
	case MEMSRV_LEND:
		return own_to_memsrv(own_check_lend(db, me, first, n, other, rights));
	case MEMSRV_RECLAIM:
		return own_to_memsrv(own_check_reclaim(db, me, first, n));
	default:
		return own_to_memsrv(own_check_donate(db, me, first, n, other));
	}
}

/* FREE .. DONATE: MR pa, pages, then the operation's own arguments. */
int op_range(unsigned me, unsigned label, const uint64_t *mr, unsigned len)
{
	static const unsigned nargs[] = {
	    [MEMSRV_FREE] = 2, [MEMSRV_SHARE] = 5,   [MEMSRV_UNSHARE] = 3,
	    [MEMSRV_LEND] = 5, [MEMSRV_RECLAIM] = 2, [MEMSRV_DONATE] = 4};
	/* Checked at full width before narrowing: a truncated 0x1_0000_0002
	 * would name client 2, and high bits of rights would vanish. */
	uint64_t other = len > 2 ? mr[2] : 0, rights = len > 4 ? mr[4] : 0;
	uint64_t first, units;
	int err;

	if (len < nargs[label])
		return MEMSRV_E_ARG;
	err = page_range(mr[0], mr[1], &first);
	if (!err && nargs[label] > 2 && !client_valid(other))
		err = other == me ? MEMSRV_E_SELF : MEMSRV_E_CLIENT;
	if (!err && nargs[label] > 4 && rights > MEMSRV_RWX)
		err = MEMSRV_E_RIGHTS;
	if (!err)
		err = check_own(label, me, first, mr[1], other, rights);
	if (!err)
		err = check_units(first, mr[1], &units);
	/* Into another's address space only with its consent. */
	if (!err && nargs[label] > 3)
		err = consent_check(me, (unsigned)other, mr[3], mr[1]);
	if (err)
		return err;
	switch (label) {
	case MEMSRV_FREE:
		return op_free(me, first, mr[1]);
	case MEMSRV_UNSHARE:
		return op_unshare(me, first, mr[1], other);
	case MEMSRV_RECLAIM:
		return op_reclaim(me, first, mr[1]);
	case MEMSRV_DONATE:
		return op_donate(me, first, mr[1], units, other, mr[3]);
	default:
		return op_give(me, label, first, mr[1], units, other, mr[3], rights);
	}
}
