/* captest's runner (runner.c): each test in a thread of its own. */
#pragma once
#include <stdint.h>
#include "harness.h"

/* The thread and its fault endpoint come from Untyped ut, into slots first
 * and first + 1. */
void runner_init(uint64_t ut, uint64_t first);
/* The harness's run hook: 0 if the test returned, 1 if it crashed. */
int runner_run(const char *name, void (*fn)(void));
/* The list a self-test packing runs (its n tests), or NULL: the registered. */
const struct harness_test *runner_selftest(unsigned *n);
