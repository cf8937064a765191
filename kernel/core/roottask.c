/*
 * The root task: the one user-level program the kernel starts itself. Its
 * ELF segments are copied into fresh pages and mapped in a stage-2 address
 * space of its own, with a boot-info page, a heap and a stack at the fixed
 * addresses of <septa/abi.h>.
 */
#include <arch.h>
#include <bootfmt/elf64.h>
#include <bootmem.h>
#include <klib.h>
#include <kprintf.h>
#include <roottask.h>
#include <septa/abi.h>
#include <thread.h>

#define ROOT_VMID   1
#define TABLE_BATCH 8
#define ROOT_E_WX   (-100) /* beyond pgt_err: a W+X segment */

static struct thread root_thread;

/* Maps with pgt_map, supplying exactly the table pages it asks for. */
static int map_pages(struct pgt *vs, uint64_t ipa, paddr_t pa, uint64_t size, pte_t attrs)
{
	paddr_t pages[TABLE_BATCH];
	struct pgt_cache cache = {pages, 0};
	struct pgt_map_req req = {
	    .pa = pa_addr(pa), .attrs = attrs, .blocks = true, .cache = &cache};
	int err = pgt_map(vs, ipa, size, &req);

	if (err != PGT_E_NO_TABLE)
		return err;
	if (req.tables > TABLE_BATCH)
		return PGT_E_NO_TABLE;
	for (unsigned i = 0; i < req.tables; i++) {
		pages[i] = bootmem_alloc(1, PAGE_SIZE);
		if (!pa_addr(pages[i]))
			return PGT_E_NO_TABLE;
	}
	cache.count = req.tables;
	return pgt_map(vs, ipa, size, &req);
}

static int map_fresh(struct pgt *vs, uint64_t ipa, uint64_t size, pte_t attrs,
		     paddr_t *out)
{
	paddr_t pa = bootmem_alloc(size / PAGE_SIZE, PAGE_SIZE);

	if (!pa_addr(pa))
		return PGT_E_NO_TABLE;
	if (out)
		*out = pa;
	return map_pages(vs, ipa, pa, size, attrs);
}

static int load_segment(struct pgt *vs, const struct elf64_segment *seg)
{
	uint64_t start = ALIGN_DOWN(seg->vaddr, PAGE_SIZE);
	uint64_t end = ALIGN_UP(seg->vaddr + seg->memsz, PAGE_SIZE);
	pte_t attrs = arch_s2_attrs(seg->flags & ELF64_PF_R, seg->flags & ELF64_PF_W,
				    seg->flags & ELF64_PF_X);
	paddr_t pa;
	int err;

	if ((seg->flags & ELF64_PF_W) && (seg->flags & ELF64_PF_X))
		return ROOT_E_WX;
	if (end > (1ULL << vs->geom.ia_bits) || end < start)
		return PGT_E_RANGE;
	err = map_fresh(vs, start, end - start, attrs, &pa);
	if (err)
		return err;
	memcpy((void *)(uintptr_t)(pa_addr(pa) + (seg->vaddr - start)), seg->data,
	       seg->filesz);
	return 0;
}

static int fail(const char *name, const char *what, int err)
{
	kprintf("septa: root task '%s': %s (error %d)\n", name, what, err);
	return err ? err : -1;
}

int roottask_start(const struct bootarc_module *mod, const struct roottask_env *env)
{
	struct thread *t = &root_thread;
	struct elf64_image img;
	struct elf64_segment seg;
	struct septa_bootinfo *bi;
	paddr_t bi_pa;
	uint64_t lo = UINT64_MAX, hi = 0;
	int err;

	strlcpy(t->name, mod->name, sizeof(t->name));
	t->is_root = true;
	err = elf64_open(&img, mod->data, mod->size);
	if (err)
		return fail(t->name, elf64_strerror(err), err);

	t->vspace.mm = &arch_s2_mm_ops;
	t->vspace.vmid = ROOT_VMID;
	pgt_geom_init(&t->vspace.geom, SEPTA_ROOT_IPA_BITS, true);
	t->vspace.root = bootmem_alloc(t->vspace.geom.root_pages,
				       t->vspace.geom.root_pages * PAGE_SIZE);
	if (!pa_addr(t->vspace.root))
		return fail(t->name, "out of memory for the stage-2 root", 0);

	for (unsigned i = 0; elf64_load_segment(&img, i, &seg); i++) {
		err = load_segment(&t->vspace, &seg);
		if (err == ROOT_E_WX)
			return fail(t->name, "segment is both writable and executable",
				    err);
		if (err == PGT_E_EXISTS)
			return fail(t->name, "segments share a page", err);
		if (err)
			return fail(t->name, "cannot map a segment", err);
		lo = seg.vaddr < lo ? seg.vaddr : lo;
		hi = seg.vaddr + seg.memsz > hi ? seg.vaddr + seg.memsz : hi;
	}

	err = map_fresh(&t->vspace, SEPTA_ROOT_BOOTINFO, PAGE_SIZE,
			arch_s2_attrs(true, false, false), &bi_pa);
	if (!err)
		err = map_fresh(&t->vspace, SEPTA_ROOT_HEAP_BASE, SEPTA_ROOT_HEAP_SIZE,
				arch_s2_attrs(true, true, false), NULL);
	if (!err)
		err = map_fresh(&t->vspace, SEPTA_ROOT_STACK_TOP - SEPTA_ROOT_STACK_SIZE,
				SEPTA_ROOT_STACK_SIZE, arch_s2_attrs(true, true, false),
				NULL);
	if (err == PGT_E_EXISTS)
		return fail(t->name, "image overlaps boot info, heap or stack", err);
	if (err)
		return fail(t->name, "cannot map boot info, heap or stack", err);

	bi = (struct septa_bootinfo *)(uintptr_t)pa_addr(bi_pa);
	bi->magic = SEPTA_BOOTINFO_MAGIC;
	bi->version = SEPTA_BOOTINFO_VERSION;
	bi->size = sizeof(*bi);
	bi->ram_base = env->ram_base;
	bi->ram_size = env->ram_size;
	bi->heap_base = SEPTA_ROOT_HEAP_BASE;
	bi->heap_size = SEPTA_ROOT_HEAP_SIZE;
	bi->stack_top = SEPTA_ROOT_STACK_TOP;
	bi->stack_size = SEPTA_ROOT_STACK_SIZE;
	strlcpy(bi->platform, env->platform, sizeof(bi->platform));
	strlcpy(bi->root_name, t->name, sizeof(bi->root_name));
	/* Last, so that it reports what the kernel really left over. */
	bi->free_base = bootmem_free_base();
	bi->free_size = bootmem_free_end() - bootmem_free_base();

	kprintf("septa: root task '%s': image %016lx-%016lx, entry %016lx, IPA %u bits\n",
		t->name, lo, hi, img.entry, t->vspace.geom.ia_bits);
	arch_thread_init_regs(t, img.entry, SEPTA_ROOT_STACK_TOP, SEPTA_ROOT_BOOTINFO);
	arch_thread_start(t);
}
