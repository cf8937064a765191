/*
 * The root task: the one thread the kernel starts itself. Its ELF segments
 * are copied into fresh pages of its own 32-bit stage-2 address space, and
 * it gets its initial objects as capabilities in its CNode: its TCB, CNode,
 * VSpace, IPC buffer, spare frames, IRQControl, the boot archive's frames
 * (read-only), and every byte of RAM the kernel did not use, as Untyped.
 * After this the kernel allocates nothing.
 */
#include <arch.h>
#include <bootfmt/elf64.h>
#include <bootmem.h>
#include <klib.h>
#include <kprintf.h>
#include <object/cap.h>
#include <object/tcb.h>
#include <object/vspace.h>
#include <plat.h>
#include <roottask.h>

/* A map of one 2 MiB slice of input addresses needs at most one new table
 * per level below the root: this many always do. */
#define TABLE_BATCH   4
#define SLICE	      (1ULL << 21)
#define ARCHIVE_FRAME (1ULL << SEPTA_ARCHIVE_FRAME_BITS)
#define ROOT_E_WX     (-100) /* beyond pgt_err: a W+X segment */

static struct cte *root_cnode;

/* Maps with pgt_map, supplying exactly the table pages it asks for. */
static int map_slice(struct pgt *vs, uint64_t ipa, uint64_t pa, uint64_t size,
		     pte_t attrs)
{
	paddr_t pages[TABLE_BATCH];
	struct pgt_cache cache = {pages, 0, NULL};
	struct pgt_map_req req = {
	    .pa = pa, .attrs = attrs, .blocks = true, .cache = &cache};
	int err = pgt_map(vs, ipa, size, &req);

	if (err != PGT_E_NO_TABLE)
		return err;
	if (req.tables > TABLE_BATCH)
		return PGT_E_NO_TABLE; /* a walker deeper than the ABI's levels */
	for (unsigned i = 0; i < req.tables; i++) {
		pages[i] = bootmem_alloc(1, SEPTA_PAGE_SIZE);
		if (!pa_addr(pages[i]))
			return PGT_E_NO_TABLE;
	}
	cache.count = req.tables;
	return pgt_map(vs, ipa, size, &req);
}

/* Any size: a slice of 2 MiB of input addresses at a time, each with the
 * tables it asks for, so no region is too large for a fixed batch. */
static int map_pages(struct pgt *vs, uint64_t ipa, paddr_t pa, uint64_t size, pte_t attrs)
{
	for (uint64_t done = 0, n; done < size; done += n) {
		int err;

		n = ALIGN_DOWN(ipa + done, SLICE) + SLICE - (ipa + done);
		n = n < size - done ? n : size - done;
		err = map_slice(vs, ipa + done, pa_addr(pa) + done, n, attrs);
		if (err)
			return err;
	}
	return 0;
}

static int map_fresh(struct pgt *vs, uint64_t ipa, uint64_t size, pte_t attrs,
		     paddr_t *out)
{
	paddr_t pa = bootmem_alloc(size / SEPTA_PAGE_SIZE, SEPTA_PAGE_SIZE);

	if (!pa_addr(pa))
		return PGT_E_NO_TABLE;
	if (out)
		*out = pa;
	return map_pages(vs, ipa, pa, size, attrs);
}

static int load_segment(struct pgt *vs, const struct elf64_segment *seg)
{
	uint64_t start = ALIGN_DOWN(seg->vaddr, SEPTA_PAGE_SIZE);
	uint64_t end = ALIGN_UP(seg->vaddr + seg->memsz, SEPTA_PAGE_SIZE);
	/* The root task owns what it is given writable: PTE_FRAME_W, as a
	 * frame capability with Write would have put there. */
	pte_t attrs = arch_s2_attrs(seg->flags & ELF64_PF_R, seg->flags & ELF64_PF_W,
				    seg->flags & ELF64_PF_X) |
		      pte_frame_w_bit(seg->flags & ELF64_PF_W);
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

static struct cte *put_cap(unsigned slot, const struct cap *c)
{
	cdt_insert(NULL, &root_cnode[slot], c);
	return &root_cnode[slot];
}

/* Free RAM as the largest naturally aligned blocks, seL4 style. */
static void give_untyped(struct septa_bootinfo *bi, unsigned slot)
{
	uint64_t a = bootmem_free_base(), end = bootmem_free_end();

	bi->untyped_slot = slot;
	while (a < end && bi->untyped_count < SEPTA_MAX_UNTYPED &&
	       slot < (1u << SEPTA_ROOT_CNODE_BITS)) {
		unsigned bits = (unsigned)__builtin_ctzll(a);
		unsigned fit = 63 - (unsigned)__builtin_clzll(end - a);
		struct cap c = {
		    .type = CAP_UNTYPED, .rights = SEPTA_RIGHTS_ALL, .obj = a};

		bits = bits < fit ? bits : fit;
		bits = bits < SEPTA_UNTYPED_MAX ? bits : SEPTA_UNTYPED_MAX;
		c.size_bits = (uint8_t)bits;
		put_cap(slot++, &c);
		bi->untyped[bi->untyped_count].paddr = a;
		bi->untyped[bi->untyped_count].size_bits = (uint8_t)bits;
		bi->untyped_count++;
		a += 1ULL << bits;
	}
	if (a < end)
		kprintf("septa: %lu KiB of RAM left out: more than %u untyped blocks\n",
			(end - a) >> 10, SEPTA_MAX_UNTYPED);
	for (unsigned i = 0;
	     i < plat.num_user_devices && bi->untyped_count < SEPTA_MAX_UNTYPED; i++) {
		const struct plat_region *d = &plat.user_devices[i];
		unsigned bits = 63 - (unsigned)__builtin_clzll(d->size);
		struct cap c = {.type = CAP_UNTYPED,
				.rights = SEPTA_RIGHTS_ALL,
				.size_bits = (uint8_t)bits,
				.flags = CAP_F_DEVICE,
				.obj = d->base};

		put_cap(slot++, &c);
		bi->untyped[bi->untyped_count].paddr = d->base;
		bi->untyped[bi->untyped_count].size_bits = (uint8_t)bits;
		bi->untyped[bi->untyped_count].is_device = 1;
		bi->untyped_count++;
	}
	bi->first_free_slot = slot;
}

/*
 * The boot archive, mapped read-only at SEPTA_ROOT_MODULES as 2 MiB blocks.
 * It stays where the kernel image has it (below the free RAM, so it is
 * never Untyped): one physical copy, which memsrv shares with the servers.
 */
static int map_archive(struct pgt *vs, const struct roottask_env *env, pte_t ro)
{
	const uint64_t window = SEPTA_ROOT_MODULES_MAX, at = SEPTA_ROOT_MODULES;
	uint64_t size = ALIGN_UP(env->modules_size, ARCHIVE_FRAME);

	if (size > window) {
		kprintf("septa: boot archive of %lu MiB does not fit the root task's "
			"%lu MiB for it at %016lx\n",
			size >> 20, window >> 20, at);
		return PGT_E_RANGE;
	}
	return map_pages(vs, SEPTA_ROOT_MODULES, pa_init(env->modules_pa), size, ro);
}

/* Capabilities for n frames of 2^bits bytes from pa, in slots from slot. */
static void give_frames(unsigned slot, unsigned n, uint64_t pa, unsigned bits,
			unsigned rights)
{
	for (unsigned i = 0; i < n; i++)
		put_cap(slot + i, &(struct cap){.type = CAP_FRAME,
						.rights = (uint8_t)rights,
						.size_bits = (uint8_t)bits,
						.obj = pa + ((uint64_t)i << bits)});
}

/* A read-only capability for each 2 MiB frame of the archive: the root task
 * may map it and hand it on, never write it. The window's size bounds the
 * count, and <septa/abi.h> asserts the slots are there. */
static void give_archive(struct septa_bootinfo *bi, const struct roottask_env *env,
			 unsigned slot)
{
	bi->modules_paddr = env->modules_pa;
	bi->modules_frames_slot = slot;
	bi->modules_frames =
	    (uint32_t)(ALIGN_UP(env->modules_size, ARCHIVE_FRAME) / ARCHIVE_FRAME);
	give_frames(slot, bi->modules_frames, env->modules_pa, SEPTA_ARCHIVE_FRAME_BITS,
		    SEPTA_RIGHT_READ);
}

static void *boot_object(unsigned bits)
{
	paddr_t pa = bootmem_alloc(
	    ALIGN_UP(1ULL << bits, SEPTA_PAGE_SIZE) / SEPTA_PAGE_SIZE, 1ULL << bits);

	return (void *)(uintptr_t)pa_addr(pa);
}

/* The boot loader's bootargs, if bootinfo holds them whole (cut, they
 * would say something else to the guests), and its entropy, of which
 * the first SEPTA_ENTROPY_LEN bytes are enough. */
static void copy_chosen(struct septa_bootinfo *bi, const struct roottask_env *env)
{
	uint32_t n = env->bootargs ? env->bootargs_len : 0;

	if (n >= SEPTA_BOOTARGS_LEN) {
		kprintf("septa: bootargs of %u bytes ignored: more than the %u the "
			"servers are given\n",
			n, SEPTA_BOOTARGS_LEN - 1);
		n = 0;
	}
	if (n)
		memcpy(bi->bootargs, env->bootargs, n);
	bi->bootargs[n] = 0;
	n = env->entropy_len < SEPTA_ENTROPY_LEN ? env->entropy_len : SEPTA_ENTROPY_LEN;
	if (env->entropy)
		memcpy(bi->entropy, env->entropy, n);
	bi->entropy_size = env->entropy ? n : 0;
}

int roottask_start(const struct bootarc_module *mod, const struct roottask_env *env)
{
	struct elf64_image img;
	struct elf64_segment seg;
	struct septa_bootinfo *bi;
	struct tcb *t;
	struct vspace *vs;
	paddr_t bi_pa, buf_pa, spare_pa;
	uint64_t lo = UINT64_MAX, hi = 0;
	struct cte *cnode_cap, *vs_cap, *buf_cap;
	int err;

	err = elf64_open(&img, mod->data, mod->size);
	if (err)
		return fail(mod->name, elf64_strerror(err), err);
	t = boot_object(SEPTA_TCB_BITS);
	vs = boot_object(SEPTA_PAGE_SHIFT);
	root_cnode = boot_object(SEPTA_ROOT_CNODE_BITS + SEPTA_CNODE_SLOT_BITS);
	if (!t || !vs || !root_cnode)
		return fail(mod->name, "out of memory for the initial objects", 0);
	strlcpy(t->name, mod->name, sizeof(t->name));
	t->is_root = true;
	t->prio = SEPTA_PRIO_MAX;
	t->mcp = SEPTA_PRIO_MAX;

	vs->pgt.mm = &arch_s2_mm_ops;
	vspace_register_root(vs);
	pgt_geom_init(&vs->pgt.geom, SEPTA_ROOT_IPA_BITS, true);
	vs->pgt.root = bootmem_alloc(vs->pgt.geom.root_pages,
				     vs->pgt.geom.root_pages * SEPTA_PAGE_SIZE);
	if (!pa_addr(vs->pgt.root))
		return fail(t->name, "out of memory for the stage-2 root", 0);

	for (unsigned i = 0; elf64_load_segment(&img, i, &seg); i++) {
		err = load_segment(&vs->pgt, &seg);
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

	const pte_t ro = arch_s2_attrs(true, false, false),
		    rw = arch_s2_attrs(true, true, false) | PTE_FRAME_W;

	err = map_fresh(&vs->pgt, SEPTA_ROOT_BOOTINFO, SEPTA_PAGE_SIZE, ro, &bi_pa);
	if (!err)
		err = map_fresh(&vs->pgt, SEPTA_ROOT_IPC_BUFFER, SEPTA_PAGE_SIZE, rw,
				&buf_pa);
	if (!err)
		err = map_fresh(&vs->pgt, SEPTA_ROOT_SPARE_BASE,
				SEPTA_ROOT_SPARE_PAGES * SEPTA_PAGE_SIZE, rw, &spare_pa);
	if (!err)
		err = map_fresh(&vs->pgt, SEPTA_ROOT_HEAP_BASE, SEPTA_ROOT_HEAP_SIZE, rw,
				NULL);
	/* The boot modules, for the root task to start the other servers. */
	if (!err)
		err = map_archive(&vs->pgt, env, ro);
	if (!err)
		err = map_fresh(&vs->pgt, SEPTA_ROOT_STACK_TOP - SEPTA_ROOT_STACK_SIZE,
				SEPTA_ROOT_STACK_SIZE, rw, NULL);
	if (err == PGT_E_EXISTS)
		return fail(t->name, "image overlaps the fixed regions", err);
	if (err)
		return fail(t->name, "cannot map the fixed regions", err);

	/* The initial capabilities. */
	put_cap(SEPTA_CAP_INIT_TCB, &(struct cap){.type = CAP_TCB,
						  .rights = SEPTA_RIGHTS_ALL,
						  .obj = (uintptr_t)t});
	cnode_cap = put_cap(SEPTA_CAP_INIT_CNODE,
			    &(struct cap){.type = CAP_CNODE,
					  .rights = SEPTA_RIGHTS_ALL,
					  .size_bits = SEPTA_ROOT_CNODE_BITS,
					  .guard_bits = 64 - SEPTA_ROOT_CNODE_BITS,
					  .obj = (uintptr_t)root_cnode});
	vs_cap = put_cap(SEPTA_CAP_INIT_VSPACE, &(struct cap){.type = CAP_VSPACE,
							      .rights = SEPTA_RIGHTS_ALL,
							      .obj = (uintptr_t)vs});
	put_cap(SEPTA_CAP_IRQ_CONTROL,
		&(struct cap){.type = CAP_IRQ_CONTROL, .rights = SEPTA_RIGHTS_ALL});
	buf_cap = put_cap(SEPTA_CAP_INIT_IPC_BUFFER,
			  &(struct cap){.type = CAP_FRAME,
					.rights = SEPTA_RIGHTS_ALL,
					.size_bits = SEPTA_PAGE_SHIFT,
					.obj = pa_addr(buf_pa)});
	give_frames(SEPTA_CAP_SPARE_FRAMES, SEPTA_ROOT_SPARE_PAGES, pa_addr(spare_pa),
		    SEPTA_PAGE_SHIFT, SEPTA_RIGHTS_ALL);
	cdt_insert(cnode_cap, &t->slots[TCB_SLOT_CSPACE], &cnode_cap->cap);
	cdt_insert(vs_cap, &t->slots[TCB_SLOT_VSPACE], &vs_cap->cap);
	cdt_insert(buf_cap, &t->slots[TCB_SLOT_BUFFER], &buf_cap->cap);
	t->buffer_ipa = SEPTA_ROOT_IPC_BUFFER;
	t->tpidr_el0 = SEPTA_ROOT_IPC_BUFFER; /* where the library looks for it */

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
	bi->spare_frames_slot = SEPTA_CAP_SPARE_FRAMES;
	bi->gic_version = env->gic_version;
	bi->console_irq = plat.uart_irq;
	bi->ipa_bits_max = arch_pa_bits();
	bi->guest_pages = arch_vcpu_page_sizes();
	bi->modules_base = SEPTA_ROOT_MODULES;
	bi->modules_size = env->modules_size;
	copy_chosen(bi, env);
	/* Last: what the kernel leaves over becomes the root task's Untyped. */
	bi->free_base = bootmem_free_base();
	bi->free_size = bootmem_free_end() - bootmem_free_base();
	give_archive(bi, env, SEPTA_CAP_SPARE_FRAMES + SEPTA_ROOT_SPARE_PAGES);
	give_untyped(bi, bi->modules_frames_slot + bi->modules_frames);

	kprintf("septa: root task '%s': image %016lx-%016lx, entry %016lx, IPA %u bits, "
		"%u untyped\n",
		t->name, lo, hi, img.entry, vs->pgt.geom.ia_bits, bi->untyped_count);
	arch_thread_init_regs(t, img.entry, SEPTA_ROOT_STACK_TOP, SEPTA_ROOT_BOOTINFO);
	arch_thread_start(t);
}
