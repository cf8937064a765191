/* memsrv's audit against the kernel's view: clean when nothing is off, and
 * each kind of difference a client can make is found. */
#include "memtest.h"

#define XA 0x40000000ULL
#define XS 0x60000000ULL

void test_audit_clean(void)
{
	struct memsrv_audit a;

	CHECK_EQ(memsrv_audit(EP, &a), MEMSRV_OK);
	CHECK_EQ(a.differences, 0);
	/* memtest's image, stack, heap, buffer, boot info and B's probe page */
	CHECK(a.checked > 300);
}

void test_audit_finds_wrong_rights(void)
{
	struct memsrv_audit a;
	uint64_t pa;

	CHECK_EQ(memsrv_alloc(EP, 1, 1, XA, MEMSRV_RW, &pa), MEMSRV_OK);
	/* memtest holds its VSpace: it can take rights memsrv gave. */
	CHECK_EQ(septa_vspace_protect(MY_VS, XA, PAGE, SEPTA_MAP_R, 0, NULL, NULL), 0);
	CHECK_EQ(memsrv_audit(EP, &a), MEMSRV_OK);
	CHECK_EQ(a.differences, 1);
	CHECK_EQ(a.kind, MEMSRV_AUDIT_RIGHTS);
	CHECK_EQ(a.client, mt.me);
	CHECK_EQ(a.ipa, XA);
	CHECK_EQ(memsrv_free(EP, pa, 1), MEMSRV_OK);
	CHECK_EQ(memsrv_audit(EP, &a), MEMSRV_OK);
	CHECK_EQ(a.differences, 0);
}

static uint64_t new_table(void *arg)
{
	(void)arg;
	return mk(SEPTA_OBJ_PAGE_TABLE, 0);
}

static const struct septa_table_source tables = {new_table, NULL, NULL};

/* A frame from memtest's own Untyped, mapped by memtest itself, is
 * memtest's memory: no grant, and no difference either. (A client has no
 * way to map memsrv's memory without a grant; the audit's check for such
 * stray mappings guards against bugs in memsrv and the kernel.) */
void test_audit_own_frames_not_stray(void)
{
	struct memsrv_audit a, before;
	uint64_t f = mk(SEPTA_OBJ_FRAME_4K, 0), fpa;

	CHECK(f);
	CHECK_EQ(memsrv_audit(EP, &before), MEMSRV_OK);
	CHECK_EQ(septa_frame_map_with_tables(f, MY_VS, XS, SEPTA_MAP_R | SEPTA_MAP_W,
					     SEPTA_OWNED, &tables, NULL),
		 0);
	CHECK_EQ(septa_frame_get_address(f, &fpa), 0);
	CHECK_EQ(pa_of(MY_VS, XS), fpa);
	CHECK_EQ(memsrv_audit(EP, &a), MEMSRV_OK);
	CHECK_EQ(a.differences, 0);
	CHECK_EQ(a.checked, before.checked);
	CHECK_EQ(septa_cnode_delete(MEMSRV_CAP_CNODE, f, 64), 0);
}
