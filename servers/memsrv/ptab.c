/*
 * The last-level PageTables memsrv links into VSpaces, by where they are.
 * A 4 KiB grant's map links one where the 2 MiB has none, and it stays
 * when the page goes: a 2 MiB block mapped there later would go in as 512
 * page entries under it (about 90,000 instructions more than a block, and
 * 512 TLB entries where one would do). Recorded here, such a table is
 * unmapped before the block is mapped, if nothing is mapped below it, and
 * kept for the next table memsrv needs: memsrv's memory for kernel
 * objects is never given back, so a deleted table would be lost to it.
 * The kernel clears a table's entries when it is linked again.
 *
 * The record is an open-addressed hash on (VSpace, 2 MiB) in memsrv's
 * data; when it is full a table goes unrecorded and stays, as before.
 */
#include <stdio.h>
#include "memsrv.h"

#define PTAB_ENTRIES 4096u /* a power of two */
#define PTAB_SPARES  64u

struct ptab_rec {
	uint64_t key; /* vspace << 32 | ipa / 2 MiB; 0: empty */
	uint64_t slot;
};

static struct ptab_rec recs[PTAB_ENTRIES];
static uint64_t spares[PTAB_SPARES];
static unsigned nrecs, nspares;

static uint64_t key_of(uint64_t vspace, uint64_t ipa)
{
	return vspace << 32 | ipa / CHUNK_SIZE;
}

static unsigned home_of(uint64_t key)
{
	return (unsigned)((key * 0x9e3779b97f4a7c15ULL) >> 40) & (PTAB_ENTRIES - 1);
}

static struct ptab_rec *find(uint64_t key)
{
	for (unsigned i = home_of(key);; i = (i + 1) & (PTAB_ENTRIES - 1)) {
		if (recs[i].key == key)
			return &recs[i];
		if (!recs[i].key)
			return NULL;
	}
}

uint64_t ptab_new(void)
{
	return nspares ? spares[--nspares] : kobj_new(SEPTA_OBJ_PAGE_TABLE, 0);
}

void ptab_spare(uint64_t pt)
{
	if (nspares < PTAB_SPARES)
		spares[nspares++] = pt;
	else
		cs_delete(pt);
}

unsigned ptab_spares(void)
{
	return nspares;
}

unsigned ptab_recorded(void)
{
	return nrecs;
}

void ptab_note(uint64_t vspace, uint64_t ipa, uint64_t pt)
{
	uint64_t key = key_of(vspace, ipa);
	unsigned i = home_of(key);

	/* Three quarters full at most: probes stay short, and find ends. */
	if (!vspace || nrecs >= PTAB_ENTRIES / 4 * 3)
		return;
	while (recs[i].key && recs[i].key != key)
		i = (i + 1) & (PTAB_ENTRIES - 1);
	if (!recs[i].key)
		nrecs++;
	recs[i] = (struct ptab_rec){key, pt};
}

/* Deletion with backward shift, as the grant table's. */
static void forget(struct ptab_rec *r)
{
	unsigned hole = (unsigned)(r - recs), i = hole;

	recs[hole].key = 0;
	nrecs--;
	for (;;) {
		unsigned home;

		i = (i + 1) & (PTAB_ENTRIES - 1);
		if (!recs[i].key)
			return;
		home = home_of(recs[i].key);
		if (((i - home) & (PTAB_ENTRIES - 1)) >=
		    ((i - hole) & (PTAB_ENTRIES - 1))) {
			recs[hole] = recs[i];
			recs[i].key = 0;
			hole = i;
		}
	}
}

void ptab_clear_for_block(uint64_t vspace, uint64_t ipa)
{
	struct ptab_rec *r = find(key_of(vspace, ipa));
	uint64_t extent = 0, mapped = 1;
	long err;

	if (!r)
		return;
	/* Only a table with nothing below it: its 512 entries in one call. */
	err = septa_vspace_query_extent(vspace, ipa & ~(uint64_t)(CHUNK_SIZE - 1),
					CHUNK_SIZE, &extent, &mapped);
	if (err || mapped || extent != CHUNK_SIZE)
		return;
	err = septa_page_table_unmap(r->slot);
	if (err) {
		printf("memsrv: BUG: cannot unmap the table at %#llx (error %ld)\n",
		       (unsigned long long)ipa, err);
		return;
	}
	ptab_spare(r->slot);
	forget(r);
}
