/*
 * SEPTA_REPLY_STORE (septa/fault.h): the kernel performs the write a
 * faulting thread attempted, on its handler's reply. Native threads (in
 * our VSpace, where we read back what was stored through our own
 * read-only view of the page) store at every size into a page made
 * read-only by VSPACE_PROTECT, including XZR and a page of a 2 MiB block
 * the protect split; each refusal has its error, stores nothing and
 * leaves the thread waiting for a reply: a ReplyRecv says so instead of
 * receiving. A guest's stores, on the fault fastpath and off it, are in
 * t_fault_fast.c; the decision's edges on the host in unit.faultstore.
 */
#include <string.h>
#include "captest.h"

extern const uint8_t guest_mmio_start[], guest_mmio_end[];

#define ST_IPA	    (UNMAPPED_IPA + 0x600000) /* the watched page */
#define ST_RO_IPA   (ST_IPA + 0x1000)	      /* a Read-only copy of its frame */
#define ST_BIG_IPA  (UNMAPPED_IPA + 0x800000) /* a 2 MiB block */
#define ST_FILL	    0xa5
#define ST_VALUE    0x1122334455667788ULL
#define ST_COUNT(a) (sizeof(a) / sizeof((a)[0]))

static uint64_t st_make_table(void *arg)
{
	(void)arg;
	return mk(SEPTA_OBJ_PAGE_TABLE, 0);
}

static const struct septa_table_source st_tables = {st_make_table, NULL, NULL};

/* A frame with every right, filled, mapped at ST_IPA read-write and then
 * made read-only by VSPACE_PROTECT; its frame, 0 on error. */
static uint64_t st_watched_page(void)
{
	uint64_t f = mk(SEPTA_OBJ_FRAME_4K, 0);

	if (!f ||
	    septa_frame_map_with_tables(f, VSPACE, ST_IPA, SEPTA_MAP_R | SEPTA_MAP_W,
					SEPTA_OWNED, &st_tables, NULL))
		return 0;
	memset((void *)ST_IPA, ST_FILL, 4096);
	if (septa_vspace_protect(VSPACE, ST_IPA, 4096, SEPTA_MAP_R, 0, NULL, NULL))
		return 0;
	return f;
}

/* The threads: each makes the accesses below and never gets past them. */
static void st_stores(uint64_t base)
{
	register uint64_t b __asm__("x9") = base;

	__asm__ volatile("movz x1, #0x7788\n\t"
			 "movk x1, #0x5566, lsl #16\n\t"
			 "movk x1, #0x3344, lsl #32\n\t"
			 "movk x1, #0x1122, lsl #48\n\t"
			 "strb w1, [x9, #0x11]\n\t"
			 "strh w1, [x9, #0x82]\n\t"
			 "str w1, [x9, #0xffc]\n\t"
			 "str x1, [x9, #0x7f8]\n\t"
			 "str xzr, [x9]\n\t"
			 "strh wzr, [x9, #0x202]\n\t"
			 "1: b 1b" ::"r"(b)
			 : "x1", "memory");
}

static void st_store_one(uint64_t at)
{
	register uint64_t a __asm__("x9") = at;

	__asm__ volatile("movz x1, #0x4321\n\t"
			 "str w1, [x9]\n\t"
			 "1: b 1b" ::"r"(a)
			 : "x1", "memory");
}

/* Undescribed: a store pair. */
static void st_store_pair(uint64_t at)
{
	register uint64_t a __asm__("x9") = at;

	__asm__ volatile("movz x1, #0x4321\n\t"
			 "stp x1, x1, [x9]\n\t"
			 "1: b 1b" ::"r"(a)
			 : "x1", "memory");
}

static void st_load_one(uint64_t at)
{
	register uint64_t a __asm__("x9") = at;

	__asm__ volatile("ldr w1, [x9]\n\t"
			 "1: b 1b" ::"r"(a)
			 : "x1", "memory");
}

/* Four bytes from 2 before the page's end: into the next page. */
static void st_store_crossing(uint64_t page_end)
{
	register uint64_t a __asm__("x9") = page_end;

	__asm__ volatile("movz x1, #0x4321\n\t"
			 "stur w1, [x9, #-2]\n\t"
			 "1: b 1b" ::"r"(a)
			 : "x1", "memory");
}

static void st_undefined(uint64_t unused)
{
	(void)unused;
	__asm__ volatile("udf #0\n\t"
			 "1: b 1b" ::
			     : "memory");
}

/* fn(arg) in a thread below us faulting to a fresh endpoint; its first
 * fault in m. */
static uint64_t st_thread(void (*fn)(uint64_t), uint64_t arg, uint64_t *ep,
			  struct septa_msg *m)
{
	uint64_t tcb;

	*ep = mk(SEPTA_OBJ_ENDPOINT, 0);
	if (!*ep)
		return 0;
	tcb = spawn(fn, arg, LOW_PRIO, *ep);
	if (!tcb || septa_tcb_resume(tcb) || septa_recv(*ep, m))
		return 0;
	return tcb;
}

/* A STORE reply to the fault in m refused with err: the thread still
 * waits for its reply (a ReplyRecv returns at once, having received
 * nothing), which then stops it; nothing changed in the page at view. */
static void st_refused(uint64_t tcb, struct septa_msg *m, long err, uintptr_t view)
{
	uint8_t want[4096];
	uint64_t ep = 0;

	memset(want, ST_FILL, sizeof(want));
	m->info = septa_msginfo(SEPTA_REPLY_STORE, 0, 0);
	CHECK_EQ(septa_reply_recv(ep, m), err);
	m->info = septa_msginfo(SEPTA_REPLY_STORE, 0, 0);
	CHECK_EQ(septa_reply(m), err);
	if (view)
		CHECK(memcmp((const void *)view, want, sizeof(want)) == 0);
	m->info = septa_msginfo(1, 0, 0);
	CHECK_EQ(septa_reply(m), 0);
	CHECK_EQ(septa_reply(m), SEPTA_E_NO_REPLY);
	CHECK_EQ(septa_cnode_delete(CNODE, tcb, DEPTH), 0);
}

/*
 * Stores of 1, 2, 4 and 8 bytes at offsets from the page's start to its
 * last word, and of XZR: each fault's words are the store's, the reply
 * stores exactly those bytes (the page read back whole after each), and
 * the thread's next fault is at the next instruction.
 */
void test_store_reply_sizes_offsets_xzr(void)
{
	static const struct {
		unsigned off, log2, reg;
		uint64_t value;
	} st[] = {
	    {0x11, 0, 1, ST_VALUE & 0xff},
	    {0x82, 1, 1, ST_VALUE & 0xffff},
	    {0xffc, 2, 1, ST_VALUE & 0xffffffff},
	    {0x7f8, 3, 1, ST_VALUE},
	    {0, 3, 31, 0},
	    {0x202, 1, 31, 0},
	};
	uint64_t f = st_watched_page(), ep, tcb, pc = 0;
	uint8_t want[4096];
	struct septa_msg m = {0};

	CHECK(f);
	memset(want, ST_FILL, sizeof(want));
	tcb = st_thread(st_stores, ST_IPA, &ep, &m);
	CHECK(tcb);
	for (unsigned i = 0; i < ST_COUNT(st); i++) {
		uint64_t a = m.mr[SEPTA_ABORT_ACCESS];

		CHECK_EQ(SEPTA_MSG_LABEL(m.info), SEPTA_FAULT_ABORT);
		CHECK_EQ(m.mr[SEPTA_ABORT_IPA], ST_IPA + st[i].off);
		CHECK_EQ(SEPTA_ACCESS_KIND(a), SEPTA_ACCESS_WRITE);
		CHECK(a & SEPTA_ACCESS_VALID);
		CHECK_EQ(SEPTA_ACCESS_SIZE(a), 1u << st[i].log2);
		CHECK_EQ(SEPTA_ACCESS_REG(a), st[i].reg);
		CHECK_EQ(SEPTA_ACCESS_CAUSE(a), SEPTA_CAUSE_PERMISSION);
		CHECK_EQ(m.mr[SEPTA_ABORT_VALUE], st[i].value);
		if (i)
			CHECK_EQ(m.mr[SEPTA_ABORT_PC], pc + 4);
		pc = m.mr[SEPTA_ABORT_PC];
		CHECK(memcmp((const void *)ST_IPA, want, sizeof(want)) == 0);
		memcpy(want + st[i].off, &st[i].value, 1u << st[i].log2);
		m.info = septa_msginfo(SEPTA_REPLY_STORE, 0, 0);
		if (i + 1 < ST_COUNT(st))
			CHECK_EQ(septa_reply_recv(ep, &m), 0);
		else
			CHECK_EQ(septa_reply(&m), 0);
	}
	/* The last store done, the thread spins after it. */
	CHECK(memcmp((const void *)ST_IPA, want, sizeof(want)) == 0);
	CHECK_EQ(septa_cnode_delete(CNODE, tcb, DEPTH), 0);
	CHECK_EQ(septa_cnode_delete(CNODE, f, DEPTH), 0);
}

/* A page of a 2 MiB block that VSPACE_PROTECT split to make it read-only
 * keeps its frame's Write on record: the store goes through. */
void test_store_reply_split_block(void)
{
	uint64_t big = mk(SEPTA_OBJ_FRAME_2M, 0), pt = mk(SEPTA_OBJ_PAGE_TABLE, 0);
	const uint64_t page = ST_BIG_IPA + 0x5000;
	uint64_t ep, tcb, q[4];
	struct septa_msg m = {0};

	CHECK(big && pt);
	CHECK_EQ(septa_frame_map_with_tables(big, VSPACE, ST_BIG_IPA,
					     SEPTA_MAP_R | SEPTA_MAP_W, SEPTA_OWNED,
					     &st_tables, NULL),
		 0);
	CHECK_EQ(septa_vspace_query(VSPACE, page, q), 0);
	CHECK_EQ(q[1], 2); /* a block */
	memset((void *)page, ST_FILL, 4096);
	CHECK_EQ(septa_vspace_protect(VSPACE, page, 4096, SEPTA_MAP_R, 1, &pt, NULL), 0);
	CHECK_EQ(septa_vspace_query(VSPACE, page, q), 0);
	CHECK_EQ(q[1], 3);
	CHECK_EQ(q[2], SEPTA_MAP_R);
	tcb = st_thread(st_store_one, page + 0x10, &ep, &m);
	CHECK(tcb);
	CHECK_EQ(m.mr[SEPTA_ABORT_IPA], page + 0x10);
	m.info = septa_msginfo(SEPTA_REPLY_STORE, 0, 0);
	CHECK_EQ(septa_reply(&m), 0);
	CHECK_EQ(*(volatile uint32_t *)(page + 0x10), 0x4321);
	CHECK_EQ(*(volatile uint32_t *)(page + 0x14), 0xa5a5a5a5);
	CHECK_EQ(septa_cnode_delete(CNODE, tcb, DEPTH), 0);
	CHECK_EQ(septa_cnode_delete(CNODE, big, DEPTH), 0);
}

/* A copy of frame f with Read only, in slot ro, mapped at ST_RO_IPA. */
static void st_read_only_copy(uint64_t f, uint64_t ro)
{
	CHECK_EQ(septa_cnode_copy(CNODE, ro, DEPTH, CNODE, f, DEPTH, SEPTA_RIGHT_READ),
		 0);
	CHECK_EQ(septa_frame_map(ro, VSPACE, ST_RO_IPA, SEPTA_MAP_R, SEPTA_OWNED, 0, NULL,
				 NULL),
		 0);
}

/* A store pair is not described: nothing the kernel could store. */
void test_bad_sys_reply_arg_store_undescribed(void)
{
	uint64_t f = st_watched_page(), ep, tcb;
	struct septa_msg m = {0};

	CHECK(f);
	tcb = st_thread(st_store_pair, ST_IPA + 0x100, &ep, &m);
	CHECK(tcb);
	CHECK_EQ(m.mr[SEPTA_ABORT_ACCESS] & SEPTA_ACCESS_VALID, 0);
	st_refused(tcb, &m, SEPTA_E_ARG, ST_IPA);
}

/* The page mapped from a copy of the frame with Read only: the thread
 * could never have written it, whatever its handler says. */
void test_bad_sys_reply_rights_store_read_only_frame(void)
{
	uint64_t f = st_watched_page(), ro = slot(), ep, tcb;
	struct septa_msg m = {0};

	CHECK(f);
	st_read_only_copy(f, ro);
	tcb = st_thread(st_store_one, ST_RO_IPA + 8, &ep, &m);
	CHECK(tcb);
	CHECK_EQ(m.mr[SEPTA_ABORT_IPA], ST_RO_IPA + 8);
	CHECK(m.mr[SEPTA_ABORT_ACCESS] & SEPTA_ACCESS_VALID);
	st_refused(tcb, &m, SEPTA_E_RIGHTS, ST_IPA);
}

/* A described read replied STORE (the page with no rights left; what it
 * holds seen through a Read-only copy). */
void test_bad_sys_reply_not_write_store_read(void)
{
	uint64_t f = st_watched_page(), ro = slot(), ep, tcb;
	struct septa_msg m = {0};

	CHECK(f);
	st_read_only_copy(f, ro);
	CHECK_EQ(septa_vspace_protect(VSPACE, ST_IPA, 4096, 0, 0, NULL, NULL), 0);
	tcb = st_thread(st_load_one, ST_IPA + 0x40, &ep, &m);
	CHECK(tcb);
	CHECK_EQ(SEPTA_ACCESS_KIND(m.mr[SEPTA_ABORT_ACCESS]), SEPTA_ACCESS_READ);
	CHECK(m.mr[SEPTA_ABORT_ACCESS] & SEPTA_ACCESS_VALID);
	st_refused(tcb, &m, SEPTA_E_NOT_WRITE, ST_RO_IPA);
}

/* Nothing mapped at the IPA. */
void test_bad_sys_reply_not_mapped_store_unmapped(void)
{
	uint64_t ep, tcb;
	struct septa_msg m = {0};

	tcb = st_thread(st_store_one, UNMAPPED_IPA + 0x20, &ep, &m);
	CHECK(tcb);
	CHECK_EQ(SEPTA_ACCESS_CAUSE(m.mr[SEPTA_ABORT_ACCESS]), SEPTA_CAUSE_TRANSLATION);
	CHECK(m.mr[SEPTA_ABORT_ACCESS] & SEPTA_ACCESS_VALID);
	st_refused(tcb, &m, SEPTA_E_NOT_MAPPED, 0);
}

/* A device frame (with Write) mapped read-only: a device register's write
 * is its VMM's to emulate, and the kernel's map has no device in it. */
void test_bad_sys_reply_not_ram_store_device(void)
{
	uint64_t f = slot(), ep, tcb;
	unsigned dev = bi->untyped_count;
	struct septa_msg m = {0};

	for (unsigned i = 0; i < bi->untyped_count; i++)
		if (bi->untyped[i].is_device)
			dev = i;
	CHECK(dev < bi->untyped_count);
	CHECK_EQ(septa_untyped_retype(bi->untyped_slot + dev, SEPTA_OBJ_FRAME_4K, 0,
				      CNODE, 0, 0, f, 1),
		 0);
	CHECK_EQ(septa_frame_map_with_tables(f, VSPACE, ST_IPA, SEPTA_MAP_R, SEPTA_OWNED,
					     &st_tables, NULL),
		 0);
	tcb = st_thread(st_store_one, ST_IPA + 4, &ep, &m);
	CHECK(tcb);
	CHECK_EQ(SEPTA_ACCESS_CAUSE(m.mr[SEPTA_ABORT_ACCESS]), SEPTA_CAUSE_PERMISSION);
	CHECK(m.mr[SEPTA_ABORT_ACCESS] & SEPTA_ACCESS_VALID);
	st_refused(tcb, &m, SEPTA_E_NOT_RAM, 0);
	CHECK_EQ(septa_cnode_delete(CNODE, f, DEPTH), 0);
}

/* An unaligned store from 2 bytes before the page's end: it reaches into
 * the next page, whose leaf nobody checked (here: the same frame's
 * Read-only copy, so a store there would also lack the right). */
void test_bad_sys_reply_align_store_crossing(void)
{
	uint64_t f = st_watched_page(), ro = slot(), ep, tcb;
	struct septa_msg m = {0};

	CHECK(f);
	st_read_only_copy(f, ro);
	tcb = st_thread(st_store_crossing, ST_IPA + 0x1000, &ep, &m);
	CHECK(tcb);
	CHECK_EQ(m.mr[SEPTA_ABORT_IPA], ST_IPA + 0xffe);
	CHECK(m.mr[SEPTA_ABORT_ACCESS] & SEPTA_ACCESS_VALID);
	CHECK_EQ(SEPTA_ACCESS_SIZE(m.mr[SEPTA_ABORT_ACCESS]), 4);
	st_refused(tcb, &m, SEPTA_E_ALIGN, ST_IPA);
}

/* Not an abort: an undefined instruction of a native thread, and a
 * guest's hypercall; the guest's unmapped device write and read get their
 * errors too, and it then goes on as if nothing had been asked. */
void test_bad_sys_reply_label_store_not_abort(void)
{
	uint64_t ep, tcb, vcpu = 0, gep = mk(SEPTA_OBJ_ENDPOINT, 0);
	struct septa_msg m = {0};

	tcb = st_thread(st_undefined, 0, &ep, &m);
	CHECK(tcb);
	CHECK_EQ(SEPTA_MSG_LABEL(m.info), SEPTA_FAULT_EXCEPTION);
	st_refused(tcb, &m, SEPTA_E_LABEL, 0);
	CHECK(gep);
	tcb = make_guest_running(guest_mmio_start, guest_mmio_end, gep, &vcpu);
	CHECK(tcb);
	drop_guest_view();
	CHECK_EQ(septa_tcb_resume(tcb), 0);
	/* strb w1, [x9]: nothing mapped there */
	CHECK_EQ(septa_recv(gep, &m), 0);
	CHECK_EQ(SEPTA_MSG_LABEL(m.info), SEPTA_FAULT_ABORT);
	m.info = septa_msginfo(SEPTA_REPLY_STORE, 0, 0);
	CHECK_EQ(septa_reply_recv(gep, &m), SEPTA_E_NOT_MAPPED);
	m.info = septa_msginfo(0, 0, 0);
	/* ldr w2, [x9, #0x18] */
	CHECK_EQ(septa_reply_recv(gep, &m), 0);
	CHECK_EQ(SEPTA_ACCESS_KIND(m.mr[SEPTA_ABORT_ACCESS]), SEPTA_ACCESS_READ);
	m.info = septa_msginfo(SEPTA_REPLY_STORE, 0, 0);
	CHECK_EQ(septa_reply_recv(gep, &m), SEPTA_E_NOT_WRITE);
	m.info = septa_msginfo(0, 0, 1);
	m.mr[SEPTA_REPLY_VALUE] = 0x90;
	/* hvc: x0 = 0x1000, x1 = what it read */
	CHECK_EQ(septa_reply_recv(gep, &m), 0);
	CHECK_EQ(SEPTA_MSG_LABEL(m.info), SEPTA_FAULT_HVC);
	m.info = septa_msginfo(SEPTA_REPLY_STORE, 0, 0);
	CHECK_EQ(septa_reply_recv(gep, &m), SEPTA_E_LABEL);
	CHECK_EQ(septa_reply(&m), SEPTA_E_LABEL);
	m.info = septa_msginfo(0, 0, 1);
	m.mr[0] = 41;
	CHECK_EQ(septa_reply_recv(gep, &m), 0);
	CHECK_EQ(SEPTA_MSG_LABEL(m.info), SEPTA_FAULT_HVC);
	CHECK_EQ(m.mr[0], 42);
	m.info = septa_msginfo(1, 0, 0);
	CHECK_EQ(septa_reply(&m), 0);
	CHECK_EQ(septa_cnode_delete(CNODE, tcb, DEPTH), 0);
}
