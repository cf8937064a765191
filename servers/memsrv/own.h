/*
 * The page-ownership database of memsrv: for every 4 KiB page it hands out,
 * who owns it and how it is shared or lent. Pure logic, no IPC and no
 * kernel calls, so host tests drive the very code memsrv runs. Every
 * operation on a range is a pair: own_check_X() checks every page of it and
 * changes nothing; own_commit_X() applies it and cannot fail. A commit is
 * only valid right after its check passed with the same arguments, so that
 * memsrv can run its own checks in between.
 */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include "bitrun.h"

#define OWN_MAX_CLIENTS	  64 /* client ids 0..63 (the badge of their endpoint) */
#define OWN_MAX_BORROWERS 16 /* per page */
#define OWN_NONE	  0xff

/* A page as the database keeps it: 16 bytes. */
enum own_page_state { OWN_FREE = 0, OWN_OWNED, OWN_SHARED, OWN_LENT };

struct own_page {
	uint64_t borrowers; /* bit per client */
	uint8_t owner;	    /* client id, OWN_NONE when free */
	uint8_t state;	    /* enum own_page_state */
	uint8_t rights;	    /* what borrowers get: OWN_R / OWN_RW / OWN_RX */
	uint8_t nborrowers;
	uint32_t reserved;
};
_Static_assert(sizeof(struct own_page) == 16, "16 bytes a page");

/* A page as one client sees it. */
enum own_view {
	OWN_VIEW_NONE = 0,
	OWN_VIEW_OWNED,
	OWN_VIEW_SHARED_OWNED,
	OWN_VIEW_SHARED_BORROWED,
	OWN_VIEW_LENT,
	OWN_VIEW_BORROWED,
};

#define OWN_R  1u
#define OWN_W  2u
#define OWN_X  4u
#define OWN_RW (OWN_R | OWN_W)
#define OWN_RX (OWN_R | OWN_X)

enum own_err {
	OWN_OK = 0,
	OWN_E_RANGE = -1,      /* pages outside the database, empty or wrapping */
	OWN_E_CLIENT = -2,     /* no such client id */
	OWN_E_NOT_OWNER = -3,  /* the caller does not own a page of the range */
	OWN_E_BUSY = -4,       /* a page is shared or lent: undo that first */
	OWN_E_NOT_SHARED = -5, /* a page is not shared with that borrower */
	OWN_E_ALREADY = -6,    /* a page is already shared with that borrower */
	OWN_E_NOT_LENT = -7,   /* a page is not lent */
	OWN_E_RIGHTS = -8,     /* rights not R, RW or RX, or unlike the page's */
	OWN_E_TOO_MANY = -9,   /* a page has OWN_MAX_BORROWERS already */
	OWN_E_SELF = -10,      /* sharing, lending or donating to oneself */
	OWN_E_NO_MEMORY = -11, /* no free run of pages that size and alignment */
	OWN_E_ALIGN = -12,     /* alignment not a power of two */
};

struct own_db {
	struct own_page *pages;
	uint64_t count;
	/* The free pages (state OWN_FREE, and only those), for allocation:
	 * its cost does not grow with the memory handed out. */
	struct bitrun index;
};

/* Words of memory own_init's index takes for count pages. */
#define OWN_INDEX_WORDS(count) BITRUN_WORDS(count)
void own_init(struct own_db *db, struct own_page *pages, uint64_t *index, uint64_t count);
/* First free run of n pages aligned to `align` pages (the lowest there
 * is, from page 0); *first <- its index. */
int own_alloc(struct own_db *db, unsigned client, uint64_t n, uint64_t align,
	      uint64_t *first);
int own_check_free(const struct own_db *db, unsigned client, uint64_t first, uint64_t n);
void own_commit_free(struct own_db *db, uint64_t first, uint64_t n);
int own_check_share(const struct own_db *db, unsigned owner, uint64_t first, uint64_t n,
		    unsigned borrower, unsigned rights);
void own_commit_share(struct own_db *db, uint64_t first, uint64_t n, unsigned borrower,
		      unsigned rights);
int own_check_unshare(const struct own_db *db, unsigned owner, uint64_t first, uint64_t n,
		      unsigned borrower);
void own_commit_unshare(struct own_db *db, uint64_t first, uint64_t n, unsigned borrower);
int own_check_lend(const struct own_db *db, unsigned owner, uint64_t first, uint64_t n,
		   unsigned borrower, unsigned rights);
void own_commit_lend(struct own_db *db, uint64_t first, uint64_t n, unsigned borrower,
		     unsigned rights);
int own_check_reclaim(const struct own_db *db, unsigned owner, uint64_t first,
		      uint64_t n);
void own_commit_reclaim(struct own_db *db, unsigned owner, uint64_t first, uint64_t n);
int own_check_donate(const struct own_db *db, unsigned owner, uint64_t first, uint64_t n,
		     unsigned to);
void own_commit_donate(struct own_db *db, uint64_t first, uint64_t n, unsigned to);
enum own_view own_query(const struct own_db *db, unsigned client, uint64_t page);
/* Marks free pages as the client's without a search: memory that is not
 * there (holes between RAM blocks) and memsrv's own tables. */
int own_claim(struct own_db *db, unsigned client, uint64_t first, uint64_t n);

/* Audit of one mapping memsrv recorded for a client against what the
 * kernel reports for it (VSPACE_QUERY: physical address or 0, level,
 * rights, ownership tag). */
enum own_audit {
	OWN_AUDIT_OK = 0,
	OWN_AUDIT_MISSING = 1,	  /* should be mapped, is not */
	OWN_AUDIT_WRONG_PAGE = 2, /* mapped to another page */
	OWN_AUDIT_RIGHTS = 3,	  /* other rights than granted */
	OWN_AUDIT_TAG = 4,	  /* tag unlike the client's view of the page */
	OWN_AUDIT_STALE = 5,	  /* mapped, though the client lent it away */
};
struct own_kernel_view {
	uint64_t pa; /* 0: nothing mapped */
	unsigned rights;
	unsigned tag; /* enum septa_owner */
};
enum own_audit own_audit_mapping(enum own_view view, uint64_t want_pa,
				 unsigned want_rights, const struct own_kernel_view *k);
/* The PTE tag (enum septa_owner) of a view that has a mapping; -1 if none. */
int own_view_tag(enum own_view view);
