#pragma once
#include <CUnit/CUnit.h>

void suite_pgtable(void);
void suite_pgtable_tables(void);
void suite_fdt(void);
void suite_bootarc(void);
void suite_elf64(void);
void suite_kprintf(void);
void suite_caps(void);
void suite_caps_ipc(void);
void suite_faultstore(void);
void suite_own(void);
void suite_bitrun(void);
void suite_ready(void);
void suite_zring(void);
void suite_vmcfg(void);
void suite_image(void);
void suite_guestdt(void);
void suite_pl011(void);
void suite_vgic(void);
void suite_mmio(void);
void suite_concmd(void);
void suite_grants(void);
void suite_vgic_edges(void);
void suite_vmsrv_edges(void);
void suite_spp(void);
void suite_bootfmt_edges(void);
void suite_own_edges(void);
void suite_memsrv_grant(void);
void suite_caps_objs(void);
void suite_pgtable_edges(void);
void suite_sched(void);

/* Every test is added through main.c's unit_add_test: a test CUnit refuses
 * (a duplicate name, no suite) fails the run instead of going missing. */
CU_pTest unit_add_test(CU_pSuite s, const char *name, CU_TestFunc fn);
#define CU_add_test(s, name, fn) unit_add_test(s, name, fn)
