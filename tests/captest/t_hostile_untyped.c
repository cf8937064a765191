/*
 * Hostile UNTYPED_RETYPE: each refusal leaves the Untyped wholly free (a
 * child Untyped as large as it still fits) and the destination empty.
 * Limits are tried at the limit (made) and one past it (refused).
 */
#include "t_hostile.h"

#define UT_BITS 12 /* the Untyped each test retypes from: 4 KiB */

/* The raw message: type, size_bits, root, index, depth, offset, count. */
static long retype_raw(uint64_t ut, uint64_t type, uint64_t size_bits, uint64_t root,
		       uint64_t index, uint64_t depth, uint64_t offset, uint64_t count)
{
	uint64_t mr[6] = {type, size_bits, index, depth, offset, count};

	return raw_invoke(ut, SEPTA_UNTYPED_RETYPE, 1, &root, 6, mr);
}

/* Refused, then the Untyped is wholly free and the slot empty. */
static long refused_then_whole(uint64_t ut, uint64_t dst)
{
	if (probe(dst) != SEPTA_E_MISSING_CAP)
		return SEPTA_E_DELETE_FIRST;
	return ut_whole(ut, UT_BITS);
}

static void bad_type(uint64_t type)
{
	uint64_t ut = sub_ut(UT_BITS), s = slot();

	CHECK(ut);
	CHECK_EQ(retype_raw(ut, type, 0, CNODE, 0, 0, s, 1), SEPTA_E_ARG);
	CHECK_EQ(refused_then_whole(ut, s), SEPTA_OK);
}

void test_bad_untyped_retype_arg_type_zero(void)
{
	bad_type(0);
}

void test_bad_untyped_retype_arg_type_past_last(void)
{
	uint64_t ut = sub_ut(UT_BITS), s = slot();

	/* The last type is made; one past it is not. */
	CHECK(ut);
	CHECK_EQ(septa_untyped_retype(ut, SEPTA_OBJ_VCPU, 0, CNODE, 0, 0, s, 1), 0);
	CHECK_EQ(septa_untyped_retype(ut, SEPTA_OBJ_VCPU + 1, 0, CNODE, 0, 0, slot(), 1),
		 SEPTA_E_ARG);
}

void test_bad_untyped_retype_arg_type_wide(void)
{
	/* Cut to 32 bits it would be an endpoint. */
	bad_type((1ULL << 32) | SEPTA_OBJ_ENDPOINT);
}

void test_bad_untyped_retype_arg_type_max(void)
{
	bad_type(~0ULL);
}

/* Device memory holds only frames and Untypeds. */
static void bad_device(unsigned type, unsigned size_bits)
{
	unsigned dev = bi->untyped_count;
	uint64_t s = slot(), f = slot(), pa = 0;

	for (unsigned i = 0; i < bi->untyped_count; i++)
		if (bi->untyped[i].is_device)
			dev = i;
	CHECK(dev < bi->untyped_count);
	CHECK_EQ(septa_untyped_retype(bi->untyped_slot + dev, type, size_bits, CNODE, 0,
				      0, s, 1),
		 SEPTA_E_ARG);
	CHECK_EQ(probe(s), SEPTA_E_MISSING_CAP);
	/* Nothing was taken: the first frame is still at its start. */
	CHECK_EQ(septa_untyped_retype(bi->untyped_slot + dev, SEPTA_OBJ_FRAME_4K, 0,
				      CNODE, 0, 0, f, 1),
		 0);
	CHECK_EQ(septa_frame_get_address(f, &pa), 0);
	CHECK_EQ(pa, bi->untyped[dev].paddr);
	CHECK_EQ(septa_cnode_revoke(CNODE, bi->untyped_slot + dev, DEPTH), 0);
}

void test_bad_untyped_retype_arg_device_cnode(void)
{
	bad_device(SEPTA_OBJ_CNODE, 2);
}

void test_bad_untyped_retype_arg_device_tcb(void)
{
	bad_device(SEPTA_OBJ_TCB, 0);
}

void test_bad_untyped_retype_arg_device_endpoint(void)
{
	bad_device(SEPTA_OBJ_ENDPOINT, 0);
}

void test_bad_untyped_retype_arg_device_notification(void)
{
	bad_device(SEPTA_OBJ_NOTIFICATION, 0);
}

void test_bad_untyped_retype_arg_device_vspace(void)
{
	bad_device(SEPTA_OBJ_VSPACE, 32);
}

void test_bad_untyped_retype_arg_device_page_table(void)
{
	bad_device(SEPTA_OBJ_PAGE_TABLE, 0);
}

void test_bad_untyped_retype_arg_device_vcpu(void)
{
	bad_device(SEPTA_OBJ_VCPU, 0);
}

/* size_bits refused for type; the other value given is made. */
static void bad_size(unsigned type, uint64_t bad, uint64_t good)
{
	uint64_t ut = sub_ut(UT_BITS), s = slot();

	CHECK(ut);
	CHECK_EQ(retype_raw(ut, type, bad, CNODE, 0, 0, s, 1), SEPTA_E_SIZE);
	CHECK_EQ(refused_then_whole(ut, s), SEPTA_OK);
	if (good != ~0ULL)
		CHECK_EQ(retype_raw(ct.ut, type, good, CNODE, 0, 0, slot(), 1), 0);
}

void test_bad_untyped_retype_size_untyped_min(void)
{
	bad_size(SEPTA_OBJ_UNTYPED, SEPTA_UNTYPED_MIN - 1, SEPTA_UNTYPED_MIN);
}

void test_bad_untyped_retype_size_untyped_max(void)
{
	bad_size(SEPTA_OBJ_UNTYPED, SEPTA_UNTYPED_MAX + 1, ~0ULL);
}

void test_bad_untyped_retype_size_untyped_wide(void)
{
	/* Cut to 32 bits it would be 12, which fits. */
	bad_size(SEPTA_OBJ_UNTYPED, (1ULL << 32) | 12, 12);
}

void test_bad_untyped_retype_size_untyped_65(void)
{
	bad_size(SEPTA_OBJ_UNTYPED, 65, 5);
}

void test_bad_untyped_retype_size_cnode_zero(void)
{
	bad_size(SEPTA_OBJ_CNODE, 0, 1);
}

void test_bad_untyped_retype_size_cnode_max(void)
{
	bad_size(SEPTA_OBJ_CNODE, SEPTA_CNODE_MAX_BITS + 1, ~0ULL);
}

void test_bad_untyped_retype_size_vspace_min(void)
{
	bad_size(SEPTA_OBJ_VSPACE, 31, 32);
}

void test_bad_untyped_retype_size_vspace_max(void)
{
	/* The CPU's PARange is made; one bit more is not. */
	bad_size(SEPTA_OBJ_VSPACE, bi->ipa_bits_max + 1, bi->ipa_bits_max);
}

static void bad_count(uint64_t count)
{
	uint64_t ut = sub_ut(UT_BITS), s = slot();

	CHECK(ut);
	CHECK_EQ(retype_raw(ut, SEPTA_OBJ_ENDPOINT, 0, CNODE, 0, 0, s, count),
		 SEPTA_E_RANGE);
	CHECK_EQ(refused_then_whole(ut, s), SEPTA_OK);
}

void test_bad_untyped_retype_range_count_zero(void)
{
	bad_count(0);
}

void test_bad_untyped_retype_range_count_past_max(void)
{
	uint64_t first = slots(257);

	/* 256 at once are made (from the test's Untyped), 257 are not. */
	CHECK_EQ(
	    septa_untyped_retype(ct.ut, SEPTA_OBJ_ENDPOINT, 0, CNODE, 0, 0, first, 256),
	    0);
	CHECK_EQ(probe(first + 255), SEPTA_E_WOULD_BLOCK);
	CHECK_EQ(probe(first + 256), SEPTA_E_MISSING_CAP);
	bad_count(257);
}

void test_bad_untyped_retype_range_count_wide(void)
{
	/* Cut to 32 bits it would be 1. */
	bad_count((1ULL << 32) | 1);
}

/* Offsets against a 4-slot destination CNode (its own root, depth 0). */
static void bad_offset(uint64_t offset, uint64_t count)
{
	uint64_t ut = sub_ut(UT_BITS), c = small_cnode();

	CHECK(ut && c);
	CHECK_EQ(retype_raw(ut, SEPTA_OBJ_ENDPOINT, 0, c, 0, 0, offset, count),
		 SEPTA_E_RANGE);
	CHECK_EQ(small_cnode_intact(c), SEPTA_OK);
	CHECK_EQ(ut_whole(ut, UT_BITS), SEPTA_OK);
}

void test_bad_untyped_retype_range_offset_past_end(void)
{
	uint64_t c = small_cnode(), s = slot();

	CHECK(c);
	/* The last slot is fine. */
	CHECK_EQ(septa_untyped_retype(ct.ut, SEPTA_OBJ_ENDPOINT, 0, c, 0, 0, 3, 1), 0);
	CHECK_EQ(septa_cnode_move(CNODE, s, DEPTH, c, 3, 2), 0);
	CHECK_EQ(probe(s), SEPTA_E_WOULD_BLOCK);
	bad_offset(4, 1);
}

void test_bad_untyped_retype_range_count_past_end(void)
{
	bad_offset(2, 3);
}

void test_bad_untyped_retype_range_offset_wraps(void)
{
	/* offset + count wraps to 1: must not pass as in range. */
	bad_offset(~0ULL, 2);
}

void test_bad_untyped_retype_range_offset_huge(void)
{
	bad_offset(1ULL << 63, 1);
}

void test_bad_untyped_retype_no_vmid(void)
{
	uint64_t ut = sub_ut(UT_BITS), first = slots(255);

	CHECK(ut);
	/* VMIDs 2-255: 254 at most for everyone's VSpaces. */
	CHECK_EQ(septa_untyped_retype(ut, SEPTA_OBJ_VSPACE, 32, CNODE, 0, 0, first, 255),
		 SEPTA_E_NO_VMID);
	CHECK_EQ(refused_then_whole(ut, first), SEPTA_OK);
}

static void bad_dest(uint64_t root, uint64_t index, uint64_t depth, long want)
{
	uint64_t ut = sub_ut(UT_BITS);

	CHECK(ut);
	CHECK_EQ(retype_raw(ut, SEPTA_OBJ_ENDPOINT, 0, root, index, depth, 0, 1), want);
	CHECK_EQ(ut_whole(ut, UT_BITS), SEPTA_OK);
}

void test_bad_untyped_retype_cap_type_root(void)
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0);

	CHECK(ep);
	bad_dest(ep, 0, 0, SEPTA_E_CAP_TYPE);
	CHECK_EQ(probe(ep), SEPTA_E_WOULD_BLOCK);
}

void test_bad_untyped_retype_cap_type_node(void)
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0);

	CHECK(ep);
	/* (index, depth) names an endpoint, not a CNode. */
	bad_dest(CNODE, ep, DEPTH, SEPTA_E_CAP_TYPE);
	CHECK_EQ(probe(ep), SEPTA_E_WOULD_BLOCK);
}

void test_bad_untyped_retype_cap_type_empty_node(void)
{
	bad_dest(CNODE, slot(), DEPTH, SEPTA_E_CAP_TYPE);
}

void test_bad_untyped_retype_depth_65(void)
{
	uint64_t c = small_cnode(), s = slot();

	CHECK(c);
	CHECK_EQ(septa_cnode_move(CNODE, s, DEPTH, CNODE, c, DEPTH), 0);
	/* Depth 64 names the CNode; 65 is refused; so is depth 63. */
	bad_dest(CNODE, s, 65, SEPTA_E_DEPTH);
	bad_dest(CNODE, s, 63, SEPTA_E_DEPTH);
	bad_dest(CNODE, s, 1ULL << 32 | DEPTH, SEPTA_E_DEPTH);
	CHECK_EQ(retype_raw(ct.ut, SEPTA_OBJ_ENDPOINT, 0, CNODE, s, DEPTH, 1, 1), 0);
	CHECK_EQ(septa_cnode_delete(s, 1, 2), 0);
	CHECK_EQ(small_cnode_intact(s), SEPTA_OK);
}

void test_bad_untyped_retype_guard(void)
{
	bad_dest(CNODE, BAD_GUARD_CPTR | slot(), DEPTH, SEPTA_E_GUARD);
}

void test_bad_untyped_retype_missing_cap_path(void)
{
	uint64_t c = small_cnode();

	CHECK(c);
	/* Through slot 1 of the small CNode, empty, with 2 bits left. */
	bad_dest(c, 1 << 2, 4, SEPTA_E_MISSING_CAP);
	CHECK_EQ(small_cnode_intact(c), SEPTA_OK);
}

void test_bad_untyped_retype_delete_first_last(void)
{
	uint64_t ut = sub_ut(UT_BITS), first = slots(4);
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0);

	CHECK(ut && ep);
	/* The last of four destination slots is taken. */
	CHECK_EQ(septa_cnode_move(CNODE, first + 3, DEPTH, CNODE, ep, DEPTH), 0);
	CHECK_EQ(
	    septa_untyped_retype(ut, SEPTA_OBJ_NOTIFICATION, 0, CNODE, 0, 0, first, 4),
	    SEPTA_E_DELETE_FIRST);
	for (unsigned i = 0; i < 3; i++)
		CHECK_EQ(probe(first + i), SEPTA_E_MISSING_CAP);
	CHECK_EQ(probe(first + 3), SEPTA_E_WOULD_BLOCK);
	CHECK_EQ(ut_whole(ut, UT_BITS), SEPTA_OK);
}

void test_bad_untyped_retype_delete_first_itself(void)
{
	uint64_t ut = sub_ut(UT_BITS);

	CHECK(ut);
	/* Into the Untyped's own slot. */
	CHECK_EQ(septa_untyped_retype(ut, SEPTA_OBJ_ENDPOINT, 0, CNODE, 0, 0, ut, 1),
		 SEPTA_E_DELETE_FIRST);
	CHECK_EQ(ut_whole(ut, UT_BITS), SEPTA_OK);
}

void test_bad_untyped_retype_no_memory_exact(void)
{
	uint64_t ut = sub_ut(UT_BITS), first = slots(129);

	CHECK(ut);
	/* 4 KiB holds exactly 128 endpoints of 32 bytes. */
	CHECK_EQ(septa_untyped_retype(ut, SEPTA_OBJ_ENDPOINT, 0, CNODE, 0, 0, first, 129),
		 SEPTA_E_NO_MEMORY);
	CHECK_EQ(probe(first), SEPTA_E_MISSING_CAP);
	CHECK_EQ(septa_untyped_retype(ut, SEPTA_OBJ_ENDPOINT, 0, CNODE, 0, 0, first, 128),
		 0);
	CHECK_EQ(
	    septa_untyped_retype(ut, SEPTA_OBJ_ENDPOINT, 0, CNODE, 0, 0, first + 128, 1),
	    SEPTA_E_NO_MEMORY);
	CHECK_EQ(probe(first + 128), SEPTA_E_MISSING_CAP);
}

void test_bad_untyped_retype_no_memory_object_larger(void)
{
	uint64_t ut = sub_ut(UT_BITS), s = slot();

	CHECK(ut);
	/* A TCB fits twice in 4 KiB; a 2 MiB frame does not. */
	CHECK_EQ(septa_untyped_retype(ut, SEPTA_OBJ_FRAME_2M, 0, CNODE, 0, 0, s, 1),
		 SEPTA_E_NO_MEMORY);
	CHECK_EQ(
	    septa_untyped_retype(ut, SEPTA_OBJ_UNTYPED, UT_BITS + 1, CNODE, 0, 0, s, 1),
	    SEPTA_E_NO_MEMORY);
	CHECK_EQ(refused_then_whole(ut, s), SEPTA_OK);
}

void test_bad_untyped_retype_no_memory_count_overflow(void)
{
	uint64_t first = slots(256);

	/* 256 frames of 1 GiB from 4 MiB: count << bits must not wrap. */
	CHECK_EQ(
	    septa_untyped_retype(ct.ut, SEPTA_OBJ_FRAME_1G, 0, CNODE, 0, 0, first, 256),
	    SEPTA_E_NO_MEMORY);
	CHECK_EQ(probe(first), SEPTA_E_MISSING_CAP);
	CHECK_EQ(ut_whole(ct.ut, 22), SEPTA_OK);
}

void test_bad_untyped_retype_no_memory_alignment(void)
{
	uint64_t ut = sub_ut(UT_BITS), s = slot();

	CHECK(ut);
	/* One endpoint used: a TCB goes at 2 KiB, a second no longer fits. */
	CHECK_EQ(septa_untyped_retype(ut, SEPTA_OBJ_ENDPOINT, 0, CNODE, 0, 0, s, 1), 0);
	CHECK_EQ(septa_untyped_retype(ut, SEPTA_OBJ_TCB, 0, CNODE, 0, 0, slot(), 1), 0);
	s = slot();
	CHECK_EQ(septa_untyped_retype(ut, SEPTA_OBJ_TCB, 0, CNODE, 0, 0, s, 1),
		 SEPTA_E_NO_MEMORY);
	CHECK_EQ(probe(s), SEPTA_E_MISSING_CAP);
}
