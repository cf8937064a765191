/*
 * The hostile guest fuzzer: seeded random hypercalls (every function ID
 * vmsrv knows, in both conventions, and random ones, with arguments biased
 * to boundaries), random MMIO reads and writes of 1, 2, 4 and 8 bytes over
 * its whole IPA space (its RAM, the vGIC distributor and redistributors,
 * the PL011, nothing at all), random trapped system registers, SGIs and
 * PSCI calls (CPU_ON with bad entry points and bad MPIDRs among good ones).
 * Beside it tests/guests/steady.c must keep going; vmsrv and the kernel
 * must stay up.
 *
 * The sequence depends only on the seed: one vCPU draws and issues every
 * operation (the second, when started, only turns itself off), so a seed
 * replays. The seed and the count come from the bootargs (fuzz.seed=N,
 * fuzz.ops=N; the last of each wins, so the machine's, given to QEMU with
 * -append, override the configuration's); fuzz.verbose=1 prints every
 * operation before it is issued. docs/testing.md says how to replay.
 *
 * What it must not do to itself, it does not: no SYSTEM_OFF, SYSTEM_RESET
 * or CPU_OFF of vCPU 0 in the random stream, no writes over its own code,
 * data and stack, no CPU_ON into RAM that is not code, no WFI (nothing
 * might wake it). Once done it rings
 * steady's doorbell with DONE_VALUE and then does one thing vmsrv must
 * stop it for: it points its exception vector at nothing and faults.
 */
#include "lib/glib.h"

#define RAM	    0x40000000UL
#define RAM_END	    0x41000000UL
#define SCRATCH	    0x40300000UL /* writable: above the image, below the dtb */
#define SCRATCH_END 0x40e00000UL
#define SHARE	    0x40400000UL
#define GICD	    0x08000000UL
#define GICR	    0x080a0000UL /* two vCPUs' frames, 0x20000 each */
#define UNMAPPED    0x20000000UL
#define STEADY	    1u		/* steady's VM id */
#define DONE_VALUE  0x5e97f022u /* steady stops on this doorbell only */

extern char guest_secondary_entry[];
static uint8_t secondary_stack[4096] __attribute__((aligned(16)));
static uint64_t rng, verbose;

/* splitmix64: every seed, 0 too, gives a full-period stream. */
static uint64_t rnd(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t below(uint64_t n)
{
	return rnd() % n;
}

/* An argument: boundaries half the time, then small numbers, then any. */
static uint64_t arg(void)
{
	static const uint64_t edge[] = {0,
					1,
					2,
					3,
					0x7fffffffULL,
					0x80000000ULL,
					0xffffffffULL,
					0x100000000ULL,
					1ULL << 63,
					~0ULL,
					~0ULL - 1,
					RAM,
					RAM_END,
					RAM_END - 0x1000,
					SHARE,
					SHARE + 0x1000,
					SHARE + 0x10000,
					SHARE - 0x1000,
					0x40800000,
					1ULL << 40,
					(1ULL << 40) - 0x1000,
					1ULL << 44,
					0x1000,
					16,
					17,
					255,
					256,
					1024};

	switch (below(4)) {
	case 0:
	case 1:
		return edge[below(sizeof(edge) / sizeof(edge[0]))];
	case 2:
		return below(8);
	default:
		return below(2) ? rnd() : rnd() & 0xfffffff000ULL;
	}
}

/* Every function ID vmsrv serves, and its neighbours. */
static const uint32_t known_fn[] = {
    PSCI_VERSION,
    PSCI_CPU_SUSPEND,
    PSCI_SMC32(PSCI_CPU_SUSPEND),
    PSCI_CPU_ON,
    PSCI_SMC32(PSCI_CPU_ON),
    PSCI_AFFINITY_INFO,
    PSCI_SMC32(PSCI_AFFINITY_INFO),
    PSCI_MIGRATE_INFO_TYPE,
    PSCI_FEATURES,
    SMCCC_VERSION,
    SMCCC_ARCH_FEATURES,
    SMCCC_ARCH_WORKAROUND_1,
    SMCCC_ARCH_WORKAROUND_2,
    SMCCC_ARCH_WORKAROUND_3,
    SEPTA_HC_CALL_COUNT,
    SEPTA_HC_UID,
    SEPTA_HC_REVISION,
    SEPTA_HC_VM_INFO,
    SEPTA_HC_SHARE,
    SEPTA_HC_UNSHARE,
    SEPTA_HC_LEND,
    SEPTA_HC_RECLAIM,
    SEPTA_HC_DOORBELL,
    SEPTA_HC_MAILBOX,
    SEPTA_HC_EXIT_STATS,
    PSCI_SMC32(SEPTA_HC_SHARE),
    PSCI_SMC32(SEPTA_HC_LEND),
    PSCI_SMC32(SEPTA_HC_VM_INFO),
};

/* Calls that would end this guest's run (vmsrv reads 32 bits of x0). */
static bool terminal(uint64_t fn)
{
	uint32_t f = (uint32_t)fn;

	return f == PSCI_SYSTEM_OFF || f == PSCI_SYSTEM_RESET || f == PSCI_CPU_OFF;
}

static uint64_t random_fn(void)
{
	switch (below(4)) {
	case 0:
	case 1:
		return known_fn[below(sizeof(known_fn) / sizeof(known_fn[0]))];
	case 2: /* near the served ranges */
		return (uint32_t[]){0x84000000u, 0xc4000000u, 0x80000000u,
				    0x86000000u, 0xc6000000u, 0x8600ff00u}[below(6)] +
		       below(0x40);
	default:
		return below(2) ? (uint32_t)rnd() : rnd();
	}
}

/* CPU_ON's entry as vmsrv will take it (an SMC32 call's arguments are 32
 * bits): anything in RAM that is not the secondary's entry would run
 * whatever is there, so it is made odd, which vmsrv refuses. */
static uint64_t safe_entry(uint64_t fn, uint64_t entry)
{
	uint64_t e = fn & 0x40000000u ? entry : entry & 0xffffffffu;

	if (e >= RAM && e < RAM_END && e != (uint64_t)guest_secondary_entry)
		entry |= 1;
	return entry;
}

static void op_hypercall(void)
{
	uint64_t fn = random_fn(), a[5];

	for (unsigned i = 0; i < 5; i++)
		a[i] = arg();
	/* This guest's own end it does not call, and no doorbell of its carries
	 * the value steady stops on. */
	if (terminal(fn) || (uint32_t)a[1] == DONE_VALUE)
		fn = SMCCC_VERSION;
	if ((uint32_t)fn == PSCI_CPU_ON || (uint32_t)fn == PSCI_SMC32(PSCI_CPU_ON))
		a[1] = safe_entry(fn, a[1]);
	if (verbose)
		gprintf("fuzz: call %lx(%lx, %lx, %lx, %lx, %lx)\n", fn, a[0], a[1], a[2],
			a[3], a[4]);
	if (below(4))
		hvc(fn, a[0], a[1], a[2], a[3], a[4]);
	else
		smc(fn, a[0], a[1], a[2]);
}

/* Bad entry points and bad MPIDRs, and sometimes vCPU 1 properly. */
static void op_psci(void)
{
	static const uint64_t bad_entry[] = {0,		 1,	   RAM + 2,  RAM_END,
					     ~0ULL,	 GICD,	   UNMAPPED, RAM - 4,
					     1ULL << 63, 0x9000000};
	static const uint64_t bad_mpidr[] = {
	    2, 7, 0x100, 1ULL << 24 | 1, 1ULL << 32, ~0ULL, 0xff00000001ULL, 1ULL << 31};
	uint64_t mpidr, entry,
	    ctx = (uint64_t)(secondary_stack + sizeof(secondary_stack));

	switch (below(4)) {
	case 0: /* a bad entry point for either vCPU */
		mpidr = below(2);
		entry = bad_entry[below(sizeof(bad_entry) / sizeof(bad_entry[0]))];
		break;
	case 1:
		mpidr = bad_mpidr[below(sizeof(bad_mpidr) / sizeof(bad_mpidr[0]))];
		entry = (uint64_t)guest_secondary_entry;
		break;
	case 2: /* vCPU 1 on (ALREADY_ON while it is) */
		mpidr = 1;
		entry = (uint64_t)guest_secondary_entry;
		break;
	default:
		mpidr = arg();
		entry = arg();
		ctx = arg();
		break;
	}
	if (below(2)) {
		uint64_t fn = below(2) ? PSCI_CPU_ON : PSCI_SMC32(PSCI_CPU_ON);

		entry = safe_entry(fn, entry);
		if (verbose)
			gprintf("fuzz: CPU_ON %lx(%lx, %lx, %lx)\n", fn, mpidr, entry,
				ctx);
		hvc(fn, mpidr, entry, ctx, 0, 0);
	} else
		hvc(PSCI_AFFINITY_INFO, below(3), below(4) ? 0 : arg(), 0, 0, 0);
}

/* The second vCPU's whole life: an SGI back, and off. */
void guest_secondary(void)
{
	__asm__ volatile("msr S3_0_C12_C11_5, %0; isb" ::"r"(3UL << 24 | 1UL));
	hvc(PSCI_CPU_OFF, 0, 0, 0, 0, 0);
}

static uint64_t random_address(bool write)
{
	switch (below(6)) {
	case 0:
		return GICD + below(0x10000);
	case 1:
		return GICR + below(0x40000);
	case 2:
		return GUEST_UART + (below(2) ? below(0x50) : below(0x1000));
	case 3:
		return write ? SCRATCH + below(SCRATCH_END - SCRATCH)
			     : RAM + below(RAM_END - RAM);
	case 4:
		return UNMAPPED + below(0x1000);
	default:
		return below(2) ? arg() : below(1ULL << 40);
	}
}

/* One access of 1 << size bytes; one instruction, which the abort handler
 * steps over if it faults. */
static void access(uint64_t a, unsigned size, bool write, uint64_t v)
{
	if (write) {
		switch (size) {
		case 0:
			__asm__ volatile("strb %w0, [%1]" ::"r"(v), "r"(a) : "memory");
			break;
		case 1:
			__asm__ volatile("strh %w0, [%1]" ::"r"(v), "r"(a) : "memory");
			break;
		case 2:
			__asm__ volatile("str %w0, [%1]" ::"r"(v), "r"(a) : "memory");
			break;
		default:
			__asm__ volatile("str %0, [%1]" ::"r"(v), "r"(a) : "memory");
			break;
		}
		return;
	}
	switch (size) {
	case 0:
		__asm__ volatile("ldrb %w0, [%1]" : "+r"(v) : "r"(a) : "memory");
		break;
	case 1:
		__asm__ volatile("ldrh %w0, [%1]" : "+r"(v) : "r"(a) : "memory");
		break;
	case 2:
		__asm__ volatile("ldr %w0, [%1]" : "+r"(v) : "r"(a) : "memory");
		break;
	default:
		__asm__ volatile("ldr %0, [%1]" : "+r"(v) : "r"(a) : "memory");
		break;
	}
}

static void op_mmio(void)
{
	bool write = below(2);
	unsigned size = (unsigned)below(4);
	uint64_t a = random_address(write), v = arg();

	/* Its own image and stack stay its own, wherever a write lands. */
	if (write && a >= RAM && a < RAM_END && (a < SCRATCH || a >= SCRATCH_END))
		write = false;
	if (verbose)
		gprintf("fuzz: %s%u %lx = %lx\n", write ? "write" : "read", 8u << size, a,
			v);
	access(a, size, write, v);
}

/* System registers that trap to vmsrv (debug, PMU, ACTLR, implementation
 * defined, the SGI registers), each a read and a write. */
#define SYSREG(name)                                                                     \
	static void rd_##name(uint64_t v)                                                \
	{                                                                                \
		__asm__ volatile("mrs %0, " #name : "=r"(v)::"memory");                  \
	}                                                                                \
	static void wr_##name(uint64_t v)                                                \
	{                                                                                \
		__asm__ volatile("msr " #name ", %0; isb" ::"r"(v) : "memory");          \
	}
/* Laid out by hand: clang-format keeps no layout of this list. */
/* clang-format off */
#define SYSREGS(X) \
	X(pmcr_el0) X(pmccntr_el0) X(pmuserenr_el0) X(pmcntenset_el0) \
	X(mdscr_el1) X(dbgbvr0_el1) X(dbgbcr0_el1) X(dbgwvr0_el1) X(oslar_el1) \
	X(actlr_el1) X(S3_1_C15_C2_0) X(S3_1_C15_C2_1) \
	X(S3_0_C12_C11_5) X(S3_0_C12_C11_6) X(S3_0_C12_C11_7)
/* clang-format on */
SYSREGS(SYSREG)
#define ENTRY(name) {rd_##name, wr_##name, #name},
static const struct {
	void (*rd)(uint64_t), (*wr)(uint64_t);
	const char *name;
} sysregs[] = {SYSREGS(ENTRY)};

static void op_sysreg(void)
{
	unsigned i = (unsigned)below(sizeof(sysregs) / sizeof(sysregs[0]));
	bool write = below(2);
	uint64_t v = arg();

	if (verbose)
		gprintf("fuzz: %s %s %lx\n", write ? "msr" : "mrs", sysregs[i].name, v);
	(write ? sysregs[i].wr : sysregs[i].rd)(v);
}

/* ICC_SGI1R_EL1 with any targets, affinities, INTIDs and routing mode. */
static void op_sgi(void)
{
	uint64_t v = below(2) ? rnd() : (below(16) << 24 | below(4) | below(2) << 40);

	if (verbose)
		gprintf("fuzz: sgi %lx\n", v);
	__asm__ volatile("msr S3_0_C12_C11_5, %0; isb" ::"r"(v) : "memory");
}

enum { K_HVC, K_PSCI, K_MMIO, K_SYSREG, K_SGI, KINDS };
static const char *const kind_name[KINDS] = {"hypercalls", "psci", "mmio", "sysregs",
					     "sgis"};
static void (*const kind_op[KINDS])(void) = {op_hypercall, op_psci, op_mmio, op_sysreg,
					     op_sgi};

void guest_main(uint64_t dtb)
{
	uint64_t seed = guest_bootarg(dtb, "fuzz.seed=", 1);
	uint64_t ops = guest_bootarg(dtb, "fuzz.ops=", 100000);
	uint64_t count[KINDS] = {0};

	verbose = guest_bootarg(dtb, "fuzz.verbose=", 0);
	rng = seed;
	gic_init();
	gic_enable_private(0, 3);
	gprintf("fuzz: seed %lu, %lu operations\n", seed, ops);
	for (uint64_t i = 1; i <= ops; i++) {
		unsigned k = (unsigned)below(KINDS);

		kind_op[k]();
		count[k]++;
		if (i % 10000 == 0)
			gprintf("fuzz: %lu operations\n", i);
	}
	for (unsigned k = 0; k < KINDS; k++)
		gprintf("fuzz: %lu %s\n", count[k], kind_name[k]);
	gprintf("fuzz: done, seed %lu, %u aborts taken\n", seed, guest_aborts);
	/* Busy: steady has not read a doorbell of the stream yet. */
	while (hvc(SEPTA_HC_DOORBELL, STEADY, DONE_VALUE, 0, 0, 0).x0 == SEPTA_HC_E_BUSY)
		__asm__ volatile("wfe" ::: "memory");
	/* The one thing vmsrv must stop it for: a vector that faults. */
	__asm__ volatile("msr vbar_el1, %0; isb; ldr xzr, [%0]" ::"r"(UNMAPPED)
			 : "memory");
	gprintf("fuzz: FAIL: still running after its vector faulted\n");
}
