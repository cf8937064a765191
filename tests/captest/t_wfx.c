/* Guests waiting (WFI, WFE) and the traps whose answers the kernel defines:
 * the guests of wfx_guest.S, above the suite's priority, so that they run
 * the moment they can. */
#include <stdbool.h>
#include "captest.h"

extern const uint8_t guest_wfi_start[], guest_wfi_end[], guest_wfi_wait[];
extern const uint8_t guest_wfi_v2_start[], guest_wfi_v2_end[], guest_wfi_v2_wait[];
extern const uint8_t guest_traps_start[], guest_traps_end[];

static uint64_t counter(void)
{
	uint64_t v;

	__asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(v));
	return v;
}

static uint64_t ticks_per_ms(void)
{
	uint64_t f;

	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(f));
	return f / 1000;
}

/* Keeps the CPU busy: any thread of the suite's priority or below waits. */
static void spin(uint64_t ticks)
{
	uint64_t end = counter() + ticks;

	while (counter() < end)
		;
}

/* The timer round the guest is in: answer its last exit with `ticks`
 * (a release, not a receive: it runs at once) and take its report. How
 * late it woke, in counter ticks; UINT64_MAX if the report was wrong. */
static uint64_t timer_round(uint64_t ep, struct septa_msg *m, uint64_t ticks, bool busy)
{
	m->info = septa_msginfo(0, 0, 1);
	m->mr[0] = ticks;
	if (septa_reply(m))
		return UINT64_MAX;
	/* Busy: its deadline passes while we run, and it must be woken then
	 * (as it outranks us, its report is waiting when we are done). Not
	 * busy: nothing runs, and the CPU sleeps until the deadline. */
	if (busy)
		spin(ticks + 10 * ticks_per_ms());
	if (septa_recv(ep, m))
		return UINT64_MAX;
	if (SEPTA_MSG_LABEL(m->info) != SEPTA_FAULT_HVC || m->mr[0] != 3 ||
	    m->mr[1] != 27 || m->mr[3] < septa_mr(m, 4))
		return UINT64_MAX; /* or woke before it was due */
	return m->mr[3] - septa_mr(m, 4);
}

void test_guest_wfi_waits_for_interrupt(void)
{
	static const struct guest_code v3 = {guest_wfi_start, guest_wfi_end},
				       v2 = {guest_wfi_v2_start, guest_wfi_v2_end};
	const uint8_t *wait = bi->gic_version == 3 ? guest_wfi_wait : guest_wfi_v2_wait;
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0), vcpu = 0, tcb, pc = 0;
	struct septa_msg m = {0};

	tcb = make_gic_guest(&v3, &v2, ep, &vcpu);
	CHECK(tcb);
	CHECK_EQ(septa_tcb_set_priority(tcb, HIGH_PRIO), 0);
	CHECK_EQ(septa_tcb_resume(tcb), 0);
	CHECK_EQ(septa_recv(ep, &m), 0);
	CHECK_EQ(m.mr[0], 1);
	/* It waits with nothing pending: blocked past its WFI, though it
	 * outranks us and the CPU's own timer interrupts keep coming. */
	m.info = septa_msginfo(0, 0, 0);
	CHECK_EQ(septa_reply(&m), 0);
	CHECK_EQ(septa_nbrecv(ep, &m), SEPTA_E_WOULD_BLOCK);
	spin(20 * ticks_per_ms());
	CHECK_EQ(septa_nbrecv(ep, &m), SEPTA_E_WOULD_BLOCK);
	CHECK_EQ(septa_tcb_read_registers(tcb, 1, &pc), 0);
	CHECK_EQ(pc, GUEST_RAM +
			 (uint64_t)(wait - (bi->gic_version == 3 ? guest_wfi_start
								 : guest_wfi_v2_start)) +
			 4);
	/* An injected interrupt wakes it, and it runs at once. */
	CHECK_EQ(septa_vcpu_inject_irq(vcpu, 40, 0x10), 0);
	CHECK_EQ(septa_nbrecv(ep, &m), 0);
	CHECK_EQ(SEPTA_MSG_LABEL(m.info), SEPTA_FAULT_HVC);
	CHECK_EQ(m.mr[0], 2);
	CHECK_EQ(m.mr[1], 40);
	/* Its virtual timer wakes it, while nothing at all runs and while we
	 * keep the CPU busy, never before its deadline. How late it wakes is
	 * not checked here: QEMU's counter follows the host's clock, and a
	 * loaded host stalls QEMU for milliseconds, so any bound would test
	 * the host. That it wakes at its deadline is checked where time is exact:
	 * guestbench, under -icount, takes 200 ticks 100 us apart in 20 ms. */
	for (unsigned i = 0; i < 3; i++)
		CHECK(timer_round(ep, &m, ticks_per_ms() * 11 / 10, i >= 1) !=
		      UINT64_MAX);
	m.info = septa_msginfo(1, 0, 0);
	CHECK_EQ(septa_reply(&m), 0);
	CHECK_EQ(septa_cnode_delete(CNODE, tcb, DEPTH), 0);
}

/* Answers the exit in m with label 0 and `len` MRs of values and takes the
 * next, which must be a `label`. */
static void answer(uint64_t ep, struct septa_msg *m, unsigned len, uint64_t value,
		   uint64_t label)
{
	m->info = septa_msginfo(0, 0, len);
	m->mr[SEPTA_REPLY_VALUE] = value;
	CHECK_EQ(septa_reply_recv(ep, m), 0);
	CHECK_EQ(SEPTA_MSG_LABEL(m->info), label);
}

/* The load the guest's exit in m describes: its address, size, register
 * and how it extends. */
static bool is_load(const struct septa_msg *m, uint64_t ipa, unsigned size, unsigned reg,
		    unsigned extend)
{
	uint64_t a = m->mr[SEPTA_ABORT_ACCESS];

	return SEPTA_MSG_LABEL(m->info) == SEPTA_FAULT_ABORT &&
	       m->mr[SEPTA_ABORT_IPA] == ipa &&
	       SEPTA_ACCESS_KIND(a) == SEPTA_ACCESS_READ &&
	       SEPTA_ACCESS_SIZE(a) == size && SEPTA_ACCESS_REG(a) == reg &&
	       (a & (SEPTA_ACCESS_SIGNED | SEPTA_ACCESS_WIDE)) == extend;
}

void test_guest_traps_defined(void)
{
	const unsigned sx = SEPTA_ACCESS_SIGNED | SEPTA_ACCESS_WIDE;
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0), tcb;
	struct septa_msg m = {0};

	tcb = start_guest_with_vector(guest_traps_start, guest_traps_end, ep);
	CHECK(tcb);
	/* mrs x3, pmcr_el0, answered without a value: it reads zero, not
	 * what x3 held. The set/way operations after it never reach us. */
	CHECK_EQ(septa_recv(ep, &m), 0);
	CHECK_EQ(SEPTA_MSG_LABEL(m.info), SEPTA_FAULT_SYSREG);
	CHECK_EQ(SEPTA_ACCESS_KIND(m.mr[SEPTA_SYSREG_ACCESS]), SEPTA_ACCESS_READ);
	/* ldrsh x5 and w6 (SF 0), ldrsw x7: each answer has more bits than
	 * the load takes */
	answer(ep, &m, 0, 0, SEPTA_FAULT_ABORT);
	CHECK(is_load(&m, 0x09000002, 2, 5, sx));
	answer(ep, &m, 1, 0x12348001, SEPTA_FAULT_ABORT);
	CHECK(is_load(&m, 0x09000002, 2, 6, SEPTA_ACCESS_SIGNED));
	answer(ep, &m, 1, 0x12348001, SEPTA_FAULT_ABORT);
	CHECK(is_load(&m, 0x09000004, 4, 7, sx));
	answer(ep, &m, 1, 0x1234567880000001ULL, SEPTA_FAULT_HVC);
	CHECK_EQ(m.mr[0], 4);
	CHECK_EQ(m.mr[1], 0);
	CHECK_EQ(m.mr[2], 0xffffffffffff8001ULL);
	CHECK_EQ(m.mr[3], 0xffff8001ULL);
	CHECK_EQ(septa_mr(&m, 4), 0xffffffff80000001ULL);
	/* WFE: the guest yields and goes on. */
	m.info = septa_msginfo(0, 0, 0);
	CHECK_EQ(septa_reply_recv(ep, &m), 0);
	CHECK_EQ(SEPTA_MSG_LABEL(m.info), SEPTA_FAULT_HVC);
	CHECK_EQ(m.mr[0], 5);
	m.info = septa_msginfo(1, 0, 0);
	CHECK_EQ(septa_reply(&m), 0);
	CHECK_EQ(septa_cnode_delete(CNODE, tcb, DEPTH), 0);
}

/* Guests leave the waiting list whichever way they stop waiting: A's VCPU
 * deleted, C's TCB deleted and B suspended while they wait in WFI must
 * leave the list intact (it is walked for deadlines at every switch). */
void test_guest_wfi_waiter_deleted(void)
{
	static const struct guest_code v3 = {guest_wfi_start, guest_wfi_end},
				       v2 = {guest_wfi_v2_start, guest_wfi_v2_end};
	uint64_t ep[3], vcpu[3] = {0}, tcb[3];
	struct septa_msg m = {0};

	/* On a GICv2 each guest takes the one GICV frame the device Untyped has. */
	SKIP_UNLESS(bi->gic_version == 3, "needs a GICv3: on a GICv2 the device Untyped "
					  "has one GICV frame, for one guest");
	for (unsigned i = 0; i < 3; i++) {
		ep[i] = mk(SEPTA_OBJ_ENDPOINT, 0);
		tcb[i] = make_gic_guest(&v3, &v2, ep[i], &vcpu[i]);
		CHECK(tcb[i]);
		CHECK_EQ(septa_tcb_set_priority(tcb[i], HIGH_PRIO), 0);
		CHECK_EQ(septa_tcb_resume(tcb[i]), 0);
		CHECK_EQ(septa_recv(ep[i], &m), 0);
		CHECK_EQ(m.mr[0], 1);
		m.info = septa_msginfo(0, 0, 0);
		CHECK_EQ(septa_reply(&m), 0);
		CHECK_EQ(septa_nbrecv(ep[i], &m), SEPTA_E_WOULD_BLOCK);
		drop_guest_view();
	}
	CHECK_EQ(septa_cnode_delete(CNODE, vcpu[0], DEPTH), 0);
	CHECK_EQ(septa_cnode_delete(CNODE, tcb[2], DEPTH), 0);
	spin(5 * ticks_per_ms());
	CHECK_EQ(septa_nbrecv(ep[1], &m), SEPTA_E_WOULD_BLOCK);
	/* Suspended while it waits, B is off the list: an interrupt does not
	 * wake it; resumed, it goes on past its WFI and finds the interrupt. */
	CHECK_EQ(septa_tcb_suspend(tcb[1]), 0);
	CHECK_EQ(septa_vcpu_inject_irq(vcpu[1], 40, 0x10), 0);
	CHECK_EQ(septa_nbrecv(ep[1], &m), SEPTA_E_WOULD_BLOCK);
	CHECK_EQ(septa_tcb_resume(tcb[1]), 0);
	CHECK_EQ(septa_nbrecv(ep[1], &m), 0);
	CHECK_EQ(SEPTA_MSG_LABEL(m.info), SEPTA_FAULT_HVC);
	CHECK_EQ(m.mr[0], 2);
	CHECK(timer_round(ep[1], &m, ticks_per_ms(), true) != UINT64_MAX);
	m.info = septa_msginfo(1, 0, 0);
	CHECK_EQ(septa_reply(&m), 0);
	CHECK_EQ(septa_cnode_delete(CNODE, tcb[1], DEPTH), 0);
	CHECK_EQ(septa_cnode_delete(CNODE, tcb[0], DEPTH), 0);
}
