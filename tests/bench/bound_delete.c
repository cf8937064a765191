/*
 * boundbench's deletion cases: the worst structures for delete and revoke
 * that this program can build (issue 14, items 3 and 7), each from an
 * Untyped of its own that it revokes and deletes again. A deletion runs
 * in bounded steps (INV_RESTART): one call, many kernel entries.
 */
#include <septa/ipc.h>
#include <septa/syscall.h>
#include <stdio.h>
#include "boundbench.h"

#define CNODE SEPTA_CAP_INIT_CNODE
#define DEPTH 64

/* Sizes, smaller when built to measure the old kernel (BB_DELETE_SMALL):
 * its check was exponential in NESTED and refused chains beyond 16. */
#ifdef BB_DELETE_SMALL
#define NESTED 5
#define CHAIN  15
#else
#define NESTED 8
#define CHAIN  200
#endif
#define WAITERS	   1000
#define BIG_BITS   12 /* a full CNode of 2^12 final endpoints */
#define DESC_BITS  14
#define DESCENDANT 10000 /* copies of one endpoint, revoked */

static uint64_t ut, next_slot;

static uint64_t slot(void)
{
	return next_slot++;
}

static void begin_case(void)
{
	next_slot = bb_bi->first_free_slot;
	ut = slot();
	bb_check(septa_untyped_retype(bb_ut, SEPTA_OBJ_UNTYPED, 24, CNODE, 0, 0, ut, 1) ==
		     SEPTA_OK,
		 "delete cases: a 16 MiB Untyped");
}

static void end_case(void)
{
	bb_check(septa_cnode_revoke(CNODE, ut, DEPTH) == SEPTA_OK, "revoke");
	bb_check(septa_untyped_retype(ut, SEPTA_OBJ_UNTYPED, 24, CNODE, 0, 0, slot(),
				      1) == SEPTA_OK,
		 "the Untyped is wholly free again");
	bb_check(septa_cnode_revoke(CNODE, ut, DEPTH) == SEPTA_OK, "revoke");
	for (uint64_t s = bb_bi->first_free_slot; s < next_slot; s++)
		septa_cnode_delete(CNODE, s, DEPTH);
}

static uint64_t mk(unsigned type, unsigned bits)
{
	uint64_t s = slot();

	bb_check(septa_untyped_retype(ut, type, bits, CNODE, 0, 0, s, 1) == SEPTA_OK,
		 "retype");
	return s;
}

/* Item 3: NESTED CNodes of 16 slots, each slot of one a copy of the next:
 * deleting a copy of the first, then the first itself. */
static void case_nested_copies(void)
{
	uint64_t s[NESTED], c;
	struct bb_run r;
	char what[96];

	begin_case();
	for (unsigned i = 0; i < NESTED; i++)
		s[i] = mk(SEPTA_OBJ_CNODE, 4);
	c = slot();
	for (unsigned i = 0; i + 1 < NESTED; i++)
		for (unsigned j = 0; j < 16; j++)
			septa_cnode_copy(s[i], j, 4, CNODE, s[i + 1], DEPTH,
					 SEPTA_RIGHTS_ALL);
	septa_cnode_copy(CNODE, c, DEPTH, CNODE, s[0], DEPTH, SEPTA_RIGHTS_ALL);
	snprintf(what, sizeof what, "delete a copy of %u nested 16-slot CNodes", NESTED);
	bb_begin(&r);
	bb_check(septa_cnode_delete(CNODE, c, DEPTH) == SEPTA_OK, what);
	bb_end(&r, what, 1);
	snprintf(what, sizeof what, "delete the first of %u nested 16-slot CNodes",
		 NESTED);
	bb_begin(&r);
	bb_check(septa_cnode_delete(CNODE, s[0], DEPTH) == SEPTA_OK, what);
	bb_end(&r, what, 1);
	end_case();
}

/* Item 7: a chain of two-slot CNodes, each holding the only capability to
 * the next; the Untyped revoked. */
static void case_chain(void)
{
	uint64_t top, b;
	struct bb_run r;
	char what[96];

	begin_case();
	top = slot();
	b = slot();
	septa_untyped_retype(ut, SEPTA_OBJ_CNODE, 1, CNODE, 0, 0, top, 1);
	for (unsigned i = 1; i < CHAIN; i++) {
		septa_untyped_retype(ut, SEPTA_OBJ_CNODE, 1, CNODE, 0, 0, b, 1);
		septa_cnode_move(b, 0, 1, CNODE, top, DEPTH);
		septa_cnode_move(CNODE, top, DEPTH, CNODE, b, DEPTH);
	}
	snprintf(what, sizeof what, "revoke a chain of %u nested CNodes", CHAIN);
	bb_begin(&r);
	bb_check(septa_cnode_revoke(CNODE, ut, DEPTH) == SEPTA_OK, what);
	bb_end(&r, what, 1);
	end_case();
}

/* A full CNode of final capabilities (each endpoint's only one). */
static void case_big_cnode(void)
{
	uint64_t big;
	struct bb_run r;
	const char *what = "delete a full 4096-slot CNode of final endpoints";

	begin_case();
	big = mk(SEPTA_OBJ_CNODE, BIG_BITS);
	for (unsigned i = 0; i < 1u << BIG_BITS; i += 256)
		bb_check(septa_untyped_retype(ut, SEPTA_OBJ_ENDPOINT, 0, big, 0, 0, i,
					      256) == SEPTA_OK,
			 "endpoints into the CNode");
	bb_begin(&r);
	bb_check(septa_cnode_delete(CNODE, big, DEPTH) == SEPTA_OK, what);
	bb_end(&r, what, 1);
	end_case();
}

/* One endpoint's capability with 10^4 copies under it, revoked. */
static void case_descendants(void)
{
	uint64_t ep, node;
	struct bb_run r;
	const char *what = "revoke 10000 copies of an endpoint";

	begin_case();
	ep = mk(SEPTA_OBJ_ENDPOINT, 0);
	node = mk(SEPTA_OBJ_CNODE, DESC_BITS);
	for (unsigned i = 0; i < DESCENDANT; i++)
		septa_cnode_copy(node, i, DESC_BITS, CNODE, ep, DEPTH, SEPTA_RIGHTS_ALL);
	bb_begin(&r);
	bb_check(septa_cnode_revoke(CNODE, ep, DEPTH) == SEPTA_OK, what);
	bb_end(&r, what, 1);
	/* The same from the Untyped: the copies go before the original. */
	for (unsigned i = 0; i < DESCENDANT; i++)
		septa_cnode_copy(node, i, DESC_BITS, CNODE, ep, DEPTH, SEPTA_RIGHTS_ALL);
	what = "revoke the Untyped of an endpoint with 10000 copies";
	bb_begin(&r);
	bb_check(septa_cnode_revoke(CNODE, ut, DEPTH) == SEPTA_OK, what);
	bb_end(&r, what, 1);
	end_case();
}

/* Waiters: receive on x0 (x7 = RECV), then on x19 (nobody sends there)
 * for good, x20 = RECV. No stack, no memory: one code for all of them. */
void bb_waiter(void);
__asm__(".text\n.balign 4\nbb_waiter:\n"
	"\tsvc #0\n"
	"1:\tmov x0, x19\n"
	"\tmov x7, x20\n"
	"\tsvc #0\n"
	"\tb 1b\n");

/* An endpoint with WAITERS threads blocked on it, its only capability
 * deleted: each waiter is woken (E_DELETED), a bounded number per entry. */
static void case_waiters(void)
{
	uint64_t ep, park, node, buf, t;
	struct bb_run r;
	char what[96];

	begin_case();
	ep = mk(SEPTA_OBJ_ENDPOINT, 0);
	park = mk(SEPTA_OBJ_ENDPOINT, 0);
	buf = mk(SEPTA_OBJ_FRAME_4K, 0);
	node = mk(SEPTA_OBJ_CNODE, 10);
	t = slot();
	for (unsigned i = 0; i < WAITERS; i += 200) {
		unsigned n = WAITERS - i < 200 ? WAITERS - i : 200;

		bb_check(septa_untyped_retype(ut, SEPTA_OBJ_TCB, 0, node, 0, 0, i, n) ==
			     SEPTA_OK,
			 "waiter TCBs");
	}
	for (unsigned i = 0; i < WAITERS; i++) {
		uint64_t regs[23] = {(uint64_t)(uintptr_t)bb_waiter, 0, ep};

		regs[2 + 7] = SEPTA_SYS_RECV;
		regs[2 + 19] = park;
		regs[2 + 20] = SEPTA_SYS_RECV;
		/* Each waiter runs a few instructions at the benchmark's
		 * priority, when it yields, and blocks. */
		septa_cnode_copy(CNODE, t, DEPTH, node, i, 10, SEPTA_RIGHTS_ALL);
		bb_check(septa_tcb_configure(t, 0, CNODE, SEPTA_CAP_INIT_VSPACE, buf,
					     0x7fff0000) == SEPTA_OK &&
			     septa_tcb_set_priority(t, SEPTA_PRIO_MAX) == SEPTA_OK &&
			     septa_tcb_write_registers(t, 1, 23, regs) == SEPTA_OK,
			 "a waiter");
		septa_yield();
		septa_cnode_delete(CNODE, t, DEPTH);
	}
	snprintf(what, sizeof what, "delete an endpoint %u threads wait on", WAITERS);
	bb_begin(&r);
	bb_check(septa_cnode_delete(CNODE, ep, DEPTH) == SEPTA_OK, what);
	bb_end(&r, what, 1);
	end_case();
}

/* A thread that waits, then deletes a slot holding, deep down, its own
 * TCB: the deletion stops there, half done, deep zombies on its ring. */
static uint64_t self_del_slot, self_del_ep;
static uint64_t self_del_stack[512] __attribute__((aligned(16)));

static void self_deleter(void)
{
	struct septa_msg m = {0};

	septa_recv(self_del_ep, &m);
	septa_cnode_delete(CNODE, self_del_slot, DEPTH);
	for (;;)
		septa_yield(); /* not reached: the delete finalised this thread */
}

/* Revoking an Untyped whose only child is the innermost zombie of that
 * deletion (it stepped aside for the thread's TCB, so it waits in its own
 * object, not as the root): before the ring, each entry of the revoke walked
 * the stack to its outermost zombie first, 3 instructions a level. Now
 * the revoke empties it, then finishes the rest of its ring. */
static void case_inner_zombie_revoke(unsigned deep)
{
	uint64_t inner_ut, top, b, t, buf;
	struct bb_run r;
	struct septa_msg m = {0};
	char what[96];
	uint64_t regs[2] = {(uint64_t)(uintptr_t)self_deleter,
			    (uint64_t)(uintptr_t)(self_del_stack + 512)};

	begin_case();
	inner_ut = mk(SEPTA_OBJ_UNTYPED, 16);
	buf = mk(SEPTA_OBJ_FRAME_4K, 0);
	self_del_ep = mk(SEPTA_OBJ_ENDPOINT, 0);
	t = mk(SEPTA_OBJ_TCB, 0);
	top = slot();
	b = slot();
	self_del_slot = top;
	bb_check(septa_tcb_set_priority(SEPTA_CAP_INIT_TCB, 200) == SEPTA_OK &&
		     septa_tcb_configure(t, 0, CNODE, SEPTA_CAP_INIT_VSPACE, buf,
					 0x7fff0000) == SEPTA_OK &&
		     septa_tcb_set_priority(t, SEPTA_PRIO_MAX) == SEPTA_OK &&
		     septa_tcb_write_registers(t, 1, 2, regs) == SEPTA_OK,
		 "the deleter waits");
	/* The innermost: 256 slots from inner_ut, the thread's TCB in the
	 * last, so 255 units are left once the thread is finalised. */
	bb_check(septa_untyped_retype(inner_ut, SEPTA_OBJ_CNODE, 8, CNODE, 0, 0, top,
				      1) == SEPTA_OK &&
		     septa_cnode_move(top, 255, 8, CNODE, t, DEPTH) == SEPTA_OK,
		 "innermost");
	for (unsigned i = 0; i < deep; i++) {
		septa_untyped_retype(ut, SEPTA_OBJ_CNODE, 1, CNODE, 0, 0, b, 1);
		septa_cnode_move(b, 0, 1, CNODE, top, DEPTH);
		septa_cnode_move(CNODE, top, DEPTH, CNODE, b, DEPTH);
	}
	bb_check(septa_nbsend(self_del_ep, &m) == SEPTA_OK, "the deleter starts");
	bb_check(septa_cnode_copy(CNODE, b, DEPTH, CNODE, top, DEPTH, SEPTA_RIGHTS_ALL) ==
		     SEPTA_E_ZOMBIE,
		 "the deletion is left half done");
	snprintf(what, sizeof what, "revoke an inner zombie %u deep", deep);
	bb_begin(&r);
	bb_check(septa_cnode_revoke(CNODE, inner_ut, DEPTH) == SEPTA_OK, what);
	bb_end(&r, what, 1);
	bb_check(septa_tcb_set_priority(SEPTA_CAP_INIT_TCB, SEPTA_PRIO_MAX) == SEPTA_OK,
		 "priority back");
	end_case();
}

/* Moving a capability with DESCENDANT copies under it: cdt_move gives each
 * child its new parent. */
static void case_move_parent(void)
{
	uint64_t ep, node, dst;
	struct bb_run r;
	const char *what = "move an endpoint with 10000 copies (refused: E_LIMIT)";

	begin_case();
	ep = mk(SEPTA_OBJ_ENDPOINT, 0);
	node = mk(SEPTA_OBJ_CNODE, DESC_BITS);
	dst = slot();
	for (unsigned i = 0; i < DESCENDANT; i++)
		septa_cnode_copy(node, i, DESC_BITS, CNODE, ep, DEPTH, SEPTA_RIGHTS_ALL);
	bb_begin(&r);
	bb_check(septa_cnode_move(CNODE, dst, DEPTH, CNODE, ep, DEPTH) == SEPTA_E_LIMIT,
		 what);
	bb_end(&r, what, 1);
	end_case();
}

void bb_delete_cases(void)
{
	case_nested_copies();
	case_chain();
	case_big_cnode();
	case_descendants();
	case_waiters();
	case_move_parent();
	case_inner_zombie_revoke(5000);
	case_inner_zombie_revoke(20000);
	case_inner_zombie_revoke(80000);
}
