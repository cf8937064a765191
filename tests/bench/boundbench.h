/* The bound benchmark's helpers, for its cases. */
#pragma once
#include <septa/abi.h>
#include <stdbool.h>
#include <stdint.h>

extern const struct septa_bootinfo *bb_bi;
extern uint64_t bb_ut;
extern int bb_bad;

struct bb_run {
	uint64_t t0;
};

/* Around the calls a case measures: prints instructions per call and the
 * longest kernel entry among them. */
void bb_begin(struct bb_run *r);
void bb_end(struct bb_run *r, const char *what, unsigned calls);
/* Counts a failure (the benchmark then fails). */
void bb_check(bool ok, const char *what);
/* The deletion cases (bound_delete.c). */
void bb_delete_cases(void);
/* The ranged invocations' cases (bound_ranged.c). */
void bb_ranged_cases(void);
