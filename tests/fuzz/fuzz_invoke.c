/*
 * Invocation decode and the object code under it (the files of kernel/object/),
 * through the host fixture tests/unit uses (kfix.c): random invocations of
 * random capabilities with random labels, lengths, capabilities and
 * arguments, biased towards values decode has to tell apart (slot numbers,
 * depths, object types and sizes, rights). After every call: the status is
 * an error code or OK; a refusal left the root CNode as it was; a long
 * operation's restarts end; the derivation tree is consistent; every
 * capability names an object inside the Untyped it came from (or one of the
 * fixture's own); the Untyped's accounting stays within it; and revoking
 * the Untyped at the end leaves it wholly free.
 */
#include <object/cap.h>
#include <object/cspace.h>
#include <object/delete.h>
#include <object/invoke.h>
#include <string.h>
#include "fuzz.h"
#include "kfix.h"

#define SLOTS	     (1u << KFIX_ROOT_BITS)
#define MAX_RESTARTS 100000u
static bool cut_short; /* the last call() was cut short by its own deletion */

/* Every invocation, its capability type and its arguments by name, from
 * the one table (septa/invocations.def): arguments are made to fit their
 * names often enough that decode's later checks are reached. */
#define MR_NAME(ctype, name, doc) #name,
#define NO_MR(ctype, name, doc)
#define NO_CAP(name, doc)
#define ONE_CAP(name, doc) +1
#define ARG_NAMES(OBJ, NAME, name, label, ...)                                           \
	static const char *const args_##NAME[] = {                                       \
	    SEPTA_ARGS_##NAME(MR_NAME, NO_CAP, NO_MR) NULL};
SEPTA_INVOCATIONS(ARG_NAMES)
#define DESC(OBJ, NAME, name, label, ...)                                                \
	{label, CAP_##OBJ, 0 SEPTA_ARGS_##NAME(NO_MR, ONE_CAP, NO_MR), args_##NAME},
static const struct inv_desc {
	unsigned label, type, ncaps;
	const char *const *args;
} invs[] = {SEPTA_INVOCATIONS(DESC)};
#define NINVS (sizeof(invs) / sizeof(invs[0]))

static struct cte snapshot[SLOTS];

/*
 * kfix.c allocates its Untyped's 4 MiB afresh each time; mapping and
 * faulting in 4 MiB per input would be most of the run. Linked with
 * --wrap, kfix.c's aligned_alloc and free reuse one buffer, left full of
 * what the last input put there (as retyped memory would be on target:
 * retype must clear what it hands out).
 */
void *__real_aligned_alloc(size_t align, size_t size);
void __real_free(void *p);
static void *ut_cache;

void *__wrap_aligned_alloc(size_t align, size_t size)
{
	if (size != 1u << KFIX_UT_BITS)
		return __real_aligned_alloc(align, size);
	if (!ut_cache) {
		ut_cache = __real_aligned_alloc(align, size);
		memset(ut_cache, 0xa5, size);
	}
	return ut_cache;
}

void __wrap_free(void *p)
{
	if (p != ut_cache)
		__real_free(p);
}

/* A slot: mostly among the first few, where the objects made so far are. */
static uint64_t slot(struct fuzz_in *in)
{
	unsigned k = fuzz_u8(in);

	return k < 192 ? k % 16 : fuzz_below(in, SLOTS);
}

/* A value decode must tell apart from its neighbours. */
static uint64_t arg(struct fuzz_in *in)
{
	unsigned k = fuzz_u8(in);

	switch (k & 7) {
	case 0:
	case 1:
		return slot(in);
	case 2:
		return 64 - (k >> 3 & 3) * 8; /* depths: 64, 56, 48, 40 */
	case 3:
		return fuzz_below(in, 16); /* types, rights, levels, counts */
	case 4:
		return fuzz_below(in, 48); /* size bits, IPA bits */
	case 5:
		return (uint64_t)fuzz_u16(in) << 12; /* page addresses */
	case 6:
		return ~0ULL - fuzz_below(in, 4);
	default:
		return fuzz_u64(in);
	}
}

static bool named(const char *n, const char *a)
{
	return !strcmp(n, a);
}

/* What an argument's name says about it, worked out once per name (string
 * compares per argument were a good part of the run). */
enum arg_kind {
	ARG_ANY,
	ARG_SLOT,
	ARG_DEPTH,
	ARG_TYPE,
	ARG_SIZE_BITS,
	ARG_COUNT,
	ARG_SMALL, /* rights, registers, levels */
	ARG_PRIO,
	ARG_IRQ,
	ARG_ADDR,
};

static enum arg_kind kind_of(const char *n)
{
	if (named(n, "index") || named(n, "src") || named(n, "dst") ||
	    named(n, "fault_ep"))
		return ARG_SLOT;
	if (strstr(n, "depth"))
		return ARG_DEPTH;
	if (named(n, "type"))
		return ARG_TYPE;
	if (named(n, "size_bits"))
		return ARG_SIZE_BITS;
	if (named(n, "count"))
		return ARG_COUNT;
	if (named(n, "rights") || named(n, "reg") || named(n, "level"))
		return ARG_SMALL;
	if (named(n, "prio") || named(n, "mcp"))
		return ARG_PRIO;
	if (named(n, "irq") || named(n, "intid"))
		return ARG_IRQ;
	if (named(n, "ipa") || named(n, "buffer_ipa") || named(n, "offset") ||
	    named(n, "size"))
		return ARG_ADDR;
	return ARG_ANY;
}

/* An argument shaped by its kind, or now and then by nothing. */
static uint64_t arg_for(struct fuzz_in *in, enum arg_kind k)
{
	static const unsigned bits[] = {0, 1, 2, 4, 8, 12, 16, 21, 32, 36, 40, 44, 48};

	if (fuzz_u8(in) < 32)
		return arg(in);
	switch (k) {
	case ARG_SLOT:
		return slot(in);
	case ARG_DEPTH:
		return fuzz_u8(in) < 16 ? 0 : 64;
	case ARG_TYPE:
		return 1 + fuzz_below(in, 11);
	case ARG_SIZE_BITS:
		return bits[fuzz_below(in, sizeof(bits) / sizeof(bits[0]))];
	case ARG_COUNT:
		return 1 + fuzz_below(in, 4);
	case ARG_SMALL:
		return fuzz_below(in, 16);
	case ARG_PRIO:
		return fuzz_below(in, 260);
	case ARG_IRQ:
		return fuzz_below(in, 1100);
	case ARG_ADDR:
		return (uint64_t)fuzz_below(in, 2048) << (fuzz_u8(in) < 32 ? 21 : 12);
	default:
		return arg(in);
	}
}

static bool in_ut(uint64_t obj, uint64_t bytes)
{
	uint64_t lo = (uintptr_t)kf.ut_mem, hi = lo + (1ULL << KFIX_UT_BITS);

	return obj >= lo && obj < hi && bytes <= hi - obj;
}

static void check_cap(const struct cap *c)
{
	uint64_t bytes = 1;

	switch (c->type) {
	case CAP_NULL:
	case CAP_IRQ_CONTROL:
	case CAP_IRQ_HANDLER:
		return;
	case CAP_CNODE:
		if (c->obj == (uintptr_t)kf.root)
			return;
		bytes = (uint64_t)sizeof(struct cte) << c->size_bits;
		break;
	case CAP_ZOMBIE: /* a deletion cut short: its object is still there */
		if (c->obj == (uintptr_t)kf.root)
			return;
		break;
	case CAP_UNTYPED:
		FUZZ_CHECK(c->word <= 1ULL << c->size_bits);
		if (c->obj == (uintptr_t)kf.ut_mem && c->size_bits == KFIX_UT_BITS)
			return;
		/* fall through */
	case CAP_FRAME:
		FUZZ_CHECK(c->size_bits < 64 && !(c->obj & ((1ULL << c->size_bits) - 1)));
		bytes = 1ULL << c->size_bits;
		break;
	default:
		FUZZ_CHECK(c->type <= CAP_VCPU);
		break;
	}
	FUZZ_CHECK(in_ut(c->obj, bytes));
}

static void check_world(void)
{
	FUZZ_CHECK(kfix_tree_problems() == 0);
	for (unsigned i = 0; i < SLOTS; i++) {
		const struct cap *c = &kf.root[i].cap;

		check_cap(c);
		if (c->type == CAP_CNODE && c->obj != (uintptr_t)kf.root)
			for (unsigned j = 0; j < 1u << c->size_bits; j++)
				check_cap(
				    &((const struct cte *)(uintptr_t)c->obj)[j].cap);
	}
}

/* A call as the caller's thread makes it, run again while the kernel asks
 * for a restart, as the SVC would be. */
static long call(uint64_t cptr, uint64_t label, unsigned ncaps, const uint64_t *caps,
		 unsigned nargs, const uint64_t *args)
{
	static int trace = -1;

	if (trace < 0)
		trace = getenv("FUZZ_TRACE") != NULL;
	if (trace) {
		fprintf(stderr, "call cptr %#llx label %llu caps",
			(unsigned long long)cptr, (unsigned long long)label);
		for (unsigned i = 0; i < ncaps; i++)
			fprintf(stderr, " %#llx", (unsigned long long)caps[i]);
		fprintf(stderr, " args");
		for (unsigned i = 0; i < nargs; i++)
			fprintf(stderr, " %#llx", (unsigned long long)args[i]);
		fprintf(stderr, "\n");
	}
	/* kfix_call makes a restarted call again (as the CPU would run the
	 * SVC again), at most MAX_RESTARTS times: a call that never ends is a
	 * failure. */
	{
		long err;

		kf.step_limit = MAX_RESTARTS;
		err = kfix_call(cptr, label, ncaps, caps, nargs, args);
		kf.step_limit = 0;
		/* A deletion of the CNode the call goes through stops its own
		 * restart (the lookup meets the zombie): done in part. */
		cut_short = kf.steps && kf.caller->regs.elr == 0;
		FUZZ_CHECK(err != INV_RESTART);
		if (trace)
			fprintf(stderr, "  -> %ld after %u steps\n", err, kf.steps);
		return err;
	}
}

/* A slot holding a capability of this type, if there is one. */
static uint64_t slot_of_type(struct fuzz_in *in, unsigned type)
{
	unsigned start = fuzz_below(in, SLOTS);

	for (unsigned i = 0; i < SLOTS; i++)
		if (kf.root[(start + i) % SLOTS].cap.type == type)
			return (start + i) % SLOTS;
	return slot(in);
}

static void step(struct fuzz_in *in)
{
	uint64_t caps[SEPTA_MSG_MAX_CAPS], args[24];
	unsigned op = fuzz_u8(in);
	const struct inv_desc *d = &invs[fuzz_below(in, NINVS)];
	unsigned ncaps = d->ncaps, nargs = 0;
	uint64_t cptr = op < 8	  ? fuzz_u64(in)
			: op < 40 ? slot(in)
				  : slot_of_type(in, d->type);
	uint64_t label = op >= 8 && op < 16 ? fuzz_u64(in) : d->label;
	long err;

	if (op >= 240) /* lengths and counts that do not fit */
		ncaps = fuzz_below(in, SEPTA_MSG_MAX_CAPS + 1);
	for (unsigned i = 0; i < ncaps; i++)
		caps[i] = fuzz_u8(in) < 8    ? fuzz_u64(in)
			  : fuzz_u8(in) < 96 ? 0
					     : slot(in);
	static uint8_t kinds[NINVS][24];
	static bool kinds_known;

	if (!kinds_known) {
		for (unsigned i = 0; i < NINVS; i++)
			for (unsigned a = 0; invs[i].args[a]; a++)
				kinds[i][a] = (uint8_t)kind_of(invs[i].args[a]);
		kinds_known = true;
	}
	for (; d->args[nargs]; nargs++)
		args[nargs] = arg_for(in, (enum arg_kind)kinds[d - invs][nargs]);
	if (op >= 240)
		nargs = fuzz_below(in, nargs + 1);
	for (unsigned extra = op & 3; extra && nargs < 24; extra--)
		args[nargs++] = arg(in);
	/* Keep the fixture's own: the Untyped and the root CNode's self. */
	if (label == SEPTA_CNODE_DELETE || label == SEPTA_CNODE_MOVE ||
	    label == SEPTA_CNODE_REVOKE)
		if (nargs && (args[0] == 0 || args[0] == kf.ut_slot) && op & 1)
			args[0] = 2 + fuzz_below(in, SLOTS - 2);
	memcpy(snapshot, kf.root, sizeof(snapshot));
	err = call(cptr, label, ncaps, caps, nargs, args);
	FUZZ_CHECK(err <= 0 && err > -64);
	if (err && !cut_short)
		FUZZ_CHECK(!memcmp(snapshot, kf.root, sizeof(snapshot)));
	if (cut_short)
		FUZZ_CHECK(err == SEPTA_E_ZOMBIE || err == SEPTA_E_DEPTH);
	check_world();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = fuzz_in(data, size);
	struct cte *ut = NULL;
	unsigned root = SLOTS;
	uint64_t guard = 0; /* the root capability's, above its slot bits */

	kfix_setup();
	for (unsigned i = 0; i < 64 && in.left; i++)
		step(&in);
	/* Whatever was built, revoking the Untyped gets all of it back, through
	 * the root CNode's capability wherever it went, if one is left. */
	for (unsigned i = 0; i < SLOTS; i++) {
		const struct cap *c = &kf.root[i].cap;

		if (c->type == CAP_UNTYPED && c->obj == (uintptr_t)kf.ut_mem &&
		    c->size_bits == KFIX_UT_BITS)
			ut = &kf.root[i];
		/* Any guard (a minted copy's too): the index carries it. */
		if (c->type == CAP_CNODE && c->obj == (uintptr_t)kf.root &&
		    c->guard_bits + c->size_bits == 64) {
			root = i;
			guard = c->word << c->size_bits;
		}
	}
	if (ut) {
		uint64_t a[] = {guard | (uint64_t)(ut - kf.root), 64};

		if (root < SLOTS) {
			FUZZ_CHECK(call(root, SEPTA_CNODE_REVOKE, 0, NULL, 2, a) ==
				   SEPTA_OK);
		} else {
			/* In bounded steps, each returning INV_RESTART. */
			while (cap_revoke(ut) != SEPTA_OK)
				;
		}
		FUZZ_CHECK(ut->first_child == NULL);
		check_world();
		/* Wholly free: all of it can be retyped again at once, as one
		 * Untyped of its size (the same decode as any type; one that
		 * is zeroed would clear 4 MiB per input, most of the run's
		 * time, and the inputs' own retypes try zeroing). */
		if (root < SLOTS)
			for (unsigned i = 2; i < SLOTS; i++)
				if (kf.root[i].cap.type == CAP_NULL) {
					uint64_t r[] = {root}, t[] = {SEPTA_OBJ_UNTYPED,
								      KFIX_UT_BITS,
								      0,
								      0,
								      i,
								      1};

					FUZZ_CHECK(call((uint64_t)(ut - kf.root),
							SEPTA_UNTYPED_RETYPE, 1, r, 6,
							t) == SEPTA_OK);
					FUZZ_CHECK(kf.root[i].cap.type == CAP_UNTYPED &&
						   kf.root[i].cap.obj ==
						       (uintptr_t)kf.ut_mem);
					break;
				}
	}
	kfix_teardown();
	return 0;
}
