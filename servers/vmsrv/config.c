/*
 * Parsing the VM configuration. Every value is checked here, once, so the
 * rest of vmsrv may trust it; an error names the VM and the property.
 */
#include <libfdt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "config.h"
#include "config_fdt.h"
#include "vgic.h"

#define MAP_R 1u
#define MAP_W 2u
#define MAP_X 4u

#define MIB(x)	  ((unsigned long long)((x) >> 20))
#define MIB_UP(x) MIB((x) + (1ULL << 20) - 1)

/* The properties each kind of node may have: anything else is refused. */
static const char *const root_props[] = {"compatible", "#address-cells", "#size-cells",
					 NULL};
static const char *const vm_props[] = {
    "reg",	 "vm-name",	  "kernel",	  "initrd", "bootargs", "memory",
    "ipa-bits",	 "cpus",	  "load-address", "entry",  "uart",	"uart-interrupt",
    "shareable", "show-vm-count", "priority",	  "peers",  NULL};
static const char *const region_props[] = {"peer", "address", "peer-address",
					   "size", "rights",  NULL};

/* "vm 'NAME': [SUBNODE/]PROPERTY: why": every message names the property. */
int vmcfg_fail(struct vmcfg_ctx *c, int err, const char *prop, const char *fmt, ...)
{
	char why[160], vm[VMCFG_NAME_LEN + 8] = "";
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (c->vm)
		snprintf(vm, sizeof(vm), "vm '%s': ", c->vm);
	snprintf(c->msg, c->msglen, "%s%s%s%s: %s", vm, c->sub ? c->sub : "",
		 c->sub ? "/" : "", prop, why);
	return err;
}

/* Edit distance, to point at the property a typo meant (names past
 * PROP_LEN are no typo of a known one). */
#define PROP_LEN 32u
static unsigned distance(const char *a, const char *b)
{
	unsigned row[PROP_LEN + 1], la = strlen(a), lb = strlen(b);

	if (la > PROP_LEN || lb > PROP_LEN)
		return ~0u;
	for (unsigned j = 0; j <= lb; j++)
		row[j] = j;
	for (unsigned i = 1; i <= la; i++) {
		unsigned diag = row[0];

		row[0] = i;
		for (unsigned j = 1; j <= lb; j++) {
			unsigned up = row[j], best = diag + (a[i - 1] != b[j - 1]);

			best = up + 1 < best ? up + 1 : best;
			best = row[j - 1] + 1 < best ? row[j - 1] + 1 : best;
			diag = up;
			row[j] = best;
		}
	}
	return row[lb];
}

/* A second copy of a property would be ignored: fdt_getprop finds the
 * first. */
static bool given_before(const struct vmcfg_ctx *c, int until, const char *name)
{
	int off;

	fdt_for_each_property_offset(off, c->fdt, c->node)
	{
		const char *other;

		if (off == until)
			break;
		fdt_getprop_by_offset(c->fdt, off, &other, NULL);
		if (!strcmp(other, name))
			return true;
	}
	return false;
}

int vmcfg_check_props(struct vmcfg_ctx *c, const char *const *known)
{
	int off;

	fdt_for_each_property_offset(off, c->fdt, c->node)
	{
		const char *name, *near = NULL;
		unsigned best = 3, i = 0;

		fdt_getprop_by_offset(c->fdt, off, &name, NULL);
		while (known[i] && strcmp(known[i], name))
			i++;
		if (known[i] && given_before(c, off, name))
			return vmcfg_fail(c, VMCFG_E_VALUE, name,
					  "given twice (dtc makes no such tree)");
		if (known[i])
			continue;
		for (i = 0; known[i]; i++)
			if (distance(name, known[i]) < best) {
				best = distance(name, known[i]);
				near = known[i];
			}
		return near ? vmcfg_fail(c, VMCFG_E_UNKNOWN, name,
					 "unknown property (did you mean '%s'?)", near)
			    : vmcfg_fail(c, VMCFG_E_UNKNOWN, name, "unknown property");
	}
	return 0;
}

int vmcfg_check_leaf(struct vmcfg_ctx *c, const char *kind)
{
	int child = fdt_first_subnode(c->fdt, c->node);

	if (child < 0)
		return 0;
	return vmcfg_fail(c, VMCFG_E_UNKNOWN, fdt_get_name(c->fdt, child, NULL),
			  "unknown node (%s has none)", kind);
}

/* A property of n 64-bit cells (two 32-bit cells each). */
int vmcfg_get_u64s(struct vmcfg_ctx *c, const char *prop, uint64_t *out, int n,
		   bool required)
{
	int len;
	const fdt32_t *p = fdt_getprop(c->fdt, c->node, prop, &len);

	if (!p)
		return required ? vmcfg_fail(c, VMCFG_E_MISSING, prop, "missing") : 1;
	if (len != n * 8)
		return vmcfg_fail(c, VMCFG_E_VALUE, prop, "want %d cells, has %d", n * 2,
				  len / 4);
	for (int i = 0; i < n; i++)
		out[i] =
		    (uint64_t)fdt32_to_cpu(p[2 * i]) << 32 | fdt32_to_cpu(p[2 * i + 1]);
	return 0;
}

int vmcfg_get_u32(struct vmcfg_ctx *c, const char *prop, unsigned *out, bool required)
{
	int len;
	const fdt32_t *p = fdt_getprop(c->fdt, c->node, prop, &len);

	if (!p)
		return required ? vmcfg_fail(c, VMCFG_E_MISSING, prop, "missing") : 1;
	if (len != 4)
		return vmcfg_fail(c, VMCFG_E_VALUE, prop, "want one cell, has %d bytes",
				  len);
	*out = fdt32_to_cpu(*p);
	return 0;
}

static int get_str(struct vmcfg_ctx *c, const char *prop, char *out, size_t cap,
		   bool required)
{
	int len;
	const char *p = fdt_getprop(c->fdt, c->node, prop, &len);

	if (!p)
		return required ? vmcfg_fail(c, VMCFG_E_MISSING, prop, "missing") : 1;
	if (len < 2 || p[len - 1] || strlen(p) != (size_t)len - 1)
		return vmcfg_fail(c, VMCFG_E_VALUE, prop, "not one non-empty string");
	if ((size_t)len > cap)
		return vmcfg_fail(c, VMCFG_E_VALUE, prop, "longer than %u characters",
				  (unsigned)cap - 1);
	/* Every string reaches the console in messages: a newline or an
	 * escape there could forge or hide vmsrv's lines. */
	for (int i = 0; i < len - 1; i++)
		if ((uint8_t)p[i] < 0x20 || p[i] == 0x7f)
			return vmcfg_fail(c, VMCFG_E_VALUE, prop,
					  "control character %#x at byte %d",
					  (uint8_t)p[i], i);
	memcpy(out, p, (size_t)len);
	return 0;
}

/* A flag is an empty property: given, it is set. A value would say more
 * than the flag can mean, so it is refused. */
int vmcfg_get_flag(struct vmcfg_ctx *c, const char *prop, bool *out)
{
	int len;

	*out = fdt_getprop(c->fdt, c->node, prop, &len) != NULL;
	if (*out && len != 0)
		return vmcfg_fail(c, VMCFG_E_VALUE, prop,
				  "a flag: want no value, has %d bytes", len);
	return 0;
}

/* Not RAM, not a device, below the IPA size: where something else may go. */
bool vmcfg_free_ipa(const struct vmcfg_vm *v, uint64_t ipa, uint64_t size)
{
	return ipa + size > ipa && ipa + size <= 1ULL << v->ipa_bits &&
	       !vmcfg_overlaps(ipa, size, v->ram_base, v->ram_size) &&
	       !vmcfg_overlaps(ipa, size, VPLAT_GICD, VPLAT_GICD_SIZE) &&
	       !vmcfg_overlaps(ipa, size, VPLAT_GICR, VPLAT_GICR_SIZE * VMCFG_MAX_CPUS) &&
	       !vmcfg_overlaps(ipa, size, v->uart_base, VPLAT_UART_SIZE);
}

static int parse_region(struct vmcfg_ctx *c, int node, struct vmcfg_vm *v)
{
	struct vmcfg_region *r = &v->regions[v->nregions];
	const char *name = fdt_get_name(c->fdt, node, NULL);
	uint64_t a[3];
	char rights[4] = "";
	int err;

	if (v->nregions == VMCFG_MAX_REGIONS)
		return vmcfg_fail(c, VMCFG_E_TOO_MANY, name, "more than %u regions",
				  VMCFG_MAX_REGIONS);
	c->node = node;
	c->sub = name;
	if ((err = vmcfg_check_props(c, region_props)) ||
	    (err = vmcfg_check_leaf(c, "region-<name>")) ||
	    (err = vmcfg_get_u32(c, "peer", &r->peer, true)) ||
	    (err = vmcfg_get_u64s(c, "address", &a[0], 1, true)) ||
	    (err = vmcfg_get_u64s(c, "peer-address", &a[1], 1, true)) ||
	    (err = vmcfg_get_u64s(c, "size", &a[2], 1, true)) ||
	    (err = get_str(c, "rights", rights, sizeof(rights), true)) < 0)
		return err;
	r->ipa = a[0];
	r->peer_ipa = a[1];
	r->size = a[2];
	if (!strcmp(rights, "r"))
		r->rights = MAP_R;
	else if (!strcmp(rights, "rw"))
		r->rights = MAP_R | MAP_W;
	else if (!strcmp(rights, "rx"))
		r->rights = MAP_R | MAP_X;
	else
		return vmcfg_fail(c, VMCFG_E_VALUE, "rights", "'%s': want r, rw or rx",
				  rights);
	if (r->size == 0 || r->size & 0xfff)
		return vmcfg_fail(c, VMCFG_E_VALUE, "size",
				  "want a non-zero multiple of 4 KiB");
	if (r->ipa & 0xfff)
		return vmcfg_fail(c, VMCFG_E_VALUE, "address", "not a multiple of 4 KiB");
	if (r->peer_ipa & 0xfff)
		return vmcfg_fail(c, VMCFG_E_VALUE, "peer-address",
				  "not a multiple of 4 KiB");
	if (r->peer == v->id || r->peer == 0 || r->peer > VMCFG_MAX_VMS)
		return vmcfg_fail(c, VMCFG_E_VALUE, "peer", "%u is not another VM's id",
				  r->peer);
	if (!vmcfg_free_ipa(v, r->ipa, r->size))
		return vmcfg_fail(c, VMCFG_E_OVERLAP, "address",
				  "overlaps RAM, a device or the IPA limit");
	v->nregions++;
	return 0;
}

static int parse_vm(struct vmcfg_ctx *c, struct vmcfg_vm *v, unsigned max_ipa_bits)
{
	uint64_t a[2], lo, hi;
	unsigned u[1];
	int err, child, node;

	if ((err = get_str(c, "vm-name", v->name, sizeof(v->name), true)))
		return err;
	c->vm = v->name;
	if ((err = vmcfg_check_props(c, vm_props)))
		return err;
	if ((err = get_str(c, "kernel", v->kernel, sizeof(v->kernel), true)) ||
	    get_str(c, "initrd", v->initrd, sizeof(v->initrd), false) < 0 ||
	    get_str(c, "bootargs", v->bootargs, sizeof(v->bootargs), false) < 0)
		return err ? err : VMCFG_E_VALUE;
	if ((err = vmcfg_get_u64s(c, "memory", a, 2, true)))
		return err;
	v->ram_base = a[0];
	v->ram_size = a[1];
	if ((v->ram_base | v->ram_size) & (VMCFG_BLOCK - 1) ||
	    v->ram_size < 2 * VMCFG_BLOCK)
		return vmcfg_fail(
		    c, VMCFG_E_VALUE, "memory",
		    "base and size must be multiples of 2 MiB, size 4 MiB at least");
	v->ipa_bits = 40;
	if ((err = vmcfg_get_u32(c, "ipa-bits", &v->ipa_bits, false)) < 0)
		return err;
	if (v->ipa_bits < 32 || v->ipa_bits > max_ipa_bits)
		return vmcfg_fail(c, VMCFG_E_VALUE, "ipa-bits", "%u: want 32 to %u",
				  v->ipa_bits, max_ipa_bits);
	if (v->ram_base + v->ram_size < v->ram_base ||
	    v->ram_base + v->ram_size > 1ULL << v->ipa_bits)
		return vmcfg_fail(c, VMCFG_E_VALUE, "memory",
				  "beyond the %u-bit IPA space", v->ipa_bits);
	if (vmcfg_overlaps(v->ram_base, v->ram_size, VPLAT_GICD, VPLAT_GICD_SIZE) ||
	    vmcfg_overlaps(v->ram_base, v->ram_size, VPLAT_GICR,
			   VPLAT_GICR_SIZE * VMCFG_MAX_CPUS))
		return vmcfg_fail(c, VMCFG_E_OVERLAP, "memory",
				  "overlaps the GIC (%#llx-%#llx)", VPLAT_GICD,
				  VPLAT_GICR + VPLAT_GICR_SIZE * VMCFG_MAX_CPUS);
	v->cpus = 1;
	if ((err = vmcfg_get_u32(c, "cpus", &v->cpus, false)) < 0)
		return err;
	if (v->cpus < 1 || v->cpus > VMCFG_MAX_CPUS)
		return vmcfg_fail(c, VMCFG_E_VALUE, "cpus", "%u: want 1 to %u", v->cpus,
				  VMCFG_MAX_CPUS);
	v->load = v->ram_base + 0x80000;
	if ((err = vmcfg_get_u64s(c, "load-address", a, 1, false)) < 0)
		return err;
	v->load_set = err == 0;
	if (v->load_set)
		v->load = a[0];
	v->entry = v->load;
	if ((err = vmcfg_get_u64s(c, "entry", a, 1, false)) < 0)
		return err;
	v->entry_set = err == 0;
	if (v->entry_set)
		v->entry = a[0];
	/* The last block holds the device tree. */
	if (!vmcfg_inside(v->load, 1, v->ram_base, v->ram_size - VMCFG_BLOCK))
		return vmcfg_fail(c, VMCFG_E_VALUE, "load-address",
				  "outside RAM below its last 2 MiB (the device tree's)");
	if (!vmcfg_inside(v->entry, 4, v->ram_base, v->ram_size) || v->entry & 3)
		return vmcfg_fail(c, VMCFG_E_VALUE, "entry",
				  "not an aligned address in RAM");
	if (v->entry >= v->ram_base + v->ram_size - VMCFG_BLOCK)
		return vmcfg_fail(c, VMCFG_E_VALUE, "entry",
				  "in RAM's last 2 MiB, the device tree's");
	if ((err = vmcfg_get_u64s(c, "uart", a, 1, true)))
		return err;
	v->uart_base = a[0];
	if (v->uart_base & 0xfff)
		return vmcfg_fail(c, VMCFG_E_VALUE, "uart", "not 4 KiB aligned");
	/* Aligned, so below the limit it also ends there. */
	if (v->uart_base >= 1ULL << v->ipa_bits)
		return vmcfg_fail(c, VMCFG_E_VALUE, "uart", "beyond the %u-bit IPA space",
				  v->ipa_bits);
	if ((err = vmcfg_get_u32(c, "uart-interrupt", u, true)))
		return err;
	/* An SPI the vGIC has: beyond them, it would never arrive. */
	if (u[0] < 32 || u[0] >= 32 + VGIC_SPIS || u[0] == VPLAT_DOORBELL)
		return vmcfg_fail(c, VMCFG_E_VALUE, "uart-interrupt",
				  "%u: want an SPI (32-%u), not the doorbell %u", u[0],
				  31 + VGIC_SPIS, VPLAT_DOORBELL);
	v->uart_spi = u[0] - 32;
	if (vmcfg_overlaps(v->uart_base, VPLAT_UART_SIZE, v->ram_base, v->ram_size))
		return vmcfg_fail(c, VMCFG_E_OVERLAP, "uart", "in the VM's memory");
	if (vmcfg_overlaps(v->uart_base, VPLAT_UART_SIZE, VPLAT_GICD, VPLAT_GICD_SIZE) ||
	    vmcfg_overlaps(v->uart_base, VPLAT_UART_SIZE, VPLAT_GICR,
			   VPLAT_GICR_SIZE * VMCFG_MAX_CPUS))
		return vmcfg_fail(c, VMCFG_E_OVERLAP, "uart",
				  "overlaps the GIC (%#llx-%#llx)", VPLAT_GICD,
				  VPLAT_GICR + VPLAT_GICR_SIZE * VMCFG_MAX_CPUS);
	if ((err = vmcfg_get_u64s(c, "shareable", a, 2, false)) < 0)
		return err;
	if (err == 0) {
		v->share_base = a[0];
		v->share_size = a[1];
		if ((v->share_base | v->share_size) & 0xfff || !v->share_size ||
		    !vmcfg_inside(v->share_base, v->share_size, v->ram_base, v->ram_size))
			return vmcfg_fail(c, VMCFG_E_VALUE, "shareable",
					  "not a page-aligned range of RAM");
		/* Blocks the loader fills are whole 2 MiB blocks. */
		vmcfg_paged_blocks(v, &lo, &hi);
		if (vmcfg_overlaps(lo, hi - lo, v->load & ~(VMCFG_BLOCK - 1),
				   VMCFG_BLOCK) ||
		    vmcfg_overlaps(v->share_base, v->share_size,
				   v->ram_base + v->ram_size - VMCFG_BLOCK, VMCFG_BLOCK))
			return vmcfg_fail(c, VMCFG_E_OVERLAP, "shareable",
					  "shares a 2 MiB block with the kernel or the "
					  "device tree");
	}
	if ((err = vmcfg_get_flag(c, "show-vm-count", &v->show_vm_count)))
		return err;
	v->priority = VMCFG_PRIO_DEFAULT;
	if ((err = vmcfg_get_u32(c, "priority", &v->priority, false)) < 0)
		return err;
	if (v->priority < VMCFG_PRIO_MIN || v->priority > VMCFG_PRIO_MAX)
		return vmcfg_fail(c, VMCFG_E_VALUE, "priority",
				  "%u: want %u to %u (below vmsrv's %u)", v->priority,
				  VMCFG_PRIO_MIN, VMCFG_PRIO_MAX, VMCFG_VMSRV_PRIO);
	node = c->node;
	fdt_for_each_subnode(child, c->fdt, node)
	{
		const char *name = fdt_get_name(c->fdt, child, NULL);

		if (!strncmp(name, "subpage-", 8))
			err = vmcfg_parse_subpage(c, child, v);
		else if (!strncmp(name, "region", 6))
			err = parse_region(c, child, v);
		else
			return vmcfg_fail(c, VMCFG_E_UNKNOWN, name,
					  "unknown node (want region-<name> or "
					  "subpage-<name>)");
		if (err)
			return err;
		c->node = node;
		c->sub = NULL;
	}
	return 0;
}

/* The n-th child of a node among those named prefix...: the root's
 * children are all VMs by now, a VM's regions and subpage nodes are
 * counted apart. */
const char *vmcfg_child_name(const void *fdt, int node, const char *prefix, unsigned n,
			     int *child)
{
	fdt_for_each_subnode(*child, fdt, node)
	{
		const char *name = fdt_get_name(fdt, *child, NULL);

		if (!strncmp(name, prefix, strlen(prefix)) && !n--)
			return name;
	}
	return NULL;
}

/* Where region r of VM i lies in the owner (peer false) or in its peer. */
static void claim(const struct vmcfg *cfg, unsigned i, unsigned r, bool peer,
		  unsigned *vm, uint64_t *ipa)
{
	const struct vmcfg_region *g = &cfg->vms[i].regions[r];

	*vm = peer ? g->peer : cfg->vms[i].id;
	*ipa = peer ? g->peer_ipa : g->ipa;
}

/* A region lies in two VMs; in each, it may overlap no region before it,
 * owned or borrowed (memsrv would refuse the later one at run time). */
static int check_claims(struct vmcfg_ctx *c, const struct vmcfg *cfg, unsigned i,
			unsigned r)
{
	uint64_t size = cfg->vms[i].regions[r].size;

	for (int side = 0; side < 2; side++) {
		unsigned vm, other_vm;
		uint64_t ipa, other;

		claim(cfg, i, r, side, &vm, &ipa);
		for (unsigned j = 0; j <= i; j++) {
			unsigned n = j == i ? r : cfg->vms[j].nregions;

			for (unsigned q = 0; q < 2 * n; q++) {
				uint64_t osize = cfg->vms[j].regions[q / 2].size;
				int node, region;

				claim(cfg, j, q / 2, q & 1, &other_vm, &other);
				if (other_vm != vm ||
				    !vmcfg_overlaps(ipa, size, other, osize))
					continue;
				vmcfg_child_name(c->fdt, 0, "vm@", j, &node);
				return vmcfg_fail(
				    c, VMCFG_E_OVERLAP, side ? "peer-address" : "address",
				    "overlaps %s of vm '%s' (%#llx-%#llx in vm '%s')",
				    vmcfg_child_name(c->fdt, node, "region", q / 2,
						     &region),
				    cfg->vms[j].name, (unsigned long long)other,
				    (unsigned long long)(other + osize),
				    vmcfg_find(cfg, vm)->name);
			}
		}
	}
	return 0;
}

/* What only the whole configuration shows: names, ids, region peers. */
static int check_all(struct vmcfg_ctx *c, struct vmcfg *cfg)
{
	for (unsigned i = 0; i < cfg->nvms; i++) {
		struct vmcfg_vm *v = &cfg->vms[i];
		int vm_node, region, err;

		vmcfg_child_name(c->fdt, 0, "vm@", i, &vm_node);
		c->vm = v->name;
		for (unsigned j = 0; j < i; j++) {
			if (!strcmp(cfg->vms[j].name, v->name))
				return vmcfg_fail(c, VMCFG_E_VALUE, "vm-name",
						  "two VMs have this name");
			if (cfg->vms[j].id == v->id)
				return vmcfg_fail(c, VMCFG_E_VALUE, "reg",
						  "VM id %u is taken by vm '%s'", v->id,
						  cfg->vms[j].name);
		}
		for (unsigned r = 0; r < v->nregions; r++) {
			const struct vmcfg_region *g = &v->regions[r];
			const struct vmcfg_vm *p = vmcfg_find(cfg, g->peer);

			c->sub = vmcfg_child_name(c->fdt, vm_node, "region", r, &region);
			if (!p)
				return vmcfg_fail(c, VMCFG_E_VALUE, "peer",
						  "no VM has id %u", g->peer);
			if (!vmcfg_free_ipa(p, g->peer_ipa, g->size))
				return vmcfg_fail(c, VMCFG_E_OVERLAP, "peer-address",
						  "overlaps RAM or a device of vm '%s'",
						  p->name);
			if ((err = check_claims(c, cfg, i, r)))
				return err;
		}
		c->sub = NULL;
	}
	return 0;
}

/*
 * peers = "name", ...: the other VMs this one may name in hypercalls; none
 * without it. Read once every VM's name is known: each must be another
 * VM's, once. The whole list or nothing is taken.
 */
static int peers_of(struct vmcfg_ctx *c, const struct vmcfg *cfg, struct vmcfg_vm *v)
{
	int len, n = 0;
	const char *p = fdt_getprop(c->fdt, c->node, "peers", &len), *s;
	uint32_t mask = 0;

	if (!p)
		return 0;
	if (len < 2 || p[len - 1])
		return vmcfg_fail(c, VMCFG_E_VALUE, "peers", "not a list of VM names");
	for (s = p; s < p + len; s += strlen(s) + 1, n++)
		if (!*s)
			return vmcfg_fail(c, VMCFG_E_VALUE, "peers", "name %d is empty",
					  n + 1);
	if (n > (int)VMCFG_MAX_PEERS)
		return vmcfg_fail(c, VMCFG_E_TOO_MANY, "peers",
				  "%d names, more than the %u other VMs there can be", n,
				  VMCFG_MAX_PEERS);
	for (s = p, n = 1; s < p + len; s += strlen(s) + 1, n++) {
		const struct vmcfg_vm *o = NULL;

		/* Printed below: no control character may reach the console. */
		for (const char *q = s; *q; q++)
			if ((uint8_t)*q < 0x20 || *q == 0x7f)
				return vmcfg_fail(c, VMCFG_E_VALUE, "peers",
						  "control character %#x in name %d",
						  (uint8_t)*q, n);
		for (unsigned i = 0; i < cfg->nvms && !o; i++)
			if (!strcmp(cfg->vms[i].name, s))
				o = &cfg->vms[i];
		if (!o)
			return vmcfg_fail(c, VMCFG_E_VALUE, "peers",
					  "no VM is named '%s'", s);
		if (o == v)
			return vmcfg_fail(c, VMCFG_E_VALUE, "peers",
					  "'%s' is this VM itself", s);
		if (mask >> o->id & 1)
			return vmcfg_fail(c, VMCFG_E_VALUE, "peers",
					  "'%s' is named twice", s);
		mask |= 1u << o->id;
	}
	v->peers = mask;
	return 0;
}

/* Peers know each other, both ways, and a region (the guest's device tree
 * names its other VM) is shared only between peers. */
static int check_pairs(struct vmcfg_ctx *c, const struct vmcfg *cfg)
{
	int vm_node, region;

	for (unsigned i = 0; i < cfg->nvms; i++) {
		const struct vmcfg_vm *v = &cfg->vms[i];

		c->vm = v->name;
		for (unsigned j = 0; j < cfg->nvms; j++)
			if (vmcfg_is_peer(v, cfg->vms[j].id) &&
			    !vmcfg_is_peer(&cfg->vms[j], v->id))
				return vmcfg_fail(c, VMCFG_E_VALUE, "peers",
						  "'%s' does not name this VM among its "
						  "peers (peers are mutual)",
						  cfg->vms[j].name);
		vmcfg_child_name(c->fdt, 0, "vm@", i, &vm_node);
		for (unsigned r = 0; r < v->nregions; r++) {
			if (vmcfg_is_peer(v, v->regions[r].peer))
				continue;
			c->sub = vmcfg_child_name(c->fdt, vm_node, "region", r, &region);
			return vmcfg_fail(c, VMCFG_E_VALUE, "peer",
					  "vm '%s' is not among this VM's peers",
					  vmcfg_find(cfg, v->regions[r].peer)->name);
		}
	}
	return 0;
}

/* Every VM's peers, or on a refusal none at all. */
static int check_peers(struct vmcfg_ctx *c, struct vmcfg *cfg)
{
	int err = 0;

	for (unsigned i = 0; i < cfg->nvms && !err; i++) {
		vmcfg_child_name(c->fdt, 0, "vm@", i, &c->node);
		c->vm = cfg->vms[i].name;
		err = peers_of(c, cfg, &cfg->vms[i]);
	}
	if (!err)
		err = check_pairs(c, cfg);
	for (unsigned i = 0; i < cfg->nvms && err; i++)
		cfg->vms[i].peers = 0;
	return err;
}

/* Every tag of the structure block, each step checked against the block's
 * end before libfdt walks it: libfdt 1.6.1 adds a property's length to its
 * offset in an int, so a length of 2^32 - 12 steps back onto the same tag
 * and fdt_check_full loops for ever (found by fuzz.vmcfg). Each step here
 * moves on by at least 4 bytes, so the walk ends within the block. */
static bool structure_in_bounds(const void *fdt, size_t size)
{
	const uint8_t *b = fdt;
	uint32_t off, end, strings;

	if (fdt_check_header(fdt) || fdt_totalsize(fdt) > size)
		return false;
	off = fdt_off_dt_struct(fdt);
	end = fdt_version(fdt) >= 17 ? off + fdt_size_dt_struct(fdt) : fdt_totalsize(fdt);
	strings = fdt_version(fdt) >= 17 ? fdt_size_dt_strings(fdt) : UINT32_MAX;
	while (end - off >= FDT_TAGSIZE) {
		uint32_t tag = fdt32_ld((const fdt32_t *)(b + off)), len;
		const uint8_t *nul;

		switch (tag) {
		case FDT_BEGIN_NODE:
			nul = memchr(b + off + FDT_TAGSIZE, 0, end - off - FDT_TAGSIZE);
			if (!nul)
				return false;
			len = (uint32_t)(nul + 1 - (b + off));
			break;
		case FDT_PROP:
			if (end - off < sizeof(struct fdt_property))
				return false;
			len = fdt32_ld((const fdt32_t *)(b + off + 4));
			if (len > end - off - sizeof(struct fdt_property) ||
			    fdt32_ld((const fdt32_t *)(b + off + 8)) >= strings)
				return false;
			len += sizeof(struct fdt_property);
			break;
		case FDT_END_NODE:
		case FDT_NOP:
			len = FDT_TAGSIZE;
			break;
		case FDT_END:
			return true;
		default:
			return false;
		}
		len = (len + FDT_TAGSIZE - 1) & ~(FDT_TAGSIZE - 1);
		if (len > end - off)
			return false; /* no room left for the FDT_END tag */
		off += len;
	}
	return false;
}

const struct vmcfg_vm *vmcfg_find(const struct vmcfg *cfg, unsigned id)
{
	for (unsigned i = 0; i < cfg->nvms; i++)
		if (cfg->vms[i].id == id)
			return &cfg->vms[i];
	return NULL;
}

int vmcfg_parse(const void *fdt, size_t size, unsigned max_ipa_bits, struct vmcfg *cfg,
		char *msg, size_t msglen)
{
	struct vmcfg_ctx c = {.fdt = fdt, .msg = msg, .msglen = msglen};
	int node, err;

	memset(cfg, 0, sizeof(*cfg));
	/* Before version 16 names were paths, and libfdt 1.6.1's check of
	 * such a tree dereferences NULL on an empty root name; dtc writes 17. */
	if (size < sizeof(struct fdt_header))
		return vmcfg_fail(&c, VMCFG_E_FORMAT, "configuration",
				  "not a device tree");
	if (fdt_version(fdt) < 16)
		return vmcfg_fail(&c, VMCFG_E_FORMAT, "configuration",
				  "a device tree of version %u, older than 16",
				  fdt_version(fdt));
	/* A good header, but tokens and cells not on 32-bit boundaries
	 * (the module starts on a page): libfdt 1.6.1 takes a structure
	 * block at any offset, and it and the parser below would load every
	 * fdt32_t unaligned. */
	if (!fdt_check_header(fdt) && fdt_off_dt_struct(fdt) & (FDT_TAGSIZE - 1))
		return vmcfg_fail(&c, VMCFG_E_FORMAT, "configuration",
				  "the structure block is not 4-byte aligned");
	/* The whole structure, not only the header: a name outside the
	 * strings block would reach the checks below as a NULL pointer. */
	if (!structure_in_bounds(fdt, size) || fdt_check_full(fdt, size))
		return vmcfg_fail(&c, VMCFG_E_FORMAT, "configuration",
				  "not a device tree");
	if (fdt_node_check_compatible(fdt, 0, "septa,vm-config"))
		return vmcfg_fail(&c, VMCFG_E_FORMAT, "compatible",
				  "the root is not \"septa,vm-config\"");
	c.node = 0;
	if ((err = vmcfg_check_props(&c, root_props)))
		return err;
	fdt_for_each_subnode(node, fdt, 0)
	{
		const char *name = fdt_get_name(fdt, node, NULL);
		struct vmcfg_vm *v = &cfg->vms[cfg->nvms];

		c.node = node;
		c.vm = NULL;
		if (strncmp(name, "vm@", 3))
			return vmcfg_fail(&c, VMCFG_E_UNKNOWN, name,
					  "unknown node (want vm@<id>)");
		if (cfg->nvms == VMCFG_MAX_VMS)
			return vmcfg_fail(&c, VMCFG_E_TOO_MANY, name, "more than %u VMs",
					  VMCFG_MAX_VMS);
		c.vm = name;
		if ((err = vmcfg_get_u32(&c, "reg", &v->id, true)))
			return err;
		if (v->id == 0 || v->id > VMCFG_MAX_VMS)
			return vmcfg_fail(&c, VMCFG_E_VALUE, "reg",
					  "VM id %u: want 1 to %u", v->id, VMCFG_MAX_VMS);
		if ((err = parse_vm(&c, v, max_ipa_bits)))
			return err;
		cfg->nvms++;
	}
	c.vm = NULL;
	if (!cfg->nvms)
		return vmcfg_fail(&c, VMCFG_E_MISSING, "configuration",
				  "no vm@<id> node");
	if ((err = check_all(&c, cfg)))
		return err;
	return check_peers(&c, cfg);
}

uint64_t vmcfg_memory(const struct vmcfg_vm *v)
{
	uint64_t own = v->ram_size;

	for (unsigned r = 0; r < v->nregions; r++)
		own += v->regions[r].size;
	return own;
}

int vmcfg_check_memory(const struct vmcfg *cfg, uint64_t free, char *msg, size_t msglen)
{
	struct vmcfg_ctx c = {.msg = msg, .msglen = msglen};
	uint64_t need = 0;

	for (unsigned i = 0; i < cfg->nvms; i++) {
		const struct vmcfg_vm *v = &cfg->vms[i];
		uint64_t own = vmcfg_memory(v);

		need += own;
		if (need <= free)
			continue;
		c.vm = v->name;
		if (need == own)
			return vmcfg_fail(
			    &c, VMCFG_E_MEMORY, "memory",
			    "needs %llu MiB, more than the %llu MiB memsrv has "
			    "free",
			    MIB_UP(own), MIB(free));
		return vmcfg_fail(
		    &c, VMCFG_E_MEMORY, "memory",
		    "needs %llu MiB, which makes %llu MiB for the VMs so far, "
		    "more than the %llu MiB memsrv has free",
		    MIB_UP(own), MIB_UP(need), MIB(free));
	}
	return 0;
}
