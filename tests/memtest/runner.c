/*
 * How memtest runs a test: in a thread of its own, as captest does
 * (tests/captest/runner.c says why), whose fault endpoint memtest waits on.
 * A test that crashes ends its thread only: memtest reports the fault,
 * fails the test by name, cleans up after it as after any test and goes
 * on. The one thread is made once and started afresh for each test. Its
 * IPC buffer is a frame of memtest's own Untyped, mapped in its own VSpace
 * (memsrv's audit lets a server map its own memory). A test that hangs is
 * named by its "run  NAME", the console's last line. A test of memtest's
 * own thread is listed in in_main_thread and runs there.
 *
 * Packed as "memtest-crash" (tests/system), memtest runs three registered
 * tests around one that allocates a page and crashes, and one whose stack
 * overflows.
 */
#include <stdio.h>
#include <string.h>
#include "memtest.h"

#define TEST_PRIO    100 /* memsrv's for a server, and its MCP: as memtest runs */
#define TEST_BUF_IPA 0x38000000ULL /* free: below every test's addresses */
/* Its stack: frames of memtest's own just below the buffer, as large as
 * memtest's own stack, with nothing mapped under them, so that a stack
 * that overflows crashes the test there (in memtest's .bss it ran into the
 * runner's and memtest's own state, silently). */
#define TEST_STACK_PAGES (SEPTA_ROOT_STACK_SIZE / PAGE)
#define TEST_STACK_TOP	 TEST_BUF_IPA
#define TEST_STACK_IPA	 (TEST_STACK_TOP - TEST_STACK_PAGES * PAGE)

static uint64_t test_tcb, test_ep;

static uint64_t table(void *arg)
{
	(void)arg;
	return mk(SEPTA_OBJ_PAGE_TABLE, 0);
}

int memtest_runner_setup(void)
{
	const struct septa_table_source src = {table, NULL, NULL};
	uint64_t buf = mk(SEPTA_OBJ_FRAME_4K, 0);

	for (uint64_t i = 0; i < TEST_STACK_PAGES; i++) {
		uint64_t f = mk(SEPTA_OBJ_FRAME_4K, 0);

		if (!f || septa_frame_map_with_tables(f, MY_VS, TEST_STACK_IPA + i * PAGE,
						      SEPTA_MAP_R | SEPTA_MAP_W,
						      SEPTA_OWNED, &src, NULL))
			return -1;
	}
	test_tcb = mk(SEPTA_OBJ_TCB, 0);
	test_ep = mk(SEPTA_OBJ_ENDPOINT, 0);
	if (!buf || !test_tcb || !test_ep ||
	    septa_frame_map_with_tables(buf, MY_VS, TEST_BUF_IPA,
					SEPTA_MAP_R | SEPTA_MAP_W, SEPTA_OWNED, &src,
					NULL) ||
	    septa_tcb_configure(test_tcb, test_ep, MEMSRV_CAP_CNODE, MY_VS, buf,
				TEST_BUF_IPA) ||
	    septa_tcb_set_mcp(test_tcb, TEST_PRIO) ||
	    septa_tcb_set_priority(test_tcb, TEST_PRIO))
		return -1;
	return 0;
}

void memtest_idle(void)
{
	struct memsrv_audit a, b;

	/* The idle thread refills a batch a call; a timer tick may end its
	 * turn midway: yield until the audit's count (which has the pooled
	 * pages) stands still. */
	CHECK_EQ(memsrv_audit(EP, &a), MEMSRV_OK);
	CHECK_EQ(septa_tcb_set_priority(test_tcb, 0), SEPTA_OK);
	for (unsigned i = 0; i < 64; i++) {
		septa_yield();
		CHECK_EQ(memsrv_audit(EP, &b), MEMSRV_OK);
		if (b.checked == a.checked)
			break;
		a = b;
	}
	CHECK_EQ(septa_tcb_set_priority(test_tcb, TEST_PRIO), SEPTA_OK);
}

/* Tests of memtest's own thread, run in it (a crash ends memtest): its
 * IPC buffer at SEPTA_ROOT_IPC_BUFFER is what the test frees and checks. */
static const char *const in_main_thread[] = {"freed_ipc_buffer_is_unbound", NULL};

static int runs_in_main_thread(const char *name)
{
	for (const char *const *s = in_main_thread; *s; s++)
		if (strcmp(*s, name) == 0)
			return 1;
	return 0;
}

int memtest_run(const char *name, void (*fn)(void))
{
	uint64_t regs[5] = {(uint64_t)(uintptr_t)harness_test_thread, TEST_STACK_TOP,
			    (uint64_t)(uintptr_t)fn, test_ep, TEST_BUF_IPA};
	struct septa_msg m = {0};
	long err;

	if (runs_in_main_thread(name)) {
		fn();
		return 0;
	}
	memset((void *)(uintptr_t)TEST_BUF_IPA, 0, PAGE);
	/* Stopped, whatever the last test left it doing (finished, or
	 * waiting for its fault's answer), then started at the test. */
	err = septa_tcb_suspend(test_tcb);
	if (!err)
		err = septa_tcb_write_registers(test_tcb, 1, 5, regs);
	if (!err)
		err = septa_recv(test_ep, &m);
	if (err) {
		printf("     runner: cannot run the test's thread: %ld\n", err);
		return 1;
	}
	if (SEPTA_MSG_LABEL(m.info) == HARNESS_LABEL_FINISHED)
		return 0;
	if (SEPTA_MSG_LABEL(m.info) == SEPTA_FAULT_ABORT)
		printf("     crashed: abort at IPA %#lx, pc %#lx\n",
		       (unsigned long)m.mr[SEPTA_ABORT_IPA],
		       (unsigned long)m.mr[SEPTA_ABORT_PC]);
	else
		printf("     crashed: fault %lu at pc %#lx\n",
		       (unsigned long)SEPTA_MSG_LABEL(m.info), (unsigned long)m.mr[0]);
	return 1;
}

/* The harness's own test: a page allocated (the teardown gives it back),
 * then a store to an address nothing maps. */
static void crash_fault(void)
{
	uint64_t pa;

	CHECK_EQ(memsrv_alloc(EP, 1, 1, 0x40000000ULL, MEMSRV_RW, &pa), MEMSRV_OK);
	*(volatile uint64_t *)0x30000000ULL = 1;
	CHECK(!"survived a store to an unmapped address");
}

/* Deeper than the test's stack: it must crash below it, never reach the
 * suite's memory. */
static void crash_overflow(void)
{
	CHECK(harness_overflow_frames(2 * TEST_STACK_PAGES * 4) != 1);
	CHECK(!"survived a recursion twice as deep as its stack");
}

const struct harness_test *memtest_selftest(unsigned *n)
{
	static struct harness_test list[5];

	if (harness_count < 3 || strcmp(septa_bootinfo()->root_name, "memtest-crash"))
		return NULL;
	list[0] = harness_tests[0];
	list[1] = (struct harness_test){"crash_fault", crash_fault};
	list[2] = harness_tests[1];
	list[3] = (struct harness_test){"crash_overflow", crash_overflow};
	list[4] = harness_tests[2];
	*n = 5;
	return list;
}
