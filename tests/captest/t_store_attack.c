/*
 * SEPTA_REPLY_STORE attacked (issue 17's review): the write the kernel
 * performs must be the one the thread attempted, byte for byte. A guest
 * whose data accesses are big-endian (t_store_attack_guest.S) stores into
 * its own page without W; the kernel's store must leave the bytes in the
 * guest's order, which the guest reads back (a little-endian store shows
 * as reversed bytes). The fault words say the access was big-endian
 * (SEPTA_ACCESS_BIG_ENDIAN) and carry the register's value.
 */
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
