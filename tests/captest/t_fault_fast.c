/*
 * The fault fastpath (kernel/core/fastpath_fault.c): a guest's exit
 * delivered straight to its VMM waiting, and the VMM's ReplyRecv resuming
 * it. The test is the VMM of t_fault_fast_guest.S, which takes every exit
 * kind the fastpath serves in rounds that are all alike. Each test runs
 * a case twice, on the fastpath and with it turned off
 * (SEPTA_SYS_TEST_FASTPATH), and compares what the VMM received, word by
 * word with the IPC buffer's, and what the guest showed of the replies;
 * the fastpath's counters say which path served what, so a fastpath that
 * is never taken fails, and so does one taken where the full path must
 * serve. Under septa.nofastpath (qemu.captest-slowpath) both runs are the
 * full path's.
 */
#include <stdbool.h>
#include <string.h>
#include "captest.h"

extern const uint8_t guest_ff_start[], guest_ff_end[];
extern const uint8_t guest_ffwait_start[], guest_ffwait_end[];

#define FF_EXITS 14 /* a round of t_fault_fast_guest.S */
#define FF_BUF	 4  /* the buffer words looked at: msg[4..9] */

struct ff_stats {
	uint64_t faults, replies, slices;
	bool on;
};

/* The fastpath's counters; set first: -1 leaves it, 0 on, 1 off. */
static struct ff_stats ff_stats(int set)
{
	struct septa_msg m = {.info = set > 0};
	long err = septa_ipc(SEPTA_SYS_TEST_FASTPATH, set >= 0, &m);

	if (err)
		harness_fail(__FILE__, __LINE__, "SEPTA_SYS_TEST_FASTPATH", err, 0);
	return (struct ff_stats){m.mr[2], m.mr[3], m.badge, m.mr[1] != 0};
}

/* Everything a VMM sees of one exit. */
struct ff_exit {
	long err;
	uint64_t info, badge, mr[SEPTA_MSG_REGS + FF_BUF + 2];
	uint64_t fast_fault, fast_reply; /* what the fastpath served of it */
};

struct ff_round {
	struct ff_exit e[FF_EXITS];
};

/* The reply to exit k of a round (t_fault_fast_guest.S says what each
 * is), or with `odd` the unusual ones the fastpath leaves to the full
 * path: an injection with the HVC's answer and with a store's
 * (SEPTA_REPLY_STORE | SEPTA_REPLY_INJECT), and an SMC's answer of five
 * words (the fifth in the buffer: the x4 the guest has). */
static void ff_reply(unsigned k, struct septa_msg *m, bool odd)
{
	static const struct {
		uint64_t label, len, mr[4];
	} r[FF_EXITS] = {
	    {0, 4, {0xa0, 0xa1, 0xa2, 0xa3}},
	    {0, 0, {0}},
	    {0, 1, {0x187654321ULL}},
	    {0, 1, {0x80}},
	    {SEPTA_REPLY_RETRY, 0, {0}},
	    {0, 1, {0x5555}},
	    {0, 2, {0xb0, 0xb1, 0xa2, 0xa3}},
	    {0, 1, {0x77}},
	    {0, 0, {0}},
	    {SEPTA_REPLY_STORE, 0, {0}},
	    {0, 0, {0}},
	    {SEPTA_REPLY_STORE, 0, {0}},
	    {0, 0, {0}},
	    {0, 0, {0}},
	};

	m->info = septa_msginfo(
	    r[k].label | (odd && (k == 0 || k == 9) ? SEPTA_REPLY_INJECT(40) : 0), 0,
	    odd && k == 6 ? 5 : r[k].len);
	for (unsigned i = 0; i < 4; i++)
		m->mr[i] = r[k].mr[i];
	septa_ipc_buffer()->msg[4] = 0x14;
}

/* ReplyRecv with m's reply; what arrived goes to e, with the buffer's
 * words filled with a pattern first (the full path writes only what the
 * message has), and what the fastpath served of it. */
static void ff_reply_recv(uint64_t ep, struct septa_msg *m, struct ff_exit *e)
{
	volatile uint64_t *buf = septa_ipc_buffer()->msg;
	struct ff_stats a, b;

	/* From msg[5]: msg[4] may be the reply's fifth word, and every exit
	 * writes it. */
	for (unsigned i = SEPTA_MSG_REGS + 1; i < SEPTA_MSG_REGS + FF_BUF + 2; i++)
		buf[i] = 0xf00d0000 + i;
	a = ff_stats(-1);
	e->err = septa_reply_recv(ep, m);
	b = ff_stats(-1);
	e->info = m->info;
	e->badge = m->badge;
	for (unsigned i = 0; i < SEPTA_MSG_REGS + FF_BUF + 2; i++)
		e->mr[i] = septa_mr(m, i);
	e->fast_fault = b.faults - a.faults;
	e->fast_reply = b.replies - a.replies;
}

/* The guest of t_fault_fast_guest.S at prio, faulting to ep with badge
 * 0xfa57 + prio, not started; 0 if that failed. */
static uint64_t ff_make(uint64_t ep, unsigned prio)
{
	uint64_t vcpu = 0, badged = slot(), tcb;

	if (septa_cnode_mint(CNODE, badged, DEPTH, CNODE, ep, DEPTH, SEPTA_RIGHTS_ALL,
			     0xfa57 + prio))
		return 0;
	tcb = make_guest_running(guest_ff_start, guest_ff_end, badged, &vcpu);
	if (!tcb)
		return 0;
	drop_guest_view();
	return septa_tcb_set_priority(tcb, prio) ? 0 : tcb;
}

/* The same, run up to its first exit, which is in m. */
static uint64_t ff_guest(uint64_t ep, unsigned prio, struct septa_msg *m)
{
	uint64_t tcb = ff_make(ep, prio);

	if (!tcb || septa_tcb_resume(tcb) || septa_recv(ep, m) ||
	    SEPTA_MSG_LABEL(m->info) != SEPTA_FAULT_HVC)
		return 0;
	return tcb;
}

/* One round: m holds exit 0 (the guest's first, or the last round's
 * end); the round replies to it and ends with the next exit 0. */
static void ff_round(uint64_t ep, struct septa_msg *m, bool odd, struct ff_round *out)
{
	for (unsigned i = 0; i < FF_EXITS; i++) {
		unsigned k = (1 + i) % FF_EXITS;

		ff_reply((k + FF_EXITS - 1) % FF_EXITS, m, odd);
		ff_reply_recv(ep, m, &out->e[k]);
	}
}

/* What the guest's exits must say, whichever path; its badge. */
static void ff_check(const struct ff_round *r, uint64_t badge)
{
	static const uint64_t report[8] = {
	    0xb0, 0xb1, 0xa2, 0xa3, 0x14, 0x87654321, 0xffffffffffffff80ULL, 0x77};

	for (unsigned k = 0; k < FF_EXITS; k++) {
		CHECK_EQ(r->e[k].err, 0);
		CHECK_EQ(r->e[k].badge, badge);
	}
	CHECK_EQ(r->e[0].info, septa_msginfo(SEPTA_FAULT_HVC, 0, SEPTA_HVC_LEN));
	for (unsigned i = 0; i < 8; i++)
		CHECK_EQ(r->e[0].mr[i], 0x10 + i);
	CHECK_EQ(r->e[0].mr[8], 0xf00d0008); /* past the message: untouched */
	CHECK_EQ(r->e[1].info, septa_msginfo(SEPTA_FAULT_ABORT, 0, SEPTA_ABORT_LEN));
	CHECK_EQ(r->e[1].mr[SEPTA_ABORT_IPA], 0x09000000);
	CHECK_EQ(r->e[1].mr[SEPTA_ABORT_VALUE], 0xa1);
	CHECK_EQ(r->e[1].mr[6], 0xf00d0006);
	CHECK_EQ(r->e[4].mr[SEPTA_ABORT_PC], r->e[5].mr[SEPTA_ABORT_PC]); /* retried */
	CHECK_EQ(r->e[6].info, septa_msginfo(SEPTA_FAULT_SMC, 0, SEPTA_HVC_LEN));
	CHECK_EQ(r->e[6].mr[5], 0x87654321);
	CHECK_EQ(r->e[6].mr[6], 0xffffffffffffff80ULL);
	CHECK_EQ(r->e[7].info, septa_msginfo(SEPTA_FAULT_SYSREG, 0, SEPTA_SYSREG_LEN));
	CHECK_EQ(r->e[8].mr[SEPTA_ABORT_VALUE], 0x5555);
	/* The stores into its own page, performed by the kernel: each read
	 * back by the guest (a store not done, or done elsewhere, shows). */
	CHECK_EQ(r->e[9].mr[SEPTA_ABORT_IPA], GUEST_RAM + 0xff0);
	CHECK_EQ(r->e[9].mr[SEPTA_ABORT_ACCESS] & ~(3ULL << SEPTA_ACCESS_CAUSE_SHIFT),
		 SEPTA_ACCESS_WRITE | SEPTA_ACCESS_VALID | SEPTA_ACCESS_WIDE |
		     3u << SEPTA_ACCESS_SIZE_SHIFT | 1u << SEPTA_ACCESS_REG_SHIFT);
	CHECK_EQ(SEPTA_ACCESS_CAUSE(r->e[9].mr[SEPTA_ABORT_ACCESS]),
		 SEPTA_CAUSE_PERMISSION);
	CHECK_EQ(r->e[9].mr[SEPTA_ABORT_VALUE], 0xb1);
	CHECK_EQ(r->e[10].mr[SEPTA_ABORT_IPA], 0x09000028);
	CHECK_EQ(r->e[10].mr[SEPTA_ABORT_VALUE], 0xb1);
	CHECK_EQ(r->e[10].mr[SEPTA_ABORT_PC], r->e[9].mr[SEPTA_ABORT_PC] + 8);
	CHECK_EQ(SEPTA_ACCESS_REG(r->e[11].mr[SEPTA_ABORT_ACCESS]), 31);
	CHECK_EQ(r->e[11].mr[SEPTA_ABORT_VALUE], 0);
	CHECK_EQ(r->e[12].mr[SEPTA_ABORT_VALUE], 0);
	for (unsigned i = 0; i < 8; i++)
		CHECK_EQ(r->e[13].mr[i], report[i]);
}

/* Two rounds as they differ only in the fastpath's counters. */
static void ff_same(const struct ff_round *a, const struct ff_round *b)
{
	static struct ff_round x, y;

	x = *a;
	y = *b;
	for (unsigned k = 0; k < FF_EXITS; k++) {
		x.e[k].fast_fault = x.e[k].fast_reply = 0;
		y.e[k].fast_fault = y.e[k].fast_reply = 0;
	}
	CHECK(memcmp(&x, &y, sizeof(x)) == 0);
}

/* What the fastpath served of a round's exits and of its replies. */
static void ff_served(const struct ff_round *r, uint64_t *faults, uint64_t *replies)
{
	*faults = *replies = 0;
	for (unsigned k = 0; k < FF_EXITS; k++) {
		*faults += r->e[k].fast_fault;
		*replies += r->e[k].fast_reply;
	}
}

#define FF_ON_ROUNDS 4
static struct ff_round ff_rounds[FF_ON_ROUNDS + 1];

/*
 * Every exit kind and reply the fastpath serves: HVC, a described write,
 * reads of 4 bytes and of a signed byte, a retry, SMC, a system register,
 * stores the kernel performs (SEPTA_REPLY_STORE, of a register and XZR),
 * each with the VMM waiting above the guest's priority. Rounds on the
 * fastpath (where each exit and each reply must have been served by it at
 * least once: a timer interrupt may send one to the full path now and
 * then) and one off it give the same words.
 */
void test_fault_fast_kinds(void)
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0), tcb, f, r;
	struct ff_round *off = &ff_rounds[FF_ON_ROUNDS];
	struct septa_msg m = {0};
	bool on = ff_stats(-1).on;

	CHECK(ep);
	tcb = ff_guest(ep, LOW_PRIO, &m);
	CHECK(tcb);
	for (unsigned i = 0; i < FF_ON_ROUNDS; i++)
		ff_round(ep, &m, false, &ff_rounds[i]);
	ff_stats(1);
	ff_round(ep, &m, false, off);
	ff_stats(0);
	ff_check(off, 0xfa57 + LOW_PRIO);
	ff_served(off, &f, &r);
	CHECK_EQ(f + r, 0);
	for (unsigned k = 0; k < FF_EXITS; k++) {
		uint64_t fk = 0, rk = 0;

		for (unsigned i = 0; i < FF_ON_ROUNDS; i++) {
			fk += ff_rounds[i].e[k].fast_fault;
			rk += ff_rounds[i].e[k].fast_reply;
		}
		CHECK_EQ(fk > 0, on);
		CHECK_EQ(rk > 0, on);
		CHECK(fk <= FF_ON_ROUNDS && rk <= FF_ON_ROUNDS);
	}
	for (unsigned i = 0; i < FF_ON_ROUNDS; i++) {
		ff_check(&ff_rounds[i], 0xfa57 + LOW_PRIO);
		ff_same(&ff_rounds[i], off);
	}
	m.info = septa_msginfo(1, 0, 0);
	CHECK_EQ(septa_reply(&m), 0);
	CHECK_EQ(septa_cnode_delete(CNODE, tcb, DEPTH), 0);
}

/* The rounds of the fallback tests: on the fastpath as booted, then off. */
static struct ff_round ff_on, ff_off;

/* A round as booted and one off, the same words: r the one as booted. */
static void ff_both(uint64_t ep, struct septa_msg *m, bool odd, uint64_t badge)
{
	ff_round(ep, m, odd, &ff_on);
	ff_stats(1);
	ff_round(ep, m, odd, &ff_off);
	ff_stats(0);
	ff_check(&ff_on, badge);
	ff_check(&ff_off, badge);
	ff_same(&ff_on, &ff_off);
}

/* The guest in m's exit stopped, and deleted. */
static void ff_end(uint64_t tcb, struct septa_msg *m)
{
	m->info = septa_msginfo(1, 0, 0);
	CHECK_EQ(septa_reply(m), 0);
	CHECK_EQ(septa_cnode_delete(CNODE, tcb, DEPTH), 0);
}

/*
 * A guest above its VMM: its first exit comes while the VMM is not
 * waiting (it is resuming the guest), so it is queued and received by the
 * full path, the same words as a delivery on the fastpath; the rest (the
 * VMM waiting below the guest) go on the fastpath.
 */
void test_fault_fast_not_waiting(void)
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0), tcb, f, r;
	struct ff_stats a, b;
	struct septa_msg m = {0};
	struct ff_exit first = {0};

	CHECK(ep);
	a = ff_stats(-1);
	tcb = ff_guest(ep, HIGH_PRIO, &m);
	b = ff_stats(-1);
	CHECK(tcb);
	CHECK_EQ(b.faults, a.faults);
	first.info = m.info;
	first.badge = m.badge;
	for (unsigned i = 0; i < SEPTA_MSG_REGS + FF_BUF + 2; i++)
		first.mr[i] = septa_mr(&m, i);
	ff_both(ep, &m, false, 0xfa57 + HIGH_PRIO);
	first.err = ff_on.e[0].err;
	first.mr[8] = ff_on.e[0].mr[8]; /* the pattern, past the message */
	first.mr[9] = ff_on.e[0].mr[9];
	first.fast_fault = ff_on.e[0].fast_fault;
	first.fast_reply = ff_on.e[0].fast_reply;
	CHECK(memcmp(&first, &ff_on.e[0], sizeof(first)) == 0);
	ff_served(&ff_on, &f, &r);
	CHECK_EQ(f > 0 && r > 0, b.on);
	ff_end(tcb, &m);
}

/*
 * While a guest waits in WFI, every switch arms the EL2 timer for its
 * deadline, which the fastpath does not: each exit and reply takes the
 * full path. Once it is gone, the fastpath serves again.
 */
void test_fault_fast_guest_waiting(void)
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0), wep = mk(SEPTA_OBJ_ENDPOINT, 0);
	uint64_t vcpu = 0, waiter, tcb, f, r;
	struct septa_msg m = {0};
	bool on = ff_stats(-1).on;

	CHECK(ep && wep);
	tcb = ff_guest(ep, LOW_PRIO, &m);
	CHECK(tcb);
	waiter = make_guest_running(guest_ffwait_start, guest_ffwait_end, wep, &vcpu);
	CHECK(waiter);
	drop_guest_view();
	/* Above us: it runs at once, to its WFI. */
	CHECK_EQ(septa_tcb_set_priority(waiter, HIGH_PRIO), 0);
	CHECK_EQ(septa_tcb_resume(waiter), 0);
	ff_both(ep, &m, false, 0xfa57 + LOW_PRIO);
	ff_served(&ff_on, &f, &r);
	CHECK_EQ(f + r, 0);
	CHECK_EQ(septa_cnode_delete(CNODE, waiter, DEPTH), 0);
	ff_round(ep, &m, false, &ff_on);
	ff_served(&ff_on, &f, &r);
	CHECK_EQ(f > 0 && r > 0, on);
	ff_end(tcb, &m);
}

/*
 * Replies the fastpath leaves to the full path: two that inject an
 * interrupt (one with a store the kernel performs, which it does: the
 * guest reads it back), and one longer than the registers. The rest of the round
 * goes on the fastpath.
 */
void test_fault_fast_odd_replies(void)
{
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0), tcb, f, r;
	struct septa_msg m = {0};
	bool on = ff_stats(-1).on;

	CHECK(ep);
	tcb = ff_guest(ep, LOW_PRIO, &m);
	CHECK(tcb);
	ff_both(ep, &m, true, 0xfa57 + LOW_PRIO);
	CHECK_EQ(ff_on.e[1].fast_reply, 0);  /* the injection, to exit 0 */
	CHECK_EQ(ff_on.e[10].fast_reply, 0); /* a store's, to exit 9 */
	CHECK_EQ(ff_on.e[7].fast_reply, 0);  /* five words, to exit 6 */
	ff_served(&ff_on, &f, &r);
	CHECK_EQ(f > 0 && r > 0, on);
	ff_end(tcb, &m);
}

/*
 * A reply while another guest's exit is queued on the endpoint: the full
 * path's ReplyRecv receives that exit at once, and so it must here (the
 * second guest, above us, exits while we resume it).
 */
void test_fault_fast_sender_queued(void)
{
	struct ff_exit got[2];

	for (unsigned run = 0; run < 2; run++) {
		uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0), tcb, tcb2;
		struct septa_msg m = {0};

		CHECK(ep);
		ff_stats(run);
		tcb = ff_guest(ep, LOW_PRIO, &m);
		CHECK(tcb);
		tcb2 = ff_make(ep, HIGH_PRIO);
		CHECK(tcb2);
		CHECK_EQ(septa_tcb_resume(tcb2), 0); /* its exit 0 queued */
		ff_reply(0, &m, false);
		ff_reply_recv(ep, &m, &got[run]);
		CHECK_EQ(got[run].fast_reply, 0);
		CHECK_EQ(got[run].badge, 0xfa57 + HIGH_PRIO);
		CHECK_EQ(got[run].info, septa_msginfo(SEPTA_FAULT_HVC, 0, SEPTA_HVC_LEN));
		got[run].fast_fault = 0;
		ff_stats(0);
		CHECK_EQ(septa_cnode_delete(CNODE, tcb2, DEPTH), 0);
		CHECK_EQ(septa_cnode_delete(CNODE, tcb, DEPTH), 0);
	}
	CHECK(memcmp(&got[0], &got[1], sizeof(got[0])) == 0);
}

static volatile uint64_t ff_marks, ff_started;

/* Counts each time it is woken. */
static void ff_mark(uint64_t ep)
{
	struct septa_msg m = {0};

	ff_started = 1;
	for (;;) {
		septa_recv(ep, &m);
		ff_marks++;
	}
}

/* The fault each exit of a round is (t_fault_fast_guest.S). */
static const uint8_t ff_label[FF_EXITS] = {
    SEPTA_FAULT_HVC,   SEPTA_FAULT_ABORT, SEPTA_FAULT_ABORT, SEPTA_FAULT_ABORT,
    SEPTA_FAULT_ABORT, SEPTA_FAULT_ABORT, SEPTA_FAULT_SMC,   SEPTA_FAULT_SYSREG,
    SEPTA_FAULT_ABORT, SEPTA_FAULT_ABORT, SEPTA_FAULT_ABORT, SEPTA_FAULT_ABORT,
    SEPTA_FAULT_ABORT, SEPTA_FAULT_HVC,
};

/*
 * Where the full path's scheduler runs another thread first, so must the
 * fastpath: a guest's exit while a thread of its VMM's priority is ready
 * (the VMM goes behind it), and a reply while the VMM has made a thread
 * above the guest ready (it runs before the guest). Each on both paths.
 * The first is an order within one priority, which the end of a time
 * slice changes (the marker, switched to, may be sent behind us before it
 * counts): a try in which a slice ended is tried again.
 */
void test_fault_fast_keeps_order(void)
{
	for (unsigned run = 0; run < 2; run++) {
		uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0), wake = mk(SEPTA_OBJ_ENDPOINT, 0);
		uint64_t tcb, mark, mark2, slices = 1;
		struct septa_msg m = {0}, w = {.info = septa_msginfo(0, 0, 0)};
		struct ff_exit got;
		unsigned k = 0, tries = 0;
		long err = 0;

		CHECK(ep && wake);
		ff_stats(run);
		/* The guest above us; a thread of our priority, ready behind
		 * us once it waits on wake (a send finds it there). */
		tcb = ff_guest(ep, HIGH_PRIO, &m);
		CHECK(tcb);
		mark = spawn(ff_mark, wake, ROOT_PRIO, 0);
		CHECK(mark);
		for (; slices && tries < 8; tries++) {
			slices = ff_stats(-1).slices;
			for (unsigned i = 0;
			     i < 10000 &&
			     (err = septa_nbsend(wake, &w)) == SEPTA_E_WOULD_BLOCK;
			     i++)
				septa_yield();
			CHECK_EQ(err, 0);
			ff_marks = 0;
			ff_reply(k, &m, false);
			ff_reply_recv(ep, &m, &got);
			k = (k + 1) % FF_EXITS;
			slices = ff_stats(-1).slices - slices;
			CHECK_EQ(SEPTA_MSG_LABEL(got.info), ff_label[k]);
			CHECK_EQ(got.badge, 0xfa57 + HIGH_PRIO);
			if (slices)
				continue;
			CHECK_EQ(got.fast_fault, 0);
			CHECK_EQ(ff_marks, 1); /* it ran before the exit came to us */
		}
		CHECK_EQ(slices, 0);
		CHECK_EQ(septa_cnode_delete(CNODE, mark, DEPTH), 0);
		/* A thread between the guest, now below us, and us, woken. */
		CHECK_EQ(septa_tcb_set_priority(tcb, LOW_PRIO), 0);
		ff_started = 0;
		mark2 = spawn(ff_mark, wake, (LOW_PRIO + ROOT_PRIO) / 2, 0);
		CHECK(mark2);
		join_lower(&ff_started); /* it waits on wake: we run below it */
		CHECK_EQ(septa_nbsend(wake, &w), 0);
		ff_marks = 0;
		ff_reply(k, &m, false);
		ff_reply_recv(ep, &m, &got);
		k = (k + 1) % FF_EXITS;
		CHECK_EQ(SEPTA_MSG_LABEL(got.info), ff_label[k]);
		CHECK_EQ(got.badge, 0xfa57 + HIGH_PRIO); /* as it was made */
		CHECK_EQ(got.fast_reply, 0);
		CHECK_EQ(ff_marks, 1); /* it ran before the guest */
		ff_stats(0);
		ff_end(tcb, &m);
		CHECK_EQ(septa_cnode_delete(CNODE, mark2, DEPTH), 0);
	}
}

/*
 * A ReplyRecv while the VMM's bound notification is signalled: the
 * guest is answered, then the signal is received, not the next exit.
 */
void test_fault_fast_bound_notification(void)
{
	struct ff_exit got[2][2];

	for (unsigned run = 0; run < 2; run++) {
		uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0),
			 n = mk(SEPTA_OBJ_NOTIFICATION, 0);
		uint64_t b = slot(), tcb;
		struct septa_msg m = {0};

		CHECK(ep && n);
		CHECK_EQ(septa_cnode_mint(CNODE, b, DEPTH, CNODE, n, DEPTH,
					  SEPTA_RIGHTS_ALL, 0x5167),
			 0);
		ff_stats(run);
		tcb = ff_guest(ep, LOW_PRIO, &m);
		CHECK(tcb);
		CHECK_EQ(septa_tcb_bind_notification(ct.self, n), 0);
		CHECK_EQ(septa_signal(b), 0);
		ff_reply(0, &m, false);
		ff_reply_recv(ep, &m, &got[run][0]);
		CHECK_EQ(got[run][0].fast_reply, 0);
		CHECK_EQ(got[run][0].badge, 0x5167);
		CHECK_EQ(septa_tcb_unbind_notification(ct.self), 0);
		/* The guest, answered, goes on to its next exit. */
		got[run][1].err = septa_recv(ep, &m);
		got[run][1].info = m.info;
		got[run][1].badge = m.badge;
		for (unsigned i = 0; i < SEPTA_MSG_REGS + FF_BUF + 2; i++)
			got[run][1].mr[i] = septa_mr(&m, i);
		got[run][1].fast_fault = got[run][1].fast_reply = 0;
		got[run][0].fast_fault = 0;
		CHECK_EQ(got[run][1].info,
			 septa_msginfo(SEPTA_FAULT_ABORT, 0, SEPTA_ABORT_LEN));
		CHECK_EQ(got[run][1].mr[SEPTA_ABORT_VALUE], 0xa1);
		ff_stats(0);
		ff_end(tcb, &m);
	}
	got[0][1].mr[8] = got[1][1].mr[8]; /* the buffer past the message: */
	got[0][1].mr[9] = got[1][1].mr[9]; /* not filled for a plain Recv */
	CHECK(memcmp(got[0], got[1], sizeof(got[0])) == 0);
}

static struct {
	volatile uint64_t done;
	uint64_t info, badge, mr[SEPTA_MSG_REGS];
} ff_nobuf;

static uint8_t ff_nobuf_stack[4096] __attribute__((aligned(16)));

/* A VMM without an IPC buffer: takes one exit, keeps what arrived, and
 * leaves the guest stopped. */
static void ff_nobuf_vmm(uint64_t ep)
{
	struct septa_msg m = {0};

	septa_recv(ep, &m);
	ff_nobuf.info = m.info;
	ff_nobuf.badge = m.badge;
	for (unsigned i = 0; i < SEPTA_MSG_REGS; i++)
		ff_nobuf.mr[i] = m.mr[i];
	ff_nobuf.done = 1;
	m.info = septa_msginfo(1, 0, 0);
	septa_reply(&m);
	septa_recv(ep, &m);
}

/*
 * A hypercall's eight words to a VMM without an IPC buffer: the full path
 * delivers the four that fit in its registers and says so in the length;
 * the fastpath, which writes the rest to the buffer, stands aside.
 */
void test_fault_fast_no_buffer(void)
{
	uint64_t got[2][2 + SEPTA_MSG_REGS];

	for (unsigned run = 0; run < 2; run++) {
		uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0), f = mk(SEPTA_OBJ_FRAME_4K, 0);
		uint64_t regs[3] = {(uintptr_t)ff_nobuf_vmm,
				    (uintptr_t)(ff_nobuf_stack + sizeof(ff_nobuf_stack)),
				    ep};
		uint64_t tcb, vmm;
		struct ff_stats a, b;

		CHECK(ep && f);
		ff_stats(run);
		tcb = ff_make(ep, LOW_PRIO);
		CHECK(tcb);
		vmm = mk(SEPTA_OBJ_TCB, 0);
		CHECK(vmm);
		/* Its buffer a copy of f, which the revoke takes away. */
		CHECK_EQ(septa_tcb_configure(vmm, 0, CNODE, VSPACE, f, UNMAPPED_IPA), 0);
		CHECK_EQ(septa_cnode_revoke(CNODE, f, DEPTH), 0);
		CHECK_EQ(septa_tcb_set_priority(vmm, (LOW_PRIO + ROOT_PRIO) / 2), 0);
		CHECK_EQ(septa_tcb_write_registers(vmm, 1, 3, regs), 0);
		ff_nobuf.done = 0;
		a = ff_stats(-1);
		CHECK_EQ(septa_tcb_resume(tcb), 0);
		join_lower(&ff_nobuf.done);
		b = ff_stats(-1);
		CHECK_EQ(ff_nobuf.done, 1);
		CHECK_EQ(b.faults, a.faults);
		CHECK_EQ(ff_nobuf.info,
			 septa_msginfo(SEPTA_FAULT_HVC, 0, SEPTA_MSG_REGS));
		CHECK_EQ(ff_nobuf.badge, 0xfa57 + LOW_PRIO);
		for (unsigned i = 0; i < SEPTA_MSG_REGS; i++)
			CHECK_EQ(ff_nobuf.mr[i], 0x10 + i);
		got[run][0] = ff_nobuf.info;
		got[run][1] = ff_nobuf.badge;
		for (unsigned i = 0; i < SEPTA_MSG_REGS; i++)
			got[run][2 + i] = ff_nobuf.mr[i];
		ff_stats(0);
		CHECK_EQ(septa_cnode_delete(CNODE, vmm, DEPTH), 0);
		CHECK_EQ(septa_cnode_delete(CNODE, tcb, DEPTH), 0);
	}
	CHECK(memcmp(got[0], got[1], sizeof(got[0])) == 0);
}
