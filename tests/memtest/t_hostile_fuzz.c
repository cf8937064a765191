/*
 * Hostile clients at random: four clients of memsrv (memtest, B and two
 * fresh sub-clients with a small quota) issue seeded random requests, good
 * and bad (stale and misaligned pages, unknown and wide client ids, bad
 * rights, busy and wild addresses, windows opened and closed), each checked
 * against a small model of the ownership database: the model says whether
 * memsrv must accept it, and an accepted one changes the model. Every 100
 * requests every page the model knows is queried as every client and its
 * mappings are looked up in the kernel; after every round of 500, memsrv's
 * audit must find 0 differences too (an audit costs what ~1000 requests do).
 * The seed is printed; "memtest.seed=N" in the bootargs replays one.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "memtest.h"

#define NACT	 4u  /* the clients: memtest, B, F1, F2 */
#define NSLOT	 16u /* addresses a client's requests aim at */
#define NPG	 48u /* pages the model can know at once */
#define F_QUOTA	 12u /* the sub-clients' quota of pages */
#define WINDOWS	 8u  /* memsrv's per client */
#define ROUNDS	 20u
#define REQUESTS 500u /* a round's, the views compared every 100 */
#define NONE	 0xffu

/* memsrv's answer is not the model's: say so and stop. */
#define MISMATCH(...)                                                                    \
	do {                                                                             \
		printf("memtest: " __VA_ARGS__);                                         \
		return -1;                                                               \
	} while (0)

static uint64_t ep[NACT], vs[NACT];
static unsigned accepted;   /* requests memsrv carried out */
static uint64_t last_pages; /* the pages of the last request, for its report */
static unsigned id[NACT];

static uint64_t region(unsigned a)
{
	return 0x70000000ULL + a * 0x1000000ULL;
}

static uint64_t slot_ipa(unsigned a, unsigned s)
{
	return region(a) + s * PAGE;
}

/* A page as the model has it. */
static struct mpage {
	uint64_t pa;
	uint8_t owner;	     /* actor, NONE: the slot is unused */
	uint8_t rights;	     /* the owner's */
	uint8_t brights;     /* the borrowers' */
	uint8_t shared;	     /* bit per borrowing actor */
	uint8_t lent_to;     /* NONE if not lent */
	uint8_t oslot;	     /* the owner's address */
	uint8_t bslot[NACT]; /* each borrower's */
} pg[NPG];
/* slot[a][s]: the page mapped there, or -1 */
static int slot[NACT][NSLOT];
static struct {
	unsigned from;
	uint64_t lo, hi;
	bool used;
} win[NACT][WINDOWS];
static uint64_t stale[8]; /* freed pages: every request on them is refused */

static uint64_t rng;

static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dULL;
}

static unsigned pick(unsigned n)
{
	return (unsigned)(rnd() % n);
}

static unsigned owned_by(unsigned a)
{
	unsigned n = 0;

	for (unsigned i = 0; i < NPG; i++)
		n += pg[i].owner == a;
	return n;
}

static bool consents(unsigned to, unsigned me, uint64_t ipa)
{
	if (me == 0 && to != 0) /* memtest registered the other three */
		return true;
	for (unsigned w = 0; w < WINDOWS; w++)
		if (win[to][w].used && win[to][w].from == me && ipa >= win[to][w].lo &&
		    ipa < win[to][w].hi)
			return true;
	return false;
}

static unsigned quota_of(unsigned a)
{
	return a >= 2 ? F_QUOTA : ~0u;
}

/* A target address: mostly a slot of the target, sometimes wild. */
static uint64_t target(unsigned to, int *s)
{
	unsigned k = pick(16);

	*s = -1;
	if (k == 0)
		return 1ULL << 50; /* outside every VSpace */
	if (k == 1)
		return slot_ipa(to, 0) + 8; /* misaligned */
	*s = (int)pick(NSLOT);
	return slot_ipa(to, (unsigned)*s);
}

/* A page to name: mostly a known one (half the time one of me's own),
 * else a freed one or nonsense. */
static uint64_t page_arg(unsigned me, int *i)
{
	unsigned k = pick(20), start = pick(NPG);
	uint64_t old = stale[pick(8)];

	*i = (int)start;
	for (unsigned j = 0; k >= 10 && j < NPG; j++)
		if (pg[(start + j) % NPG].owner == me) {
			*i = (int)((start + j) % NPG);
			break;
		}
	if (k >= 4 && pg[*i].owner != NONE)
		return pg[*i].pa;
	*i = -1;
	if (k == 0)
		return 0x1000; /* below the pool */
	if (k == 1)
		return ~0ULL & ~(PAGE - 1); /* beyond it */
	if (k == 2)
		return (old ? old : pg[0].pa) | 0x10; /* misaligned */
	return old ? old : 0x1000;
}

/* An actor, or a bad id (0, unknown, wide); *a = NONE for a bad one. */
static uint64_t client_arg(unsigned *a)
{
	unsigned k = pick(12);

	*a = NONE;
	if (k == 0)
		return 0;
	if (k == 1)
		return 62;
	if (k == 2)
		return 1ULL << 32 | id[1];
	*a = pick(NACT);
	return id[*a];
}

static uint64_t rights_arg(void)
{
	static const uint64_t r[] = {
	    MEMSRV_R, MEMSRV_RW, MEMSRV_RX, MEMSRV_RWX,
	    MEMSRV_W, 0,	 8,	    1ULL << 32 | MEMSRV_R};

	return r[pick(pick(3) ? 3 : 8)];
}

/* A request of actor a at full width (the wrappers narrow ids and rights
 * to unsigned): 0 with *out = the first word of the reply, or the error. */
static long req(unsigned a, unsigned label, unsigned n, uint64_t a0, uint64_t a1,
		uint64_t a2, uint64_t a3, uint64_t a4, uint64_t *out)
{
	const uint64_t arg[5] = {a0, a1, a2, a3, a4};
	struct septa_msg m = {.info = septa_msginfo(label | (a ? id[a] : 0) << 8, 0, n)};

	for (unsigned i = 0; i < n; i++)
		septa_set_mr(&m, i, arg[i]);
	if (septa_call(EP, &m) != SEPTA_OK)
		return 1; /* no memsrv error: the model never wants it */
	if (SEPTA_MSG_LABEL(m.info))
		return -(long)SEPTA_MSG_LABEL(m.info);
	accepted++;
	if (out)
		*out = SEPTA_MSG_LEN(m.info) ? septa_mr(&m, 0) : 0;
	return MEMSRV_OK;
}

static bool borrower_ok(uint64_t r)
{
	return r == MEMSRV_R || r == MEMSRV_RW || r == MEMSRV_RX;
}

static void forget(int i)
{
	for (unsigned k = 7; k > 0; k--)
		stale[k] = stale[k - 1];
	stale[0] = pg[i].pa;
	pg[i].owner = NONE;
}

/* One request by actor me: sent, checked against the model, applied. */
static int request(unsigned me)
{
	unsigned op = pick(8), b;
	uint64_t pa, got, ipa, c, r = rights_arg();
	/* Pages: one, or now and then none or more than there are. */
	uint64_t np = last_pages = pick(24) ? 1 : pick(2) ? 0 : 1ULL << 40;
	int i, s, want = 0;
	long err;

	switch (op) {
	case 0: { /* ALLOC one page at a slot of its own */
		int free_i = -1;

		s = (int)pick(NSLOT);
		for (unsigned k = 0; k < NPG && free_i < 0; k++)
			if (pg[k].owner == NONE)
				free_i = (int)k;
		if (free_i < 0)
			return 2; /* nothing sent */
		want = (borrower_ok(r) || r == MEMSRV_RWX) && slot[me][s] < 0 &&
		       owned_by(me) < quota_of(me);
		err = req(me, MEMSRV_ALLOC, 4, np, 1, slot_ipa(me, (unsigned)s), r, 0,
			  &got);
		if ((err == MEMSRV_OK) != (want && np == 1))
			MISMATCH("alloc by %u at slot %d rights %#llx: %ld\n", me, s,
				 (unsigned long long)r, err);
		if (err)
			return 0;
		for (unsigned k = 0; k < 8; k++)
			if (stale[k] == got)
				stale[k] = 0;
		pg[free_i] = (struct mpage){
		    got, (uint8_t)me, (uint8_t)r, 0,
		    0,	 NONE,	      (uint8_t)s, {NONE, NONE, NONE, NONE}};
		slot[me][s] = free_i;
		return 0;
	}
	case 1: /* FREE */
		pa = page_arg(me, &i);
		want =
		    i >= 0 && pg[i].owner == me && !pg[i].shared && pg[i].lent_to == NONE;
		err = req(me, MEMSRV_FREE, 2, pa, np, 0, 0, 0, NULL);
		if ((err == MEMSRV_OK) != (want && np == 1))
			MISMATCH("free by %u of %#llx: %ld\n", me, (unsigned long long)pa,
				 err);
		if (!err) {
			slot[me][pg[i].oslot] = -1;
			forget(i);
		}
		return 0;
	case 2: /* SHARE */
	case 3: /* LEND */
		pa = page_arg(me, &i);
		c = client_arg(&b);
		ipa = target(b == NONE ? 0 : b, &s);
		want = i >= 0 && b != NONE && b != me && pg[i].owner == me && s >= 0 &&
		       borrower_ok(r) && !(r & ~pg[i].rights) && pg[i].lent_to == NONE &&
		       slot[b][s] < 0 && consents(b, me, ipa) &&
		       (op == 2 ? !(pg[i].shared & 1u << b) &&
				      (!pg[i].shared || pg[i].brights == r)
				: !pg[i].shared);
		err = req(me, op == 2 ? MEMSRV_SHARE : MEMSRV_LEND, 5, pa, np, c, ipa, r,
			  NULL);
		if ((err == MEMSRV_OK) != (want && np == 1))
			MISMATCH(
			    "%s by %u of %#llx to %#llx at %#llx rights %#llx: %ld\n",
			    op == 2 ? "share" : "lend", me, (unsigned long long)pa,
			    (unsigned long long)c, (unsigned long long)ipa,
			    (unsigned long long)r, err);
		if (!err) {
			pg[i].brights = (uint8_t)r;
			pg[i].bslot[b] = (uint8_t)s;
			slot[b][s] = i;
			if (op == 2) {
				pg[i].shared |= (uint8_t)(1u << b);
			} else {
				pg[i].lent_to = (uint8_t)b;
				slot[me][pg[i].oslot] = -1; /* the owner's mapping goes */
			}
		}
		return 0;
	case 4: /* UNSHARE */
		pa = page_arg(me, &i);
		c = client_arg(&b);
		want =
		    i >= 0 && b != NONE && pg[i].owner == me && (pg[i].shared & 1u << b);
		err = req(me, MEMSRV_UNSHARE, 3, pa, np, c, 0, 0, NULL);
		if ((err == MEMSRV_OK) != (want && np == 1))
			MISMATCH("unshare by %u of %#llx from %#llx: %ld\n", me,
				 (unsigned long long)pa, (unsigned long long)c, err);
		if (!err) {
			pg[i].shared &= (uint8_t) ~(1u << b);
			slot[b][pg[i].bslot[b]] = -1;
			pg[i].bslot[b] = NONE;
		}
		return 0;
	case 5: /* RECLAIM */
		pa = page_arg(me, &i);
		want = i >= 0 && pg[i].owner == me && pg[i].lent_to != NONE &&
		       slot[me][pg[i].oslot] < 0;
		err = req(me, MEMSRV_RECLAIM, 2, pa, np, 0, 0, 0, NULL);
		if ((err == MEMSRV_OK) != (want && np == 1))
			MISMATCH("reclaim by %u of %#llx: %ld\n", me,
				 (unsigned long long)pa, err);
		if (!err) {
			b = pg[i].lent_to;
			slot[b][pg[i].bslot[b]] = -1;
			pg[i].bslot[b] = NONE;
			pg[i].lent_to = NONE;
			slot[me][pg[i].oslot] = i;
		}
		return 0;
	case 6: /* DONATE */
		pa = page_arg(me, &i);
		c = client_arg(&b);
		ipa = target(b == NONE ? 0 : b, &s);
		want = i >= 0 && b != NONE && b != me && pg[i].owner == me && s >= 0 &&
		       !pg[i].shared && pg[i].lent_to == NONE && slot[b][s] < 0 &&
		       consents(b, me, ipa) && owned_by(b) < quota_of(b);
		err = req(me, MEMSRV_DONATE, 4, pa, np, c, ipa, 0, NULL);
		if ((err == MEMSRV_OK) != (want && np == 1))
			MISMATCH("donate by %u of %#llx to %#llx at %#llx: %ld\n", me,
				 (unsigned long long)pa, (unsigned long long)c,
				 (unsigned long long)ipa, err);
		if (!err) {
			slot[me][pg[i].oslot] = -1;
			pg[i].owner = (uint8_t)b;
			pg[i].oslot = (uint8_t)s;
			slot[b][s] = i;
		}
		return 0;
	default: { /* ACCEPT: a window for another client, or closing them */
		unsigned lo = pick(NSLOT), n = pick(4) ? 1 + pick(NSLOT - lo) : 0,
			 used = 0;

		c = client_arg(&b);
		for (unsigned w = 0; w < WINDOWS; w++)
			used += win[me][w].used;
		want = b != NONE && b != me && (n == 0 || used < WINDOWS);
		err = req(me, MEMSRV_ACCEPT, 3, slot_ipa(me, lo), n, c, 0, 0, NULL);
		if ((err == MEMSRV_OK) != want)
			MISMATCH("accept by %u from %#llx, %u pages: %ld\n", me,
				 (unsigned long long)c, n, err);
		for (unsigned w = 0; !err && w < WINDOWS; w++) {
			if (n == 0 && win[me][w].from == b)
				win[me][w].used = false;
			if (n && !win[me][w].used) {
				win[me][w].from = b;
				win[me][w].lo = slot_ipa(me, lo);
				win[me][w].hi = slot_ipa(me, lo + n);
				win[me][w].used = true;
				break;
			}
		}
		return 0;
	}
	}
}

static unsigned want_view(const struct mpage *p, unsigned a)
{
	if (p->owner == a)
		return p->lent_to != NONE ? MEMSRV_VIEW_LENT
		       : p->shared	  ? MEMSRV_VIEW_SHARED_OWNED
					  : MEMSRV_VIEW_OWNED;
	if (p->lent_to == a)
		return MEMSRV_VIEW_BORROWED;
	return p->shared & 1u << a ? MEMSRV_VIEW_SHARED_BORROWED : MEMSRV_VIEW_NONE;
}

/* Every known page as every client sees it, and in the kernel; with
 * audit, memsrv's audit of every mapping it made too. */
static int compare(bool audit)
{
	struct memsrv_audit au;

	for (unsigned i = 0; i < NPG; i++) {
		const struct mpage *p = &pg[i];

		if (p->owner == NONE)
			continue;
		for (unsigned a = 0; a < NACT; a++) {
			struct memsrv_query q;
			unsigned v = want_view(p, a);
			bool mapped = (p->owner == a && p->lent_to == NONE) ||
				      (p->owner != a && v != MEMSRV_VIEW_NONE);
			uint64_t ipa = p->owner == a ? slot_ipa(a, p->oslot)
				       : mapped	     ? slot_ipa(a, p->bslot[a])
						     : 0;

			if (memsrv_query(ep[a], p->pa, &q) || q.view != v ||
			    q.ipa != (mapped ? ipa : ~0ULL) ||
			    (mapped && pa_of(vs[a], ipa) != p->pa)) {
				printf("page %#llx as client %u: view %u (want %u), ipa "
				       "%#llx\n",
				       (unsigned long long)p->pa, a, q.view, v,
				       (unsigned long long)q.ipa);
				return -1;
			}
		}
	}
	for (unsigned a = 0; a < NACT; a++)
		for (unsigned s = 0; s < NSLOT; s++)
			if (slot[a][s] < 0 && pa_of(vs[a], slot_ipa(a, s))) {
				printf("client %u: a stray mapping at slot %u\n", a, s);
				return -1;
			}
	if (audit && (memsrv_audit(EP, &au) || au.differences)) {
		printf("audit: %llu differences, kind %u, client %u, ipa %#llx\n",
		       (unsigned long long)au.differences, au.kind, au.client,
		       (unsigned long long)au.ipa);
		return -1;
	}
	return 0;
}

static uint64_t seed_from_bootargs(void)
{
	const char *p = strstr(septa_bootinfo()->bootargs, "memtest.seed=");
	uint64_t s = 0;

	if (!p)
		return 0x5e97a14ULL;
	for (p += 13; *p >= '0' && *p <= '9'; p++)
		s = s * 10 + (uint64_t)(*p - '0');
	return s ? s : 1;
}

/* Everything the model knows undone (a reclaim may wait for the page at
 * the owner's old address to go): the clients end as they began. */
static unsigned clean_up(void)
{
	unsigned left = 0;

	for (unsigned pass = 0; pass < 4; pass++) {
		left = 0;
		for (unsigned i = 0; i < NPG; i++) {
			struct mpage *p = &pg[i];

			if (p->owner == NONE)
				continue;
			for (unsigned b = 0; b < NACT; b++)
				if ((p->shared & 1u << b) &&
				    !memsrv_unshare(ep[p->owner], p->pa, 1, id[b]))
					p->shared &= (uint8_t) ~(1u << b);
			if (p->lent_to != NONE && !memsrv_reclaim(ep[p->owner], p->pa, 1))
				p->lent_to = NONE;
			if (!p->shared && p->lent_to == NONE &&
			    !memsrv_free(ep[p->owner], p->pa, 1))
				p->owner = NONE;
			left += p->owner != NONE;
		}
	}
	for (unsigned a = 0; a < NACT; a++)
		for (unsigned b = 0; b < NACT; b++)
			if (a != b)
				memsrv_accept(ep[a], 0, 0, id[b]);
	return left;
}

void test_hostile_random_clients(void)
{
	uint64_t seed = seed_from_bootargs();
	unsigned requests = 0;
	struct memsrv_audit au;

	rng = seed;
	accepted = 0;
	printf("memtest: hostile clients, seed %llu (memtest.seed=%llu replays it)\n",
	       (unsigned long long)seed, (unsigned long long)seed);
	memset(slot, 0xff, sizeof(slot));
	memset(win, 0, sizeof(win));
	memset(stale, 0, sizeof(stale));
	for (unsigned i = 0; i < NPG; i++)
		pg[i].owner = NONE;
	id[0] = mt.me;
	id[1] = mt.b;
	vs[0] = MY_VS;
	vs[1] = mt.vs_b;
	for (unsigned a = 2; a < NACT; a++) {
		vs[a] = mk(SEPTA_OBJ_VSPACE, 32);
		CHECK(vs[a] != 0);
		CHECK_EQ(memsrv_register_quota(EP, vs[a], F_QUOTA, &id[a]), MEMSRV_OK);
	}
	for (unsigned a = 0; a < NACT; a++)
		ep[a] = a == 0 ? EP : MEMSRV_AS(EP, id[a]);
	for (unsigned round = 0; round < ROUNDS; round++) {
		for (unsigned k = 0; k < REQUESTS; k++) {
			int r = request(pick(NACT));

			if (r < 0) {
				printf("memtest: seed %llu, round %u, request %u (%llu "
				       "pages)\n",
				       (unsigned long long)seed, round, k,
				       (unsigned long long)last_pages);
				CHECK(false);
			}
			requests += r == 0;
			if (k % 100 == 99 && k + 1 < REQUESTS && compare(false)) {
				printf("memtest: seed %llu, round %u, request %u\n",
				       (unsigned long long)seed, round, k);
				CHECK(false);
			}
		}
		if (compare(true)) {
			printf("memtest: seed %llu, after round %u\n",
			       (unsigned long long)seed, round);
			CHECK(false);
		}
	}
	printf("memtest: %u hostile requests (%u carried out), %u rounds, model and "
	       "memsrv agree\n",
	       requests, accepted, ROUNDS);
	CHECK_EQ(clean_up(), 0);
	CHECK_EQ(memsrv_audit(EP, &au), MEMSRV_OK);
	CHECK_EQ(au.differences, 0);
}
