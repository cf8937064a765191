/* Capability lookup against a model: cspace.c's resolve has a fast case
 * for CNodes of 1..63 slot bits beside its general loop, and both must
 * find what the definition says (docs/capabilities.md: from the most
 * significant resolved bit down, guard then radix at each CNode). The
 * model reads the cptr one bit at a time, so it shares no shift with
 * either. */
#include <core/fastpath.h>
#include <object/cap.h>
#include <object/cspace.h>
#include <string.h>
#include "tests.h"

#define SUB_SLOTS 8u

static struct cte top[64], sub[SUB_SLOTS];

/* The bits of v from bit `top_bit` (exclusive) down, n of them. */
static uint64_t model_bits(uint64_t v, unsigned top_bit, unsigned n)
{
	uint64_t x = 0;

	for (unsigned i = 0; i < n; i++)
		x = x << 1 | ((v >> (top_bit - 1 - i)) & 1);
	return x;
}

static int model(const struct cap *node, uint64_t cptr, unsigned depth, bool exact,
		 bool want_cap, struct cte **out)
{
	unsigned left = depth;
	struct cte *slot;

	if (depth == 0 || depth > 64)
		return SEPTA_E_DEPTH;
	if (node->type != CAP_CNODE)
		return SEPTA_E_INVALID_ROOT;
	for (;;) {
		if (node->guard_bits + node->size_bits > left)
			return SEPTA_E_DEPTH;
		if (model_bits(cptr, left, node->guard_bits) != node->word)
			return SEPTA_E_GUARD;
		left -= node->guard_bits;
		slot = (struct cte *)(uintptr_t)node->obj +
		       model_bits(cptr, left, node->size_bits);
		left -= node->size_bits;
		if (left == 0 || slot->cap.type != CAP_CNODE)
			break;
		node = &slot->cap;
	}
	if (slot->cap.type == CAP_ZOMBIE && (left || want_cap))
		return SEPTA_E_ZOMBIE;
	if (left && exact)
		return slot->cap.type == CAP_NULL ? SEPTA_E_MISSING_CAP : SEPTA_E_DEPTH;
	if (want_cap && slot->cap.type == CAP_NULL)
		return SEPTA_E_MISSING_CAP;
	*out = slot;
	return SEPTA_OK;
}

static uint64_t rnd_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

/* A cptr that passes the root's guard (and, through slot 1, the
 * sub-CNode's) most of the time, so that successes and every error are
 * both met. */
static uint64_t cptr_for(const struct cap *root, const struct cap *subc, unsigned depth)
{
	uint64_t c = rnd(), head;
	unsigned g = root->guard_bits, r = root->size_bits, below, b2, sg;

	if (depth == 0 || depth > 64 || g > depth || (rnd() & 3) == 0)
		return c;
	below = depth - g;
	head = below < 64 ? root->word << below : 0; /* g = 0: no guard */
	c = head | (below ? c & (~0ULL >> (64 - below)) : 0);
	if ((rnd() & 1) == 0 || r == 0 || r >= below)
		return c;
	b2 = below - r;
	sg = subc->guard_bits;
	if (sg > b2)
		return c;
	return head | (1ULL << b2) | (sg ? subc->word << (b2 - sg) : 0) |
	       (b2 > sg ? c & (~0ULL >> (64 - (b2 - sg))) : 0);
}

static void test_lookup_matches_model(void)
{
	/* Root shapes (guard bits, slot bits): the root task's, memsrv's
	 * two-level top, none, and the edges of the fast case. */
	static const unsigned shapes[][2] = {{58, 6}, {44, 8}, {0, 6},	{0, 1},	 {63, 1},
					     {1, 63}, {10, 0}, {0, 64}, {20, 3}, {2, 5}};
	static const unsigned sub_shapes[][2] = {{0, 3}, {5, 3}, {0, 0}, {50, 3}};
	unsigned checked = 0, found = 0, reused = 0, deep = 0, two = 0, cnodes = 0;

	for (unsigned s = 0; s < sizeof(shapes) / sizeof(shapes[0]); s++)
		for (unsigned u = 0; u < sizeof(sub_shapes) / sizeof(sub_shapes[0]);
		     u++) {
			unsigned g = shapes[s][0], r = shapes[s][1];
			struct cap root = {.type = CAP_CNODE,
					   .size_bits = (uint8_t)r,
					   .guard_bits = (uint8_t)g,
					   .obj = (uint64_t)(uintptr_t)top,
					   .word =
					       g ? (0x2b5ULL & (~0ULL >> (64 - g))) : 0};

			memset(top, 0, sizeof(top));
			memset(sub, 0, sizeof(sub));
			/* Slot 1: a CNode (back to top through its slot 5),
			 * 2 and 3 an endpoint and a zombie, in each. */
			top[1].cap = (struct cap){.type = CAP_CNODE,
						  .size_bits = (uint8_t)sub_shapes[u][1],
						  .guard_bits = (uint8_t)sub_shapes[u][0],
						  .obj = (uint64_t)(uintptr_t)sub,
						  .word = sub_shapes[u][0] ? 0x15 : 0};
			top[2].cap = (struct cap){.type = CAP_ENDPOINT};
			top[3].cap = (struct cap){.type = CAP_ZOMBIE};
			sub[2].cap = (struct cap){.type = CAP_NOTIFICATION};
			sub[3].cap = (struct cap){.type = CAP_ZOMBIE};
			sub[5].cap = (struct cap){.type = CAP_CNODE,
						  .size_bits = 2,
						  .obj = (uint64_t)(uintptr_t)top};
			for (unsigned i = 0; i < 4000; i++) {
				unsigned depth =
				    (rnd() & 1) ? 64 : (unsigned)(rnd() % 66);
				uint64_t c = cptr_for(&root, &top[1].cap, depth);
				struct cte *want = NULL, *got = NULL;
				int e_want, e_got;

				/* Indexes past the 64 slots of `top`: not looked at. */
				if (r > 6 && g + r <= depth && depth <= 64 &&
				    model_bits(c, depth - g, r) >= 64)
					continue;
				if (depth == 64) {
					e_want = model(&root, c, 64, false, true, &want);
					e_got = cspace_lookup_cap(&root, c, &got);
					CU_ASSERT_EQUAL_FATAL(e_got, e_want);
					if (e_want == SEPTA_OK)
						CU_ASSERT_PTR_EQUAL_FATAL(got, want);
					/* The SVC entry's slot, which a Call uses
					 * instead of its own lookup. */
					got = fastpath_slot(&root, c);
					if (got) {
						CU_ASSERT_EQUAL_FATAL(e_want, SEPTA_OK);
						CU_ASSERT_PTR_EQUAL_FATAL(got, want);
						reused++;
						deep += g + r < 64;
						two +=
						    got >= sub && got < sub + SUB_SLOTS;
						cnodes += got->cap.type == CAP_CNODE;
					}
				}
				want = got = NULL;
				e_want = model(&root, c, depth, true, false, &want);
				e_got = cspace_lookup_slot(&root, c, depth, &got);
				CU_ASSERT_EQUAL_FATAL(e_got, e_want);
				if (e_want == SEPTA_OK) {
					CU_ASSERT_PTR_EQUAL_FATAL(got, want);
					found++;
				}
				checked++;
			}
		}
	CU_ASSERT(checked > 100000);
	CU_ASSERT(found > 10000);
	/* The entry's slot met in one-level roots, in roots with bits
	 * left over, two levels down and as a CNode at the end of the bits. */
	CU_ASSERT(reused > 1000);
	CU_ASSERT(deep > 100);
	CU_ASSERT(two > 100);
	CU_ASSERT(cnodes > 100);
}

void cspace_tests(CU_pSuite s)
{
	CU_add_test(s, "lookups find what the model finds", test_lookup_matches_model);
}
