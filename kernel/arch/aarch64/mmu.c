/*
 * The kernel's own EL2 stage-1 tables, built with the generic walker: the
 * image with W^X per section, the rest of RAM read-write and never
 * executable, and the platform's devices as Device-nGnRE. Identity mapped,
 * so physical and kernel virtual addresses are the same.
 */
#include <arch.h>
#include <klib.h>
#include <kprintf.h>
#include <plat.h>
#include "sysreg.h"

#define MAIR_NORMAL_WB 0xffULL /* attr index 0 */
#define MAIR_DEVICE    0x04ULL /* attr index 1: Device-nGnRE */
#define S1_NORMAL      (0ULL << 2)
#define S1_DEVICE      (1ULL << 2)
#define S1_AP_RW       (1ULL << 6) /* AP[1] is RES1 at EL2 */
#define S1_AP_RO       (3ULL << 6)
#define S1_SH_INNER    (3ULL << 8)
#define S1_XN	       BIT(54)

#define S1_VA_BITS    39
#define S1_POOL_PAGES 64

extern char _start[], _text_end[], _rodata_end[], _end[];

static uint8_t s1_pool[S1_POOL_PAGES][SEPTA_PAGE_SIZE]
    __attribute__((aligned(SEPTA_PAGE_SIZE)));
static paddr_t s1_pool_pa[S1_POOL_PAGES];

static void *kernel_phys_to_virt(paddr_t pa)
{
	return (void *)(uintptr_t)pa_addr(pa);
}

static void s1_tlb_inval(const struct pgt *pgt, uint64_t addr, unsigned level)
{
	(void)pgt;
	(void)level;
	dsb(ishst);
	__asm__ volatile("tlbi vae2is, %0" ::"r"(addr >> SEPTA_PAGE_SHIFT));
	dsb(ish);
	isb();
}

static void publish(void)
{
	dsb(ishst);
}

static void s1_tlb_inval_all(const struct pgt *pgt)
{
	(void)pgt;
	dsb(ishst);
	__asm__ volatile("tlbi alle2is" ::: "memory");
	dsb(ish);
	isb();
}

static const struct pgt_mm_ops s1_mm_ops = {kernel_phys_to_virt, s1_tlb_inval, publish,
					    s1_tlb_inval_all};

static struct pgt s1;
static struct pgt_cache s1_cache;

static void s1_map(uint64_t start, uint64_t end, pte_t attrs, bool blocks,
		   const char *what)
{
	struct pgt_map_req req = {
	    .pa = start, .attrs = attrs, .blocks = blocks, .cache = &s1_cache};
	int err;

	if (end <= start)
		return;
	err = pgt_map(&s1, start, end - start, &req);
	if (err) {
		kprintf(
		    "septa: cannot map %s %016lx-%016lx at EL2: error %d (tables %u)\n",
		    what, start, end, err, req.tables);
		arch_halt();
	}
}

unsigned arch_mmu_init(uint64_t ram_base, uint64_t ram_size)
{
	uint64_t kstart = (uintptr_t)_start,
		 kend = ALIGN_UP((uintptr_t)_end, SEPTA_PAGE_SIZE);
	uint64_t ps = ID_MMFR0_PARANGE(read_sysreg(id_aa64mmfr0_el1)) & TCR_PS_MASK;
	const pte_t normal = S1_NORMAL | S1_SH_INNER | PTE_AF;

	for (unsigned i = 0; i < S1_POOL_PAGES; i++)
		s1_pool_pa[i] = pa_init((uintptr_t)s1_pool[S1_POOL_PAGES - 1 - i]);
	s1_cache.pages = s1_pool_pa;
	s1_cache.count = S1_POOL_PAGES - 1;
	pgt_geom_init(&s1.geom, S1_VA_BITS, false);
	s1.root = pa_init((uintptr_t)s1_pool[0]);
	s1.mm = &s1_mm_ops;

	s1_map(kstart, (uintptr_t)_text_end, normal | S1_AP_RO, false, "kernel text");
	s1_map((uintptr_t)_text_end, (uintptr_t)_rodata_end, normal | S1_AP_RO | S1_XN,
	       true, "kernel rodata");
	s1_map((uintptr_t)_rodata_end, kend, normal | S1_AP_RW | S1_XN, false,
	       "kernel data");
	s1_map(ram_base, kstart, normal | S1_AP_RW | S1_XN, true, "RAM");
	s1_map(kend, ram_base + ram_size, normal | S1_AP_RW | S1_XN, true, "RAM");
	for (unsigned i = 0; i < plat.num_devices; i++) {
		const struct plat_region *d = &plat.devices[i];

		s1_map(ALIGN_DOWN(d->base, SEPTA_PAGE_SIZE),
		       ALIGN_UP(d->base + d->size, SEPTA_PAGE_SIZE),
		       S1_DEVICE | S1_AP_RW | S1_XN | PTE_AF, true, d->name);
	}

	/* The tables were written with the MMU and caches off; drop any stale
	 * cache lines over them before the walker may read through the cache. */
	for (uintptr_t p = (uintptr_t)s1_pool; p < (uintptr_t)(s1_pool + S1_POOL_PAGES);
	     p += 64)
		__asm__ volatile("dc ivac, %0" ::"r"(p) : "memory");
	dsb(sy);

	write_sysreg(mair_el2, MAIR_NORMAL_WB | MAIR_DEVICE << 8);
	write_sysreg(tcr_el2, TCR_T0SZ(S1_VA_BITS) | TCR_IRGN0_WBWA | TCR_ORGN0_WBWA |
				  TCR_SH0_INNER | ps << TCR_PS_SHIFT | TCR_EL2_RES1);
	write_sysreg(ttbr0_el2, pa_addr(s1.root));
	isb();
	__asm__ volatile("tlbi alle2" ::: "memory");
	dsb(ish);
	isb();
	write_sysreg(sctlr_el2, SCTLR_EL2_RES1 | SCTLR_EL2_M | SCTLR_EL2_C | SCTLR_EL2_I |
				    SCTLR_EL2_SA | SCTLR_EL2_WXN);
	isb();
	/* Only now: DC ZVA on Device memory (all of it, MMU off) faults, and
	 * the tables above were cleared by memset, so with stores. */
	arch_zero_init();
	return S1_POOL_PAGES - s1_cache.count;
}

/*
 * Zeroing. DC ZVA clears a whole block (DCZID_EL0.BS: log2 of its size in
 * words; 64 bytes on the Cortex-A72) in one instruction where
 * DCZID_EL0.DZP allows it; EL2 is never trapped. The EL2 map is Normal
 * memory everywhere a retype can clear. DC ZVA has no offset form, so a
 * block costs its DC ZVA and an ADD: ZERO_UNROLL of them a round keep the
 * loop's compare and branch to a fraction of an instruction a block
 * (about 2.2 a 64-byte block, where the rolled loop took 4). Where DC ZVA
 * is prohibited or the range is not whole blocks, unrolled STP of XZR
 * (16 bytes an instruction, 64 bytes a round) does it.
 */
#define DCZID_BS(v) ((v)&0xfULL)
#define DCZID_DZP   BIT(4)
#define ZERO_UNROLL 16u

/* Bytes one DC ZVA clears, read once at boot; 0: DC ZVA not allowed. */
static uintptr_t zva_block;

void arch_zero_init(void)
{
	uint64_t dczid = read_sysreg(dczid_el0);

	zva_block = (dczid & DCZID_DZP) ? 0 : 4UL << DCZID_BS(dczid);
}

#ifdef SEPTA_TEST_BUILD
/* SEPTA_SYS_TEST_ZERO: the store loop, as where DC ZVA is prohibited, or
 * DC ZVA again; the block in use (0: stores). */
uint64_t arch_zero_test_stores(bool stores)
{
	arch_zero_init();
	if (stores)
		zva_block = 0;
	return zva_block;
}
#endif

#define ZVA1 "dc zva, %0\n\tadd %0, %0, %2\n\t"
#define ZVA4 ZVA1 ZVA1 ZVA1 ZVA1

static void zero_zva(uintptr_t a, uintptr_t end, uintptr_t block)
{
	uintptr_t round = block * ZERO_UNROLL;

	while (end - a >= round)
		__asm__ volatile(ZVA4 ZVA4 ZVA4 ZVA4
				 : "=r"(a)
				 : "0"(a), "r"(block)
				 : "memory");
	for (; a < end; a += block)
		__asm__ volatile("dc zva, %0" ::"r"(a) : "memory");
}

/* [a, end) a multiple of 16 bytes, 16-byte aligned. */
static void zero_stp(uintptr_t a, uintptr_t end)
{
	for (; end - a >= 64; a += 64)
		__asm__ volatile(
		    "stp xzr, xzr, [%0]\n\tstp xzr, xzr, [%0, #16]\n\t"
		    "stp xzr, xzr, [%0, #32]\n\tstp xzr, xzr, [%0, #48]" ::"r"(a)
		    : "memory");
	for (; a < end; a += 16)
		__asm__ volatile("stp xzr, xzr, [%0]" ::"r"(a) : "memory");
}

void arch_zero(void *p, size_t n)
{
	uintptr_t a = (uintptr_t)p, block = zva_block;

	if (block && !((a | n) & (block - 1)))
		zero_zva(a, a + n, block);
	else if (!((a | n) & 15))
		zero_stp(a, a + n);
	else
		memset(p, 0, n);
}
