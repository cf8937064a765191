/*
 * Hostile IRQControl, IRQHandler and VCPU invocations: interrupt numbers
 * at and past the shared-peripheral range, destinations that are not
 * there, notifications without Write, register indexes and INTIDs at and
 * past their limits, bindings taken already. Each refusal leaves the
 * interrupt unissued, the handler unset, the VCPU's registers and binding
 * as they were.
 */
#include "t_hostile.h"

#define SPI 56 /* this file's interrupt: issued and freed by each test */

static long get_raw(uint64_t irq, uint64_t root, uint64_t index, uint64_t depth)
{
	uint64_t mr[3] = {irq, index, depth};

	return raw_invoke(SEPTA_CAP_IRQ_CONTROL, SEPTA_IRQ_CONTROL_GET, 1, &root, 3, mr);
}

/* The interrupt was not handed out: it is handed out now. */
#define CHECK_UNISSUED(irq)                                                              \
	CHECK_EQ(                                                                        \
	    septa_irq_control_get(SEPTA_CAP_IRQ_CONTROL, irq, CNODE, slot(), DEPTH), 0)

static void bad_irq(uint64_t irq)
{
	uint64_t s = slot();

	CHECK_EQ(get_raw(irq, CNODE, s, DEPTH), SEPTA_E_RANGE);
	CHECK_EQ(probe(s), SEPTA_E_MISSING_CAP);
}

void test_bad_irq_control_get_range_ppi(void)
{
	/* 31 is the last PPI, the kernel's; 32 the first SPI, ours. */
	bad_irq(31);
	bad_irq(0);
	CHECK_UNISSUED(32);
}

void test_bad_irq_control_get_range_special(void)
{
	bad_irq(1020);
	bad_irq(1023);
	bad_irq(1019); /* beyond QEMU's SPIs */
}

void test_bad_irq_control_get_range_wide(void)
{
	/* Cut to 32 bits it would be SPI. */
	bad_irq(1ULL << 32 | SPI);
	bad_irq(~0ULL);
	CHECK_UNISSUED(SPI);
}

void test_bad_irq_control_get_in_use(void)
{
	uint64_t h = slot(), s = slot();

	CHECK_EQ(get_raw(SPI, CNODE, h, DEPTH), 0);
	CHECK_EQ(get_raw(SPI, CNODE, s, DEPTH), SEPTA_E_IN_USE);
	CHECK_EQ(probe(s), SEPTA_E_MISSING_CAP);
	/* Freed with its handler, it can be had again. */
	CHECK_EQ(septa_cnode_delete(CNODE, h, DEPTH), 0);
	CHECK_EQ(get_raw(SPI, CNODE, s, DEPTH), 0);
}

void test_bad_irq_control_get_cap_type(void)
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0);

	CHECK(ep);
	CHECK_EQ(get_raw(SPI, ep, 0, DEPTH), SEPTA_E_CAP_TYPE);
	CHECK_EQ(probe(ep), SEPTA_E_WOULD_BLOCK);
	CHECK_UNISSUED(SPI);
}

void test_bad_irq_control_get_depth(void)
{
	uint64_t s = slot();

	CHECK_EQ(get_raw(SPI, CNODE, s, 0), SEPTA_E_DEPTH);
	CHECK_EQ(get_raw(SPI, CNODE, s, 65), SEPTA_E_DEPTH);
	CHECK_EQ(get_raw(SPI, CNODE, s, 1ULL << 32 | DEPTH), SEPTA_E_DEPTH);
	CHECK_EQ(probe(s), SEPTA_E_MISSING_CAP);
	CHECK_UNISSUED(SPI);
}

void test_bad_irq_control_get_guard(void)
{
	CHECK_EQ(get_raw(SPI, CNODE, BAD_GUARD_CPTR | slot(), DEPTH), SEPTA_E_GUARD);
	CHECK_UNISSUED(SPI);
}

void test_bad_irq_control_get_missing_cap_path(void)
{
	uint64_t c = small_cnode();

	CHECK(c);
	/* Through the small CNode's empty slot 2. */
	CHECK_EQ(get_raw(SPI, c, 2 << 2, 4), SEPTA_E_MISSING_CAP);
	CHECK_EQ(small_cnode_intact(c), SEPTA_OK);
	CHECK_UNISSUED(SPI);
}

void test_bad_irq_control_get_delete_first(void)
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0);

	CHECK(ep);
	CHECK_EQ(get_raw(SPI, CNODE, ep, DEPTH), SEPTA_E_DELETE_FIRST);
	CHECK_EQ(probe(ep), SEPTA_E_WOULD_BLOCK);
	CHECK_UNISSUED(SPI);
}

static uint64_t handler(void)
{
	uint64_t h = slot();

	return septa_irq_control_get(SEPTA_CAP_IRQ_CONTROL, SPI, CNODE, h, DEPTH) ? 0 : h;
}

void test_bad_irq_handler_set_notification_cap_type(void)
{
	uint64_t h = handler(), ep = mk(SEPTA_OBJ_ENDPOINT, 0);

	CHECK(h && ep);
	CHECK_EQ(septa_irq_handler_set_notification(h, ep), SEPTA_E_CAP_TYPE);
	CHECK_EQ(septa_irq_handler_set_notification(h, h), SEPTA_E_CAP_TYPE);
	CHECK_EQ(septa_irq_handler_ack(h), SEPTA_E_STATE); /* none set */
}

void test_bad_irq_handler_set_notification_rights(void)
{
	uint64_t h = handler(), n = mk(SEPTA_OBJ_NOTIFICATION, 0), ro = slot();

	CHECK(h && n);
	CHECK_EQ(septa_cnode_copy(CNODE, ro, DEPTH, CNODE, n, DEPTH,
				  SEPTA_RIGHT_READ | SEPTA_RIGHT_GRANT),
		 0);
	CHECK_EQ(septa_irq_handler_set_notification(h, ro), SEPTA_E_RIGHTS);
	CHECK_EQ(septa_irq_handler_ack(h), SEPTA_E_STATE);
	CHECK_EQ(septa_irq_handler_set_notification(h, n), 0);
	CHECK_EQ(septa_irq_handler_ack(h), 0);
}

void test_bad_irq_handler_ack_state(void)
{
	uint64_t h = handler(), n = mk(SEPTA_OBJ_NOTIFICATION, 0);

	CHECK(h && n);
	CHECK_EQ(septa_irq_handler_ack(h), SEPTA_E_STATE);
	CHECK_EQ(septa_irq_handler_set_notification(h, n), 0);
	CHECK_EQ(septa_irq_handler_clear(h), 0);
	/* Cleared: no notification again. */
	CHECK_EQ(septa_irq_handler_ack(h), SEPTA_E_STATE);
}

/* A notification's deletion unbinds the interrupts that signal it, and
 * only those: a rebinding moves the handler's count from one notification
 * to the other (a count left behind would let a deleted notification be
 * signalled). */
void test_irq_handler_rebind_then_delete(void)
{
	uint64_t h = handler(), n1 = mk(SEPTA_OBJ_NOTIFICATION, 0),
		 n2 = mk(SEPTA_OBJ_NOTIFICATION, 0);

	CHECK(h && n1 && n2);
	CHECK_EQ(septa_irq_handler_set_notification(h, n1), 0);
	CHECK_EQ(septa_irq_handler_set_notification(h, n2), 0);
	CHECK_EQ(septa_cnode_delete(CNODE, n1, DEPTH), 0);
	CHECK_EQ(septa_irq_handler_ack(h), 0); /* still bound, to n2 */
	CHECK_EQ(septa_cnode_delete(CNODE, n2, DEPTH), 0);
	CHECK_EQ(septa_irq_handler_ack(h), SEPTA_E_STATE);
	/* Cleared before its deletion: nothing left to unbind, and a new
	 * binding of the same handler holds. */
	n1 = mk(SEPTA_OBJ_NOTIFICATION, 0);
	n2 = mk(SEPTA_OBJ_NOTIFICATION, 0);
	CHECK(n1 && n2);
	CHECK_EQ(septa_irq_handler_set_notification(h, n1), 0);
	CHECK_EQ(septa_irq_handler_clear(h), 0);
	CHECK_EQ(septa_irq_handler_set_notification(h, n2), 0);
	CHECK_EQ(septa_cnode_delete(CNODE, n1, DEPTH), 0);
	CHECK_EQ(septa_irq_handler_ack(h), 0);
	/* The handler's own deletion unbinds it: n2's deletion then finds
	 * nothing, and the interrupt can be issued again. */
	CHECK_EQ(septa_cnode_delete(CNODE, h, DEPTH), 0);
	CHECK_EQ(septa_cnode_delete(CNODE, n2, DEPTH), 0);
	h = handler();
	CHECK(h);
	CHECK_EQ(septa_irq_handler_ack(h), SEPTA_E_STATE);
}

#define VCPU_MARK 0xabc000u

static uint64_t marked_vcpu(void)
{
	uint64_t v = mk(SEPTA_OBJ_VCPU, 0);

	return v && !septa_vcpu_write_reg(v, SEPTA_VCPU_REG_VBAR, VCPU_MARK) ? v : 0;
}

#define CHECK_MARKED(v)                                                                  \
	do {                                                                             \
		uint64_t _r = 0;                                                         \
		CHECK_EQ(septa_vcpu_read_reg(v, SEPTA_VCPU_REG_VBAR, &_r), 0);           \
		CHECK_EQ(_r, VCPU_MARK);                                                 \
	} while (0)

/* Unbound: it binds to a fresh TCB now. */
#define CHECK_UNBOUND(v)                                                                 \
	do {                                                                             \
		uint64_t _t = mk(SEPTA_OBJ_TCB, 0);                                      \
		CHECK(_t);                                                               \
		CHECK_EQ(septa_vcpu_set_tcb(v, _t), 0);                                  \
	} while (0)

void test_bad_vcpu_set_tcb_cap_type(void)
{
	uint64_t v = marked_vcpu(), v2 = mk(SEPTA_OBJ_VCPU, 0);

	CHECK(v && v2);
	CHECK_EQ(septa_vcpu_set_tcb(v, v2), SEPTA_E_CAP_TYPE);
	CHECK_EQ(septa_vcpu_set_tcb(v, CNODE), SEPTA_E_CAP_TYPE);
	CHECK_EQ(septa_vcpu_set_tcb(v, mk(SEPTA_OBJ_ENDPOINT, 0)), SEPTA_E_CAP_TYPE);
	CHECK_MARKED(v);
	CHECK_UNBOUND(v);
}

void test_bad_vcpu_set_tcb_in_use(void)
{
	uint64_t v = marked_vcpu(), v2 = marked_vcpu(), t = mk(SEPTA_OBJ_TCB, 0),
		 u = mk(SEPTA_OBJ_TCB, 0);

	CHECK(v && v2 && t && u);
	CHECK_EQ(septa_vcpu_set_tcb(v, t), 0);
	CHECK_EQ(septa_vcpu_set_tcb(v, u), SEPTA_E_IN_USE);  /* v bound */
	CHECK_EQ(septa_vcpu_set_tcb(v2, t), SEPTA_E_IN_USE); /* t bound */
	CHECK_EQ(septa_vcpu_set_tcb(v, t), SEPTA_E_IN_USE);  /* again */
	CHECK_MARKED(v2);
	/* v2 and u are both still free. */
	CHECK_EQ(septa_vcpu_set_tcb(v2, u), 0);
}

void test_bad_vcpu_set_tcb_state(void)
{
	uint64_t v = marked_vcpu();

	CHECK(v);
	/* The calling thread cannot become a guest under its own feet. */
	CHECK_EQ(septa_vcpu_set_tcb(v, ct.self), SEPTA_E_STATE);
	CHECK_MARKED(v);
	CHECK_UNBOUND(v);
}

static void bad_reg(uint64_t label)
{
	uint64_t v = marked_vcpu(), mr[2] = {SEPTA_VCPU_REG_COUNT, 0x1111};

	CHECK(v);
	CHECK_EQ(raw_invoke(v, label, 0, NULL, 2, mr), SEPTA_E_RANGE);
	/* Cut to 32 bits it would be VBAR. */
	mr[0] = 1ULL << 32 | SEPTA_VCPU_REG_VBAR;
	CHECK_EQ(raw_invoke(v, label, 0, NULL, 2, mr), SEPTA_E_RANGE);
	mr[0] = ~0ULL;
	CHECK_EQ(raw_invoke(v, label, 0, NULL, 2, mr), SEPTA_E_RANGE);
	CHECK_MARKED(v);
	/* The last register is fine. */
	mr[0] = SEPTA_VCPU_REG_COUNT - 1;
	CHECK_EQ(raw_invoke(v, label, 0, NULL, 2, mr), 0);
}

void test_bad_vcpu_read_reg_range(void)
{
	bad_reg(SEPTA_VCPU_READ_REG);
}

void test_bad_vcpu_write_reg_range(void)
{
	bad_reg(SEPTA_VCPU_WRITE_REG);
}

static void bad_inject(uint64_t intid, uint64_t prio)
{
	uint64_t v = marked_vcpu(), mr[2] = {intid, prio};
	long err = 0;
	unsigned n = 0;

	CHECK(v);
	CHECK_EQ(raw_invoke(v, SEPTA_VCPU_INJECT_IRQ, 0, NULL, 2, mr), SEPTA_E_RANGE);
	/* Nothing was queued: all 20 places are still free. */
	while (n < 100 && (err = septa_vcpu_inject_irq(v, 32 + n, 0x10)) == 0)
		n++;
	CHECK_EQ(err, SEPTA_E_IN_USE);
	CHECK_EQ(n, 20);
}

void test_bad_vcpu_inject_irq_range_reserved(void)
{
	bad_inject(1020, 0);
}

void test_bad_vcpu_inject_irq_range_spurious(void)
{
	bad_inject(1023, 0xa0);
}

void test_bad_vcpu_inject_irq_range_wide(void)
{
	/* Cut to 32 bits it would be 40. */
	bad_inject(1ULL << 32 | 40, 0);
}

void test_bad_vcpu_inject_irq_range_prio(void)
{
	bad_inject(40, 256);
}

void test_bad_vcpu_inject_irq_range_prio_wide(void)
{
	bad_inject(40, 1ULL << 32);
}

void test_bad_vcpu_inject_irq_in_use(void)
{
	uint64_t v = marked_vcpu();
	unsigned n = 0;

	CHECK(v);
	/* The last INTID is fine; then 19 more fill every place. */
	CHECK_EQ(septa_vcpu_inject_irq(v, 1019, 255), 0);
	while (n < 19 && septa_vcpu_inject_irq(v, 32 + n, 0x10) == 0)
		n++;
	CHECK_EQ(n, 19);
	CHECK_EQ(septa_vcpu_inject_irq(v, 200, 0x10), SEPTA_E_IN_USE);
	/* One already there merges: no place needed. */
	CHECK_EQ(septa_vcpu_inject_irq(v, 1019, 255), 0);
	CHECK_EQ(septa_vcpu_inject_irq(v, 40, 0x10), 0);
	/* A reset empties them all. */
	CHECK_EQ(septa_vcpu_reset(v), 0);
	CHECK_EQ(septa_vcpu_inject_irq(v, 200, 0x10), 0);
}
