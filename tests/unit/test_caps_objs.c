/* Notifications on the host: the kernel's notification code driven the
 * way the Signal, Wait and Poll system calls drive it, over the
 * kernel-object fixture. Each test is an edge the mutation run found
 * unguarded (docs/testing.md). */
#include <core/sched.h>
#include <object/cap.h>
#include <object/notification.h>
#include <object/tcb.h>
#include "kfix.h"
#include "tests.h"

enum {
	SLOT_NTFN = 50,
	SLOT_TCB = 51,
};

static struct notification *ntfn_at(uint64_t slot)
{
	return (struct notification *)(uintptr_t)kf.root[slot].cap.obj;
}

static struct tcb *tcb_at(uint64_t slot)
{
	return (struct tcb *)(uintptr_t)kf.root[slot].cap.obj;
}

/* A fresh notification and an inactive thread to take its signals. */
static void make_objects(void)
{
	kfix_reset();
	CU_ASSERT_EQUAL_FATAL(kfix_retype(SEPTA_OBJ_NOTIFICATION, 0, SLOT_NTFN, 1),
			      SEPTA_OK);
	CU_ASSERT_EQUAL_FATAL(kfix_retype(SEPTA_OBJ_TCB, 0, SLOT_TCB, 1), SEPTA_OK);
}

/* A wait takes the word: badges it returned do not come back with the
 * next signal's. */
static void test_wait_takes_word(void)
{
	struct notification *n;
	struct tcb *t;

	make_objects();
	n = ntfn_at(SLOT_NTFN);
	t = tcb_at(SLOT_TCB);
	notification_signal(n, 0x1);
	notification_signal(n, 0x4);
	notification_wait(n, t, false);
	CU_ASSERT_EQUAL(t->regs.x[0], SEPTA_OK);
	CU_ASSERT_EQUAL(t->regs.x[6], 0x5);
	CU_ASSERT_EQUAL(n->word, 0);
	CU_ASSERT_FALSE(n->active);
	notification_signal(n, 0x2);
	notification_wait(n, t, false);
	CU_ASSERT_EQUAL(t->regs.x[0], SEPTA_OK);
	CU_ASSERT_EQUAL(t->regs.x[6], 0x2);
}

/* A poll that finds nothing says so and returns no badge: x6 held
 * whatever the caller left there (a previous wait's badges). */
static void test_poll_nothing_clears_badge(void)
{
	struct notification *n;
	struct tcb *t;

	make_objects();
	n = ntfn_at(SLOT_NTFN);
	t = tcb_at(SLOT_TCB);
	notification_signal(n, 0x30);
	notification_wait(n, t, false);
	CU_ASSERT_EQUAL(t->regs.x[6], 0x30);
	notification_wait(n, t, false);
	CU_ASSERT_EQUAL(t->regs.x[0], (uint64_t)SEPTA_E_WOULD_BLOCK);
	CU_ASSERT_EQUAL(t->regs.x[6], 0);
	CU_ASSERT_EQUAL(t->state, TCB_INACTIVE);
}

/* A signal reaches a bound thread only while it waits for a message; one
 * doing anything else (here: not running at all) finds it pending in the
 * word later, and is neither woken nor has its registers written. */
static void test_bound_not_receiving_keeps_signal(void)
{
	const uint64_t ncap = SLOT_NTFN;
	struct notification *n;
	struct tcb *t;

	make_objects();
	n = ntfn_at(SLOT_NTFN);
	t = tcb_at(SLOT_TCB);
	CU_ASSERT_EQUAL(
	    kfix_call(SLOT_TCB, SEPTA_TCB_BIND_NOTIFICATION, 1, &ncap, 0, NULL),
	    SEPTA_OK);
	CU_ASSERT_PTR_EQUAL(n->bound, t);
	t->regs.x[0] = 0x77;
	t->regs.x[6] = 0x88;
	notification_signal(n, 0x9);
	CU_ASSERT_EQUAL(t->state, TCB_INACTIVE);
	CU_ASSERT_EQUAL(t->regs.x[0], 0x77);
	CU_ASSERT_EQUAL(t->regs.x[6], 0x88);
	CU_ASSERT(n->active);
	CU_ASSERT_EQUAL(n->word, 0x9);
	/* Its next receive takes it from the word. */
	CU_ASSERT(notification_take_bound(t));
	CU_ASSERT_EQUAL(t->regs.x[6], 0x9);
	CU_ASSERT_FALSE(n->active);
}

/* Lookups against a model (test_cspace.c), in this suite. */
void cspace_tests(CU_pSuite s);

void suite_caps_objs(void)
{
	CU_pSuite s = CU_add_suite("caps_objs", kfix_suite_init, kfix_suite_clean);

	CU_add_test(s, "a wait takes the word", test_wait_takes_word);
	CU_add_test(s, "a poll that finds nothing returns no badge",
		    test_poll_nothing_clears_badge);
	CU_add_test(s, "a bound thread not receiving keeps its signal pending",
		    test_bound_not_receiving_keeps_signal);
	cspace_tests(s);
}
