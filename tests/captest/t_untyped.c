/* Untyped retype: arguments, destinations, accounting and reuse. */
#include <bootfmt/bootarc.h>
#include <bootfmt/elf64.h>
#include <string.h>
#include "captest.h"

static long retype(unsigned type, unsigned bits, uint64_t offset, unsigned count)
{
	return septa_untyped_retype(ct.ut, type, bits, CNODE, 0, 0, offset, count);
}

/* captest.h */
uint64_t frame_pa(uint64_t f)
{
	uint64_t pa = 0;
	long err = septa_frame_get_address(f, &pa);

	if (err)
		harness_fail(__FILE__, __LINE__, "septa_frame_get_address(f, &pa)", err,
			     0);
	return err ? 0 : pa;
}

void test_retype_each_type(void)
{
	CHECK(mk(SEPTA_OBJ_ENDPOINT, 0));
	CHECK(mk(SEPTA_OBJ_NOTIFICATION, 0));
	CHECK(mk(SEPTA_OBJ_TCB, 0));
	CHECK(mk(SEPTA_OBJ_CNODE, 3));
	CHECK(mk(SEPTA_OBJ_FRAME_4K, 0));
	CHECK(mk(SEPTA_OBJ_UNTYPED, 12));
	CHECK(mk(SEPTA_OBJ_FRAME_2M, 0)); /* the upper half of the 4 MiB */
}

void test_retype_many(void)
{
	uint64_t s = slot();

	for (int i = 0; i < 15; i++)
		slot();
	CHECK_EQ(retype(SEPTA_OBJ_ENDPOINT, 0, s, 16), 0);
	for (int i = 0; i < 16; i++) {
		struct septa_msg m = {0};
		CHECK_EQ(septa_nbsend(s + i, &m), SEPTA_E_WOULD_BLOCK);
	}
}

void test_retype_bad_count(void)
{
	CHECK_EQ(retype(SEPTA_OBJ_ENDPOINT, 0, slot(), 0), SEPTA_E_RANGE);
	CHECK_EQ(retype(SEPTA_OBJ_ENDPOINT, 0, slot(), 257), SEPTA_E_RANGE);
}

void test_retype_bad_type(void)
{
	CHECK_EQ(retype(0, 0, slot(), 1), SEPTA_E_ARG);
	CHECK_EQ(retype(99, 0, slot(), 1), SEPTA_E_ARG);
}

void test_retype_bad_sizes(void)
{
	CHECK_EQ(retype(SEPTA_OBJ_CNODE, 0, slot(), 1), SEPTA_E_SIZE);
	CHECK_EQ(retype(SEPTA_OBJ_CNODE, 21, slot(), 1), SEPTA_E_SIZE);
	CHECK_EQ(retype(SEPTA_OBJ_UNTYPED, 3, slot(), 1), SEPTA_E_SIZE);
	CHECK_EQ(retype(SEPTA_OBJ_UNTYPED, 48, slot(), 1), SEPTA_E_SIZE);
	CHECK_EQ(retype(SEPTA_OBJ_UNTYPED, 200, slot(), 1), SEPTA_E_SIZE);
}

void test_retype_dest_out_of_range(void)
{
	CHECK_EQ(retype(SEPTA_OBJ_ENDPOINT, 0, 1u << SEPTA_ROOT_CNODE_BITS, 1),
		 SEPTA_E_RANGE);
	CHECK_EQ(retype(SEPTA_OBJ_ENDPOINT, 0, (1u << SEPTA_ROOT_CNODE_BITS) - 1, 2),
		 SEPTA_E_RANGE);
}

void test_retype_dest_occupied_changes_nothing(void)
{
	uint64_t busy = mk(SEPTA_OBJ_ENDPOINT, 0), f1 = mk(SEPTA_OBJ_FRAME_4K, 0), f2;

	CHECK_EQ(retype(SEPTA_OBJ_FRAME_4K, 0, busy, 1), SEPTA_E_DELETE_FIRST);
	/* Nothing was used: the next frame directly follows the first. */
	f2 = mk(SEPTA_OBJ_FRAME_4K, 0);
	CHECK_EQ(frame_pa(f2), frame_pa(f1) + 4096);
}

void test_retype_full_cnode(void)
{
	uint64_t c = mk(SEPTA_OBJ_CNODE, 1), cg = slot();

	CHECK_EQ(
	    septa_cnode_mint(CNODE, cg, DEPTH, CNODE, c, DEPTH, SEPTA_RIGHTS_ALL, 63), 0);
	CHECK_EQ(
	    septa_untyped_retype(ct.ut, SEPTA_OBJ_ENDPOINT, 0, CNODE, cg, DEPTH, 0, 2),
	    0);
	CHECK_EQ(
	    septa_untyped_retype(ct.ut, SEPTA_OBJ_ENDPOINT, 0, CNODE, cg, DEPTH, 1, 1),
	    SEPTA_E_DELETE_FIRST);
	CHECK_EQ(
	    septa_untyped_retype(ct.ut, SEPTA_OBJ_ENDPOINT, 0, CNODE, cg, DEPTH, 2, 1),
	    SEPTA_E_RANGE);
}

void test_retype_exhausted(void)
{
	uint64_t small = mk(SEPTA_OBJ_UNTYPED, 12);
	uint64_t a = slot(), b = slot();

	CHECK(small);
	CHECK_EQ(septa_untyped_retype(small, SEPTA_OBJ_FRAME_4K, 0, CNODE, 0, 0, a, 2),
		 SEPTA_E_NO_MEMORY);
	CHECK_EQ(septa_untyped_retype(small, SEPTA_OBJ_FRAME_4K, 0, CNODE, 0, 0, a, 1),
		 0);
	CHECK_EQ(septa_untyped_retype(small, SEPTA_OBJ_ENDPOINT, 0, CNODE, 0, 0, b, 1),
		 SEPTA_E_NO_MEMORY);
}

void test_retype_too_big_for_untyped(void)
{
	uint64_t small = mk(SEPTA_OBJ_UNTYPED, 12);

	CHECK_EQ(septa_untyped_retype(small, SEPTA_OBJ_TCB, 0, CNODE, 0, 0, slot(), 1),
		 0);
	CHECK_EQ(
	    septa_untyped_retype(small, SEPTA_OBJ_FRAME_2M, 0, CNODE, 0, 0, slot(), 1),
	    SEPTA_E_NO_MEMORY);
}

void test_retype_alignment(void)
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0), f = mk(SEPTA_OBJ_FRAME_2M, 0);

	CHECK(ep && f);
	CHECK_EQ(frame_pa(f) & ((1u << 21) - 1), 0);
}

void test_revoke_untyped_reuses(void)
{
	uint64_t sub = mk(SEPTA_OBJ_UNTYPED, 16), a = slot(), b = slot();
	uint64_t first;

	CHECK_EQ(septa_untyped_retype(sub, SEPTA_OBJ_FRAME_4K, 0, CNODE, 0, 0, a, 1), 0);
	first = frame_pa(a);
	CHECK_EQ(septa_cnode_revoke(CNODE, sub, DEPTH), 0);
	CHECK_EQ(septa_frame_get_address(a, &first) == SEPTA_E_MISSING_CAP, 1);
	CHECK_EQ(septa_untyped_retype(sub, SEPTA_OBJ_FRAME_4K, 0, CNODE, 0, 0, b, 1), 0);
	CHECK_EQ(frame_pa(b), first); /* all of it was free again */
}

void test_untyped_with_children_keeps_going(void)
{
	uint64_t sub = mk(SEPTA_OBJ_UNTYPED, 16), a = slot(), b = slot(), c = slot();
	uint64_t pa_a, pa_c;

	CHECK_EQ(septa_untyped_retype(sub, SEPTA_OBJ_FRAME_4K, 0, CNODE, 0, 0, a, 1), 0);
	CHECK_EQ(septa_untyped_retype(sub, SEPTA_OBJ_FRAME_4K, 0, CNODE, 0, 0, b, 1), 0);
	pa_a = frame_pa(a);
	CHECK_EQ(septa_cnode_delete(CNODE, a, DEPTH), 0);
	CHECK_EQ(septa_untyped_retype(sub, SEPTA_OBJ_FRAME_4K, 0, CNODE, 0, 0, c, 1), 0);
	pa_c = frame_pa(c);
	CHECK_EQ(pa_c, pa_a + 2 * 4096);
}

void test_retype_needs_cnode(void)
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0);
	struct septa_msg m = {.info = septa_msginfo(SEPTA_UNTYPED_RETYPE, 0, 6)};

	CHECK_EQ(septa_call(ct.ut, &m), SEPTA_E_EXTRA_CAPS);
	CHECK_EQ(septa_untyped_retype(ct.ut, SEPTA_OBJ_ENDPOINT, 0, ep, 0, 0, slot(), 1),
		 SEPTA_E_CAP_TYPE);
	CHECK_EQ(
	    septa_untyped_retype(ct.ut, SEPTA_OBJ_ENDPOINT, 0, CNODE, ep, DEPTH, 0, 1),
	    SEPTA_E_CAP_TYPE);
	m.info = septa_msginfo(SEPTA_UNTYPED_RETYPE, 0, 3);
	CHECK_EQ(septa_call(ct.ut, &m), SEPTA_E_ARG);
}

void test_new_tcb_is_blank(void)
{
	uint64_t t = mk(SEPTA_OBJ_TCB, 0), regs[33];

	CHECK_EQ(septa_tcb_read_registers(t, 33, regs), 0);
	for (int i = 0; i < 33; i++)
		CHECK_EQ(regs[i], 0);
	CHECK_EQ(septa_tcb_resume(t), SEPTA_E_STATE); /* not configured */
}

void test_device_untyped(void)
{
	unsigned dev = bi->untyped_count;
	uint64_t f = slot(), pa = 0;

	for (unsigned i = 0; i < bi->untyped_count; i++)
		if (bi->untyped[i].is_device)
			dev = i;
	CHECK(dev < bi->untyped_count);
	CHECK_EQ(septa_untyped_retype(bi->untyped_slot + dev, SEPTA_OBJ_TCB, 0, CNODE, 0,
				      0, slot(), 1),
		 SEPTA_E_ARG);
	CHECK_EQ(septa_untyped_retype(bi->untyped_slot + dev, SEPTA_OBJ_FRAME_4K, 0,
				      CNODE, 0, 0, f, 1),
		 0);
	CHECK_EQ(septa_frame_get_address(f, &pa), 0);
	CHECK_EQ(pa, bi->untyped[dev].paddr);
	/* Give the device memory back for whoever runs next. */
	CHECK_EQ(septa_cnode_revoke(CNODE, bi->untyped_slot + dev, DEPTH), 0);
}

/* The kernel hands the boot modules over read-only: the archive checks out
 * with the same reader, and its root module is this very program. */
void test_boot_modules(void)
{
	struct bootarc arc;
	struct bootarc_module m;
	struct elf64_image img;

	CHECK(bi->modules_size > 0);
	CHECK_EQ(bootarc_open(&arc, (const void *)(uintptr_t)bi->modules_base,
			      bi->modules_size),
		 BOOTARC_OK);
	CHECK_EQ(bootarc_root(&arc, &m), BOOTARC_OK);
	CHECK_EQ(strcmp(m.name, bi->root_name), 0);
	CHECK_EQ(elf64_open(&img, m.data, m.size), ELF64_OK);
	CHECK_EQ(img.entry, SEPTA_ROOT_IMAGE_BASE);
}

/* The archive's frames: a read-only 2 MiB capability for each frame the
 * kernel mapped at modules_base, and no mapping of one, or of a copy with
 * every right asked for, can be writable. */
void test_boot_archive_frames(void)
{
	const uint64_t frame = 1ULL << SEPTA_ARCHIVE_FRAME_BITS;
	uint64_t vs = mk(SEPTA_OBJ_VSPACE, 32), copy = slot(), f, pa, q[4];

	CHECK(vs && copy);
	CHECK_EQ(bi->modules_frames, (bi->modules_size + frame - 1) / frame);
	CHECK_EQ(bi->modules_paddr % frame, 0);
	for (uint32_t i = 0; i < bi->modules_frames; i++) {
		f = bi->modules_frames_slot + i;
		CHECK_EQ(septa_frame_get_address(f, &pa), 0);
		CHECK_EQ(pa, bi->modules_paddr + i * frame);
		CHECK_EQ(septa_vspace_query(VSPACE, bi->modules_base + i * frame, q), 0);
		CHECK_EQ(q[0], pa);
		CHECK_EQ(q[2], SEPTA_MAP_R);
	}
	f = bi->modules_frames_slot;
	CHECK_EQ(septa_frame_map(f, vs, 0, SEPTA_MAP_R | SEPTA_MAP_W, SEPTA_OWNED, 0,
				 NULL, NULL),
		 SEPTA_E_RIGHTS);
	CHECK_EQ(septa_cnode_copy(CNODE, copy, DEPTH, CNODE, f, DEPTH, SEPTA_RIGHTS_ALL),
		 0);
	CHECK_EQ(septa_frame_map(copy, vs, 0, SEPTA_MAP_R | SEPTA_MAP_W, SEPTA_OWNED, 0,
				 NULL, NULL),
		 SEPTA_E_RIGHTS);
	CHECK_EQ(septa_frame_map(copy, vs, 0, SEPTA_MAP_R, SEPTA_OWNED, 0, NULL, NULL),
		 0);
	CHECK_EQ(septa_vspace_query(vs, 0, q), 0);
	CHECK_EQ(q[0], bi->modules_paddr);
	CHECK_EQ(q[1], 2); /* a block */
	CHECK_EQ(q[2], SEPTA_MAP_R);
	CHECK_EQ(septa_cnode_delete(CNODE, copy, DEPTH), 0);
}

/* The PageTables a test's map made, deleted (unmapping them) when done. */
static uint64_t made_tables[4];
static unsigned nmade;

static uint64_t make_table(void *arg)
{
	uint64_t pt = nmade < 4 ? mk(SEPTA_OBJ_PAGE_TABLE, 0) : 0;

	(void)arg;
	if (pt)
		made_tables[nmade++] = pt;
	return pt;
}

/* Objects are cleared when they are made, not when their memory becomes a
 * child Untyped (nobody sees into an Untyped): a frame made from a child
 * Untyped over memory a frame before it dirtied reads zero. */
void test_frame_from_child_untyped_reads_zero(void)
{
	static const struct septa_table_source tables = {make_table, NULL, NULL};
	const uint64_t ipa = UNMAPPED_IPA + 0x200000, n = 4096 / sizeof(uint64_t);
	volatile uint64_t *p = (volatile uint64_t *)ipa;
	uint64_t sub = mk(SEPTA_OBJ_UNTYPED, 12), f = slot(), child = slot(), dirty = 0;

	nmade = 0;
	CHECK_EQ(septa_untyped_retype(sub, SEPTA_OBJ_FRAME_4K, 0, CNODE, 0, 0, f, 1), 0);
	CHECK_EQ(septa_frame_map_with_tables(f, VSPACE, ipa, SEPTA_MAP_R | SEPTA_MAP_W,
					     SEPTA_OWNED, &tables, NULL),
		 0);
	for (uint64_t i = 0; i < n; i++)
		p[i] = ~i;
	CHECK_EQ(septa_cnode_revoke(CNODE, sub, DEPTH), 0); /* the frame goes */
	CHECK_EQ(septa_untyped_retype(sub, SEPTA_OBJ_UNTYPED, 12, CNODE, 0, 0, child, 1),
		 0);
	CHECK_EQ(septa_untyped_retype(child, SEPTA_OBJ_FRAME_4K, 0, CNODE, 0, 0, f, 1),
		 0);
	CHECK_EQ(septa_frame_map(f, VSPACE, ipa, SEPTA_MAP_R, SEPTA_OWNED, 0, NULL, NULL),
		 0);
	for (uint64_t i = 0; i < n; i++)
		dirty += p[i] != 0;
	CHECK_EQ(dirty, 0);
	CHECK_EQ(septa_cnode_revoke(CNODE, sub, DEPTH), 0);
	for (unsigned i = 0; i < nmade; i++)
		CHECK_EQ(septa_cnode_delete(CNODE, made_tables[i], DEPTH), 0);
}
