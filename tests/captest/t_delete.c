/*
 * Deletion and revocation under structures user level builds to make them
 * expensive (issue 14, items 3 and 7): they always succeed, in bounded
 * steps, and leave the Untyped wholly free. Between steps the deleted
 * capability is a zombie that nothing but delete and revoke accepts.
 */
#include "t_hostile.h"

static long cnode_at(uint64_t s, unsigned bits)
{
	return septa_untyped_retype(ct.ut, SEPTA_OBJ_CNODE, bits, CNODE, 0, 0, s, 1);
}

/* A chain of n two-slot CNodes, each holding the only capability to the
 * next in its slot 0; the first one's only capability is in slot top. */
static long chain(uint64_t top, unsigned n)
{
	uint64_t b = slot();
	long err = cnode_at(top, 1);

	for (unsigned i = 1; i < n && !err; i++) {
		err = cnode_at(b, 1);
		if (!err)
			err = septa_cnode_move(b, 0, 1, CNODE, top, DEPTH);
		if (!err)
			err = septa_cnode_move(CNODE, top, DEPTH, CNODE, b, DEPTH);
	}
	return err;
}

/* The test's Untyped has nothing left in it: it retypes whole again. */
static long untyped_wholly_free(void)
{
	uint64_t s = slot();
	long err = septa_untyped_retype(ct.ut, SEPTA_OBJ_UNTYPED, 22, CNODE, 0, 0, s, 1);

	if (!err)
		err = septa_cnode_delete(CNODE, s, DEPTH);
	return err;
}

static long empty(uint64_t s)
{
	return septa_cnode_copy(CNODE, slot(), DEPTH, CNODE, s, DEPTH, SEPTA_RIGHTS_ALL);
}

/* Item 3: N CNodes of 16 slots, each slot of CNode i a copy of CNode i+1.
 * Main's check visited every path: 16^N, 29 s at N=8; 10 is hours. */
void test_delete_nested_copies_is_linear(void)
{
	enum { N = 10 };
	uint64_t s[N], c = slot();

	for (unsigned i = 0; i < N; i++)
		CHECK((s[i] = mk(SEPTA_OBJ_CNODE, 4)));
	for (unsigned i = 0; i + 1 < N; i++)
		for (unsigned j = 0; j < 16; j++)
			CHECK_EQ(septa_cnode_copy(s[i], j, 4, CNODE, s[i + 1], DEPTH,
						  SEPTA_RIGHTS_ALL),
				 0);
	CHECK_EQ(septa_cnode_copy(CNODE, c, DEPTH, CNODE, s[0], DEPTH, SEPTA_RIGHTS_ALL),
		 0);
	CHECK_EQ(septa_cnode_delete(CNODE, c, DEPTH), 0); /* not final */
	CHECK_EQ(septa_cnode_delete(CNODE, s[0], DEPTH), 0);
	CHECK_EQ(empty(s[0]), SEPTA_E_MISSING_CAP);
	CHECK_EQ(septa_cnode_revoke(CNODE, ct.ut, DEPTH), 0);
	CHECK_EQ(untyped_wholly_free(), 0);
}

/* Item 7: main refused both beyond 16 nested CNodes (E_TOO_DEEP), so a
 * parent could not take back what it gave. */
void test_revoke_deep_chains(void)
{
	static const unsigned depths[] = {17, 40, 200};

	for (unsigned i = 0; i < sizeof depths / sizeof depths[0]; i++) {
		uint64_t top = slot();

		CHECK_EQ(chain(top, depths[i]), 0);
		CHECK_EQ(septa_cnode_revoke(CNODE, ct.ut, DEPTH), 0);
		CHECK_EQ(empty(top), SEPTA_E_MISSING_CAP);
		CHECK_EQ(untyped_wholly_free(), 0);
	}
}

void test_delete_deep_chain(void)
{
	uint64_t top = slot();

	CHECK_EQ(chain(top, 200), 0);
	CHECK_EQ(septa_cnode_delete(CNODE, top, DEPTH), 0);
	CHECK_EQ(empty(top), SEPTA_E_MISSING_CAP);
	CHECK_EQ(untyped_wholly_free(), 0);
}

/* Containers holding the only capabilities to themselves: unreachable but
 * through the Untyped, whose revoke must still free them. */
void test_revoke_cnode_cycles(void)
{
	static const unsigned rings[] = {2, 20};
	uint64_t a = slot();

	CHECK_EQ(cnode_at(a, 1), 0);
	CHECK_EQ(septa_cnode_move(a, 0, 1, CNODE, a, DEPTH), 0); /* itself */
	CHECK_EQ(septa_cnode_revoke(CNODE, ct.ut, DEPTH), 0);
	CHECK_EQ(untyped_wholly_free(), 0);
	for (unsigned i = 0; i < sizeof rings / sizeof rings[0]; i++) {
		/* The last of a chain gets the only capability to the first. */
		CHECK_EQ(chain(a, rings[i]), 0);
		CHECK_EQ(septa_cnode_move(a, 1, rings[i], CNODE, a, DEPTH), 0);
		CHECK_EQ(empty(a), SEPTA_E_MISSING_CAP);
		CHECK_EQ(septa_cnode_revoke(CNODE, ct.ut, DEPTH), 0);
		CHECK_EQ(untyped_wholly_free(), 0);
	}
}

/* Deleting a copy of a CNode is not deleting what it holds: main's check
 * walked the contents anyway and refused a deep one with E_TOO_DEEP. */
void test_delete_cnode_copy_leaves_contents(void)
{
	uint64_t a = slot(), c = slot(), back = slot(), ep = mk(SEPTA_OBJ_ENDPOINT, 0);
	struct septa_msg m = {0};

	CHECK(ep);
	CHECK_EQ(chain(a, 20), 0);
	CHECK_EQ(septa_cnode_move(a, 1, 20, CNODE, ep, DEPTH), 0); /* at the bottom */
	CHECK_EQ(septa_cnode_copy(CNODE, c, DEPTH, CNODE, a, DEPTH, SEPTA_RIGHTS_ALL), 0);
	CHECK_EQ(septa_cnode_delete(CNODE, c, DEPTH), 0);
	CHECK_EQ(septa_cnode_move(CNODE, back, DEPTH, a, 1, 20), 0);
	CHECK_EQ(septa_nbsend(back, &m), SEPTA_E_WOULD_BLOCK);
}

/* A thread woken by the first step of a deletion looks at the zombie it
 * left before the deleter's call runs again. */
static struct {
	uint64_t zombie, dst, ep;
	volatile long r[10];
	volatile uint64_t done;
} zw;

static void zombie_watcher(uint64_t ep)
{
	struct septa_msg m = {0};

	zw.r[0] = septa_recv(ep, &m);
	zw.r[1] = septa_nbsend(zw.zombie, &m);
	zw.r[2] = septa_cnode_copy(CNODE, zw.dst, DEPTH, CNODE, zw.zombie, DEPTH,
				   SEPTA_RIGHTS_ALL);
	zw.r[3] = septa_cnode_mint(CNODE, zw.dst, DEPTH, CNODE, zw.zombie, DEPTH,
				   SEPTA_RIGHTS_ALL, 0);
	zw.r[4] = septa_cnode_move(CNODE, zw.dst, DEPTH, CNODE, zw.zombie, DEPTH);
	zw.r[5] = septa_cnode_mutate(CNODE, zw.dst, DEPTH, CNODE, zw.zombie, DEPTH, 0);
	/* Invoked itself, or given as an extra capability. */
	zw.r[6] =
	    septa_cnode_copy(zw.zombie, 0, 12, CNODE, zw.ep, DEPTH, SEPTA_RIGHTS_ALL);
	zw.r[7] =
	    septa_cnode_copy(CNODE, zw.dst, DEPTH, zw.zombie, 0, 12, SEPTA_RIGHTS_ALL);
	zw.r[8] =
	    septa_untyped_retype(ct.ut, SEPTA_OBJ_ENDPOINT, 0, CNODE, 0, 0, zw.zombie, 1);
	zw.r[9] = septa_cnode_revoke(CNODE, zw.zombie, DEPTH); /* has no children */
	zw.done = 1;
}

/* A full CNode of 2^12 slots is emptied over many kernel entries. Its
 * last slot holds the only capability to an endpoint a higher-priority
 * thread waits on, so the first step wakes that thread, which runs before
 * the next step. */
void test_delete_big_cnode_in_steps(void)
{
	uint64_t big = mk(SEPTA_OBJ_CNODE, 12), ep = mk(SEPTA_OBJ_ENDPOINT, 0);
	uint64_t other = mk(SEPTA_OBJ_ENDPOINT, 0);

	CHECK(big && ep && other);
	zw.zombie = big;
	zw.dst = slot();
	zw.ep = other;
	zw.done = 0;
	CHECK(spawn(zombie_watcher, ep, HIGH_PRIO, 0));
	CHECK_EQ(septa_cnode_move(big, 4095, 12, CNODE, ep, DEPTH), 0);
	for (unsigned i = 0; i < 4095; i++)
		CHECK_EQ(
		    septa_cnode_copy(big, i, 12, CNODE, other, DEPTH, SEPTA_RIGHTS_ALL),
		    0);
	CHECK_EQ(septa_cnode_delete(CNODE, big, DEPTH), 0);
	CHECK_EQ(zw.done, 1);
	CHECK_EQ(zw.r[0], SEPTA_E_DELETED);
	/* Main did it all in one entry: the watcher found the slot empty. */
	CHECK_EQ(zw.r[1], SEPTA_E_ZOMBIE);
	for (unsigned i = 2; i <= 7; i++)
		CHECK_EQ(zw.r[i], SEPTA_E_ZOMBIE);
	CHECK_EQ(zw.r[8], SEPTA_E_DELETE_FIRST);
	CHECK_EQ(zw.r[9], 0);
	CHECK_EQ(empty(big), SEPTA_E_MISSING_CAP);
	CHECK_EQ(empty(zw.dst), SEPTA_E_MISSING_CAP);
	CHECK_EQ(septa_cnode_delete(CNODE, other, DEPTH), 0);
	CHECK_EQ(septa_cnode_revoke(CNODE, ct.ut, DEPTH), 0);
	CHECK_EQ(untyped_wholly_free(), 0);
}

/* Deleting the original of two copies leaves the object alive for the one
 * left: main handed both to the Untyped, where each looked final, so
 * deleting one finalised the endpoint under the other (its waiter woke). */
static volatile long orig_r;
static volatile uint64_t orig_woken;

static void orig_waiter(uint64_t ep)
{
	struct septa_msg m = {0};

	orig_r = septa_recv(ep, &m);
	orig_woken = 1;
}

void test_delete_original_keeps_copies(void)
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0), c1 = slot(), c2 = slot();
	struct septa_msg m = {0};

	CHECK(ep);
	orig_woken = 0;
	CHECK_EQ(septa_cnode_copy(CNODE, c1, DEPTH, CNODE, ep, DEPTH, SEPTA_RIGHTS_ALL),
		 0);
	CHECK_EQ(septa_cnode_copy(CNODE, c2, DEPTH, CNODE, ep, DEPTH, SEPTA_RIGHTS_ALL),
		 0);
	CHECK(spawn(orig_waiter, c2, HIGH_PRIO, 0));
	CHECK_EQ(septa_cnode_delete(CNODE, ep, DEPTH), 0);
	CHECK_EQ(septa_cnode_delete(CNODE, c1, DEPTH), 0);
	CHECK_EQ(orig_woken, 0);
	CHECK_EQ(septa_nbsend(c2, &m), 0); /* the waiter is still there */
	CHECK_EQ(orig_woken, 1);
	CHECK_EQ(orig_r, 0);
}

/* Once an original is gone its copies are peers: revoking one deletes
 * only what was derived from it, never another copy, whatever their
 * rights or badges (the first copy stood in for the original, and its
 * revoke took the others). */
void test_revoke_copy_spares_its_peers(void)
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0), full = slot(), ro = slot(),
		 badged = slot(), mine = slot();

	CHECK(ep);
	CHECK_EQ(septa_cnode_copy(CNODE, full, DEPTH, CNODE, ep, DEPTH, SEPTA_RIGHTS_ALL),
		 0);
	CHECK_EQ(
	    septa_cnode_mint(CNODE, badged, DEPTH, CNODE, ep, DEPTH, SEPTA_RIGHTS_ALL, 7),
	    0);
	CHECK_EQ(septa_cnode_copy(CNODE, ro, DEPTH, CNODE, ep, DEPTH, SEPTA_RIGHT_READ),
		 0);
	CHECK_EQ(septa_cnode_copy(CNODE, mine, DEPTH, CNODE, ro, DEPTH, SEPTA_RIGHT_READ),
		 0);
	CHECK_EQ(septa_cnode_delete(CNODE, ep, DEPTH), 0);
	/* Each copy in turn: its peers stay, what it derived goes. */
	CHECK_EQ(septa_cnode_revoke(CNODE, ro, DEPTH), 0);
	CHECK_EQ(probe(full), SEPTA_E_WOULD_BLOCK);
	CHECK_EQ(probe(badged), SEPTA_E_WOULD_BLOCK);
	CHECK_EQ(probe(mine), SEPTA_E_MISSING_CAP);
	CHECK_EQ(septa_cnode_revoke(CNODE, full, DEPTH), 0);
	CHECK_EQ(septa_cnode_revoke(CNODE, badged, DEPTH), 0);
	CHECK_EQ(probe(full), SEPTA_E_WOULD_BLOCK);
	CHECK_EQ(probe(badged), SEPTA_E_WOULD_BLOCK);
	/* ro has Read only: a send through it is refused, but it is there. */
	CHECK_EQ(probe(ro), SEPTA_E_RIGHTS);
	/* Not final while the others live: deleting two leaves the third. */
	CHECK_EQ(septa_cnode_delete(CNODE, full, DEPTH), 0);
	CHECK_EQ(septa_cnode_delete(CNODE, ro, DEPTH), 0);
	CHECK_EQ(probe(badged), SEPTA_E_WOULD_BLOCK);
	CHECK_EQ(septa_cnode_delete(CNODE, badged, DEPTH), 0);
}
