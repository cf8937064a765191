#include "ready.h"

/* Into the ring in order: pages freed since the last fill may lie below
 * the pooled ones. */
static void insert(struct ready *r, uint32_t p)
{
	unsigned i = r->n;

	for (; i > 0 && ready_at(r, i - 1) > p; i--)
		r->page[(r->head + i) % READY_MAX] = ready_at(r, i - 1);
	r->page[(r->head + i) % READY_MAX] = p;
	r->n++;
}

unsigned ready_fill(struct own_db *db, struct ready *r, unsigned max, uint64_t *added)
{
	unsigned got = 0;
	uint64_t p;

	/* One page at a time: the lowest free ones, wherever they are. */
	while (got < max && r->n < READY_MAX && own_alloc(db, 0, 1, 1, &p) == OWN_OK) {
		insert(r, (uint32_t)p);
		got++;
		if (added)
			*added = p;
	}
	return got;
}

bool ready_take(struct own_db *db, struct ready *r, unsigned client, uint64_t *page)
{
	if (!r->n)
		return false;
	*page = r->page[r->head];
	r->head = (r->head + 1) % READY_MAX;
	r->n--;
	db->pages[*page].owner = (uint8_t)client; /* OWN_OWNED, no borrowers */
	return true;
}

void ready_untake(struct own_db *db, struct ready *r, uint64_t page)
{
	r->head = (r->head + READY_MAX - 1) % READY_MAX;
	r->page[r->head] = (uint32_t)page;
	r->n++;
	db->pages[page].owner = 0;
}

int ready_alloc(struct own_db *db, struct ready *r, unsigned client, uint64_t n,
		uint64_t align, uint64_t *first, void (*drained)(uint64_t page))
{
	int err = own_alloc(db, client, n, align, first);
	unsigned i;

	if (err != OWN_E_NO_MEMORY || !r->n || n > db->index.nfree + r->n)
		return err;
	/* The pool's pages in the index for the search only: drained if it
	 * finds the run, else memsrv's again as they were, so that a request
	 * the pool cannot complete costs no drain and no refill. */
	for (i = 0; i < r->n; i++)
		own_commit_free(db, ready_at(r, i), 1);
	err = own_alloc(db, client, n, align, first);
	for (i = 0; err && i < r->n; i++)
		own_claim(db, 0, ready_at(r, i), 1);
	for (; !err && r->n; r->n--) {
		drained(r->page[r->head]);
		r->head = (r->head + 1) % READY_MAX;
	}
	return err;
}

int ready_alloc_page(struct own_db *db, struct ready *r, unsigned client, uint64_t *page,
		     bool *pooled, void (*drained)(uint64_t page))
{
	uint64_t f;

	/* Below the index's hint nothing is free: the pool's oldest, its
	 * lowest, is the lowest free page. The search only when the hint
	 * does not tell (a page freed below it, or the pool's last page). */
	*pooled = r->n && (ready_at(r, 0) < db->index.hint ||
			   !bitrun_find(&db->index, 1, 1, &f) || f > ready_at(r, 0));
	if (*pooled)
		return ready_take(db, r, client, page) ? OWN_OK : OWN_E_NO_MEMORY;
	return ready_alloc(db, r, client, 1, 1, page, drained);
}

long ready_check(const struct own_db *db, const struct ready *r)
{
	for (unsigned i = 0; i < r->n; i++) {
		uint32_t p = ready_at(r, i);
		const struct own_page *pg = p < db->count ? &db->pages[p] : NULL;

		if (!pg || pg->owner != 0 || pg->state != OWN_OWNED || pg->nborrowers ||
		    pg->borrowers || bitrun_is_free(&db->index, p))
			return i;
		if (i && ready_at(r, i - 1) >= p)
			return i; /* out of order, or pooled twice */
	}
	return -1;
}
