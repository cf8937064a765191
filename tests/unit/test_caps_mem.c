/* The memory objects at their edges, on the host (part of the caps suite):
 * Untyped zeroing, mapping records of frames and VSpaces, VSPACE_PROTECT's
 * argument checks and the depth of a lookup. Each test names the bug it
 * stands against (tests/mutation/mutants.txt). */
#include <object/cap.h>
#include <object/invoke.h>
#include <object/vspace.h>
#include <string.h>
#include "kfix.h"
#include "tests.h"

void caps_mem_tests(CU_pSuite s);

#define RW (SEPTA_MAP_R | SEPTA_MAP_W)

static struct vspace *vspace_at(uint64_t slot)
{
	return (struct vspace *)(uintptr_t)kf.root[slot].cap.obj;
}

/* The physical address mapped at ipa in the VSpace at slot, or 0. */
static uint64_t mapped_pa(uint64_t slot, uint64_t ipa)
{
	pte_t pte = 0;
	unsigned level;

	if (pgt_query(&vspace_at(slot)->pgt, ipa, &pte, &level) != PGT_OK || !pte)
		return 0;
	return pte_addr(pte) + (ipa & (pgt_granule(level) - 1));
}

static long page_table_map(uint64_t pt, uint64_t vs, uint64_t ipa, unsigned level)
{
	uint64_t a[] = {ipa, level};

	return kfix_call(pt, SEPTA_PAGE_TABLE_MAP, 1, &vs, 2, a);
}

static long frame_map(uint64_t f, uint64_t vs, uint64_t ipa)
{
	uint64_t a[] = {ipa, RW, SEPTA_OWNED};

	return kfix_call(f, SEPTA_FRAME_MAP, 1, &vs, 3, a);
}

static long unmap(uint64_t slot, uint64_t label)
{
	return kfix_call(slot, label, 0, NULL, 0, NULL);
}

/* A 32-bit VSpace at vs whose IPAs below 2 MiB have a last-level table
 * (the PageTable at pt). */
static void ready_vspace32(uint64_t vs, uint64_t pt)
{
	CU_ASSERT_EQUAL_FATAL(kfix_retype(SEPTA_OBJ_VSPACE, 32, vs, 1), SEPTA_OK);
	CU_ASSERT_EQUAL_FATAL(kfix_retype(SEPTA_OBJ_PAGE_TABLE, 0, pt, 1), SEPTA_OK);
	CU_ASSERT_EQUAL_FATAL(page_table_map(pt, vs, 0, 3), SEPTA_OK);
}

/* untyped-zero-region: a big retype whose zero region (left by an earlier
 * retype stopped between steps) reaches one page short of its end zeroes
 * that last page too. */
static void test_zero_region_one_page_short(void)
{
	uint8_t *mem;
	uint64_t bad = 0;

	kfix_reset();
	mem = kf.ut_mem;
	memset(mem, 0xab, 1u << KFIX_UT_BITS);
	/* Two steps of a 2 MiB frame: [0, 512 KiB) is known to be zero. */
	kf.step_limit = 2;
	CU_ASSERT_EQUAL(kfix_retype(SEPTA_OBJ_FRAME_2M, 0, 10, 1), INV_RESTART);
	kf.step_limit = 0;
	CU_ASSERT_EQUAL(kf.root[10].cap.type, CAP_NULL);
	/* 129 pages (more than a step): the region ends one page short. */
	CU_ASSERT_EQUAL(kfix_retype(SEPTA_OBJ_FRAME_4K, 0, 20, 129), SEPTA_OK);
	CU_ASSERT_EQUAL(kf.root[20 + 128].cap.obj, (uintptr_t)mem + (128u << 12));
	for (uint64_t i = 0; i < 129u << 12; i++)
		bad += mem[i] != 0;
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(kfix_revoke(kf.ut_slot), SEPTA_OK);
}

/* frame-place-live: a frame (or a PageTable) mapped already is refused,
 * and its mapping stays where it was. */
static void test_mapped_twice_refused(void)
{
	kfix_reset();
	ready_vspace32(10, 11);
	CU_ASSERT_EQUAL(kfix_retype(SEPTA_OBJ_FRAME_4K, 0, 12, 1), SEPTA_OK);
	CU_ASSERT_EQUAL(frame_map(12, 10, 0x1000), SEPTA_OK);
	CU_ASSERT_EQUAL(frame_map(12, 10, 0x2000), SEPTA_E_IN_USE);
	CU_ASSERT_EQUAL(mapped_pa(10, 0x1000), kf.root[12].cap.obj);
	CU_ASSERT_EQUAL(mapped_pa(10, 0x2000), 0);
	CU_ASSERT_EQUAL(page_table_map(11, 10, 2u << 20, 3), SEPTA_E_IN_USE);
	CU_ASSERT_EQUAL(kfix_revoke(kf.ut_slot), SEPTA_OK);
}

/* frame-live-addr: a frame whose table was unmapped under it is mapped
 * nowhere, even once another frame is mapped where it was: it maps again
 * (not E_IN_USE), and the other frame stays. */
static void test_frame_record_not_another_frame(void)
{
	kfix_reset();
	ready_vspace32(10, 11);
	CU_ASSERT_EQUAL(kfix_retype(SEPTA_OBJ_FRAME_4K, 0, 12, 2), SEPTA_OK);
	CU_ASSERT_EQUAL(frame_map(12, 10, 0x1000), SEPTA_OK);
	CU_ASSERT_EQUAL(unmap(11, SEPTA_PAGE_TABLE_UNMAP), SEPTA_OK);
	CU_ASSERT_EQUAL(page_table_map(11, 10, 0, 3), SEPTA_OK);
	CU_ASSERT_EQUAL(frame_map(13, 10, 0x1000), SEPTA_OK);
	CU_ASSERT_EQUAL(frame_map(12, 10, 0x2000), SEPTA_OK);
	CU_ASSERT_EQUAL(mapped_pa(10, 0x2000), kf.root[12].cap.obj);
	CU_ASSERT_EQUAL(mapped_pa(10, 0x1000), kf.root[13].cap.obj);
	CU_ASSERT_EQUAL(unmap(12, SEPTA_FRAME_UNMAP), SEPTA_OK);
	CU_ASSERT_EQUAL(mapped_pa(10, 0x1000), kf.root[13].cap.obj);
	CU_ASSERT_EQUAL(kfix_revoke(kf.ut_slot), SEPTA_OK);
}

/* vspace-vmid-gen, vspace-mapping-gen: a mapping record of a VSpace that
 * died stays dead when another VSpace takes its VMID (the lowest free):
 * deleting the old record's frame capability leaves the heir's mapping of
 * that frame, made through a copy at the same address, in place. */
static void test_dead_vspace_record_spares_heir(void)
{
	uint64_t pa;
	unsigned vmid;

	kfix_reset();
	ready_vspace32(10, 11);
	CU_ASSERT_EQUAL(kfix_retype(SEPTA_OBJ_FRAME_4K, 0, 12, 1), SEPTA_OK);
	pa = kf.root[12].cap.obj;
	CU_ASSERT_EQUAL(kfix_copy(13, 12, SEPTA_RIGHTS_ALL), SEPTA_OK);
	CU_ASSERT_EQUAL(frame_map(12, 10, 0x1000), SEPTA_OK);
	vmid = vspace_at(10)->pgt.vmid;
	CU_ASSERT_EQUAL(kfix_delete(10), SEPTA_OK);
	ready_vspace32(20, 21);
	CU_ASSERT_EQUAL(vspace_at(20)->pgt.vmid, vmid);
	CU_ASSERT_EQUAL(frame_map(13, 20, 0x1000), SEPTA_OK);
	CU_ASSERT_EQUAL(kfix_delete(12), SEPTA_OK);
	CU_ASSERT_EQUAL(mapped_pa(20, 0x1000), pa);
	CU_ASSERT_EQUAL(kfix_revoke(kf.ut_slot), SEPTA_OK);
}

static long protect(uint64_t vs, uint64_t ipa, uint64_t size, unsigned ncaps,
		    const uint64_t *caps)
{
	uint64_t a[] = {ipa, size, SEPTA_MAP_R};

	return kfix_call(vs, SEPTA_VSPACE_PROTECT, ncaps, caps, 3, a);
}

/* vspace-protect-align, -zero, -end: the walker would refuse these ranges
 * too, but only after the extra capabilities are decoded: a bad range is
 * the argument's error whatever comes with it (here an endpoint where a
 * PageTable should be), and a good range then gets the capability's. */
static void test_protect_range_before_tables(void)
{
	uint64_t ep = 30, top = 1ULL << 32;

	kfix_reset();
	ready_vspace32(10, 11);
	CU_ASSERT_EQUAL(kfix_retype(SEPTA_OBJ_ENDPOINT, 0, ep, 1), SEPTA_OK);
	CU_ASSERT_EQUAL(protect(10, 0, 0x1000, 1, &ep), SEPTA_E_CAP_TYPE);
	CU_ASSERT_EQUAL(protect(10, 0, 0x1800, 1, &ep), SEPTA_E_ALIGN);
	CU_ASSERT_EQUAL(protect(10, 0x1000, 0, 1, &ep), SEPTA_E_RANGE);
	CU_ASSERT_EQUAL(protect(10, top - 0x1000, 0x1000, 1, &ep), SEPTA_E_CAP_TYPE);
	CU_ASSERT_EQUAL(protect(10, top - 0x1000, 0x2000, 1, &ep), SEPTA_E_RANGE);
	/* Without capabilities the walker's own checks say the same. */
	CU_ASSERT_EQUAL(protect(10, 0, 0x1800, 0, NULL), SEPTA_E_ALIGN);
	CU_ASSERT_EQUAL(protect(10, 0x1000, 0, 0, NULL), SEPTA_E_RANGE);
	CU_ASSERT_EQUAL(protect(10, top - 0x1000, 0x2000, 0, NULL), SEPTA_E_RANGE);
	CU_ASSERT_EQUAL(kfix_revoke(kf.ut_slot), SEPTA_OK);
}

/* cspace-depth-zero: depth 0 is E_DEPTH before the source root's type is
 * looked at (every CNode resolves at least one bit, so depth 0 would be
 * E_DEPTH at a CNode too: what the check decides is that order). */
static void test_depth_zero_before_root(void)
{
	uint64_t ut, a[] = {11, 64, 10, 0, SEPTA_RIGHTS_ALL};

	kfix_reset();
	ut = kf.ut_slot; /* not a CNode */
	CU_ASSERT_EQUAL(kfix_retype(SEPTA_OBJ_ENDPOINT, 0, 10, 1), SEPTA_OK);
	CU_ASSERT_EQUAL(kfix_call(0, SEPTA_CNODE_COPY, 1, &ut, 5, a), SEPTA_E_DEPTH);
	a[3] = 64;
	CU_ASSERT_EQUAL(kfix_call(0, SEPTA_CNODE_COPY, 1, &ut, 5, a),
			SEPTA_E_INVALID_ROOT);
	CU_ASSERT_EQUAL(kf.root[11].cap.type, CAP_NULL);
	CU_ASSERT_EQUAL(kfix_revoke(kf.ut_slot), SEPTA_OK);
}

void caps_mem_tests(CU_pSuite s)
{
	CU_add_test(s, "a zero region one page short is finished",
		    test_zero_region_one_page_short);
	CU_add_test(s, "a mapped frame or table is not mapped again",
		    test_mapped_twice_refused);
	CU_add_test(s, "another frame where a stale record was is not it",
		    test_frame_record_not_another_frame);
	CU_add_test(s, "a dead VSpace's record spares its VMID's heir",
		    test_dead_vspace_record_spares_heir);
	CU_add_test(s, "VSPACE_PROTECT's range is checked before its tables",
		    test_protect_range_before_tables);
	CU_add_test(s, "depth 0 is refused before the root's type",
		    test_depth_zero_before_root);
}
