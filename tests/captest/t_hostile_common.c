/*
 * Hostile input every invocation shares, one test per invocation and kind:
 * too few message registers (E_ARG), too few capabilities (E_EXTRA_CAPS),
 * an extra capability that is not there (E_MISSING_CAP), a message longer
 * than SEPTA_MSG_MAX (E_MSG_LENGTH), and per object type a label it does
 * not have (E_LABEL). The shape of each invocation comes from the one
 * table, invocations.def; each test then checks its target is unchanged.
 */
#include "t_hostile.h"

enum target_kind {
	K_UNTYPED,
	K_CNODE,
	K_TCB,
	K_IRQ_CONTROL,
	K_IRQ_HANDLER,
	K_PAGE_TABLE,
	K_FRAME,
	K_VSPACE,
	K_VCPU,
};

struct shape {
	uint64_t label;
	unsigned nmr, ncaps;
	enum target_kind k;
};

#define SHAPE(OBJ, NAME, name, label, ...)                                               \
	static const struct shape shape_##name = {label, SEPTA_INV_NMR(NAME),            \
						  SEPTA_INV_NCAPS(NAME), K_##OBJ};
SEPTA_INVOCATIONS(SHAPE)
#undef SHAPE

#define COMMON_SPI	52 /* the IRQHandler target's interrupt */
#define COMMON_SPI_FREE 53 /* one IRQControl must still hand out */
#define TCB_MARK	0x1234u
#define VCPU_MARK	0x5678u

static uint64_t target_make(enum target_kind k)
{
	uint64_t t = 0, v;

	switch (k) {
	case K_UNTYPED:
		return sub_ut(12);
	case K_CNODE:
		return small_cnode();
	case K_TCB:
		v = TCB_MARK;
		t = mk(SEPTA_OBJ_TCB, 0);
		return t && !septa_tcb_write_registers(t, 0, 1, &v) ? t : 0;
	case K_IRQ_CONTROL:
		return SEPTA_CAP_IRQ_CONTROL;
	case K_IRQ_HANDLER:
		t = slot();
		return septa_irq_control_get(SEPTA_CAP_IRQ_CONTROL, COMMON_SPI, CNODE, t,
					     DEPTH)
			   ? 0
			   : t;
	case K_PAGE_TABLE:
		return mk(SEPTA_OBJ_PAGE_TABLE, 0);
	case K_FRAME:
		return mk(SEPTA_OBJ_FRAME_4K, 0);
	case K_VSPACE:
		return mk(SEPTA_OBJ_VSPACE, 32);
	case K_VCPU:
		t = mk(SEPTA_OBJ_VCPU, 0);
		return t && !septa_vcpu_write_reg(t, SEPTA_VCPU_REG_SP_EL1, VCPU_MARK)
			   ? t
			   : 0;
	}
	return 0;
}

/* OK if target t of kind k is as target_make left it. */
static long target_intact(enum target_kind k, uint64_t t)
{
	uint64_t v = 0, q[4];
	long err;

	switch (k) {
	case K_UNTYPED:
		return ut_whole(t, 12);
	case K_CNODE:
		return small_cnode_intact(t);
	case K_TCB:
		if ((err = septa_tcb_read_registers(t, 1, &v)))
			return err;
		if (v != TCB_MARK)
			return SEPTA_E_ARG;
		/* Still unconfigured: nothing was bound into it. */
		return septa_tcb_resume(t) == SEPTA_E_STATE ? SEPTA_OK : SEPTA_E_STATE;
	case K_IRQ_CONTROL:
		return septa_irq_control_get(t, COMMON_SPI_FREE, CNODE, slot(), DEPTH);
	case K_IRQ_HANDLER:
		/* No notification was set. */
		if (septa_irq_handler_ack(t) != SEPTA_E_STATE)
			return SEPTA_E_STATE;
		return septa_irq_handler_clear(t);
	case K_PAGE_TABLE:
		/* Mapped nowhere, so it maps now. */
		v = mk(SEPTA_OBJ_VSPACE, 32);
		return v ? septa_page_table_map(t, v, 0, 3, NULL) : SEPTA_E_NO_MEMORY;
	case K_FRAME:
		v = hostile_vspace32();
		if (!v)
			return SEPTA_E_NO_MEMORY;
		if ((err = septa_frame_map(t, v, 0x1000, SEPTA_MAP_R, SEPTA_OWNED, 0,
					   NULL, NULL)))
			return err;
		return septa_frame_get_address(t, &v);
	case K_VSPACE:
		if ((err = septa_vspace_query(t, 0, q)))
			return err;
		if (q[0] != 0)
			return SEPTA_E_DELETE_FIRST;
		v = mk(SEPTA_OBJ_PAGE_TABLE, 0);
		return v ? septa_page_table_map(v, t, 0, 3, NULL) : SEPTA_E_NO_MEMORY;
	case K_VCPU:
		if ((err = septa_vcpu_read_reg(t, SEPTA_VCPU_REG_SP_EL1, &v)))
			return err;
		if (v != VCPU_MARK)
			return SEPTA_E_ARG;
		v = mk(SEPTA_OBJ_TCB, 0);
		return v ? septa_vcpu_set_tcb(t, v) : SEPTA_E_NO_MEMORY;
	}
	return SEPTA_E_ARG;
}

static const uint64_t valid_caps[SEPTA_MSG_MAX_CAPS] = {CNODE, CNODE, CNODE};

/* One register too few, and none: refused before anything is looked at. */
static void common_short(const struct shape *s)
{
	uint64_t t = target_make(s->k);

	CHECK(s->nmr > 0);
	CHECK(t);
	CHECK_EQ(raw_invoke(t, s->label, s->ncaps, valid_caps, s->nmr - 1, NULL),
		 SEPTA_E_ARG);
	CHECK_EQ(raw_invoke(t, s->label, s->ncaps, valid_caps, 0, NULL), SEPTA_E_ARG);
	CHECK_EQ(target_intact(s->k, t), SEPTA_OK);
}

/* Every register, one capability too few, and none. */
static void common_extra_caps(const struct shape *s)
{
	uint64_t t = target_make(s->k);

	CHECK(s->ncaps > 0);
	CHECK(t);
	CHECK_EQ(raw_invoke(t, s->label, s->ncaps - 1, valid_caps, s->nmr, NULL),
		 SEPTA_E_EXTRA_CAPS);
	CHECK_EQ(raw_invoke(t, s->label, 0, valid_caps, s->nmr, NULL),
		 SEPTA_E_EXTRA_CAPS);
	CHECK_EQ(target_intact(s->k, t), SEPTA_OK);
}

/* The last capability names an empty slot, then one behind a wrong guard. */
static void common_missing_cap(const struct shape *s)
{
	uint64_t t = target_make(s->k), caps[SEPTA_MSG_MAX_CAPS] = {CNODE, CNODE, CNODE};

	CHECK(s->ncaps > 0);
	CHECK(t);
	caps[s->ncaps - 1] = slot();
	CHECK_EQ(raw_invoke(t, s->label, s->ncaps, caps, s->nmr, NULL),
		 SEPTA_E_MISSING_CAP);
	caps[s->ncaps - 1] = BAD_GUARD_CPTR | CNODE;
	CHECK_EQ(raw_invoke(t, s->label, s->ncaps, caps, s->nmr, NULL), SEPTA_E_GUARD);
	CHECK_EQ(target_intact(s->k, t), SEPTA_OK);
}

/* One past SEPTA_MSG_MAX, and the largest length the info word holds. */
static void common_msg_length(const struct shape *s)
{
	uint64_t t = target_make(s->k);

	CHECK(t);
	CHECK_EQ(raw_invoke(t, s->label, s->ncaps, valid_caps, SEPTA_MSG_MAX + 1, NULL),
		 SEPTA_E_MSG_LENGTH);
	CHECK_EQ(raw_invoke(t, s->label, s->ncaps, valid_caps, 127, NULL),
		 SEPTA_E_MSG_LENGTH);
	CHECK_EQ(target_intact(s->k, t), SEPTA_OK);
}

#define COMMON_TESTS(OBJ, NAME, name, ...)                                               \
	void test_bad_##name##_arg_short(void)                                           \
	{                                                                                \
		common_short(&shape_##name);                                             \
	}                                                                                \
	void test_bad_##name##_extra_caps_short(void)                                    \
	{                                                                                \
		common_extra_caps(&shape_##name);                                        \
	}                                                                                \
	void test_bad_##name##_missing_cap_extra(void)                                   \
	{                                                                                \
		common_missing_cap(&shape_##name);                                       \
	}                                                                                \
	void test_bad_##name##_msg_length(void)                                          \
	{                                                                                \
		common_msg_length(&shape_##name);                                        \
	}
SEPTA_INVOCATIONS(COMMON_TESTS)
#undef COMMON_TESTS

/* Labels the type does not have: 0, one of another type, the largest. */
static void common_label(enum target_kind k, uint64_t foreign)
{
	uint64_t t = target_make(k);

	CHECK(t);
	CHECK_EQ(raw_invoke(t, 0, 0, NULL, 0, NULL), SEPTA_E_LABEL);
	CHECK_EQ(raw_invoke(t, foreign, 0, NULL, 0, NULL), SEPTA_E_LABEL);
	CHECK_EQ(raw_invoke(t, (1ULL << 52) - 1, 0, NULL, 0, NULL), SEPTA_E_LABEL);
	CHECK_EQ(target_intact(k, t), SEPTA_OK);
}

void test_bad_untyped_label(void)
{
	common_label(K_UNTYPED, SEPTA_FRAME_MAP);
}

void test_bad_cnode_label(void)
{
	common_label(K_CNODE, SEPTA_UNTYPED_RETYPE);
}

void test_bad_tcb_label(void)
{
	common_label(K_TCB, SEPTA_CNODE_COPY);
}

void test_bad_irq_control_label(void)
{
	common_label(K_IRQ_CONTROL, SEPTA_IRQ_HANDLER_ACK);
}

void test_bad_irq_handler_label(void)
{
	common_label(K_IRQ_HANDLER, SEPTA_IRQ_CONTROL_GET);
}

void test_bad_page_table_label(void)
{
	common_label(K_PAGE_TABLE, SEPTA_FRAME_UNMAP);
}

void test_bad_frame_label(void)
{
	common_label(K_FRAME, SEPTA_PAGE_TABLE_UNMAP);
}

void test_bad_vspace_label(void)
{
	common_label(K_VSPACE, SEPTA_FRAME_MAP);
}

void test_bad_vcpu_label(void)
{
	common_label(K_VCPU, SEPTA_TCB_RESUME);
}
