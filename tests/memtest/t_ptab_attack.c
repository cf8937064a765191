/*
 * A hostile server against memsrv's fast single-page ALLOC
 * (servers/memsrv/ops.c alloc_page) and its table records (ptab.c): it
 * takes away the VSpace it registered (a revoke of its own capability
 * deletes memsrv's copy) and asks for pages there, or frees and unshares
 * the pages it had. The refusal is the one the address query gives
 * (MEMSRV_E_IPA_RANGE, as for many pages), not a grant memsrv could not
 * map; nothing is left owned or recorded, and memsrv logs no BUG.
 */
#include <stdbool.h>
#include "memtest.h"

#define XA 0x6c000000ULL /* 2 MiB aligned, nothing of the sub-clients' there */

/* Whether the capability in slot s is a VSpace that maps pa at XA: asked
 * of a copy without Write, as memsrv asks (an endpoint's query would be a
 * send that blocks; without Write it fails at once). */
static bool vspace_maps(uint64_t s, uint64_t scratch, uint64_t pa)
{
	bool yes;

	if (septa_cnode_copy(MEMSRV_CAP_CNODE, scratch, 64, MEMSRV_CAP_CNODE, s, 64,
			     SEPTA_RIGHT_READ))
		return false;
	yes = pa_of(scratch, XA) == pa;
	septa_cnode_delete(MEMSRV_CAP_CNODE, scratch, 64);
	return yes;
}

/* A sub-client of memtest's with room for a page and its VSpace's slot in
 * memtest's CNode: memtest's quota of sub-clients is used up by now, so
 * one registered before (the newest first: the freshest, with no pages)
 * is found by a page of its own, looked for in memtest's VSpaces. */
static unsigned find_sub(uint64_t *vs)
{
	uint64_t scratch = mt.next_slot++;

	for (unsigned id = MEMSRV_MAX_CLIENTS - 1; id > 0; id--) {
		uint64_t pa = 0, ep = MEMSRV_AS(EP, id), found = 0;

		if (id == mt.me || id == mt.b ||
		    memsrv_alloc(ep, 1, 1, XA, MEMSRV_RW, &pa) != MEMSRV_OK)
			continue;
		for (uint64_t s = MEMSRV_FIRST_FREE; s < mt.next_slot && !found; s++)
			if (s != mt.vs_b && s != scratch && vspace_maps(s, scratch, pa))
				found = s;
		if (memsrv_free(ep, pa, 1) != MEMSRV_OK)
			return 0;
		if (found) {
			*vs = found;
			return id;
		}
	}
	return 0;
}

void test_ptab_attack_alloc_in_deleted_vspace(void)
{
	struct memsrv_audit a;
	uint64_t vs = 0, pa = 0, ep;
	unsigned id = find_sub(&vs);
	int err;

	CHECK(id != 0);
	ep = MEMSRV_AS(EP, id);
	CHECK_EQ(memsrv_audit(EP, &a), MEMSRV_OK);
	CHECK_EQ(a.differences, 0);
	/* Gone, memsrv's copy with it: nothing maps there any more. */
	CHECK_EQ(septa_cnode_revoke(MEMSRV_CAP_CNODE, vs, 64), SEPTA_OK);
	CHECK_EQ(septa_cnode_delete(MEMSRV_CAP_CNODE, vs, 64), SEPTA_OK);
	CHECK_EQ(memsrv_alloc(ep, 2, 1, XA, MEMSRV_RW, &pa), MEMSRV_E_IPA_RANGE);
	err = memsrv_alloc(ep, 1, 1, XA, MEMSRV_RW, &pa);
	if (err == MEMSRV_OK)
		memsrv_free(ep, pa, 1); /* the defect: owned, never mapped */
	CHECK_EQ(err, MEMSRV_E_IPA_RANGE);
	CHECK_EQ(memsrv_audit(EP, &a), MEMSRV_OK);
	CHECK_EQ(a.differences, 0);
}

/* Its pages, a block and a page shared with memtest, freed and unshared
 * after its VSpace went: memsrv's unmap and retag of what the kernel
 * removed with the VSpace are no BUG (the suite rejects one), and the
 * pages come back whole. */
void test_ptab_attack_free_after_vspace_deleted(void)
{
	struct memsrv_audit a;
	uint64_t vs = 0, blk = 0, pg = 0, ep;
	unsigned id = find_sub(&vs);

	CHECK(id != 0);
	ep = MEMSRV_AS(EP, id);
	CHECK_EQ(memsrv_alloc(ep, 512, 512, XA, MEMSRV_RW, &blk), MEMSRV_OK);
	CHECK_EQ(memsrv_alloc(ep, 1, 1, XA + BLOCK, MEMSRV_RW, &pg), MEMSRV_OK);
	CHECK_EQ(memsrv_accept(EP, XA, 1, id), MEMSRV_OK);
	CHECK_EQ(memsrv_share(ep, pg, 1, mt.me, XA, MEMSRV_R), MEMSRV_OK);
	CHECK_EQ(pa_of(MY_VS, XA), pg);
	CHECK_EQ(septa_cnode_revoke(MEMSRV_CAP_CNODE, vs, 64), SEPTA_OK);
	CHECK_EQ(septa_cnode_delete(MEMSRV_CAP_CNODE, vs, 64), SEPTA_OK);
	CHECK_EQ(memsrv_free(ep, blk, 512), MEMSRV_OK);
	CHECK_EQ(memsrv_unshare(ep, pg, 1, mt.me), MEMSRV_OK);
	CHECK_EQ(pa_of(MY_VS, XA), 0);
	CHECK_EQ(memsrv_free(ep, pg, 1), MEMSRV_OK);
	CHECK_EQ(memsrv_accept(EP, 0, 0, id), MEMSRV_OK);
	CHECK_EQ(memsrv_audit(EP, &a), MEMSRV_OK);
	CHECK_EQ(a.differences, 0);
}

/* A block it shares and unshares after its VSpace went: the owner's view
 * retagged there is no BUG either, and the block is freed whole. */
void test_ptab_attack_share_after_vspace_deleted(void)
{
	struct memsrv_audit a;
	uint64_t vs = 0, blk = 0, ep;
	unsigned id = find_sub(&vs);

	CHECK(id != 0);
	ep = MEMSRV_AS(EP, id);
	CHECK_EQ(memsrv_alloc(ep, 512, 512, XA, MEMSRV_RW, &blk), MEMSRV_OK);
	CHECK_EQ(memsrv_accept(EP, XA, 512, id), MEMSRV_OK);
	CHECK_EQ(septa_cnode_revoke(MEMSRV_CAP_CNODE, vs, 64), SEPTA_OK);
	CHECK_EQ(septa_cnode_delete(MEMSRV_CAP_CNODE, vs, 64), SEPTA_OK);
	CHECK_EQ(memsrv_share(ep, blk, 512, mt.me, XA, MEMSRV_R), MEMSRV_OK);
	CHECK_EQ(pa_of(MY_VS, XA + 5 * PAGE), blk + 5 * PAGE);
	CHECK_EQ(memsrv_unshare(ep, blk, 512, mt.me), MEMSRV_OK);
	CHECK_EQ(pa_of(MY_VS, XA + 5 * PAGE), 0);
	CHECK_EQ(memsrv_free(ep, blk, 512), MEMSRV_OK);
	CHECK_EQ(memsrv_accept(EP, 0, 0, id), MEMSRV_OK);
	CHECK_EQ(memsrv_audit(EP, &a), MEMSRV_OK);
	CHECK_EQ(a.differences, 0);
}
