/* The fixture of the vmcfg suite (test_vmcfg.c, test_vmcfg_peers.c): a
 * device tree in vt_buf built VM by VM, parsed into vt_cfg, the error
 * message in vt_msg. */
#ifndef VMCFG_FIX_H
#define VMCFG_FIX_H

#include <CUnit/CUnit.h>
#include <stdint.h>
#include "config.h"

extern char vt_buf[16384];
extern struct vmcfg vt_cfg;
extern char vt_msg[160];

int vt_vm_node(unsigned id);
void vt_set_u64s(int node, const char *prop, uint64_t a, uint64_t b, int n);
void vt_add_vm(unsigned id, const char *name);
/* Two good VMs; and the same naming each other as peers. */
void vt_base(void);
void vt_base_peers(void);
int vt_parse(void);
int vt_add_region_named(const char *node, unsigned peer, uint64_t ipa, uint64_t peer_ipa,
			uint64_t size, const char *rights);
int vt_add_region(unsigned peer, uint64_t ipa, uint64_t peer_ipa, uint64_t size,
		  const char *rights);
/* vt_parse gives want_err and exactly the message want. */
void vt_refused(int want_err, const char *want);
/* The peers tests, in the vmcfg suite. */
void vmcfg_peer_tests(CU_pSuite s);
/* The subpage-<name> tests (test_vmcfg_subpage.c), in the vmcfg suite. */
void vmcfg_subpage_tests(CU_pSuite s);

#endif
