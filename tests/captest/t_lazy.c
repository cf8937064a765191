/*
 * The lazy world switch (issue 16): a guest's EL1 registers and list
 * registers stay in the CPU while its VMM, a native thread, handles its
 * exit, and are saved only when another guest runs. What the VMM does in
 * between (inject, read and write registers, delete) must act on the live
 * state, and no guest may see another's. The test is the VMM; its guests
 * (lazy_guest.S, uie_guest.S) run below it, so each runs only while the
 * test waits for it, and a guest answered but not to run yet is suspended.
 */
#include "captest.h"

extern const uint8_t guest_lazy_start[], guest_lazy_end[];
extern const uint8_t guest_uie_start[], guest_uie_end[];
extern const uint8_t guest_uie_v2_start[], guest_uie_v2_end[];

#define LAZY_VIEW (UNMAPPED_IPA + 0x1000000) /* where a test looks into a frame */

/* A guest of lazy_guest.S with its seed, faulting to ep; not started. */
static uint64_t lazy_guest(uint64_t seed, uint64_t ep, uint64_t *vcpu)
{
	uint64_t tcb = make_guest_running(guest_lazy_start, guest_lazy_end, ep, vcpu);
	uint64_t regs[3] = {GUEST_RAM, 0, seed};

	if (!tcb || septa_tcb_write_registers(tcb, 0, 3, regs))
		return 0;
	drop_guest_view();
	return tcb;
}

/* Answers the exit in m (registers untouched) and takes the next from ep,
 * which must be HVC `what`. */
static void lazy_next(uint64_t ep, struct septa_msg *m, uint64_t what)
{
	m->info = septa_msginfo(0, 0, 0);
	CHECK_EQ(septa_reply_recv(ep, m), 0);
	CHECK_EQ(SEPTA_MSG_LABEL(m->info), SEPTA_FAULT_HVC);
	CHECK_EQ(m->mr[0], what);
}

/* The first exit from ep after resuming tcb: HVC `what`. */
static void lazy_first(uint64_t tcb, uint64_t ep, struct septa_msg *m, uint64_t what)
{
	CHECK_EQ(septa_tcb_resume(tcb), 0);
	CHECK_EQ(septa_recv(ep, m), 0);
	CHECK_EQ(SEPTA_MSG_LABEL(m->info), SEPTA_FAULT_HVC);
	CHECK_EQ(m->mr[0], what);
}

/* Answers the exit in m, the guest left stopped (suspended) so that it
 * runs only when resumed. */
static void lazy_park(uint64_t tcb, struct septa_msg *m)
{
	m->info = septa_msginfo(0, 0, 0);
	CHECK_EQ(septa_reply(m), 0);
	CHECK_EQ(septa_tcb_suspend(tcb), 0);
}

/* A report (lazy_guest.S) of registers holding v, as the guest set them. */
static void lazy_own(const struct septa_msg *m, uint64_t v)
{
	CHECK_EQ(m->mr[1], v);
	CHECK_EQ(m->mr[2], v << 12);
	CHECK_EQ(m->mr[3], v << 12);
	CHECK_EQ(septa_mr(m, 6), v);
}

/* A report of registers as a VCPU starts: all zero. */
static void lazy_fresh(const struct septa_msg *m)
{
	for (unsigned i = 1; i <= 6; i++)
		if (i != 4)
			CHECK_EQ(septa_mr(m, i), 0);
}

static uint64_t el0_tpidrro(void)
{
	uint64_t v;

	__asm__ volatile("mrs %0, tpidrro_el0" : "=r"(v));
	return v;
}

static uint64_t el0_cntvct(void)
{
	uint64_t v;

	__asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(v));
	return v;
}

/*
 * Two guests through one VMM, taking turns: each exit leaves the guest's
 * state loaded while we run, and the other guest's run must save it and
 * load its own. Each finds zeros as it starts (not the other's, loaded at
 * that moment) and its own values after every turn of the other's. We,
 * natively, see neither's TPIDRRO_EL0 nor CNTVOFF (a guest's 2^62 would
 * take our virtual count back by that much).
 */
void test_lazy_two_guests_alternate(void)
{
	uint64_t ep[2] = {mk(SEPTA_OBJ_ENDPOINT, 0), mk(SEPTA_OBJ_ENDPOINT, 0)};
	uint64_t tcb[2], vcpu[2], t0 = el0_cntvct(), t1;
	struct septa_msg m = {0};

	CHECK(ep[0] && ep[1]);
	tcb[0] = lazy_guest(0x100, ep[0], &vcpu[0]);
	tcb[1] = lazy_guest(0x200, ep[1], &vcpu[1]);
	CHECK(tcb[0] && tcb[1]);
	CHECK_EQ(septa_vcpu_write_reg(vcpu[0], SEPTA_VCPU_REG_CNTVOFF, 1ULL << 62), 0);
	for (unsigned g = 0; g < 2; g++) {
		lazy_first(tcb[g], ep[g], &m, 0);
		lazy_fresh(&m);
		lazy_next(ep[g], &m, 1);
		CHECK_EQ(septa_mr(&m, 4), 0x100 * (g + 1));
		CHECK_EQ(el0_tpidrro(), 0);
		t1 = el0_cntvct();
		CHECK(t1 >= t0 && t1 - t0 < 1ULL << 40);
		lazy_park(tcb[g], &m);
	}
	for (unsigned round = 1; round < 4; round++)
		for (unsigned g = 0; g < 2; g++) {
			lazy_first(tcb[g], ep[g], &m, 2);
			CHECK_EQ(septa_mr(&m, 4), 0x100 * (g + 1) + round - 1);
			lazy_own(&m, 0x100 * (g + 1) + round - 1);
			lazy_next(ep[g], &m, 1);
			CHECK_EQ(septa_mr(&m, 4), 0x100 * (g + 1) + round);
			CHECK_EQ(el0_tpidrro(), 0);
			lazy_park(tcb[g], &m);
		}
	for (unsigned g = 0; g < 2; g++)
		CHECK_EQ(septa_cnode_delete(CNODE, tcb[g], DEPTH), 0);
}

/*
 * Between two exits the VMM reads what the guest set (never saved to
 * memory yet: it has only ever been loaded lazily) and writes registers
 * the guest then finds, with no other guest running in between.
 */
void test_lazy_registers_live(void)
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0), vcpu = 0,
		 tcb = lazy_guest(0x300, ep, &vcpu);
	uint64_t value = 0;
	struct septa_msg m = {0};

	CHECK(tcb);
	lazy_first(tcb, ep, &m, 0);
	lazy_next(ep, &m, 1);
	CHECK_EQ(septa_vcpu_read_reg(vcpu, SEPTA_VCPU_REG_VBAR, &value), 0);
	CHECK_EQ(value, 0x300ULL << 12);
	CHECK_EQ(septa_vcpu_read_reg(vcpu, SEPTA_VCPU_REG_TTBR0, &value), 0);
	CHECK_EQ(value, 0x300ULL << 12);
	CHECK_EQ(septa_vcpu_write_reg(vcpu, SEPTA_VCPU_REG_VBAR, 0x55000), 0);
	CHECK_EQ(septa_vcpu_write_reg(vcpu, SEPTA_VCPU_REG_TTBR1, 0x77000), 0);
	lazy_next(ep, &m, 2);
	CHECK_EQ(m.mr[1], 0x300);
	CHECK_EQ(m.mr[2], 0x55000);
	CHECK_EQ(m.mr[3], 0x300ULL << 12);
	CHECK_EQ(septa_mr(&m, 5), 0x77000);
	/* A write with no read before it, after the reload those made. */
	lazy_next(ep, &m, 1);
	CHECK_EQ(septa_vcpu_write_reg(vcpu, SEPTA_VCPU_REG_TTBR0, 0x99000), 0);
	lazy_next(ep, &m, 2);
	CHECK_EQ(m.mr[2], 0x301ULL << 12);
	CHECK_EQ(m.mr[3], 0x99000);
	CHECK_EQ(septa_mr(&m, 5), 0x77000);
	/* And a read of what the guest set since. */
	lazy_next(ep, &m, 1);
	CHECK_EQ(septa_vcpu_read_reg(vcpu, SEPTA_VCPU_REG_VBAR, &value), 0);
	CHECK_EQ(value, 0x302ULL << 12);
	m.info = septa_msginfo(1, 0, 0);
	CHECK_EQ(septa_reply(&m), 0);
	CHECK_EQ(septa_cnode_delete(CNODE, tcb, DEPTH), 0);
}

/* The polling guest's next report (HVC 5): how many interrupts it took. */
static uint64_t lazy_taken(uint64_t ep, struct septa_msg *m)
{
	lazy_next(ep, m, 5);
	return m->mr[2];
}

/*
 * Interrupts injected while the VMM runs go into the guest's live list
 * registers: taken when it resumes, each once (40 twice is one pending
 * 40). The second time another guest runs between the injection and the
 * resumption, so the live list registers are saved and loaded again.
 */
void test_lazy_inject_while_vmm_runs(void)
{
	static const struct guest_code v3 = {guest_uie_start, guest_uie_end},
				       v2 = {guest_uie_v2_start, guest_uie_v2_end};
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0), ep2 = mk(SEPTA_OBJ_ENDPOINT, 0);
	uint64_t vcpu = 0, vcpu2 = 0, tcb, tcb2;
	struct septa_msg m = {0}, m2 = {0};

	CHECK(ep && ep2);
	tcb = make_gic_guest(&v3, &v2, ep, &vcpu);
	CHECK(tcb);
	drop_guest_view();
	tcb2 = lazy_guest(0x700, ep2, &vcpu2);
	CHECK(tcb2);
	lazy_first(tcb, ep, &m, 3); /* ready */
	CHECK_EQ(septa_vcpu_inject_irq(vcpu, 40, 0x10), 0);
	CHECK_EQ(septa_vcpu_inject_irq(vcpu, 40, 0x10), 0);
	CHECK_EQ(septa_vcpu_inject_irq(vcpu, 41, 0x10), 0);
	CHECK_EQ(lazy_taken(ep, &m), 2);
	CHECK_EQ(lazy_taken(ep, &m), 2);
	CHECK_EQ(septa_vcpu_inject_irq(vcpu, 42, 0x10), 0);
	lazy_park(tcb, &m);
	lazy_first(tcb2, ep2, &m2, 0);
	lazy_fresh(&m2);
	lazy_park(tcb2, &m2);
	CHECK_EQ(septa_tcb_resume(tcb), 0);
	CHECK_EQ(septa_recv(ep, &m), 0);
	CHECK_EQ(m.mr[0], 5);
	CHECK_EQ(m.mr[2], 3);
	CHECK_EQ(lazy_taken(ep, &m), 3);
	m.info = septa_msginfo(1, 0, 0);
	CHECK_EQ(septa_reply(&m), 0);
	CHECK_EQ(septa_cnode_delete(CNODE, tcb, DEPTH), 0);
	CHECK_EQ(septa_cnode_delete(CNODE, tcb2, DEPTH), 0);
}

static uint64_t lazy_table(void *arg)
{
	(void)arg;
	return mk(SEPTA_OBJ_PAGE_TABLE, 0);
}

/*
 * A VCPU deleted while its state is loaded lazily: its thread stops, and
 * the kernel forgets the VCPU, so that nothing of its is saved later into
 * what its memory becomes (a frame, here, which must stay zero while
 * another guest runs) and a VCPU made in its place starts from zeros.
 */
void test_lazy_delete_vcpu_while_loaded(void)
{
	static const struct septa_table_source tables = {lazy_table, NULL, NULL};
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0), sub = mk(SEPTA_OBJ_UNTYPED, 16);
	uint64_t vcpu0 = 0, v1 = slot(), f = slot(), v2 = slot();
	uint64_t tcb = lazy_guest(0x400, ep, &vcpu0), regs[3] = {GUEST_RAM, 0, 0x500};
	const volatile uint64_t *words = (const volatile uint64_t *)LAZY_VIEW;
	struct septa_msg m = {0};
	uint64_t nonzero = 0;

	CHECK(ep && sub && tcb);
	CHECK_EQ(septa_cnode_delete(CNODE, vcpu0, DEPTH), 0);
	CHECK_EQ(septa_untyped_retype(sub, SEPTA_OBJ_VCPU, 0, CNODE, 0, 0, v1, 1), 0);
	CHECK_EQ(septa_vcpu_set_tcb(v1, tcb), 0);
	lazy_first(tcb, ep, &m, 0);
	lazy_next(ep, &m, 1); /* 0x400 set, loaded */
	CHECK_EQ(septa_cnode_delete(CNODE, v1, DEPTH), 0);
	m.info = septa_msginfo(0, 0, 0);
	CHECK_EQ(septa_reply(&m), SEPTA_E_NO_REPLY);
	/* Its memory: first a frame, then a VCPU for the same thread. */
	CHECK_EQ(septa_cnode_revoke(CNODE, sub, DEPTH), 0);
	CHECK_EQ(septa_untyped_retype(sub, SEPTA_OBJ_FRAME_4K, 0, CNODE, 0, 0, f, 1), 0);
	CHECK_EQ(septa_untyped_retype(sub, SEPTA_OBJ_VCPU, 0, CNODE, 0, 0, v2, 1), 0);
	CHECK_EQ(septa_vcpu_set_tcb(v2, tcb), 0);
	CHECK_EQ(septa_tcb_write_registers(tcb, 0, 3, regs), 0);
	lazy_first(tcb, ep, &m, 0);
	lazy_fresh(&m);
	lazy_next(ep, &m, 1);
	lazy_next(ep, &m, 2);
	CHECK_EQ(septa_mr(&m, 4), 0x500);
	lazy_own(&m, 0x500);
	m.info = septa_msginfo(1, 0, 0);
	CHECK_EQ(septa_reply(&m), 0);
	CHECK_EQ(septa_frame_map_with_tables(f, VSPACE, LAZY_VIEW, SEPTA_MAP_R,
					     SEPTA_OWNED, &tables, NULL),
		 0);
	for (unsigned i = 0; i < 512; i++)
		nonzero += words[i] != 0;
	CHECK_EQ(nonzero, 0);
	CHECK_EQ(septa_cnode_delete(CNODE, tcb, DEPTH), 0);
	CHECK_EQ(septa_cnode_delete(CNODE, f, DEPTH), 0);
}

/*
 * The guest's thread deleted while its VCPU's state is loaded lazily: the
 * VCPU keeps that state (it is the VCPU's, not the thread's) and a new
 * thread it is bound to goes on with it.
 */
void test_lazy_unbind_keeps_state(void)
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0), vcpu = 0, spare = 0;
	uint64_t tcb = lazy_guest(0x600, ep, &vcpu), tcb2;
	struct septa_msg m = {0};

	CHECK(tcb);
	lazy_first(tcb, ep, &m, 0);
	lazy_next(ep, &m, 1); /* 0x600 set, loaded */
	CHECK_EQ(septa_cnode_delete(CNODE, tcb, DEPTH), 0);
	tcb2 = lazy_guest(0x650, ep, &spare);
	CHECK(tcb2);
	CHECK_EQ(septa_cnode_delete(CNODE, spare, DEPTH), 0);
	CHECK_EQ(septa_vcpu_set_tcb(vcpu, tcb2), 0);
	lazy_first(tcb2, ep, &m, 0);
	lazy_own(&m, 0x600);
	m.info = septa_msginfo(1, 0, 0);
	CHECK_EQ(septa_reply(&m), 0);
	CHECK_EQ(septa_cnode_delete(CNODE, tcb2, DEPTH), 0);
}

extern const uint8_t guest_wfi_start[], guest_wfi_end[];
extern const uint8_t guest_wfi_v2_start[], guest_wfi_v2_end[];

/*
 * A guest whose CNTVOFF is not 0 waits for its virtual timer while we, a
 * native thread with CNTVOFF 0, keep the CPU: its timer's interrupt must
 * stay off meanwhile (against our larger count it would fire at once) and
 * wake it at its own deadline, never before (wfx_guest.S reports when it
 * woke by its count and the CVAL it set). No time limit is checked.
 */
void test_lazy_timer_with_offset(void)
{
	static const struct guest_code v3 = {guest_wfi_start, guest_wfi_end},
				       v2 = {guest_wfi_v2_start, guest_wfi_v2_end};
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0), vcpu = 0, tcb, f, end;
	struct septa_msg m = {0};

	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(f));
	tcb = make_gic_guest(&v3, &v2, ep, &vcpu);
	CHECK(tcb);
	drop_guest_view();
	CHECK_EQ(septa_vcpu_write_reg(vcpu, SEPTA_VCPU_REG_CNTVOFF, el0_cntvct() / 2), 0);
	CHECK_EQ(septa_tcb_set_priority(tcb, HIGH_PRIO), 0);
	lazy_first(tcb, ep, &m, 1);
	/* It waits for an interrupt; it outranks us, so reports at once. */
	m.info = septa_msginfo(0, 0, 0);
	CHECK_EQ(septa_reply(&m), 0);
	CHECK_EQ(septa_vcpu_inject_irq(vcpu, 40, 0x10), 0);
	CHECK_EQ(septa_nbrecv(ep, &m), 0);
	CHECK_EQ(m.mr[0], 2);
	CHECK_EQ(m.mr[1], 40);
	/* Its timer, 1 ms of its count each round, while we spin 20 ms. */
	for (unsigned i = 0; i < 3; i++) {
		m.info = septa_msginfo(0, 0, 1);
		m.mr[0] = f / 1000;
		CHECK_EQ(septa_reply(&m), 0);
		end = el0_cntvct() + f / 50;
		while (el0_cntvct() < end)
			;
		CHECK_EQ(septa_recv(ep, &m), 0);
		CHECK_EQ(SEPTA_MSG_LABEL(m.info), SEPTA_FAULT_HVC);
		CHECK_EQ(m.mr[0], 3);
		CHECK_EQ(m.mr[1], 27);
		CHECK(m.mr[3] >= septa_mr(&m, 4));
	}
	m.info = septa_msginfo(1, 0, 0);
	CHECK_EQ(septa_reply(&m), 0);
	CHECK_EQ(septa_cnode_delete(CNODE, tcb, DEPTH), 0);
}
