/*
 * The memory server's IPC interface. A client calls the endpoint capability
 * memsrv gave it (MEMSRV_CAP_ENDPOINT in a server's CSpace); memsrv knows
 * the caller only by that capability's badge. Pages are named by physical
 * address (what MEMSRV_ALLOC answers); mappings are made by memsrv, in the
 * client's VSpace, at the intermediate physical addresses the call names.
 * docs/ipc-api.md describes every operation and its errors.
 */
#pragma once
#include <septa/abi.h>
#include <stdint.h>

enum memsrv_label {
	MEMSRV_ALLOC = 1,   /* MR pages, align (pages), ipa, rights; reply MR0 = pa */
	MEMSRV_FREE = 2,    /* MR pa, pages */
	MEMSRV_SHARE = 3,   /* MR pa, pages, borrower, borrower's ipa, rights */
	MEMSRV_UNSHARE = 4, /* MR pa, pages, borrower */
	MEMSRV_LEND = 5,    /* MR pa, pages, borrower, borrower's ipa, rights */
	MEMSRV_RECLAIM = 6, /* MR pa, pages */
	MEMSRV_DONATE = 7,  /* MR pa, pages, recipient, recipient's ipa */
	MEMSRV_QUERY = 8,   /* MR pa; reply view, owner, caller's ipa, rights, sharers */
	MEMSRV_AUDIT =
	    9, /* reply checked, differences, first: kind, client, ipa; ready pages */
	MEMSRV_REGISTER = 10, /* MR slot of a VSpace in the caller's CNode; reply id */
	MEMSRV_SHUTDOWN = 11, /* MR status: powers the machine off (servers only) */
	MEMSRV_ACCEPT = 12, /* MR ipa, pages, from: consent to pages at ipa (0: close) */
};

/*
 * A server may act for a client it registered (a guest's VSpace): the
 * client's id in bits 8-15 of the label makes memsrv treat the request as
 * that client's own. Wrappers take it in bits 32-39 of their endpoint
 * argument (MEMSRV_AS); server CPtrs never reach those bits.
 */
#define MEMSRV_LABEL_OP(l)    ((l)&0xffu)
#define MEMSRV_LABEL_AS(l)    (((l) >> 8) & 0xffu)
#define MEMSRV_AS(ep, client) ((ep) | (uint64_t)(client) << 32)

/* Errors: the reply label is the negated error; kernel errors (enum
 * septa_error) can come back from the call itself. */
enum memsrv_error {
	MEMSRV_OK = 0,
	MEMSRV_E_LABEL = -100,	    /* no such operation */
	MEMSRV_E_ARG = -101,	    /* too few message registers or a bad value */
	MEMSRV_E_RANGE = -102,	    /* pages outside memsrv's memory, empty or wrapping */
	MEMSRV_E_CLIENT = -103,	    /* no such client */
	MEMSRV_E_NOT_OWNER = -104,  /* the caller does not own every page */
	MEMSRV_E_BUSY = -105,	    /* a page is shared or lent: undo that first */
	MEMSRV_E_NOT_SHARED = -106, /* a page is not shared with that borrower */
	MEMSRV_E_ALREADY = -107,    /* a page is shared with that borrower already */
	MEMSRV_E_NOT_LENT = -108,   /* a page is not lent */
	MEMSRV_E_RIGHTS = -109,	    /* not R, RW or RX, or more than the owner has */
	MEMSRV_E_TOO_MANY = -110,   /* a page has the most borrowers it can have */
	MEMSRV_E_SELF = -111,	    /* sharing, lending or donating to oneself */
	MEMSRV_E_NO_MEMORY = -112,  /* no free run of that size and alignment */
	MEMSRV_E_ALIGN = -113,	    /* address or alignment not allowed */
	MEMSRV_E_BLOCK = -114,	    /* the range covers part of a 2 MiB block */
	MEMSRV_E_IPA_BUSY = -115,   /* something is mapped at the target addresses */
	MEMSRV_E_IPA_RANGE = -116,  /* the target addresses are outside that VSpace */
	MEMSRV_E_PERM = -117,	    /* this client may not do that */
	MEMSRV_E_FULL = -118,	    /* memsrv's client or mapping table is full */
	MEMSRV_E_QUOTA = -119,	 /* more pages or sub-clients than the client's quota */
	MEMSRV_E_CONSENT = -120, /* the recipient has not accepted them there */
};

/* Rights of a mapping (as SEPTA_MAP_*). Owners allocate with any of R, RW,
 * RX, RWX; borrowers get R, RW or RX, never more than the owner has. */
#define MEMSRV_R   SEPTA_MAP_R
#define MEMSRV_W   SEPTA_MAP_W
#define MEMSRV_X   SEPTA_MAP_X
#define MEMSRV_RW  (MEMSRV_R | MEMSRV_W)
#define MEMSRV_RX  (MEMSRV_R | MEMSRV_X)
#define MEMSRV_RWX (MEMSRV_RW | MEMSRV_X)

/* A page as the caller sees it (MEMSRV_QUERY). */
enum memsrv_view {
	MEMSRV_VIEW_NONE = 0,
	MEMSRV_VIEW_OWNED = 1,
	MEMSRV_VIEW_SHARED_OWNED = 2,
	MEMSRV_VIEW_SHARED_BORROWED = 3,
	MEMSRV_VIEW_LENT = 4,
	MEMSRV_VIEW_BORROWED = 5,
};

/* What an audit can find (MEMSRV_AUDIT). */
enum memsrv_audit_kind {
	MEMSRV_AUDIT_OK = 0,
	MEMSRV_AUDIT_MISSING = 1, /* recorded as mapped, the kernel maps nothing there */
	MEMSRV_AUDIT_WRONG_PAGE = 2, /* mapped, but another page */
	MEMSRV_AUDIT_RIGHTS = 3,     /* mapped with other rights than granted */
	MEMSRV_AUDIT_TAG = 4,	     /* the PTE's ownership tag disagrees */
	MEMSRV_AUDIT_STALE = 5,	     /* mapped although the page is lent away */
	MEMSRV_AUDIT_STRAY = 6,	     /* memsrv's memory mapped with no grant */
	MEMSRV_AUDIT_POOL = 7, /* a ready-pool page not memsrv's alone (ipa: its pa) */
};

/* Slots memsrv fills in a server's CNode (the kernel's layout for the root
 * task where they coincide). */
enum memsrv_server_slot {
	MEMSRV_CAP_TCB = SEPTA_CAP_INIT_TCB,
	MEMSRV_CAP_CNODE = SEPTA_CAP_INIT_CNODE,
	MEMSRV_CAP_VSPACE = SEPTA_CAP_INIT_VSPACE,
	MEMSRV_CAP_ENDPOINT = 7,    /* to memsrv, badged with the client id */
	MEMSRV_CAP_UNTYPED = 8,	    /* for the server's own kernel objects */
	MEMSRV_CAP_CONSOLE_IRQ = 9, /* the console's IRQHandler (first server only) */
	MEMSRV_FIRST_FREE = 16,
};
#define MEMSRV_SERVER_CNODE_BITS   10
#define MEMSRV_SERVER_UNTYPED_BITS 20
#define MEMSRV_SERVER_HEAP_SIZE	   0x100000ULL

#define MEMSRV_MAX_CLIENTS 64 /* ids 1..63; 0 is memsrv */

/* The owner MEMSRV_QUERY reports for a page the caller has no view of. */
#define MEMSRV_OWNER_HIDDEN 0xff

struct memsrv_query {
	unsigned view; /* enum memsrv_view */
	unsigned owner;
	uint64_t ipa; /* where the caller has it mapped; ~0 if nowhere */
	unsigned rights;
	unsigned sharers;
};

struct memsrv_audit {
	uint64_t checked;
	uint64_t differences;
	unsigned kind; /* of the first difference */
	unsigned client;
	uint64_t ipa;
	uint64_t ready; /* memsrv's ready pages (in checked): frames made ahead */
};

/* Wrappers: each returns MEMSRV_OK, a memsrv_error or a septa_error. */
long memsrv_alloc(uint64_t ep, uint64_t pages, uint64_t align, uint64_t ipa,
		  uint64_t rights, uint64_t *pa);
long memsrv_free(uint64_t ep, uint64_t pa, uint64_t pages);
long memsrv_share(uint64_t ep, uint64_t pa, uint64_t pages, uint64_t borrower,
		  uint64_t ipa, uint64_t rights);
long memsrv_unshare(uint64_t ep, uint64_t pa, uint64_t pages, uint64_t borrower);
long memsrv_lend(uint64_t ep, uint64_t pa, uint64_t pages, uint64_t borrower,
		 uint64_t ipa, uint64_t rights);
long memsrv_reclaim(uint64_t ep, uint64_t pa, uint64_t pages);
long memsrv_donate(uint64_t ep, uint64_t pa, uint64_t pages, uint64_t to, uint64_t ipa);
long memsrv_query(uint64_t ep, uint64_t pa, struct memsrv_query *q);
long memsrv_audit(uint64_t ep, struct memsrv_audit *a);
/* Makes the VSpace in slot vspace_slot of the caller's own CNode a client of
 * its own (a borrower, e.g. a guest's); servers only. */
long memsrv_register(uint64_t ep, uint64_t vspace_slot, unsigned *id);
/* The same with a quota of pages for the new client (at most the caller's). */
long memsrv_register_quota(uint64_t ep, uint64_t vspace_slot, uint64_t pages,
			   unsigned *id);
/* Consents to SHARE, LEND and DONATE from client `from` into the caller's
 * [ipa, ipa + pages pages); pages 0 closes every window open to `from`. */
long memsrv_accept(uint64_t ep, uint64_t ipa, uint64_t pages, uint64_t from);
long memsrv_shutdown(uint64_t ep, int status);
const char *memsrv_strerror(long err);
