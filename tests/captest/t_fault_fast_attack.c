/*
 * Attacks on the fastpaths (kernel/core/fastpath.c, fastpath_fault.c):
 * cases the first tests did not reach, each checked against what the
 * full path does.
 */
#include <stdbool.h>
#include "captest.h"

extern const uint8_t guest_ff_start[], guest_ff_end[];

static uint64_t fa_ep, fa_park;
static volatile uint64_t fa_got[2], fa_label[2];

/* Receiver i: takes one message on fa_ep, answers it with label 1 (a
 * guest's fault: leave it stopped) and parks. */
static void fa_receiver(uint64_t i)
{
	struct septa_msg m = {0};

	septa_recv(fa_ep, &m);
	fa_label[i] = SEPTA_MSG_LABEL(m.info);
	fa_got[i] = 1;
	m.info = septa_msginfo(1, 0, 0);
	septa_reply(&m);
	septa_recv(fa_park, &m);
}

/* Two receivers waiting on fa_ep, in the order 0, 1. */
static bool fa_two_receivers(void)
{
	fa_ep = mk(SEPTA_OBJ_ENDPOINT, 0);
	fa_park = mk(SEPTA_OBJ_ENDPOINT, 0);
	fa_got[0] = fa_got[1] = 0;
	return fa_ep && fa_park && spawn(fa_receiver, 0, HIGH_PRIO, 0) &&
	       spawn(fa_receiver, 1, HIGH_PRIO, 0);
}

/*
 * A Call served by the fastpath to the first of two receivers waiting on
 * one endpoint: the second still waits there, and a send reaches it. The
 * hand-over put the first on the ready queue while it still headed the
 * endpoint's queue (the two share the links), so taking it off the
 * endpoint dropped every receiver behind it.
 */
void test_fault_fast_attack_call_two_receivers(void)
{
	struct septa_msg m = {.info = septa_msginfo(7, 0, 0)};

	CHECK(fa_two_receivers());
	CHECK_EQ(septa_call(fa_ep, &m), 0);
	CHECK_EQ(fa_got[0], 1);
	CHECK_EQ(fa_label[0], 7);
	CHECK_EQ(fa_got[1], 0);
	m.info = septa_msginfo(8, 0, 0);
	CHECK_EQ(septa_nbsend(fa_ep, &m), 0); /* the second is there */
	CHECK_EQ(fa_got[1], 1);
	CHECK_EQ(fa_label[1], 8);
}

/*
 * The same with a guest's exit as the message: two VMM threads wait on
 * its fault endpoint; the first takes the hypercall (and leaves the guest
 * stopped), the second must still be waiting.
 */
void test_fault_fast_attack_fault_two_receivers(void)
{
	uint64_t vcpu = 0, tcb;
	struct septa_msg m = {.info = septa_msginfo(8, 0, 0)};

	CHECK(fa_two_receivers());
	tcb = make_guest_running(guest_ff_start, guest_ff_end, fa_ep, &vcpu);
	CHECK(tcb);
	drop_guest_view();
	CHECK_EQ(septa_tcb_set_priority(tcb, LOW_PRIO), 0);
	CHECK_EQ(septa_tcb_resume(tcb), 0);
	join_lower(&fa_got[0]);
	CHECK_EQ(fa_label[0], SEPTA_FAULT_HVC);
	CHECK_EQ(fa_got[1], 0);
	CHECK_EQ(septa_nbsend(fa_ep, &m), 0); /* the second is there */
	CHECK_EQ(fa_got[1], 1);
	CHECK_EQ(fa_label[1], 8);
	CHECK_EQ(septa_cnode_delete(CNODE, tcb, DEPTH), 0);
}
