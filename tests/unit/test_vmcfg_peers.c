/* vmsrv's VM configuration: the peers property (split from
 * test_vmcfg.c, whose fixture it shares through vmcfg_fix.h). */
#include <libfdt.h>
#include <stdio.h>
#include <string.h>
#include "config.h"
#include "tests.h"
#include "vmcfg_fix.h"

/* peers: given, both ways, exactly those VMs; without it, none. */
static void test_peers(void)
{
	static const struct {
		const char *list; /* alpha's, NUL-separated */
		int len, err;
		const char *want;
	} cases[] = {
	    {"gamma", 6, VMCFG_E_VALUE, "vm 'alpha': peers: no VM is named 'gamma'"},
	    {"beta\0gamma", 11, VMCFG_E_VALUE,
	     "vm 'alpha': peers: no VM is named 'gamma'"},
	    {"alpha", 6, VMCFG_E_VALUE, "vm 'alpha': peers: 'alpha' is this VM itself"},
	    {"beta\0beta", 10, VMCFG_E_VALUE, "vm 'alpha': peers: 'beta' is named twice"},
	    {"a\0b\0c\0d\0e\0f\0g\0h", 16, VMCFG_E_TOO_MANY,
	     "vm 'alpha': peers: 8 names, more than the 7 other VMs there can be"},
	    {"beta\0", 6, VMCFG_E_VALUE, "vm 'alpha': peers: name 2 is empty"},
	    {"", 1, VMCFG_E_VALUE, "vm 'alpha': peers: not a list of VM names"},
	    {"", 0, VMCFG_E_VALUE, "vm 'alpha': peers: not a list of VM names"},
	    {"beta", 4, VMCFG_E_VALUE, "vm 'alpha': peers: not a list of VM names"},
	    {"be\nta", 6, VMCFG_E_VALUE,
	     "vm 'alpha': peers: control character 0xa in name 1"},
	    /* Beta does not name alpha back. */
	    {"beta", 5, VMCFG_E_VALUE,
	     "vm 'alpha': peers: 'beta' does not name this VM among its peers (peers are "
	     "mutual)"},
	};

	/* The default: no peers at all. */
	vt_base();
	CU_ASSERT_EQUAL_FATAL(vt_parse(), VMCFG_OK);
	CU_ASSERT(vt_cfg.vms[0].peers == 0 && vt_cfg.vms[1].peers == 0);
	CU_ASSERT(!vmcfg_is_peer(&vt_cfg.vms[0], 2));
	vt_base_peers();
	CU_ASSERT_EQUAL_FATAL(vt_parse(), VMCFG_OK);
	CU_ASSERT_EQUAL(vt_cfg.vms[0].peers, 1u << 2);
	CU_ASSERT_EQUAL(vt_cfg.vms[1].peers, 1u << 1);
	CU_ASSERT(vmcfg_is_peer(&vt_cfg.vms[0], 2) && vmcfg_is_peer(&vt_cfg.vms[1], 1));
	/* Every other value a guest can pass, the wide ones included. */
	CU_ASSERT(
	    !vmcfg_is_peer(&vt_cfg.vms[0], 0) && !vmcfg_is_peer(&vt_cfg.vms[0], 1) &&
	    !vmcfg_is_peer(&vt_cfg.vms[0], 3) && !vmcfg_is_peer(&vt_cfg.vms[0], 9) &&
	    !vmcfg_is_peer(&vt_cfg.vms[0], 34) &&
	    !vmcfg_is_peer(&vt_cfg.vms[0], 1ULL << 32 | 2) &&
	    !vmcfg_is_peer(&vt_cfg.vms[0], ~0ULL));
	/* A third VM: peers of one are not the other's (not transitive). */
	vt_base_peers();
	vt_add_vm(3, "gamma");
	fdt_setprop_string(vt_buf, vt_vm_node(3), "peers", "beta");
	fdt_setprop_string(vt_buf, vt_vm_node(2), "peers", "alpha");
	fdt_appendprop_string(vt_buf, vt_vm_node(2), "peers", "gamma");
	CU_ASSERT_EQUAL_FATAL(vt_parse(), VMCFG_OK);
	CU_ASSERT_EQUAL(vmcfg_find(&vt_cfg, 1)->peers, 1u << 2);
	CU_ASSERT_EQUAL(vmcfg_find(&vt_cfg, 2)->peers, 1u << 1 | 1u << 3);
	CU_ASSERT_EQUAL(vmcfg_find(&vt_cfg, 3)->peers, 1u << 2);

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		vt_base();
		fdt_setprop(vt_buf, vt_vm_node(1), "peers", cases[i].list, cases[i].len);
		vt_refused(cases[i].err, cases[i].want);
		/* Refused, no VM is left with peers. */
		CU_ASSERT(vt_cfg.vms[0].peers == 0 && vt_cfg.vms[1].peers == 0);
	}
	/* A region is shared between peers only (the guests' device trees
	 * name each other). */
	vt_base();
	vt_add_region(2, 0x50000000, 0x60000000, 0x2000, "rw");
	vt_refused(VMCFG_E_VALUE,
		   "vm 'alpha': region-a/peer: vm 'beta' is not among this "
		   "VM's peers");
	vt_base();
	fdt_setprop_string(vt_buf, vt_vm_node(2), "peer", "alpha");
	vt_refused(VMCFG_E_UNKNOWN,
		   "vm 'beta': peer: unknown property (did you mean 'peers'?)");
}

/* peers at the edges: eight VMs, the highest id a peer of every other;
 * names differing in case only; a name longer than any VM's; a list one
 * VM makes and its peer does not; a list all one name. */
static void test_peers_edges(void)
{
	char longname[200];

	vt_base();
	for (unsigned id = 3; id <= 8; id++) {
		char name[8];

		snprintf(name, sizeof(name), "v%u", id);
		vt_add_vm(id, name);
	}
	for (unsigned id = 1; id <= 7; id++) {
		static const char *const names[] = {"",	  "alpha", "beta", "v3",
						    "v4", "v5",	   "v6",   "v7"};

		fdt_setprop_string(vt_buf, vt_vm_node(id), "peers", "v8");
		fdt_appendprop_string(vt_buf, vt_vm_node(8), "peers", names[id]);
	}
	CU_ASSERT_EQUAL_FATAL(vt_parse(), VMCFG_OK);
	CU_ASSERT_EQUAL(vmcfg_find(&vt_cfg, 8)->peers, 0xfeu);
	for (unsigned id = 1; id <= 7; id++)
		CU_ASSERT(vmcfg_find(&vt_cfg, id)->peers == 1u << 8 &&
			  vmcfg_is_peer(vmcfg_find(&vt_cfg, 8), id));
	CU_ASSERT(!vmcfg_is_peer(vmcfg_find(&vt_cfg, 8), 8) &&
		  !vmcfg_is_peer(vmcfg_find(&vt_cfg, 8), 9) &&
		  !vmcfg_is_peer(vmcfg_find(&vt_cfg, 8), 0));
	/* Names are exact: Alpha is another VM, ALPHA none. */
	vt_base_peers();
	vt_add_vm(3, "Alpha");
	fdt_appendprop_string(vt_buf, vt_vm_node(1), "peers", "Alpha");
	fdt_setprop_string(vt_buf, vt_vm_node(3), "peers", "alpha");
	CU_ASSERT_EQUAL_FATAL(vt_parse(), VMCFG_OK);
	CU_ASSERT_EQUAL(vmcfg_find(&vt_cfg, 1)->peers, 1u << 2 | 1u << 3);
	fdt_setprop_string(vt_buf, vt_vm_node(3), "peers", "ALPHA");
	vt_refused(VMCFG_E_VALUE, "vm 'Alpha': peers: no VM is named 'ALPHA'");
	CU_ASSERT(vt_cfg.vms[0].peers == 0 && vt_cfg.vms[1].peers == 0 &&
		  vt_cfg.vms[2].peers == 0);
	/* Longer than any name: refused, the message cut to its buffer. */
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = 0;
	vt_base();
	fdt_setprop_string(vt_buf, vt_vm_node(1), "peers", longname);
	CU_ASSERT_EQUAL(vt_parse(), VMCFG_E_VALUE);
	CU_ASSERT(!strncmp(vt_msg, "vm 'alpha': peers: no VM is named 'xxx", 38) &&
		  strlen(vt_msg) < sizeof(vt_msg));
	/* alpha names beta and gamma, gamma names no one. */
	vt_base_peers();
	vt_add_vm(3, "gamma");
	fdt_appendprop_string(vt_buf, vt_vm_node(1), "peers", "gamma");
	vt_refused(VMCFG_E_VALUE,
		   "vm 'alpha': peers: 'gamma' does not name this VM among "
		   "its peers (peers are mutual)");
	vt_base();
	fdt_setprop(vt_buf, vt_vm_node(1), "peers",
		    "beta\0beta\0beta\0beta\0beta\0beta\0beta\0beta", 40);
	vt_refused(VMCFG_E_TOO_MANY,
		   "vm 'alpha': peers: 8 names, more than the 7 other VMs there can be");
}

/* A configuration author's other tricks: a property whose name lies
 * outside the strings block, a UART past the IPA space, strings at and
 * past their limits, eight VMs of the largest RAM. */

void vmcfg_peer_tests(CU_pSuite s)
{
	CU_add_test(s, "peers: mutual, named, none by default", test_peers);
	CU_add_test(s, "peers at the edges", test_peers_edges);
}
