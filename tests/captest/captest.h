/*
 * The capability regression suite: a root task running many small tests
 * against the real kernel. Each test gets a fresh 4 MiB Untyped and a
 * range of empty slots; afterwards the Untyped is revoked and the slots
 * emptied, so tests cannot disturb each other.
 *
 * Adding a test: write `void test_NAME(void)` with CHECK/CHECK_EQ
 * (tests/lib/harness.h), and add `T(NAME)` to tests.def. It runs in a
 * thread of its own (runner.c), ct.self: SEPTA_CAP_INIT_TCB is the
 * suite's thread, not the test's.
 */
#pragma once
#include "harness.h"
#include <septa/ipc.h>
#include <septa/syscall.h>
#include <stdint.h>

#define CNODE	  SEPTA_CAP_INIT_CNODE
#define DEPTH	  64
#define VSPACE	  SEPTA_CAP_INIT_VSPACE
#define ROOT_PRIO 200 /* the priority a test starts at */
#define HIGH_PRIO 250 /* above it: runs as soon as it can */
#define LOW_PRIO  100 /* below it: runs only when the suite blocks */

struct captest_ctx {
	uint64_t ut;	    /* this test's Untyped */
	uint64_t slot_next; /* next free slot of this test */
	unsigned threads;   /* threads spawned in this test */
	uint64_t vspace;    /* VSpace for spawn(); 0: the root task's */
	/* The test's own thread (runner.c): its "self", not the root task's
	 * initial TCB, which is the suite's. */
	uint64_t self;
};
extern struct captest_ctx ct;
extern const struct septa_bootinfo *bi;

/* A fresh empty slot in the root CNode. */
uint64_t slot(void);
/* Retypes one object from this test's Untyped into a fresh slot; 0 on error. */
uint64_t mk(unsigned type, unsigned size_bits);
/* A frame's physical address; 0 (and the test failed) if it has none. */
uint64_t frame_pa(uint64_t f);
/* Starts fn(arg) in a new thread sharing the root task's address space and
 * CSpace, with its own stack and IPC buffer; returns its TCB slot. */
uint64_t spawn(void (*fn)(uint64_t), uint64_t arg, unsigned prio, uint64_t fault_ep);
/* Yields until *v is non-zero (bounded): a same-priority thread may be
 * preempted by the timer before it gets there, so one yield is no proof. */
void yield_until(volatile uint64_t *v);
/* Lets threads below the suite's priority run until *v is non-zero: the
 * suite drops below them (none may spin forever) and waits for that event;
 * a check of what such a thread recorded is then no guess. */
void join_lower(volatile uint64_t *v);
/* Makes a shared peripheral interrupt pending at the GIC (test kernels). */
long pend_spi(unsigned irq);
/* An unmapped IPA in the root task's address space. */
#define UNMAPPED_IPA 0x30000000UL

/* Guests (t_vcpu.c): code of at most 4 KiB, run at GUEST_RAM from its
 * first byte, in a fresh 36-bit VSpace, faults to ep; resume it yourself. */
#define GUEST_RAM 0x40000000UL
struct guest_code {
	const uint8_t *start, *end;
};
uint64_t make_guest_running(const uint8_t *start, const uint8_t *end, uint64_t ep,
			    uint64_t *vcpu_out);
/* The same with its vectors 0x800 into its code, resumed; 0 on error. */
uint64_t start_guest_with_vector(const uint8_t *start, const uint8_t *end, uint64_t ep);
/* The same with code for this machine's GIC; on a GICv2 its CPU interface
 * is the GICV frame, mapped where the guest expects its GICC (0x08010000). */
uint64_t make_gic_guest(const struct guest_code *v3, const struct guest_code *v2,
			uint64_t ep, uint64_t *vcpu);
/* Deletes our view of the last guest's code, so that another can be made. */
void drop_guest_view(void);
