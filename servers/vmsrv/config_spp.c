/*
 * The configuration's subpage-<name> nodes (docs/vm-config.md, "Sub-page
 * write protection"): pages of a VM's RAM and their write bitmaps, which
 * vmsrv puts in the VM's table (spp.h) before the VM starts.
 */
#include <libfdt.h>
#include "config_fdt.h"
#include "spp.h"

_Static_assert(VMCFG_SUBPAGE_PAGES <= SPP_MAX_PAGES,
	       "every configured page fits in the VM's table");
_Static_assert(VMCFG_MAX_SUBPAGES <= SPP_MAX_LOOSEN, "every node may be a loosen run");

static const char *const subpage_props[] = {"address", "pages", "bitmap", "loosen", NULL};

/* No two nodes share a page: which bitmap would win is not obvious. */
static int check_clear(struct vmcfg_ctx *c, const struct vmcfg_vm *v, int vm_node,
		       uint64_t ipa, uint64_t size)
{
	for (unsigned i = 0; i < v->nsubpages; i++) {
		const struct vmcfg_subpage *o = &v->subpages[i];
		uint64_t osize = (uint64_t)o->pages * SPP_PAGE;
		int node;

		if (vmcfg_overlaps(ipa, size, o->ipa, osize))
			return vmcfg_fail(
			    c, VMCFG_E_OVERLAP, "address", "overlaps %s (%#llx-%#llx)",
			    vmcfg_child_name(c->fdt, vm_node, "subpage-", i, &node),
			    (unsigned long long)o->ipa,
			    (unsigned long long)(o->ipa + osize));
	}
	return 0;
}

int vmcfg_parse_subpage(struct vmcfg_ctx *c, int node, struct vmcfg_vm *v)
{
	struct vmcfg_subpage *s = &v->subpages[v->nsubpages];
	const char *name = fdt_get_name(c->fdt, node, NULL);
	const fdt32_t *bits;
	uint64_t ipa, size, dtb = v->ram_base + v->ram_size - VMCFG_BLOCK;
	int vm_node = c->node, len, err;
	unsigned pages, left = VMCFG_SUBPAGE_PAGES - v->subpage_pages;

	if (v->nsubpages == VMCFG_MAX_SUBPAGES)
		return vmcfg_fail(c, VMCFG_E_TOO_MANY, name, "more than %u subpage nodes",
				  VMCFG_MAX_SUBPAGES);
	c->node = node;
	c->sub = name;
	if ((err = vmcfg_check_props(c, subpage_props)) ||
	    (err = vmcfg_check_leaf(c, "subpage-<name>")) ||
	    (err = vmcfg_get_u64s(c, "address", &ipa, 1, true)) ||
	    (err = vmcfg_get_u32(c, "pages", &pages, true)) ||
	    (err = vmcfg_get_flag(c, "loosen", &s->loosen)))
		return err;
	bits = fdt_getprop(c->fdt, node, "bitmap", &len);
	if (!bits)
		return vmcfg_fail(c, VMCFG_E_MISSING, "bitmap", "missing");
	if (ipa & (SPP_PAGE - 1))
		return vmcfg_fail(c, VMCFG_E_VALUE, "address", "not a multiple of 4 KiB");
	if (!pages)
		return vmcfg_fail(c, VMCFG_E_VALUE, "pages", "want at least one page");
	if (pages > left)
		return vmcfg_fail(c, VMCFG_E_TOO_MANY, "pages",
				  "%u, more than the %u left of the VM's %u", pages, left,
				  VMCFG_SUBPAGE_PAGES);
	/* One cell per page, or one for them all. */
	if (len != 4 && (unsigned)len != pages * 4)
		return vmcfg_fail(c, VMCFG_E_VALUE, "bitmap",
				  "want 1 or %u cells (one per page), has %d bytes",
				  pages, len);
	size = (uint64_t)pages * SPP_PAGE;
	if (!vmcfg_inside(ipa, size, v->ram_base, v->ram_size))
		return vmcfg_fail(c, VMCFG_E_VALUE, "address",
				  "%u pages from %#llx are not all in the VM's RAM",
				  pages, (unsigned long long)ipa);
	if (vmcfg_overlaps(ipa, size, dtb, VMCFG_BLOCK))
		return vmcfg_fail(c, VMCFG_E_OVERLAP, "address",
				  "in RAM's last 2 MiB, the device tree's");
	/* A page the guest may share or lend is mapped in another VM too,
	 * where this bitmap would not follow it (not yet: docs/subpage.md). */
	if (v->share_size && vmcfg_overlaps(ipa, size, v->share_base, v->share_size))
		return vmcfg_fail(c, VMCFG_E_OVERLAP, "address",
				  "in the shareable range");
	if ((err = check_clear(c, v, vm_node, ipa, size)))
		return err;
	s->ipa = ipa;
	s->pages = pages;
	s->first = v->subpage_pages;
	for (unsigned i = 0; i < pages; i++)
		v->subpage_bitmaps[s->first + i] = fdt32_to_cpu(bits[len == 4 ? 0 : i]);
	v->subpage_pages += pages;
	v->nsubpages++;
	return 0;
}
