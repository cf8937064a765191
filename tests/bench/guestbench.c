/*
 * Guest exits under -icount shift=0 (one instruction per nanosecond, so the
 * counter counts instructions): a guest's HVC round trip through a
 * user-level VMM, an emulated MMIO write, a store into a page mapped
 * without W that the VMM lets the kernel perform (SEPTA_REPLY_STORE: what
 * sub-page write protection costs a permitted write, less vmsrv's
 * decision), and a stage-2 fault on guest RAM
 * served by mapping one 4 KiB page, without and with a missing table. Each
 * figure is the whole exit: guest, kernel and the VMM's work (its map
 * invocations included), from one exit's arrival to the next one's.
 */
#include <septa/ipc.h>
#include <septa/syscall.h>
#include <stdio.h>
#include "icount.h"
#include <string.h>

extern const uint8_t guest_bench_start[], guest_bench_end[];
extern const uint8_t guest_tick_start[], guest_tick_end[];
void bench_spin(volatile uint64_t *count);

static const struct septa_bootinfo *bi;
static uint64_t ut, next_slot;

static uint64_t mk(unsigned type, unsigned bits)
{
	uint64_t s = next_slot++;

	if (septa_untyped_retype(ut, type, bits, SEPTA_CAP_INIT_CNODE, 0, 0, s, 1)) {
		printf("guestbench: out of memory\n");
		septa_shutdown(1);
	}
	return s;
}

static uint64_t new_table(void *arg)
{
	(void)arg;
	return mk(SEPTA_OBJ_PAGE_TABLE, 0);
}

static const struct septa_table_source tables = {new_table, NULL, NULL};

/* Maps a fresh page at ipa, adding a level-3 table if the walk says so. */
static void demand_map(uint64_t vs, uint64_t ipa)
{
	long err = septa_frame_map_with_tables(mk(SEPTA_OBJ_FRAME_4K, 0), vs, ipa,
					       SEPTA_MAP_R | SEPTA_MAP_W, SEPTA_OWNED,
					       &tables, NULL);

	if (err) {
		printf("guestbench: map failed: %ld\n", err);
		septa_shutdown(1);
	}
}

static void report(const char *what, uint64_t ticks, uint64_t n)
{
	uint64_t x10 = icount_tenths(ticks, n);

	printf("guestbench: %s: %llu.%llu instructions (%llu rounds)\n", what,
	       (unsigned long long)x10 / 10, (unsigned long long)x10 % 10,
	       (unsigned long long)n);
}

#define GUEST_IPA 0x40000000ULL

/* A guest in a fresh 36-bit VSpace (returned in *vs) running code at
 * GUEST_IPA, which we write through our own view of its page at view_ipa;
 * faults to ep, IPC buffer the spare frame `spare`. Started. */
static uint64_t guest_start(const uint8_t *start, const uint8_t *end, uint64_t view_ipa,
			    unsigned spare, uint64_t ep, uint64_t *vs)
{
	uint64_t code = mk(SEPTA_OBJ_FRAME_4K, 0), view = next_slot++, pc = GUEST_IPA;
	uint64_t tcb = mk(SEPTA_OBJ_TCB, 0), vcpu = mk(SEPTA_OBJ_VCPU, 0);

	*vs = mk(SEPTA_OBJ_VSPACE, 36);
	septa_cnode_copy(SEPTA_CAP_INIT_CNODE, view, 64, SEPTA_CAP_INIT_CNODE, code, 64,
			 SEPTA_RIGHTS_ALL);
	septa_frame_map(view, SEPTA_CAP_INIT_VSPACE, view_ipa, SEPTA_MAP_R | SEPTA_MAP_W,
			SEPTA_SHARED_OWNED, 0, NULL, NULL);
	memcpy((void *)(uintptr_t)view_ipa, start, (size_t)(end - start));
	for (uintptr_t p = view_ipa; p < view_ipa + 4096; p += 64)
		__asm__ volatile("dc cvau, %0; ic ivau, %0" ::"r"(p) : "memory");
	__asm__ volatile("dsb ish; isb" ::: "memory");
	septa_page_table_map(mk(SEPTA_OBJ_PAGE_TABLE, 0), *vs, GUEST_IPA, 2, NULL);
	septa_page_table_map(mk(SEPTA_OBJ_PAGE_TABLE, 0), *vs, GUEST_IPA, 3, NULL);
	septa_frame_map(code, *vs, GUEST_IPA, SEPTA_MAP_R | SEPTA_MAP_X,
			SEPTA_SHARED_BORROWED, 0, NULL, NULL);
	if (septa_tcb_configure(tcb, ep, SEPTA_CAP_INIT_CNODE, *vs,
				bi->spare_frames_slot + spare,
				SEPTA_ROOT_SPARE_BASE + 4096ULL * spare) ||
	    septa_vcpu_set_tcb(vcpu, tcb) || septa_tcb_write_registers(tcb, 1, 1, &pc)) {
		printf("guestbench: setup failed\n");
		septa_shutdown(1);
	}
	return tcb;
}

static uint64_t counter_ticks(uint64_t ms)
{
	return icount_frequency() / 1000 * ms;
}

/*
 * The virtual timer (tick_guest.S) beside a CPU-bound native thread below
 * the guest's priority, which counts three instructions a count: what it
 * did not get of the time, the guest's waiting and ticking cost. First the
 * guest waits 20 ms for one tick (an idle guest), then takes a tick every
 * 100 us for 20 ms. Instructions per tick: the second's loss less the
 * first's for the same time, over the ticks.
 */
static void tick_bench(void)
{
	static volatile uint64_t spun;
	static uint8_t stack[4096] __attribute__((aligned(16)));
	uint64_t ep = mk(SEPTA_OBJ_ENDPOINT, 0), vs, tcb, spin = mk(SEPTA_OBJ_TCB, 0);
	uint64_t regs[3] = {(uintptr_t)bench_spin, (uintptr_t)(stack + sizeof(stack)),
			    (uintptr_t)&spun};
	uint64_t period = counter_ticks(1) / 10, lost[2], span[2];
	const uint64_t rounds[2][2] = {{counter_ticks(20), 1}, {period, 200}};
	struct septa_msg m = {0};

	if (bi->gic_version != 3)
		return; /* the guest polls a GICv3's CPU interface */
	tcb = guest_start(guest_tick_start, guest_tick_end, GUEST_IPA + 4096, 1, ep, &vs);
	septa_tcb_set_priority(tcb, 100);
	septa_tcb_configure(spin, 0, SEPTA_CAP_INIT_CNODE, SEPTA_CAP_INIT_VSPACE,
			    bi->spare_frames_slot + 2, SEPTA_ROOT_SPARE_BASE + 8192);
	septa_tcb_set_priority(spin, 50);
	septa_tcb_write_registers(spin, 1, 3, regs);
	septa_recv(ep, &m); /* ready */
	for (unsigned r = 0; r < 2; r++) {
		uint64_t t0 = icount_now(), c0 = spun, t1, c1;

		m.info = septa_msginfo(0, 0, 2);
		m.mr[0] = rounds[r][0];
		m.mr[1] = rounds[r][1];
		septa_reply_recv(ep, &m);
		t1 = icount_now();
		c1 = spun;
		span[r] = t1 - t0;
		/* In counter ticks: the span less the spinner's part of it. */
		lost[r] = span[r] - (c1 - c0) * 3 * icount_frequency() / 1000000000ULL;
	}
	septa_cnode_delete(SEPTA_CAP_INIT_CNODE, spin, 64);
	report("idle guest (WFI), per ms not left to a CPU-bound thread", lost[0],
	       span[0] / counter_ticks(1));
	report("virtual-timer tick (arm, WFI, interrupt taken)",
	       lost[1] - lost[0] * span[1] / span[0], rounds[1][1]);
	/* Under -icount the counter follows instructions, so this is exact: a
	 * guest woken at its deadline takes its 200 ticks in 20 ms; woken only
	 * when the spinner's slice ends, it would take 200 slices. */
	printf("guestbench: %lu virtual-timer ticks %lu us apart took %lu us\n",
	       (unsigned long)rounds[1][1],
	       (unsigned long)(period * 1000 / counter_ticks(1)),
	       (unsigned long)(span[1] * 1000 / counter_ticks(1)));
}

int main(void)
{
	uint64_t ep, vs, tcb, t[6] = {0}, n[5] = {0};
	struct septa_msg m = {0};
	unsigned phase = 0;

	bi = septa_bootinfo();
	ut = bi->untyped_slot;
	for (unsigned i = 1; i < bi->untyped_count; i++)
		if (!bi->untyped[i].is_device &&
		    bi->untyped[i].size_bits >
			bi->untyped[ut - bi->untyped_slot].size_bits)
			ut = bi->untyped_slot + i;
	next_slot = bi->first_free_slot;

	ep = mk(SEPTA_OBJ_ENDPOINT, 0);
	septa_page_table_map(mk(SEPTA_OBJ_PAGE_TABLE, 0), SEPTA_CAP_INIT_VSPACE,
			     GUEST_IPA, 3, NULL);
	tcb = guest_start(guest_bench_start, guest_bench_end, GUEST_IPA, 0, ep, &vs);
	/* The RAM the guest faults on lies in two more level-1 entries. */
	septa_page_table_map(mk(SEPTA_OBJ_PAGE_TABLE, 0), vs, GUEST_IPA + (1ULL << 30), 2,
			     NULL);

	septa_recv(ep, &m);
	for (;;) {
		uint64_t label = SEPTA_MSG_LABEL(m.info), now = icount_now();
		unsigned want;

		if (label == SEPTA_FAULT_HVC && m.mr[0] == 2)
			want = 5;
		else if (label == SEPTA_FAULT_HVC)
			want = 0;
		else if (label == SEPTA_FAULT_ABORT &&
			 m.mr[SEPTA_ABORT_IPA] == 0x09000000)
			want = 1;
		else if (label == SEPTA_FAULT_ABORT &&
			 m.mr[SEPTA_ABORT_IPA] - GUEST_IPA < 4096)
			want = 2;
		else if (label == SEPTA_FAULT_ABORT && m.mr[SEPTA_ABORT_IPA] < 0x60000000)
			want = 3;
		else
			want = 4;
		if (want != phase || !t[phase])
			t[want] = now;
		phase = want;
		if (phase == 5)
			break;
		n[phase]++;
		m.info = septa_msginfo(phase == 2 ? SEPTA_REPLY_STORE : 0, 0, 0);
		if (phase >= 3) {
			demand_map(vs, m.mr[SEPTA_ABORT_IPA] & ~0xfffULL);
			m.info = septa_msginfo(SEPTA_REPLY_RETRY, 0, 0);
		}
		septa_reply_recv(ep, &m);
	}
	report("guest HVC round trip via a user-level VMM", t[1] - t[0], n[0]);
	report("guest MMIO write emulated by the VMM", t[2] - t[1], n[1]);
	report("subpage store emulated (kernel part)", t[3] - t[2], n[2]);
	report("stage-2 fault, 4 KiB page mapped, table present", t[4] - t[3], n[3]);
	report("stage-2 fault, 4 KiB page mapped, table added", t[5] - t[4], n[4]);
	septa_cnode_delete(SEPTA_CAP_INIT_CNODE, tcb, 64);
	tick_bench();
	printf("guestbench: done, %llu exits\n",
	       (unsigned long long)(n[0] + n[1] + n[2] + n[3] + n[4]));
	/* The last store done: the kernel wrote what the guest stored last. */
	septa_shutdown(n[0] == 2000 && n[1] == 2000 && n[2] == 2000 && n[3] == 256 &&
			       n[4] == 64 &&
			       *(volatile uint32_t *)(GUEST_IPA + 0xf00) == 1
			   ? 0
			   : 1);
	return 1;
}
