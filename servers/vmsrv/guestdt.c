/*
 * Building a guest's device tree with libfdt's sequential writer. Only
 * what the VM has is described: its RAM, its vCPUs (started by PSCI over
 * HVC), the GICv3 with one redistributor per vCPU, the timer, its UART,
 * and the regions it shares; /hypervisor says how to reach vmsrv.
 */
#include <libfdt.h>
#include <stdio.h>
#include <string.h>
#include "guestdt.h"

#define GIC_PHANDLE 1
#define CLK_PHANDLE 2
#define SPI	    0
#define PPI	    1
#define LEVEL_HIGH  4
#define EDGE_RISING 1

static int prop_u64s(void *fdt, const char *name, const uint64_t *v, int n)
{
	fdt32_t cells[8];

	for (int i = 0; i < n; i++) {
		cells[2 * i] = cpu_to_fdt32((uint32_t)(v[i] >> 32));
		cells[2 * i + 1] = cpu_to_fdt32((uint32_t)v[i]);
	}
	return fdt_property(fdt, name, cells, n * 8);
}

static int prop_u32s(void *fdt, const char *name, const uint32_t *v, int n)
{
	fdt32_t cells[12];

	for (int i = 0; i < n; i++)
		cells[i] = cpu_to_fdt32(v[i]);
	return fdt_property(fdt, name, cells, n * 4);
}

static int cells(void *fdt, uint32_t address, uint32_t size)
{
	int err = fdt_property_u32(fdt, "#address-cells", address);

	return err ? err : fdt_property_u32(fdt, "#size-cells", size);
}

static int begin(void *fdt, const char *kind, uint64_t addr)
{
	char name[48];

	snprintf(name, sizeof(name), "%s@%llx", kind, (unsigned long long)addr);
	return fdt_begin_node(fdt, name);
}

/* Each step returns a libfdt error; the first one stops the build. */
#define TRY(x)                                                                           \
	do {                                                                             \
		int e_ = (x);                                                            \
		if (e_)                                                                  \
			return e_;                                                       \
	} while (0)

static int cpus(void *fdt, const struct vmcfg_vm *v)
{
	TRY(fdt_begin_node(fdt, "cpus"));
	TRY(cells(fdt, 1, 0));
	for (unsigned i = 0; i < v->cpus; i++) {
		TRY(begin(fdt, "cpu", i));
		TRY(fdt_property_string(fdt, "device_type", "cpu"));
		TRY(fdt_property_string(fdt, "compatible", "arm,armv8"));
		TRY(fdt_property_u32(fdt, "reg", i));
		TRY(fdt_property_string(fdt, "enable-method", "psci"));
		TRY(fdt_end_node(fdt));
	}
	TRY(fdt_end_node(fdt));
	TRY(fdt_begin_node(fdt, "psci"));
	TRY(fdt_property(fdt, "compatible", "arm,psci-1.0\0arm,psci-0.2",
			 sizeof("arm,psci-1.0\0arm,psci-0.2")));
	TRY(fdt_property_string(fdt, "method", "hvc"));
	return fdt_end_node(fdt);
}

static int devices(void *fdt, const struct vmcfg_vm *v)
{
	uint64_t reg[4] = {VPLAT_GICD, VPLAT_GICD_SIZE, VPLAT_GICR,
			   VPLAT_GICR_SIZE * v->cpus};
	/* The four timer PPIs: secure, non-secure, virtual, hypervisor. */
	uint32_t timer[12] = {PPI, 13, LEVEL_HIGH, PPI, 14, LEVEL_HIGH,
			      PPI, 11, LEVEL_HIGH, PPI, 10, LEVEL_HIGH};

	TRY(begin(fdt, "interrupt-controller", VPLAT_GICD));
	TRY(fdt_property_string(fdt, "compatible", "arm,gic-v3"));
	TRY(fdt_property(fdt, "interrupt-controller", NULL, 0));
	TRY(fdt_property_u32(fdt, "#interrupt-cells", 3));
	TRY(cells(fdt, 2, 2));
	TRY(prop_u64s(fdt, "reg", reg, 4));
	TRY(fdt_property_u32(fdt, "phandle", GIC_PHANDLE));
	TRY(fdt_end_node(fdt));

	TRY(fdt_begin_node(fdt, "timer"));
	TRY(fdt_property_string(fdt, "compatible", "arm,armv8-timer"));
	TRY(prop_u32s(fdt, "interrupts", timer, 12));
	TRY(fdt_property(fdt, "always-on", NULL, 0));
	TRY(fdt_end_node(fdt));

	TRY(fdt_begin_node(fdt, "apb-pclk"));
	TRY(fdt_property_string(fdt, "compatible", "fixed-clock"));
	TRY(fdt_property_u32(fdt, "#clock-cells", 0));
	TRY(fdt_property_u32(fdt, "clock-frequency", 24000000));
	TRY(fdt_property_u32(fdt, "phandle", CLK_PHANDLE));
	TRY(fdt_end_node(fdt));

	reg[0] = v->uart_base;
	reg[1] = VPLAT_UART_SIZE;
	TRY(begin(fdt, "pl011", v->uart_base));
	TRY(fdt_property(fdt, "compatible", "arm,pl011\0arm,primecell",
			 sizeof("arm,pl011\0arm,primecell")));
	TRY(prop_u64s(fdt, "reg", reg, 2));
	TRY(prop_u32s(fdt, "interrupts", (uint32_t[]){SPI, v->uart_spi, LEVEL_HIGH}, 3));
	TRY(prop_u32s(fdt, "clocks", (uint32_t[]){CLK_PHANDLE, CLK_PHANDLE}, 2));
	TRY(fdt_property(fdt, "clock-names", "uartclk\0apb_pclk",
			 sizeof("uartclk\0apb_pclk")));
	return fdt_end_node(fdt);
}

/* vmsrv's own node: the VM's id, the doorbell, and the shared regions. */
static int hypervisor(void *fdt, const struct vmcfg *cfg, const struct vmcfg_vm *v,
		      const struct guestdt_extra *x)
{
	TRY(fdt_begin_node(fdt, "hypervisor"));
	TRY(fdt_property_string(fdt, "compatible", "septa,vmsrv"));
	/* Its region nodes' reg: two cells each, as at the root. */
	TRY(cells(fdt, 2, 2));
	TRY(fdt_property_u32(fdt, "septa,vm-id", v->id));
	TRY(fdt_property_u32(fdt, "septa,resets", x->resets));
	TRY(prop_u32s(fdt, "interrupts",
		      (uint32_t[]){SPI, VPLAT_DOORBELL - 32, EDGE_RISING}, 3));
	if (v->share_size)
		TRY(prop_u64s(fdt, "septa,shareable",
			      (uint64_t[]){v->share_base, v->share_size}, 2));
	for (unsigned i = 0; i < cfg->nvms; i++) {
		const struct vmcfg_vm *o = &cfg->vms[i];

		for (unsigned r = 0; r < o->nregions; r++) {
			const struct vmcfg_region *g = &o->regions[r];
			bool mine = o == v;

			if (!mine && g->peer != v->id)
				continue;
			TRY(begin(fdt, "region", mine ? g->ipa : g->peer_ipa));
			TRY(prop_u64s(fdt, "reg",
				      (uint64_t[]){mine ? g->ipa : g->peer_ipa, g->size},
				      2));
			TRY(fdt_property_string(fdt, "septa,peer",
						mine ? vmcfg_find(cfg, g->peer)->name
						     : o->name));
			TRY(fdt_property_string(fdt, "septa,role",
						mine ? "owner" : "borrower"));
			TRY(fdt_end_node(fdt));
		}
	}
	return fdt_end_node(fdt);
}

static int build(const struct vmcfg *cfg, const struct vmcfg_vm *v,
		 const struct guestdt_extra *x, void *fdt)
{
	char path[48], args[VMCFG_ARGS_LEN + GUESTDT_MORE_ARGS];
	const char *more = x->more_bootargs ? x->more_bootargs : "";

	TRY(fdt_finish_reservemap(fdt));
	TRY(fdt_begin_node(fdt, ""));
	TRY(fdt_property_string(fdt, "compatible", "linux,dummy-virt"));
	TRY(fdt_property_string(fdt, "model", v->name));
	TRY(cells(fdt, 2, 2));
	TRY(fdt_property_u32(fdt, "interrupt-parent", GIC_PHANDLE));

	TRY(fdt_begin_node(fdt, "chosen"));
	snprintf(path, sizeof(path), "/pl011@%llx", (unsigned long long)v->uart_base);
	TRY(fdt_property_string(fdt, "stdout-path", path));
	snprintf(args, sizeof(args), "%s%s%s", v->bootargs,
		 v->bootargs[0] && more[0] ? " " : "", more);
	TRY(fdt_property_string(fdt, "bootargs", args));
	TRY(fdt_property(fdt, "kaslr-seed", x->seed, GUESTDT_KASLR_SEED));
	TRY(fdt_property(fdt, "rng-seed", x->seed + GUESTDT_KASLR_SEED,
			 GUESTDT_RNG_SEED));
	if (x->initrd_end) {
		TRY(prop_u64s(fdt, "linux,initrd-start", &x->initrd_start, 1));
		TRY(prop_u64s(fdt, "linux,initrd-end", &x->initrd_end, 1));
	}
	TRY(fdt_end_node(fdt));

	TRY(begin(fdt, "memory", v->ram_base));
	TRY(fdt_property_string(fdt, "device_type", "memory"));
	TRY(prop_u64s(fdt, "reg", (uint64_t[]){v->ram_base, v->ram_size}, 2));
	TRY(fdt_end_node(fdt));

	TRY(cpus(fdt, v));
	TRY(devices(fdt, v));
	TRY(hypervisor(fdt, cfg, v, x));
	TRY(fdt_end_node(fdt));
	return fdt_finish(fdt);
}

int guestdt_build(const struct vmcfg *cfg, const struct vmcfg_vm *v,
		  const struct guestdt_extra *x, void *buf, size_t size)
{
	int err = fdt_create(buf, (int)size);

	if (!err)
		err = build(cfg, v, x, buf);
	return err ? err : (int)fdt_totalsize(buf);
}
