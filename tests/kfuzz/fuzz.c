/*
 * The hostile thread. Its CSpace (main.c builds it) is a 1-bit root CNode
 * whose slot 0 is the fuzzer's CNode FC (cptr = slot, 0..1023) and slot 1
 * the harness's CNode HC (cptr = 1 << 63 | slot): round notifications and
 * the victims' endpoints. No CNode capability to HC or to the root is
 * anywhere it can reach, so whatever it does to its CNodes cannot take the
 * harness's capabilities away; it can still invoke them, send them and
 * name them in anything it builds.
 *
 * Each call is drawn from the seeded PRNG: an operation, then every
 * argument biased toward the interesting: a slot of the right type from
 * the model of what it made (kf_model), a boundary (0, 1, limits and their
 * neighbours, 2^32, 2^63, all ones), or anything. Every invocation goes as
 * NBSEND, so an endpoint named by mistake never blocks it; the blocking
 * calls name only the victims' endpoints (they always answer) or
 * capabilities without Read.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "kfuzz.h"

#define FC(s)	 ((uint64_t)(s))
#define HC(s)	 (1ULL << 63 | (uint64_t)(s))
#define HC_GO	 1u
#define HC_DONE	 2u
#define HC_VIC	 3u  /* + i */
#define FC_DEPTH 64u /* FC[KF_FC_SELF] is guarded to take 64-bit indices */

/* What the fuzzer believes each FC slot holds: 0 or a septa_object. */
static uint8_t kf_model[KF_FC_SLOTS];
/*
 * The guard, off unless "kfuzz.guard=1": it kept out of the run the shape
 * of findings F2 and F3, both fixed (docs/fuzzing.md): deleting an
 * object's original while it has copies. F2 handed the copies to the
 * Untyped side by side, each then taken for the last; F2's first fix put
 * them under the first copy, so revoking that one (it may have fewer
 * rights, or a badge) deleted copies never derived from it (F3). With the
 * guard every delete is a revoke first, copies and moves go only from and
 * into FC, and no random label copies, moves or deletes; the run prints
 * how many calls it changed. It stays for replaying old seeds as they ran.
 */
bool kf_guard;
uint64_t kf_excluded; /* calls the guard changed */
static struct septa_ipc_buffer *buf;
static bool have_caller; /* a received call or fault waits for our reply */

static uint64_t rnd(void)
{
	return kf_mix(&kf.rng);
}

static uint64_t below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

static bool chance(unsigned pct)
{
	return below(100) < pct;
}

static const uint64_t edges[] = {0,
				 1,
				 2,
				 3,
				 7,
				 8,
				 31,
				 32,
				 63,
				 64,
				 65,
				 127,
				 128,
				 255,
				 256,
				 1023,
				 1024,
				 4095,
				 4096,
				 4097,
				 0x7fffffffULL,
				 0x80000000ULL,
				 0xffffffffULL,
				 1ULL << 32,
				 (1ULL << 32) + 1,
				 1ULL << 48,
				 (1ULL << 63) - 1,
				 1ULL << 63,
				 ~0ULL - 1,
				 ~0ULL};

static uint64_t edge(void)
{
	return edges[below(sizeof edges / sizeof edges[0])];
}

/* valid most of the time, else its neighbours, a boundary or anything. */
static uint64_t bias(uint64_t valid)
{
	unsigned r = (unsigned)below(20);

	if (r < 14)
		return valid;
	if (r < 16)
		return valid + 1;
	if (r < 17)
		return valid - 1;
	if (r < 19)
		return edge();
	return rnd();
}

/* A slot the model says holds type t (any non-empty one for t = 0). */
static uint64_t slot_of(unsigned t)
{
	unsigned start = (unsigned)below(KF_FC_SLOTS);

	for (unsigned k = 0; k < KF_FC_SLOTS; k++) {
		unsigned s = (start + k) % KF_FC_SLOTS;

		if (t ? kf_model[s] == t : kf_model[s] != 0)
			return s;
	}
	return below(KF_FC_SLOTS);
}

static uint64_t free_slot(void)
{
	unsigned start = (unsigned)below(KF_FC_SLOTS);

	for (unsigned k = 0; k < KF_FC_SLOTS; k++) {
		unsigned s = (start + k) % KF_FC_SLOTS;

		if (s && !kf_model[s])
			return s;
	}
	return below(KF_FC_SLOTS);
}

/* A capability of type t to name: mostly from the model. */
static uint64_t cap_of(unsigned t)
{
	unsigned r = (unsigned)below(20);

	if (r < 15)
		return slot_of(t);
	if (r < 17)
		return slot_of(0);
	if (r < 18)
		return HC(below(8));
	if (r < 19)
		return below(KF_FC_SLOTS);
	return edge();
}

static uint64_t frame_slot(void)
{
	unsigned t = (unsigned)(SEPTA_OBJ_FRAME_4K + (chance(80) ? 0 : below(3)));

	return cap_of(t);
}

/* A target of delete, revoke, move or mutate: its own slots, seldom its
 * CNode or Untyped (it may lose them: that is its business). */
static uint64_t victim_index(void)
{
	uint64_t s = chance(85) ? slot_of(0) : chance(80) ? below(KF_FC_SLOTS) : edge();

	if ((s == KF_FC_SELF || s == KF_FC_UT) && !chance(3))
		s = free_slot();
	return s;
}

static uint64_t depth(void)
{
	static const uint64_t d[] = {
	    0, 1, 9, 10, 11, 53, 54, 63, 65, 128, (1ULL << 32) + 64};

	return chance(88) ? FC_DEPTH : d[below(sizeof d / sizeof d[0])];
}

static uint64_t rights(void)
{
	return chance(85) ? below(8) : edge();
}

/* An IPA in a small window, so that maps collide, or a boundary. */
static uint64_t ipa(uint64_t align)
{
	static const uint64_t bases[] = {0, 1ULL << 30, (1ULL << 32) - (1ULL << 22),
					 1ULL << 35};
	uint64_t a;

	if (chance(80)) {
		a = bases[below(4)] + below(32) * align;
		return chance(95) ? a : a + 0x800;
	}
	a = edge();
	return chance(50) ? a & ~(align - 1) : a;
}

static uint64_t obj_size(uint64_t a)
{
	return a == SEPTA_OBJ_FRAME_2M	 ? 1ULL << 21
	       : a == SEPTA_OBJ_FRAME_1G ? 1ULL << 30
					 : SEPTA_PAGE_SIZE;
}

/* ---- issuing ---- */

static void set_mr(struct kf_call *c, unsigned i, uint64_t v)
{
	if (i < SEPTA_MSG_REGS)
		c->x[2 + i] = v;
	else
		buf->msg[i] = v;
}

static void set_caps(unsigned n, const uint64_t *caps)
{
	for (unsigned i = 0; i < n && i < SEPTA_MSG_MAX_CAPS; i++)
		buf->caps_or_badges[i] = caps[i];
}

/* An invocation: label, nmr registers, ncaps capabilities; now and then
 * told short of registers or capabilities, or a wrong label. */
static void invocation(struct kf_call *c, uint64_t obj, uint64_t label, unsigned nmr,
		       unsigned ncaps)
{
	c->x[7] = SEPTA_SYS_NBSEND;
	c->x[0] = obj;
	if (chance(3))
		nmr = (unsigned)below(nmr + 2);
	if (chance(3))
		ncaps = (unsigned)below(SEPTA_MSG_MAX_CAPS + 1);
	uint64_t want = label;

	if (chance(2))
		label = chance(50) ? below(80) : edge();
	if (kf_guard && want != label && label >= SEPTA_CNODE_COPY &&
	    label <= SEPTA_CNODE_DELETE) {
		label = SEPTA_CNODE_REVOKE;
		kf_excluded++;
	}
	c->x[1] = septa_msginfo(label, ncaps, nmr > 127 ? 127 : nmr);
}

/* OK or one of abi.h's error codes, from its one table. */
static bool known(long r)
{
#define KF_ERROR_VALUE(name, value, doc) value,
	static const long codes[] = {SEPTA_ERRORS(KF_ERROR_VALUE)};
#undef KF_ERROR_VALUE

	if (r == SEPTA_OK)
		return true;
	for (unsigned i = 0; i < sizeof codes / sizeof codes[0]; i++)
		if (r == codes[i])
			return r > -KF_RESULTS;
	return false;
}

static long issue(struct kf_call *c)
{
	register uint64_t x0 __asm__("x0") = c->x[0];
	register uint64_t x1 __asm__("x1") = c->x[1];
	register uint64_t x2 __asm__("x2") = c->x[2];
	register uint64_t x3 __asm__("x3") = c->x[3];
	register uint64_t x4 __asm__("x4") = c->x[4];
	register uint64_t x5 __asm__("x5") = c->x[5];
	register uint64_t x6 __asm__("x6") = c->x[6];
	register uint64_t x7 __asm__("x7") = c->x[7];

	kf.log[kf.log_next++ % KF_LOG] = *c;
	__asm__ volatile("svc #0"
			 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3), "+r"(x4), "+r"(x5),
			   "+r"(x6)
			 : "r"(x7)
			 : "memory");
	c->ret = (long)x0;
	c->x[1] = x1; /* the reply's info: a received message's label */
	kf.log[(kf.log_next - 1) % KF_LOG].ret = c->ret;
	kf.calls++;
	if (known(c->ret))
		kf.results[-c->ret]++;
	else {
		printf("kfuzz: FAIL: call %llu returned %ld, not a septa_error\n",
		       (unsigned long long)kf.calls, c->ret);
		kf.failed = 1;
	}
	return c->ret;
}

/* ---- operations ---- */

static void op_retype(void)
{
	struct kf_call c = {0};
	uint64_t type = chance(92) ? 1 + below(SEPTA_OBJ_VCPU) : edge();
	uint64_t size = 0, count = chance(80) ? 1 + below(4) : bias(256);
	uint64_t ut = cap_of(SEPTA_OBJ_UNTYPED), off = free_slot();
	uint64_t index = 0, dep = 0;

	switch (type) {
	case SEPTA_OBJ_UNTYPED:
		size = below(8) + (chance(50) ? SEPTA_UNTYPED_MIN : 12);
		break;
	case SEPTA_OBJ_CNODE:
		size = 1 + below(6);
		break;
	case SEPTA_OBJ_VSPACE:
		size = 32 + below(13);
		count = chance(90) ? 1 : count;
		break;
	}
	size = bias(size);
	if (type >= SEPTA_OBJ_FRAME_2M && type <= SEPTA_OBJ_FRAME_1G)
		count = chance(90) ? 1 : count;
	if (chance(10)) { /* into another CNode it made */
		index = cap_of(SEPTA_OBJ_CNODE);
		dep = depth();
	}
	invocation(&c, ut, SEPTA_UNTYPED_RETYPE, 6, 1);
	set_mr(&c, 0, type);
	set_mr(&c, 1, size);
	set_mr(&c, 2, index);
	set_mr(&c, 3, bias(dep));
	set_mr(&c, 4, bias(off));
	set_mr(&c, 5, count);
	set_caps(1, (uint64_t[]){chance(95) ? FC(KF_FC_SELF) : cap_of(SEPTA_OBJ_CNODE)});
	if (issue(&c) == SEPTA_OK && dep == 0 && buf->caps_or_badges[0] == KF_FC_SELF &&
	    SEPTA_MSG_CAPS(c.x[1]) == 0)
		for (uint64_t i = 0; i < count && off + i < KF_FC_SLOTS; i++)
			kf_model[off + i] = (uint8_t)type;
}

/* Copy, mint, move, mutate: into FC from FC, as the model follows. */
static void op_cnode(void)
{
	struct kf_call c = {0};
	unsigned which = (unsigned)below(4);
	uint64_t label = SEPTA_CNODE_COPY + which, dst = free_slot();
	uint64_t src = which >= 2 ? victim_index() : cap_of(0);
	uint64_t cnode = chance(90) || (kf_guard && which >= 2) ? FC(KF_FC_SELF)
								: cap_of(SEPTA_OBJ_CNODE);
	unsigned nmr = which == 0 ? 5 : which == 1 ? 6 : which == 2 ? 4 : 5;
	uint64_t badge = chance(50) ? 0 : chance(50) ? below(1u << 16) : edge();

	if (label == SEPTA_CNODE_MINT && kf_model[src % KF_FC_SLOTS] == SEPTA_OBJ_CNODE &&
	    chance(70))
		badge = below(KF_FC_GUARD + 2) | below(4) << 6; /* a guard */
	invocation(&c, cnode, label, nmr, 1);
	set_mr(&c, 0, bias(dst));
	set_mr(&c, 1, depth());
	set_mr(&c, 2, src);
	set_mr(&c, 3, depth());
	if (which == 0 || which == 1)
		set_mr(&c, 4, rights());
	if (which == 1)
		set_mr(&c, 5, badge);
	if (which == 3)
		set_mr(&c, 4, badge);
	set_caps(1, (uint64_t[]){chance(95) || kf_guard ? FC(KF_FC_SELF)
							: cap_of(SEPTA_OBJ_CNODE)});
	if (issue(&c) == SEPTA_OK && cnode == KF_FC_SELF && dst < KF_FC_SLOTS &&
	    src < KF_FC_SLOTS) {
		kf_model[dst] = kf_model[src];
		if (which >= 2)
			kf_model[src] = 0;
	}
}

static void op_delete_revoke(void)
{
	struct kf_call c = {0};
	bool del = chance(60);
	uint64_t index = victim_index(), dep = depth();
	uint64_t cnode = chance(90) ? FC(KF_FC_SELF) : cap_of(SEPTA_OBJ_CNODE);

	/* With the guard a delete revokes first: no children to hand on. */
	if (kf_guard || !del) {
		invocation(&c, cnode, SEPTA_CNODE_REVOKE, 2, 0);
		set_mr(&c, 0, index);
		set_mr(&c, 1, dep);
		if (issue(&c) != SEPTA_OK || !del)
			return;
	}
	c = (struct kf_call){0};
	c.x[7] = SEPTA_SYS_NBSEND;
	c.x[0] = cnode;
	c.x[1] = septa_msginfo(SEPTA_CNODE_DELETE, 0, 2);
	c.x[2] = index;
	c.x[3] = dep;
	if (issue(&c) == SEPTA_OK && cnode == KF_FC_SELF && index < KF_FC_SLOTS)
		kf_model[index] = 0;
}

static void page_tables(unsigned n)
{
	uint64_t pts[SEPTA_MSG_MAX_CAPS];

	for (unsigned i = 0; i < n; i++)
		pts[i] = cap_of(SEPTA_OBJ_PAGE_TABLE);
	set_caps(n, pts);
}

static void op_frame(void)
{
	struct kf_call c = {0};
	uint64_t frame = frame_slot();
	unsigned what = (unsigned)below(10);

	if (what < 6) {
		unsigned npt = (unsigned)below(SEPTA_FRAME_MAP_TABLES + 1);
		uint64_t caps[SEPTA_MSG_MAX_CAPS];

		invocation(&c, frame, SEPTA_FRAME_MAP, 3, 1 + npt);
		set_mr(&c, 0, ipa(obj_size(kf_model[frame % KF_FC_SLOTS])));
		set_mr(&c, 1, chance(90) ? 1 + below(7) : edge());
		set_mr(&c, 2, chance(90) ? below(4) : edge());
		caps[0] = cap_of(SEPTA_OBJ_VSPACE);
		for (unsigned i = 0; i < npt; i++)
			caps[1 + i] = cap_of(SEPTA_OBJ_PAGE_TABLE);
		set_caps(1 + npt, caps);
	} else if (what < 9) {
		invocation(&c, frame, SEPTA_FRAME_UNMAP, 0, 0);
	} else {
		invocation(&c, frame, SEPTA_FRAME_GET_ADDRESS, 0, 0);
	}
	issue(&c);
}

static void op_page_table(void)
{
	struct kf_call c = {0};
	uint64_t pt = cap_of(SEPTA_OBJ_PAGE_TABLE);

	if (chance(70)) {
		uint64_t level = chance(90) ? 1 + below(3) : edge();

		invocation(&c, pt, SEPTA_PAGE_TABLE_MAP, 2, 1);
		set_mr(&c, 0,
		       ipa(level >= 1 && level <= 3
			       ? 1ULL << septa_level_shift((unsigned)level - 1)
			       : SEPTA_PAGE_SIZE));
		set_mr(&c, 1, level);
		set_caps(1, (uint64_t[]){cap_of(SEPTA_OBJ_VSPACE)});
	} else {
		invocation(&c, pt, SEPTA_PAGE_TABLE_UNMAP, 0, 0);
	}
	issue(&c);
}

static void op_vspace(void)
{
	struct kf_call c = {0};
	uint64_t vs = cap_of(SEPTA_OBJ_VSPACE);

	if (chance(40)) {
		invocation(&c, vs, SEPTA_VSPACE_QUERY, 1, 0);
		set_mr(&c, 0, ipa(SEPTA_PAGE_SIZE));
	} else {
		unsigned npt = (unsigned)below(SEPTA_MSG_MAX_CAPS + 1);
		static const uint64_t sizes[] = {
		    SEPTA_PAGE_SIZE, 2 * SEPTA_PAGE_SIZE, 1ULL << 21,
		    (1ULL << 21) + SEPTA_PAGE_SIZE, 1ULL << 30};

		invocation(&c, vs, SEPTA_VSPACE_PROTECT, 3, npt);
		set_mr(&c, 0, ipa(SEPTA_PAGE_SIZE));
		set_mr(&c, 1, chance(85) ? sizes[below(5)] : edge());
		set_mr(&c, 2, chance(90) ? below(8) : edge());
		page_tables(npt);
	}
	issue(&c);
}

static void op_tcb(void)
{
	struct kf_call c = {0};
	uint64_t tcb = cap_of(SEPTA_OBJ_TCB);

	switch (below(12)) {
	case 0:
	case 1: {
		static const uint64_t fault[] = {0, HC(HC_VIC), HC(HC_VIC + 1)};
		uint64_t f = chance(40)	  ? cap_of(SEPTA_OBJ_ENDPOINT)
			     : chance(60) ? fault[below(3)]
					  : edge();

		invocation(&c, tcb, SEPTA_TCB_CONFIGURE, 2, 3);
		set_mr(&c, 0, f);
		set_mr(&c, 1, chance(90) ? below(64) * SEPTA_PAGE_SIZE : edge());
		set_caps(3, (uint64_t[]){
				chance(50) ? FC(KF_FC_SELF) : cap_of(SEPTA_OBJ_CNODE),
				cap_of(SEPTA_OBJ_VSPACE), cap_of(SEPTA_OBJ_FRAME_4K)});
		break;
	}
	case 2:
		invocation(&c, tcb, SEPTA_TCB_SET_PRIORITY, 1, 0);
		set_mr(&c, 0, bias(below(KF_FUZZ_PRIO + 1)));
		break;
	case 3:
		invocation(&c, tcb, SEPTA_TCB_SET_MCP, 1, 0);
		set_mr(&c, 0, bias(below(KF_FUZZ_PRIO + 1)));
		break;
	case 4:
		invocation(&c, tcb, SEPTA_TCB_SUSPEND, 0, 0);
		break;
	case 5:
		/* Running threads fault at once (their memory is zeroes): seldom. */
		if (chance(25))
			invocation(&c, tcb, SEPTA_TCB_RESUME, 0, 0);
		else
			invocation(&c, tcb, SEPTA_TCB_SUSPEND, 0, 0);
		break;
	case 6:
	case 7:
		invocation(&c, tcb, SEPTA_TCB_READ_REGISTERS, 1, 0);
		set_mr(&c, 0, bias(below(34)));
		break;
	case 8:
	case 9: {
		uint64_t n = bias(below(34));

		invocation(&c, tcb, SEPTA_TCB_WRITE_REGISTERS,
			   2 + (n < 40 ? (unsigned)n : 3), 0);
		set_mr(&c, 0, chance(15) ? 1 : chance(50) ? 0 : edge());
		set_mr(&c, 1, n);
		for (unsigned i = 0; i < n && i < 40; i++)
			set_mr(&c, 2 + i, chance(50) ? below(1u << 20) * 4 : rnd());
		break;
	}
	case 10:
		invocation(&c, tcb, SEPTA_TCB_BIND_NOTIFICATION, 0, 1);
		set_caps(1, (uint64_t[]){cap_of(SEPTA_OBJ_NOTIFICATION)});
		break;
	default:
		invocation(&c, tcb, SEPTA_TCB_UNBIND_NOTIFICATION, 0, 0);
		break;
	}
	issue(&c);
}

static uint64_t intid(void)
{
	static const uint64_t ids[] = {0,    15,   16,	 27,   31,  32,
				       1019, 1020, 1021, 1023, 1024};

	return chance(60)   ? ids[below(sizeof ids / sizeof ids[0])]
	       : chance(70) ? below(1020)
			    : edge();
}

static void op_vcpu(void)
{
	struct kf_call c = {0};
	uint64_t vcpu = cap_of(SEPTA_OBJ_VCPU);

	switch (below(6)) {
	case 0:
		invocation(&c, vcpu, SEPTA_VCPU_SET_TCB, 0, 1);
		set_caps(1, (uint64_t[]){cap_of(SEPTA_OBJ_TCB)});
		break;
	case 1:
		invocation(&c, vcpu, SEPTA_VCPU_READ_REG, 1, 0);
		set_mr(&c, 0, bias(below(SEPTA_VCPU_REG_COUNT)));
		break;
	case 2:
		invocation(&c, vcpu, SEPTA_VCPU_WRITE_REG, 2, 0);
		set_mr(&c, 0, bias(below(SEPTA_VCPU_REG_COUNT)));
		set_mr(&c, 1, chance(50) ? 0 : rnd());
		break;
	case 3:
	case 4:
		invocation(&c, vcpu, SEPTA_VCPU_INJECT_IRQ, 2, 0);
		set_mr(&c, 0, intid());
		set_mr(&c, 1, bias(below(256)));
		break;
	default:
		invocation(&c, vcpu, SEPTA_VCPU_RESET, 0, 0);
		break;
	}
	issue(&c);
}

/* The fuzzer's receive slot and buffer fields: usually sane. */
static void receive_fields(void)
{
	buf->receive_cnode = chance(80) ? 0 : cap_of(SEPTA_OBJ_CNODE);
	buf->receive_index = chance(80) ? free_slot() : edge();
	buf->receive_depth = depth();
}

static void message(struct kf_call *c, uint64_t nr, uint64_t cptr)
{
	unsigned len =
	    (unsigned)(chance(85) ? below(SEPTA_MSG_MAX + 1) : 115 + below(13));
	unsigned ncaps = (unsigned)(chance(70) ? 0 : below(SEPTA_MSG_MAX_CAPS + 1));
	uint64_t caps[SEPTA_MSG_MAX_CAPS];

	c->x[7] = nr;
	c->x[0] = cptr;
	c->x[1] = septa_msginfo(chance(90) ? below(64) : edge(), ncaps, len);
	for (unsigned i = 0; i < ncaps; i++)
		caps[i] = chance(90) ? cap_of(0) : HC(below(8));
	set_caps(ncaps, caps);
	/* What the victim answers: label and length (may be over the limit). */
	c->x[2] = below(64);
	c->x[3] = chance(90) ? below(SEPTA_MSG_MAX + 1) : 121 + below(7);
	c->x[4] = rnd();
	c->x[5] = rnd();
}

static void op_ipc(void)
{
	struct kf_call c = {0};
	uint64_t vic = HC(HC_VIC + below(KF_VICTIMS));

	switch (below(10)) {
	case 0:
	case 1:
	case 2:
		message(&c, SEPTA_SYS_CALL, vic);
		break;
	case 3:
		message(&c, SEPTA_SYS_SEND, vic);
		break;
	case 4:
		message(&c, SEPTA_SYS_NBSEND,
			chance(50) ? vic : cap_of(SEPTA_OBJ_ENDPOINT));
		break;
	case 5:
		/* Signals: fuzz notifications, or its own round notification
		 * (Read only: refused). */
		message(&c, SEPTA_SYS_NBSEND,
			chance(90) ? cap_of(SEPTA_OBJ_NOTIFICATION) : HC(HC_GO));
		break;
	case 6:
	case 7:
		receive_fields();
		c.x[7] = SEPTA_SYS_NBRECV;
		c.x[0] = chance(50) ? cap_of(SEPTA_OBJ_ENDPOINT)
				    : cap_of(SEPTA_OBJ_NOTIFICATION);
		break;
	case 8:
		/* Blocking receives only where they are refused: the victims'
		 * endpoints have no Read; a reply first if one is owed. */
		message(&c, chance(50) ? SEPTA_SYS_RECV : SEPTA_SYS_REPLY_RECV,
			chance(80) ? vic : edge() | 1ULL << 62);
		break;
	default:
		message(&c, SEPTA_SYS_REPLY, 0);
		break;
	}
	if (issue(&c) == SEPTA_OK && (c.x[7] == SEPTA_SYS_NBRECV))
		have_caller = true; /* maybe: a call or a fault */
	if (c.x[7] == SEPTA_SYS_REPLY && c.ret == SEPTA_OK)
		have_caller = false;
}

/* A fault reply to whoever faulted to us: resume, retry, abort, inject. */
static void op_fault_reply(void)
{
	struct kf_call c = {0};
	static const uint64_t labels[] = {0, SEPTA_REPLY_RETRY, SEPTA_REPLY_ABORT, 1, 7};
	uint64_t label = labels[below(5)];

	if (!have_caller) {
		receive_fields();
		c.x[7] = SEPTA_SYS_NBRECV;
		c.x[0] = cap_of(SEPTA_OBJ_ENDPOINT);
		if (issue(&c) != SEPTA_OK)
			return;
		have_caller = true;
		c = (struct kf_call){0};
	}
	if (chance(40))
		label |= SEPTA_REPLY_INJECT(intid() & 0xfffff);
	c.x[7] = SEPTA_SYS_REPLY;
	c.x[1] = septa_msginfo(chance(95) ? label : edge(), 0,
			       (unsigned)(chance(90) ? below(8) : 115 + below(13)));
	c.x[2] = chance(50) ? below(1u << 20) * 4 : rnd();
	c.x[3] = rnd();
	if (issue(&c) == SEPTA_OK || c.ret == SEPTA_E_NO_REPLY)
		have_caller = false;
}

static void op_raw(void)
{
	struct kf_call c = {0};
	/* Not 3 (EXIT: the thread would end) and not the test kernel's own
	 * fault or interrupt calls. */
	static const uint64_t nrs[] = {
	    0,	2,	4,	5,	9,	17,	18,
	    99, 0x7f02, 0x7f03, 0x7f04, 0x7fff, 0x8000, 1ULL << 32 | 10};

	switch (below(4)) {
	case 0:
		c.x[7] = nrs[below(sizeof nrs / sizeof nrs[0])];
		c.x[0] = edge();
		break;
	case 1: {
		/* DEBUG_WRITE that prints nothing: empty, too long, unmapped,
		 * wrapping. */
		static const uint64_t addr[] = {0, 0x30000000ULL, ~0ULL - 1, 1ULL << 40};
		static const uint64_t len[] = {0, SEPTA_DEBUG_WRITE_MAX + 1, ~0ULL, 2};

		c.x[7] = SEPTA_SYS_DEBUG_WRITE;
		c.x[0] = addr[below(4)];
		c.x[1] = c.x[0] == 0x30000000ULL || c.x[0] == 1ULL << 40 ? len[below(4)]
									 : len[below(3)];
		if (c.x[0] == 0 && c.x[1] == 2)
			c.x[1] = 0;
		break;
	}
	default:
		/* Any label on anything. */
		invocation(&c, cap_of(0), chance(80) ? below(70) : edge(),
			   (unsigned)below(8), (unsigned)below(4));
		c.x[1] = septa_msginfo(SEPTA_MSG_LABEL(c.x[1]), SEPTA_MSG_CAPS(c.x[1]),
				       (unsigned)below(SEPTA_MSG_MAX + 1));
		for (unsigned i = 0; i < 4; i++)
			c.x[2 + i] = chance(50) ? edge() : rnd();
		if (kf_guard && SEPTA_MSG_LABEL(c.x[1]) >= SEPTA_CNODE_COPY &&
		    SEPTA_MSG_LABEL(c.x[1]) <= SEPTA_CNODE_DELETE) {
			/* The guard: no copy, move or delete unfollowed. */
			c.x[1] = (c.x[1] & 0xfff) | (uint64_t)SEPTA_CNODE_REVOKE << 12;
			kf_excluded++;
		}
		break;
	}
	issue(&c);
}

struct op {
	void (*fn)(void);
	unsigned weight;
};

static const struct op ops[] = {
    {op_retype, 14},	{op_cnode, 14},	     {op_delete_revoke, 7}, {op_frame, 12},
    {op_page_table, 6}, {op_vspace, 6},	     {op_tcb, 12},	    {op_vcpu, 6},
    {op_ipc, 12},	{op_fault_reply, 4}, {op_raw, 6},
};

static void one_call(void)
{
	unsigned total = 0, r;

	for (unsigned i = 0; i < sizeof ops / sizeof ops[0]; i++)
		total += ops[i].weight;
	r = (unsigned)below(total);
	for (unsigned i = 0; i < sizeof ops / sizeof ops[0]; i++) {
		if (r < ops[i].weight) {
			ops[i].fn();
			return;
		}
		r -= ops[i].weight;
	}
}

void kf_fuzz_epoch_start(void)
{
	memset(kf_model, 0, sizeof kf_model);
	kf_model[KF_FC_SELF] = SEPTA_OBJ_CNODE;
	kf_model[KF_FC_UT] = SEPTA_OBJ_UNTYPED;
	have_caller = false;
}

void kf_fuzz_thread(uint64_t unused)
{
	(void)unused;
	buf = septa_ipc_buffer();
	for (;;) {
		septa_wait(HC(HC_GO), NULL);
		while (kf.calls < kf.stop_at && !kf.failed)
			one_call();
		septa_signal(HC(HC_DONE));
	}
}
