#include "harness.h"
#include <septa/ipc.h>
#include <septa/syscall.h>
#include <stdio.h>
#include <string.h>

struct harness_state harness;

const struct harness_test harness_tests[] = {
#define T(name) {#name, test_##name},
#include <tests.def>
#undef T
};

const unsigned harness_count = sizeof(harness_tests) / sizeof(harness_tests[0]);

void harness_fail(const char *file, int line, const char *what, long got, long want)
{
	harness.failed = 1;
	printf("     %s:%d: %s: got %ld (%#lx), want %ld (%#lx)\n", file, line, what, got,
	       (unsigned long)got, want, (unsigned long)want);
}

static int may_skip(const struct harness_hooks *hooks, const char *name)
{
	for (const char *const *s = hooks->may_skip; s && *s; s++)
		if (strcmp(*s, name) == 0)
			return 1;
	return 0;
}

int harness_run(const struct harness_hooks *hooks)
{
	return harness_run_list(hooks, harness_tests, harness_count);
}

int harness_run_list(const struct harness_hooks *hooks, const struct harness_test *tests,
		     unsigned n)
{
	unsigned passed = 0, skipped = 0;

	for (unsigned i = 0; i < n; i++) {
		harness = (struct harness_state){0};
		printf("run  %s\n", tests[i].name);
		if (hooks->before && hooks->before(tests[i].name)) {
			harness.failed = 1;
		} else {
			if (!hooks->run)
				tests[i].fn();
			else if (hooks->run(tests[i].name, tests[i].fn))
				harness.failed = 1;
			/* Always, also after a failed check or a crash: the next
			 * test starts clean, so one bug fails one test. */
			if (hooks->after && hooks->after(tests[i].name))
				harness.failed = 1;
		}
		if (harness.skipped && !harness.failed &&
		    !may_skip(hooks, tests[i].name)) {
			printf("     skipped, but not a test that may skip: %s\n",
			       harness.skip_why);
			harness.failed = 1;
		}
		if (harness.failed)
			printf("FAIL %s\n", tests[i].name);
		else if (harness.skipped)
			printf("skip %s: %s\n", tests[i].name, harness.skip_why);
		else
			printf("ok   %s\n", tests[i].name);
		passed += !harness.failed && !harness.skipped;
		skipped += !harness.failed && harness.skipped;
	}
	printf("%u passed, %u failed, %u skipped\n", passed, n - passed - skipped,
	       skipped);
	/* A skip is counted apart: the suite's pin says how many, and which. */
	return passed + skipped == n ? 0 : 1;
}

unsigned harness_overflow_frames(unsigned depth)
{
	volatile uint8_t frame[1024];

	frame[0] = (uint8_t)depth;
	frame[sizeof(frame) - 1] = (uint8_t)depth;
	if (depth == 0)
		return frame[0];
	return harness_overflow_frames(depth - 1) + frame[sizeof(frame) - 1];
}

void harness_test_thread(void (*fn)(void), uint64_t ep, struct septa_ipc_buffer *buf)
{
	struct septa_msg m = {.info = septa_msginfo(HARNESS_LABEL_FINISHED, 0, 0)};

	septa_set_ipc_buffer(buf);
	fn();
	septa_send(ep, &m);
	septa_exit(0);
}
