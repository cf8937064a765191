/* Boot: console, RAM, the kernel's own mappings, the banner, the root task. */
#include <arch.h>
#include <core/fastpath.h>
#include <bootfmt/bootarc.h>
#include <bootmem.h>
#include <fdt.h>
#include <kprintf.h>
#include <pl011.h>
#include <plat.h>
#include <roottask.h>
#include <septa_version.h>
#include <status.h>

#define FDT_MAX_SIZE (2u << 20)

extern char _start[], _end[], _modules_start[], _modules_end[];

struct ram_info {
	uint64_t base, size;
	uint64_t fdt, fdt_size; /* 0 if none was found */
};

/* The boot loader passes the device tree in x0 (booti); QEMU puts it at the
 * start of RAM for ELF images. Both are only trusted after fdt_memory(). */
static void find_ram(uint64_t x0, struct ram_info *ram)
{
	const uint64_t window_end = plat.ram_base + plat.ram_size_default;
	const uint64_t candidates[] = {x0, plat.ram_base};

	ram->base = plat.ram_base;
	ram->size = plat.ram_size_default;
	ram->fdt = 0;
	ram->fdt_size = 0;
	for (unsigned i = 0; i < ARRAY_SIZE(candidates); i++) {
		uint64_t at = candidates[i], readable;
		uint64_t base, size;
		int err;

		if (at < plat.ram_base || at >= window_end || !IS_ALIGNED(at, 8))
			continue;
		readable =
		    window_end - at < FDT_MAX_SIZE ? window_end - at : FDT_MAX_SIZE;
		err = fdt_memory((const void *)(uintptr_t)at, readable, &base, &size);
		if (err == FDT_E_MAGIC)
			continue;
		if (err) {
			kprintf("septa: device tree at %016lx unusable (error %d); "
				"assuming %lu MiB of RAM\n",
				at, err, plat.ram_size_default >> 20);
			return;
		}
		ram->base = base;
		ram->size = size;
		ram->fdt = at;
		ram->fdt_size = fdt_totalsize((const void *)(uintptr_t)at, readable);
		return;
	}
	kprintf("septa: no device tree found; assuming %lu MiB of RAM\n",
		plat.ram_size_default >> 20);
}

static void banner(const struct arch_cpu_info *cpu, const struct ram_info *ram,
		   uint64_t kend)
{
	kprintf("\nSepta %s, separation kernel at EL2 on %s\n", SEPTA_VERSION, plat.name);
	kprintf("CPU: %s r%lup%lu (MIDR %08lx, MPIDR %08lx)\n", cpu->cpu_name,
		(cpu->midr >> 20) & 0xf, cpu->midr & 0xf, cpu->midr, cpu->mpidr);
	kprintf("PARange: %u bits, VMID: %u bits\n", cpu->pa_bits, cpu->vmid_bits);
	if (cpu->gic_version)
		kprintf("GIC: GICv%u, %u list registers (%s %08lx)\n", cpu->gic_version,
			cpu->list_regs,
			cpu->gic_version == 3 ? "ICH_VTR_EL2" : "GICH_VTR", cpu->vtr);
	else
		kprintf("GIC: not recognised\n");
	kprintf("PSCI: %u.%u\n", cpu->psci_version >> 16, cpu->psci_version & 0xffff);
	kprintf("RAM: %016lx-%016lx (%lu MiB)\n", ram->base, ram->base + ram->size,
		ram->size >> 20);
	if (ram->fdt)
		kprintf("  device tree %016lx-%016lx\n", ram->fdt,
			ram->fdt + ram->fdt_size);
	kprintf("  kernel      %016lx-%016lx (%lu KiB)\n", (uint64_t)(uintptr_t)_start,
		kend, (kend - (uintptr_t)_start) >> 10);
	kprintf("  modules     %016lx-%016lx (%lu KiB)\n",
		(uint64_t)(uintptr_t)_modules_start, (uint64_t)(uintptr_t)_modules_end,
		(uint64_t)(_modules_end - _modules_start) >> 10);
}

static uint64_t free_ram_start(const struct ram_info *ram, uint64_t kend)
{
	uint64_t start = kend;

	if (ram->fdt >= kend && ram->fdt + ram->fdt_size > start)
		start = ram->fdt + ram->fdt_size;
	return ALIGN_UP(start, SEPTA_PAGE_SIZE);
}

/* What the boot loader's /chosen says goes on to the root task. */
static void chosen(const struct ram_info *ram, struct roottask_env *env)
{
	struct fdt_chosen c = {0};

	if (ram->fdt && fdt_chosen((const void *)(uintptr_t)ram->fdt, ram->fdt_size, &c))
		c = (struct fdt_chosen){0};
	env->bootargs = c.bootargs;
	env->bootargs_len = c.bootargs_len;
	env->entropy = c.rng_seed ? c.rng_seed : c.kaslr_seed;
	env->entropy_len = c.rng_seed ? c.rng_seed_len : c.kaslr_seed ? 8 : 0;
	if (c.bootargs_len)
		kprintf("  bootargs    %s\n", c.bootargs);
	fastpath_configure(c.bootargs, c.bootargs_len);
	if (fastpath_off)
		kprintf("  fastpaths off (septa.nofastpath): IPC and guest exits take "
			"the full path\n");
}

void kmain(uint64_t x0)
{
	struct arch_cpu_info cpu;
	struct ram_info ram;
	struct bootarc arc;
	struct bootarc_module root;
	struct roottask_env env;
	uint64_t kend = ALIGN_UP((uintptr_t)_end, SEPTA_PAGE_SIZE);
	unsigned tables;
	int err;

	pl011_console_init();
	find_ram(x0, &ram);
	if ((uintptr_t)_start < ram.base || kend > ram.base + ram.size) {
		/* The boot archive is part of the image: most of it, if large. */
		kprintf("septa: kernel %p-%016lx (with the boot archive's %lu KiB) "
			"lies outside RAM\n",
			(void *)_start, kend,
			(uint64_t)(_modules_end - _modules_start) >> 10);
		arch_shutdown(SEPTA_STATUS_BOOT);
	}
	tables = arch_mmu_init(ram.base, ram.size);
	arch_cpu_probe(&cpu);
	banner(&cpu, &ram, kend);
	kprintf("  EL2 tables  %u pages\n", tables);
	bootmem_init(free_ram_start(&ram, kend), ram.base + ram.size);
	kprintf("  free        %016lx-%016lx (%lu MiB)\n", bootmem_free_base(),
		bootmem_free_end(), (bootmem_free_end() - bootmem_free_base()) >> 20);

	err =
	    bootarc_open(&arc, _modules_start, (uint64_t)(_modules_end - _modules_start));
	if (!err)
		err = bootarc_root(&arc, &root);
	if (err) {
		kprintf("septa: boot modules: %s\n", bootarc_strerror(err));
		arch_shutdown(SEPTA_STATUS_BOOT);
	}
	for (uint32_t i = 0; i < arc.count; i++) {
		struct bootarc_module m;

		bootarc_get(&arc, i, &m);
		kprintf("  module %-12s %8lu bytes%s\n", m.name, m.size,
			(m.flags & BOOTARC_F_ROOT) ? " (root task)" : "");
	}
	arch_irq_init(&cpu);
	env.ram_base = ram.base;
	env.ram_size = ram.size;
	env.platform = plat.name;
	env.gic_version = cpu.gic_version;
	env.modules_pa = (uintptr_t)_modules_start;
	env.modules_size = arc.size;
	chosen(&ram, &env);
	roottask_start(&root, &env);
	arch_shutdown(SEPTA_STATUS_BOOT);
}
