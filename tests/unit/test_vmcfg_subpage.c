/* vmsrv's VM configuration: subpage-<name> nodes (config_spp.c), in the
 * vmcfg suite, whose fixture they share through vmcfg_fix.h. alpha's RAM
 * is 0x40000000-0x41000000, its device tree in the last 2 MiB. */
#include <libfdt.h>
#include <stdio.h>
#include <string.h>
#include "config.h"
#include "spp.h"
#include "tests.h"
#include "vmcfg_fix.h"

/* A subpage node of alpha with one bitmap cell per page (n of them) or,
 * n == 1, a pattern. */
static int add_subpage(const char *node, uint64_t ipa, unsigned pages,
		       const uint32_t *bits, unsigned n)
{
	int s = fdt_add_subnode(vt_buf, vt_vm_node(1), node);

	CU_ASSERT_FATAL(s >= 0);
	vt_set_u64s(s, "address", ipa, 0, 1);
	fdt_setprop_u32(vt_buf, s, "pages", pages);
	fdt_setprop_u32(vt_buf, s, "bitmap", bits[0]);
	for (unsigned i = 1; i < n; i++)
		fdt_appendprop_u32(vt_buf, s, "bitmap", bits[i]);
	return s;
}

static int add_pattern(const char *node, uint64_t ipa, unsigned pages, uint32_t bits)
{
	return add_subpage(node, ipa, pages, &bits, 1);
}

/* A good one: the pattern or the list, in order; loosen; beside regions,
 * which keep their names in messages. */
static void test_subpage_good(void)
{
	static const uint32_t three[3] = {0x0000ffff, 0, 0xfffffffe};
	const struct vmcfg_vm *a;
	int s;

	vt_base_peers();
	add_subpage("subpage-list", 0x40100000, 3, three, 3);
	s = add_pattern("subpage-pat", 0x40200000, 2, 0x80000001);
	fdt_setprop(vt_buf, s, "loosen", NULL, 0);
	CU_ASSERT_EQUAL_FATAL(vt_parse(), VMCFG_OK);
	a = vmcfg_find(&vt_cfg, 1);
	CU_ASSERT_EQUAL_FATAL(a->nsubpages, 2);
	CU_ASSERT_EQUAL(a->subpage_pages, 5);
	/* libfdt adds a node before its siblings: the pattern comes first. */
	CU_ASSERT(a->subpages[0].ipa == 0x40200000 && a->subpages[0].pages == 2 &&
		  a->subpages[0].first == 0 && a->subpages[0].loosen);
	CU_ASSERT(a->subpages[1].ipa == 0x40100000 && a->subpages[1].pages == 3 &&
		  a->subpages[1].first == 2 && !a->subpages[1].loosen);
	CU_ASSERT(a->subpage_bitmaps[0] == 0x80000001 &&
		  a->subpage_bitmaps[1] == 0x80000001);
	CU_ASSERT(a->subpage_bitmaps[2] == 0x0000ffff && a->subpage_bitmaps[3] == 0 &&
		  a->subpage_bitmaps[4] == 0xfffffffe);
	CU_ASSERT_EQUAL(vmcfg_find(&vt_cfg, 2)->nsubpages, 0);
	/* The last page below the device tree's block, and RAM's first. */
	vt_base();
	add_pattern("subpage-top", 0x40dff000, 1, 0);
	add_pattern("subpage-bottom", 0x40000000, 1, 0);
	CU_ASSERT_EQUAL(vt_parse(), VMCFG_OK);
	/* Side by side: fine. */
	vt_base();
	add_pattern("subpage-a", 0x40100000, 2, 0);
	add_pattern("subpage-b", 0x40102000, 2, 0);
	CU_ASSERT_EQUAL(vt_parse(), VMCFG_OK);
	/* Every page the configuration allows at once fits the VM's table. */
	vt_base();
	add_pattern("subpage-all", 0x40000000, VMCFG_SUBPAGE_PAGES, 0);
	CU_ASSERT_EQUAL_FATAL(vt_parse(), VMCFG_OK);
	CU_ASSERT_EQUAL(vt_cfg.vms[0].subpage_pages, VMCFG_SUBPAGE_PAGES);
	CU_ASSERT(VMCFG_SUBPAGE_PAGES <= SPP_MAX_PAGES);
}

/* Regions' names in messages are found among regions only: a subpage node
 * before them does not shift them. */
static void test_subpage_region_names(void)
{
	vt_base_peers();
	vt_add_region(2, 0x50000000, 0x40800000, 0x1000, "r");
	add_pattern("subpage-x", 0x40100000, 1, 0);
	vt_refused(VMCFG_E_OVERLAP,
		   "vm 'alpha': region-a/peer-address: overlaps RAM or a device of vm "
		   "'beta'");
	vt_base();
	add_pattern("subpage-x", 0x40100000, 1, 0);
	vt_add_region(2, 0x50000000, 0x60000000, 0x1000, "r");
	vt_refused(VMCFG_E_VALUE,
		   "vm 'alpha': region-a/peer: vm 'beta' is not among this "
		   "VM's peers");
}

static void test_subpage_bad(void)
{
	static const struct {
		uint64_t ipa;
		unsigned pages, ncells;
		int err;
		const char *want;
	} cases[] = {
	    {0x40100800, 1, 1, VMCFG_E_VALUE,
	     "vm 'alpha': subpage-s/address: not a multiple of 4 KiB"},
	    {0x40100000, 0, 1, VMCFG_E_VALUE,
	     "vm 'alpha': subpage-s/pages: want at least one page"},
	    {0x40100000, VMCFG_SUBPAGE_PAGES + 1, 1, VMCFG_E_TOO_MANY,
	     "vm 'alpha': subpage-s/pages: 257, more than the 256 left of the VM's 256"},
	    {0x40100000, 0xffffffff, 1, VMCFG_E_TOO_MANY,
	     "vm 'alpha': subpage-s/pages: 4294967295, more than the 256 left of the "
	     "VM's 256"},
	    {0x40100000, 3, 2, VMCFG_E_VALUE,
	     "vm 'alpha': subpage-s/bitmap: want 1 or 3 cells (one per page), has 8 "
	     "bytes"},
	    {0x40100000, 2, 3, VMCFG_E_VALUE,
	     "vm 'alpha': subpage-s/bitmap: want 1 or 2 cells (one per page), has 12 "
	     "bytes"},
	    {0x3ffff000, 2, 1, VMCFG_E_VALUE,
	     "vm 'alpha': subpage-s/address: 2 pages from 0x3ffff000 are not all in "
	     "the VM's RAM"},
	    {0x41000000, 1, 1, VMCFG_E_VALUE,
	     "vm 'alpha': subpage-s/address: 1 pages from 0x41000000 are not all in "
	     "the VM's RAM"},
	    {0x50000000, 1, 1, VMCFG_E_VALUE,
	     "vm 'alpha': subpage-s/address: 1 pages from 0x50000000 are not all in "
	     "the VM's RAM"},
	    /* Past 2^64, wrapping to RAM. */
	    {0xfffffffffffff000, 0x10, 1, VMCFG_E_VALUE,
	     "vm 'alpha': subpage-s/address: 16 pages from 0xfffffffffffff000 are not "
	     "all in the VM's RAM"},
	    {0x40dff000, 2, 1, VMCFG_E_OVERLAP,
	     "vm 'alpha': subpage-s/address: in RAM's last 2 MiB, the device tree's"},
	    {0x40fff000, 1, 1, VMCFG_E_OVERLAP,
	     "vm 'alpha': subpage-s/address: in RAM's last 2 MiB, the device tree's"},
	};
	uint32_t cells[3] = {1, 2, 3};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		vt_base();
		add_subpage("subpage-s", cases[i].ipa, cases[i].pages, cells,
			    cases[i].ncells);
		vt_refused(cases[i].err, cases[i].want);
	}
	/* Each property missing, malformed, unknown. */
	static const char *const props[] = {"address", "pages", "bitmap"};
	for (unsigned i = 0; i < 3; i++) {
		char want[96];

		vt_base();
		fdt_delprop(vt_buf, add_pattern("subpage-s", 0x40100000, 1, 0), props[i]);
		snprintf(want, sizeof(want), "vm 'alpha': subpage-s/%s: missing",
			 props[i]);
		vt_refused(VMCFG_E_MISSING, want);
	}
	vt_base();
	fdt_setprop(vt_buf, add_pattern("subpage-s", 0x40100000, 1, 0), "bitmap", NULL,
		    0);
	vt_refused(VMCFG_E_VALUE,
		   "vm 'alpha': subpage-s/bitmap: want 1 or 1 cells (one per "
		   "page), has 0 bytes");
	vt_base();
	fdt_setprop_u32(vt_buf, add_pattern("subpage-s", 0x40100000, 1, 0), "address", 1);
	vt_refused(VMCFG_E_VALUE, "vm 'alpha': subpage-s/address: want 2 cells, has 1");
	vt_base();
	fdt_setprop_u64(vt_buf, add_pattern("subpage-s", 0x40100000, 1, 0), "pages", 1);
	vt_refused(VMCFG_E_VALUE,
		   "vm 'alpha': subpage-s/pages: want one cell, has 8 bytes");
	vt_base();
	fdt_setprop_u32(vt_buf, add_pattern("subpage-s", 0x40100000, 1, 0), "loosen", 1);
	vt_refused(VMCFG_E_VALUE,
		   "vm 'alpha': subpage-s/loosen: a flag: want no value, has 4 bytes");
	vt_base();
	fdt_setprop_u32(vt_buf, add_pattern("subpage-s", 0x40100000, 1, 0), "bitmaps", 1);
	vt_refused(VMCFG_E_UNKNOWN,
		   "vm 'alpha': subpage-s/bitmaps: unknown property (did you mean "
		   "'bitmap'?)");
	vt_base();
	fdt_setprop_u32(vt_buf, add_pattern("subpage-s", 0x40100000, 1, 0), "size", 1);
	vt_refused(VMCFG_E_UNKNOWN, "vm 'alpha': subpage-s/size: unknown property");
	/* A node inside one (a subpage node nested by mistake, say) would be
	 * a protection silently not applied: refused, named; a region's too. */
	vt_base();
	CU_ASSERT_FATAL(fdt_add_subnode(vt_buf,
					add_pattern("subpage-s", 0x40100000, 1, 0),
					"subpage-inner") >= 0);
	vt_refused(VMCFG_E_UNKNOWN, "vm 'alpha': subpage-s/subpage-inner: unknown node "
				    "(subpage-<name> has none)");
	vt_base_peers();
	CU_ASSERT_FATAL(
	    fdt_add_subnode(vt_buf, vt_add_region(2, 0x50000000, 0x50000000, 0x1000, "r"),
			    "x") >= 0);
	vt_refused(VMCFG_E_UNKNOWN,
		   "vm 'alpha': region-a/x: unknown node (region-<name> has none)");
	vt_base();
	add_pattern("subpages", 0x40100000, 1, 0);
	vt_refused(VMCFG_E_UNKNOWN, "vm 'alpha': subpages: unknown node (want "
				    "region-<name> or subpage-<name>)");
}

/* Clear of each other and of the shareable range; bounded in nodes and in
 * pages all together. */
static void test_subpage_limits(void)
{
	vt_base();
	add_pattern("subpage-a", 0x40100000, 2, 0);
	add_pattern("subpage-b", 0x40101000, 2, 0);
	vt_refused(
	    VMCFG_E_OVERLAP,
	    "vm 'alpha': subpage-a/address: overlaps subpage-b (0x40101000-0x40103000)");
	vt_base();
	add_pattern("subpage-a", 0x40100000, 1, 0);
	add_pattern("subpage-b", 0x400ff000, 2, 0);
	vt_refused(
	    VMCFG_E_OVERLAP,
	    "vm 'alpha': subpage-a/address: overlaps subpage-b (0x400ff000-0x40101000)");
	vt_base();
	vt_set_u64s(vt_vm_node(1), "shareable", 0x40400000, 0x10000, 2);
	add_pattern("subpage-a", 0x4040f000, 1, 0);
	vt_refused(VMCFG_E_OVERLAP,
		   "vm 'alpha': subpage-a/address: in the shareable range");
	vt_base();
	vt_set_u64s(vt_vm_node(1), "shareable", 0x40400000, 0x10000, 2);
	add_pattern("subpage-a", 0x403ff000, 1, 0);
	add_pattern("subpage-b", 0x40410000, 1, 0);
	CU_ASSERT_EQUAL(vt_parse(), VMCFG_OK);
	/* Five nodes. */
	vt_base();
	for (unsigned i = 0; i <= VMCFG_MAX_SUBPAGES; i++) {
		char name[16];

		snprintf(name, sizeof(name), "subpage-%c", 'a' + i);
		add_pattern(name, 0x40100000 + i * 0x10000, 1, 0);
	}
	vt_refused(VMCFG_E_TOO_MANY, "vm 'alpha': subpage-a: more than 4 subpage nodes");
	/* 256 pages in two nodes, then one more. */
	vt_base();
	add_pattern("subpage-a", 0x40000000, VMCFG_SUBPAGE_PAGES - 1, 0);
	add_pattern("subpage-b", 0x40200000, 1, 0);
	CU_ASSERT_EQUAL(vt_parse(), VMCFG_OK);
	vt_base();
	add_pattern("subpage-c", 0x40300000, 1, 0);
	add_pattern("subpage-a", 0x40000000, VMCFG_SUBPAGE_PAGES - 1, 0);
	add_pattern("subpage-b", 0x40200000, 1, 0);
	vt_refused(
	    VMCFG_E_TOO_MANY,
	    "vm 'alpha': subpage-c/pages: 1, more than the 0 left of the VM's 256");
	/* beta's nodes are its own: alpha's count is not beta's. */
	vt_base();
	add_pattern("subpage-a", 0x40000000, VMCFG_SUBPAGE_PAGES, 0);
	{
		int s = fdt_add_subnode(vt_buf, vt_vm_node(2), "subpage-a");

		vt_set_u64s(s, "address", 0x40000000, 0, 1);
		fdt_setprop_u32(vt_buf, s, "pages", VMCFG_SUBPAGE_PAGES);
		fdt_setprop_u32(vt_buf, s, "bitmap", 7);
	}
	CU_ASSERT_EQUAL_FATAL(vt_parse(), VMCFG_OK);
	CU_ASSERT_EQUAL(vmcfg_find(&vt_cfg, 2)->subpage_bitmaps[VMCFG_SUBPAGE_PAGES - 1],
			7);
}

void vmcfg_subpage_tests(CU_pSuite s)
{
	CU_add_test(s, "subpage nodes: pattern, list, loosen", test_subpage_good);
	CU_add_test(s, "subpage nodes do not shift regions' names",
		    test_subpage_region_names);
	CU_add_test(s, "subpage nodes: each bad value", test_subpage_bad);
	CU_add_test(s, "subpage nodes: overlaps and bounds", test_subpage_limits);
}
