/* The boot-archive reader: one well-formed archive, then one defect at a time. */
#include <bootfmt/bootarc.h>
#include <stdlib.h>
#include <string.h>
#include "tests.h"

#define ARC_SIZE (4 * BOOTARC_ALIGN)

static uint64_t storage[ARC_SIZE / 8];
static uint8_t *arc = (uint8_t *)storage;

static struct bootarc_header *hdr(void)
{
	return (struct bootarc_header *)arc;
}

static struct bootarc_entry *ent(unsigned i)
{
	return (struct bootarc_entry *)(arc + sizeof(struct bootarc_header)) + i;
}

/* Two modules: "memsrv" (root, page 1) and "vmsrv" (page 2). */
static void build(void)
{
	memset(arc, 0, ARC_SIZE);
	hdr()->magic = BOOTARC_MAGIC;
	hdr()->count = 2;
	hdr()->total_size = 3 * BOOTARC_ALIGN;
	strcpy(ent(0)->name, "memsrv");
	ent(0)->offset = BOOTARC_ALIGN;
	ent(0)->size = 100;
	ent(0)->flags = BOOTARC_F_ROOT;
	strcpy(ent(1)->name, "vmsrv");
	ent(1)->offset = 2 * BOOTARC_ALIGN;
	ent(1)->size = BOOTARC_ALIGN;
	memcpy(arc + BOOTARC_ALIGN, "MEMSRV", 6);
}

static int open_arc(void)
{
	struct bootarc a;

	return bootarc_open(&a, arc, ARC_SIZE);
}

static void test_good(void)
{
	struct bootarc a;
	struct bootarc_module m;

	build();
	CU_ASSERT_EQUAL_FATAL(bootarc_open(&a, arc, ARC_SIZE), BOOTARC_OK);
	CU_ASSERT_EQUAL(a.count, 2);
	CU_ASSERT_EQUAL(bootarc_root(&a, &m), BOOTARC_OK);
	CU_ASSERT_STRING_EQUAL(m.name, "memsrv");
	CU_ASSERT_EQUAL(m.size, 100);
	CU_ASSERT_EQUAL(memcmp(m.data, "MEMSRV", 6), 0);
	CU_ASSERT_EQUAL(bootarc_find(&a, "vmsrv", &m), BOOTARC_OK);
	CU_ASSERT_PTR_EQUAL(m.data, arc + 2 * BOOTARC_ALIGN);
	CU_ASSERT_EQUAL(bootarc_find(&a, "vmsr", &m), BOOTARC_E_NOT_FOUND);
	CU_ASSERT_EQUAL(bootarc_get(&a, 2, &m), BOOTARC_E_NOT_FOUND);
}

static void test_defects(void)
{
	build();
	hdr()->magic ^= 1;
	CU_ASSERT_EQUAL(open_arc(), BOOTARC_E_MAGIC);
	build();
	hdr()->count = BOOTARC_MAX_ENTRY + 1;
	CU_ASSERT_EQUAL(open_arc(), BOOTARC_E_COUNT);
	build();
	hdr()->total_size = ARC_SIZE + 1;
	CU_ASSERT_EQUAL(open_arc(), BOOTARC_E_SIZE);
	build();
	ent(1)->name[0] = '\0';
	CU_ASSERT_EQUAL(open_arc(), BOOTARC_E_NAME);
	build();
	memset(ent(1)->name, 'x', BOOTARC_NAME_LEN);
	CU_ASSERT_EQUAL(open_arc(), BOOTARC_E_NAME);
	build();
	ent(1)->size = BOOTARC_ALIGN + 1;
	CU_ASSERT_EQUAL(open_arc(), BOOTARC_E_BOUNDS);
	build();
	ent(1)->size = UINT64_MAX; /* offset + size wraps */
	CU_ASSERT_EQUAL(open_arc(), BOOTARC_E_BOUNDS);
	build();
	ent(1)->offset = BOOTARC_ALIGN + 8;
	CU_ASSERT_EQUAL(open_arc(), BOOTARC_E_ALIGN);
	build();
	strcpy(ent(1)->name, "memsrv");
	CU_ASSERT_EQUAL(open_arc(), BOOTARC_E_DUPLICATE);
	build();
	ent(0)->flags = 0;
	CU_ASSERT_EQUAL(open_arc(), BOOTARC_E_ROOT);
	build();
	ent(1)->flags = BOOTARC_F_ROOT;
	CU_ASSERT_EQUAL(open_arc(), BOOTARC_E_ROOT);
}

static void test_truncated(void)
{
	struct bootarc a;

	build();
	CU_ASSERT_EQUAL(bootarc_open(&a, arc, sizeof(struct bootarc_header) - 1),
			BOOTARC_E_TRUNCATED);
	/* Header fits, entry table does not. */
	CU_ASSERT_EQUAL(bootarc_open(&a, arc, sizeof(struct bootarc_header) + 10),
			BOOTARC_E_TRUNCATED);
	/* Misaligned buffer. */
	CU_ASSERT_EQUAL(bootarc_open(&a, arc + 4, ARC_SIZE - 4), BOOTARC_E_TRUNCATED);
	/* Everything fits but the modules. */
	CU_ASSERT_EQUAL(bootarc_open(&a, arc, 2 * BOOTARC_ALIGN), BOOTARC_E_SIZE);
}

/* An archive whose header's size ends inside its own entry table: the
 * table would lie outside the archive it describes (found by fuzz.bootarc). */
static void test_table_outside(void)
{
	build();
	hdr()->total_size = sizeof(struct bootarc_header) + sizeof(struct bootarc_entry);
	ent(0)->offset = ent(1)->offset = 0;
	ent(0)->size = ent(1)->size = 0;
	CU_ASSERT_EQUAL(open_arc(), BOOTARC_E_SIZE);
}

void suite_bootarc(void)
{
	CU_pSuite s = CU_add_suite("bootarc", NULL, NULL);

	CU_add_test(s, "well-formed archive", test_good);
	CU_add_test(s, "each defect has its own error", test_defects);
	CU_add_test(s, "truncated and misaligned buffers", test_truncated);
	CU_add_test(s, "entry table past the archive's size", test_table_outside);
}
