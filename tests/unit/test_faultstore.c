/*
 * SEPTA_REPLY_STORE on the host (kernel/object/faultstore.c through
 * endpoint.c's ipc_reply) and PTE_FRAME_W, the record of the frame
 * capability's Write that it checks: every map path sets it from the
 * capability, VSPACE_PROTECT (a block split too) and a retag keep it. A
 * store is performed at its size, offset and value and the thread
 * stepped over it; each refusal has its own error, stores nothing and
 * leaves the thread waiting for a reply. QEMU's captest runs the same on
 * real stage 2 and both reply paths (t_store.c).
 */
#include <core/sched.h>
#include <kernel.h>
#include <object/cap.h>
#include <object/endpoint.h>
#include <object/faultmsg.h>
#include <object/vspace.h>
#include <septa/fault.h>
#include <string.h>
#include "kfix.h"
#include "tests.h"

enum {
	FS_VSPACE = 9,
	FS_PT = 20,   /* last-level table for IPAs below 2 MiB */
	FS_RW = 21,   /* a frame with Write, mapped at FS_IPA_RW, then read-only */
	FS_RO = 22,   /* a copy of it with Read only, mapped at FS_IPA_RO */
	FS_BIG = 23,  /* a 2 MiB frame */
	FS_PT2 = 24,  /* the table a split of it takes */
	FS_COPY = 25, /* VSPACE_MAP_FRAMES' copies: two slots */
	FS_EP = 30,
};
#define FS_IPA_RW  0x1000ULL
#define FS_IPA_RO  0x2000ULL
#define FS_IPA_DEV 0x3000ULL
#define FS_IPA_BIG 0x200000ULL
#define FS_MAP_RW  (SEPTA_MAP_R | SEPTA_MAP_W)

static struct tcb *fs_t, *fs_h;
/* Set: fs_t looks like a guest's thread to the reply (a VCPU bound). */
static bool fs_as_guest;
static uint8_t fs_dev[4096] __attribute__((aligned(4096)));

static struct vspace *fs_vs(void)
{
	return (struct vspace *)(uintptr_t)kf.root[FS_VSPACE].cap.obj;
}

static pte_t fs_pte(uint64_t ipa)
{
	pte_t pte = 0;
	unsigned level;

	CU_ASSERT_EQUAL(pgt_query(&fs_vs()->pgt, ipa, &pte, &level), PGT_OK);
	return pte;
}

static long fs_map(uint64_t f, uint64_t ipa, uint64_t rights)
{
	uint64_t vs = FS_VSPACE, a[] = {ipa, rights, SEPTA_OWNED};

	return kfix_call(f, SEPTA_FRAME_MAP, 1, &vs, 3, a);
}

static long fs_protect(uint64_t ipa, uint64_t size, uint64_t keep, unsigned ncaps,
		       const uint64_t *caps)
{
	uint64_t a[] = {ipa, size, keep};

	return kfix_call(FS_VSPACE, SEPTA_VSPACE_PROTECT, ncaps, caps, 3, a);
}

static uint8_t *fs_mem(uint64_t slot)
{
	return (uint8_t *)(uintptr_t)kf.root[slot].cap.obj;
}

static struct tcb *fs_thread(uint64_t slot, uint64_t fault_ep)
{
	uint64_t caps[] = {0, FS_VSPACE, slot + 1}, args[] = {fault_ep, 0x10000};

	CU_ASSERT_EQUAL(kfix_retype(SEPTA_OBJ_TCB, 0, slot, 1), SEPTA_OK);
	CU_ASSERT_EQUAL(kfix_retype(SEPTA_OBJ_FRAME_4K, 0, slot + 1, 1), SEPTA_OK);
	CU_ASSERT_EQUAL(kfix_call(slot, SEPTA_TCB_CONFIGURE, 3, caps, 2, args), SEPTA_OK);
	return (struct tcb *)(uintptr_t)kf.root[slot].cap.obj;
}

/* A VSpace with a frame with Write mapped read-write and then made
 * read-only by VSPACE_PROTECT, a Read-only copy mapped read-only, device
 * memory with PTE_FRAME_W, a thread faulting to a handler waiting. */
static void fs_setup(void)
{
	uint64_t vs = FS_VSPACE, table[] = {0, 3};
	struct pgt_map_req dev = {.pa = (uintptr_t)fs_dev,
				  .attrs =
				      arch_s2_device_attrs(true, false) | PTE_FRAME_W};

	kfix_reset();
	CU_ASSERT_EQUAL_FATAL(kfix_retype(SEPTA_OBJ_VSPACE, 32, FS_VSPACE, 1), SEPTA_OK);
	CU_ASSERT_EQUAL_FATAL(kfix_retype(SEPTA_OBJ_PAGE_TABLE, 0, FS_PT, 1), SEPTA_OK);
	CU_ASSERT_EQUAL(kfix_call(FS_PT, SEPTA_PAGE_TABLE_MAP, 1, &vs, 2, table),
			SEPTA_OK);
	CU_ASSERT_EQUAL_FATAL(kfix_retype(SEPTA_OBJ_FRAME_4K, 0, FS_RW, 1), SEPTA_OK);
	CU_ASSERT_EQUAL(kfix_copy(FS_RO, FS_RW, SEPTA_RIGHT_READ), SEPTA_OK);
	CU_ASSERT_EQUAL(fs_map(FS_RW, FS_IPA_RW, FS_MAP_RW), SEPTA_OK);
	CU_ASSERT_EQUAL(fs_protect(FS_IPA_RW, 4096, SEPTA_MAP_R, 0, NULL), SEPTA_OK);
	CU_ASSERT_EQUAL(fs_map(FS_RO, FS_IPA_RO, SEPTA_MAP_R), SEPTA_OK);
	/* No device untyped on the host: the leaf written as FRAME_MAP of a
	 * device frame with Write would. */
	CU_ASSERT_EQUAL(pgt_map(&fs_vs()->pgt, FS_IPA_DEV, 4096, &dev), PGT_OK);
	CU_ASSERT_EQUAL_FATAL(kfix_retype(SEPTA_OBJ_ENDPOINT, 0, FS_EP, 1), SEPTA_OK);
	fs_t = fs_thread(10, FS_EP);
	fs_h = fs_thread(12, 0);
	memset(fs_mem(FS_RW), 0x5a, 4096);
	memset(fs_dev, 0x5a, sizeof(fs_dev));
}

static void fs_clean_up(void)
{
	CU_ASSERT_EQUAL(kfix_revoke(kf.ut_slot), SEPTA_OK);
	CU_ASSERT_EQUAL(kfix_tree_problems(), 0);
}

static uint64_t fs_access(unsigned kind, bool described, unsigned size_log2,
			  unsigned cause)
{
	return kind | (described ? SEPTA_ACCESS_VALID : 0) |
	       size_log2 << SEPTA_ACCESS_SIZE_SHIFT | 1u << SEPTA_ACCESS_REG_SHIFT |
	       cause << SEPTA_ACCESS_CAUSE_SHIFT;
}

/* fs_t faults with label and these words; fs_h replies label. */
static long fs_fault_reply(unsigned fault, uint64_t ipa, uint64_t access, uint64_t value,
			   uint64_t label)
{
	uint64_t mr[SEPTA_ABORT_LEN] = {[SEPTA_ABORT_PC] = 0x4000,
					[SEPTA_ABORT_IPA] = ipa,
					[SEPTA_ABORT_ACCESS] = access,
					[SEPTA_ABORT_VALUE] = value,
					[SEPTA_ABORT_FAR] = ipa};
	long err;

	endpoint_recv((struct endpoint *)(uintptr_t)kf.root[FS_EP].cap.obj, fs_h, true);
	fs_t->regs.elr = 0x4000;
	fault_raise(fs_t, fault, mr, SEPTA_ABORT_LEN);
	CU_ASSERT_EQUAL(fs_t->state, TCB_BLOCKED_REPLY);
	fs_h->regs.x[1] = septa_msginfo(label, 0, 0);
	if (!fs_as_guest)
		return ipc_reply(fs_h);
	/* Never followed: the checks refuse before anything reads it. */
	fs_t->vcpu = (struct vcpu *)(uintptr_t)fs_dev;
	err = ipc_reply(fs_h);
	fs_t->vcpu = NULL;
	return err;
}

static void fs_refused(unsigned fault, uint64_t ipa, uint64_t access, long err);

/* Every size at offsets from each end of the page and between: aligned,
 * exactly those bytes hold the value, the rest are as they were, and the
 * thread goes on after the instruction; misaligned, E_ALIGN and nothing
 * stored (fault_store_check: a misaligned access's fault address need not
 * be its first byte). */
static void test_store_sizes_offsets(void)
{
	static const uint64_t offs[] = {0,     1,     0x7f,  0x80, 0x7fc,
					0xff0, 0xff8, 0xffc, 0xfff};
	const uint64_t value = 0x1122334455667788ULL;

	fs_setup();
	for (unsigned log2 = 0; log2 < 4; log2++)
		for (unsigned i = 0; i < ARRAY_SIZE(offs); i++) {
			unsigned size = 1u << log2;
			uint8_t want[4096];
			uint64_t v =
			    log2 < 3 ? value & ((1ULL << (8 * size)) - 1) : value;

			if (offs[i] + size > 4096)
				continue;
			memset(fs_mem(FS_RW), 0x5a, 4096);
			memset(want, 0x5a, sizeof(want));
			if (offs[i] % size) {
				fs_refused(SEPTA_FAULT_ABORT, FS_IPA_RW + offs[i],
					   fs_access(SEPTA_ACCESS_WRITE, true, log2,
						     SEPTA_CAUSE_PERMISSION),
					   SEPTA_E_ALIGN);
				CU_ASSERT(memcmp(fs_mem(FS_RW), want, 4096) == 0);
				continue;
			}
			memcpy(want + offs[i], &v, size);
			CU_ASSERT_EQUAL(
			    fs_fault_reply(SEPTA_FAULT_ABORT, FS_IPA_RW + offs[i],
					   fs_access(SEPTA_ACCESS_WRITE, true, log2,
						     SEPTA_CAUSE_PERMISSION),
					   v, SEPTA_REPLY_STORE),
			    SEPTA_OK);
			CU_ASSERT(memcmp(fs_mem(FS_RW), want, 4096) == 0);
			CU_ASSERT_EQUAL(fs_t->state, TCB_RUNNABLE);
			CU_ASSERT_EQUAL(fs_t->regs.elr, 0x4004);
			CU_ASSERT_EQUAL(fs_t->fault, 0);
		}
	fs_clean_up();
}

/* A big-endian access (a guest with SCTLR_EL1.EE or E0E set, or
 * PSTATE.E in AArch32): the bytes in memory are the register's most
 * significant first, as the thread's own store would have left them. */
static void test_store_big_endian(void)
{
	static const uint8_t be[8] = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88};
	const uint64_t value = 0x1122334455667788ULL;

	fs_setup();
	for (unsigned log2 = 0; log2 < 4; log2++) {
		unsigned size = 1u << log2;
		uint64_t v = log2 < 3 ? value >> (64 - 8 * size) : value;
		uint8_t want[4096];

		memset(fs_mem(FS_RW), 0x5a, 4096);
		memset(want, 0x5a, sizeof(want));
		memcpy(want + 0x100, be, size);
		CU_ASSERT_EQUAL(fs_fault_reply(SEPTA_FAULT_ABORT, FS_IPA_RW + 0x100,
					       fs_access(SEPTA_ACCESS_WRITE, true, log2,
							 SEPTA_CAUSE_PERMISSION) |
						   SEPTA_ACCESS_BIG_ENDIAN,
					       v, SEPTA_REPLY_STORE),
				SEPTA_OK);
		CU_ASSERT(memcmp(fs_mem(FS_RW), want, 4096) == 0);
		CU_ASSERT_EQUAL(fs_t->regs.elr, 0x4004);
	}
	fs_clean_up();
}

/* A refusal: its error, nothing stored, the thread still waiting for its
 * reply (which a label 1 then gives: stopped). */
static void fs_refused(unsigned fault, uint64_t ipa, uint64_t access, long err)
{
	uint8_t *mem = ipa == FS_IPA_DEV ? fs_dev : fs_mem(FS_RW);

	CU_ASSERT_EQUAL(fs_fault_reply(fault, ipa, access, 0x77, SEPTA_REPLY_STORE), err);
	CU_ASSERT_EQUAL(fs_t->state, TCB_BLOCKED_REPLY);
	CU_ASSERT_EQUAL(fs_h->reply_to, fs_t);
	CU_ASSERT_EQUAL(fs_t->fault, fault);
	CU_ASSERT_EQUAL(fs_t->regs.elr, 0x4000);
	for (unsigned i = 0; i < 4096; i++)
		if (mem[i] != 0x5a) {
			CU_FAIL("a refused store changed memory");
			break;
		}
	fs_h->regs.x[1] = septa_msginfo(1, 0, 0);
	CU_ASSERT_EQUAL(ipc_reply(fs_h), SEPTA_OK);
	CU_ASSERT_EQUAL(fs_t->state, TCB_INACTIVE);
}

static void test_store_refusals(void)
{
	const uint64_t w4 =
	    fs_access(SEPTA_ACCESS_WRITE, true, 2, SEPTA_CAUSE_PERMISSION);

	fs_setup();
	fs_refused(SEPTA_FAULT_HVC, FS_IPA_RW, w4, SEPTA_E_LABEL);
	fs_refused(SEPTA_FAULT_SYSREG, FS_IPA_RW, w4, SEPTA_E_LABEL);
	fs_refused(SEPTA_FAULT_EXCEPTION, FS_IPA_RW, w4, SEPTA_E_LABEL);
	fs_refused(SEPTA_FAULT_ABORT, FS_IPA_RW,
		   fs_access(SEPTA_ACCESS_WRITE, false, 0, SEPTA_CAUSE_PERMISSION),
		   SEPTA_E_ARG);
	fs_refused(SEPTA_FAULT_ABORT, FS_IPA_RW,
		   fs_access(SEPTA_ACCESS_READ, true, 2, SEPTA_CAUSE_PERMISSION),
		   SEPTA_E_NOT_WRITE);
	fs_refused(SEPTA_FAULT_ABORT, FS_IPA_RW,
		   fs_access(SEPTA_ACCESS_FETCH, true, 2, SEPTA_CAUSE_PERMISSION),
		   SEPTA_E_NOT_WRITE);
	/* Crossing into the next page, by one byte and by more. */
	fs_refused(SEPTA_FAULT_ABORT, FS_IPA_RW + 0xffd, w4, SEPTA_E_ALIGN);
	fs_refused(SEPTA_FAULT_ABORT, FS_IPA_RW + 0xff9,
		   fs_access(SEPTA_ACCESS_WRITE, true, 3, SEPTA_CAUSE_PERMISSION),
		   SEPTA_E_ALIGN);
	fs_refused(SEPTA_FAULT_ABORT, FS_IPA_RW + 0xfff,
		   fs_access(SEPTA_ACCESS_WRITE, true, 1, SEPTA_CAUSE_PERMISSION),
		   SEPTA_E_ALIGN);
	fs_refused(SEPTA_FAULT_ABORT, 0x5000, w4, SEPTA_E_NOT_MAPPED);
	fs_refused(SEPTA_FAULT_ABORT, 1ULL << 32, w4, SEPTA_E_NOT_MAPPED);
	fs_refused(SEPTA_FAULT_ABORT, FS_IPA_DEV, w4, SEPTA_E_NOT_RAM);
	fs_refused(SEPTA_FAULT_ABORT, FS_IPA_RO, w4, SEPTA_E_RIGHTS);
	/* A native thread's FAR is its IPA whatever the cause; a guest's
	 * non-stage-2 abort has no IPA the kernel trusts. */
	CU_ASSERT_EQUAL(
	    fs_fault_reply(SEPTA_FAULT_ABORT, FS_IPA_RW,
			   fs_access(SEPTA_ACCESS_WRITE, true, 0, SEPTA_CAUSE_OTHER),
			   0x77, SEPTA_REPLY_STORE),
	    SEPTA_OK);
	CU_ASSERT_EQUAL(fs_mem(FS_RW)[0], 0x77);
	fs_mem(FS_RW)[0] = 0x5a;
	fs_as_guest = true;
	CU_ASSERT_EQUAL(
	    fs_fault_reply(SEPTA_FAULT_ABORT, FS_IPA_RW,
			   fs_access(SEPTA_ACCESS_WRITE, true, 0, SEPTA_CAUSE_OTHER),
			   0x77, SEPTA_REPLY_STORE),
	    SEPTA_E_ARG);
	fs_as_guest = false;
	CU_ASSERT_EQUAL(fs_mem(FS_RW)[0], 0x5a);
	fs_h->regs.x[1] = septa_msginfo(1, 0, 0);
	CU_ASSERT_EQUAL(ipc_reply(fs_h), SEPTA_OK);
	/* The thread's VSpace gone from its TCB meanwhile. */
	fs_t->slots[TCB_SLOT_VSPACE].cap.type = CAP_NULL;
	CU_ASSERT_EQUAL(
	    fs_fault_reply(SEPTA_FAULT_ABORT, FS_IPA_RW, w4, 0x77, SEPTA_REPLY_STORE),
	    SEPTA_E_NOT_MAPPED);
	fs_t->slots[TCB_SLOT_VSPACE].cap.type = CAP_VSPACE;
	fs_h->regs.x[1] = septa_msginfo(1, 0, 0);
	CU_ASSERT_EQUAL(ipc_reply(fs_h), SEPTA_OK);
	fs_clean_up();
}

/* The bit follows the capability, not the mapping's rights: FRAME_MAP
 * sets it for a frame with Write even mapped read-only; protect, a block
 * split and a retag keep it; VSPACE_MAP_FRAMES' copies have it only when
 * mapped writable (they get Write only then). */
static void test_frame_w_bit(void)
{
	uint64_t vs = FS_VSPACE, pt2 = FS_PT2, root = 0;
	uint64_t run[] = {0, 0, FS_RW, 0, 0, FS_COPY, 1, 0x8000, FS_MAP_RW, SEPTA_OWNED};

	fs_setup();
	CU_ASSERT((fs_pte(FS_IPA_RW) & PTE_FRAME_W) != 0);
	CU_ASSERT_FALSE(arch_s2_rights(fs_pte(FS_IPA_RW)) & SEPTA_MAP_W);
	CU_ASSERT((fs_pte(FS_IPA_RO) & PTE_FRAME_W) == 0);
	/* Protect keeping nothing, and a retag, keep it. */
	CU_ASSERT_EQUAL(fs_protect(FS_IPA_RW, 4096, 0, 0, NULL), SEPTA_OK);
	CU_ASSERT((fs_pte(FS_IPA_RW) & PTE_FRAME_W) != 0);
	pgt_retag_own(&fs_vs()->pgt, FS_IPA_RW, 4096, kf.root[FS_RW].cap.obj,
		      pte_owner_bits(SEPTA_SHARED_OWNED));
	CU_ASSERT_EQUAL(pte_owner(fs_pte(FS_IPA_RW)), SEPTA_SHARED_OWNED);
	CU_ASSERT((fs_pte(FS_IPA_RW) & PTE_FRAME_W) != 0);
	/* Read-only mapping of a frame with Write: the bit all the same. */
	CU_ASSERT_EQUAL(kfix_copy(FS_COPY + 2, FS_RW, SEPTA_RIGHTS_ALL), SEPTA_OK);
	CU_ASSERT_EQUAL(fs_map(FS_COPY + 2, 0x6000, SEPTA_MAP_R), SEPTA_OK);
	CU_ASSERT((fs_pte(0x6000) & PTE_FRAME_W) != 0);
	/* VSPACE_MAP_FRAMES: writable, then read-only. */
	CU_ASSERT_EQUAL(kfix_call(vs, SEPTA_VSPACE_MAP_FRAMES, 1, &root, 10, run),
			SEPTA_OK);
	CU_ASSERT((fs_pte(0x8000) & PTE_FRAME_W) != 0);
	run[5] = FS_COPY + 1;
	run[7] = 0x9000;
	run[8] = SEPTA_MAP_R;
	CU_ASSERT_EQUAL(kfix_call(vs, SEPTA_VSPACE_MAP_FRAMES, 1, &root, 10, run),
			SEPTA_OK);
	CU_ASSERT((fs_pte(0x9000) & PTE_FRAME_W) == 0);
	/* A 2 MiB block split by a protect of one page: every page keeps it,
	 * and a store into the protected one goes through. */
	CU_ASSERT_EQUAL_FATAL(kfix_retype(SEPTA_OBJ_PAGE_TABLE, 0, FS_PT2, 1), SEPTA_OK);
	CU_ASSERT_EQUAL_FATAL(kfix_retype(SEPTA_OBJ_FRAME_2M, 0, FS_BIG, 1), SEPTA_OK);
	CU_ASSERT_EQUAL(fs_map(FS_BIG, FS_IPA_BIG, FS_MAP_RW), SEPTA_OK);
	CU_ASSERT((fs_pte(FS_IPA_BIG) & PTE_FRAME_W) != 0);
	CU_ASSERT_EQUAL(fs_protect(FS_IPA_BIG + 0x5000, 4096, SEPTA_MAP_R, 1, &pt2),
			SEPTA_OK);
	for (uint64_t a = FS_IPA_BIG; a < 2 * FS_IPA_BIG; a += 0x1000)
		if (!(fs_pte(a) & PTE_FRAME_W)) {
			CU_FAIL("a page of a split block lost PTE_FRAME_W");
			break;
		}
	CU_ASSERT_FALSE(arch_s2_rights(fs_pte(FS_IPA_BIG + 0x5000)) & SEPTA_MAP_W);
	CU_ASSERT_EQUAL(
	    fs_fault_reply(SEPTA_FAULT_ABORT, FS_IPA_BIG + 0x5010,
			   fs_access(SEPTA_ACCESS_WRITE, true, 3, SEPTA_CAUSE_PERMISSION),
			   0xfeedULL, SEPTA_REPLY_STORE),
	    SEPTA_OK);
	CU_ASSERT_EQUAL(*(uint64_t *)(fs_mem(FS_BIG) + 0x5010), 0xfeedULL);
	(void)vs;
	fs_clean_up();
}

/* fs_t faults with a described 4-byte write of 0x77 at ipa; nobody
 * replies yet. */
static void fs_fault_only(uint64_t ipa)
{
	uint64_t mr[SEPTA_ABORT_LEN] = {
	    [SEPTA_ABORT_PC] = 0x4000,
	    [SEPTA_ABORT_IPA] = ipa,
	    [SEPTA_ABORT_ACCESS] =
		fs_access(SEPTA_ACCESS_WRITE, true, 2, SEPTA_CAUSE_PERMISSION),
	    [SEPTA_ABORT_VALUE] = 0x77,
	    [SEPTA_ABORT_FAR] = ipa};

	endpoint_recv((struct endpoint *)(uintptr_t)kf.root[FS_EP].cap.obj, fs_h, true);
	fs_t->regs.elr = 0x4000;
	fault_raise(fs_t, SEPTA_FAULT_ABORT, mr, SEPTA_ABORT_LEN);
	CU_ASSERT_EQUAL(fs_t->state, TCB_BLOCKED_REPLY);
}

static long fs_reply(uint64_t label)
{
	fs_h->regs.x[1] = septa_msginfo(label, 0, 0);
	return ipc_reply(fs_h);
}

static bool fs_untouched(uint64_t slot)
{
	for (unsigned i = 0; i < 4096; i++)
		if (fs_mem(slot)[i] != 0x5a)
			return false;
	return true;
}

/* The mapping changed between the fault and the reply: the check is of
 * the VSpace at the reply. Unmapped: E_NOT_MAPPED; a Read-only copy of
 * the frame mapped there instead: E_RIGHTS; protect keeping W cannot give
 * the copy's leaf PTE_FRAME_W; another frame with Write there: the store
 * goes into that one, never the old; that frame deleted: E_NOT_MAPPED.
 * Nothing is stored by a refusal, and the thread still waits. */
static void test_store_stale_mapping(void)
{
	enum { COPY = 26, OTHER = 27 };

	fs_setup();
	fs_fault_only(FS_IPA_RW);
	CU_ASSERT_EQUAL(kfix_call(FS_RW, SEPTA_FRAME_UNMAP, 0, NULL, 0, NULL), SEPTA_OK);
	CU_ASSERT_EQUAL(fs_reply(SEPTA_REPLY_STORE), SEPTA_E_NOT_MAPPED);
	CU_ASSERT_EQUAL(fs_t->state, TCB_BLOCKED_REPLY);
	CU_ASSERT_EQUAL(kfix_copy(COPY, FS_RW, SEPTA_RIGHT_READ), SEPTA_OK);
	CU_ASSERT_EQUAL(fs_map(COPY, FS_IPA_RW, SEPTA_MAP_R), SEPTA_OK);
	CU_ASSERT_EQUAL(fs_reply(SEPTA_REPLY_STORE), SEPTA_E_RIGHTS);
	CU_ASSERT_EQUAL(fs_protect(FS_IPA_RW, 4096, SEPTA_MAP_R | SEPTA_MAP_W, 0, NULL),
			SEPTA_OK);
	CU_ASSERT_EQUAL(fs_pte(FS_IPA_RW) & PTE_FRAME_W, 0);
	CU_ASSERT_FALSE(arch_s2_rights(fs_pte(FS_IPA_RW)) & SEPTA_MAP_W);
	CU_ASSERT_EQUAL(fs_reply(SEPTA_REPLY_STORE), SEPTA_E_RIGHTS);
	CU_ASSERT(fs_untouched(FS_RW));
	CU_ASSERT_EQUAL(kfix_delete(COPY), SEPTA_OK);
	CU_ASSERT_EQUAL(kfix_retype(SEPTA_OBJ_FRAME_4K, 0, OTHER, 1), SEPTA_OK);
	memset(fs_mem(OTHER), 0x5a, 4096);
	CU_ASSERT_EQUAL(fs_map(OTHER, FS_IPA_RW, SEPTA_MAP_R), SEPTA_OK);
	CU_ASSERT_EQUAL(fs_reply(SEPTA_REPLY_STORE), SEPTA_OK);
	CU_ASSERT_EQUAL(*(uint32_t *)fs_mem(OTHER), 0x77);
	CU_ASSERT(fs_untouched(FS_RW));
	CU_ASSERT_EQUAL(fs_t->regs.elr, 0x4004);
	/* Its frame deleted while the thread waits. */
	*(uint32_t *)fs_mem(OTHER) = 0x5a5a5a5a;
	fs_fault_only(FS_IPA_RW);
	CU_ASSERT_EQUAL(kfix_delete(OTHER), SEPTA_OK);
	CU_ASSERT_EQUAL(fs_reply(SEPTA_REPLY_STORE), SEPTA_E_NOT_MAPPED);
	CU_ASSERT_EQUAL(fs_t->fault, SEPTA_FAULT_ABORT);
	CU_ASSERT_EQUAL(fs_reply(1), SEPTA_OK);
	CU_ASSERT_EQUAL(fs_t->state, TCB_INACTIVE);
	fs_clean_up();
}

/* The thread taken away from its fault: suspended (its reply is gone:
 * E_NO_REPLY, nothing stored, no fault left to store later), or its
 * handler's reply given to a later caller (a STORE label to a plain call
 * is a message label: nothing stored in the old caller's page); its
 * VSpace deleted (E_NOT_MAPPED). */
static void test_store_thread_changed(void)
{
	fs_setup();
	memset(fs_mem(FS_RW), 0x5a, 4096);
	fs_fault_only(FS_IPA_RW);
	CU_ASSERT_EQUAL(kfix_call(10, SEPTA_TCB_SUSPEND, 0, NULL, 0, NULL), SEPTA_OK);
	CU_ASSERT_EQUAL(fs_t->fault, 0);
	CU_ASSERT_EQUAL(fs_reply(SEPTA_REPLY_STORE), SEPTA_E_NO_REPLY);
	CU_ASSERT(fs_untouched(FS_RW));
	CU_ASSERT_EQUAL(fs_t->state, TCB_INACTIVE);
	/* The VSpace revoked: its copy in the thread goes with it. */
	fs_fault_only(FS_IPA_RW);
	CU_ASSERT_EQUAL(kfix_revoke(FS_VSPACE), SEPTA_OK);
	CU_ASSERT_PTR_NULL(tcb_vspace(fs_t));
	CU_ASSERT_EQUAL(fs_reply(SEPTA_REPLY_STORE), SEPTA_E_NOT_MAPPED);
	CU_ASSERT(fs_untouched(FS_RW));
	CU_ASSERT_EQUAL(fs_reply(1), SEPTA_OK);
	fs_clean_up();
}

/* A 2 MiB block protected whole stays one leaf (level 2): the store goes
 * at the IPA's offset in the block, near its end and its start. */
static void test_store_block_offsets(void)
{
	static const uint64_t offs[] = {0, 0x1000, 0x12340, 0x1ffff8};

	fs_setup();
	CU_ASSERT_EQUAL_FATAL(kfix_retype(SEPTA_OBJ_FRAME_2M, 0, FS_BIG, 1), SEPTA_OK);
	CU_ASSERT_EQUAL(fs_map(FS_BIG, FS_IPA_BIG, FS_MAP_RW), SEPTA_OK);
	CU_ASSERT_EQUAL(fs_protect(FS_IPA_BIG, FS_IPA_BIG, SEPTA_MAP_R, 0, NULL),
			SEPTA_OK);
	for (unsigned i = 0; i < ARRAY_SIZE(offs); i++) {
		pte_t pte;
		unsigned level;

		CU_ASSERT_EQUAL(
		    pgt_query(&fs_vs()->pgt, FS_IPA_BIG + offs[i], &pte, &level), PGT_OK);
		CU_ASSERT_EQUAL(level, 2);
		memset(fs_mem(FS_BIG), 0, 1u << 21);
		CU_ASSERT_EQUAL(fs_fault_reply(SEPTA_FAULT_ABORT, FS_IPA_BIG + offs[i],
					       fs_access(SEPTA_ACCESS_WRITE, true, 3,
							 SEPTA_CAUSE_PERMISSION),
					       0xfeed0000 + i, SEPTA_REPLY_STORE),
				SEPTA_OK);
		CU_ASSERT_EQUAL(*(uint64_t *)(fs_mem(FS_BIG) + offs[i]), 0xfeed0000 + i);
		for (uint64_t j = 0; j < (1u << 21) / 8; j++)
			if (j != offs[i] / 8 && ((uint64_t *)fs_mem(FS_BIG))[j]) {
				CU_FAIL("a block's store went elsewhere too");
				break;
			}
	}
	fs_clean_up();
}

/* VSPACE_MAP_FRAMES of a frame with Write mapped read-only: its copy has
 * no Write, so neither has the leaf (E_RIGHTS); mapped writable and then
 * protected read-only, the store goes through. */
static void test_store_map_frames_runs(void)
{
	uint64_t vs = FS_VSPACE, root = 0;
	uint64_t run[] = {0,	   0, FS_RW,  0,	   0,
			  FS_COPY, 1, 0x8000, SEPTA_MAP_R, SEPTA_OWNED};

	fs_setup();
	CU_ASSERT_EQUAL(kfix_call(vs, SEPTA_VSPACE_MAP_FRAMES, 1, &root, 10, run),
			SEPTA_OK);
	fs_refused(SEPTA_FAULT_ABORT, 0x8000,
		   fs_access(SEPTA_ACCESS_WRITE, true, 2, SEPTA_CAUSE_PERMISSION),
		   SEPTA_E_RIGHTS);
	run[5] = FS_COPY + 1;
	run[7] = 0x9000;
	run[8] = FS_MAP_RW;
	CU_ASSERT_EQUAL(kfix_call(vs, SEPTA_VSPACE_MAP_FRAMES, 1, &root, 10, run),
			SEPTA_OK);
	CU_ASSERT_EQUAL(fs_protect(0x9000, 4096, SEPTA_MAP_R, 0, NULL), SEPTA_OK);
	CU_ASSERT_EQUAL(
	    fs_fault_reply(SEPTA_FAULT_ABORT, 0x9008,
			   fs_access(SEPTA_ACCESS_WRITE, true, 2, SEPTA_CAUSE_PERMISSION),
			   0x1234, SEPTA_REPLY_STORE),
	    SEPTA_OK);
	CU_ASSERT_EQUAL(*(uint32_t *)(fs_mem(FS_RW) + 8), 0x1234);
	fs_clean_up();
}

void suite_faultstore(void)
{
	CU_pSuite s = CU_add_suite("faultstore", kfix_suite_init, kfix_suite_clean);

	CU_add_test(s, "a STORE reply stores at every size and offset",
		    test_store_sizes_offsets);
	CU_add_test(s, "a big-endian access's STORE stores its bytes big-endian",
		    test_store_big_endian);
	CU_add_test(s, "each refused STORE has its error and changes nothing",
		    test_store_refusals);
	CU_add_test(s, "PTE_FRAME_W follows the frame capability's Write",
		    test_frame_w_bit);
	CU_add_test(s, "a STORE is checked against the mapping at the reply",
		    test_store_stale_mapping);
	CU_add_test(s, "a STORE to a thread suspended or without its VSpace",
		    test_store_thread_changed);
	CU_add_test(s, "a STORE into an unsplit 2 MiB block at its offset",
		    test_store_block_offsets);
	CU_add_test(s, "a STORE into VSPACE_MAP_FRAMES' read-only and writable runs",
		    test_store_map_frames_runs);
}
