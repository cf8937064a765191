/*
 * memsrv's grant table (servers/memsrv/grant.c) on the host: the hash
 * table's room and deletion, the rights of the capabilities it mints, the
 * target-range check and the audit's stray mappings. The kernel calls it
 * makes are faked here: a VSpace with the mappings a test puts there, and a
 * CSpace that hands out slot numbers and records the rights of each mint
 * (found by tests/mutation: the survivors grant-free-entries,
 * grant-mint-rights, grant-drop-shift and grant-ipa-wrap, which memtest
 * could not tell apart).
 */
#include <stdlib.h>
#include <string.h>
#include "../../servers/memsrv/memsrv.h"
#include "tests.h"

/* What grant.c links against: memsrv's globals, its CSpace, the pool. */
struct pool pool;
struct client clients[MEMSRV_MAX_CLIENTS];
uint64_t cs_top = 1;

#define FAKE_CHUNKS 64u
static struct chunk chunks[FAKE_CHUNKS];
static uint64_t next_slot, live_caps, last_mint_rights;

uint64_t cs_alloc(unsigned n)
{
	(void)n;
	return ++next_slot;
}

void cs_free(uint64_t cptr, unsigned n)
{
	(void)cptr, (void)n;
}

void cs_delete(uint64_t cptr)
{
	(void)cptr;
	live_caps--;
}

static unsigned kobj_made;

uint64_t kobj_new(unsigned type, unsigned size_bits)
{
	(void)type;
	(void)size_bits;
	kobj_made++;
	return ++next_slot;
}

uint64_t pool_frame(uint64_t page)
{
	return 0x100000 + page;
}

long septa_cnode_mint(uint64_t obj, uint64_t dst, uint64_t dst_depth, uint64_t src_root,
		      uint64_t src, uint64_t src_depth, uint64_t rights, uint64_t badge)
{
	(void)obj, (void)dst, (void)dst_depth, (void)src_root, (void)src, (void)src_depth,
	    (void)badge;
	last_mint_rights = rights;
	live_caps++;
	return SEPTA_OK;
}

long septa_cnode_revoke(uint64_t obj, uint64_t index, uint64_t depth)
{
	(void)obj, (void)index, (void)depth;
	return SEPTA_OK;
}

long septa_frame_unmap(uint64_t obj)
{
	(void)obj;
	return SEPTA_OK;
}

static uint64_t unmap_runs, unmap_run_offset;

long septa_vspace_unmap_frames(uint64_t obj, uint64_t root, uint64_t index,
			       uint64_t depth, uint64_t offset, uint64_t count)
{
	(void)obj, (void)root, (void)index, (void)depth;
	unmap_runs += count;
	unmap_run_offset = offset;
	return SEPTA_OK;
}

/* Each VSPACE_RETAG_FRAMES call: where its run starts and how long it is. */
static struct retag_call {
	uint64_t vspace, slot, count, tag;
} retags[8];
static unsigned nretags;

long septa_vspace_retag_frames(uint64_t obj, uint64_t root, uint64_t index,
			       uint64_t depth, uint64_t offset, uint64_t count,
			       uint64_t tag)
{
	(void)root, (void)depth;
	CU_ASSERT_FATAL(nretags < sizeof(retags) / sizeof(retags[0]));
	retags[nretags++] =
	    (struct retag_call){obj, index << CS_SUB_BITS | offset, count, tag};
	return SEPTA_OK;
}

/* Each VSPACE_MAP_FRAMES call; the first no_table calls say E_NO_TABLE
 * (nothing changed, as the kernel's refusal). */
static struct map_call {
	uint64_t vspace, src, dst, count, ipa;
} runs[8];
static unsigned nruns, no_table;

long septa_vspace_map_frames(uint64_t obj, uint64_t root, uint64_t src_index,
			     uint64_t src_depth, uint64_t src_offset, uint64_t dst_index,
			     uint64_t dst_depth, uint64_t dst_offset, uint64_t count,
			     uint64_t ipa, uint64_t rights, uint64_t tag)
{
	(void)root, (void)src_depth, (void)dst_depth, (void)rights, (void)tag;
	if (no_table) {
		no_table--;
		return SEPTA_E_NO_TABLE;
	}
	CU_ASSERT_FATAL(nruns < sizeof(runs) / sizeof(runs[0]));
	runs[nruns++] =
	    (struct map_call){obj, src_index << CS_SUB_BITS | src_offset,
			      dst_index << CS_SUB_BITS | dst_offset, count, ipa};
	live_caps += count;
	return SEPTA_OK;
}

/* VSPACE_DELETE_FRAMES: calls and frames; refused with E_REVOKE_FIRST
 * while has_copies (nothing deleted, as the kernel's refusal). */
static unsigned ndeletes, deleted, has_copies;

long septa_vspace_delete_frames(uint64_t obj, uint64_t root, uint64_t index,
				uint64_t depth, uint64_t offset, uint64_t count)
{
	(void)obj, (void)root, (void)index, (void)depth, (void)offset;
	if (has_copies)
		return SEPTA_E_REVOKE_FIRST;
	ndeletes++;
	deleted += (unsigned)count;
	live_caps -= count;
	return SEPTA_OK;
}

/* A map that needs tables (fake_need: how many, the empty entry at
 * fake_level) takes them from src as the library does, and reports them. */
static unsigned fake_need, fake_level, pt_unmaps;
static uint64_t last_made, last_pt_unmap;

long septa_frame_map_with_tables(uint64_t frame, uint64_t vspace, uint64_t ipa,
				 uint64_t rights, uint64_t owner,
				 const struct septa_table_source *src,
				 struct septa_no_table *nt)
{
	(void)frame, (void)vspace, (void)ipa, (void)rights, (void)owner;
	for (unsigned i = 0; i < fake_need; i++)
		if (!(last_made = src->make(src->arg)))
			return SEPTA_E_NO_MEMORY;
	if (fake_need)
		*nt = (struct septa_no_table){fake_level, fake_need};
	return SEPTA_OK;
}

long septa_page_table_unmap(uint64_t obj)
{
	pt_unmaps++;
	last_pt_unmap = obj;
	return SEPTA_OK;
}

/* The kernel's stage-2 view: a few 4 KiB mappings, nothing else below
 * FAKE_IPA_END (answered 2 MiB at a time where nothing is), E_RANGE above. */
#define FAKE_IPA_END (1ULL << 32)
static struct fake_map {
	uint64_t vspace, ipa, pa;
	unsigned rights, tag;
} maps[8];
static unsigned nmaps;

static void fake_map(uint64_t vspace, uint64_t ipa, uint64_t pa, unsigned rights,
		     unsigned tag)
{
	CU_ASSERT_FATAL(nmaps < sizeof(maps) / sizeof(maps[0]));
	maps[nmaps++] = (struct fake_map){vspace, ipa, pa, rights, tag};
}

long septa_vspace_query(uint64_t vspace, uint64_t ipa, uint64_t out[4])
{
	unsigned level = 2;

	if (ipa >= FAKE_IPA_END)
		return SEPTA_E_RANGE;
	for (unsigned i = 0; i < nmaps; i++) {
		if (maps[i].vspace != vspace)
			continue;
		if (ipa / SEPTA_PAGE_SIZE == maps[i].ipa / SEPTA_PAGE_SIZE) {
			out[0] = maps[i].pa;
			out[1] = 3;
			out[2] = maps[i].rights;
			out[3] = maps[i].tag;
			return SEPTA_OK;
		}
		if (ipa / CHUNK_SIZE == maps[i].ipa / CHUNK_SIZE)
			level = 3;
	}
	out[0] = 0;
	out[1] = level;
	out[2] = 0;
	out[3] = 0;
	return SEPTA_OK;
}

/* The kernel's VSPACE_QUERY_EXTENT over the same view: its errors, and at
 * most 512 entries a call, each as the query above reports it. */
static unsigned range_calls;

long septa_vspace_query_extent(uint64_t vspace, uint64_t ipa, uint64_t size,
			       uint64_t *extent, uint64_t *mapped)
{
	uint64_t a = ipa, end = ipa + size, q[4];
	unsigned seen = 0;
	int kind = -1;

	if ((ipa | size) % SEPTA_PAGE_SIZE)
		return SEPTA_E_ALIGN;
	if (size == 0)
		return SEPTA_E_ARG;
	if (ipa >= FAKE_IPA_END || size > FAKE_IPA_END - ipa)
		return SEPTA_E_RANGE;
	range_calls++;
	for (; a < end && seen < 512; seen++) {
		int m;

		septa_vspace_query(vspace, a, q);
		m = q[0] != 0;
		if (kind < 0)
			kind = m;
		else if (m != kind)
			break;
		a = (a & ~(septa_level_size((unsigned)q[1]) - 1)) +
		    septa_level_size((unsigned)q[1]);
	}
	*extent = (a < end ? a : end) - ipa;
	*mapped = kind > 0;
	return SEPTA_OK;
}

/* A table of 16 entries (grant_init takes the largest power of two that
 * fits): at most 12 in use. */
#define SLOTS 16u
#define LIMIT (SLOTS / 4 * 3)
static struct grant table[SLOTS];

static struct own_page own_pages[FAKE_CHUNKS * CHUNK_PAGES];
static uint64_t own_index[OWN_INDEX_WORDS(FAKE_CHUNKS * CHUNK_PAGES)];

/* RAM: the pool, then 2 MiB that are not memsrv's (the kernel's, or a
 * server's own Untyped). Clients 1-4 exist. */
static void fresh(void)
{
	memset(chunks, 0, sizeof(chunks));
	live_caps = 0;
	nmaps = 0;
	pool = (struct pool){.base = 0x40000000,
			     .pages = FAKE_CHUNKS * CHUNK_PAGES,
			     .nchunks = FAKE_CHUNKS,
			     .ram_base = 0x40000000,
			     .ram_end = 0x40000000 + (FAKE_CHUNKS + 1) * CHUNK_SIZE,
			     .chunks = chunks};
	own_init(&pool.db, own_pages, own_index, pool.pages);
	memset(clients, 0, sizeof(clients));
	for (unsigned c = 1; c <= 4; c++)
		clients[c] = (struct client){.vspace = 1000 + c, .name = "c"};
	grant_init(table, sizeof(table));
}

static struct grant *map(unsigned client, uint64_t page, unsigned rights)
{
	return grant_map(client, page, false, 0x10000000 + page * SEPTA_PAGE_SIZE, rights,
			 SEPTA_OWNED);
}

static void test_free_entries(void)
{
	struct grant *g[LIMIT];

	fresh();
	CU_ASSERT_EQUAL_FATAL(grant_free_entries(), LIMIT);
	for (unsigned i = 0; i < LIMIT; i++) {
		g[i] = map(1, i, MEMSRV_RW);
		CU_ASSERT_EQUAL(grant_free_entries(), LIMIT - 1 - i);
	}
	/* Full at three quarters: no room for one more. */
	CU_ASSERT_EQUAL(grant_free_entries(), 0);
	grant_drop(g[0]);
	CU_ASSERT_EQUAL(grant_free_entries(), 1);
	for (unsigned i = 1; i < LIMIT; i++) {
		struct grant *f = grant_find(1, i);

		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		grant_drop(f);
	}
	CU_ASSERT_EQUAL(grant_free_entries(), LIMIT);
	CU_ASSERT_EQUAL(live_caps, 0);
}

/* The minted capability carries write only for a writable grant; execute
 * is the mapping's business, not a capability right. */
static void test_mint_rights(void)
{
	static const struct {
		unsigned grant, cap;
	} want[] = {{MEMSRV_R, SEPTA_RIGHT_READ},
		    {MEMSRV_RX, SEPTA_RIGHT_READ},
		    {MEMSRV_RW, SEPTA_RIGHT_READ | SEPTA_RIGHT_WRITE},
		    {MEMSRV_RWX, SEPTA_RIGHT_READ | SEPTA_RIGHT_WRITE}};

	fresh();
	for (unsigned i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		struct grant *g = map(2, 7, want[i].grant);

		CU_ASSERT_EQUAL(last_mint_rights, want[i].cap);
		CU_ASSERT_EQUAL(g->rights, want[i].grant);
		CU_ASSERT(g->flags & G_MAPPED);
		grant_drop(g);
	}
	CU_ASSERT_EQUAL(live_caps, 0);
}

/* Fill the table with keys that collide, drop them in a scrambled order:
 * after each drop every remaining grant is still found (a lookup stops at
 * the first empty entry, so the backward shift must close every hole) and
 * the dropped one is not. */
static void test_drop_keeps_the_rest(void)
{
	struct key {
		unsigned client;
		uint64_t page;
		bool in;
	} k[LIMIT];

	srand(15);
	for (unsigned round = 0; round < 500; round++) {
		fresh();
		for (unsigned i = 0; i < LIMIT; i++) {
			bool dup;

			do {
				k[i] = (struct key){1 + (unsigned)rand() % 4,
						    (uint64_t)rand() % 64, true};
				dup = false;
				for (unsigned j = 0; j < i; j++)
					dup |= k[j].client == k[i].client &&
					       k[j].page == k[i].page;
			} while (dup);
			map(k[i].client, k[i].page, MEMSRV_R);
		}
		for (unsigned n = 0; n < LIMIT; n++) {
			unsigned d = (unsigned)rand() % LIMIT;
			struct grant *g;

			while (!k[d].in)
				d = (d + 1) % LIMIT;
			g = grant_find(k[d].client, k[d].page);
			CU_ASSERT_PTR_NOT_NULL_FATAL(g);
			grant_drop(g);
			k[d].in = false;
			for (unsigned i = 0; i < LIMIT; i++) {
				g = grant_find(k[i].client, k[i].page);
				if (k[i].in) {
					CU_ASSERT_PTR_NOT_NULL_FATAL(g);
					CU_ASSERT_EQUAL(g->page, k[i].page);
					CU_ASSERT_EQUAL(g->client, k[i].client);
				} else {
					CU_ASSERT_PTR_NULL(g);
				}
			}
		}
		CU_ASSERT_EQUAL_FATAL(grant_free_entries(), LIMIT);
	}
	CU_ASSERT_EQUAL(live_caps, 0);
}

static void test_ipa_check(void)
{
	const uint64_t top = ~0ULL - SEPTA_PAGE_SIZE + 1; /* the last page */

	fresh();
	CU_ASSERT_EQUAL(ipa_check_free(1, 0x10000, SEPTA_PAGE_SIZE), MEMSRV_OK);
	/* Each bad input its own error, and no kernel call. */
	range_calls = 0;
	CU_ASSERT_EQUAL(ipa_check_free(1, 0x10008, SEPTA_PAGE_SIZE), MEMSRV_E_ALIGN);
	CU_ASSERT_EQUAL(ipa_check_free(1, 0x10000, SEPTA_PAGE_SIZE + 1), MEMSRV_E_ARG);
	/* Ends at 2^64 - 1: not wrapping, but no whole pages (it looped). */
	CU_ASSERT_EQUAL(ipa_check_free(1, 0x1000, ~0ULL - 0x1000), MEMSRV_E_ARG);
	CU_ASSERT_EQUAL(ipa_check_free(1, 0x10000, 0), MEMSRV_E_RANGE);
	/* Wrapping round the address space: refused, not an empty range. */
	CU_ASSERT_EQUAL(ipa_check_free(1, top, SEPTA_PAGE_SIZE), MEMSRV_E_IPA_RANGE);
	CU_ASSERT_EQUAL(ipa_check_free(1, top, 2 * SEPTA_PAGE_SIZE), MEMSRV_E_IPA_RANGE);
	CU_ASSERT_EQUAL(ipa_check_free(1, top - SEPTA_PAGE_SIZE, 4 * SEPTA_PAGE_SIZE),
			MEMSRV_E_IPA_RANGE);
	CU_ASSERT_EQUAL(range_calls, 0);
	/* Past the VSpace: the kernel's E_RANGE. */
	CU_ASSERT_EQUAL(
	    ipa_check_free(1, FAKE_IPA_END - SEPTA_PAGE_SIZE, 2 * SEPTA_PAGE_SIZE),
	    MEMSRV_E_IPA_RANGE);
}

/* Free 2 MiB is one call where its table is empty, two where it straddles
 * two tables; a mapping anywhere in it, the first page, the last, is
 * found. */
static void test_ipa_check_range(void)
{
	const uint64_t at = 0x10000000, m1 = at + CHUNK_SIZE + 5 * SEPTA_PAGE_SIZE,
		       after = m1 + SEPTA_PAGE_SIZE;

	fresh();
	fake_map(1, m1, 0x80000000, MEMSRV_RW, SEPTA_OWNED);
	fake_map(1, at + 2 * CHUNK_SIZE + 500 * SEPTA_PAGE_SIZE, 0x80001000, MEMSRV_RW,
		 SEPTA_OWNED);
	range_calls = 0;
	CU_ASSERT_EQUAL(ipa_check_free(1, at, CHUNK_SIZE), MEMSRV_OK);
	CU_ASSERT_EQUAL(range_calls, 1);
	/* 506 empty entries after the mapping, 7 of the next table's. */
	range_calls = 0;
	CU_ASSERT_EQUAL(ipa_check_free(1, after, CHUNK_SIZE + SEPTA_PAGE_SIZE),
			MEMSRV_OK);
	CU_ASSERT_EQUAL(range_calls, 2);
	/* The mapping: inside, first page, last page, last page of a second call. */
	CU_ASSERT_EQUAL(ipa_check_free(1, at, 2 * CHUNK_SIZE), MEMSRV_E_IPA_BUSY);
	CU_ASSERT_EQUAL(ipa_check_free(1, m1, SEPTA_PAGE_SIZE), MEMSRV_E_IPA_BUSY);
	CU_ASSERT_EQUAL(ipa_check_free(1, at + CHUNK_SIZE, 6 * SEPTA_PAGE_SIZE),
			MEMSRV_E_IPA_BUSY);
	CU_ASSERT_EQUAL(ipa_check_free(1, at + CHUNK_SIZE, 5 * SEPTA_PAGE_SIZE),
			MEMSRV_OK);
	CU_ASSERT_EQUAL(ipa_check_free(1, after, CHUNK_SIZE + 495 * SEPTA_PAGE_SIZE),
			MEMSRV_E_IPA_BUSY);
	CU_ASSERT_EQUAL(ipa_check_free(1, after, CHUNK_SIZE + 494 * SEPTA_PAGE_SIZE),
			MEMSRV_OK);
	/* Another VSpace's mappings are not this one's. */
	CU_ASSERT_EQUAL(ipa_check_free(2, at, 4 * CHUNK_SIZE), MEMSRV_OK);
}

#define PAGE_PA(p) (pool.base + (p)*SEPTA_PAGE_SIZE)

/* Every RAM mapping of memsrv's memory in a client's VSpace is one of its
 * grants, at the grant's address; anything else is reported stray. */
static void test_audit_stray(void)
{
	const uint64_t at = 0x10000000;
	struct memsrv_audit a;
	struct grant *g;

	fresh();
	CU_ASSERT_EQUAL_FATAL(own_claim(&pool.db, 1, 5, 1), OWN_OK);
	g = grant_map(1, 5, false, at, MEMSRV_RW, SEPTA_OWNED);
	fake_map(clients[1].vspace, at, PAGE_PA(5), MEMSRV_RW, SEPTA_OWNED);
	audit_run(&a);
	CU_ASSERT_EQUAL(a.differences, 0);
	CU_ASSERT_EQUAL(a.checked, 2); /* the grant, and its mapping */
	/* Not RAM (a device), or the client's own Untyped: not memsrv's. */
	clients[1].ut_pa = pool.ram_end - CHUNK_SIZE;
	fake_map(clients[1].vspace, at + 0x100000, clients[1].ut_pa, MEMSRV_RW,
		 SEPTA_OWNED);
	fake_map(clients[1].vspace, at + 0x200000, 0x09000000, MEMSRV_RW, SEPTA_OWNED);
	audit_run(&a);
	CU_ASSERT_EQUAL(a.differences, 0);
	CU_ASSERT_EQUAL(a.checked, 2);
	/* RAM past the pool that is not its own: stray. */
	clients[1].ut_pa = 0;
	audit_run(&a);
	CU_ASSERT_EQUAL(a.differences, 1);
	CU_ASSERT_EQUAL(a.kind, MEMSRV_AUDIT_STRAY);
	CU_ASSERT_EQUAL(a.ipa, at + 0x100000);
	nmaps = 1;
	/* The granted page once more, at another address. */
	fake_map(clients[1].vspace, at + 0x300000, PAGE_PA(5), MEMSRV_RW, SEPTA_OWNED);
	audit_run(&a);
	CU_ASSERT_EQUAL(a.differences, 1);
	CU_ASSERT_EQUAL(a.kind, MEMSRV_AUDIT_STRAY);
	CU_ASSERT_EQUAL(a.client, 1);
	CU_ASSERT_EQUAL(a.ipa, at + 0x300000);
	nmaps--;
	/* A page of the pool with no grant, in another client. */
	fake_map(clients[2].vspace, at, PAGE_PA(6), MEMSRV_R, SEPTA_OWNED);
	audit_run(&a);
	CU_ASSERT_EQUAL(a.differences, 1);
	CU_ASSERT_EQUAL(a.kind, MEMSRV_AUDIT_STRAY);
	CU_ASSERT_EQUAL(a.client, 2);
	CU_ASSERT_EQUAL(a.ipa, at);
	nmaps--;
	/* The grant's capability gone while the kernel still maps the page at
	 * the grant's address: missing for the grant (memsrv let it go), and
	 * stray for the mapping. */
	grant_unmap(g);
	audit_run(&a);
	CU_ASSERT_EQUAL(a.differences, 2);
	CU_ASSERT_EQUAL(a.kind, MEMSRV_AUDIT_MISSING);
	grant_drop(g);
	nmaps = 0;
	audit_run(&a);
	CU_ASSERT_EQUAL(a.differences, 0);
	CU_ASSERT_EQUAL(live_caps, 0);
}

/* A 2 MiB block goes by VSPACE_UNMAP_FRAMES on its one slot (the kernel
 * removes its 512 entries with one TLB invalidation); a page goes with its
 * deletion alone, no extra call. */
static void test_block_unmap_run(void)
{
	struct grant *g;
	uint64_t slot;

	fresh();
	unmap_runs = 0;
	chunks[1].state = CH_BLOCK;
	g = grant_map(2, CHUNK_PAGES, true, 0x20000000, MEMSRV_RW, SEPTA_OWNED);
	slot = g->slot;
	grant_drop(g);
	CU_ASSERT_EQUAL(unmap_runs, 1);
	CU_ASSERT_EQUAL(unmap_run_offset, slot & (CS_SUB_SLOTS - 1));
	grant_drop(map(2, 3, MEMSRV_RW));
	CU_ASSERT_EQUAL(unmap_runs, 1);
}

/* Retagging: consecutive slots of one CNode in one client's VSpace go in
 * one call; a gap, another client, the end of a CNode or 512 frames start
 * the next; every grant gets the new tag and keeps its capability. */
static void test_retag_runs(void)
{
	struct grant_run r = {0};
	struct grant *g[6];

	fresh();
	nretags = 0;
	for (unsigned i = 0; i < 6; i++)
		g[i] = map(i < 5 ? 1 : 2, i, MEMSRV_RW);
	/* Slots 1..6 in order; 4 skipped: runs 1-3, 5, then client 2's 6. */
	for (unsigned i = 0; i < 6; i++)
		if (i != 3)
			grant_retag(&r, g[i], SEPTA_SHARED_OWNED);
	CU_ASSERT_EQUAL(nretags, 2); /* the last run waits for the flush */
	grant_run_flush(&r);
	grant_run_flush(&r); /* nothing left: no call */
	CU_ASSERT_EQUAL_FATAL(nretags, 3);
	CU_ASSERT_EQUAL(retags[0].slot, g[0]->slot);
	CU_ASSERT_EQUAL(retags[0].count, 3);
	CU_ASSERT_EQUAL(retags[0].vspace, clients[1].vspace);
	CU_ASSERT_EQUAL(retags[0].tag, SEPTA_SHARED_OWNED);
	CU_ASSERT_EQUAL(retags[1].slot, g[4]->slot);
	CU_ASSERT_EQUAL(retags[1].count, 1);
	CU_ASSERT_EQUAL(retags[2].vspace, clients[2].vspace);
	for (unsigned i = 0; i < 6; i++) {
		CU_ASSERT_EQUAL(g[i]->tag, i == 3 ? SEPTA_OWNED : SEPTA_SHARED_OWNED);
		CU_ASSERT(g[i]->flags & G_MAPPED);
	}
	CU_ASSERT_EQUAL(live_caps, 6);
	/* A run stops at the end of a CNode: slot 4096 is the next one's. */
	nretags = 0;
	r = (struct grant_run){0};
	g[0]->slot = CS_SUB_SLOTS - 1;
	g[1]->slot = CS_SUB_SLOTS;
	grant_retag(&r, g[0], SEPTA_OWNED);
	grant_retag(&r, g[1], SEPTA_OWNED);
	grant_run_flush(&r);
	CU_ASSERT_EQUAL(nretags, 2);
	/* And at 512 frames, the most one call takes. */
	nretags = 0;
	r = (struct grant_run){0};
	for (unsigned i = 0; i <= SEPTA_UNMAP_FRAMES_MAX; i++) {
		g[0]->slot = 2 * CS_SUB_SLOTS + 1 + i;
		grant_retag(&r, g[0], SEPTA_OWNED);
	}
	grant_run_flush(&r);
	CU_ASSERT_EQUAL_FATAL(nretags, 2);
	CU_ASSERT_EQUAL(retags[0].count, SEPTA_UNMAP_FRAMES_MAX);
	CU_ASSERT_EQUAL(retags[1].count, 1);
}

/* Deleted by runs: one call for consecutive slots, the records kept
 * without a capability (their drop deletes nothing more); refused (a
 * capability with copies), each grant is revoked and deleted alone. */
static void test_delete_runs(void)
{
	static struct grant_drops d;
	struct grant *g[4];

	fresh();
	ndeletes = deleted = has_copies = 0;
	for (unsigned i = 0; i < 4; i++)
		g[i] = map(1, i, MEMSRV_RW);
	g[3]->slot += 5; /* not consecutive: a run of its own */
	for (unsigned i = 0; i < 4; i++)
		grant_delete_add(&d, g[i]);
	CU_ASSERT_EQUAL(ndeletes, 1);
	grant_delete_flush(&d);
	CU_ASSERT_EQUAL(ndeletes, 2);
	CU_ASSERT_EQUAL(deleted, 4);
	CU_ASSERT_EQUAL(live_caps, 0);
	for (unsigned i = 0; i < 4; i++) {
		CU_ASSERT_FALSE(g[i]->flags & G_MAPPED);
		CU_ASSERT_EQUAL(g[i]->slot, 0);
	}
	grant_drop(grant_find(1, 0));
	CU_ASSERT_EQUAL(live_caps, 0);
	/* Refused: nothing changes here, and the drops delete them. */
	fresh();
	has_copies = 1;
	g[0] = map(2, 0, MEMSRV_RW);
	g[1] = map(2, 1, MEMSRV_RW);
	grant_delete_add(&d, g[0]);
	grant_delete_add(&d, g[1]);
	grant_delete_flush(&d);
	CU_ASSERT(g[0]->flags & G_MAPPED);
	CU_ASSERT_EQUAL(live_caps, 2);
	grant_drop(grant_find(2, 0));
	grant_drop(grant_find(2, 1));
	CU_ASSERT_EQUAL(live_caps, 0);
	has_copies = 0;
}

/* Batched grants: one call for consecutive frames, slots and addresses
 * in one 2 MiB; a chunk's end (its frames' slots end) or a 2 MiB boundary
 * of the target starts another run; a missing table maps the first page
 * alone (mint and map with tables) and the rest as a run. */
static void test_batch_runs(void)
{
	static struct grant_batch b;
	uint64_t ipa = 0x20000000 + CHUNK_SIZE - 3 * SEPTA_PAGE_SIZE;

	fresh();
	nruns = 0;
	no_table = 0;
	next_slot = 100;
	/* Pages 509..514: three before the 2 MiB boundary of the target (and
	 * the chunk's end), three after. */
	for (uint64_t p = CHUNK_PAGES - 3; p < CHUNK_PAGES + 3; p++)
		grant_batch_new(&b, 2, p, ipa + (p - (CHUNK_PAGES - 3)) * SEPTA_PAGE_SIZE,
				MEMSRV_RW, SEPTA_SHARED_BORROWED);
	CU_ASSERT_EQUAL(nruns, 1);
	grant_batch_flush(&b);
	CU_ASSERT_EQUAL_FATAL(nruns, 2);
	CU_ASSERT_EQUAL(runs[0].count, 3);
	CU_ASSERT_EQUAL(runs[0].src, pool_frame(CHUNK_PAGES - 3));
	CU_ASSERT_EQUAL(runs[0].dst, 101);
	CU_ASSERT_EQUAL(runs[0].ipa, ipa);
	CU_ASSERT_EQUAL(runs[0].vspace, clients[2].vspace);
	CU_ASSERT_EQUAL(runs[1].count, 3);
	CU_ASSERT_EQUAL(runs[1].ipa, 0x20000000 + CHUNK_SIZE);
	for (uint64_t p = CHUNK_PAGES - 3; p < CHUNK_PAGES + 3; p++) {
		struct grant *g = grant_find(2, p);

		CU_ASSERT_PTR_NOT_NULL_FATAL(g);
		CU_ASSERT(g->flags & G_MAPPED);
		CU_ASSERT_EQUAL(g->slot, 101 + p - (CHUNK_PAGES - 3));
		CU_ASSERT_EQUAL(g->tag, SEPTA_SHARED_BORROWED);
	}
	CU_ASSERT_EQUAL(live_caps, 6);
	/* No table: the first page alone (a mint), then a run of the rest. */
	fresh();
	nruns = 0;
	no_table = 1;
	for (uint64_t p = 0; p < 4; p++)
		grant_batch_new(&b, 3, p, 0x30000000 + p * SEPTA_PAGE_SIZE, MEMSRV_R,
				SEPTA_BORROWED);
	grant_batch_flush(&b);
	CU_ASSERT_EQUAL_FATAL(nruns, 1);
	CU_ASSERT_EQUAL(runs[0].count, 3);
	CU_ASSERT_EQUAL(runs[0].ipa, 0x30000000 + SEPTA_PAGE_SIZE);
	CU_ASSERT_EQUAL(last_mint_rights, SEPTA_RIGHT_READ);
	CU_ASSERT_EQUAL(live_caps, 4);
	for (uint64_t p = 0; p < 4; p++)
		CU_ASSERT(grant_find(3, p)->flags & G_MAPPED);
}

/* A last-level table a page's map linked is unlinked before a block goes
 * there, if nothing is mapped under it, and serves the next map that needs
 * a table; tables of blocks (level 2) and tables with a page under them
 * stay. */
static void test_block_clears_empty_table(void)
{
	const uint64_t a = 0x20000000, b = a + 4 * CHUNK_SIZE;
	unsigned recorded = ptab_recorded(), spares = ptab_spares(), made;
	uint64_t table_a, table_b;

	fresh();
	pt_unmaps = 0;
	fake_need = 1;
	fake_level = 2; /* a page's last-level table */
	grant_drop(grant_map(1, 0, false, a, MEMSRV_RW, SEPTA_OWNED));
	table_a = last_made;
	grant_map(1, 1, false, b, MEMSRV_RW, SEPTA_OWNED);
	table_b = last_made;
	CU_ASSERT_EQUAL(ptab_recorded(), recorded + 2);
	fake_need = 0;
	/* b still has its page: its table stays. */
	fake_map(1001, b, pool.base + SEPTA_PAGE_SIZE, SEPTA_MAP_R | SEPTA_MAP_W,
		 SEPTA_OWNED);
	grant_map(1, CHUNK_PAGES, true, b, MEMSRV_RW, SEPTA_OWNED);
	CU_ASSERT_EQUAL(pt_unmaps, 0);
	/* Another client's VSpace at a has no table of memsrv's. */
	grant_map(2, 2 * CHUNK_PAGES, true, a, MEMSRV_RW, SEPTA_OWNED);
	CU_ASSERT_EQUAL(pt_unmaps, 0);
	/* a is empty: its table goes, once, and becomes a spare. */
	grant_map(1, 3 * CHUNK_PAGES, true, a, MEMSRV_RW, SEPTA_OWNED);
	CU_ASSERT_EQUAL(pt_unmaps, 1);
	CU_ASSERT_EQUAL(last_pt_unmap, table_a);
	CU_ASSERT_EQUAL(ptab_recorded(), recorded + 1);
	CU_ASSERT_EQUAL(ptab_spares(), spares + 1);
	grant_map(1, 4 * CHUNK_PAGES, true, a + CHUNK_SIZE, MEMSRV_RW, SEPTA_OWNED);
	CU_ASSERT_EQUAL(pt_unmaps, 1);
	/* The next table needed is that one, not a new object. */
	made = kobj_made;
	fake_need = 1;
	grant_map(1, 5, false, a + 8 * CHUNK_SIZE, MEMSRV_RW, SEPTA_OWNED);
	CU_ASSERT_EQUAL(last_made, table_a);
	CU_ASSERT_EQUAL(kobj_made, made);
	CU_ASSERT_EQUAL(ptab_spares(), spares);
	/* A block's own table (entries at level 2) is not a page's. */
	fake_level = 1;
	grant_map(1, 6 * CHUNK_PAGES, true, a + 16 * CHUNK_SIZE, MEMSRV_RW, SEPTA_OWNED);
	CU_ASSERT_EQUAL(ptab_recorded(), recorded + 2);
	fake_need = 0;
	CU_ASSERT(table_b != table_a);
}

void suite_memsrv_grant(void)
{
	CU_pSuite s = CU_add_suite("memsrv_grant", NULL, NULL);
	CU_add_test(s, "the table fills to three quarters", test_free_entries);
	CU_add_test(s, "a grant's capability has write only if the grant has",
		    test_mint_rights);
	CU_add_test(s, "a drop leaves every other grant findable",
		    test_drop_keeps_the_rest);
	CU_add_test(s, "target ranges: aligned, not empty, not wrapping", test_ipa_check);
	CU_add_test(s, "target ranges: one kernel call a table of free entries",
		    test_ipa_check_range);
	CU_add_test(s, "the audit: a mapping of the pool with no grant there is stray",
		    test_audit_stray);
	CU_add_test(s, "a block grant is unmapped as a run before its deletion",
		    test_block_unmap_run);
	CU_add_test(s, "retagging goes by runs of consecutive slots", test_retag_runs);
	CU_add_test(s, "grants are mapped by runs, tables brought by the first page",
		    test_batch_runs);
	CU_add_test(s, "grants are deleted by runs, one by one if refused",
		    test_delete_runs);
	CU_add_test(s, "a block goes in where a page's empty table was",
		    test_block_clears_empty_table);
}
