/*
 * The bound on kernel work: for each operation, the worst case this
 * program can build, in instructions per call and in the longest single
 * kernel entry (interrupts are masked in the kernel, so that entry is the
 * latency the operation adds to everyone else). The kernel it runs on
 * (septa_kernel_stats) times its entries; -icount shift=0 makes the counter
 * count instructions.
 */
#include <septa/ipc.h>
#include <septa/syscall.h>
#include <stdio.h>
#include <string.h>
#include "boundbench.h"
#include "icount.h"

const struct septa_bootinfo *bb_bi;
uint64_t bb_ut; /* the largest Untyped */
int bb_bad;

/* The kernel's record of its longest entry since the last call, reset. */
static uint64_t entry_max_ticks(void)
{
	register long x0 __asm__("x0") = 0;
	register long x1 __asm__("x1") = 0;
	register long x2 __asm__("x2") = 0;
	register long x7 __asm__("x7") = SEPTA_SYS_TEST_ENTRY_MAX;

	__asm__ volatile("svc #0" : "+r"(x0), "+r"(x1), "+r"(x2) : "r"(x7) : "memory");
	if (x0 != SEPTA_OK) {
		printf("boundbench: BUG: this kernel does not time its entries (%ld)\n",
		       x0);
		bb_bad++;
	}
	return (uint64_t)x1;
}

void bb_begin(struct bb_run *r)
{
	entry_max_ticks();
	r->t0 = icount_now();
}

void bb_end(struct bb_run *r, const char *what, unsigned calls)
{
	uint64_t ticks = icount_now() - r->t0, longest = entry_max_ticks();
	uint64_t per = icount_tenths(ticks, calls ? calls : 1),
		 max = icount_tenths(longest, 1);

	printf("boundbench: %s: %llu.%llu instructions per call, longest kernel entry "
	       "%llu instructions\n",
	       what, (unsigned long long)per / 10, (unsigned long long)per % 10,
	       (unsigned long long)max / 10);
}

void bb_check(bool ok, const char *what)
{
	if (!ok) {
		printf("boundbench: BUG: %s\n", what);
		bb_bad++;
	}
}

/* The floor: a system call, and a capability (not a container's) copied
 * and deleted again. */
static void case_floor(void)
{
	uint64_t tmp = bb_bi->first_free_slot;
	struct bb_run r;

	bb_begin(&r);
	for (int i = 0; i < 1000; i++)
		septa_yield();
	bb_end(&r, "yield (floor)", 1000);
	bb_begin(&r);
	for (int i = 0; i < 1000; i++) {
		long a =
		    septa_cnode_copy(SEPTA_CAP_INIT_CNODE, tmp, 64, SEPTA_CAP_INIT_CNODE,
				     SEPTA_CAP_INIT_IPC_BUFFER, 64, SEPTA_RIGHTS_ALL);
		long b = septa_cnode_delete(SEPTA_CAP_INIT_CNODE, tmp, 64);

		bb_check(!a && !b, "copy + delete");
	}
	bb_end(&r, "cnode copy + delete (floor)", 2000);
}

/* Retypes count objects into the free slots, in one call; revokes them. */
static void retype_case(const char *what, unsigned type, unsigned bits, unsigned count)
{
	uint64_t tmp = bb_bi->first_free_slot;
	struct bb_run r;
	long err;

	bb_begin(&r);
	err = septa_untyped_retype(bb_ut, type, bits, SEPTA_CAP_INIT_CNODE, 0, 0, tmp,
				   count);
	bb_end(&r, what, 1);
	bb_check(!err, what);
	bb_check(!septa_cnode_revoke(SEPTA_CAP_INIT_CNODE, bb_ut, 64),
		 "revoke after retype");
}

/* The largest retypes the largest Untyped allows: its largest frame, and
 * as many 2 MiB frames (the most memory one call can zero) and 4 KiB
 * frames as one call makes. */
static void case_retype(void)
{
	unsigned ut_bits = bb_bi->untyped[bb_ut - bb_bi->untyped_slot].size_bits;
	unsigned n2m = ut_bits >= 29 ? 256 : 1u << (ut_bits - 21);

	printf("boundbench: largest Untyped 2^%u bytes\n", ut_bits);
	if (ut_bits >= 30)
		retype_case("retype a 1 GiB frame", SEPTA_OBJ_FRAME_1G, 0, 1);
	retype_case("retype a 2 MiB frame", SEPTA_OBJ_FRAME_2M, 0, 1);
	printf("boundbench: %u 2 MiB frames\n", n2m);
	retype_case("retype 2 MiB frames, most in one call", SEPTA_OBJ_FRAME_2M, 0, n2m);
	retype_case("retype 256 4 KiB frames", SEPTA_OBJ_FRAME_4K, 0, 256);
	retype_case("retype a 2^20-slot CNode", SEPTA_OBJ_CNODE, 20, 1);
	retype_case("retype 254 VSpaces (every VMID)", SEPTA_OBJ_VSPACE, 32, 254);
}

static uint64_t next_slot;

static uint64_t mk(unsigned type, unsigned bits)
{
	uint64_t s = next_slot++;

	bb_check(
	    !septa_untyped_retype(bb_ut, type, bits, SEPTA_CAP_INIT_CNODE, 0, 0, s, 1),
	    "retype");
	return s;
}

static uint64_t table_from_ut(void *arg)
{
	(void)arg;
	return mk(SEPTA_OBJ_PAGE_TABLE, 0);
}

static const struct septa_table_source tables = {table_from_ut, NULL, NULL};

#define VIEW_IPA   0x30000000ULL /* our view of what we build */
#define GUEST_IPA  0x40000000ULL
#define MAX_GUESTS 256

/* The largest map and unmap (a 2 MiB frame, the largest this Untyped
 * holds as a block), and the largest protect: 2 MiB across two blocks,
 * both split into 512 pages with the rights of 511 changed. */
static void case_map(void)
{
	uint64_t vs, f[2], pt[2];
	struct bb_run r;

	next_slot = bb_bi->first_free_slot;
	vs = mk(SEPTA_OBJ_VSPACE, 32);
	f[0] = mk(SEPTA_OBJ_FRAME_2M, 0);
	f[1] = mk(SEPTA_OBJ_FRAME_2M, 0);
	pt[0] = mk(SEPTA_OBJ_PAGE_TABLE, 0);
	pt[1] = mk(SEPTA_OBJ_PAGE_TABLE, 0);
	bb_begin(&r);
	bb_check(!septa_frame_map(f[0], vs, 0, SEPTA_MAP_R | SEPTA_MAP_W, SEPTA_OWNED, 0,
				  NULL, NULL),
		 "map");
	bb_end(&r, "map a 2 MiB frame", 1);
	bb_begin(&r);
	bb_check(!septa_frame_unmap(f[0]), "unmap");
	bb_end(&r, "unmap a 2 MiB frame", 1);
	for (int i = 0; i < 2; i++)
		bb_check(!septa_frame_map(f[i], vs, i * 0x200000ULL,
					  SEPTA_MAP_R | SEPTA_MAP_W, SEPTA_OWNED, 0, NULL,
					  NULL),
			 "map");
	bb_begin(&r);
	bb_check(!septa_vspace_protect(vs, 4096, 2ULL << 20, SEPTA_MAP_R, 2, pt, NULL),
		 "protect");
	bb_end(&r, "protect 2 MiB over two split blocks", 1);
	bb_check(!septa_cnode_revoke(SEPTA_CAP_INIT_CNODE, bb_ut, 64), "revoke");
}

#define GIB	       (1ULL << 30)
#define MIB2	       (1ULL << 21)
#define GIANT_IPA      GIB /* a level-1 entry of a 40-bit VSpace */
#define GIANT_IPA_BITS 40

/* The frame mapped as a block where the level-1 entry is empty again,
 * then split into pages by 512 protects of one page in each 2 MiB block,
 * with l2 and the 512 level-3 tables pt: 262,144 entries in 513 tables. */
static void giant_split(uint64_t vs, uint64_t f, uint64_t l2, uint64_t pt)
{
	uint64_t out[4];

	bb_check(!septa_page_table_unmap(l2), "level-1 entry emptied");
	bb_check(!septa_frame_map(f, vs, GIANT_IPA, SEPTA_MAP_R | SEPTA_MAP_W,
				  SEPTA_OWNED, 0, NULL, NULL),
		 "map 1 GiB");
	for (unsigned i = 0; i < 512; i++) {
		uint64_t given[2] = {l2, pt + i};

		bb_check(!septa_vspace_protect(vs, GIANT_IPA + i * MIB2 + 4096, 4096,
					       SEPTA_MAP_R, i ? 1 : 2,
					       i ? given + 1 : given, NULL),
			 "split 1 GiB");
	}
	bb_check(!septa_vspace_query(vs, GIANT_IPA + GIB - 4096, out) && out[1] == 3 &&
		     out[2] == (SEPTA_MAP_R | SEPTA_MAP_W),
		 "1 GiB split into pages");
}

/*
 * A 1 GiB frame: mapped over last-level tables (refused: its pages would
 * be 262,144 entries in 513 tables), and unmapped or deleted after
 * protects split it into pages (in steps). Needs an Untyped of 2 GiB (QEMU
 * -m 3G): the frame, first for its alignment, and its 2 MiB of tables.
 */
static void case_giant(void)
{
	unsigned ut_bits = bb_bi->untyped[bb_ut - bb_bi->untyped_slot].size_bits;
	uint64_t vs, f, l2, pt, out[4];
	struct bb_run r;
	long err;

	if (ut_bits < 31) {
		printf("boundbench: BUG: no 2 GiB Untyped for the 1 GiB cases (-m 3G)\n");
		bb_bad++;
		return;
	}
	next_slot = bb_bi->first_free_slot;
	f = mk(SEPTA_OBJ_FRAME_1G, 0);
	vs = mk(SEPTA_OBJ_VSPACE, GIANT_IPA_BITS);
	l2 = mk(SEPTA_OBJ_PAGE_TABLE, 0);
	pt = next_slot;
	bb_check(!septa_page_table_map(l2, vs, GIANT_IPA, 2, NULL), "level-2 table");
	for (unsigned i = 0; i < 512; i++)
		bb_check(!septa_page_table_map(mk(SEPTA_OBJ_PAGE_TABLE, 0), vs,
					       GIANT_IPA + i * MIB2, 3, NULL),
			 "level-3 table");
	bb_begin(&r);
	err = septa_frame_map(f, vs, GIANT_IPA, SEPTA_MAP_R | SEPTA_MAP_W, SEPTA_OWNED, 0,
			      NULL, NULL);
	bb_end(&r, "map a 1 GiB frame over 512 last-level tables (refused: E_LIMIT)", 1);
	bb_check(err == SEPTA_E_LIMIT, "1 GiB map over last-level tables refused");
	if (!err)
		septa_frame_unmap(f);

	giant_split(vs, f, l2, pt);
	bb_begin(&r);
	err = septa_frame_unmap(f);
	bb_end(&r, "unmap a 1 GiB frame split into pages", 1);
	bb_check(!err && !septa_vspace_query(vs, GIANT_IPA + GIB - 4096, out) && !out[0],
		 "1 GiB unmapped");

	giant_split(vs, f, l2, pt);
	bb_begin(&r);
	err = septa_cnode_delete(SEPTA_CAP_INIT_CNODE, f, 64);
	bb_end(&r, "delete a 1 GiB frame mapped split into pages", 1);
	bb_check(!err && !septa_vspace_query(vs, GIANT_IPA + GIB - 4096, out) && !out[0],
		 "1 GiB unmapped by its deletion");
	bb_check(!septa_cnode_revoke(SEPTA_CAP_INIT_CNODE, bb_ut, 64), "revoke");
}

static void yielder(void)
{
	for (;;)
		septa_yield();
}

/*
 * The guests waiting in WFI, as many as bind (up to MAX_GUESTS): the
 * kernel walks them on every switch and timer tick. Each runs `wfi` with
 * its timer off, so it waits for good; they share one VSpace and code page.
 */
static void case_waiting_guests(void)
{
	static const uint32_t code[] = {0xd503207f, 0x17ffffff}; /* wfi; b . */
	static uint8_t stack[4096] __attribute__((aligned(16)));
	uint64_t vs, frame, view, pc = GUEST_IPA, n = 0, other;
	uint64_t regs[2] = {(uintptr_t)yielder, (uintptr_t)(stack + sizeof(stack))};
	struct bb_run r;

	next_slot = bb_bi->first_free_slot;
	vs = mk(SEPTA_OBJ_VSPACE, 32);
	frame = mk(SEPTA_OBJ_FRAME_4K, 0);
	other = mk(SEPTA_OBJ_TCB, 0);
	view = next_slot++;
	bb_check(!septa_cnode_copy(SEPTA_CAP_INIT_CNODE, view, 64, SEPTA_CAP_INIT_CNODE,
				   frame, 64, SEPTA_RIGHTS_ALL),
		 "copy");
	bb_check(!septa_frame_map_with_tables(view, SEPTA_CAP_INIT_VSPACE, VIEW_IPA,
					      SEPTA_MAP_R | SEPTA_MAP_W,
					      SEPTA_SHARED_OWNED, &tables, NULL),
		 "view");
	memcpy((void *)(uintptr_t)VIEW_IPA, code, sizeof(code));
	__asm__ volatile("dc cvau, %0; dsb ish; ic ivau, %0; dsb ish; isb" ::"r"(VIEW_IPA)
			 : "memory");
	bb_check(
	    !septa_page_table_map(mk(SEPTA_OBJ_PAGE_TABLE, 0), vs, GUEST_IPA, 3, NULL),
	    "table");
	bb_check(!septa_frame_map(frame, vs, GUEST_IPA, SEPTA_MAP_R | SEPTA_MAP_X,
				  SEPTA_SHARED_BORROWED, 0, NULL, NULL),
		 "code");
	for (; n < MAX_GUESTS; n++) {
		uint64_t tcb = mk(SEPTA_OBJ_TCB, 0), vcpu = mk(SEPTA_OBJ_VCPU, 0);

		if (septa_vcpu_set_tcb(vcpu, tcb))
			break; /* the kernel's limit */
		bb_check(!septa_tcb_configure(tcb, 0, SEPTA_CAP_INIT_CNODE, vs,
					      bb_bi->spare_frames_slot,
					      SEPTA_ROOT_SPARE_BASE) &&
			     !septa_tcb_set_priority(tcb, 255) &&
			     !septa_tcb_write_registers(tcb, 1, 1, &pc),
			 "guest");
	}
	printf("boundbench: %llu guests waiting\n", (unsigned long long)n);
	/* A thread beside us that yields back: every yield switches, and
	 * each switch arms the timer for the first waiting guest due. */
	bb_check(!septa_tcb_set_priority(SEPTA_CAP_INIT_TCB, 200) &&
		     !septa_tcb_configure(
			 other, 0, SEPTA_CAP_INIT_CNODE, SEPTA_CAP_INIT_VSPACE,
			 bb_bi->spare_frames_slot + 1, SEPTA_ROOT_SPARE_BASE + 4096) &&
		     !septa_tcb_set_priority(other, 200) &&
		     !septa_tcb_write_registers(other, 1, 2, regs),
		 "yielder");
	bb_begin(&r);
	for (int i = 0; i < 1000; i++)
		septa_yield();
	bb_end(&r, "yield to a thread and back, every guest waiting", 1000);
	septa_tcb_suspend(other);
	bb_check(!septa_cnode_revoke(SEPTA_CAP_INIT_CNODE, bb_ut, 64), "revoke");
	septa_frame_unmap(view);
	septa_cnode_delete(SEPTA_CAP_INIT_CNODE, view, 64);
}

/* Each case builds its worst case from bb_ut and the free slots from
 * bb_bi->first_free_slot on, and leaves both as it found them. */
static void (*const cases[])(void) = {
    case_floor, bb_delete_cases, case_retype,	      case_map,
    case_giant, bb_ranged_cases, case_waiting_guests,
};

int main(void)
{
	bb_bi = septa_bootinfo();
	bb_ut = bb_bi->untyped_slot;
	for (unsigned i = 1; i < bb_bi->untyped_count; i++)
		if (bb_bi->untyped[i].size_bits >
		    bb_bi->untyped[bb_ut - bb_bi->untyped_slot].size_bits)
			bb_ut = bb_bi->untyped_slot + i;
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		cases[i]();
	printf("boundbench: done, %d errors\n", bb_bad);
	septa_shutdown(bb_bad ? 1 : 0);
	return 1;
}
