/*
 * Helpers of the hostile-input tests (t_hostile_*.c): raw invocations
 * whose message the stubs would never build, and probes that tell whether
 * a refused call left its objects as they were. Every bad_ test asserts
 * the exact error and then that nothing changed.
 */
#pragma once
#include "captest.h"

/* An invocation as a hostile caller builds it: len message registers from
 * mr (len may exceed SEPTA_MSG_MAX; only the first 120 are stored) and
 * ncaps capability pointers, sent with Call. */
long raw_invoke(uint64_t obj, uint64_t label, unsigned ncaps, const uint64_t *caps,
		unsigned len, const uint64_t *mr);
/* What slot s holds, by the answer to an empty label-0 NBSend:
 * E_MISSING_CAP empty, E_WOULD_BLOCK an endpoint (with Write), OK a
 * notification, E_LABEL any other object. */
long probe(uint64_t s);
/* A child Untyped of 2^bits bytes from the test's Untyped; 0 on error. */
uint64_t sub_ut(unsigned bits);
/* OK if Untyped ut (2^bits bytes) is wholly free: one Untyped as large
 * fits only when nothing was taken from it. Uses up ut. */
long ut_whole(uint64_t ut, unsigned bits);
/* n consecutive fresh slots; the first. */
uint64_t slots(unsigned n);
/* n fresh 4 KiB frames in consecutive slots (the first; 0 on error). */
uint64_t frames(unsigned n);
/* n fresh 4 KiB frames in consecutive slots, each mapped RW OWNED in vs at
 * ipa + i * step (the first slot; 0 on error). */
uint64_t mapped_frames(uint64_t vs, unsigned n, uint64_t ipa, uint64_t step);
/* VSPACE_MAP_FRAMES of sources and copies in the test's own CNode. */
long map_run(uint64_t vs, uint64_t src, uint64_t dst, uint64_t n, uint64_t ipa,
	     uint64_t rights, uint64_t tag);
/* A 32-bit VSpace with the level-3 table for its first 2 MiB; 0 on error. */
uint64_t hostile_vspace32(void);
/* A CNode of 4 slots with a copy of a new endpoint in slot 0, guard 0;
 * its slot i is (i, 2) under it. */
uint64_t small_cnode(void);
/* OK if small_cnode c still holds the endpoint in slot 0 alone. */
long small_cnode_intact(uint64_t c);
/* A slot index no lookup can reach: its guard bits do not match. */
#define BAD_GUARD_CPTR (1ULL << 62)
