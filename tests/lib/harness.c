#include "harness.h"
#include <stdio.h>

struct harness_state harness;

static const struct {
	const char *name;
	void (*fn)(void);
} tests[] = {
#define T(name) {#name, test_##name},
#include <tests.def>
#undef T
};

const unsigned harness_count = sizeof(tests) / sizeof(tests[0]);

void harness_fail(const char *file, int line, const char *what, long got, long want)
{
	harness.failed = 1;
	printf("     %s:%d: %s: got %ld (%#lx), want %ld (%#lx)\n", file, line, what, got,
	       (unsigned long)got, want, (unsigned long)want);
}

int harness_run(const struct harness_hooks *hooks)
{
	unsigned passed = 0, skipped = 0;

	for (unsigned i = 0; i < harness_count; i++) {
		harness = (struct harness_state){0};
		if (hooks->before && hooks->before(tests[i].name)) {
			harness.failed = 1;
		} else {
			tests[i].fn();
			if (hooks->after)
				hooks->after();
		}
		printf("%s %s\n",
		       harness.failed	 ? "FAIL"
		       : harness.skipped ? "skip"
					 : "ok  ",
		       tests[i].name);
		passed += !harness.failed && !harness.skipped;
		skipped += !harness.failed && harness.skipped;
	}
	printf("%u passed, %u failed, %u skipped\n", passed,
	       harness_count - passed - skipped, skipped);
	return passed + skipped == harness_count ? 0 : 1;
}
