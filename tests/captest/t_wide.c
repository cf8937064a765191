/*
 * The library's stubs pass every argument at the full 64 bits of its
 * message register, so what a caller gives is what the kernel checks:
 * a value with high bits set is refused, not cut to its low 32 bits
 * (which would make 2^32 + 5 a valid priority 5 or depth 5).
 */
#include "t_hostile.h"

/* Read at run time, as a value from a message or a file would be, so no
 * compiler warning about a constant that does not fit stands in for the
 * check. */
static volatile uint64_t high_bit = 1ull << 32;
#define HIGH high_bit

void test_wide_priority_is_refused(void)
{
	uint64_t t = mk(SEPTA_OBJ_TCB, 0);

	CHECK(t);
	CHECK_EQ(septa_tcb_set_priority(t, HIGH | 5), SEPTA_E_RANGE);
	CHECK_EQ(septa_tcb_set_mcp(t, HIGH | 5), SEPTA_E_RANGE);
	CHECK_EQ(septa_tcb_set_priority(t, 5), 0);
}

void test_wide_depth_is_refused(void)
{
	uint64_t s = slot();

	CHECK(s);
	CHECK_EQ(septa_cnode_copy(CNODE, s, HIGH | DEPTH, CNODE, CNODE, DEPTH,
				  SEPTA_RIGHTS_ALL),
		 SEPTA_E_DEPTH);
	CHECK_EQ(probe(s), SEPTA_E_MISSING_CAP);
	CHECK_EQ(septa_cnode_copy(CNODE, s, DEPTH, CNODE, CNODE, DEPTH, SEPTA_RIGHTS_ALL),
		 0);
	CHECK_EQ(septa_cnode_delete(CNODE, s, DEPTH), 0);
}

void test_wide_object_type_is_refused(void)
{
	uint64_t s = slot();

	CHECK(s);
	CHECK_EQ(septa_untyped_retype(ct.ut, HIGH | SEPTA_OBJ_TCB, 0, CNODE, 0, 0, s, 1),
		 SEPTA_E_ARG);
	CHECK_EQ(probe(s), SEPTA_E_MISSING_CAP);
}
