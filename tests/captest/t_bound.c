/*
 * Bounded kernel work: a retype that zeroes more than one step's worth
 * (RETYPE_ZERO_STEP, 256 KiB) does it over several kernel entries and
 * restarts its call, which user level does not see; what it gets is zero
 * however the steps interleave with other retypes.
 */
#include "captest.h"

#define BIG_IPA	   (UNMAPPED_IPA + 0x400000) /* 2 MiB aligned */
#define WINDOW_IPA (UNMAPPED_IPA + 0x800000) /* a 2 MiB window per worker */
#define RW	   (SEPTA_MAP_R | SEPTA_MAP_W)
#define WORKERS	   2
#define ROUNDS	   4
#define NFRAMES	   128 /* 512 KiB of 4 KiB frames: two steps and the last */

static uint64_t table_from_ut(void *arg)
{
	(void)arg;
	return mk(SEPTA_OBJ_PAGE_TABLE, 0);
}

static const struct septa_table_source tables = {table_from_ut, NULL, NULL};

/* How many words of n bytes mapped at ipa are not zero. */
static uint64_t nonzero_words(uint64_t ipa, uint64_t n)
{
	volatile const uint64_t *p = (volatile const uint64_t *)ipa;
	uint64_t bad = 0;

	for (uint64_t i = 0; i < n / sizeof(uint64_t); i++)
		bad += p[i] != 0;
	return bad;
}

static void fill(uint64_t ipa, uint64_t n, uint64_t pattern)
{
	volatile uint64_t *p = (volatile uint64_t *)ipa;

	for (uint64_t i = 0; i < n / sizeof(uint64_t); i++)
		p[i] = pattern ^ i;
}

/* The largest frame a test's 4 MiB Untyped holds, dirtied, revoked and made
 * again over the same memory: it reads zero, the second time too. */
void test_bound_big_frame_zeroed(void)
{
	const uint64_t size = 2ULL << 20;
	uint64_t f = slot(), pa;

	CHECK_EQ(septa_untyped_retype(ct.ut, SEPTA_OBJ_FRAME_2M, 0, CNODE, 0, 0, f, 1),
		 0);
	pa = frame_pa(f);
	CHECK_EQ(septa_frame_map_with_tables(f, VSPACE, BIG_IPA, RW, SEPTA_OWNED, &tables,
					     NULL),
		 0);
	CHECK_EQ(nonzero_words(BIG_IPA, size), 0);
	fill(BIG_IPA, size, 0x5a5a5a5a5a5a5a5aULL);
	CHECK_EQ(septa_cnode_revoke(CNODE, ct.ut, DEPTH), 0); /* frame, tables */
	CHECK_EQ(septa_untyped_retype(ct.ut, SEPTA_OBJ_FRAME_2M, 0, CNODE, 0, 0, f, 1),
		 0);
	CHECK_EQ(frame_pa(f), pa); /* the same memory */
	CHECK_EQ(septa_frame_map_with_tables(f, VSPACE, BIG_IPA, RW, SEPTA_OWNED, &tables,
					     NULL),
		 0);
	CHECK_EQ(nonzero_words(BIG_IPA, size), 0);
}

/* The retype count limit (256) with objects needing several steps: 256
 * frames are made and zero, 257 are refused and use nothing. */
void test_bound_retype_count_limit(void)
{
	const uint64_t n = 256;
	uint64_t probe = mk(SEPTA_OBJ_FRAME_4K, 0), first = slot();

	for (uint64_t i = 1; i < n + 1; i++)
		slot();
	CHECK(probe);
	CHECK_EQ(
	    septa_untyped_retype(ct.ut, SEPTA_OBJ_FRAME_4K, 0, CNODE, 0, 0, first, n + 1),
	    SEPTA_E_RANGE);
	CHECK_EQ(septa_cnode_delete(CNODE, first, DEPTH), 0); /* nothing made */
	CHECK_EQ(
	    septa_untyped_retype(ct.ut, SEPTA_OBJ_FRAME_4K, 0, CNODE, 0, 0, first, n), 0);
	/* The refused call used nothing: the frames follow the probe. */
	CHECK_EQ(frame_pa(first), frame_pa(probe) + 4096);
	CHECK_EQ(frame_pa(first + n - 1), frame_pa(probe) + n * 4096);
	for (uint64_t i = 0; i < n; i++)
		CHECK_EQ(septa_frame_map_with_tables(first + i, VSPACE,
						     BIG_IPA + i * 4096, SEPTA_MAP_R,
						     SEPTA_OWNED, &tables, NULL),
			 0);
	CHECK_EQ(nonzero_words(BIG_IPA, n * 4096), 0);
}

static uint64_t shared_ut, worker_slots[WORKERS];
static volatile uint64_t worker_done[WORKERS], worker_dirty[WORKERS],
    worker_fail[WORKERS];

/* Each round: NFRAMES frames from the shared Untyped in one call, read
 * (must be zero), dirtied and deleted. The other worker does the same, and
 * the timer may switch between them in the middle of a retype's steps. */
static void retype_worker(uint64_t i)
{
	uint64_t base = worker_slots[i], ipa = WINDOW_IPA + i * 0x200000;

	for (unsigned r = 0; r < ROUNDS; r++) {
		long err = SEPTA_E_NO_MEMORY;

		/* The other worker's frames may hold the rest: it frees them. */
		for (int tries = 0; tries < 10000 && err == SEPTA_E_NO_MEMORY; tries++) {
			err = septa_untyped_retype(shared_ut, SEPTA_OBJ_FRAME_4K, 0,
						   CNODE, 0, 0, base, NFRAMES);
			if (err == SEPTA_E_NO_MEMORY)
				septa_yield();
		}
		if (err) {
			worker_fail[i]++;
			break;
		}
		for (unsigned k = 0; k < NFRAMES; k++)
			if (septa_frame_map(base + k, VSPACE, ipa + k * 4096ULL, RW,
					    SEPTA_OWNED, 0, NULL, NULL))
				worker_fail[i]++;
		worker_dirty[i] += nonzero_words(ipa, NFRAMES * 4096ULL);
		fill(ipa, NFRAMES * 4096ULL, 0xdeadbeef00000000ULL | i << 16 | r);
		for (unsigned k = 0; k < NFRAMES; k++)
			if (septa_cnode_delete(CNODE, base + k, DEPTH))
				worker_fail[i]++;
	}
	worker_done[i] = 1;
}

void test_bound_two_threads_retype_in_turn(void)
{
	uint64_t probe = slot();

	shared_ut = mk(SEPTA_OBJ_UNTYPED, 21);
	CHECK(shared_ut);
	/* The workers' page tables, made here: mapping and unmapping a frame
	 * leaves them in place. */
	CHECK_EQ(
	    septa_untyped_retype(ct.ut, SEPTA_OBJ_FRAME_4K, 0, CNODE, 0, 0, probe, 1), 0);
	for (unsigned i = 0; i < WORKERS; i++) {
		uint64_t ipa = WINDOW_IPA + i * 0x200000;

		CHECK_EQ(septa_frame_map_with_tables(probe, VSPACE, ipa, RW, SEPTA_OWNED,
						     &tables, NULL),
			 0);
		CHECK_EQ(septa_frame_unmap(probe), 0);
		worker_slots[i] = slot();
		for (unsigned k = 1; k < NFRAMES; k++)
			slot();
		worker_done[i] = worker_dirty[i] = worker_fail[i] = 0;
	}
	for (unsigned i = 0; i < WORKERS; i++)
		CHECK(spawn(retype_worker, i, ROOT_PRIO, 0));
	for (unsigned i = 0; i < WORKERS; i++) {
		yield_until(&worker_done[i]);
		CHECK_EQ(worker_done[i], 1);
		CHECK_EQ(worker_fail[i], 0);
		CHECK_EQ(worker_dirty[i], 0);
	}
}

/* SEPTA_VCPU_MAX_BOUND VCPUs bind; one more is refused and binds nothing,
 * and binds once a VCPU or a thread of a bound pair is gone. */
void test_bad_vcpu_set_tcb_limit(void)
{
	enum { N = SEPTA_VCPU_MAX_BOUND };
	uint64_t v[N + 1], t[N + 1];

	for (unsigned i = 0; i <= N; i++) {
		v[i] = mk(SEPTA_OBJ_VCPU, 0);
		t[i] = mk(SEPTA_OBJ_TCB, 0);
		CHECK(v[i] && t[i]);
	}
	for (unsigned i = 0; i < N; i++)
		CHECK_EQ(septa_vcpu_set_tcb(v[i], t[i]), 0);
	CHECK_EQ(septa_vcpu_set_tcb(v[N], t[N]), SEPTA_E_LIMIT);
	/* Neither of the refused pair was bound: each pairs once a VCPU or
	 * a thread of a bound pair is gone (which unbinds it). */
	CHECK_EQ(septa_cnode_delete(CNODE, v[0], DEPTH), 0);
	CHECK_EQ(septa_vcpu_set_tcb(v[N], t[0]), 0);
	CHECK_EQ(septa_vcpu_set_tcb(v[1], t[N]), SEPTA_E_IN_USE); /* bound to t[1] */
	CHECK_EQ(septa_cnode_delete(CNODE, t[1], DEPTH), 0);
	CHECK_EQ(septa_vcpu_set_tcb(v[1], t[N]), 0);
	/* The count followed: 64 bound again, a fresh pair is refused. */
	CHECK_EQ(septa_vcpu_set_tcb(mk(SEPTA_OBJ_VCPU, 0), mk(SEPTA_OBJ_TCB, 0)),
		 SEPTA_E_LIMIT);
}

/* One VSPACE_PROTECT covers at most SEPTA_PROTECT_MAX_SIZE: exactly that
 * is done, a page more is refused and changes nothing. */
void test_bad_vspace_protect_limit(void)
{
	const uint64_t max = SEPTA_PROTECT_MAX_SIZE;
	uint64_t vs = slot(), f = mk(SEPTA_OBJ_FRAME_4K, 0), q[4];

	CHECK_EQ(septa_untyped_retype(ct.ut, SEPTA_OBJ_VSPACE, 32, CNODE, 0, 0, vs, 1),
		 0);
	CHECK(f);
	CHECK_EQ(
	    septa_frame_map_with_tables(f, vs, 0x1000, RW, SEPTA_OWNED, &tables, NULL),
	    0);
	CHECK_EQ(septa_vspace_protect(vs, 0, max + 4096, SEPTA_MAP_R, 0, NULL, NULL),
		 SEPTA_E_LIMIT);
	CHECK_EQ(septa_vspace_query(vs, 0x1000, q), 0);
	CHECK_EQ(q[2], RW);
	CHECK_EQ(septa_vspace_protect(vs, 0, max, SEPTA_MAP_R, 0, NULL, NULL), 0);
	CHECK_EQ(septa_vspace_query(vs, 0x1000, q), 0);
	CHECK_EQ(q[2], SEPTA_MAP_R);
}
