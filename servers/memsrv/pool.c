/*
 * The memory memsrv hands out: every RAM Untyped of 2 MiB or more, cut into
 * 2 MiB chunks (and the boot archive's frames, archive.c, which it only
 * shares). A chunk stays an Untyped until pages of it are allocated;
 * then it becomes 512 frames (or one 2 MiB frame for a block allocation),
 * and when its last page is freed it is revoked back to an Untyped, so
 * memsrv holds frame capabilities only for memory in use.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "memsrv.h"

struct pool pool;

/* Runs of 512 slots set aside for chunks that will be split. */
#define STASH_MAX 256u
static uint64_t stash[STASH_MAX];
static unsigned nstash;

static long retype_into(uint64_t ut, unsigned type, uint64_t slot, unsigned count)
{
	return septa_untyped_retype(ut, type, 0, cs_top, slot >> CS_SUB_BITS,
				    CS_SLOT_DEPTH, slot & (CS_SUB_SLOTS - 1), count);
}

uint64_t pool_frame(uint64_t page)
{
	struct chunk *c = pool_chunk(page);

	return c->state == CH_PAGES ? c->frames + page % CHUNK_PAGES : c->frames;
}

/* The ready pool's pages are free for any client that asks. */
uint64_t pool_free_pages(void)
{
	return pool.db.index.nfree + idle_pooled();
}

/* Cuts one RAM Untyped into 2 MiB chunk Untypeds. */
static int add_untyped(uint64_t ut, uint64_t paddr, unsigned bits)
{
	uint64_t n = 1ULL << (bits - 21), done = 0;

	while (done < n) {
		unsigned batch = n - done > 256 ? 256 : (unsigned)(n - done);
		uint64_t run = cs_alloc(batch > 64 ? 256 : 64);

		if (!run || septa_untyped_retype(ut, SEPTA_OBJ_UNTYPED, 21, cs_top,
						 run >> CS_SUB_BITS, CS_SLOT_DEPTH,
						 run & (CS_SUB_SLOTS - 1), batch))
			return -1;
		for (unsigned i = 0; i < batch; i++) {
			struct chunk *c =
			    &pool.chunks[(paddr - pool.base) / CHUNK_SIZE + done + i];

			*c = (struct chunk){.ut = run + i, .state = CH_FREE};
		}
		done += batch;
	}
	return 0;
}

static bool in_pool(const struct septa_bootinfo *bi, unsigned boot_ut, unsigned i)
{
	return !bi->untyped[i].is_device && bi->untyped[i].size_bits >= 21 &&
	       i != boot_ut;
}

int pool_init(const struct septa_bootinfo *bi, unsigned boot_ut)
{
	uint64_t lo = ~0ULL, hi = 0, meta_bytes, meta_chunks, k = 0, db_bytes,
		 index_bytes;
	uint64_t grants, *index;
	bool index_with_grants;

	for (unsigned i = 0; i < bi->untyped_count; i++) {
		uint64_t pa = bi->untyped[i].paddr,
			 end = pa + (1ULL << bi->untyped[i].size_bits);

		if (in_pool(bi, boot_ut, i)) {
			lo = pa < lo ? pa : lo;
			hi = end > hi ? end : hi;
		}
	}
	if (!hi)
		return -1;
	/* The boot archive lies below the free RAM, in the kernel's image. */
	if (bi->modules_frames) {
		uint64_t end = bi->modules_paddr +
			       ((uint64_t)bi->modules_frames << SEPTA_ARCHIVE_FRAME_BITS);

		lo = bi->modules_paddr < lo ? bi->modules_paddr : lo;
		hi = end > hi ? end : hi;
	}
	pool.base = lo;
	pool.ram_base = bi->ram_base;
	pool.ram_end = bi->ram_base + bi->ram_size;
	pool.pages = (hi - lo) / SEPTA_PAGE_SIZE;
	pool.nchunks = pool.pages / CHUNK_PAGES;
	pool.chunks = calloc(pool.nchunks, sizeof(struct chunk));
	if (!pool.chunks)
		return -1;
	for (unsigned i = 0; i < bi->untyped_count; i++)
		if (in_pool(bi, boot_ut, i) &&
		    add_untyped(bi->untyped_slot + i, bi->untyped[i].paddr,
				bi->untyped[i].size_bits))
			return -1;
	archive_init(bi);

	/* The database, its index and the grant table: the lowest chunks, as
	 * 2 MiB frames mapped into memsrv itself. The grant table takes the
	 * most entries, a power of two, of which twice as many fit in the
	 * area it is given (grant.c): 1.5 MiB, given its whole chunk or all
	 * but up to 512 KiB of it. The index goes in that rest when it fits
	 * (a pool of up to about 16 GiB): it costs no chunk and no grant.
	 * Else it follows the database. */
	db_bytes = pool.pages * sizeof(struct own_page);
	index_bytes = OWN_INDEX_WORDS(pool.pages) * sizeof(uint64_t);
	index_with_grants = index_bytes <= CHUNK_SIZE / 4;
	meta_bytes = db_bytes + (index_with_grants ? 0 : index_bytes);
	meta_chunks = (meta_bytes + CHUNK_SIZE - 1) / CHUNK_SIZE + 1;
	for (uint64_t c = 0; c < pool.nchunks && k < meta_chunks; c++) {
		struct chunk *ch = &pool.chunks[c];

		if (ch->state != CH_FREE)
			continue;
		ch->frames = cs_alloc(1);
		if (!ch->frames ||
		    retype_into(ch->ut, SEPTA_OBJ_FRAME_2M, ch->frames, 1) ||
		    !map_frame(ch->frames, SEPTA_CAP_INIT_VSPACE,
			       MS_META_IPA + k * CHUNK_SIZE, MEMSRV_RW, SEPTA_OWNED))
			return -1;
		ch->state = CH_BLOCK;
		k++;
	}
	if (k < meta_chunks)
		return -1;
	grants = MS_META_IPA + (meta_chunks - 1) * CHUNK_SIZE;
	index = (uint64_t *)(index_with_grants ? grants + CHUNK_SIZE - index_bytes
					       : MS_META_IPA + db_bytes);
	own_init(&pool.db, (struct own_page *)MS_META_IPA, index, pool.pages);
	grant_init((void *)grants, CHUNK_SIZE - (index_with_grants ? index_bytes : 0));
	/* What memsrv cannot hand out: holes, its own tables, the archive. */
	for (uint64_t c = 0; c < pool.nchunks; c++)
		if (pool.chunks[c].state != CH_FREE)
			own_claim(&pool.db, 0, c * CHUNK_PAGES, CHUNK_PAGES);
	return 0;
}

/* What pool_reserve(n, false) would make sure of, there already: it
 * would change nothing. */
bool pool_reserved(uint64_t n)
{
	return nstash >= n / CHUNK_PAGES + 2 && n / CHUNK_PAGES + 2 <= STASH_MAX &&
	       cs_reserved((unsigned)(n + 8)) &&
	       kobj_reserved((unsigned)(n / CHUNK_PAGES + 4));
}

bool pool_reserve(uint64_t n, bool blocks)
{
	/* A range touches at most n / 512 + 2 chunks; each may need a run. */
	uint64_t runs = blocks ? 0 : n / CHUNK_PAGES + 2;

	if (runs > STASH_MAX)
		return false;
	while (nstash < runs) {
		uint64_t r = cs_alloc(CHUNK_PAGES);

		if (!r)
			return false;
		stash[nstash++] = r;
	}
	return cs_reserve((unsigned)(blocks ? 2 * (n / CHUNK_PAGES) + 8 : n + 8)) &&
	       kobj_reserve((unsigned)(n / CHUNK_PAGES + 4));
}

void pool_populate(uint64_t first, uint64_t n, bool blocks)
{
	for (uint64_t p = first; p < first + n;) {
		struct chunk *c = pool_chunk(p);
		uint64_t end = (p / CHUNK_PAGES + 1) * CHUNK_PAGES;
		long err = 0;

		if (end > first + n)
			end = first + n;
		if (blocks) {
			c->frames = cs_alloc(1);
			err = retype_into(c->ut, SEPTA_OBJ_FRAME_2M, c->frames, 1);
			c->state = CH_BLOCK;
		} else if (c->state == CH_FREE) {
			c->frames = stash[--nstash];
			err = retype_into(c->ut, SEPTA_OBJ_FRAME_4K, c->frames, 256);
			if (!err)
				err = retype_into(c->ut, SEPTA_OBJ_FRAME_4K,
						  c->frames + 256, 256);
			c->state = CH_PAGES;
			c->used = 0;
		}
		if (err)
			printf("memsrv: BUG: frames for chunk %llu: %ld\n",
			       (unsigned long long)(p / CHUNK_PAGES), err);
		if (!blocks)
			c->used = (uint16_t)(c->used + (end - p));
		p = end;
	}
}

static void zero(void *page, void *arg)
{
	(void)arg;
	memset(page, 0, SEPTA_PAGE_SIZE);
}

void pool_with_page(uint64_t page, void (*fn)(void *page, void *arg), void *arg)
{
	uint64_t s = map_frame(pool_frame(page), SEPTA_CAP_INIT_VSPACE, MS_SCRATCH_IPA,
			       MEMSRV_RW, SEPTA_OWNED);

	if (!s)
		return;
	fn((void *)MS_SCRATCH_IPA, arg);
	cs_delete(s);
}

/* Back to an Untyped: the kernel zeroes it when it is retyped again. */
static void chunk_revoke(struct chunk *c)
{
	septa_cnode_revoke(cs_top, c->ut, CS_DEPTH);
	if (c->state == CH_PAGES) {
		if (nstash < STASH_MAX)
			stash[nstash++] = c->frames;
		else
			cs_free(c->frames, CHUNK_PAGES);
	} else {
		cs_free(c->frames, 1);
	}
	c->state = CH_FREE;
	c->frames = 0;
	c->used = 0;
}

void pool_unpopulate(uint64_t page)
{
	struct chunk *c = pool_chunk(page);

	if (--c->used == 0)
		chunk_revoke(c);
}

void pool_release(uint64_t first, uint64_t n)
{
	for (uint64_t p = first; p < first + n;) {
		struct chunk *c = pool_chunk(p);
		uint64_t end = (p / CHUNK_PAGES + 1) * CHUNK_PAGES;

		if (end > first + n)
			end = first + n;
		if (c->state == CH_PAGES)
			c->used = (uint16_t)(c->used - (end - p));
		if (c->state == CH_BLOCK || c->used == 0) {
			chunk_revoke(c);
		} else {
			/* The chunk stays: what the last owner left must not
			 * reach the next one. */
			for (uint64_t q = p; q < end; q++)
				pool_with_page(q, zero, NULL);
		}
		p = end;
	}
}
