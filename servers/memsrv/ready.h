/*
 * memsrv's ready pages: free pages taken out of the free index ahead of a
 * fault, while memsrv is idle (idle.c), and made frames there, so that a
 * 4 KiB allocation pops one instead of searching the index and cutting a
 * chunk into frames. Each is memsrv's own (owner 0, OWN_OWNED) in the
 * database, in no client's quota, and zero: it came from the free index,
 * whose pages are all zero (docs/ownership.md, "memsrv's memory: chunks"),
 * and nobody had it since. Pure logic on the database, so host tests drive
 * the very code memsrv runs; the frames are idle.c's.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "own.h"

#define READY_MAX   512u /* a chunk's pages */
#define READY_BATCH 64u	 /* pages per refill step: at most two chunks cut */
/* Below this the server wakes the refill (idle.c): a signal per 256
 * pages taken, not per fault, and a burst of 256 faults always finds
 * ready pages if memsrv was idle since the last one. */
#define READY_LOW (READY_MAX / 2)

/* A ring in ascending order of page: its oldest is its lowest. A single
 * page still goes first fit, the lowest free one whether pooled or not
 * (ready_alloc_page); a run of pages is searched in the index, which the
 * pooled ones are not in. */
struct ready {
	uint32_t page[READY_MAX];
	unsigned head, n;
};

/* Takes up to max free pages (the lowest, one at a time) into the pool,
 * in order, as memsrv's own; returns how many; *added (if
 * not NULL) the last taken. */
unsigned ready_fill(struct own_db *db, struct ready *r, unsigned max, uint64_t *added);
/* The i-th oldest page in the pool (i < r->n). */
static inline uint32_t ready_at(const struct ready *r, unsigned i)
{
	return r->page[(r->head + i) % READY_MAX];
}
/* The oldest page, now client's (OWN_OWNED); false if the pool is empty. */
bool ready_take(struct own_db *db, struct ready *r, unsigned client, uint64_t *page);
/* Undoes ready_take of page (a map refused): memsrv's again, the oldest. */
void ready_untake(struct own_db *db, struct ready *r, uint64_t page);
/* own_alloc, and where that finds no run: own_alloc again with the pool's
 * pages in the free index, so that pages in the pool are never refused to
 * a client; if that finds the run, the pool is drained (each page passed
 * to drained, for its frame), else left exactly as it was. */
int ready_alloc(struct own_db *db, struct ready *r, unsigned client, uint64_t n,
		uint64_t align, uint64_t *first, void (*drained)(uint64_t page));
/* One page for client, first fit: the lowest free page, the pool's
 * oldest (*pooled true: a frame already) or the index's (false). */
int ready_alloc_page(struct own_db *db, struct ready *r, unsigned client, uint64_t *page,
		     bool *pooled, void (*drained)(uint64_t page));
/* The audit's check: -1 if each pooled page is in the database, memsrv's
 * own with no borrowers, not in the free index, and the ring in ascending
 * order (so each pooled once); else the
 * position (0 oldest) of the first that is not. */
long ready_check(const struct own_db *db, const struct ready *r);
