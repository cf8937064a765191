/* septa_unit [SUITE]: runs one suite (or all); exits non-zero on any failure. */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <string.h>
#include "tests.h"

static const struct {
	const char *name;
	void (*add)(void);
} suites[] = {
#ifdef SEPTA_UNIT_VMSRV /* vmsrv_unit: vmsrv's pure parts, with Debian's libfdt */
    {"vmcfg", suite_vmcfg},   {"image", suite_image},	{"guestdt", suite_guestdt},
    {"pl011", suite_pl011},   {"vgic", suite_vgic},	{"mmio", suite_mmio},
    {"concmd", suite_concmd}, {"grants", suite_grants},
#else
    {"pgtable", suite_pgtable}, {"pgtable_tables", suite_pgtable_tables},
    {"fdt", suite_fdt},		{"bootarc", suite_bootarc},
    {"elf64", suite_elf64},	{"kprintf", suite_kprintf},
    {"caps", suite_caps},	{"own", suite_own},
#endif
};

int main(int argc, char **argv)
{
	unsigned failures, ran;
	int found = 0;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	for (size_t i = 0; i < sizeof(suites) / sizeof(suites[0]); i++) {
		if (argc > 1 && strcmp(argv[1], suites[i].name) != 0)
			continue;
		suites[i].add();
		found = 1;
	}
	if (!found) {
		fprintf(stderr, "septa_unit: no suite '%s'\n", argv[1]);
		return 2;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failures = CU_get_number_of_failures();
	ran = CU_get_number_of_tests_run();
	CU_cleanup_registry();
	if (ran == 0) {
		fprintf(stderr, "septa_unit: no test ran\n");
		return 2;
	}
	return failures ? 1 : 0;
}
