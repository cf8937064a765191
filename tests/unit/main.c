/* septa_unit [SUITE]: runs one suite (or all); exits non-zero on any failure,
 * on a registered test that did not run, and on a test that asserted
 * nothing (it could not have failed). */
#include <CUnit/Basic.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "tests.h"

/* A test still running after this long is stuck (each takes well under a
 * second): a backstop below ctest's limit, which names the test. */
#define UNIT_TEST_LIMIT_S 60
#define UNIT_STR(x)	  #x
#define UNIT_XSTR(x)	  UNIT_STR(x)

static const struct {
	const char *name;
	void (*add)(void);
} suites[] = {
#ifdef SEPTA_UNIT_VMSRV /* vmsrv_unit: vmsrv's pure parts, with Debian's libfdt */
    {"vmcfg", suite_vmcfg},
    {"image", suite_image},
    {"guestdt", suite_guestdt},
    {"pl011", suite_pl011},
    {"vgic", suite_vgic},
    {"mmio", suite_mmio},
    {"concmd", suite_concmd},
    {"grants", suite_grants},
    {"vgic_edges", suite_vgic_edges},
    {"vmsrv_edges", suite_vmsrv_edges},
    {"spp", suite_spp},
#else
    {"pgtable", suite_pgtable},
    {"pgtable_tables", suite_pgtable_tables},
    {"fdt", suite_fdt},
    {"bootarc", suite_bootarc},
    {"elf64", suite_elf64},
    {"kprintf", suite_kprintf},
    {"caps", suite_caps},
    {"caps_ipc", suite_caps_ipc},
    {"faultstore", suite_faultstore},
    {"own", suite_own},
    {"bootfmt_edges", suite_bootfmt_edges},
    {"own_edges", suite_own_edges},
    {"zring", suite_zring},
    {"memsrv_grant", suite_memsrv_grant},
    {"caps_objs", suite_caps_objs},
    {"sched", suite_sched},
    {"pgtable_edges", suite_pgtable_edges},
    {"bitrun", suite_bitrun},
    {"ready", suite_ready},
#endif
};

static unsigned refused_tests;

#undef CU_add_test
CU_pTest unit_add_test(CU_pSuite s, const char *name, CU_TestFunc fn)
{
	CU_pTest t = CU_add_test(s, name, fn);

	if (!t) {
		refused_tests++;
		fprintf(stderr, "septa_unit: test '%s' not registered: %s\n", name,
			CU_get_error_msg());
	}
	return t;
}

/* Each registered test runs through guarded(), which calls the test's own
 * function and counts the assertions it made. */
static struct guard {
	CU_pTest test;
	CU_TestFunc fn;
} * guards;
static unsigned nguards, empty_tests;

static const char *running;

static void stuck(int sig)
{
	static const char what[] = "\nsepta_unit: stuck, still running after " UNIT_XSTR(
	    UNIT_TEST_LIMIT_S) " s: ";

	(void)sig;
	/* Only what a signal handler may call. */
	if (write(2, what, sizeof(what) - 1) < 0 ||
	    write(2, running, strlen(running)) < 0 || write(2, "\n", 1) < 0)
		_exit(3);
	_exit(3);
}

static void guarded(void)
{
	CU_pTest t = CU_get_current_test();
	unsigned before = CU_get_number_of_asserts();

	for (unsigned i = 0; i < nguards; i++) {
		if (guards[i].test != t)
			continue;
		running = t->pName;
		alarm(UNIT_TEST_LIMIT_S);
		guards[i].fn();
		alarm(0);
		if (CU_get_number_of_asserts() == before) {
			empty_tests++;
			CU_FAIL("the test made no assertion");
		}
		return;
	}
	CU_FAIL("septa_unit: a test it does not know ran");
}

static void guard_all(void)
{
	unsigned n = 0;

	for (CU_pSuite s = CU_get_registry()->pSuite; s; s = s->pNext)
		for (CU_pTest t = s->pTest; t; t = t->pNext)
			n++;
	guards = calloc(n ? n : 1, sizeof(*guards));
	if (!guards)
		abort();
	for (CU_pSuite s = CU_get_registry()->pSuite; s; s = s->pNext)
		for (CU_pTest t = s->pTest; t; t = t->pNext) {
			guards[nguards++] = (struct guard){t, t->pTestFunc};
			t->pTestFunc = guarded;
		}
}

int main(int argc, char **argv)
{
	unsigned failures, ran, registered;
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
	if (refused_tests)
		return 2;
	registered = CU_get_registry()->uiNumberOfTests;
	guard_all();
	signal(SIGALRM, stuck);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failures = CU_get_number_of_failures();
	ran = CU_get_number_of_tests_run();
	CU_cleanup_registry();
	free(guards);
	printf("septa_unit: %u registered, %u run, %u made no assertion\n", registered,
	       ran, empty_tests);
	if (ran == 0) {
		fprintf(stderr, "septa_unit: no test ran\n");
		return 2;
	}
	/* A suite whose set-up failed, or an inactive test, runs short. */
	if (ran != registered) {
		fprintf(stderr, "septa_unit: %u tests registered, %u ran\n", registered,
			ran);
		return 1;
	}
	return failures ? 1 : 0;
}
