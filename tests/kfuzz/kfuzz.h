/*
 * The on-target fuzzer (docs/fuzzing.md, "On-target fuzzer"). The root
 * task (main.c) builds, each epoch, a hostile thread (fuzz.c) in a CSpace
 * of its own with a fresh Untyped, lets it issue seeded random system
 * calls in rounds, and between rounds checks the invariants: every call
 * returned OK or a known error, the kernel's audit finds nothing, the
 * victim threads (victim.c) still answer; at each epoch's end the fuzz
 * Untyped is revoked and must be wholly free.
 */
#pragma once
#include <stdbool.h>
#include <septa/ipc.h>
#include <septa/syscall.h>
#include <stdint.h>

#define KF_CNODE  SEPTA_CAP_INIT_CNODE
#define KF_DEPTH  64
#define KF_VSPACE SEPTA_CAP_INIT_VSPACE

#define KF_ROOT_PRIO   200
#define KF_VICTIM_PRIO 220 /* above the fuzzer: they answer at once */
#define KF_FUZZ_PRIO   100 /* and its MCP: the threads it makes run beside it */
#define KF_VICTIMS     3

/* The hostile thread's CSpace: one CNode of 2^KF_FC_BITS slots, guarded
 * so that 64-bit cptrs resolve in it. Slots below KF_FC_RESERVED are the
 * harness's: the fuzzer may invoke and copy them but never deletes,
 * revokes, moves or mutates them. */
#define KF_FC_BITS	10u
#define KF_FC_SLOTS	(1u << KF_FC_BITS)
#define KF_FC_GUARD	(64u - KF_FC_BITS)
#define KF_FC_SELF	1u /* the CNode itself */
#define KF_FC_UT	2u /* its Untyped */
#define KF_FC_GO	3u /* notification it waits on for a round */
#define KF_FC_DONE	4u /* notification it signals after one */
#define KF_FC_VICTIM	5u /* + i: victim i's endpoint, Write and Grant, badge i + 1 */
#define KF_FC_RESERVED	(KF_FC_VICTIM + KF_VICTIMS)
#define KF_FUZZ_UT_BITS 24u /* the epoch's Untyped */
#define KF_FUZZ_UT_SUB	23u /* the part the fuzzer holds */

/* Results counted by -code; every septa_error (abi.h's SEPTA_ERRORS) is
 * above -KF_RESULTS. */
#define KF_RESULTS 64

/* Message labels between the root task and the victims. */
#define KF_PING 0x51
#define KF_PONG 0x52

/* splitmix64: small, and every seed gives a full-period stream. */
static inline uint64_t kf_mix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* One system call as issued: x0-x6 and the number (x7). */
struct kf_call {
	uint64_t x[8];
	long ret;
};
#define KF_LOG 16 /* the last calls, printed on a failure */

/* What the root task and the hostile thread share (one address space). */
struct kf_shared {
	uint64_t rng;		      /* the fuzzer's PRNG state, carried across epochs */
	unsigned round_calls;	      /* calls per round */
	uint64_t stop_at;	      /* the round ends with the call that reaches it */
	volatile uint64_t calls;      /* issued in all */
	volatile int failed;	      /* a call returned an unknown code */
	uint64_t results[KF_RESULTS]; /* by -result: how often each came */
	struct kf_call log[KF_LOG];
	unsigned log_next;
};
extern struct kf_shared kf;

/* fuzz.c: the hostile thread's body. */
void kf_fuzz_thread(uint64_t unused);
void kf_fuzz_epoch_start(void);
extern bool kf_guard;	     /* findings F2 and F3 kept out (fuzz.c) */
extern uint64_t kf_excluded; /* calls the guard changed */
/* victim.c */
void kf_victim(uint64_t i);
extern volatile uint64_t kf_victim_msgs[KF_VICTIMS];
extern volatile uint64_t kf_victim_bad[KF_VICTIMS];
/* A victim's first unexpected error: step (1 receive, 2 delete of what it
 * received, 3 reply), the error, the message's info word. */
extern volatile long kf_victim_why[KF_VICTIMS][3];
/* main.c: slots of the root CNode the victims use. */
uint64_t kf_victim_ep(unsigned i);
uint64_t kf_victim_inbox(unsigned i);
uint64_t kf_victim_keep(unsigned i);
#define KF_KEEP_BADGE(i) (0x4b00u + (i))
/* main.c: the kernel's audit (fails the run on a violation). */
void kf_audit(const char *when);
/* regress.c: what the fuzzer found, replayed directly from Untyped ut
 * into the empty root slots from `first` on; fails the run if it is back. */
void kf_regressions(uint64_t ut, uint64_t first);
void kf_fail(const char *what, long detail);
/* Prints the last calls (on a failure). */
void kf_dump_log(void);
