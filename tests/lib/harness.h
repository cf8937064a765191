/*
 * The on-target test harness captest and memtest share: the checks, the
 * suite's test list, and the run loop with its report. A suite lists its
 * tests in its own tests.def, one T(name) per test in the order they run,
 * writes `void test_NAME(void)` with CHECK/CHECK_EQ, and has its directory
 * on the include path (harness.c includes <tests.def>).
 *
 * The report: "run  NAME" as each test starts (so a test that hangs or
 * crashes the suite is named by the last such line), then its outcome,
 * "ok  ", "FAIL" or "skip" and the name (a skip with its reason), and at
 * the end the totals "N passed, N failed, N skipped", which tests/system
 * pins to the count tests.def registers. A suite whose hooks run each test
 * in a thread of its own reports a test that crashes as failed, by name,
 * and goes on with the next one.
 */
#pragma once

#include <stdint.h>

/* The outcome of the test that is running. */
struct harness_state {
	int failed;
	int skipped;
	const char *skip_why; /* what this machine lacks, said on the skip line */
};
extern struct harness_state harness;

void harness_fail(const char *file, int line, const char *what, long got, long want);

#define CHECK_EQ(a, b)                                                                   \
	do {                                                                             \
		long _a = (long)(a), _b = (long)(b);                                     \
		if (_a != _b) {                                                          \
			harness_fail(__FILE__, __LINE__, #a, _a, _b);                    \
			return;                                                          \
		}                                                                        \
	} while (0)

#define CHECK(c)                                                                         \
	do {                                                                             \
		if (!(c)) {                                                              \
			harness_fail(__FILE__, __LINE__, #c, 0, 1);                      \
			return;                                                          \
		}                                                                        \
	} while (0)

/* A test that needs what this machine does not have says so, and is
 * counted as skipped, never as passed; only a test the suite's hooks list
 * in may_skip may skip at all (any other skip fails it). */
#define SKIP_UNLESS(c, why)                                                              \
	do {                                                                             \
		if (!(c)) {                                                              \
			harness.skipped = 1;                                             \
			harness.skip_why = (why);                                        \
			return;                                                          \
		}                                                                        \
	} while (0)

/* What a suite does around each test; any may be NULL. A before() that
 * returns non-zero has said why the test cannot run: it counts as failed.
 * An after() that returns non-zero has said what the test left behind that
 * it could not clean up: the test fails, and after() must have restored a
 * clean state for the next one all the same. may_skip: the names of the
 * tests that may skip on some machine, NULL-terminated. */
struct harness_hooks {
	int (*before)(const char *name);
	int (*after)(const char *name);
	const char *const *may_skip;
	/* Runs fn (NULL: the harness calls it itself); non-zero if it did not
	 * come back (it crashed), having said how: the test fails, and
	 * after() cleans up as after any other. */
	int (*run)(const char *name, void (*fn)(void));
};

struct harness_test {
	const char *name;
	void (*fn)(void);
};
/* The tests tests.def lists, in its order, and how many. */
extern const struct harness_test harness_tests[];
extern const unsigned harness_count;
/* Runs every test and prints the report; 0 if none failed, else 1. */
int harness_run(const struct harness_hooks *hooks);
/* The same for the n tests of list (a suite's self-test of the harness). */
int harness_run_list(const struct harness_hooks *hooks, const struct harness_test *list,
		     unsigned n);
/* A runaway recursion for the runners' self-tests: depth frames of 1 KiB,
 * each written at both ends, so it reaches whatever lies below the stack. */
unsigned harness_overflow_frames(unsigned depth);
/* The runners' test thread: sets its IPC buffer, runs fn, then tells the
 * runner on ep with HARNESS_LABEL_FINISHED that it returned (a fault
 * reaches the runner as a fault message instead). */
#define HARNESS_LABEL_FINISHED 0x7e57
struct septa_ipc_buffer;
void harness_test_thread(void (*fn)(void), uint64_t ep, struct septa_ipc_buffer *buf);

#define T(name) void test_##name(void);
#include <tests.def>
#undef T
