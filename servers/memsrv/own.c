#include "own.h"
#include <stdbool.h>
#include <string.h>
#include <septa/abi.h>

void own_init(struct own_db *db, struct own_page *pages, uint64_t *index, uint64_t count)
{
	db->pages = pages;
	db->count = count;
	for (uint64_t i = 0; i < count; i++)
		pages[i] = (struct own_page){.owner = OWN_NONE};
	bitrun_init(&db->index, index, count);
	bitrun_give(&db->index, 0, count);
}

static int check_range(const struct own_db *db, uint64_t first, uint64_t n)
{
	if (n == 0 || first >= db->count || n > db->count - first)
		return OWN_E_RANGE;
	return OWN_OK;
}

static bool valid_rights(unsigned r)
{
	return r == OWN_R || r == OWN_RW || r == OWN_RX;
}

static int check_client_range(const struct own_db *db, unsigned client, uint64_t first,
			      uint64_t n)
{
	int err = check_range(db, first, n);

	if (!err && client >= OWN_MAX_CLIENTS)
		err = OWN_E_CLIENT;
	return err;
}

/* The checks every operation on an owner's range starts with. */
static int check_owner(const struct own_db *db, unsigned owner, uint64_t first,
		       uint64_t n)
{
	int err = check_client_range(db, owner, first, n);

	if (err)
		return err;
	for (uint64_t i = first; i < first + n; i++)
		if (db->pages[i].owner != owner)
			return OWN_E_NOT_OWNER;
	return OWN_OK;
}

/* A page's owner and state in one load (adjacent bytes, owner first). */
static inline unsigned owner_state(const struct own_page *p)
{
	uint16_t k;

	_Static_assert(offsetof(struct own_page, state) ==
			   offsetof(struct own_page, owner) + 1,
		       "owner and state adjacent");
	memcpy(&k, &p->owner, sizeof(k));
	return k;
}

/* check_owner, and every page of the range in `state` (else `err`), in
 * one pass comparing owner and state at once: freeing a 2 MiB block
 * checks 512 pages. A page of another owner anywhere in the range is
 * OWN_E_NOT_OWNER, whatever the state of the pages before it. */
static int check_state(const struct own_db *db, unsigned owner, uint64_t first,
		       uint64_t n, enum own_page_state state, int err)
{
	int e = check_client_range(db, owner, first, n);
	unsigned want = owner | (unsigned)state << 8;
	const struct own_page *p, *end;

	if (e)
		return e;
	end = db->pages + first + n;
#pragma GCC unroll 4
	for (p = db->pages + first; p < end; p++) {
		if (owner_state(p) == want)
			continue;
		if (p->owner != owner)
			return OWN_E_NOT_OWNER;
		e = err;
	}
	return e;
}

static int check_other(unsigned owner, unsigned other)
{
	if (other >= OWN_MAX_CLIENTS)
		return OWN_E_CLIENT;
	return other == owner ? OWN_E_SELF : OWN_OK;
}

int own_alloc(struct own_db *db, unsigned client, uint64_t n, uint64_t align,
	      uint64_t *first)
{
	if (client >= OWN_MAX_CLIENTS)
		return OWN_E_CLIENT;
	if (align == 0 || (align & (align - 1)))
		return OWN_E_ALIGN;
	if (n == 0 || n > db->count)
		return OWN_E_RANGE;
	if (!bitrun_find(&db->index, n, align, first))
		return OWN_E_NO_MEMORY;
	bitrun_take(&db->index, *first, n);
	for (uint64_t i = *first; i < *first + n; i++)
		db->pages[i] =
		    (struct own_page){.owner = (uint8_t)client, .state = OWN_OWNED};
	return OWN_OK;
}

int own_check_free(const struct own_db *db, unsigned client, uint64_t first, uint64_t n)
{
	return check_state(db, client, first, n, OWN_OWNED, OWN_E_BUSY);
}

void own_commit_free(struct own_db *db, uint64_t first, uint64_t n)
{
	bitrun_give(&db->index, first, n);
	/* An OWNED record has no borrowers and no rights (an invariant): only
	 * its owner and state change. */
#pragma GCC unroll 4
	for (uint64_t i = first; i < first + n; i++) {
		db->pages[i].owner = OWN_NONE;
		db->pages[i].state = OWN_FREE;
	}
}

int own_check_share(const struct own_db *db, unsigned owner, uint64_t first, uint64_t n,
		    unsigned borrower, unsigned rights)
{
	int err = check_owner(db, owner, first, n);

	if (!err)
		err = check_other(owner, borrower);
	if (!err && !valid_rights(rights))
		err = OWN_E_RIGHTS;
	for (uint64_t i = first; !err && i < first + n; i++) {
		const struct own_page *p = &db->pages[i];

		if (p->state == OWN_LENT)
			err = OWN_E_BUSY;
		else if (p->borrowers & (1ULL << borrower))
			err = OWN_E_ALREADY;
		else if (p->state == OWN_SHARED && p->rights != rights)
			err = OWN_E_RIGHTS; /* one set of rights for all borrowers */
		else if (p->nborrowers == OWN_MAX_BORROWERS)
			err = OWN_E_TOO_MANY;
	}
	return err;
}

void own_commit_share(struct own_db *db, uint64_t first, uint64_t n, unsigned borrower,
		      unsigned rights)
{
	for (uint64_t i = first; i < first + n; i++) {
		struct own_page *p = &db->pages[i];

		p->state = OWN_SHARED;
		p->rights = (uint8_t)rights;
		p->borrowers |= 1ULL << borrower;
		p->nborrowers++;
	}
}

int own_check_unshare(const struct own_db *db, unsigned owner, uint64_t first, uint64_t n,
		      unsigned borrower)
{
	int err = check_owner(db, owner, first, n);

	if (!err)
		err = check_other(owner, borrower);
	for (uint64_t i = first; !err && i < first + n; i++) {
		const struct own_page *p = &db->pages[i];

		if (p->state != OWN_SHARED || !(p->borrowers & (1ULL << borrower)))
			err = OWN_E_NOT_SHARED;
	}
	return err;
}

void own_commit_unshare(struct own_db *db, uint64_t first, uint64_t n, unsigned borrower)
{
	for (uint64_t i = first; i < first + n; i++) {
		struct own_page *p = &db->pages[i];

		p->borrowers &= ~(1ULL << borrower);
		if (--p->nborrowers == 0) {
			p->state = OWN_OWNED;
			p->rights = 0;
		}
	}
}

int own_check_lend(const struct own_db *db, unsigned owner, uint64_t first, uint64_t n,
		   unsigned borrower, unsigned rights)
{
	int err = check_state(db, owner, first, n, OWN_OWNED, OWN_E_BUSY);

	if (!err)
		err = check_other(owner, borrower);
	if (!err && !valid_rights(rights))
		err = OWN_E_RIGHTS;
	return err;
}

void own_commit_lend(struct own_db *db, uint64_t first, uint64_t n, unsigned borrower,
		     unsigned rights)
{
	for (uint64_t i = first; i < first + n; i++) {
		struct own_page *p = &db->pages[i];

		p->state = OWN_LENT;
		p->rights = (uint8_t)rights;
		p->borrowers = 1ULL << borrower;
		p->nborrowers = 1;
	}
}

int own_check_reclaim(const struct own_db *db, unsigned owner, uint64_t first, uint64_t n)
{
	return check_state(db, owner, first, n, OWN_LENT, OWN_E_NOT_LENT);
}

void own_commit_reclaim(struct own_db *db, unsigned owner, uint64_t first, uint64_t n)
{
	for (uint64_t i = first; i < first + n; i++)
		db->pages[i] =
		    (struct own_page){.owner = (uint8_t)owner, .state = OWN_OWNED};
}

int own_check_donate(const struct own_db *db, unsigned owner, uint64_t first, uint64_t n,
		     unsigned to)
{
	int err = check_state(db, owner, first, n, OWN_OWNED, OWN_E_BUSY);

	return err ? err : check_other(owner, to);
}

void own_commit_donate(struct own_db *db, uint64_t first, uint64_t n, unsigned to)
{
	for (uint64_t i = first; i < first + n; i++)
		db->pages[i].owner = (uint8_t)to;
}

enum own_view own_query(const struct own_db *db, unsigned client, uint64_t page)
{
	const struct own_page *p;

	if (page >= db->count || client >= OWN_MAX_CLIENTS)
		return OWN_VIEW_NONE;
	p = &db->pages[page];
	if (p->owner == client) {
		static const enum own_view owner_view[] = {
		    OWN_VIEW_NONE, OWN_VIEW_OWNED, OWN_VIEW_SHARED_OWNED, OWN_VIEW_LENT};
		return owner_view[p->state];
	}
	if (p->borrowers & (1ULL << client))
		return p->state == OWN_LENT ? OWN_VIEW_BORROWED
					    : OWN_VIEW_SHARED_BORROWED;
	return OWN_VIEW_NONE;
}

int own_claim(struct own_db *db, unsigned client, uint64_t first, uint64_t n)
{
	int err = check_client_range(db, client, first, n);

	if (err)
		return err;
	for (uint64_t i = first; i < first + n; i++)
		if (db->pages[i].state != OWN_FREE)
			return OWN_E_BUSY;
	bitrun_take(&db->index, first, n);
	for (uint64_t i = first; i < first + n; i++)
		db->pages[i] =
		    (struct own_page){.owner = (uint8_t)client, .state = OWN_OWNED};
	return OWN_OK;
}

int own_view_tag(enum own_view view)
{
	switch (view) {
	case OWN_VIEW_OWNED:
		return SEPTA_OWNED;
	case OWN_VIEW_SHARED_OWNED:
		return SEPTA_SHARED_OWNED;
	case OWN_VIEW_SHARED_BORROWED:
		return SEPTA_SHARED_BORROWED;
	case OWN_VIEW_BORROWED:
		return SEPTA_BORROWED;
	default:
		return -1;
	}
}

enum own_audit own_audit_mapping(enum own_view view, uint64_t want_pa,
				 unsigned want_rights, const struct own_kernel_view *k)
{
	int tag = own_view_tag(view);

	if (tag < 0)
		return k->pa == want_pa ? OWN_AUDIT_STALE : OWN_AUDIT_OK;
	if (!k->pa)
		return OWN_AUDIT_MISSING;
	if (k->pa != want_pa)
		return OWN_AUDIT_WRONG_PAGE;
	if (k->rights != want_rights)
		return OWN_AUDIT_RIGHTS;
	return k->tag == (unsigned)tag ? OWN_AUDIT_OK : OWN_AUDIT_TAG;
}
