/* A fake world for the kernel's object code on the host: memory for
 * objects, a root CNode, an Untyped over a heap buffer, and a calling
 * thread whose registers carry invocations as on the target. */
#pragma once
#include <object/cap.h>
#include <object/tcb.h>

#define KFIX_UT_BITS   22
#define KFIX_ROOT_BITS 8
/* As the fuzzer's bound: no operation of the fixture's size takes more. */
#define KFIX_RESTARTS_MAX 100000u

struct kfix {
	struct cte *root;    /* KFIX_ROOT_BITS slots */
	struct cap root_cap; /* guard 56 bits: a cptr is a slot index */
	struct tcb *caller;
	struct septa_ipc_buffer *buf;
	void *ut_mem;
	uint64_t ut_slot;
	/* A call that restarts is made again, at most step_limit times in
	 * all (KFIX_RESTARTS_MAX if 0), then kfix_call returns INV_RESTART;
	 * steps counts the kernel entries of the last call. */
	unsigned step_limit, steps;
};

extern struct kfix kf;

void kfix_setup(void);
/* Frees the fixture once the kernel holds nothing of it (see kfix.c). */
void kfix_teardown(void);
/* The same as CUnit suite hooks, and a fresh fixture between tests. */
int kfix_suite_init(void);
int kfix_suite_clean(void);
void kfix_reset(void);
/* Invokes the capability at cptr as the caller would with Call. */
long kfix_call(uint64_t cptr, uint64_t label, unsigned ncaps, const uint64_t *caps,
	       unsigned nargs, const uint64_t *args);
long kfix_retype(unsigned type, unsigned bits, uint64_t slot, unsigned count);
long kfix_copy(uint64_t dst, uint64_t src, unsigned rights);
long kfix_delete(uint64_t slot);
long kfix_revoke(uint64_t slot);
/* Checks the derivation tree's links over the root CNode and every CNode
 * reachable from it; returns the number of problems found. */
int kfix_tree_problems(void);
