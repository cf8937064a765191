/* A small VMM: a bare-metal guest at EL1 behind its own stage 2, its device
 * accesses and hypercalls arriving here as fault messages. */
#include <string.h>
#include "captest.h"

extern const uint8_t guest_mmio_start[], guest_mmio_end[];
extern const uint8_t guest_irq_start[], guest_irq_end[];
extern const uint8_t guest_id_start[], guest_id_end[];
extern const uint8_t guest_irq_v2_start[], guest_irq_v2_end[];
extern const uint8_t guest_abort_start[], guest_abort_end[];
extern const uint8_t guest_a32_start[], guest_a32_end[];

#define HOST_VIEW 0x40000000UL /* where we see the guest's code frame */
#define RWX_HOST  (SEPTA_MAP_R | SEPTA_MAP_W)

static unsigned tables_added;

static uint64_t new_table(void *arg)
{
	uint64_t pt = mk(SEPTA_OBJ_PAGE_TABLE, 0);

	(void)arg;
	tables_added += pt != 0;
	return pt;
}

/* Maps frame at ipa with exactly the page tables the kernel reports
 * missing. */
static long map_with_tables(uint64_t frame, uint64_t vs, uint64_t ipa, unsigned rights)
{
	static const struct septa_table_source tables = {new_table, NULL, NULL};

	return septa_frame_map_with_tables(frame, vs, ipa, rights, SEPTA_SHARED_BORROWED,
					   &tables, NULL);
}

/* A guest thread in a fresh VSpace of ia_bits, code loaded, not resumed. */
static uint64_t host_pt_of_last_guest, vs_of_last_guest;
static const uint8_t *guest_code = guest_mmio_start, *guest_code_end = guest_mmio_end;

static uint64_t make_guest_in(unsigned ia_bits, uint64_t ep, uint64_t *vcpu_out)
{
	uint64_t vs = mk(SEPTA_OBJ_VSPACE, ia_bits),
		 host_pt = mk(SEPTA_OBJ_PAGE_TABLE, 0);
	uint64_t code = mk(SEPTA_OBJ_FRAME_4K, 0), view = slot();
	uint64_t tcb = mk(SEPTA_OBJ_TCB, 0), vcpu = mk(SEPTA_OBJ_VCPU, 0), pc = GUEST_RAM;
	uint8_t *dst = (uint8_t *)HOST_VIEW;

	if (!vs || !host_pt || !code || !tcb || !vcpu)
		return 0;
	host_pt_of_last_guest = host_pt;
	vs_of_last_guest = vs;
	if (septa_cnode_copy(CNODE, view, DEPTH, CNODE, code, DEPTH, SEPTA_RIGHTS_ALL) ||
	    septa_page_table_map(host_pt, VSPACE, HOST_VIEW, 3, NULL) ||
	    septa_frame_map(view, VSPACE, HOST_VIEW, SEPTA_MAP_R | SEPTA_MAP_W,
			    SEPTA_SHARED_OWNED, 0, NULL, NULL))
		return 0;
	memcpy(dst, guest_code, (size_t)(guest_code_end - guest_code));
	for (uintptr_t p = HOST_VIEW; p < HOST_VIEW + 4096; p += 64)
		__asm__ volatile("dc cvau, %0; ic ivau, %0" ::"r"(p) : "memory");
	__asm__ volatile("dsb ish; isb" ::: "memory");
	tables_added = 0;
	if (map_with_tables(code, vs, GUEST_RAM, SEPTA_MAP_R | SEPTA_MAP_X) ||
	    septa_tcb_configure(tcb, ep, CNODE, vs, bi->spare_frames_slot,
				SEPTA_ROOT_SPARE_BASE) ||
	    septa_tcb_set_priority(tcb, LOW_PRIO) || septa_vcpu_set_tcb(vcpu, tcb) ||
	    septa_tcb_write_registers(tcb, 0, 1, &pc))
		return 0;
	*vcpu_out = vcpu;
	return tcb;
}

void drop_guest_view(void)
{
	long err = septa_cnode_delete(CNODE, host_pt_of_last_guest, DEPTH);

	if (err)
		harness_fail(__FILE__, __LINE__, "delete of the guest view", err, 0);
}

static uint64_t make_guest(uint64_t ep, uint64_t *vcpu_out)
{
	return make_guest_in(36, ep, vcpu_out);
}

uint64_t make_guest_running(const uint8_t *start, const uint8_t *end, uint64_t ep,
			    uint64_t *vcpu_out)
{
	uint64_t tcb;

	guest_code = start;
	guest_code_end = end;
	tcb = make_guest(ep, vcpu_out);
	guest_code = guest_mmio_start;
	guest_code_end = guest_mmio_end;
	return tcb;
}

void test_guest_mmio_and_hvc(void)
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0), vcpu = 0, tcb = make_guest(ep, &vcpu);
	struct septa_msg m = {0};

	CHECK(tcb);
	CHECK_EQ(septa_tcb_resume(tcb), 0);
	/* strb w1, [x9]: one byte, register 1, written */
	CHECK_EQ(septa_recv(ep, &m), 0);
	CHECK_EQ(SEPTA_MSG_LABEL(m.info), SEPTA_FAULT_ABORT);
	CHECK_EQ(m.mr[SEPTA_ABORT_IPA], 0x09000000);
	CHECK_EQ(m.mr[SEPTA_ABORT_PC], GUEST_RAM + 8);
	CHECK_EQ(m.mr[SEPTA_ABORT_ACCESS], SEPTA_ACCESS_WRITE | SEPTA_ACCESS_VALID |
					       0 << SEPTA_ACCESS_SIZE_SHIFT |
					       1 << SEPTA_ACCESS_REG_SHIFT);
	CHECK_EQ(m.mr[SEPTA_ABORT_VALUE], 'G');
	m.info = septa_msginfo(0, 0, 0);
	/* ldr w2, [x9, #0x18]: four bytes into register 2; we answer 0x90 */
	CHECK_EQ(septa_reply_recv(ep, &m), 0);
	CHECK_EQ(SEPTA_MSG_LABEL(m.info), SEPTA_FAULT_ABORT);
	CHECK_EQ(m.mr[SEPTA_ABORT_IPA], 0x09000018);
	CHECK_EQ(m.mr[SEPTA_ABORT_ACCESS], SEPTA_ACCESS_READ | SEPTA_ACCESS_VALID |
					       2 << SEPTA_ACCESS_SIZE_SHIFT |
					       2 << SEPTA_ACCESS_REG_SHIFT);
	m.info = septa_msginfo(0, 0, 1);
	m.mr[SEPTA_REPLY_VALUE] = 0x90;
	/* hvc: x0 = 0x1000, x1 = what it read */
	CHECK_EQ(septa_reply_recv(ep, &m), 0);
	CHECK_EQ(SEPTA_MSG_LABEL(m.info), SEPTA_FAULT_HVC);
	CHECK_EQ(m.mr[0], 0x1000);
	CHECK_EQ(m.mr[1], 0x90);
	m.info = septa_msginfo(0, 0, 1);
	m.mr[0] = 41;
	/* hvc again with our answer plus one: the reply reached its x0 */
	CHECK_EQ(septa_reply_recv(ep, &m), 0);
	CHECK_EQ(SEPTA_MSG_LABEL(m.info), SEPTA_FAULT_HVC);
	CHECK_EQ(m.mr[0], 42);
	m.info = septa_msginfo(0, 0, 0);
	/* Outside its VSpace: we refuse, and it stays stopped. */
	CHECK_EQ(septa_reply_recv(ep, &m), 0);
	CHECK_EQ(SEPTA_MSG_LABEL(m.info), SEPTA_FAULT_ABORT);
	CHECK_EQ(m.mr[SEPTA_ABORT_IPA], 0x50000000);
	m.info = septa_msginfo(1, 0, 0);
	CHECK_EQ(septa_reply(&m), 0);
	CHECK_EQ(septa_nbrecv(ep, &m), SEPTA_E_WOULD_BLOCK);
	CHECK_EQ(septa_cnode_delete(CNODE, tcb, DEPTH), 0);
}

void test_vcpu_bad_input(void)
{
	uint64_t v = mk(SEPTA_OBJ_VCPU, 0), v2 = mk(SEPTA_OBJ_VCPU, 0),
		 t = mk(SEPTA_OBJ_TCB, 0);
	uint64_t value = 1;

	CHECK(v && v2 && t);
	CHECK_EQ(septa_vcpu_set_tcb(v, v2), SEPTA_E_CAP_TYPE);
	CHECK_EQ(septa_vcpu_set_tcb(v, ct.self), SEPTA_E_STATE);
	CHECK_EQ(septa_vcpu_set_tcb(v, t), 0);
	CHECK_EQ(septa_vcpu_set_tcb(v, t), SEPTA_E_IN_USE);
	CHECK_EQ(septa_vcpu_set_tcb(v2, t), SEPTA_E_IN_USE);
	CHECK_EQ(septa_vcpu_read_reg(v, 99, &value), SEPTA_E_RANGE);
	CHECK_EQ(septa_vcpu_write_reg(v, SEPTA_VCPU_REG_VBAR, 0x40000800), 0);
	CHECK_EQ(septa_vcpu_read_reg(v, SEPTA_VCPU_REG_VBAR, &value), 0);
	CHECK_EQ(value, 0x40000800);
	CHECK_EQ(septa_vcpu_read_reg(v, SEPTA_VCPU_REG_SCTLR, &value), 0);
	CHECK_EQ(value & 1, 0); /* a new VCPU starts with its MMU off */
	/* Deleting the VCPU frees the thread to be bound again. */
	CHECK_EQ(septa_cnode_delete(CNODE, v, DEPTH), 0);
	CHECK_EQ(septa_vcpu_set_tcb(v2, t), 0);
}

/* The same guest in VSpaces of 32, 36, 40 and 44 bits: each needs exactly
 * the tables between its start level and level 3 (1, 2, 2, 3). */
void test_guest_ipa_sizes(void)
{
	static const unsigned sizes[] = {32, 36, 40, 44}, tables[] = {1, 2, 2, 3};

	for (unsigned i = 0; i < 4; i++) {
		uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0), vcpu = 0, tcb;
		struct septa_msg m = {0};

		tcb = make_guest_in(sizes[i], ep, &vcpu);
		CHECK(tcb);
		CHECK_EQ(tables_added, tables[i]);
		CHECK_EQ(septa_tcb_resume(tcb), 0);
		CHECK_EQ(septa_recv(ep, &m), 0);
		CHECK_EQ(SEPTA_MSG_LABEL(m.info), SEPTA_FAULT_ABORT);
		CHECK_EQ(m.mr[SEPTA_ABORT_IPA], 0x09000000);
		/* Done with it, and with our view of its code. */
		CHECK_EQ(septa_cnode_delete(CNODE, tcb, DEPTH), 0);
		CHECK_EQ(septa_cnode_delete(CNODE, host_pt_of_last_guest, DEPTH), 0);
	}
}

uint64_t make_gic_guest(const struct guest_code *v3, const struct guest_code *v2,
			uint64_t ep, uint64_t *vcpu)
{
	uint64_t tcb, gicv = slot();
	unsigned dev = bi->untyped_count;

	tcb = bi->gic_version == 3 ? make_guest_running(v3->start, v3->end, ep, vcpu)
				   : make_guest_running(v2->start, v2->end, ep, vcpu);
	if (!tcb || bi->gic_version == 3)
		return tcb;
	for (unsigned i = 0; i < bi->untyped_count; i++)
		if (bi->untyped[i].is_device && bi->untyped[i].paddr == 0x08040000)
			dev = i;
	if (dev == bi->untyped_count ||
	    septa_untyped_retype(bi->untyped_slot + dev, SEPTA_OBJ_FRAME_4K, 0, CNODE, 0,
				 0, gicv, 1) ||
	    map_with_tables(gicv, vs_of_last_guest, 0x08010000,
			    SEPTA_MAP_R | SEPTA_MAP_W))
		return 0;
	return tcb;
}

/* The interrupt guest for this machine's GIC. */
static uint64_t make_irq_guest(uint64_t ep, uint64_t *vcpu)
{
	static const struct guest_code v3 = {guest_irq_start, guest_irq_end},
				       v2 = {guest_irq_v2_start, guest_irq_v2_end};

	return make_gic_guest(&v3, &v2, ep, vcpu);
}

void test_guest_virtual_interrupts(void)
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0), vcpu = 0, tcb;
	struct septa_msg m = {0};

	tcb = make_irq_guest(ep, &vcpu);
	CHECK(tcb);
	CHECK_EQ(septa_tcb_resume(tcb), 0);
	CHECK_EQ(septa_recv(ep, &m), 0);
	CHECK_EQ(SEPTA_MSG_LABEL(m.info), SEPTA_FAULT_HVC);
	CHECK_EQ(m.mr[0], 3); /* ready */
	/* Injected while it waits for our answer; taken once it runs. */
	CHECK_EQ(septa_vcpu_inject_irq(vcpu, 40, 0x10), 0);
	m.info = septa_msginfo(0, 0, 0);
	CHECK_EQ(septa_reply_recv(ep, &m), 0);
	CHECK_EQ(SEPTA_MSG_LABEL(m.info), SEPTA_FAULT_HVC);
	CHECK_EQ(m.mr[0], 4);
	CHECK_EQ(m.mr[1], 40);
	/* Now its own timer: that interrupt goes in without us. */
	m.info = septa_msginfo(0, 0, 1);
	m.mr[0] = 1;
	CHECK_EQ(septa_reply_recv(ep, &m), 0);
	CHECK_EQ(SEPTA_MSG_LABEL(m.info), SEPTA_FAULT_HVC);
	CHECK_EQ(m.mr[0], 4);
	CHECK_EQ(m.mr[1], 27);
	m.info = septa_msginfo(1, 0, 0);
	CHECK_EQ(septa_reply(&m), 0); /* and stop it */
	CHECK_EQ(septa_cnode_delete(CNODE, tcb, DEPTH), 0);
}

void test_inject_bad_input(void)
{
	uint64_t v = mk(SEPTA_OBJ_VCPU, 0);
	long err = 0;
	unsigned n = 0;

	CHECK(v);
	CHECK_EQ(septa_vcpu_inject_irq(v, 1020, 0), SEPTA_E_RANGE);
	CHECK_EQ(septa_vcpu_inject_irq(v, 40, 256), SEPTA_E_RANGE);
	/* Four list registers and sixteen queued, then no room. */
	while (n < 100 && (err = septa_vcpu_inject_irq(v, 32 + n, 0x10)) == 0)
		n++;
	CHECK_EQ(err, SEPTA_E_IN_USE);
	CHECK_EQ(n, 20);
}

void test_vcpu_registers(void)
{
	uint64_t v = mk(SEPTA_OBJ_VCPU, 0), value;

	CHECK(v);
	for (unsigned r = 0; r < SEPTA_VCPU_REG_COUNT; r++)
		CHECK_EQ(septa_vcpu_write_reg(v, r, 0x1000 + r), 0);
	for (unsigned r = 0; r < SEPTA_VCPU_REG_COUNT; r++) {
		CHECK_EQ(septa_vcpu_read_reg(v, r, &value), 0);
		CHECK_EQ(value, 0x1000 + r);
	}
	CHECK_EQ(septa_vcpu_write_reg(v, SEPTA_VCPU_REG_COUNT, 0), SEPTA_E_RANGE);
}

void test_delete_vcpu_stops_guest(void)
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0), vcpu = 0, tcb = make_guest(ep, &vcpu);
	struct septa_msg m = {0};

	CHECK(tcb);
	CHECK_EQ(septa_tcb_resume(tcb), 0);
	CHECK_EQ(septa_recv(ep, &m), 0); /* its first MMIO write */
	CHECK_EQ(septa_cnode_delete(CNODE, vcpu, DEPTH), 0);
	/* The thread is stopped, not let loose at EL0 with guest registers. */
	CHECK_EQ(septa_reply(&m), SEPTA_E_NO_REPLY);
	CHECK_EQ(septa_nbrecv(ep, &m), SEPTA_E_WOULD_BLOCK);
	/* And can be given a new VCPU. */
	uint64_t v2 = mk(SEPTA_OBJ_VCPU, 0);
	CHECK_EQ(septa_vcpu_set_tcb(v2, tcb), 0);
}

void test_delete_guest_tcb_frees_vcpu(void)
{
	uint64_t v = mk(SEPTA_OBJ_VCPU, 0), t = mk(SEPTA_OBJ_TCB, 0),
		 t2 = mk(SEPTA_OBJ_TCB, 0);

	CHECK_EQ(septa_vcpu_set_tcb(v, t), 0);
	CHECK_EQ(septa_cnode_delete(CNODE, t, DEPTH), 0);
	CHECK_EQ(septa_vcpu_set_tcb(v, t2), 0);
}

/* The VMM's answer to a fault can carry a virtual interrupt. */
void test_inject_in_reply(void)
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0), vcpu = 0, tcb;
	struct septa_msg m = {0};

	tcb = make_irq_guest(ep, &vcpu);
	CHECK(tcb);
	CHECK_EQ(septa_tcb_resume(tcb), 0);
	CHECK_EQ(septa_recv(ep, &m), 0);
	CHECK_EQ(m.mr[0], 3); /* ready */
	m.info = septa_msginfo(SEPTA_REPLY_INJECT(45), 0, 0);
	CHECK_EQ(septa_reply_recv(ep, &m), 0);
	CHECK_EQ(SEPTA_MSG_LABEL(m.info), SEPTA_FAULT_HVC);
	CHECK_EQ(m.mr[0], 4);
	CHECK_EQ(m.mr[1], 45);
	m.info = septa_msginfo(1, 0, 0);
	CHECK_EQ(septa_reply(&m), 0);
	CHECK_EQ(septa_cnode_delete(CNODE, tcb, DEPTH), 0);
}

/* A fault reply injects under VCPU_INJECT_IRQ's check: reserved INTIDs
 * (1020-1023) and ones only a mask would bring below 1020 are refused,
 * 24 times over, and change nothing: the guest still waits for its
 * reply, and no list register or queue entry was taken. */
void test_inject_reserved_in_reply(void)
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0), vcpu = 0, tcb;
	struct septa_msg m = {0};

	tcb = make_irq_guest(ep, &vcpu);
	CHECK(tcb);
	CHECK_EQ(septa_tcb_resume(tcb), 0);
	CHECK_EQ(septa_recv(ep, &m), 0);
	CHECK_EQ(m.mr[0], 3); /* ready */
	for (unsigned i = 0; i < 24; i++) {
		m.info = septa_msginfo(SEPTA_REPLY_INJECT(1020 + i % 4), 0, 0);
		CHECK_EQ(septa_reply(&m), SEPTA_E_RANGE);
	}
	m.info = septa_msginfo(SEPTA_REPLY_INJECT(1024 + 45), 0, 0);
	CHECK_EQ(septa_reply(&m), SEPTA_E_RANGE);
	m.info = septa_msginfo(SEPTA_REPLY_INJECT(1ULL << 31 | 45), 0, 0);
	CHECK_EQ(septa_reply(&m), SEPTA_E_RANGE);
	m.info = septa_msginfo(SEPTA_REPLY_INJECT(1023), 0, 0);
	CHECK_EQ(septa_reply_recv(ep, &m), SEPTA_E_RANGE); /* not received */
	m.info = septa_msginfo(SEPTA_REPLY_INJECT(45), 0, 0);
	CHECK_EQ(septa_reply_recv(ep, &m), 0);
	CHECK_EQ(SEPTA_MSG_LABEL(m.info), SEPTA_FAULT_HVC);
	CHECK_EQ(m.mr[0], 4);
	CHECK_EQ(m.mr[1], 45);
	/* It has ended 45: all list registers and the queue are free. */
	for (unsigned i = 0; i < 20; i++)
		CHECK_EQ(septa_vcpu_inject_irq(vcpu, 40 + i, 0x10), 0);
	CHECK_EQ(septa_vcpu_inject_irq(vcpu, 60, 0x10), SEPTA_E_IN_USE);
	m.info = septa_msginfo(1, 0, 0);
	CHECK_EQ(septa_reply(&m), 0);
	CHECK_EQ(septa_cnode_delete(CNODE, tcb, DEPTH), 0);
}

/* An INTID pending in a list register or queued is not added again: it
 * merges, taking no room, even with everything full. */
void test_inject_same_intid_merges(void)
{
	uint64_t v = mk(SEPTA_OBJ_VCPU, 0);

	CHECK(v);
	for (unsigned i = 0; i < 24; i++)
		CHECK_EQ(septa_vcpu_inject_irq(v, 40, 0x10), 0);
	/* One list register taken: nineteen others still fit. */
	for (unsigned i = 1; i < 20; i++)
		CHECK_EQ(septa_vcpu_inject_irq(v, 40 + i, 0x10), 0);
	CHECK_EQ(septa_vcpu_inject_irq(v, 60, 0x10), SEPTA_E_IN_USE);
	/* In a list register (40) or in the queue (59): merged, not refused. */
	CHECK_EQ(septa_vcpu_inject_irq(v, 40, 0x10), 0);
	CHECK_EQ(septa_vcpu_inject_irq(v, 59, 0x20), 0);
	CHECK_EQ(septa_vcpu_inject_irq(v, 1023, 0x10), SEPTA_E_RANGE);
}

/* ID registers come sanitised from the kernel; the PMU traps to us. */
void test_guest_id_registers_and_pmu(void)
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0), vcpu = 0, tcb, mmfr0;
	struct septa_msg m = {0};

	tcb = make_guest_running(guest_id_start, guest_id_end, ep, &vcpu);
	CHECK(tcb);
	CHECK_EQ(septa_tcb_resume(tcb), 0);
	CHECK_EQ(septa_recv(ep, &m), 0);
	CHECK_EQ(SEPTA_MSG_LABEL(m.info), SEPTA_FAULT_HVC);
	CHECK_EQ(m.mr[0], 5);
	CHECK_EQ((m.mr[1] >> 8) & 0xf, 0); /* PMUVer: no PMU */
	CHECK((m.mr[1] & 0xf) >= 6);	   /* DebugVer: ARMv8 debug stays */
	mmfr0 = m.mr[2];
	CHECK_EQ(mmfr0 & 0xf, 4); /* PARange: 44 bits, as the CPU has */
	m.info = septa_msginfo(0, 0, 0);
	CHECK_EQ(septa_reply_recv(ep, &m), 0);
	/* mrs x3, pmcr_el0 */
	CHECK_EQ(SEPTA_MSG_LABEL(m.info), SEPTA_FAULT_SYSREG);
	CHECK_EQ(m.mr[SEPTA_SYSREG_ID], SEPTA_SYSREG_ENC(3, 3, 9, 12, 0));
	CHECK_EQ(m.mr[SEPTA_SYSREG_ACCESS],
		 SEPTA_ACCESS_READ | SEPTA_ACCESS_VALID | SEPTA_ACCESS_WIDE |
		     3 << SEPTA_ACCESS_SIZE_SHIFT | 3 << SEPTA_ACCESS_REG_SHIFT);
	/* Answer the read; it is stepped over and the guest reports it. */
	m.info = septa_msginfo(0, 0, 1);
	m.mr[SEPTA_REPLY_VALUE] = 0x8877665544332211ULL;
	CHECK_EQ(septa_reply_recv(ep, &m), 0);
	CHECK_EQ(SEPTA_MSG_LABEL(m.info), SEPTA_FAULT_HVC);
	CHECK_EQ(m.mr[0], 6);
	CHECK_EQ(m.mr[1], 0x8877665544332211ULL);
	m.info = septa_msginfo(1, 0, 0);
	CHECK_EQ(septa_reply(&m), 0);
	CHECK_EQ(septa_cnode_delete(CNODE, tcb, DEPTH), 0);
}

extern const uint8_t guest_split_start[], guest_split_end[];

/* Its RAM is one 2 MiB block; taking write access from one page of it,
 * while it runs, splits the block and keeps every other page as it was. */
void test_block_split_while_guest_runs(void)
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0), vs = mk(SEPTA_OBJ_VSPACE, 36);
	uint64_t pt2 = mk(SEPTA_OBJ_PAGE_TABLE, 0), pt3 = mk(SEPTA_OBJ_PAGE_TABLE, 0);
	uint64_t tcb = mk(SEPTA_OBJ_TCB, 0), vcpu = mk(SEPTA_OBJ_VCPU, 0), view = slot();
	uint64_t big = mk(SEPTA_OBJ_FRAME_2M, 0), pc = GUEST_RAM, pa, q[4];
	volatile uint64_t *host = (volatile uint64_t *)HOST_VIEW;
	struct septa_msg m = {0};
	struct septa_no_table nt;

	CHECK(ep && vs && pt2 && pt3 && tcb && vcpu && big);
	CHECK_EQ(
	    septa_cnode_copy(CNODE, view, DEPTH, CNODE, big, DEPTH, SEPTA_RIGHTS_ALL), 0);
	CHECK_EQ(septa_frame_map(view, VSPACE, HOST_VIEW, RWX_HOST, SEPTA_SHARED_OWNED, 0,
				 NULL, NULL),
		 0);
	memcpy((void *)HOST_VIEW, guest_split_start,
	       (size_t)(guest_split_end - guest_split_start));
	__asm__ volatile(
	    "dc cvau, %0; dsb ish; ic ivau, %0; dsb ish; isb" ::"r"(HOST_VIEW)
	    : "memory");
	CHECK_EQ(septa_page_table_map(pt2, vs, GUEST_RAM, 2, NULL), 0);
	CHECK_EQ(septa_frame_map(big, vs, GUEST_RAM,
				 SEPTA_MAP_R | SEPTA_MAP_W | SEPTA_MAP_X,
				 SEPTA_SHARED_BORROWED, 0, NULL, NULL),
		 0);
	CHECK_EQ(septa_frame_get_address(big, &pa), 0);
	CHECK_EQ(septa_tcb_configure(tcb, ep, CNODE, vs, bi->spare_frames_slot,
				     SEPTA_ROOT_SPARE_BASE),
		 0);
	CHECK_EQ(septa_tcb_set_priority(tcb, LOW_PRIO), 0);
	CHECK_EQ(septa_vcpu_set_tcb(vcpu, tcb), 0);
	CHECK_EQ(septa_tcb_write_registers(tcb, 1, 1, &pc), 0);

	CHECK_EQ(septa_recv(ep, &m), 0);
	CHECK_EQ(m.mr[0], 7);
	CHECK_EQ(host[0x10000 / 8], 1);
	CHECK_EQ(septa_vspace_query(vs, GUEST_RAM + 0x20000, q), 0);
	CHECK_EQ(q[1], 2); /* still one block */
	/* Without a table the split cannot happen, and nothing changes. */
	CHECK_EQ(septa_vspace_protect(vs, GUEST_RAM + 0x20000, 4096,
				      SEPTA_MAP_R | SEPTA_MAP_X, 0, NULL, &nt),
		 SEPTA_E_NO_TABLE);
	CHECK_EQ(nt.level, 2);
	CHECK_EQ(nt.missing, 1);
	CHECK_EQ(septa_vspace_query(vs, GUEST_RAM + 0x20000, q), 0);
	CHECK_EQ(q[1], 2);
	CHECK_EQ(septa_vspace_protect(vs, GUEST_RAM + 0x20000, 4096,
				      SEPTA_MAP_R | SEPTA_MAP_X, 1, &pt3, NULL),
		 0);
	CHECK_EQ(septa_vspace_query(vs, GUEST_RAM + 0x20000, q), 0);
	CHECK_EQ(q[0], pa + 0x20000);
	CHECK_EQ(q[1], 3);
	CHECK_EQ(q[2], SEPTA_MAP_R | SEPTA_MAP_X);
	CHECK_EQ(q[3], SEPTA_SHARED_BORROWED);
	CHECK_EQ(septa_vspace_query(vs, GUEST_RAM + 0x10000, q), 0);
	CHECK_EQ(q[0], pa + 0x10000);
	CHECK_EQ(q[2], SEPTA_MAP_R | SEPTA_MAP_W | SEPTA_MAP_X);
	/* The table is mapped now: it cannot be given again. */
	CHECK_EQ(septa_vspace_protect(vs, GUEST_RAM, 4096, SEPTA_MAP_R, 1, &pt3, NULL),
		 SEPTA_E_IN_USE);

	/* It runs on: the writable page takes the write, the other faults. */
	m.info = septa_msginfo(0, 0, 0);
	CHECK_EQ(septa_reply_recv(ep, &m), 0);
	CHECK_EQ(SEPTA_MSG_LABEL(m.info), SEPTA_FAULT_ABORT);
	CHECK_EQ(m.mr[SEPTA_ABORT_IPA], GUEST_RAM + 0x20000);
	CHECK_EQ(SEPTA_ACCESS_CAUSE(m.mr[SEPTA_ABORT_ACCESS]), SEPTA_CAUSE_PERMISSION);
	CHECK_EQ(host[0x10000 / 8], 2);
	CHECK_EQ(host[0x20000 / 8], 1);
	m.info = septa_msginfo(1, 0, 0);
	CHECK_EQ(septa_reply(&m), 0);
	/* Deleting the frame takes all of it away, split part included. */
	CHECK_EQ(septa_cnode_delete(CNODE, big, DEPTH), 0);
	CHECK_EQ(septa_vspace_query(vs, GUEST_RAM + 0x10000, q), 0);
	CHECK_EQ(q[0], 0);
	CHECK_EQ(septa_vspace_query(vs, GUEST_RAM + 0x1ff000, q), 0);
	CHECK_EQ(q[0], 0);
	CHECK_EQ(septa_cnode_delete(CNODE, tcb, DEPTH), 0);
}

/* A physical interrupt assigned to a guest: its VMM holds the handler,
 * learns of it through a notification and passes it on as a virtual one. */
void test_forward_physical_irq(void)
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0), n = mk(SEPTA_OBJ_NOTIFICATION, 0),
		 h = slot();
	uint64_t vcpu = 0, tcb = make_irq_guest(ep, &vcpu), badge = 0;
	struct septa_msg m = {0};

	CHECK(tcb);
	CHECK_EQ(septa_irq_control_get(SEPTA_CAP_IRQ_CONTROL, 43, CNODE, h, DEPTH), 0);
	CHECK_EQ(septa_irq_handler_set_notification(h, n), 0);
	CHECK_EQ(septa_tcb_resume(tcb), 0);
	CHECK_EQ(septa_recv(ep, &m), 0);
	CHECK_EQ(m.mr[0], 3); /* ready */
	CHECK_EQ(pend_spi(43), 0);
	CHECK_EQ(septa_wait(n, &badge), 0);
	m.info = septa_msginfo(SEPTA_REPLY_INJECT(43), 0, 0);
	CHECK_EQ(septa_reply_recv(ep, &m), 0);
	CHECK_EQ(m.mr[0], 4);
	CHECK_EQ(m.mr[1], 43);
	CHECK_EQ(septa_irq_handler_ack(h), 0);
	m.info = septa_msginfo(1, 0, 0);
	CHECK_EQ(septa_reply(&m), 0);
	CHECK_EQ(septa_cnode_delete(CNODE, tcb, DEPTH), 0);
}

/* Answers the exit in m and takes the next, which must be a `label`. */
static void next_exit(uint64_t ep, struct septa_msg *m, uint64_t label)
{
	CHECK_EQ(septa_reply_recv(ep, m), 0);
	CHECK_EQ(SEPTA_MSG_LABEL(m->info), label);
}

uint64_t start_guest_with_vector(const uint8_t *start, const uint8_t *end, uint64_t ep)
{
	uint64_t vcpu = 0, tcb = make_guest_running(start, end, ep, &vcpu);

	if (!tcb || septa_vcpu_write_reg(vcpu, SEPTA_VCPU_REG_VBAR, GUEST_RAM + 0x800) ||
	    septa_tcb_resume(tcb))
		return 0;
	return tcb;
}

/* The kernel's decoding of a guest's aborts, one of each kind, and an
 * abort injected with the address and direction it decoded. */
void test_guest_abort_decoding(void)
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0), tcb, a;
	struct septa_msg m = {0};

	tcb = start_guest_with_vector(guest_abort_start, guest_abort_end, ep);
	CHECK(tcb);
	/* strh w3, [x9, #2]: the low 2 bytes of a wider value */
	CHECK_EQ(septa_recv(ep, &m), 0);
	CHECK_EQ(SEPTA_MSG_LABEL(m.info), SEPTA_FAULT_ABORT);
	CHECK_EQ(m.mr[SEPTA_ABORT_PC], GUEST_RAM + 0x10);
	CHECK_EQ(m.mr[SEPTA_ABORT_IPA], 0x09000002);
	CHECK_EQ(septa_mr(&m, SEPTA_ABORT_FAR), 0x09000002); /* its MMU is off */
	a = m.mr[SEPTA_ABORT_ACCESS];
	CHECK_EQ(SEPTA_ACCESS_KIND(a), SEPTA_ACCESS_WRITE);
	CHECK(a & SEPTA_ACCESS_VALID);
	CHECK_EQ(SEPTA_ACCESS_SIZE(a), 2);
	CHECK_EQ(SEPTA_ACCESS_REG(a), 3);
	CHECK_EQ(a & (SEPTA_ACCESS_SIGNED | SEPTA_ACCESS_WIDE), 0);
	CHECK_EQ(SEPTA_ACCESS_CAUSE(a), SEPTA_CAUSE_TRANSLATION);
	CHECK_EQ(m.mr[SEPTA_ABORT_VALUE], 0x5678);
	CHECK_EQ(septa_mr(&m, SEPTA_ABORT_ESR) >> 26, 0x24); /* data abort, lower EL */
	m.info = septa_msginfo(0, 0, 0);
	/* ldrsb x4, [x9, #4]: the answer is cut to a byte and sign-extended */
	next_exit(ep, &m, SEPTA_FAULT_ABORT);
	CHECK_EQ(m.mr[SEPTA_ABORT_IPA], 0x09000004);
	a = m.mr[SEPTA_ABORT_ACCESS];
	CHECK_EQ(SEPTA_ACCESS_KIND(a), SEPTA_ACCESS_READ);
	CHECK_EQ(SEPTA_ACCESS_SIZE(a), 1);
	CHECK_EQ(SEPTA_ACCESS_REG(a), 4);
	CHECK_EQ(a & (SEPTA_ACCESS_VALID | SEPTA_ACCESS_SIGNED | SEPTA_ACCESS_WIDE),
		 SEPTA_ACCESS_VALID | SEPTA_ACCESS_SIGNED | SEPTA_ACCESS_WIDE);
	CHECK_EQ(m.mr[SEPTA_ABORT_VALUE], 0); /* a read carries no value */
	m.info = septa_msginfo(0, 0, 1);
	m.mr[SEPTA_REPLY_VALUE] = 0x12345680;
	/* ldrsb w5, [x9, #5]: the same into a W register */
	next_exit(ep, &m, SEPTA_FAULT_ABORT);
	a = m.mr[SEPTA_ABORT_ACCESS];
	CHECK_EQ(SEPTA_ACCESS_REG(a), 5);
	CHECK_EQ(a & (SEPTA_ACCESS_SIGNED | SEPTA_ACCESS_WIDE), SEPTA_ACCESS_SIGNED);
	m.info = septa_msginfo(0, 0, 1);
	m.mr[SEPTA_REPLY_VALUE] = 0x12345680;
	next_exit(ep, &m, SEPTA_FAULT_HVC);
	CHECK_EQ(m.mr[0], 1);
	CHECK_EQ(m.mr[1], 0xffffffffffffff80ULL);
	CHECK_EQ(m.mr[2], 0xffffff80ULL);
	m.info = septa_msginfo(0, 0, 0);
	/* ldp x6, x7, [x9, #0x10]: a read the syndrome does not describe */
	next_exit(ep, &m, SEPTA_FAULT_ABORT);
	CHECK_EQ(m.mr[SEPTA_ABORT_PC], GUEST_RAM + 0x2c);
	CHECK_EQ(m.mr[SEPTA_ABORT_IPA], 0x09000010);
	CHECK_EQ(m.mr[SEPTA_ABORT_ACCESS], SEPTA_ACCESS_READ);
	m.info = septa_msginfo(SEPTA_REPLY_ABORT, 0, 0);
	/* Its vector: a synchronous external abort on a read, from EL1 */
	next_exit(ep, &m, SEPTA_FAULT_HVC);
	CHECK_EQ(m.mr[0], 7);
	CHECK_EQ(m.mr[1], 0x25ULL << 26 | 1ULL << 25 | 0x10);
	CHECK_EQ(m.mr[2], 0x09000010);
	CHECK_EQ(m.mr[3], GUEST_RAM + 0x2c);
	m.info = septa_msginfo(0, 0, 0);
	next_exit(ep, &m, SEPTA_FAULT_HVC);
	CHECK_EQ(m.mr[0], 2);
	m.info = septa_msginfo(0, 0, 0);
	/* blr to 0x50000000: a fetch, never described */
	next_exit(ep, &m, SEPTA_FAULT_ABORT);
	CHECK_EQ(m.mr[SEPTA_ABORT_PC], 0x50000000);
	CHECK_EQ(m.mr[SEPTA_ABORT_IPA], 0x50000000);
	CHECK_EQ(m.mr[SEPTA_ABORT_ACCESS], SEPTA_ACCESS_FETCH);
	CHECK_EQ(septa_mr(&m, SEPTA_ABORT_ESR) >> 26, 0x20); /* instruction abort */
	m.info = septa_msginfo(SEPTA_REPLY_ABORT, 0, 0);
	next_exit(ep, &m, SEPTA_FAULT_HVC);
	CHECK_EQ(m.mr[0], 7);
	CHECK_EQ(m.mr[1], 0x21ULL << 26 | 1ULL << 25 | 0x10);
	CHECK_EQ(m.mr[2], 0x50000000);
	CHECK_EQ(m.mr[3], 0x50000000);
	/* Its vector returns past the fetch, which faults again. "Performed"
	 * is no answer to an access the syndrome did not describe: the guest
	 * stays stopped at it, and the handler hears why. */
	m.info = septa_msginfo(0, 0, 0);
	next_exit(ep, &m, SEPTA_FAULT_ABORT);
	CHECK_EQ(m.mr[SEPTA_ABORT_PC], 0x50000004);
	CHECK_EQ(m.mr[SEPTA_ABORT_ACCESS], SEPTA_ACCESS_FETCH);
	m.info = septa_msginfo(0, 0, 0);
	CHECK_EQ(septa_reply(&m), SEPTA_E_ARG);
	CHECK_EQ(septa_nbrecv(ep, &m), SEPTA_E_WOULD_BLOCK);
	CHECK_EQ(septa_tcb_read_registers(tcb, 1, &a), 0);
	CHECK_EQ(a, 0x50000004);
	CHECK_EQ(septa_cnode_delete(CNODE, tcb, DEPTH), 0);
}

/* A guest's AArch32 EL0: its 16-bit Thumb load is stepped over by 2 bytes,
 * and an abort from it enters the guest at the lower-AArch32 vector. */
void test_guest_aarch32_abort(void)
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0), tcb, thumb = GUEST_RAM + 0x24;
	struct septa_msg m = {0};

	tcb = start_guest_with_vector(guest_a32_start, guest_a32_end, ep);
	CHECK(tcb);
	/* ldr r0, [r1]: described, into register 0 */
	CHECK_EQ(septa_recv(ep, &m), 0);
	CHECK_EQ(SEPTA_MSG_LABEL(m.info), SEPTA_FAULT_ABORT);
	CHECK_EQ(m.mr[SEPTA_ABORT_PC], thumb);
	CHECK_EQ(m.mr[SEPTA_ABORT_IPA], 0x09000000);
	CHECK(m.mr[SEPTA_ABORT_ACCESS] & SEPTA_ACCESS_VALID);
	CHECK_EQ(SEPTA_ACCESS_REG(m.mr[SEPTA_ABORT_ACCESS]), 0);
	CHECK_EQ(m.mr[SEPTA_ABORT_ACCESS] & (SEPTA_ACCESS_AARCH32 | SEPTA_ACCESS_SHORT),
		 SEPTA_ACCESS_AARCH32 | SEPTA_ACCESS_SHORT);
	m.info = septa_msginfo(0, 0, 1);
	m.mr[SEPTA_REPLY_VALUE] = 0x42;
	/* svc: the vector reports r0 (in x6) and r2 */
	next_exit(ep, &m, SEPTA_FAULT_HVC);
	CHECK_EQ(m.mr[0], 0x600);
	CHECK_EQ(septa_mr(&m, 6), 0x42);
	CHECK_EQ(m.mr[2], 1); /* movs r2, #1 after the load ran */
	m.info = septa_msginfo(0, 0, 0);
	/* ldreq r0, [r1, #8], the first of an IT block */
	next_exit(ep, &m, SEPTA_FAULT_ABORT);
	CHECK_EQ(m.mr[SEPTA_ABORT_PC], thumb + 10);
	CHECK_EQ(m.mr[SEPTA_ABORT_IPA], 0x09000008);
	m.info = septa_msginfo(0, 0, 1);
	m.mr[SEPTA_REPLY_VALUE] = 0x43;
	/* the block went on: its "else" instruction was not run */
	next_exit(ep, &m, SEPTA_FAULT_HVC);
	CHECK_EQ(m.mr[0], 0x600);
	CHECK_EQ(septa_mr(&m, 6), 0x43);
	CHECK_EQ(septa_mr(&m, 5), 0);
	m.info = septa_msginfo(0, 0, 0);
	/* ldr r0, [r1, #4]: answered with an abort */
	next_exit(ep, &m, SEPTA_FAULT_ABORT);
	CHECK_EQ(m.mr[SEPTA_ABORT_PC], thumb + 16);
	m.info = septa_msginfo(SEPTA_REPLY_ABORT, 0, 0);
	next_exit(ep, &m, SEPTA_FAULT_HVC);
	CHECK_EQ(m.mr[0], 0x600);
	CHECK_EQ(m.mr[3] >> 26, 0x24); /* a data abort from a lower EL */
	CHECK_EQ(septa_mr(&m, 4), thumb + 16);
	m.info = septa_msginfo(1, 0, 0);
	CHECK_EQ(septa_reply(&m), 0);
	CHECK_EQ(septa_cnode_delete(CNODE, tcb, DEPTH), 0);
}
