/*
 * How captest runs a test: in a thread of its own, whose fault endpoint the
 * suite (the root task's initial thread) waits on. A test that crashes
 * ends its thread only: the suite reports the fault, fails the test by
 * name and goes on with the next one after the usual teardown. (The root
 * task's own TCB cannot be given a fault endpoint, a TCB is configured
 * once, and the root task faulting without one takes the machine down.)
 * Tests name their own thread ct.self, never SEPTA_CAP_INIT_TCB, which is
 * the suite's.
 *
 * A test that hangs cannot be stopped from here: EL0 has no timer it may
 * program (CNTKCTL_EL1 lets it read the counter only; a guest vCPU's timer
 * would take a vCPU and a VMID from the tests that count them), and the
 * suite blocks while the test runs. Its "run  NAME" is then the console's
 * last line, which qemu-test.sh prints when its time limit ends the run.
 *
 * Packed as "captest-crash" or "captest-spin" (tests/system), the suite
 * runs a few registered tests around one that crashes, or spins, instead:
 * the harness's own test, kept out of the registered run and its pins.
 */
#include <stdio.h>
#include <string.h>
#include "captest.h"
#include "runner.h"

/* The test thread's IPC buffer: the last spare frame (spawn() takes them
 * from the first). */
#define TEST_BUFFER  (SEPTA_ROOT_SPARE_PAGES - 1)
#define TEST_BUF_IPA (SEPTA_ROOT_SPARE_BASE + TEST_BUFFER * 4096ULL)
/* Its stack: the spare frames just below the buffer, as large as the root
 * task's stack, and below them a guard page left mapped with no access (a
 * stack in the suite's .bss would overflow into the runner's own state,
 * silently, where the root task's stack has nothing mapped below it). */
#define TEST_STACK_PAGES (SEPTA_ROOT_STACK_SIZE / 4096)
#define TEST_STACK_TOP	 TEST_BUF_IPA
#define TEST_GUARD	 (TEST_BUFFER - TEST_STACK_PAGES - 1)
#define TEST_GUARD_IPA	 (SEPTA_ROOT_SPARE_BASE + TEST_GUARD * 4096ULL)

/* spawn() (main.c) takes spare frames 0-7 for its threads' buffers. */
_Static_assert(TEST_GUARD >= 8, "the test's stack clear of spawn()'s buffers");

static uint64_t from_ut, tcb_slot, ep_slot;

void runner_init(uint64_t ut, uint64_t first)
{
	long err;

	from_ut = ut;
	tcb_slot = first;
	ep_slot = first + 1;
	err = septa_vspace_protect(VSPACE, TEST_GUARD_IPA, 4096, 0, 0, NULL, NULL);
	if (err)
		printf("     runner: no guard page below the test's stack: %ld\n", err);
}

static void report_fault(const struct septa_msg *m)
{
	uint64_t label = SEPTA_MSG_LABEL(m->info);

	if (label == SEPTA_FAULT_ABORT)
		printf("     crashed: abort at IPA %#lx, pc %#lx\n",
		       (unsigned long)m->mr[SEPTA_ABORT_IPA],
		       (unsigned long)m->mr[SEPTA_ABORT_PC]);
	else
		printf("     crashed: fault %lu at pc %#lx\n", (unsigned long)label,
		       (unsigned long)m->mr[0]);
}

/* The thread is made from the suite's Untyped, not the test's (whose room
 * tests measure), and deleted before the teardown checks that all of it
 * is free again. */
int runner_run(const char *name, void (*fn)(void))
{
	uint64_t regs[5] = {(uint64_t)(uintptr_t)harness_test_thread, TEST_STACK_TOP,
			    (uint64_t)(uintptr_t)fn, ep_slot, TEST_BUF_IPA};
	struct septa_msg m = {0};
	int crashed = 1;
	long err;

	(void)name;
	memset((void *)(uintptr_t)TEST_BUF_IPA, 0, 4096);
	err = septa_untyped_retype(from_ut, SEPTA_OBJ_TCB, 0, CNODE, 0, 0, tcb_slot, 1);
	if (!err)
		err = septa_untyped_retype(from_ut, SEPTA_OBJ_ENDPOINT, 0, CNODE, 0, 0,
					   ep_slot, 1);
	if (!err)
		err = septa_tcb_configure(tcb_slot, ep_slot, CNODE, VSPACE,
					  bi->spare_frames_slot + TEST_BUFFER,
					  TEST_BUF_IPA);
	if (!err)
		err = septa_tcb_set_mcp(tcb_slot, SEPTA_PRIO_MAX);
	if (!err)
		err = septa_tcb_set_priority(tcb_slot, ROOT_PRIO);
	ct.self = tcb_slot;
	if (!err)
		err = septa_tcb_write_registers(tcb_slot, 1, 5, regs);
	/* Blocks until the test returns or faults: above every test's
	 * thread, the suite takes no part in what they schedule. */
	if (!err)
		err = septa_recv(ep_slot, &m);
	if (err)
		printf("     runner: cannot run the test's thread: %ld\n", err);
	else if (SEPTA_MSG_LABEL(m.info) == HARNESS_LABEL_FINISHED)
		crashed = 0;
	else
		report_fault(&m);
	/* It is stopped by now (finished, or waiting for a fault's answer). */
	if ((err = septa_cnode_delete(CNODE, tcb_slot, DEPTH)) ||
	    (err = septa_cnode_delete(CNODE, ep_slot, DEPTH))) {
		printf("     runner: cannot delete the test's thread: %ld\n", err);
		crashed = 1;
	}
	return crashed;
}

/* The harness's own tests: one that leaves an object behind and crashes,
 * one that never returns. */
static void crash_fault(void)
{
	CHECK(mk(SEPTA_OBJ_ENDPOINT, 0) != 0);
	CHECK_EQ(septa_tcb_set_priority(ct.self, LOW_PRIO), SEPTA_OK);
	*(volatile uint64_t *)UNMAPPED_IPA = 1;
	CHECK(!"survived a store to an unmapped address");
}

/* Deeper than the test's stack: it must crash below it, never reach the
 * suite's memory. */
static void crash_overflow(void)
{
	CHECK(harness_overflow_frames(2 * TEST_STACK_PAGES * 4) != 1);
	CHECK(!"survived a recursion twice as deep as its stack");
}

static void crash_spin(void)
{
	for (volatile int forever = 1; forever;)
		;
}

const struct harness_test *runner_selftest(unsigned *n)
{
	static struct harness_test list[5];
	const char *me = bi->root_name;

	if (harness_count < 3)
		return NULL;
	/* A registered test before it, and the ones after it must pass. */
	list[0] = harness_tests[0];
	list[2] = harness_tests[1];
	list[3] = harness_tests[2];
	if (strcmp(me, "captest-crash") == 0) {
		/* And one whose stack overflows, between two that pass. */
		list[1] = (struct harness_test){"crash_fault", crash_fault};
		list[3] = (struct harness_test){"crash_overflow", crash_overflow};
		list[4] = harness_tests[2];
		*n = 5;
		return list;
	} else if (strcmp(me, "captest-spin") == 0)
		list[1] = (struct harness_test){"crash_spin", crash_spin};
	else
		return NULL;
	*n = 4;
	return list;
}
