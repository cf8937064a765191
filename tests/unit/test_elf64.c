/* The ELF64 reader on a minimal hand-built executable, then one defect at a time. */
#include <bootfmt/elf64.h>
#include <string.h>
#include "elf_fake.h"
#include "tests.h"

#define FILE_SIZE 0x3000

static uint64_t storage[FILE_SIZE / 8];
static uint8_t *file = (uint8_t *)storage;

static Elf64_Ehdr *eh(void)
{
	return (Elf64_Ehdr *)file;
}

static Elf64_Phdr *ph(unsigned i)
{
	return (Elf64_Phdr *)(file + sizeof(Elf64_Ehdr)) + i;
}

/* Text (R+X) at 0x400000 from file page 1, data (R+W, bss after) at
 * 0x401000 from file page 2, and a non-load note between them. */
static void build(void)
{
	memset(file, 0, FILE_SIZE);
	elf_fake_header(file, 0x400010, 3);
	*ph(0) = (Elf64_Phdr){.p_type = PT_LOAD,
			      .p_flags = PF_R | PF_X,
			      .p_offset = 0x1000,
			      .p_vaddr = 0x400000,
			      .p_filesz = 0x100,
			      .p_memsz = 0x100};
	*ph(1) = (Elf64_Phdr){.p_type = PT_NOTE, .p_offset = 0x2000, .p_filesz = 8};
	*ph(2) = (Elf64_Phdr){.p_type = PT_LOAD,
			      .p_flags = PF_R | PF_W,
			      .p_offset = 0x2000,
			      .p_vaddr = 0x401000,
			      .p_filesz = 0x10,
			      .p_memsz = 0x2000};
}

static int open_file(void)
{
	struct elf64_image img;

	return elf64_open(&img, file, FILE_SIZE);
}

static void test_good(void)
{
	struct elf64_image img;
	struct elf64_segment seg;

	build();
	CU_ASSERT_EQUAL_FATAL(elf64_open(&img, file, FILE_SIZE), ELF64_OK);
	CU_ASSERT_EQUAL(img.entry, 0x400010);
	CU_ASSERT_EQUAL(elf64_load_segment(&img, 0, &seg), 1);
	CU_ASSERT_EQUAL(seg.vaddr, 0x400000);
	CU_ASSERT_EQUAL(seg.flags, ELF64_PF_R | ELF64_PF_X);
	CU_ASSERT_PTR_EQUAL(seg.data, file + 0x1000);
	CU_ASSERT_EQUAL(elf64_load_segment(&img, 1, &seg), 1); /* the note is skipped */
	CU_ASSERT_EQUAL(seg.vaddr, 0x401000);
	CU_ASSERT_EQUAL(seg.filesz, 0x10);
	CU_ASSERT_EQUAL(seg.memsz, 0x2000);
	CU_ASSERT_EQUAL(elf64_load_segment(&img, 2, &seg), 0);
}

static void test_defects(void)
{
	struct elf64_image img;

	build();
	file[1] = 'X';
	CU_ASSERT_EQUAL(open_file(), ELF64_E_MAGIC);
	build();
	eh()->e_ident[EI_CLASS] = ELFCLASS32;
	CU_ASSERT_EQUAL(open_file(), ELF64_E_CLASS);
	build();
	eh()->e_ident[EI_DATA] = ELFDATA2MSB;
	CU_ASSERT_EQUAL(open_file(), ELF64_E_CLASS);
	build();
	eh()->e_machine = EM_X86_64;
	CU_ASSERT_EQUAL(open_file(), ELF64_E_MACHINE);
	build();
	eh()->e_type = ET_DYN;
	CU_ASSERT_EQUAL(open_file(), ELF64_E_TYPE);
	build();
	eh()->e_phentsize = 40;
	CU_ASSERT_EQUAL(open_file(), ELF64_E_PHDR);
	build();
	eh()->e_phoff = 0x41;
	CU_ASSERT_EQUAL(open_file(), ELF64_E_PHDR);
	build();
	eh()->e_phoff = FILE_SIZE - 8;
	CU_ASSERT_EQUAL(open_file(), ELF64_E_TRUNCATED);
	build();
	ph(0)->p_filesz = FILE_SIZE; /* runs off the file */
	ph(0)->p_memsz = FILE_SIZE;
	CU_ASSERT_EQUAL(open_file(), ELF64_E_SEGMENT);
	build();
	ph(0)->p_offset = UINT64_MAX - 8;
	CU_ASSERT_EQUAL(open_file(), ELF64_E_SEGMENT);
	build();
	ph(2)->p_memsz = 0x8; /* smaller than filesz */
	CU_ASSERT_EQUAL(open_file(), ELF64_E_SEGMENT);
	build();
	ph(2)->p_vaddr = UINT64_MAX - 0x100;
	CU_ASSERT_EQUAL(open_file(), ELF64_E_OVERFLOW);
	build();
	ph(0)->p_type = PT_NULL;
	ph(2)->p_type = PT_NULL;
	CU_ASSERT_EQUAL(open_file(), ELF64_E_NOLOAD);
	build();
	eh()->e_entry = 0x401000; /* in the data segment, which is not executable */
	CU_ASSERT_EQUAL(open_file(), ELF64_E_ENTRY);
	build();
	CU_ASSERT_EQUAL(elf64_open(&img, file, sizeof(Elf64_Ehdr) - 1),
			ELF64_E_TRUNCATED);
	CU_ASSERT_EQUAL(elf64_open(&img, file + 4, FILE_SIZE - 4), ELF64_E_TRUNCATED);
}

void suite_elf64(void)
{
	CU_pSuite s = CU_add_suite("elf64", NULL, NULL);

	CU_add_test(s, "well-formed executable", test_good);
	CU_add_test(s, "each defect has its own error", test_defects);
}
