/*
 * SEPTA_REPLY_STORE (septa/fault.h): the write a faulting thread
 * attempted, performed by the kernel on its handler's reply. The handler
 * decides whether the write may happen (vmsrv's sub-page bitmaps); the
 * kernel only checks that it can happen as the thread asked and that the
 * thread had the authority: the frame capability that mapped the page had
 * Write (PTE_FRAME_W), though stage 2 maps it without. Address, size and
 * value are the fault's own words, recorded by the kernel's decoder
 * (trap.c), never the reply's. Both reply paths (endpoint.c's ipc_reply,
 * the fault fastpath) call the one check here before anything changes.
 */
#include <arch.h>
#include <object/faultmsg.h>
#include <object/vspace.h>

/* v's low 2^size_log2 bytes in reverse order. Out of line: the common,
 * little-endian case pays a test and a branch, not the swap. */
static __attribute__((noinline, cold)) uint64_t reversed(uint64_t v, unsigned size_log2)
{
	return __builtin_bswap64(v) >> (64 - (8u << size_log2));
}

int fault_store_check(const struct tcb *t, unsigned fault, struct fault_store *s)
{
	uint64_t access = t->fault_mr[SEPTA_ABORT_ACCESS],
		 ipa = t->fault_mr[SEPTA_ABORT_IPA];
	unsigned size_log2 = (unsigned)(access >> SEPTA_ACCESS_SIZE_SHIFT) & 3u;
	const struct vspace *vs;
	pte_t pte;
	unsigned level;

	if (fault != SEPTA_FAULT_ABORT)
		return SEPTA_E_LABEL;
	/* A guest's IPA comes from HPFAR_EL2, which only stage-2 faults
	 * write (trap.c's abort_ipa); a native thread's is its FAR. */
	if (!(access & SEPTA_ACCESS_VALID) ||
	    (t->vcpu && SEPTA_ACCESS_CAUSE(access) == SEPTA_CAUSE_OTHER))
		return SEPTA_E_ARG;
	if (SEPTA_ACCESS_KIND(access) != SEPTA_ACCESS_WRITE)
		return SEPTA_E_NOT_WRITE;
	/* Aligned only. The Arm ARM does not promise that the fault address
	 * of a misaligned access is its first byte (one that crosses into a
	 * protected page may report that page's start), so the kernel could
	 * not know which bytes the thread wrote. Aligned, it cannot cross
	 * the page, whose leaf is the one checked. */
	if (ipa & ((1u << size_log2) - 1))
		return SEPTA_E_ALIGN;
	vs = tcb_vspace(t);
	if (!vs || pgt_query(&vs->pgt, ipa, &pte, &level) != PGT_OK || !pte_valid(pte))
		return SEPTA_E_NOT_MAPPED;
	/* Device memory is not in the kernel's map, and a device register's
	 * write is its VMM's to emulate. */
	if (!arch_s2_normal_ram(pte))
		return SEPTA_E_NOT_RAM;
	if (!(pte & PTE_FRAME_W))
		return SEPTA_E_RIGHTS;
	s->p = vs->pgt.mm->phys_to_virt(
	    pa_init(pte_addr(pte) + (ipa & (pgt_granule(level) - 1))));
	s->size_log2 = size_log2;
	/* trap.c's stored_value: XZR's zero, cut to the size. The kernel's
	 * store is little-endian: a big-endian thread's bytes go reversed. */
	s->value = t->fault_mr[SEPTA_ABORT_VALUE];
	if (access & SEPTA_ACCESS_BIG_ENDIAN)
		s->value = reversed(s->value, size_log2);
	return SEPTA_OK;
}
