/*
 * The boot-format readers exactly at their limits. The ELF64 reader: a segment ending at
 * the file's last byte is whole and one a byte longer is not; the same for file size
 * against memory size, the program header table against the file, and
 * the entry point against its segment's end (found by tests/mutation:
 * each of these bounds could move by one and test_elf64.c still passed).
 */
#include <bootfmt/bootarc.h>
#include <bootfmt/elf64.h>
#include <string.h>
#include "elf_fake.h"
#include "tests.h"

#define FILE_SIZE 0x3000
#define TEXT	  0x400000ULL /* R+X, 0x100 bytes from file page 1 */
#define DATA	  0x401000ULL /* R+W, from file page 2 */

static uint64_t storage[FILE_SIZE / 8];
static uint8_t *file = (uint8_t *)storage;

static Elf64_Ehdr *eh(void)
{
	return (Elf64_Ehdr *)file;
}

static Elf64_Phdr *ph(unsigned i)
{
	return (Elf64_Phdr *)(file + eh()->e_phoff) + i;
}

static void build(uint64_t entry)
{
	memset(file, 0, FILE_SIZE);
	elf_fake_header(file, entry, 2);
	*ph(0) = (Elf64_Phdr){.p_type = PT_LOAD,
			      .p_flags = PF_R | PF_X,
			      .p_offset = 0x1000,
			      .p_vaddr = TEXT,
			      .p_filesz = 0x100,
			      .p_memsz = 0x100};
	*ph(1) = (Elf64_Phdr){.p_type = PT_LOAD,
			      .p_flags = PF_R | PF_W,
			      .p_offset = 0x2000,
			      .p_vaddr = DATA,
			      .p_filesz = 0x10,
			      .p_memsz = 0x1000};
}

static int open_file(void)
{
	struct elf64_image img;

	return elf64_open(&img, file, FILE_SIZE);
}

static void test_segment_against_file(void)
{
	build(TEXT);
	ph(1)->p_memsz = 0x2000; /* room in memory for more than the file has */
	ph(1)->p_filesz = FILE_SIZE - 0x2000; /* to the last byte */
	CU_ASSERT_EQUAL(open_file(), ELF64_OK);
	ph(1)->p_filesz++;
	CU_ASSERT_EQUAL(open_file(), ELF64_E_SEGMENT);
	build(TEXT);
	ph(1)->p_offset = FILE_SIZE; /* empty, at the very end */
	ph(1)->p_filesz = 0;
	CU_ASSERT_EQUAL(open_file(), ELF64_OK);
	ph(1)->p_offset = FILE_SIZE + 1;
	CU_ASSERT_EQUAL(open_file(), ELF64_E_SEGMENT);
}

static void test_file_against_memory(void)
{
	build(TEXT);
	ph(1)->p_memsz = 0x10;		  /* the file has room for more */
	ph(1)->p_filesz = ph(1)->p_memsz; /* no bss */
	CU_ASSERT_EQUAL(open_file(), ELF64_OK);
	ph(1)->p_filesz++;
	CU_ASSERT_EQUAL(open_file(), ELF64_E_SEGMENT);
}

/* A segment may end at the top of the address space only by wrapping. */
static void test_wrap(void)
{
	build(TEXT);
	ph(1)->p_vaddr = 0ULL - 0x2000;
	ph(1)->p_memsz = 0x1fff;
	CU_ASSERT_EQUAL(open_file(), ELF64_OK);
	ph(1)->p_memsz = 0x2000;
	CU_ASSERT_EQUAL(open_file(), ELF64_E_OVERFLOW);
	ph(1)->p_memsz = 0x3000;
	CU_ASSERT_EQUAL(open_file(), ELF64_E_OVERFLOW);
}

/* The table at the end of the file: whole, then one entry past it. */
static void test_table_against_file(void)
{
	Elf64_Phdr p0, p1;

	build(TEXT);
	p0 = *ph(0);
	p1 = *ph(1);
	eh()->e_phoff = FILE_SIZE - 2 * sizeof(Elf64_Phdr);
	*ph(0) = p0;
	*ph(1) = p1;
	CU_ASSERT_EQUAL(open_file(), ELF64_OK);
	eh()->e_phoff += sizeof(Elf64_Phdr);
	CU_ASSERT_EQUAL(open_file(), ELF64_E_TRUNCATED);
	eh()->e_phoff -= sizeof(Elf64_Phdr);
	eh()->e_phnum = 3;
	CU_ASSERT_EQUAL(open_file(), ELF64_E_TRUNCATED);
	build(TEXT);
	eh()->e_phentsize = sizeof(Elf64_Phdr) + 8;
	CU_ASSERT_EQUAL(open_file(), ELF64_E_PHDR);
	eh()->e_phentsize = sizeof(Elf64_Phdr) - 8;
	CU_ASSERT_EQUAL(open_file(), ELF64_E_PHDR);
}

/* The entry point: the text's first and last bytes, not one past, and not
 * in a segment that is not executable. */
static void test_entry(void)
{
	build(TEXT);
	CU_ASSERT_EQUAL(open_file(), ELF64_OK);
	build(TEXT + 0xff);
	CU_ASSERT_EQUAL(open_file(), ELF64_OK);
	build(TEXT + 0x100);
	CU_ASSERT_EQUAL(open_file(), ELF64_E_ENTRY);
	build(TEXT - 1);
	CU_ASSERT_EQUAL(open_file(), ELF64_E_ENTRY);
	build(DATA);
	CU_ASSERT_EQUAL(open_file(), ELF64_E_ENTRY);
	build(DATA);
	ph(1)->p_flags |= PF_X;
	CU_ASSERT_EQUAL(open_file(), ELF64_OK);
}

/* The boot archive: a buffer that ends inside the entry table is
 * truncated (the table cannot be read), not an archive whose total size
 * is wrong; one that holds the table exactly is read. */
static void test_archive_table(void)
{
	static uint64_t buf[2 * BOOTARC_ALIGN / 8];
	struct bootarc_header *h = (struct bootarc_header *)buf;
	struct bootarc_entry *e = (struct bootarc_entry *)(h + 1);
	const uint64_t table = sizeof(*h) + 2 * sizeof(*e);
	struct bootarc a;

	memset(buf, 0, sizeof(buf));
	*h = (struct bootarc_header){
	    .magic = BOOTARC_MAGIC, .count = 2, .total_size = table};
	strcpy(e[0].name, "root");
	e[0].flags = BOOTARC_F_ROOT;
	e[0].offset = 0; /* empty modules, at offset 0 */
	strcpy(e[1].name, "other");
	CU_ASSERT_EQUAL(bootarc_open(&a, buf, table), BOOTARC_OK);
	CU_ASSERT_EQUAL(bootarc_open(&a, buf, table - 1), BOOTARC_E_TRUNCATED);
	CU_ASSERT_EQUAL(bootarc_open(&a, buf, table - sizeof(*e)), BOOTARC_E_TRUNCATED);
	CU_ASSERT_EQUAL(bootarc_open(&a, buf, sizeof(*h) - 1), BOOTARC_E_TRUNCATED);
	h->total_size = table - 1;
	CU_ASSERT_EQUAL(bootarc_open(&a, buf, table), BOOTARC_E_SIZE);
	h->total_size = table + 1;
	CU_ASSERT_EQUAL(bootarc_open(&a, buf, table), BOOTARC_E_SIZE);
}

void suite_bootfmt_edges(void)
{
	CU_pSuite s = CU_add_suite("bootfmt_edges", NULL, NULL);

	CU_add_test(s, "a segment ends at the file's end", test_segment_against_file);
	CU_add_test(s, "file size at most memory size", test_file_against_memory);
	CU_add_test(s, "a segment ends below the top of the address space", test_wrap);
	CU_add_test(s, "the program header table ends at the file's end",
		    test_table_against_file);
	CU_add_test(s, "the entry point inside executable text", test_entry);
	CU_add_test(s, "a boot archive's entry table ends in the buffer",
		    test_archive_table);
}
