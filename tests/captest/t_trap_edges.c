/*
 * Edges of the kernel's trap decoding, its fault replies to guests, the
 * virtual interrupts and stage-2 rights that the mutation run left alive
 * (issue 15):
 * each test fails under the mutants named above it (tests/mutation/
 * mutants.txt).
 */
#include "captest.h"

extern const uint8_t guest_xzr_start[], guest_xzr_end[];
extern const uint8_t guest_hvc_start[], guest_hvc_end[];
extern const uint8_t guest_lrwait_start[], guest_lrwait_end[];
extern const uint8_t guest_uie_start[], guest_uie_end[];
extern const uint8_t guest_uie_v2_start[], guest_uie_v2_end[];
extern const uint8_t guest_smc_start[], guest_smc_end[], guest_smc_at[], guest_smc_hvc[];

/* pc, sp, x0-x30: all of a stopped thread's registers. */
#define TE_NREGS 33
#define TE_SP	 1
#define TE_X(n)	 (2 + (n))

static void te_read_regs(uint64_t tcb, uint64_t *regs)
{
	CHECK_EQ(septa_tcb_read_registers(tcb, TE_NREGS, regs), 0);
}

/* Answers the exit in m and takes the next, which must be a `label`. */
static void te_next(uint64_t ep, struct septa_msg *m, uint64_t label)
{
	CHECK_EQ(septa_reply_recv(ep, m), 0);
	CHECK_EQ(SEPTA_MSG_LABEL(m->info), label);
}

/* Stops the guest behind the fault in m and deletes it. */
static void te_stop(uint64_t tcb, struct septa_msg *m)
{
	m->info = septa_msginfo(1, 0, 0);
	CHECK_EQ(septa_reply(m), 0);
	CHECK_EQ(septa_cnode_delete(CNODE, tcb, DEPTH), 0);
	drop_guest_view();
}

/*
 * ep-fault-xzr, trap-id-xzr, trap-store-xzr: register 31 of a load or
 * store is the zero register. A read answered into it, or an ID register
 * read into it, writes nothing (the kernel's frame has SP_EL0 in x31's
 * place); a store or an MSR of it reports 0, not SP_EL0. Register 30 is an
 * ordinary one and does take the answer.
 */
void test_trap_xzr_is_no_register(void)
{
	const uint64_t sp0 = 0x5a5a0000, mmio = 0x09000000;
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0), vcpu = 0, tcb, regs[TE_NREGS];
	struct septa_msg m = {0};

	tcb = make_guest_running(guest_xzr_start, guest_xzr_end, ep, &vcpu);
	CHECK(tcb);
	CHECK_EQ(septa_tcb_resume(tcb), 0);
	/* ldr xzr, [x9]: described, register 31; answered with a value */
	CHECK_EQ(septa_recv(ep, &m), 0);
	CHECK_EQ(SEPTA_MSG_LABEL(m.info), SEPTA_FAULT_ABORT);
	CHECK_EQ(m.mr[SEPTA_ABORT_IPA], mmio);
	CHECK_EQ(m.mr[SEPTA_ABORT_ACCESS],
		 SEPTA_ACCESS_READ | SEPTA_ACCESS_VALID | SEPTA_ACCESS_WIDE |
		     3 << SEPTA_ACCESS_SIZE_SHIFT | 31 << SEPTA_ACCESS_REG_SHIFT);
	te_read_regs(tcb, regs);
	CHECK_EQ(regs[TE_SP], sp0);
	m.info = septa_msginfo(0, 0, 1);
	m.mr[SEPTA_REPLY_VALUE] = 0xdead0031;
	/* ldr x30, [x9, #16]: register 30 takes its answer */
	te_next(ep, &m, SEPTA_FAULT_ABORT);
	CHECK_EQ(m.mr[SEPTA_ABORT_IPA], mmio + 16);
	CHECK_EQ(SEPTA_ACCESS_REG(m.mr[SEPTA_ABORT_ACCESS]), 30);
	te_read_regs(tcb, regs);
	CHECK_EQ(regs[TE_SP], sp0); /* the answer into xzr went nowhere */
	m.info = septa_msginfo(0, 0, 1);
	m.mr[SEPTA_REPLY_VALUE] = 0xdead0030;
	/* mrs xzr, id_aa64pfr0_el1 went by; str xzr, [x9, #8] stores 0 */
	te_next(ep, &m, SEPTA_FAULT_ABORT);
	CHECK_EQ(m.mr[SEPTA_ABORT_IPA], mmio + 8);
	CHECK_EQ(m.mr[SEPTA_ABORT_ACCESS],
		 SEPTA_ACCESS_WRITE | SEPTA_ACCESS_VALID | SEPTA_ACCESS_WIDE |
		     3 << SEPTA_ACCESS_SIZE_SHIFT | 31 << SEPTA_ACCESS_REG_SHIFT);
	CHECK_EQ(m.mr[SEPTA_ABORT_VALUE], 0);
	/* Every register as the guest set it, but x30's answer. */
	te_read_regs(tcb, regs);
	CHECK_EQ(regs[TE_SP], sp0); /* the ID register read wrote nothing */
	CHECK_EQ(regs[TE_X(30)], 0xdead0030);
	CHECK_EQ(regs[TE_X(9)], mmio);
	for (unsigned n = 0; n < 30; n++)
		if (n != 9)
			CHECK_EQ(regs[TE_X(n)], 0x7700 + n);
	/* msr pmcr_el0, xzr: written 0 */
	m.info = septa_msginfo(0, 0, 0);
	te_next(ep, &m, SEPTA_FAULT_SYSREG);
	CHECK_EQ(m.mr[SEPTA_SYSREG_ID], SEPTA_SYSREG_ENC(3, 3, 9, 12, 0));
	CHECK_EQ(m.mr[SEPTA_SYSREG_ACCESS],
		 SEPTA_ACCESS_WRITE | SEPTA_ACCESS_VALID | SEPTA_ACCESS_WIDE |
		     3 << SEPTA_ACCESS_SIZE_SHIFT | 31 << SEPTA_ACCESS_REG_SHIFT);
	CHECK_EQ(m.mr[SEPTA_SYSREG_VALUE], 0);
	m.info = septa_msginfo(0, 0, 0);
	te_next(ep, &m, SEPTA_FAULT_HVC);
	te_read_regs(tcb, regs);
	CHECK_EQ(regs[TE_SP], sp0);
	te_stop(tcb, &m);
}

/* The guest's x0-x30 that the HVC guest holds in want[], after a reply of
 * len registers with values base + i: each message register up to the
 * reply's length and SEPTA_HVC_LEN, none past either. */
static void te_hvc_reply(uint64_t ep, uint64_t tcb, struct septa_msg *m, unsigned len,
			 uint64_t base, uint64_t *want)
{
	uint64_t regs[TE_NREGS];

	/* Every message register set, whatever the length says. */
	for (unsigned i = 0; i < SEPTA_HVC_LEN + 2; i++)
		septa_set_mr(m, i, base + i);
	m->info = septa_msginfo(0, 0, len);
	te_next(ep, m, SEPTA_FAULT_HVC);
	for (unsigned i = 0; i < len && i < SEPTA_HVC_LEN; i++)
		want[i] = base + i;
	te_read_regs(tcb, regs);
	for (unsigned n = 0; n < 31; n++)
		CHECK_EQ(regs[TE_X(n)], want[n]);
}

/* ep-hvc-len: an HVC reply sets exactly its length's registers, up to
 * SEPTA_HVC_LEN: none for 0, x0 for 1, x0-x6 for 7, x0-x7 for 8, and for
 * 9 no more than for 8. */
void test_trap_hvc_reply_length(void)
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0), vcpu = 0, tcb, want[31];
	struct septa_msg m = {0};

	for (unsigned n = 0; n < 31; n++)
		want[n] = 0x6600 + n;
	tcb = make_guest_running(guest_hvc_start, guest_hvc_end, ep, &vcpu);
	CHECK(tcb);
	CHECK_EQ(septa_tcb_resume(tcb), 0);
	CHECK_EQ(septa_recv(ep, &m), 0);
	CHECK_EQ(SEPTA_MSG_LABEL(m.info), SEPTA_FAULT_HVC);
	CHECK_EQ(SEPTA_MSG_LEN(m.info), SEPTA_HVC_LEN);
	CHECK_EQ(m.mr[0], 0x6600);
	te_hvc_reply(ep, tcb, &m, 0, 0xa000, want);
	te_hvc_reply(ep, tcb, &m, 1, 0xb000, want);
	te_hvc_reply(ep, tcb, &m, SEPTA_HVC_LEN - 1, 0xc000, want);
	te_hvc_reply(ep, tcb, &m, SEPTA_HVC_LEN, 0xd000, want);
	te_hvc_reply(ep, tcb, &m, SEPTA_HVC_LEN + 1, 0xe000, want);
	CHECK_EQ(m.mr[0], 0xe000); /* the message it sends carries them too */
	te_stop(tcb, &m);
}

/* ep-fault-smc-step: a trapped SMC stops at the SMC itself (an HVC past
 * it); answered, the guest goes on after it, stepped once: the SMC is not
 * made again, and the instruction after it is not skipped. */
void test_trap_smc_answer_steps_once(void)
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0), vcpu = 0, tcb, regs[TE_NREGS];
	struct septa_msg m = {0};

	tcb = make_guest_running(guest_smc_start, guest_smc_end, ep, &vcpu);
	CHECK(tcb);
	CHECK_EQ(septa_tcb_resume(tcb), 0);
	CHECK_EQ(septa_recv(ep, &m), 0);
	CHECK_EQ(SEPTA_MSG_LABEL(m.info), SEPTA_FAULT_SMC);
	CHECK_EQ(m.mr[0], 0x100);
	te_read_regs(tcb, regs);
	CHECK_EQ(regs[0], GUEST_RAM + (uint64_t)(guest_smc_at - guest_smc_start));
	m.info = septa_msginfo(0, 0, 1);
	m.mr[0] = 0x500;
	te_next(ep, &m, SEPTA_FAULT_HVC);
	CHECK_EQ(m.mr[0], 0x501); /* the answer, and the add after the SMC */
	te_read_regs(tcb, regs);
	CHECK_EQ(regs[0], GUEST_RAM + (uint64_t)(guest_smc_hvc - guest_smc_start));
	te_stop(tcb, &m);
}

/* vgic-dup-queued: an INTID already queued, injected again, merges with
 * itself and takes no second entry, so the queue still holds sixteen
 * others: four list registers (QEMU's GICv3 and GICv2 alike) and the
 * queue of sixteen, 44 in it once. */
void test_trap_vgic_queued_intid_merges(void)
{
	uint64_t v = mk(SEPTA_OBJ_VCPU, 0);

	CHECK(v);
	for (unsigned i = 0; i < 5; i++) /* 40-43 in list registers, 44 queued */
		CHECK_EQ(septa_vcpu_inject_irq(v, 40 + i, 0x10), 0);
	for (unsigned i = 0; i < 8; i++)
		CHECK_EQ(septa_vcpu_inject_irq(v, 44, 0x10), 0);
	for (unsigned i = 45; i < 60; i++)
		CHECK_EQ(septa_vcpu_inject_irq(v, i, 0x10), 0);
	CHECK_EQ(septa_vcpu_inject_irq(v, 60, 0x10), SEPTA_E_IN_USE);
}

static void te_native_hvc(uint64_t unused)
{
	(void)unused;
	__asm__ volatile("hvc #0" ::: "memory");
}

static void te_native_smc(uint64_t unused)
{
	(void)unused;
	__asm__ volatile("smc #0" ::: "memory");
}

/* A native thread runs at EL0, where HVC and SMC are undefined: an
 * exception of class 0 at the instruction, never an HVC or SMC exit (so
 * trap_hvc's test for a VCPU, trap-hvc-native, is never false there). */
void test_trap_native_hvc_smc_undefined(void)
{
	static void (*const fn[2])(uint64_t) = {te_native_hvc, te_native_smc};
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0), t;
	struct septa_msg m = {0};

	for (unsigned i = 0; i < 2; i++) {
		CHECK(t = spawn(fn[i], 0, LOW_PRIO, ep));
		CHECK_EQ(septa_recv(ep, &m), 0);
		CHECK_EQ(SEPTA_MSG_LABEL(m.info), SEPTA_FAULT_EXCEPTION);
		CHECK_EQ(m.mr[SEPTA_EXCEPTION_CLASS], 0);
		CHECK(m.mr[SEPTA_EXCEPTION_PC] - (uint64_t)(uintptr_t)fn[i] < 16);
		m.info = septa_msginfo(1, 0, 0);
		CHECK_EQ(septa_reply(&m), 0);
	}
}

/* The PageTables test_trap_external_abort_ipa's map made. */
static uint64_t te_tables[4];
static unsigned te_ntables;

static uint64_t te_make_table(void *arg)
{
	uint64_t pt = te_ntables < 4 ? mk(SEPTA_OBJ_PAGE_TABLE, 0) : 0;

	(void)arg;
	if (pt)
		te_tables[te_ntables++] = pt;
	return pt;
}

/* vgic-pending-lr: a guest's WFI returns at once while an interrupt is
 * pending in one of its list registers, even one its CPU interface does
 * not signal (so the CPU trapped the WFI): injected while it was stopped,
 * with nothing queued behind it. The guest outranks us: it has run to its
 * next exit before septa_reply returns, or is waiting in its WFI. */
void test_trap_wfi_sees_pending_list_register(void)
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0), vcpu = 0, tcb;
	struct septa_msg m = {0};

	tcb = make_guest_running(guest_lrwait_start, guest_lrwait_end, ep, &vcpu);
	CHECK(tcb);
	CHECK_EQ(septa_tcb_set_priority(tcb, HIGH_PRIO), 0);
	CHECK_EQ(septa_tcb_resume(tcb), 0);
	CHECK_EQ(septa_recv(ep, &m), 0);
	CHECK_EQ(SEPTA_MSG_LABEL(m.info), SEPTA_FAULT_HVC);
	CHECK_EQ(m.mr[0], 1);
	CHECK_EQ(septa_vcpu_inject_irq(vcpu, 40, 0x10), 0);
	m.info = septa_msginfo(0, 0, 0);
	CHECK_EQ(septa_reply(&m), 0);
	CHECK_EQ(septa_nbrecv(ep, &m), 0);
	CHECK_EQ(SEPTA_MSG_LABEL(m.info), SEPTA_FAULT_HVC);
	CHECK_EQ(m.mr[0], 2);
	te_stop(tcb, &m);
}

/* vgic-uie: interrupts queued behind full list registers reach a running
 * guest once it has ended those in them: the kernel asks for the underflow
 * maintenance interrupt while its queue holds any, and refills then. Six
 * injected while the guest is stopped, four list registers: it finds all
 * six by polling. (QEMU takes the maintenance interrupt before the guest's
 * next instruction, but the count is allowed a second round: answered,
 * the guest resumes with the request set.) */
void test_trap_vgic_queue_refills_running_guest(void)
{
	static const struct guest_code v3 = {guest_uie_start, guest_uie_end},
				       v2 = {guest_uie_v2_start, guest_uie_v2_end};
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0), vcpu = 0, tcb;
	struct septa_msg m = {0};

	tcb = make_gic_guest(&v3, &v2, ep, &vcpu);
	CHECK(tcb);
	CHECK_EQ(septa_tcb_resume(tcb), 0);
	CHECK_EQ(septa_recv(ep, &m), 0);
	CHECK_EQ(SEPTA_MSG_LABEL(m.info), SEPTA_FAULT_HVC);
	CHECK_EQ(m.mr[0], 3); /* ready */
	for (unsigned i = 0; i < 6; i++)
		CHECK_EQ(septa_vcpu_inject_irq(vcpu, 40 + i, 0x10), 0);
	for (unsigned round = 0; round < 2; round++) {
		m.info = septa_msginfo(0, 0, 0);
		te_next(ep, &m, SEPTA_FAULT_HVC);
		CHECK_EQ(m.mr[0], 5);
		if (m.mr[2] == 6)
			break;
	}
	CHECK_EQ(m.mr[2], 6);
	m.info = septa_msginfo(1, 0, 0);
	CHECK_EQ(septa_reply(&m), 0);
	CHECK_EQ(septa_cnode_delete(CNODE, tcb, DEPTH), 0);
}

/* A native thread's read of a device frame with nothing behind it. */
static void te_read_hole(uint64_t ipa)
{
	(void)*(volatile uint32_t *)(uintptr_t)ipa;
}

static void te_bad_write(uint64_t unused)
{
	(void)unused;
	*(volatile uint64_t *)UNMAPPED_IPA = 5;
}

/*
 * trap-stage2-range: a synchronous external abort (FSC 0x10, the fault
 * type just above a permission fault) is no stage-2 fault, and HPFAR_EL2
 * still holds an earlier thread's stage-2 page: a native thread's IPA is
 * its virtual address. The hole: the GICv2 virtual CPU interface's frame,
 * which a GICv3 machine leaves empty.
 */
void test_trap_external_abort_ipa(void)
{
	const uint64_t ipa = UNMAPPED_IPA + 0x200000;
	static const struct septa_table_source tables = {te_make_table, NULL, NULL};
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0), f = slot();
	unsigned dev = bi->untyped_count;
	struct septa_msg m = {0};

	SKIP_UNLESS(
	    bi->gic_version == 3,
	    "needs a GICv3: on a GICv2 every device Untyped has a device behind it");
	for (unsigned i = 0; i < bi->untyped_count; i++)
		if (bi->untyped[i].is_device && bi->untyped[i].paddr == 0x08040000)
			dev = i;
	te_ntables = 0;
	CHECK(ep && dev < bi->untyped_count);
	CHECK_EQ(septa_untyped_retype(bi->untyped_slot + dev, SEPTA_OBJ_FRAME_4K, 0,
				      CNODE, 0, 0, f, 1),
		 0);
	CHECK_EQ(septa_frame_map_with_tables(f, VSPACE, ipa, SEPTA_MAP_R, SEPTA_OWNED,
					     &tables, NULL),
		 0);
	CHECK(spawn(te_bad_write, 0, LOW_PRIO, ep)); /* UNMAPPED_IPA into HPFAR_EL2 */
	CHECK_EQ(septa_recv(ep, &m), 0);
	CHECK_EQ(m.mr[SEPTA_ABORT_IPA], UNMAPPED_IPA);
	m.info = septa_msginfo(1, 0, 0);
	CHECK_EQ(septa_reply(&m), 0);
	CHECK(spawn(te_read_hole, ipa + 0x24, LOW_PRIO, ep));
	CHECK_EQ(septa_recv(ep, &m), 0);
	CHECK_EQ(SEPTA_MSG_LABEL(m.info), SEPTA_FAULT_ABORT);
	CHECK_EQ(septa_mr(&m, SEPTA_ABORT_ESR) & 0x3f, 0x10); /* external abort */
	CHECK_EQ(SEPTA_ACCESS_CAUSE(m.mr[SEPTA_ABORT_ACCESS]), SEPTA_CAUSE_OTHER);
	CHECK_EQ(septa_mr(&m, SEPTA_ABORT_FAR), ipa + 0x24);
	CHECK_EQ(m.mr[SEPTA_ABORT_IPA], ipa + 0x24);
	m.info = septa_msginfo(1, 0, 0);
	CHECK_EQ(septa_reply(&m), 0);
	CHECK_EQ(septa_cnode_revoke(CNODE, bi->untyped_slot + dev, DEPTH), 0);
	for (unsigned i = 0; i < te_ntables; i++)
		CHECK_EQ(septa_cnode_delete(CNODE, te_tables[i], DEPTH), 0);
}

/* s2-readable: a page whose read right was taken away (VSPACE_PROTECT
 * keeping none) is no buffer DEBUG_WRITE may read, though it is RAM the
 * kernel could read through its own map. */
void test_trap_debug_write_needs_read_right(void)
{
	static const struct septa_table_source tables = {te_make_table, NULL, NULL};
	const uint64_t ipa = UNMAPPED_IPA + 0x200000;
	uint64_t ram = mk(SEPTA_OBJ_FRAME_4K, 0);
	size_t n = 0;

	te_ntables = 0;
	CHECK(ram);
	CHECK_EQ(septa_frame_map_with_tables(ram, VSPACE, ipa, SEPTA_MAP_R | SEPTA_MAP_W,
					     SEPTA_OWNED, &tables, NULL),
		 0);
	*(volatile char *)ipa = '\n';
	CHECK_EQ(septa_debug_write((const void *)ipa, 1, &n), 0);
	CHECK_EQ(n, 1);
	CHECK_EQ(septa_vspace_protect(VSPACE, ipa, 4096, 0, 0, NULL, NULL), 0);
	n = 0;
	CHECK_EQ(septa_debug_write((const void *)ipa, 1, &n), SEPTA_E_FAULT);
	CHECK_EQ(n, 0);
	CHECK_EQ(septa_cnode_delete(CNODE, ram, DEPTH), 0);
	for (unsigned i = 0; i < te_ntables; i++)
		CHECK_EQ(septa_cnode_delete(CNODE, te_tables[i], DEPTH), 0);
}
