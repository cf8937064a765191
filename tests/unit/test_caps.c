/* Capabilities and objects on the host: the kernel's own decode/invoke
 * code over fake memory, driven the way a thread's Call would drive it. */
#include <core/sched.h>
#include <object/cap.h>
#include <object/cspace.h>
#include <object/delete.h>
#include <object/invoke.h>
#include <stdlib.h>
#include <string.h>
#include "kfix.h"
#include "tests.h"

#define ROOT_SLOTS (1u << KFIX_ROOT_BITS)

/* The memory objects' edges (test_caps_mem.c), in this suite. */
void caps_mem_tests(CU_pSuite s);

static void test_lookup_errors(void)
{
	struct cte *s;
	struct cap not_cnode = {.type = CAP_ENDPOINT};

	kfix_reset();
	CU_ASSERT_EQUAL(cspace_lookup_cap(&not_cnode, 1, &s), SEPTA_E_INVALID_ROOT);
	CU_ASSERT_EQUAL(cspace_lookup_cap(&kf.root_cap, 7, &s), SEPTA_E_MISSING_CAP);
	CU_ASSERT_EQUAL(cspace_lookup_cap(&kf.root_cap, 1ULL << 40, &s), SEPTA_E_GUARD);
	CU_ASSERT_EQUAL(cspace_lookup_slot(&kf.root_cap, 1, 0, &s), SEPTA_E_DEPTH);
	CU_ASSERT_EQUAL(cspace_lookup_slot(&kf.root_cap, 1, 65, &s), SEPTA_E_DEPTH);
	CU_ASSERT_EQUAL(cspace_lookup_slot(&kf.root_cap, 1, 63, &s), SEPTA_E_DEPTH);
	CU_ASSERT_EQUAL(cspace_lookup_slot(&kf.root_cap, 1, 64, &s), SEPTA_OK);
	CU_ASSERT_PTR_EQUAL(s, &kf.root[1]);
}

static void test_retype_and_accounting(void)
{
	kfix_reset();
	CU_ASSERT_EQUAL(kfix_retype(SEPTA_OBJ_ENDPOINT, 0, 10, 4), SEPTA_OK);
	CU_ASSERT_EQUAL(kf.root[10].cap.type, CAP_ENDPOINT);
	CU_ASSERT_EQUAL(kf.root[13].cap.obj - kf.root[10].cap.obj,
			3u << SEPTA_ENDPOINT_BITS);
	CU_ASSERT_EQUAL(kf.root[kf.ut_slot].cap.word, 4u << SEPTA_ENDPOINT_BITS);
	/* A frame goes to the next 4 KiB boundary. */
	CU_ASSERT_EQUAL(kfix_retype(SEPTA_OBJ_FRAME_4K, 0, 14, 1), SEPTA_OK);
	CU_ASSERT_EQUAL(kf.root[14].cap.obj, (uintptr_t)kf.ut_mem + 4096);
	CU_ASSERT_EQUAL(kfix_retype(SEPTA_OBJ_FRAME_2M, 0, 15, 2), SEPTA_E_NO_MEMORY);
	CU_ASSERT_EQUAL(kf.root[15].cap.type, CAP_NULL);
	/* Revoke returns everything; the next object starts at the base. */
	CU_ASSERT_EQUAL(kfix_revoke(kf.ut_slot), SEPTA_OK);
	CU_ASSERT_EQUAL(kf.root[10].cap.type, CAP_NULL);
	CU_ASSERT_EQUAL(kfix_retype(SEPTA_OBJ_FRAME_2M, 0, 15, 2), SEPTA_OK);
	CU_ASSERT_EQUAL(kf.root[15].cap.obj, (uintptr_t)kf.ut_mem);
	CU_ASSERT_EQUAL(kfix_tree_problems(), 0);
}

static uint64_t nonzero_bytes(const void *p, uint64_t n)
{
	uint64_t bad = 0;

	for (uint64_t i = 0; i < n; i++)
		bad += ((const uint8_t *)p)[i] != 0;
	return bad;
}

/* A 2 MiB frame is zeroed 256 KiB a kernel entry: the call restarts eight
 * times, and what another retype or a revoke does between the steps
 * leaves it zero. */
static void test_retype_zeroes_in_steps(void)
{
	uint8_t *mem;

	kfix_reset();
	mem = kf.ut_mem;
	memset(mem, 0xab, 1u << KFIX_UT_BITS);
	CU_ASSERT_EQUAL(kfix_retype(SEPTA_OBJ_FRAME_2M, 0, 10, 1), SEPTA_OK);
	CU_ASSERT_EQUAL(kf.steps, 9);
	CU_ASSERT_EQUAL(kf.root[10].cap.obj, (uintptr_t)mem);
	CU_ASSERT_EQUAL(nonzero_bytes(mem, 2u << 20), 0);
	CU_ASSERT_EQUAL(nonzero_bytes(mem + (2u << 20), 1), 1); /* not beyond */
	/* Three steps, then a revoke: what they zeroed is kept. */
	memset(mem, 0xcd, 2u << 20);
	CU_ASSERT_EQUAL(kfix_revoke(kf.ut_slot), SEPTA_OK);
	kf.step_limit = 3;
	CU_ASSERT_EQUAL(kfix_retype(SEPTA_OBJ_FRAME_2M, 0, 10, 1), INV_RESTART);
	CU_ASSERT_EQUAL(kf.root[10].cap.type, CAP_NULL);
	CU_ASSERT_EQUAL(kfix_revoke(kf.ut_slot), SEPTA_OK);
	kf.step_limit = 0;
	CU_ASSERT_EQUAL(kfix_retype(SEPTA_OBJ_FRAME_2M, 0, 10, 1), SEPTA_OK);
	CU_ASSERT_EQUAL(kf.steps, 6);
	CU_ASSERT_EQUAL(nonzero_bytes(mem, 2u << 20), 0);
	/* Two steps, then an endpoint from the same Untyped (at its base, in
	 * what is zero) and a frame dirtied after it: the big frame goes on
	 * at 2 MiB and is zero, and the small ones are where they were. */
	CU_ASSERT_EQUAL(kfix_revoke(kf.ut_slot), SEPTA_OK);
	memset(mem, 0xef, 1u << KFIX_UT_BITS);
	kf.step_limit = 2;
	CU_ASSERT_EQUAL(kfix_retype(SEPTA_OBJ_FRAME_2M, 0, 10, 1), INV_RESTART);
	kf.step_limit = 0;
	CU_ASSERT_EQUAL(kfix_retype(SEPTA_OBJ_ENDPOINT, 0, 11, 1), SEPTA_OK);
	CU_ASSERT_EQUAL(kf.root[11].cap.obj, (uintptr_t)mem);
	CU_ASSERT_EQUAL(kfix_retype(SEPTA_OBJ_FRAME_4K, 0, 12, 1), SEPTA_OK);
	CU_ASSERT_EQUAL(kf.root[12].cap.obj, (uintptr_t)mem + 4096);
	memset(mem + 4096, 0x11, 4096);
	CU_ASSERT_EQUAL(kfix_retype(SEPTA_OBJ_FRAME_2M, 0, 10, 1), SEPTA_OK);
	CU_ASSERT_EQUAL(kf.root[10].cap.obj, (uintptr_t)mem + (2u << 20));
	CU_ASSERT_EQUAL(nonzero_bytes(mem + (2u << 20), 2u << 20), 0);
	CU_ASSERT_EQUAL(kfix_tree_problems(), 0);
}

static void test_device_untyped_only_frames(void)
{
	kfix_reset();
	kf.root[kf.ut_slot].cap.flags |= CAP_F_DEVICE;
	memset(kf.ut_mem, 0xab, 4096);
	CU_ASSERT_EQUAL(kfix_retype(SEPTA_OBJ_TCB, 0, 10, 1), SEPTA_E_ARG);
	CU_ASSERT_EQUAL(kfix_retype(SEPTA_OBJ_FRAME_4K, 0, 10, 1), SEPTA_OK);
	CU_ASSERT(kf.root[10].cap.flags & CAP_F_DEVICE);
	/* Device memory is never cleared by the kernel. */
	CU_ASSERT_EQUAL(((uint8_t *)kf.ut_mem)[0], 0xab);
}

static long retype_from(uint64_t ut, unsigned type, unsigned bits, uint64_t slot,
			unsigned count)
{
	uint64_t root = 0, a[] = {type, bits, 0, 0, slot, count};

	return kfix_call(ut, SEPTA_UNTYPED_RETYPE, 1, &root, 6, a);
}

/* An Untyped whose deletion (or its parent's revoke) has handed all its
 * children up and stopped between steps is still an Untyped, without
 * children: a retype from it, by another thread between the steps, must
 * not make objects over theirs. */
static void check_emptied_untyped(void)
{
	CU_ASSERT_EQUAL(kf.root[10].cap.type, CAP_UNTYPED);
	CU_ASSERT_PTR_NULL(kf.root[10].first_child);
	CU_ASSERT_EQUAL(kf.root[20].cap.type, CAP_ENDPOINT);
	CU_ASSERT_EQUAL(retype_from(10, SEPTA_OBJ_ENDPOINT, 0, 200, 1), SEPTA_E_ZOMBIE);
	CU_ASSERT_EQUAL(kf.root[200].cap.type, CAP_NULL);
	CU_ASSERT_EQUAL(kfix_tree_problems(), 0);
}

static void test_untyped_handed_on_children(void)
{
	/* Deleting C, 2 KiB filled by 64 endpoints: one step hands them all
	 * up to the root Untyped. */
	kfix_reset();
	CU_ASSERT_EQUAL(kfix_retype(SEPTA_OBJ_UNTYPED, 11, 10, 1), SEPTA_OK);
	CU_ASSERT_EQUAL(retype_from(10, SEPTA_OBJ_ENDPOINT, 0, 20, 64), SEPTA_OK);
	CU_ASSERT_EQUAL(retype_from(10, SEPTA_OBJ_ENDPOINT, 0, 200, 1),
			SEPTA_E_NO_MEMORY);
	kf.step_limit = 1;
	CU_ASSERT_EQUAL(kfix_delete(10), INV_RESTART);
	kf.step_limit = 0;
	check_emptied_untyped();
	CU_ASSERT_EQUAL(kfix_delete(10), SEPTA_OK);
	CU_ASSERT_EQUAL(kfix_tree_problems(), 0);
	/* Revoking the root Untyped: an endpoint X with 62 copies goes first
	 * (63 units), then C hands its one endpoint up with the step's last. */
	kfix_reset();
	CU_ASSERT_EQUAL(kfix_retype(SEPTA_OBJ_UNTYPED, 11, 10, 1), SEPTA_OK);
	CU_ASSERT_EQUAL(retype_from(10, SEPTA_OBJ_ENDPOINT, 0, 20, 1), SEPTA_OK);
	CU_ASSERT_EQUAL(kfix_retype(SEPTA_OBJ_ENDPOINT, 0, 30, 1), SEPTA_OK);
	for (unsigned i = 0; i < 62; i++)
		CU_ASSERT_EQUAL(kfix_copy(31 + i, 30, SEPTA_RIGHTS_ALL), SEPTA_OK);
	kf.step_limit = 1;
	CU_ASSERT_EQUAL(kfix_revoke(kf.ut_slot), INV_RESTART);
	kf.step_limit = 0;
	check_emptied_untyped();
	CU_ASSERT_EQUAL(kfix_revoke(kf.ut_slot), SEPTA_OK);
	CU_ASSERT_EQUAL(kf.root[10].cap.type, CAP_NULL);
	CU_ASSERT_EQUAL(kfix_tree_problems(), 0);
}

static void test_final_capability(void)
{
	kfix_reset();
	CU_ASSERT_EQUAL(kfix_retype(SEPTA_OBJ_ENDPOINT, 0, 10, 1), SEPTA_OK);
	CU_ASSERT(cdt_is_final(&kf.root[10]));
	CU_ASSERT_EQUAL(kfix_copy(11, 10, SEPTA_RIGHTS_ALL), SEPTA_OK);
	CU_ASSERT(!cdt_is_final(&kf.root[10]));
	CU_ASSERT(!cdt_is_final(&kf.root[11]));
	/* Deleting the middle of a chain hands its children to its parent. */
	CU_ASSERT_EQUAL(kfix_copy(12, 11, SEPTA_RIGHTS_ALL), SEPTA_OK);
	CU_ASSERT_EQUAL(kfix_delete(11), SEPTA_OK);
	CU_ASSERT_PTR_EQUAL(kf.root[12].parent, &kf.root[10]);
	CU_ASSERT_EQUAL(kfix_delete(10), SEPTA_OK);
	CU_ASSERT(cdt_is_final(&kf.root[12]));
	CU_ASSERT_EQUAL(kfix_tree_problems(), 0);
}

/* A CNode whose only capability sits inside another, nested n deep. */
static long nest(unsigned n)
{
	uint64_t root = 0;

	for (unsigned i = 0; i < n; i++) {
		uint64_t a[] = {SEPTA_OBJ_CNODE, 2, 0, 0, 20 + i, 1};

		if (kfix_call(kf.ut_slot, SEPTA_UNTYPED_RETYPE, 1, &root, 6, a))
			return -1;
	}
	/* Move each CNode's capability into slot 0 of the one before it. */
	for (unsigned i = n - 1; i > 0; i--) {
		struct cte *outer = (struct cte *)(uintptr_t)kf.root[20 + i - 1].cap.obj;

		cdt_move(&outer[0], &kf.root[20 + i]);
	}
	return 0;
}

/* No depth limit: nested containers become zombies emptied in steps. */
static void test_delete_deep_nesting(void)
{
	static const unsigned depths[] = {15, 17, 40};

	for (unsigned i = 0; i < ARRAY_SIZE(depths); i++) {
		kfix_reset();
		CU_ASSERT_EQUAL_FATAL(nest(depths[i]), 0);
		CU_ASSERT_EQUAL(kfix_delete(20), SEPTA_OK);
		CU_ASSERT_EQUAL(kf.root[20].cap.type, CAP_NULL);
		/* Everything nested went with it: the Untyped has no children. */
		CU_ASSERT_PTR_NULL(kf.root[kf.ut_slot].first_child);
		CU_ASSERT_EQUAL(kfix_tree_problems(), 0);
	}
	kfix_reset();
	CU_ASSERT_EQUAL_FATAL(nest(40), 0);
	CU_ASSERT_EQUAL(kfix_revoke(kf.ut_slot), SEPTA_OK);
	CU_ASSERT_PTR_NULL(kf.root[kf.ut_slot].first_child);
	CU_ASSERT_EQUAL(kfix_tree_problems(), 0);
}

static struct cte *slots_of(uint64_t root_slot)
{
	return (struct cte *)(uintptr_t)kf.root[root_slot].cap.obj;
}

/* One step of deleting an empty 256-slot CNode does not finish it (a unit
 * per slot): its slot holds a zombie that lookups refuse. */
static void test_delete_step_leaves_zombie(void)
{
	struct cte *s;

	kfix_reset();
	CU_ASSERT_EQUAL(kfix_retype(SEPTA_OBJ_CNODE, 8, 20, 1), SEPTA_OK);
	CU_ASSERT_EQUAL(cap_delete(&kf.root[20]), INV_RESTART);
	CU_ASSERT_EQUAL(kf.root[20].cap.type, CAP_ZOMBIE);
	CU_ASSERT_EQUAL(cspace_lookup_cap(&kf.root_cap, 20, &s), SEPTA_E_ZOMBIE);
	CU_ASSERT_EQUAL(kfix_copy(21, 20, SEPTA_RIGHTS_ALL), SEPTA_E_ZOMBIE);
	CU_ASSERT_EQUAL(kfix_delete(20), SEPTA_OK);
	CU_ASSERT_EQUAL(kf.root[20].cap.type, CAP_NULL);
	CU_ASSERT_PTR_NULL(kf.root[kf.ut_slot].first_child);
}

/* A deletion left half done inside a CNode joins the deletion of that
 * CNode; a revoke meeting any zombie of a ring finishes the ring. */
static void test_half_done_deletions(void)
{
	struct cte *s;

	kfix_reset();
	CU_ASSERT_EQUAL(kfix_retype(SEPTA_OBJ_CNODE, 2, 21, 1), SEPTA_OK);
	CU_ASSERT_EQUAL(kfix_retype(SEPTA_OBJ_CNODE, 8, 20, 1), SEPTA_OK);
	cdt_move(&slots_of(21)[0], &kf.root[20]);
	CU_ASSERT_EQUAL(cap_delete(&slots_of(21)[0]), INV_RESTART);
	/* A path through the zombie ends there (2 bits of C, 8 of B). */
	CU_ASSERT_EQUAL(cspace_lookup_slot(&kf.root[21].cap, 5, 10, &s), SEPTA_E_ZOMBIE);
	CU_ASSERT_EQUAL(kfix_delete(21), SEPTA_OK);
	CU_ASSERT_PTR_NULL(kf.root[kf.ut_slot].first_child);
	CU_ASSERT_EQUAL(kfix_tree_problems(), 0);

	/* 256 slots (B) inside C inside D; the innermost retyped last, so
	 * the Untyped's first child is B's zombie once D's deletion starts:
	 * the root, moved into the slot the deletion is driven from. */
	kfix_reset();
	CU_ASSERT_EQUAL(kfix_retype(SEPTA_OBJ_CNODE, 2, 22, 1), SEPTA_OK);
	CU_ASSERT_EQUAL(kfix_retype(SEPTA_OBJ_CNODE, 2, 21, 1), SEPTA_OK);
	CU_ASSERT_EQUAL(kfix_retype(SEPTA_OBJ_CNODE, 8, 20, 1), SEPTA_OK);
	cdt_move(&slots_of(21)[3], &kf.root[20]);
	cdt_move(&slots_of(22)[3], &kf.root[21]);
	CU_ASSERT_EQUAL(cap_delete(&kf.root[22]), INV_RESTART);
	CU_ASSERT_EQUAL(kf.root[kf.ut_slot].first_child->cap.type, CAP_ZOMBIE);
	CU_ASSERT_PTR_EQUAL(kf.root[kf.ut_slot].first_child, &kf.root[22]);
	CU_ASSERT(kf.root[22].cap.flags & CAP_F_ROOT);
	CU_ASSERT_EQUAL(kfix_tree_problems(), 0);
	CU_ASSERT_EQUAL(kfix_revoke(kf.ut_slot), SEPTA_OK);
	CU_ASSERT_PTR_NULL(kf.root[kf.ut_slot].first_child);
	CU_ASSERT_EQUAL(kf.root[22].cap.type, CAP_NULL);
	CU_ASSERT_EQUAL(kfix_tree_problems(), 0);

	/* The outermost (D) retyped last: the revoke meets D's zombie, not
	 * the root, in D's own slot 3, and finishes the whole ring from it. */
	kfix_reset();
	CU_ASSERT_EQUAL(kfix_retype(SEPTA_OBJ_CNODE, 8, 20, 1), SEPTA_OK);
	CU_ASSERT_EQUAL(kfix_retype(SEPTA_OBJ_CNODE, 2, 21, 1), SEPTA_OK);
	CU_ASSERT_EQUAL(kfix_retype(SEPTA_OBJ_CNODE, 2, 22, 1), SEPTA_OK);
	cdt_move(&slots_of(21)[3], &kf.root[20]);
	cdt_move(&slots_of(22)[3], &kf.root[21]);
	s = &slots_of(22)[3];
	CU_ASSERT_EQUAL(cap_delete(&kf.root[22]), INV_RESTART);
	CU_ASSERT_PTR_EQUAL(kf.root[kf.ut_slot].first_child, s);
	CU_ASSERT_EQUAL(s->cap.type, CAP_ZOMBIE);
	CU_ASSERT_FALSE(s->cap.flags & CAP_F_ROOT);
	CU_ASSERT(kf.root[22].cap.flags & CAP_F_ROOT);
	CU_ASSERT_EQUAL(kfix_tree_problems(), 0);
	CU_ASSERT_EQUAL(kfix_revoke(kf.ut_slot), SEPTA_OK);
	CU_ASSERT_PTR_NULL(kf.root[kf.ut_slot].first_child);
	CU_ASSERT_EQUAL(kf.root[22].cap.type, CAP_NULL);
	CU_ASSERT_EQUAL(kfix_tree_problems(), 0);
}

/* Deleting an original with two copies leaves neither copy final. */
static void test_original_hands_on_copies(void)
{
	kfix_reset();
	CU_ASSERT_EQUAL(kfix_retype(SEPTA_OBJ_ENDPOINT, 0, 10, 1), SEPTA_OK);
	CU_ASSERT_EQUAL(kfix_copy(11, 10, SEPTA_RIGHTS_ALL), SEPTA_OK);
	CU_ASSERT_EQUAL(kfix_copy(12, 10, SEPTA_RIGHTS_ALL), SEPTA_OK);
	CU_ASSERT_EQUAL(kfix_delete(10), SEPTA_OK);
	CU_ASSERT(!cdt_is_final(&kf.root[11]));
	CU_ASSERT(!cdt_is_final(&kf.root[12]));
	CU_ASSERT_EQUAL(kfix_delete(12), SEPTA_OK);
	CU_ASSERT(cdt_is_final(&kf.root[11]));
	CU_ASSERT_EQUAL(kfix_tree_problems(), 0);
}

static void test_cnode_holding_itself(void)
{
	struct cte *inner;

	kfix_reset();
	CU_ASSERT_EQUAL(kfix_retype(SEPTA_OBJ_CNODE, 2, 20, 1), SEPTA_OK);
	CU_ASSERT_EQUAL(kfix_retype(SEPTA_OBJ_ENDPOINT, 0, 21, 1), SEPTA_OK);
	inner = (struct cte *)(uintptr_t)kf.root[20].cap.obj;
	cdt_move(&inner[1], &kf.root[21]);
	cdt_move(&inner[0], &kf.root[20]); /* its only capability, inside itself */
	CU_ASSERT_EQUAL(kfix_revoke(kf.ut_slot), SEPTA_OK);
	CU_ASSERT_PTR_NULL(kf.root[kf.ut_slot].first_child);
	CU_ASSERT_EQUAL(inner[1].cap.type, CAP_NULL);
	CU_ASSERT_EQUAL(kfix_tree_problems(), 0);
}

/* Random operations by random arguments; after each, the tree is sound and
 * a refused operation has changed nothing. */
static void test_random_operations(void)
{
	uint8_t *before = malloc(sizeof(struct cte) * ROOT_SLOTS);
	unsigned refused = 0, done = 0;

	kfix_reset();
	srand(1234);
	for (int step = 0; step < 20000; step++) {
		uint64_t a = 2 + (uint64_t)rand() % 40, b = 2 + (uint64_t)rand() % 40;
		uint64_t root = 0;
		long err;

		memcpy(before, kf.root, sizeof(struct cte) * ROOT_SLOTS);
		switch (rand() % 7) {
		case 0:
			err = kfix_retype(SEPTA_OBJ_ENDPOINT + (unsigned)rand() % 2, 0, a,
					  1 + (unsigned)rand() % 3);
			break;
		case 1:
			err = kfix_copy(a, b, (unsigned)rand() % 8);
			break;
		case 2: {
			uint64_t args[] = {a, 64, b, 64, 7, (uint64_t)rand() % 4};
			err = kfix_call(0, SEPTA_CNODE_MINT, 1, &root, 6, args);
			break;
		}
		case 3: {
			uint64_t args[] = {a, 64, b, 64};
			err = kfix_call(0, SEPTA_CNODE_MOVE, 1, &root, 4, args);
			break;
		}
		case 4:
			err = kfix_delete(a);
			break;
		case 5:
			err = kfix_revoke(a);
			break;
		default:
			err = rand() % 50 == 0 ? kfix_revoke(kf.ut_slot) : kfix_delete(b);
			break;
		}
		if (err) {
			refused++;
			if (memcmp(before, kf.root, sizeof(struct cte) * ROOT_SLOTS) !=
			    0) {
				CU_FAIL("a refused operation changed the CNode");
				break;
			}
		} else {
			done++;
		}
		if (kfix_tree_problems()) {
			CU_FAIL("derivation tree broken");
			break;
		}
	}
	CU_ASSERT(refused > 1000 && done > 1000);
	free(before);
}

/* Every invocation in septa/invocations.def: a message one register short
 * is refused with E_ARG, one capability short with E_EXTRA_CAPS. */
static void test_message_lengths(void)
{
#define INV_ENTRY(OBJ, NAME, name, label, ...)                                           \
	{label, SEPTA_INV_NMR(NAME), SEPTA_INV_NCAPS(NAME), CAP_##OBJ},
	static const struct {
		uint64_t label;
		unsigned nmr, ncaps, type;
	} invs[] = {SEPTA_INVOCATIONS(INV_ENTRY)};
#undef INV_ENTRY
	uint64_t slot_of[CAP_VCPU + 1] = {0}; /* the root CNode is at 0 */
	uint64_t args[SEPTA_MSG_MAX] = {0}, caps[SEPTA_MSG_MAX_CAPS] = {0};
	static const struct {
		unsigned obj, bits, type;
	} made[] = {{SEPTA_OBJ_TCB, 0, CAP_TCB},
		    {SEPTA_OBJ_FRAME_4K, 0, CAP_FRAME},
		    {SEPTA_OBJ_PAGE_TABLE, 0, CAP_PAGE_TABLE},
		    {SEPTA_OBJ_VSPACE, 32, CAP_VSPACE},
		    {SEPTA_OBJ_VCPU, 0, CAP_VCPU}};

	kfix_reset();
	slot_of[CAP_UNTYPED] = kf.ut_slot;
	for (unsigned i = 0; i < sizeof made / sizeof made[0]; i++) {
		CU_ASSERT_EQUAL(kfix_retype(made[i].obj, made[i].bits, 10 + i, 1),
				SEPTA_OK);
		slot_of[made[i].type] = 10 + i;
	}
	cdt_insert(NULL, &kf.root[20],
		   &(struct cap){.type = CAP_IRQ_CONTROL, .rights = SEPTA_RIGHTS_ALL});
	cdt_insert(NULL, &kf.root[21],
		   &(struct cap){
		       .type = CAP_IRQ_HANDLER, .rights = SEPTA_RIGHTS_ALL, .obj = 40});
	slot_of[CAP_IRQ_CONTROL] = 20;
	slot_of[CAP_IRQ_HANDLER] = 21;
	for (unsigned i = 0; i < sizeof invs / sizeof invs[0]; i++) {
		uint64_t slot = slot_of[invs[i].type];

		if (invs[i].nmr)
			CU_ASSERT_EQUAL(kfix_call(slot, invs[i].label, invs[i].ncaps,
						  caps, invs[i].nmr - 1, args),
					SEPTA_E_ARG);
		if (invs[i].ncaps)
			CU_ASSERT_EQUAL(kfix_call(slot, invs[i].label, invs[i].ncaps - 1,
						  caps, invs[i].nmr, args),
					SEPTA_E_EXTRA_CAPS);
	}
	/* Labels of another type are not this type's. */
	CU_ASSERT_EQUAL(
	    kfix_call(slot_of[CAP_TCB], SEPTA_UNTYPED_RETYPE, 0, NULL, 0, NULL),
	    SEPTA_E_LABEL);
	kf.root[20] = kf.root[21] = (struct cte){0};
	CU_ASSERT_EQUAL(kfix_revoke(kf.ut_slot), SEPTA_OK);
}

/* The table's `unsigned` registers (depths, a register number) arrive as
 * 64-bit values: one with bits above 31 is refused, not cut to its low
 * half and accepted (2^32 + 64 is no depth, 2^32 no register). */
static void test_wide_arguments(void)
{
	const uint64_t wide = 1ULL << 32, root = 0;
	uint64_t del[] = {10, wide | 64}, copy_dst[] = {11, wide | 64, 10, 64, 7},
		 copy_src[] = {11, 64, 10, wide | 64, 7},
		 retype[] = {SEPTA_OBJ_ENDPOINT, 0, 0, wide | 64, 11, 1},
		 irq[] = {40, 11, wide | 64}, reg[] = {wide | SEPTA_VCPU_REG_SCTLR};

	kfix_reset();
	CU_ASSERT_EQUAL(kfix_retype(SEPTA_OBJ_ENDPOINT, 0, 10, 1), SEPTA_OK);
	CU_ASSERT_EQUAL(kfix_retype(SEPTA_OBJ_VCPU, 0, 12, 1), SEPTA_OK);
	cdt_insert(NULL, &kf.root[13],
		   &(struct cap){.type = CAP_IRQ_CONTROL, .rights = SEPTA_RIGHTS_ALL});
	CU_ASSERT_EQUAL(kfix_call(0, SEPTA_CNODE_DELETE, 0, NULL, 2, del), SEPTA_E_DEPTH);
	CU_ASSERT_EQUAL(kfix_call(0, SEPTA_CNODE_COPY, 1, &root, 5, copy_dst),
			SEPTA_E_DEPTH);
	CU_ASSERT_EQUAL(kfix_call(0, SEPTA_CNODE_COPY, 1, &root, 5, copy_src),
			SEPTA_E_DEPTH);
	CU_ASSERT_EQUAL(kfix_call(kf.ut_slot, SEPTA_UNTYPED_RETYPE, 1, &root, 6, retype),
			SEPTA_E_DEPTH);
	CU_ASSERT_EQUAL(kfix_call(13, SEPTA_IRQ_CONTROL_GET, 1, &root, 3, irq),
			SEPTA_E_DEPTH);
	CU_ASSERT_EQUAL(kfix_call(12, SEPTA_VCPU_READ_REG, 0, NULL, 1, reg),
			SEPTA_E_RANGE);
	CU_ASSERT_EQUAL(kf.root[10].cap.type, CAP_ENDPOINT);
	CU_ASSERT_EQUAL(kf.root[11].cap.type, CAP_NULL);
	kf.root[13] = (struct cte){0};
	CU_ASSERT_EQUAL(kfix_revoke(kf.ut_slot), SEPTA_OK);
}

/* A TCB deleted while it owns the turn (or its turn ended while it was
 * blocked) takes that with it: a TCB made later in its memory starts
 * afresh. */
static void test_deleted_tcb_leaves_no_turn(void)
{
	uint64_t del[] = {10, 64};
	const struct tcb *t;

	CU_ASSERT_EQUAL(kfix_retype(SEPTA_OBJ_TCB, 0, 10, 1), SEPTA_OK);
	t = (const struct tcb *)(uintptr_t)kf.root[10].cap.obj;
	sched_turn_owner = t;
	sched_turn_over = t;
	CU_ASSERT_EQUAL(kfix_call(0, SEPTA_CNODE_DELETE, 0, NULL, 2, del), SEPTA_OK);
	CU_ASSERT_PTR_NULL(sched_turn_owner);
	CU_ASSERT_PTR_NULL(sched_turn_over);
	CU_ASSERT_EQUAL(kfix_revoke(kf.ut_slot), SEPTA_OK);
}

/* Model of derivation: each capability remembers the one it was copied
 * from; a revoke of A may delete only capabilities copied (by a chain)
 * from A, and a non-peer child has no more rights or badge than its
 * parent. Full deletions and revokes only (no half-done ones). */
#define MODEL_SLOTS 24
#define MODEL_IDS   40000
static int model_id[MODEL_SLOTS];
static int model_from[MODEL_IDS];

static bool model_derived(int id, int from)
{
	for (int i = model_from[id]; i > 0; i = model_from[i])
		if (i == from)
			return true;
	return false;
}

static void test_model_revoke(void)
{
	int next = 1, bad = 0;

	for (int seed = 1; seed <= 40 && !bad; seed++) {
		kfix_reset();
		srand((unsigned)seed);
		memset(model_id, 0, sizeof(model_id));
		for (int step = 0; step < 600 && !bad && next < MODEL_IDS - 2; step++) {
			unsigned a = (unsigned)rand() % MODEL_SLOTS,
				 b = (unsigned)rand() % MODEL_SLOTS;
			uint64_t sa = 10 + a, sb = 10 + b, root = 0;
			int op = rand() % 10, victim = model_id[a];

			if (op == 0) {
				if (kfix_retype(SEPTA_OBJ_ENDPOINT, 0, sa, 1) ==
				    SEPTA_OK) {
					model_id[a] = next;
					model_from[next++] = 0;
				}
			} else if (op <= 4) {
				uint64_t args[] = {sa,
						   64,
						   sb,
						   64,
						   (uint64_t)rand() % 8,
						   (uint64_t)(rand() % 3)};
				if (kfix_call(0, SEPTA_CNODE_MINT, 1, &root, 6, args) ==
				    SEPTA_OK) {
					model_id[a] = next;
					model_from[next++] = model_id[b];
				}
			} else if (op <= 6) {
				if (kfix_delete(sa) == SEPTA_OK)
					model_id[a] = 0;
			} else if (op == 7 && model_id[a] && !model_id[b]) {
				uint64_t args[] = {sb, 64, sa, 64};
				if (kfix_call(0, SEPTA_CNODE_MOVE, 1, &root, 4, args) ==
				    SEPTA_OK) {
					model_id[b] = model_id[a];
					model_id[a] = 0;
				}
			} else if (victim) {
				CU_ASSERT_EQUAL(kfix_revoke(sa), SEPTA_OK);
				for (unsigned i = 0; i < MODEL_SLOTS; i++) {
					if (!model_id[i] ||
					    kf.root[10 + i].cap.type != CAP_NULL)
						continue;
					if (!model_derived(model_id[i], victim)) {
						printf("\nseed %d step %d: revoke %u "
						       "took %u\n",
						       seed, step, a, i);
						bad++;
					}
					model_id[i] = 0;
				}
				for (unsigned i = 0; i < MODEL_SLOTS; i++)
					if (model_id[i] &&
					    model_derived(model_id[i], victim) &&
					    kf.root[10 + i].cap.type != CAP_NULL) {
						printf("\nseed %d step %d: revoke %u "
						       "left %u\n",
						       seed, step, a, i);
						bad++;
					}
			}
			for (unsigned i = 0; i < MODEL_SLOTS; i++) {
				const struct cte *n = &kf.root[10 + i], *q = n->parent;

				if ((n->cap.type == CAP_NULL) != !model_id[i]) {
					printf(
					    "\nseed %d step %d: slot %u model mismatch\n",
					    seed, step, i);
					bad++;
				}
				if (!q || !cap_same_object(&q->cap, &n->cap) ||
				    (n->cap.flags & CAP_F_PEER))
					continue;
				if ((n->cap.rights & ~q->cap.rights) ||
				    (q->cap.word && n->cap.word != q->cap.word)) {
					printf("\nseed %d step %d: slot %u outranks "
					       "parent\n",
					       seed, step, i);
					bad++;
				}
			}
			/* A broken tree ends the run: the model's walks over what
			 * it would take next are then unbounded in practice. */
			if (kfix_tree_problems()) {
				printf("\nseed %d step %d: derivation tree broken\n",
				       seed, step);
				bad++;
			}
		}
	}
	CU_ASSERT_EQUAL(bad, 0);
}

/* kfuzz F3 follow-up (reviewer): a deletion of an original T left half
 * done (restart) had moved T's peer P (full rights, not derived from T)
 * under T's first copy C1 as a peer while C1 was still an ordinary child
 * of T. Revoking C1 made P step aside into C1's place and take C1's
 * relation to T: a non-peer child of T with more rights than T, which a
 * revoke of T then deleted. Now C1 takes T's place in the first step. */
/* The shared body: T's deletion stopped after one kernel entry, then
 * another thread's `between` on C1 (slot 13), then T revoked. */
static void half_done_original_delete(long (*between)(uint64_t slot))
{
	struct cte *t, *p;

	kfix_reset(); /* a fresh fixture: take the slots' addresses after it */
	t = &kf.root[11];
	p = &kf.root[12];
	CU_ASSERT_EQUAL(kfix_retype(SEPTA_OBJ_ENDPOINT, 0, 10, 1), SEPTA_OK);
	CU_ASSERT_EQUAL(kfix_copy(12, 10, SEPTA_RIGHTS_ALL), SEPTA_OK); /* P */
	CU_ASSERT_EQUAL(kfix_copy(11, 10, SEPTA_RIGHT_READ), SEPTA_OK); /* T */
	for (unsigned i = 0; i < 5; i++)
		CU_ASSERT_EQUAL(kfix_copy(100 + i, 11, SEPTA_RIGHT_READ), SEPTA_OK);
	CU_ASSERT_EQUAL(kfix_delete(10), SEPTA_OK);
	/* T took the original's place; P is T's peer, not derived from it. */
	CU_ASSERT_PTR_EQUAL(p->parent, t);
	CU_ASSERT(p->cap.flags & CAP_F_PEER);
	for (unsigned i = 0; i < 63; i++)
		CU_ASSERT_EQUAL(kfix_copy(20 + i, 11, SEPTA_RIGHT_READ), SEPTA_OK);
	CU_ASSERT_EQUAL(kfix_copy(13, 11, SEPTA_RIGHT_READ), SEPTA_OK); /* C1 */
	/* One kernel entry of T's deletion, and it stops half done (the
	 * layout between steps is the implementation's; what follows must
	 * hold whatever it is). */
	CU_ASSERT_EQUAL(cap_delete(t), INV_RESTART);
	CU_ASSERT_EQUAL(t->cap.type, CAP_ENDPOINT);
	CU_ASSERT(p->cap.flags & CAP_F_PEER);
	CU_ASSERT_EQUAL(kfix_tree_problems(), 0);
	/* Another thread acts on C1 before T's deletion goes on. */
	CU_ASSERT_EQUAL(between(13), SEPTA_OK);
	CU_ASSERT_EQUAL(p->cap.rights, SEPTA_RIGHTS_ALL);
	CU_ASSERT(p->parent != t || (p->cap.flags & CAP_F_PEER) ||
		  !(p->cap.rights & ~t->cap.rights)); /* audit's rule */
	/* Revoking T (READ only) must leave P (ALL), not derived from T. */
	CU_ASSERT_EQUAL(kfix_revoke(11), SEPTA_OK);
	CU_ASSERT_EQUAL(p->cap.type, CAP_ENDPOINT);
	CU_ASSERT_EQUAL(kfix_tree_problems(), 0);
}

/* A revoke of C1 makes P step aside into C1's place. */
static void test_half_done_delete_peer_steps_aside(void)
{
	half_done_original_delete(kfix_revoke);
}

/* A delete of C1 hands P up to T. */
static void test_half_done_delete_copy_hands_peer_up(void)
{
	half_done_original_delete(kfix_delete);
}

void suite_caps(void)
{
	CU_pSuite s = CU_add_suite("caps", kfix_suite_init, kfix_suite_clean);

	CU_add_test(s, "lookup errors are distinct", test_lookup_errors);
	CU_add_test(s, "retype, accounting and revoke", test_retype_and_accounting);
	CU_add_test(s, "retype zeroes in restarted steps", test_retype_zeroes_in_steps);
	CU_add_test(s, "device untyped makes only frames",
		    test_device_untyped_only_frames);
	CU_add_test(s, "final capabilities", test_final_capability);
	CU_add_test(s, "an emptied Untyped is not retyped",
		    test_untyped_handed_on_children);
	CU_add_test(s, "deep nesting deletes in steps", test_delete_deep_nesting);
	CU_add_test(s, "an original hands on its copies", test_original_hands_on_copies);
	CU_add_test(s, "a delete step leaves a zombie", test_delete_step_leaves_zombie);
	CU_add_test(s, "half-done deletions are finished", test_half_done_deletions);
	CU_add_test(s, "a CNode holding itself is revoked", test_cnode_holding_itself);
	CU_add_test(s, "20000 random operations", test_random_operations);
	CU_add_test(s, "message lengths from the table", test_message_lengths);
	CU_add_test(s, "wide unsigned arguments are refused", test_wide_arguments);
	CU_add_test(s, "a deleted TCB leaves no turn", test_deleted_tcb_leaves_no_turn);
	CU_add_test(s, "model: revoke takes only what was derived", test_model_revoke);
	CU_add_test(s, "half-done delete: a peer steps aside into a copy's place",
		    test_half_done_delete_peer_steps_aside);
	CU_add_test(s, "half-done delete: a copy hands its peer up as derived",
		    test_half_done_delete_copy_hands_peer_up);
	caps_mem_tests(s);
}
