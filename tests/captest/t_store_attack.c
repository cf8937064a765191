/*
 * SEPTA_REPLY_STORE attacked (issue 17's review): the write the kernel
 * performs must be the one the thread attempted, byte for byte. A guest
 * whose data accesses are big-endian (t_store_attack_guest.S) stores into
 * its own page without W; the kernel's store must leave the bytes in the
 * guest's order, which the guest reads back (a little-endian store shows
 * as reversed bytes). The fault words say the access was big-endian
 * (SEPTA_ACCESS_BIG_ENDIAN) and carry the register's value. A native
 * thread's stores into what the kernel mapped read-only at boot (the boot
 * archive, one physical copy inside the kernel's image that everyone
 * shares; bootinfo; the root task's own code) are refused with E_RIGHTS:
 * those leaves have no PTE_FRAME_W, and nothing is written.
 */
#include <string.h>
#include "captest.h"

extern const uint8_t guest_sbe_start[], guest_sbe_end[];

void test_store_attack_big_endian_guest(void)
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0), vcpu = 0, tcb;
	struct septa_msg m = {0};

	CHECK(ep);
	tcb = make_guest_running(guest_sbe_start, guest_sbe_end, ep, &vcpu);
	CHECK(tcb);
	drop_guest_view();
	CHECK_EQ(septa_tcb_resume(tcb), 0);
	CHECK_EQ(septa_recv(ep, &m), 0);
	CHECK_EQ(SEPTA_MSG_LABEL(m.info), SEPTA_FAULT_ABORT);
	CHECK_EQ(m.mr[SEPTA_ABORT_IPA], GUEST_RAM + 0xf00);
	CHECK(m.mr[SEPTA_ABORT_ACCESS] & SEPTA_ACCESS_BIG_ENDIAN);
	CHECK_EQ(SEPTA_ACCESS_SIZE(m.mr[SEPTA_ABORT_ACCESS]), 4);
	CHECK_EQ(m.mr[SEPTA_ABORT_VALUE], 0x11223344);
	m.info = septa_msginfo(SEPTA_REPLY_STORE, 0, 0);
	CHECK_EQ(septa_reply_recv(ep, &m), 0);
	CHECK_EQ(SEPTA_MSG_LABEL(m.info), SEPTA_FAULT_ABORT);
	CHECK_EQ(m.mr[SEPTA_ABORT_IPA], GUEST_RAM + 0xf08);
	CHECK(m.mr[SEPTA_ABORT_ACCESS] & SEPTA_ACCESS_BIG_ENDIAN);
	CHECK_EQ(m.mr[SEPTA_ABORT_VALUE], 0x5566);
	m.info = septa_msginfo(SEPTA_REPLY_STORE, 0, 0);
	CHECK_EQ(septa_reply_recv(ep, &m), 0);
	CHECK_EQ(SEPTA_MSG_LABEL(m.info), SEPTA_FAULT_HVC);
	CHECK_EQ(m.mr[0], 0x11223344);
	CHECK_EQ(m.mr[1], 0x11);
	CHECK_EQ(m.mr[2], 0x5566);
	CHECK_EQ(m.mr[3], 0x55);
	CHECK_EQ(septa_cnode_delete(CNODE, tcb, DEPTH), 0);
}

/* A 4-byte store of 0x4321 at `at`; it never gets past it. */
static void sa_store_one(uint64_t at)
{
	register uint64_t a __asm__("x9") = at;

	__asm__ volatile("movz x1, #0x4321\n\t"
			 "str w1, [x9]\n\t"
			 "1: b 1b" ::"r"(a)
			 : "x1", "memory");
}

/* A native thread's store at `at` (mapped read-only at boot) faults to
 * us; STORE is refused with E_RIGHTS and the 16 bytes there stay. */
static void sa_boot_read_only(uint64_t at)
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0), tcb;
	struct septa_msg m = {0};
	uint8_t before[16];

	CHECK(ep);
	memcpy(before, (const void *)(uintptr_t)at, sizeof(before));
	tcb = spawn(sa_store_one, at, LOW_PRIO, ep);
	CHECK(tcb);
	CHECK_EQ(septa_tcb_resume(tcb), 0);
	CHECK_EQ(septa_recv(ep, &m), 0);
	CHECK_EQ(SEPTA_MSG_LABEL(m.info), SEPTA_FAULT_ABORT);
	CHECK_EQ(m.mr[SEPTA_ABORT_IPA], at);
	CHECK_EQ(SEPTA_ACCESS_CAUSE(m.mr[SEPTA_ABORT_ACCESS]), SEPTA_CAUSE_PERMISSION);
	m.info = septa_msginfo(SEPTA_REPLY_STORE, 0, 0);
	CHECK_EQ(septa_reply(&m), SEPTA_E_RIGHTS);
	CHECK(memcmp(before, (const void *)(uintptr_t)at, sizeof(before)) == 0);
	m.info = septa_msginfo(1, 0, 0);
	CHECK_EQ(septa_reply(&m), 0);
	CHECK_EQ(septa_cnode_delete(CNODE, tcb, DEPTH), 0);
}

void test_store_attack_boot_read_only(void)
{
	CHECK(bi->modules_size > 0);
	sa_boot_read_only(bi->modules_base);
	sa_boot_read_only(SEPTA_ROOT_BOOTINFO + 0x10);
	sa_boot_read_only((uint64_t)(uintptr_t)sa_store_one & ~3ULL);
}
