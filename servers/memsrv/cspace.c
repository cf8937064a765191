/*
 * memsrv's capability space and its own kernel objects. Slots live in
 * CNodes of 2^12 under a top CNode (memsrv.h); an index of free slots
 * (bitrun.h) tracks them. Kernel objects memsrv needs (CNodes, page tables for clients'
 * VSpaces, servers' TCBs) are retyped from Untyped memory that memsrv owns:
 * first the small Untyped it booted with, then whole 2 MiB chunks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "memsrv.h"

uint64_t cs_top;
/* The free slots of sub-CNodes 1..nsubs-1, indexed by cptr (sub k's slot i
 * is unit k << CS_SUB_BITS | i): a search and cs_reserve's count of free
 * slots do not grow with the slots in use. */
static struct bitrun slots;
static unsigned nsubs = 1;

struct kobj_source {
	uint64_t ut;
	uint64_t paddr;
	uint64_t size;
	uint64_t used; /* what the kernel's watermark will be, rounded up */
};
static struct kobj_source src;
static uint64_t last_paddr;

static uint64_t obj_bytes(unsigned type, unsigned bits)
{
	switch (type) {
	case SEPTA_OBJ_UNTYPED:
		return 1ULL << bits;
	case SEPTA_OBJ_CNODE:
		return 1ULL << (bits + SEPTA_CNODE_SLOT_BITS);
	case SEPTA_OBJ_TCB:
		return 1ULL << SEPTA_TCB_BITS;
	case SEPTA_OBJ_ENDPOINT:
		return 1ULL << SEPTA_ENDPOINT_BITS;
	case SEPTA_OBJ_NOTIFICATION:
		return 1ULL << SEPTA_NTFN_BITS;
	case SEPTA_OBJ_VSPACE:
		return 1ULL << 16; /* at most: 16 concatenated roots and a header */
	default:
		return SEPTA_PAGE_SIZE;
	}
}

void kobj_add_source(uint64_t ut, uint64_t paddr, unsigned bits)
{
	src = (struct kobj_source){.ut = ut, .paddr = paddr, .size = 1ULL << bits};
}

uint64_t kobj_last_paddr(void)
{
	return last_paddr;
}

/* A fresh 2 MiB chunk of memsrv's own when the current source is short. */
static bool kobj_fits(uint64_t bytes)
{
	return ALIGN_UP_P2(src.used, bytes) + bytes <= src.size;
}

static bool kobj_room(uint64_t bytes)
{
	uint64_t first;

	if (kobj_fits(bytes))
		return true;
	if (!pool.db.pages || bytes > CHUNK_SIZE ||
	    idle_alloc(0, CHUNK_PAGES, CHUNK_PAGES, &first) != OWN_OK)
		return false;
	pool_chunk(first)->state = CH_KOBJ;
	kobj_add_source(pool_chunk(first)->ut, pool.base + first * SEPTA_PAGE_SIZE, 21);
	return true;
}

bool kobj_reserve(unsigned pages)
{
	return kobj_room(pages * SEPTA_PAGE_SIZE);
}

bool kobj_reserved(unsigned pages)
{
	return kobj_fits(pages * SEPTA_PAGE_SIZE);
}

static bool kobj_at(unsigned type, unsigned bits, uint64_t index, unsigned depth,
		    uint64_t offset)
{
	uint64_t bytes = obj_bytes(type, bits);
	long err;

	if (!kobj_room(bytes))
		return false;
	err = septa_untyped_retype(src.ut, type, bits, cs_top, index, depth, offset, 1);
	if (err) {
		printf("memsrv: retype of type %u failed: %ld\n", type, err);
		return false;
	}
	last_paddr = src.paddr + ALIGN_UP_P2(src.used, bytes);
	src.used = ALIGN_UP_P2(src.used, bytes) + bytes;
	return true;
}

static bool add_sub(void)
{
	if (nsubs == CS_SUBS || !kobj_at(SEPTA_OBJ_CNODE, CS_SUB_BITS, 0, 0, nsubs))
		return false;
	bitrun_give(&slots, (uint64_t)nsubs << CS_SUB_BITS, CS_SUB_SLOTS);
	nsubs++;
	return true;
}

void cs_init(uint64_t top_slot, uint64_t bootstrap_ut, uint64_t ut_paddr,
	     unsigned ut_bits)
{
	uint64_t *index = malloc(BITRUN_WORDS(CS_SUBS * CS_SUB_SLOTS) * sizeof(uint64_t));
	long err = index ? SEPTA_OK : SEPTA_E_NO_MEMORY;

	if (index)
		bitrun_init(&slots, index, CS_SUBS * CS_SUB_SLOTS);
	kobj_add_source(bootstrap_ut, ut_paddr, ut_bits);
	/* The top CNode, then its guard, then the root CNode in its slot 0. */
	if (!err)
		err = septa_untyped_retype(bootstrap_ut, SEPTA_OBJ_CNODE, CS_TOP_BITS,
					   SEPTA_CAP_INIT_CNODE, 0, 0, top_slot + 1, 1);
	if (!err)
		err = septa_cnode_mutate(SEPTA_CAP_INIT_CNODE, top_slot, CS_DEPTH,
					 SEPTA_CAP_INIT_CNODE, top_slot + 1, CS_DEPTH,
					 CS_TOP_GUARD);
	src.used = obj_bytes(SEPTA_OBJ_CNODE, CS_TOP_BITS);
	cs_top = top_slot;
	if (!err)
		err =
		    septa_cnode_mint(cs_top, 0, CS_SLOT_DEPTH, SEPTA_CAP_INIT_CNODE,
				     SEPTA_CAP_INIT_CNODE, CS_DEPTH, SEPTA_RIGHTS_ALL, 0);
	if (err || !add_sub()) {
		printf("memsrv: cannot build its CSpace (%ld)\n", err);
		septa_shutdown(1);
	}
}

/* A run of n > 1 slots is aligned to the power of two at or above n
 * (at most CS_SUB_SLOTS), so that it never crosses into the next
 * sub-CNode: one CNode call names it. */
static uint64_t run_align(unsigned n)
{
	uint64_t a = 1;

	while (a < n)
		a *= 2;
	return a;
}

uint64_t cs_alloc(unsigned n)
{
	uint64_t c;

	if (n != 1 && (n % 64 || n > CS_SUB_SLOTS))
		return 0;
	while (!bitrun_find(&slots, n, run_align(n), &c))
		if (!add_sub())
			return 0;
	bitrun_take(&slots, c, n);
	return c;
}

void cs_free(uint64_t cptr, unsigned n)
{
	bitrun_give(&slots, cptr, n);
}

void cs_delete(uint64_t cptr)
{
	septa_cnode_delete(cs_top, cptr, CS_DEPTH);
	cs_free(cptr, 1);
}

bool cs_reserved(unsigned n)
{
	return slots.nfree >= n;
}

bool cs_reserve(unsigned n)
{
	while (slots.nfree < n)
		if (!add_sub())
			return false;
	return true;
}

bool kobj_new_at(unsigned type, unsigned size_bits, uint64_t root_slot)
{
	return !kobj_at(type, size_bits, 0, CS_SLOT_DEPTH, root_slot);
}

uint64_t kobj_new(unsigned type, unsigned size_bits)
{
	uint64_t s = cs_alloc(1);

	if (!s)
		return 0;
	if (!kobj_at(type, size_bits, s >> CS_SUB_BITS, CS_SLOT_DEPTH,
		     s & (CS_SUB_SLOTS - 1))) {
		cs_free(s, 1);
		return 0;
	}
	return s;
}

long thread_start(uint64_t tcb, const struct thread_spec *t)
{
	uint64_t regs[] = {t->pc, t->sp, t->x0};
	long err = septa_tcb_configure(tcb, t->fault_ep, t->cspace, t->vspace,
				       t->buffer_frame, t->buffer_ipa);

	if (!err)
		err = septa_tcb_set_mcp(tcb, t->prio);
	if (!err)
		err = septa_tcb_set_priority(tcb, t->prio);
	if (!err)
		err = septa_tcb_write_registers(tcb, 1, 3, regs);
	return err;
}
