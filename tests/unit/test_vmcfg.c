/*
 * vmsrv's configuration parser: a good configuration gives exactly its
 * values (and the documented defaults); every bad one is refused with its
 * error code and a message naming the VM and the property.
 */
#include <libfdt.h>
#include <stdio.h>
#include <string.h>
#include "config.h"
#include "tests.h"
#include "vmcfg_fix.h"

char vt_buf[16384];
struct vmcfg vt_cfg;
char vt_msg[160];

int vt_vm_node(unsigned id)
{
	char name[16];

	snprintf(name, sizeof(name), "vm@%u", id);
	return fdt_subnode_offset(vt_buf, 0, name);
}

void vt_set_u64s(int node, const char *prop, uint64_t a, uint64_t b, int n)
{
	CU_ASSERT_FATAL(fdt_setprop_u64(vt_buf, node, prop, a) == 0);
	if (n == 2)
		CU_ASSERT_FATAL(fdt_appendprop_u64(vt_buf, node, prop, b) == 0);
}

void vt_add_vm(unsigned id, const char *name)
{
	char node_name[16];
	int n;

	snprintf(node_name, sizeof(node_name), "vm@%u", id);
	n = fdt_add_subnode(vt_buf, 0, node_name);
	CU_ASSERT_FATAL(n >= 0);
	fdt_setprop_u32(vt_buf, n, "reg", id);
	fdt_setprop_string(vt_buf, n, "vm-name", name);
	fdt_setprop_string(vt_buf, n, "kernel", "hello");
	vt_set_u64s(n, "memory", 0x40000000, 0x1000000, 2);
	vt_set_u64s(n, "uart", 0x09000000, 0, 1);
	fdt_setprop_u32(vt_buf, n, "uart-interrupt", 33);
}

/* Two good VMs: alpha (1) and beta (2). */
void vt_base(void)
{
	CU_ASSERT_FATAL(fdt_create_empty_tree(vt_buf, sizeof(vt_buf)) == 0);
	fdt_setprop_string(vt_buf, 0, "compatible", "septa,vm-config");
	fdt_setprop_u32(vt_buf, 0, "#address-cells", 1);
	fdt_setprop_u32(vt_buf, 0, "#size-cells", 0);
	/* libfdt adds a node before its siblings. */
	vt_add_vm(2, "beta");
	vt_add_vm(1, "alpha");
}

/* The same, alpha and beta each other's peers (regions need it). */
void vt_base_peers(void)
{
	vt_base();
	fdt_setprop_string(vt_buf, vt_vm_node(1), "peers", "beta");
	fdt_setprop_string(vt_buf, vt_vm_node(2), "peers", "alpha");
}

int vt_parse(void)
{
	vt_msg[0] = 0;
	return vmcfg_parse(vt_buf, sizeof(vt_buf), 44, &vt_cfg, vt_msg, sizeof(vt_msg));
}

static void test_good(void)
{
	int beta;

	vt_base();
	beta = vt_vm_node(2);
	fdt_setprop_u32(vt_buf, beta, "cpus", 2);
	fdt_setprop_u32(vt_buf, beta, "ipa-bits", 36);
	vt_set_u64s(beta, "shareable", 0x40400000, 0x10000, 2);
	vt_set_u64s(beta, "load-address", 0x40200000, 0, 1);
	fdt_setprop_string(vt_buf, beta, "bootargs", "console=ttyAMA0");
	fdt_setprop_empty(vt_buf, beta, "show-vm-count");
	CU_ASSERT_EQUAL_FATAL(vt_parse(), VMCFG_OK);
	/* The VM count is told only where the configuration says so. */
	CU_ASSERT(!vt_cfg.vms[0].show_vm_count && vt_cfg.vms[1].show_vm_count);
	CU_ASSERT_EQUAL(vt_cfg.nvms, 2);
	CU_ASSERT_EQUAL(vt_cfg.vms[0].id, 1);
	CU_ASSERT_STRING_EQUAL(vt_cfg.vms[0].name, "alpha");
	CU_ASSERT_STRING_EQUAL(vt_cfg.vms[0].kernel, "hello");
	CU_ASSERT_STRING_EQUAL(vt_cfg.vms[0].initrd, "");
	CU_ASSERT_EQUAL(vt_cfg.vms[0].ram_base, 0x40000000);
	CU_ASSERT_EQUAL(vt_cfg.vms[0].ram_size, 0x1000000);
	/* Defaults: 40-bit IPA, one vCPU, loaded at 512 KiB into RAM. */
	CU_ASSERT_EQUAL(vt_cfg.vms[0].ipa_bits, 40);
	CU_ASSERT_EQUAL(vt_cfg.vms[0].cpus, 1);
	CU_ASSERT_EQUAL(vt_cfg.vms[0].load, 0x40080000);
	CU_ASSERT_EQUAL(vt_cfg.vms[0].entry, 0x40080000);
	CU_ASSERT_EQUAL(vt_cfg.vms[0].uart_base, 0x09000000);
	CU_ASSERT_EQUAL(vt_cfg.vms[0].uart_spi, 1);
	CU_ASSERT_EQUAL(vt_cfg.vms[0].share_size, 0);
	CU_ASSERT_EQUAL(vt_cfg.vms[1].cpus, 2);
	CU_ASSERT_EQUAL(vt_cfg.vms[1].ipa_bits, 36);
	CU_ASSERT_EQUAL(vt_cfg.vms[1].share_base, 0x40400000);
	CU_ASSERT_EQUAL(vt_cfg.vms[1].share_size, 0x10000);
	CU_ASSERT_EQUAL(vt_cfg.vms[1].load, 0x40200000);
	CU_ASSERT_EQUAL(vt_cfg.vms[1].entry, 0x40200000);
	/* What was given, not defaulted: an Image or an ELF places itself. */
	CU_ASSERT(!vt_cfg.vms[0].load_set && !vt_cfg.vms[0].entry_set);
	CU_ASSERT(vt_cfg.vms[1].load_set && !vt_cfg.vms[1].entry_set);
	CU_ASSERT_STRING_EQUAL(vt_cfg.vms[1].bootargs, "console=ttyAMA0");
	CU_ASSERT_PTR_EQUAL(vmcfg_find(&vt_cfg, 2), &vt_cfg.vms[1]);
	CU_ASSERT_PTR_NULL(vmcfg_find(&vt_cfg, 3));
}

/* One change to beta of the good configuration, and what it must give. */
struct bad {
	const char *prop;
	enum { DEL, U32, U64, U64X2, STR } kind;
	uint64_t a, b;
	const char *s;
	int err;
	const char *want;
};

static const struct bad bads[] = {
    {"memory", DEL, 0, 0, NULL, VMCFG_E_MISSING, "vm 'beta': memory: missing"},
    {"memory", U32, 1, 0, NULL, VMCFG_E_VALUE, "vm 'beta': memory: want 4 cells, has 1"},
    {"memory", U64X2, 0x40000000, 0x1001000, NULL, VMCFG_E_VALUE,
     "vm 'beta': memory: base and size must be multiples of 2 MiB, size 4 MiB at least"},
    {"memory", U64X2, 0x40000000, 0x200000, NULL, VMCFG_E_VALUE,
     "vm 'beta': memory: base and size must be multiples of 2 MiB, size 4 MiB at least"},
    {"memory", U64X2, 0xffffe00000, 0x400000, NULL, VMCFG_E_VALUE,
     "vm 'beta': memory: beyond the 40-bit IPA space"},
    {"memory", U64X2, 0x08000000, 0x400000, NULL, VMCFG_E_OVERLAP,
     "vm 'beta': memory: overlaps the GIC (0x8000000-0x8120000)"},
    {"ipa-bits", U32, 48, 0, NULL, VMCFG_E_VALUE,
     "vm 'beta': ipa-bits: 48: want 32 to 44"},
    {"ipa-bits", U32, 31, 0, NULL, VMCFG_E_VALUE,
     "vm 'beta': ipa-bits: 31: want 32 to 44"},
    /* One past the CPU's 44 (vt_parse). */
    {"ipa-bits", U32, 45, 0, NULL, VMCFG_E_VALUE,
     "vm 'beta': ipa-bits: 45: want 32 to 44"},
    {"cpus", U32, 0, 0, NULL, VMCFG_E_VALUE, "vm 'beta': cpus: 0: want 1 to 4"},
    {"cpus", U32, 5, 0, NULL, VMCFG_E_VALUE, "vm 'beta': cpus: 5: want 1 to 4"},
    {"cpus", U64, 1, 0, NULL, VMCFG_E_VALUE,
     "vm 'beta': cpus: want one cell, has 8 bytes"},
    {"uart", DEL, 0, 0, NULL, VMCFG_E_MISSING, "vm 'beta': uart: missing"},
    {"uart", U64, 0x09000100, 0, NULL, VMCFG_E_VALUE,
     "vm 'beta': uart: not 4 KiB aligned"},
    {"uart", U64, 0x40100000, 0, NULL, VMCFG_E_OVERLAP,
     "vm 'beta': uart: in the VM's memory"},
    {"uart", U64, 0x080a0000, 0, NULL, VMCFG_E_OVERLAP,
     "vm 'beta': uart: overlaps the GIC (0x8000000-0x8120000)"},
    {"uart-interrupt", U32, 48, 0, NULL, VMCFG_E_VALUE,
     "vm 'beta': uart-interrupt: 48: want an SPI (32-95), not the doorbell 48"},
    {"uart-interrupt", U32, 27, 0, NULL, VMCFG_E_VALUE,
     "vm 'beta': uart-interrupt: 27: want an SPI (32-95), not the doorbell 48"},
    /* Beyond the vGIC's SPIs: the UART's interrupt would never arrive. */
    {"uart-interrupt", U32, 96, 0, NULL, VMCFG_E_VALUE,
     "vm 'beta': uart-interrupt: 96: want an SPI (32-95), not the doorbell 48"},
    {"load-address", U64, 0x50000000, 0, NULL, VMCFG_E_VALUE,
     "vm 'beta': load-address: outside RAM below its last 2 MiB (the device tree's)"},
    {"load-address", U64, 0x40e00000, 0, NULL, VMCFG_E_VALUE,
     "vm 'beta': load-address: outside RAM below its last 2 MiB (the device tree's)"},
    {"entry", U64, 0x40080002, 0, NULL, VMCFG_E_VALUE,
     "vm 'beta': entry: not an aligned address in RAM"},
    {"shareable", U64X2, 0x40000000, 0x1000, NULL, VMCFG_E_OVERLAP,
     "vm 'beta': shareable: shares a 2 MiB block with the kernel or the device tree"},
    {"shareable", U64X2, 0x40e00000, 0x1000, NULL, VMCFG_E_OVERLAP,
     "vm 'beta': shareable: shares a 2 MiB block with the kernel or the device tree"},
    {"shareable", U64X2, 0x40400800, 0x1000, NULL, VMCFG_E_VALUE,
     "vm 'beta': shareable: not a page-aligned range of RAM"},
    {"shareable", U64X2, 0x40f00000, 0x200000, NULL, VMCFG_E_VALUE,
     "vm 'beta': shareable: not a page-aligned range of RAM"},
    {"vm-name", DEL, 0, 0, NULL, VMCFG_E_MISSING, "vm 'vm@2': vm-name: missing"},
    {"vm-name", STR, 0, 0, "alpha", VMCFG_E_VALUE,
     "vm 'alpha': vm-name: two VMs have this name"},
    {"vm-name", STR, 0, 0, "a-name-of-16-chr", VMCFG_E_VALUE,
     "vm 'vm@2': vm-name: longer than 15 characters"},
    {"kernel", STR, 0, 0, "", VMCFG_E_VALUE,
     "vm 'beta': kernel: not one non-empty string"},
    {"kernel", DEL, 0, 0, NULL, VMCFG_E_MISSING, "vm 'beta': kernel: missing"},
    {"reg", U32, 0, 0, NULL, VMCFG_E_VALUE, "vm 'vm@2': reg: VM id 0: want 1 to 8"},
    {"reg", U32, 9, 0, NULL, VMCFG_E_VALUE, "vm 'vm@2': reg: VM id 9: want 1 to 8"},
    {"reg", U32, 1, 0, NULL, VMCFG_E_VALUE,
     "vm 'beta': reg: VM id 1 is taken by vm 'alpha'"},
    /* Strict: a property vmsrv does not know is refused, a near one named. */
    {"cpu", U32, 2, 0, NULL, VMCFG_E_UNKNOWN,
     "vm 'beta': cpu: unknown property (did you mean 'cpus'?)"},
    {"load-adress", U64, 0x40200000, 0, NULL, VMCFG_E_UNKNOWN,
     "vm 'beta': load-adress: unknown property (did you mean 'load-address'?)"},
    {"uart_interrupt", U32, 33, 0, NULL, VMCFG_E_UNKNOWN,
     "vm 'beta': uart_interrupt: unknown property (did you mean 'uart-interrupt'?)"},
    {"vcpus", U32, 2, 0, NULL, VMCFG_E_UNKNOWN,
     "vm 'beta': vcpus: unknown property (did you mean 'cpus'?)"},
    {"linux,initrd-start", U32, 2, 0, NULL, VMCFG_E_UNKNOWN,
     "vm 'beta': linux,initrd-start: unknown property"},
    {"status", STR, 0, 0, "okay", VMCFG_E_UNKNOWN, "vm 'beta': status: unknown property"},
    {"show-vm-count", U32, 1, 0, NULL, VMCFG_E_VALUE,
     "vm 'beta': show-vm-count: a flag: want no value, has 4 bytes"},
    {"show-vm-counts", U32, 1, 0, NULL, VMCFG_E_UNKNOWN,
     "vm 'beta': show-vm-counts: unknown property (did you mean 'show-vm-count'?)"},
};

static void apply(const struct bad *b)
{
	int n = vt_vm_node(2);

	switch (b->kind) {
	case DEL:
		CU_ASSERT_FATAL(fdt_delprop(vt_buf, n, b->prop) == 0);
		break;
	case U32:
		CU_ASSERT_FATAL(fdt_setprop_u32(vt_buf, n, b->prop, (uint32_t)b->a) == 0);
		break;
	case U64:
		vt_set_u64s(n, b->prop, b->a, 0, 1);
		break;
	case U64X2:
		vt_set_u64s(n, b->prop, b->a, b->b, 2);
		break;
	case STR:
		CU_ASSERT_FATAL(fdt_setprop_string(vt_buf, n, b->prop, b->s) == 0);
		break;
	}
}

static void test_bad_values(void)
{
	for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		int err;

		vt_base();
		apply(&bads[i]);
		err = vt_parse();
		if (err != bads[i].err || strcmp(vt_msg, bads[i].want))
			printf("\ncase %zu: err %d, \"%s\"\n", i, err, vt_msg);
		CU_ASSERT_EQUAL(err, bads[i].err);
		CU_ASSERT_STRING_EQUAL(vt_msg, bads[i].want);
	}
}

static void test_bad_structure(void)
{
	int n;

	memset(vt_buf, 0x5a, sizeof(vt_buf));
	CU_ASSERT_EQUAL(vt_parse(), VMCFG_E_FORMAT);
	CU_ASSERT_STRING_EQUAL(vt_msg, "configuration: not a device tree");
	vt_base();
	CU_ASSERT_EQUAL(vmcfg_parse(vt_buf, 16, 44, &vt_cfg, vt_msg, sizeof(vt_msg)),
			VMCFG_E_FORMAT);
	CU_ASSERT_EQUAL(vmcfg_parse(vt_buf, fdt_totalsize(vt_buf) - 1, 44, &vt_cfg,
				    vt_msg, sizeof(vt_msg)),
			VMCFG_E_FORMAT);
	fdt_setprop_string(vt_buf, 0, "compatible", "something,else");
	CU_ASSERT_EQUAL(vt_parse(), VMCFG_E_FORMAT);
	CU_ASSERT_STRING_EQUAL(vt_msg, "compatible: the root is not \"septa,vm-config\"");
	vt_base();
	fdt_del_node(vt_buf, vt_vm_node(2));
	fdt_del_node(vt_buf, vt_vm_node(1));
	CU_ASSERT_EQUAL(vt_parse(), VMCFG_E_MISSING);
	CU_ASSERT_STRING_EQUAL(vt_msg, "configuration: no vm@<id> node");
	vt_base();
	fdt_add_subnode(vt_buf, 0, "disk@0");
	CU_ASSERT_EQUAL(vt_parse(), VMCFG_E_UNKNOWN);
	CU_ASSERT_STRING_EQUAL(vt_msg, "disk@0: unknown node (want vm@<id>)");
	vt_base();
	fdt_setprop_string(vt_buf, 0, "model", "mine");
	CU_ASSERT_EQUAL(vt_parse(), VMCFG_E_UNKNOWN);
	CU_ASSERT_STRING_EQUAL(vt_msg, "model: unknown property");
	vt_base();
	fdt_setprop_u32(vt_buf, 0, "#size-cell", 0);
	CU_ASSERT_EQUAL(vt_parse(), VMCFG_E_UNKNOWN);
	CU_ASSERT_STRING_EQUAL(
	    vt_msg, "#size-cell: unknown property (did you mean '#size-cells'?)");
	vt_base();
	for (unsigned id = 10; id >= 3; id--) {
		char name[8];

		snprintf(name, sizeof(name), "v%u", id);
		vt_add_vm(id, name);
	}
	/* Ten nodes, ids all valid until the count runs out at the ninth. */
	fdt_setprop_u32(vt_buf, vt_vm_node(10), "reg", 8);
	fdt_setprop_u32(vt_buf, vt_vm_node(9), "reg", 7);
	CU_ASSERT_EQUAL(vt_parse(), VMCFG_E_TOO_MANY);
	CU_ASSERT_STRING_EQUAL(vt_msg, "vm@1: more than 8 VMs");
	vt_base();
	n = fdt_add_subnode(vt_buf, vt_vm_node(2), "disk");
	CU_ASSERT(n >= 0);
	CU_ASSERT_EQUAL(vt_parse(), VMCFG_E_UNKNOWN);
	CU_ASSERT_STRING_EQUAL(
	    vt_msg,
	    "vm 'beta': disk: unknown node (want region-<name> or subpage-<name>)");
}

int vt_add_region_named(const char *node, unsigned peer, uint64_t ipa, uint64_t peer_ipa,
			uint64_t size, const char *rights)
{
	int n = fdt_add_subnode(vt_buf, vt_vm_node(1), node);

	CU_ASSERT_FATAL(n >= 0);
	fdt_setprop_u32(vt_buf, n, "peer", peer);
	vt_set_u64s(n, "address", ipa, 0, 1);
	vt_set_u64s(n, "peer-address", peer_ipa, 0, 1);
	vt_set_u64s(n, "size", size, 0, 1);
	fdt_setprop_string(vt_buf, n, "rights", rights);
	return n;
}

int vt_add_region(unsigned peer, uint64_t ipa, uint64_t peer_ipa, uint64_t size,
		  const char *rights)
{
	return vt_add_region_named("region-a", peer, ipa, peer_ipa, size, rights);
}

static void test_regions(void)
{
	static const struct {
		unsigned peer;
		uint64_t ipa, peer_ipa, size;
		const char *rights;
		int err;
		const char *want;
	} cases[] = {
	    {2, 0x50000000, 0x60000000, 0x2000, "rw", VMCFG_OK, ""},
	    {2, 0x50000000, 0x60000000, 0x2000, "rwx", VMCFG_E_VALUE,
	     "vm 'alpha': region-a/rights: 'rwx': want r, rw or rx"},
	    {2, 0x50000000, 0x60000000, 0x2000, "w", VMCFG_E_VALUE,
	     "vm 'alpha': region-a/rights: 'w': want r, rw or rx"},
	    {1, 0x50000000, 0x60000000, 0x2000, "r", VMCFG_E_VALUE,
	     "vm 'alpha': region-a/peer: 1 is not another VM's id"},
	    {3, 0x50000000, 0x60000000, 0x2000, "r", VMCFG_E_VALUE,
	     "vm 'alpha': region-a/peer: no VM has id 3"},
	    {2, 0x50000000, 0x60000000, 0x1800, "r", VMCFG_E_VALUE,
	     "vm 'alpha': region-a/size: want a non-zero multiple of 4 KiB"},
	    {2, 0x50000000, 0x60000000, 0, "r", VMCFG_E_VALUE,
	     "vm 'alpha': region-a/size: want a non-zero multiple of 4 KiB"},
	    {2, 0x50000800, 0x60000000, 0x1000, "r", VMCFG_E_VALUE,
	     "vm 'alpha': region-a/address: not a multiple of 4 KiB"},
	    {2, 0x50000000, 0x60000800, 0x1000, "r", VMCFG_E_VALUE,
	     "vm 'alpha': region-a/peer-address: not a multiple of 4 KiB"},
	    {2, 0x40800000, 0x60000000, 0x1000, "r", VMCFG_E_OVERLAP,
	     "vm 'alpha': region-a/address: overlaps RAM, a device or the IPA limit"},
	    /* alpha's IPA space is 40 bits: its last page, and the page past it. */
	    {2, 0xfffffff000, 0x60000000, 0x1000, "r", VMCFG_OK, ""},
	    {2, 0x10000000000, 0x60000000, 0x1000, "r", VMCFG_E_OVERLAP,
	     "vm 'alpha': region-a/address: overlaps RAM, a device or the IPA limit"},
	    {2, 0x50000000, 0x40800000, 0x1000, "r", VMCFG_E_OVERLAP,
	     "vm 'alpha': region-a/peer-address: overlaps RAM or a device of vm 'beta'"},
	    {2, 0x50000000, 0x09000000, 0x1000, "r", VMCFG_E_OVERLAP,
	     "vm 'alpha': region-a/peer-address: overlaps RAM or a device of vm 'beta'"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		vt_base_peers();
		vt_add_region(cases[i].peer, cases[i].ipa, cases[i].peer_ipa,
			      cases[i].size, cases[i].rights);
		CU_ASSERT_EQUAL(vt_parse(), cases[i].err);
		if (cases[i].err)
			CU_ASSERT_STRING_EQUAL(vt_msg, cases[i].want);
	}
	vt_base_peers();
	fdt_setprop_u32(vt_buf, vt_add_region(2, 0x50000000, 0x60000000, 0x2000, "r"),
			"peers", 2);
	CU_ASSERT_EQUAL(vt_parse(), VMCFG_E_UNKNOWN);
	CU_ASSERT_STRING_EQUAL(
	    vt_msg, "vm 'alpha': region-a/peers: unknown property (did you mean "
		    "'peer'?)");
	vt_base_peers();
	for (unsigned i = 0; i <= VMCFG_MAX_REGIONS; i++) {
		char name[16];

		/* libfdt adds a node before its siblings: region-a comes last. */
		snprintf(name, sizeof(name), "region-%c", 'a' + i);
		vt_add_region_named(name, 2, 0x50000000 + i * 0x10000,
				    0x60000000 + i * 0x10000, 0x1000, "r");
	}
	CU_ASSERT_EQUAL(vt_parse(), VMCFG_E_TOO_MANY);
	CU_ASSERT_STRING_EQUAL(vt_msg, "vm 'alpha': region-a: more than 4 regions");
	vt_base_peers();
	vt_add_region(2, 0x50000000, 0x60000000, 0x2000, "rx");
	CU_ASSERT_EQUAL_FATAL(vt_parse(), VMCFG_OK);
	CU_ASSERT_EQUAL(vt_cfg.vms[0].nregions, 1);
	CU_ASSERT_EQUAL(vt_cfg.vms[0].regions[0].peer, 2);
	CU_ASSERT_EQUAL(vt_cfg.vms[0].regions[0].peer_ipa, 0x60000000);
	CU_ASSERT_EQUAL(vt_cfg.vms[0].regions[0].rights, 5u);
}

/* Region r of beta (vm 2), shared with alpha. */
static void add_beta_region(const char *node, uint64_t ipa, uint64_t peer_ipa)
{
	int n = fdt_add_subnode(vt_buf, vt_vm_node(2), node);

	CU_ASSERT_FATAL(n >= 0);
	fdt_setprop_u32(vt_buf, n, "peer", 1);
	vt_set_u64s(n, "address", ipa, 0, 1);
	vt_set_u64s(n, "peer-address", peer_ipa, 0, 1);
	vt_set_u64s(n, "size", 0x2000, 0, 1);
	fdt_setprop_string(vt_buf, n, "rights", "rw");
}

/* vt_parse gives want_err and the message want; a wrong one is printed. */
void vt_refused(int want_err, const char *want)
{
	int err = vt_parse();

	if (err != want_err || strcmp(vt_msg, want))
		printf("\n  got %d \"%s\"\n want %d \"%s\"\n", err, vt_msg, want_err,
		       want);
	CU_ASSERT_EQUAL(err, want_err);
	CU_ASSERT_STRING_EQUAL(vt_msg, want);
}

static void overlap_refused(const char *want)
{
	vt_refused(VMCFG_E_OVERLAP, want);
}

/* A region lies in two VMs, its owner's and its peer's: in each, no other
 * region, owned or borrowed, may share its addresses (memsrv would refuse
 * the second at run time, with the other VMs running). */
static void test_regions_overlap(void)
{
	vt_base_peers();
	vt_add_region_named("region-a", 2, 0x50000000, 0x60000000, 0x2000, "rw");
	vt_add_region_named("region-b", 2, 0x50001000, 0x61000000, 0x1000, "r");
	overlap_refused("vm 'alpha': region-a/address: overlaps region-b of vm 'alpha' "
			"(0x50001000-0x50002000 in vm 'alpha')");
	vt_base_peers();
	vt_add_region_named("region-a", 2, 0x50000000, 0x60000000, 0x2000, "rw");
	vt_add_region_named("region-b", 2, 0x51000000, 0x60001000, 0x1000, "r");
	overlap_refused("vm 'alpha': region-a/peer-address: overlaps region-b of vm "
			"'alpha' (0x60001000-0x60002000 in vm 'beta')");
	/* Beta's own region where alpha shows it one. */
	vt_base_peers();
	vt_add_region(2, 0x50000000, 0x60000000, 0x2000, "rw");
	add_beta_region("region-x", 0x60001000, 0x52000000);
	overlap_refused("vm 'beta': region-x/address: overlaps region-a of vm 'alpha' "
			"(0x60000000-0x60002000 in vm 'beta')");
	/* Beta shows alpha a region where alpha has its own. */
	vt_base_peers();
	vt_add_region(2, 0x50000000, 0x60000000, 0x2000, "rw");
	add_beta_region("region-x", 0x70000000, 0x50000000);
	overlap_refused("vm 'beta': region-x/peer-address: overlaps region-a of vm "
			"'alpha' (0x50000000-0x50002000 in vm 'alpha')");
	/* Side by side, in both VMs: fine. */
	vt_base_peers();
	vt_add_region_named("region-a", 2, 0x50000000, 0x60000000, 0x2000, "rw");
	vt_add_region_named("region-b", 2, 0x50002000, 0x60002000, 0x1000, "r");
	add_beta_region("region-x", 0x60003000, 0x50003000);
	CU_ASSERT_EQUAL(vt_parse(), VMCFG_OK);
}

static void test_hostile(void)
{
	char args[VMCFG_ARGS_LEN + 1];
	struct fdt_property *prop;
	int n, off;

	vt_base();
	n = vt_vm_node(2);
	fdt_for_each_property_offset(off, vt_buf, n)
	{
		const char *name;

		fdt_getprop_by_offset(vt_buf, off, &name, NULL);
		if (!strcmp(name, "uart-interrupt"))
			break;
	}
	CU_ASSERT_FATAL(off >= 0);
	prop = (struct fdt_property *)((char *)vt_buf + fdt_off_dt_struct(vt_buf) + off);
	prop->nameoff = cpu_to_fdt32(0x7ffffff0);
	vt_refused(VMCFG_E_FORMAT, "configuration: not a device tree");
	/* Lengths that run past the structure block, or (2^32 - 12) wrap
	 * libfdt 1.6.1's next offset back onto the same tag: refused, not
	 * walked for ever (found by fuzz.vmcfg on a clean clone's CI). */
	for (unsigned i = 0; i < 8; i++) {
		static const uint32_t lens[] = {0xfffffff4, 0xfffffff0, 0x7ffffffc,
						0x4000};

		vt_base();
		/* The same in a version-16 tree, which has no size_dt_struct
		 * (the walk ends at the blob's end) and no strings size. */
		if (i >= 4) {
			fdt_set_version(vt_buf, 16);
			fdt_set_last_comp_version(vt_buf, 16);
			if (i == 4)
				CU_ASSERT_EQUAL(vt_parse(), VMCFG_OK);
		}
		prop = (struct fdt_property *)((char *)vt_buf +
					       fdt_off_dt_struct(vt_buf) + off);
		prop->len = cpu_to_fdt32(lens[i % 4]);
		vt_refused(VMCFG_E_FORMAT, "configuration: not a device tree");
	}
	/* The block ends inside a property's header, and with no FDT_END. */
	vt_base();
	fdt_set_size_dt_struct(vt_buf, off + 8);
	vt_refused(VMCFG_E_FORMAT, "configuration: not a device tree");
	vt_base();
	fdt_set_size_dt_struct(vt_buf, fdt_size_dt_struct(vt_buf) - 4);
	vt_refused(VMCFG_E_FORMAT, "configuration: not a device tree");
	/* The structure block moved by 4 bytes is a tree; by 1, 2 or 3 its
	 * tokens and cells are not on 32-bit boundaries (which the format
	 * wants, and vmsrv's and libfdt's fdt32_t loads assume), though
	 * libfdt 1.6.1's checks take it: refused. */
	for (unsigned by = 1; by <= 4; by++) {
		uint32_t os;

		vt_base();
		os = fdt_off_dt_struct(vt_buf);
		CU_ASSERT_FATAL(fdt_off_dt_strings(vt_buf) > os &&
				fdt_totalsize(vt_buf) == sizeof(vt_buf));
		memmove(vt_buf + os + by, vt_buf + os, sizeof(vt_buf) - os - by);
		fdt_set_off_dt_struct(vt_buf, os + by);
		fdt_set_off_dt_strings(vt_buf, fdt_off_dt_strings(vt_buf) + by);
		if (by == 4) {
			CU_ASSERT_EQUAL(vt_parse(), VMCFG_OK);
		} else {
			vt_refused(VMCFG_E_FORMAT, "configuration: the structure block "
						   "is not 4-byte aligned");
		}
	}

	vt_base();
	vt_set_u64s(vt_vm_node(2), "uart", 0x10000000000ULL, 0, 1); /* 40 bits */
	vt_refused(VMCFG_E_VALUE, "vm 'beta': uart: beyond the 40-bit IPA space");
	vt_base();
	vt_set_u64s(vt_vm_node(2), "uart", 0xfffffffffffff000ULL, 0, 1); /* wraps */
	vt_refused(VMCFG_E_VALUE, "vm 'beta': uart: beyond the 40-bit IPA space");

	/* 255 characters are kept whole; 256 refused, not cut. */
	memset(args, 'x', sizeof(args));
	args[VMCFG_ARGS_LEN - 1] = 0;
	vt_base();
	fdt_setprop_string(vt_buf, vt_vm_node(2), "bootargs", args);
	CU_ASSERT_EQUAL_FATAL(vt_parse(), VMCFG_OK);
	CU_ASSERT_EQUAL(strlen(vt_cfg.vms[1].bootargs), VMCFG_ARGS_LEN - 1);
	args[VMCFG_ARGS_LEN - 1] = 'x';
	args[VMCFG_ARGS_LEN] = 0;
	vt_base();
	fdt_setprop_string(vt_buf, vt_vm_node(2), "bootargs", args);
	vt_refused(VMCFG_E_VALUE, "vm 'beta': bootargs: longer than 255 characters");
	/* Not one string: unterminated, or two. */
	vt_base();
	fdt_setprop(vt_buf, vt_vm_node(2), "kernel", "hello", 5);
	vt_refused(VMCFG_E_VALUE, "vm 'beta': kernel: not one non-empty string");
	vt_base();
	fdt_setprop(vt_buf, vt_vm_node(2), "initrd", "a\0b", 4);
	vt_refused(VMCFG_E_VALUE, "vm 'beta': initrd: not one non-empty string");

	/* A name that would print as another of vmsrv's lines. */
	vt_base();
	fdt_setprop_string(vt_buf, vt_vm_node(2), "vm-name", "b\nvmsrv: ok");
	vt_refused(VMCFG_E_VALUE, "vm 'vm@2': vm-name: control character 0xa at byte 1");
	vt_base();
	fdt_setprop_string(vt_buf, vt_vm_node(2), "bootargs", "quiet \x1b[2J");
	vt_refused(VMCFG_E_VALUE,
		   "vm 'beta': bootargs: control character 0x1b at byte 6");

	/* Entered in the device tree. */
	vt_base();
	vt_set_u64s(vt_vm_node(2), "entry", 0x40e00000, 0, 1);
	vt_refused(VMCFG_E_VALUE,
		   "vm 'beta': entry: in RAM's last 2 MiB, the device tree's");

	/* Eight VMs of 2^47 bytes each, 2^50 in all: counted without wrapping. */
	vt_base();
	for (unsigned id = 8; id >= 3; id--) {
		char name[8];

		snprintf(name, sizeof(name), "v%u", id);
		vt_add_vm(id, name);
	}
	for (unsigned id = 1; id <= 8; id++) {
		fdt_setprop_u32(vt_buf, vt_vm_node(id), "ipa-bits", 48);
		vt_set_u64s(vt_vm_node(id), "memory", 1ULL << 47, 1ULL << 47, 2);
	}
	CU_ASSERT_EQUAL_FATAL(
	    vmcfg_parse(vt_buf, sizeof(vt_buf), 48, &vt_cfg, vt_msg, sizeof(vt_msg)),
	    VMCFG_OK);
	CU_ASSERT_EQUAL(vmcfg_check_memory(&vt_cfg, 1ULL << 50, vt_msg, sizeof(vt_msg)),
			VMCFG_OK);
	CU_ASSERT_EQUAL(
	    vmcfg_check_memory(&vt_cfg, (1ULL << 50) - 1, vt_msg, sizeof(vt_msg)),
	    VMCFG_E_MEMORY);
}

/* One VM as dtc never writes it: a property twice, whose second copy
 * vmsrv would not see (libfdt's sequential writer allows it). */
/* A tree that says it is older than version 16 (names were paths then):
 * libfdt 1.6.1's fdt_check_full dereferences NULL on its empty root name.
 * Refused before libfdt looks at it (found by fuzz.vmcfg). */
static void test_old_version(void)
{
	vt_base();
	fdt_set_version(vt_buf, 15);
	fdt_set_last_comp_version(vt_buf, 2);
	CU_ASSERT_EQUAL(vt_parse(), VMCFG_E_FORMAT);
	CU_ASSERT_PTR_NOT_NULL(strstr(vt_msg, "version 15,"));
	/* Too short for a header: refused, not read past. */
	CU_ASSERT_EQUAL(vmcfg_parse(vt_buf, 8, 44, &vt_cfg, vt_msg, sizeof(vt_msg)),
			VMCFG_E_FORMAT);
}

static void test_twice(void)
{
	static const char *const strs[][2] = {
	    {"vm-name", "alpha"}, {"kernel", "hello"}, {"initrd", "rd"}};

	CU_ASSERT_FATAL(fdt_create(vt_buf, sizeof(vt_buf)) == 0);
	fdt_finish_reservemap(vt_buf);
	fdt_begin_node(vt_buf, "");
	fdt_property_string(vt_buf, "compatible", "septa,vm-config");
	fdt_property_u32(vt_buf, "#address-cells", 1);
	fdt_property_u32(vt_buf, "#size-cells", 0);
	fdt_begin_node(vt_buf, "vm@1");
	fdt_property_u32(vt_buf, "reg", 1);
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		fdt_property_string(vt_buf, strs[i][0], strs[i][1]);
	fdt_property_u32(vt_buf, "cpus", 1); /* refused before memory is missed */
	fdt_property_u32(vt_buf, "cpus", 4);
	fdt_end_node(vt_buf);
	fdt_end_node(vt_buf);
	CU_ASSERT_FATAL(fdt_finish(vt_buf) == 0);
	vt_refused(VMCFG_E_VALUE,
		   "vm 'alpha': cpus: given twice (dtc makes no such tree)");
}

/* The VMs' RAM and regions against what memsrv has free: the VM that tips
 * it over is named, with the numbers. */
static void test_memory(void)
{
	vt_base_peers();
	vt_add_region(2, 0x50000000, 0x60000000, 0x2000, "rw");
	CU_ASSERT_EQUAL_FATAL(vt_parse(), VMCFG_OK);
	/* 16 MiB + 8 KiB and 16 MiB. */
	CU_ASSERT_EQUAL(vmcfg_check_memory(&vt_cfg, 0x2002000, vt_msg, sizeof(vt_msg)),
			VMCFG_OK);
	CU_ASSERT_EQUAL(vmcfg_check_memory(&vt_cfg, 0x2001000, vt_msg, sizeof(vt_msg)),
			VMCFG_E_MEMORY);
	CU_ASSERT_STRING_EQUAL(vt_msg,
			       "vm 'beta': memory: needs 16 MiB, which makes 33 MiB "
			       "for the VMs so far, more than the 32 MiB memsrv has "
			       "free");
	CU_ASSERT_EQUAL(vmcfg_check_memory(&vt_cfg, 0x1000000, vt_msg, sizeof(vt_msg)),
			VMCFG_E_MEMORY);
	CU_ASSERT_STRING_EQUAL(vt_msg,
			       "vm 'alpha': memory: needs 17 MiB, more than the 16 "
			       "MiB memsrv has free");
	/* The case: a 2 GiB VM on a 1 GiB machine. */
	vt_base();
	vt_set_u64s(vt_vm_node(2), "memory", 0x80000000, 0x80000000, 2);
	CU_ASSERT_EQUAL_FATAL(vt_parse(), VMCFG_OK);
	CU_ASSERT_EQUAL(
	    vmcfg_check_memory(&vt_cfg, 1000ULL << 20, vt_msg, sizeof(vt_msg)),
	    VMCFG_E_MEMORY);
	CU_ASSERT_STRING_EQUAL(vt_msg,
			       "vm 'beta': memory: needs 2048 MiB, which makes 2064 "
			       "MiB for the VMs so far, more than the 1000 MiB memsrv "
			       "has free");
}

/* A VM's vCPU priority: 50 unless given, 1 to 99 (below vmsrv's 100,
 * above 0) if given; out of range or malformed, refused, each its way. */
static void test_priority(void)
{
	static const struct bad vt_refused[] = {
	    {"priority", U32, 0, 0, NULL, VMCFG_E_VALUE,
	     "vm 'beta': priority: 0: want 1 to 99 (below vmsrv's 100)"},
	    {"priority", U32, 100, 0, NULL, VMCFG_E_VALUE,
	     "vm 'beta': priority: 100: want 1 to 99 (below vmsrv's 100)"},
	    {"priority", U32, 255, 0, NULL, VMCFG_E_VALUE,
	     "vm 'beta': priority: 255: want 1 to 99 (below vmsrv's 100)"},
	    /* Not wrapped to a small one on the way to the kernel's 8 bits. */
	    {"priority", U32, 0x100 + 60, 0, NULL, VMCFG_E_VALUE,
	     "vm 'beta': priority: 316: want 1 to 99 (below vmsrv's 100)"},
	    {"priority", U32, 0xffffffff, 0, NULL, VMCFG_E_VALUE,
	     "vm 'beta': priority: 4294967295: want 1 to 99 (below vmsrv's 100)"},
	    {"priority", U64, 60, 0, NULL, VMCFG_E_VALUE,
	     "vm 'beta': priority: want one cell, has 8 bytes"},
	    {"priority", STR, 0, 0, "high", VMCFG_E_VALUE,
	     "vm 'beta': priority: want one cell, has 5 bytes"},
	    {"priorty", U32, 60, 0, NULL, VMCFG_E_UNKNOWN,
	     "vm 'beta': priorty: unknown property (did you mean 'priority'?)"},
	};
	int beta;

	vt_base();
	CU_ASSERT_EQUAL_FATAL(vt_parse(), VMCFG_OK);
	CU_ASSERT_EQUAL(vt_cfg.vms[0].priority, 50);
	CU_ASSERT_EQUAL(vt_cfg.vms[1].priority, 50);
	for (unsigned prio = 1; prio <= 99; prio += 49) {
		vt_base();
		fdt_setprop_u32(vt_buf, vt_vm_node(2), "priority", prio);
		CU_ASSERT_EQUAL_FATAL(vt_parse(), VMCFG_OK);
		CU_ASSERT_EQUAL(vt_cfg.vms[0].priority, 50);
		CU_ASSERT_EQUAL(vt_cfg.vms[1].priority, prio);
	}
	for (size_t i = 0; i < sizeof(vt_refused) / sizeof(vt_refused[0]); i++) {
		int err;

		vt_base();
		apply(&vt_refused[i]);
		err = vt_parse();
		if (err != vt_refused[i].err || strcmp(vt_msg, vt_refused[i].want))
			printf("\ncase %zu: err %d, \"%s\"\n", i, err, vt_msg);
		CU_ASSERT_EQUAL(err, vt_refused[i].err);
		CU_ASSERT_STRING_EQUAL(vt_msg, vt_refused[i].want);
	}
	/* An empty property is not a flag here. */
	vt_base();
	beta = vt_vm_node(2);
	fdt_setprop_empty(vt_buf, beta, "priority");
	CU_ASSERT_EQUAL(vt_parse(), VMCFG_E_VALUE);
	CU_ASSERT_STRING_EQUAL(vt_msg, "vm 'beta': priority: want one cell, has 0 bytes");
}

/* The configuration `make run` boots is a good one. */
static void test_platform_config(void)
{
	FILE *f = fopen(SEPTA_TEST_DATA "/qemu-virt-vms.dtb", "rb");
	size_t n;

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	n = fread(vt_buf, 1, sizeof(vt_buf), f);
	fclose(f);
	CU_ASSERT_EQUAL_FATAL(vmcfg_parse(vt_buf, n, 44, &vt_cfg, vt_msg, sizeof(vt_msg)),
			      VMCFG_OK);
	CU_ASSERT_EQUAL(vt_cfg.nvms, 3);
	CU_ASSERT_STRING_EQUAL(vt_cfg.vms[0].name, "alpha");
	CU_ASSERT_STRING_EQUAL(vt_cfg.vms[1].name, "beta");
	CU_ASSERT_EQUAL(vt_cfg.vms[0].share_size, 0x10000);
	CU_ASSERT_STRING_EQUAL(vt_cfg.vms[2].name, "linux");
	CU_ASSERT_STRING_EQUAL(vt_cfg.vms[2].initrd, "linux-initrd");
	CU_ASSERT_EQUAL(vt_cfg.vms[2].cpus, 2);
	CU_ASSERT(!vt_cfg.vms[2].load_set); /* an Image: placed by its header */
	/* alpha and beta share pages; Linux knows of no other VM. */
	CU_ASSERT_EQUAL(vt_cfg.vms[0].peers, 1u << 2);
	CU_ASSERT_EQUAL(vt_cfg.vms[1].peers, 1u << 1);
	CU_ASSERT_EQUAL(vt_cfg.vms[2].peers, 0);
}

void suite_vmcfg(void)
{
	CU_pSuite s = CU_add_suite("vmcfg", NULL, NULL);

	CU_add_test(s, "a good configuration", test_good);
	CU_add_test(s, "each bad value, its error and message", test_bad_values);
	CU_add_test(s, "bad structure", test_bad_structure);
	CU_add_test(s, "shared regions", test_regions);
	CU_add_test(s, "shared regions overlapping in either VM", test_regions_overlap);
	vmcfg_peer_tests(s);
	vmcfg_subpage_tests(s);
	CU_add_test(s, "hostile configurations", test_hostile);
	CU_add_test(s, "a property given twice", test_twice);
	CU_add_test(s, "a tree older than version 16", test_old_version);
	CU_add_test(s, "memory against what memsrv has", test_memory);
	CU_add_test(s, "the platform's configuration", test_platform_config);
	CU_add_test(s, "a VM's vCPU priority", test_priority);
}
