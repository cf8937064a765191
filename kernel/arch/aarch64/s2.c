/* Stage-2 specifics: leaf attributes and TLB maintenance by VMID. */
#include <arch.h>
#include "sysreg.h"

#define S2_MEMATTR_NORMAL_WB (0xfULL << 2)
#define S2_MEMATTR_DEVICE    (0x1ULL << 2) /* Device-nGnRE */
#define S2_MEMATTR_MASK	     (0xfULL << 2)
#define S2_AP_READ	     BIT(6)
#define S2_AP_WRITE	     BIT(7)
#define S2_SH_INNER	     (3ULL << 8)
#define S2_XN		     BIT(54)

pte_t arch_s2_attrs(bool read, bool write, bool exec)
{
	return S2_MEMATTR_NORMAL_WB | S2_SH_INNER | PTE_AF | (read ? S2_AP_READ : 0) |
	       (write ? S2_AP_WRITE : 0) | (exec ? 0 : S2_XN);
}

pte_t arch_s2_device_attrs(bool read, bool write)
{
	return S2_MEMATTR_DEVICE | PTE_AF | (read ? S2_AP_READ : 0) |
	       (write ? S2_AP_WRITE : 0) | S2_XN;
}

unsigned arch_s2_rights(pte_t pte)
{
	return ((pte & S2_AP_READ) ? SEPTA_MAP_R : 0) |
	       ((pte & S2_AP_WRITE) ? SEPTA_MAP_W : 0) |
	       ((pte & S2_XN) ? 0 : SEPTA_MAP_X);
}

unsigned arch_pa_bits(void)
{
	unsigned bits = parange_bits(read_sysreg(id_aa64mmfr0_el1));

	return bits > 48 ? 48 : bits;
}

void arch_vmid_flush(uint16_t vmid)
{
	uint64_t saved = read_sysreg(vttbr_el2);

	write_sysreg(vttbr_el2, (uint64_t)vmid << 48);
	isb();
	dsb(ishst);
	__asm__ volatile("tlbi vmalls12e1is" ::: "memory");
	dsb(ish);
	write_sysreg(vttbr_el2, saved);
	isb();
}

bool arch_s2_readable(pte_t pte)
{
	return pte_valid(pte) && (pte & S2_AP_READ);
}

/* Only frames of RAM get normal attributes (frame.c gives device frames
 * device ones), and the kernel's EL2 map covers all of RAM and no user
 * device: so this says whether the kernel may read the page itself. */
bool arch_s2_normal_ram(pte_t pte)
{
	return (pte & S2_MEMATTR_MASK) == S2_MEMATTR_NORMAL_WB;
}

void arch_fault_store(void *p, unsigned size_log2, uint64_t v)
{
	/* The line out of the cache first (written back if dirty): a guest
	 * with its caches off writes memory straight, and a stale clean copy
	 * here would otherwise be cleaned back over its other bytes. Then
	 * the thread's accesses before the store are observed first, so a
	 * store-release (STLR, which has a syndrome) keeps its ordering. */
	__asm__ volatile("dc civac, %0" ::"r"(p) : "memory");
	__asm__ volatile("dmb ish" ::: "memory");
	/* Each one instruction: the guest's own store, at its size. */
	switch (size_log2) {
	case 0:
		__asm__ volatile("strb %w1, [%0]" ::"r"(p), "r"(v) : "memory");
		break;
	case 1:
		__asm__ volatile("strh %w1, [%0]" ::"r"(p), "r"(v) : "memory");
		break;
	case 2:
		__asm__ volatile("str %w1, [%0]" ::"r"(p), "r"(v) : "memory");
		break;
	default:
		__asm__ volatile("str %1, [%0]" ::"r"(p), "r"(v) : "memory");
		break;
	}
	/* Aligned (fault_store_check), so within one cache line. */
	__asm__ volatile("dc cvac, %0" ::"r"(p) : "memory");
	dsb(sy);
}

static void *s2_phys_to_virt(paddr_t pa)
{
	return (void *)(uintptr_t)pa_addr(pa);
}

/* TLBI by IPA applies to the VMID in VTTBR_EL2, so borrow it for a moment. */
static void s2_tlb_inval(const struct pgt *pgt, uint64_t addr, unsigned level)
{
	uint64_t saved = read_sysreg(vttbr_el2);

	(void)level;
	write_sysreg(vttbr_el2, (uint64_t)pgt->vmid << 48 | pa_addr(pgt->root));
	isb();
	dsb(ishst);
	__asm__ volatile("tlbi ipas2e1is, %0" ::"r"(addr >> SEPTA_PAGE_SHIFT));
	dsb(ish);
	/* Combined stage 1+2 entries are not tagged by IPA. */
	__asm__ volatile("tlbi vmalle1is" ::: "memory");
	dsb(ish);
	write_sysreg(vttbr_el2, saved);
	isb();
}

static void s2_publish(void)
{
	dsb(ishst);
}

static void s2_tlb_inval_all(const struct pgt *pgt)
{
	arch_vmid_flush(pgt->vmid);
}

const struct pgt_mm_ops arch_s2_mm_ops = {s2_phys_to_virt, s2_tlb_inval, s2_publish,
					  s2_tlb_inval_all};
