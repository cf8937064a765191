/*
 * vmsrv's image formats: each format laid out where its rules say, and
 * every hostile or foreign module refused with its error and the exact
 * message (naming the VM, the property and the module).
 */
#include <stdio.h>
#include <string.h>
#include "elf_fake.h"
#include "image.h"
#include "tests.h"

#define RAM 0x40000000ULL
#define MiB 0x100000ULL
#define DTB (RAM + 64 * MiB - 2 * MiB) /* a 64 MiB VM's last block */
#define BIG (3 * MiB)

static uint64_t storage[BIG / 8]; /* aligned, as boot modules are */
static uint8_t *file = (uint8_t *)storage;
static uint8_t rd_bytes[4096];
static struct vmcfg_vm vm;
static struct bootarc_module kernel, rd;
static struct image_layout lay;
static char msg[256];

/* The first 72 bytes of Debian's linux-image-6.1.0-57-arm64 vmlinuz (an
 * uncompressed Image with an EFI stub): text_offset 0, image_size
 * 0x2010000, flags 0xa (little-endian, 4 KiB pages, anywhere). */
static const uint8_t debian_header[72] = {
    0x4d, 0x5a, 0x40, 0xfa, 0x56, 0xa3, 0x59, 0x14, 0,	  0,	0, 0, 0, 0,    0,    0, 0,
    0,	  0x01, 0x02, 0,    0,	  0,	0,    0x0a, 0,	  0,	0, 0, 0, 0,    0,    0, 0,
    0,	  0,	0,    0,    0,	  0,	0,    0,    0,	  0,	0, 0, 0, 0,    0,    0, 0,
    0,	  0,	0,    0,    0,	  0x41, 0x52, 0x4d, 0x64, 0x40, 0, 0, 0, 0x50, 0x45, 0, 0,
};

/* A 64 MiB VM with the documented defaults, a 4 KiB flat kernel, no initrd. */
static void reset(void)
{
	vm = (struct vmcfg_vm){.name = "g",
			       .kernel = "k",
			       .ram_base = RAM,
			       .ram_size = 64 * MiB,
			       .load = RAM + 0x80000,
			       .entry = RAM + 0x80000};
	memset(file, 0, BIG);
	memcpy(file, "\x00\x00\x00\x14", 4); /* b . */
	kernel = (struct bootarc_module){.name = "k", .data = file, .size = 4096};
	rd = (struct bootarc_module){
	    .name = "rd", .data = rd_bytes, .size = sizeof(rd_bytes)};
	msg[0] = 0;
}

static int layout(const struct bootarc_module *initrd)
{
	return image_layout(&vm, &kernel, initrd, SEPTA_PAGES_4K | SEPTA_PAGES_64K, &lay,
			    msg, sizeof(msg));
}

/* The error and the exact message; a wrong one is printed. */
static void refused(int err, int want_err, const char *want)
{
	if (err != want_err || strcmp(msg, want))
		printf("\n  got %d \"%s\"\n want %d \"%s\"\n", err, msg, want_err, want);
	CU_ASSERT_EQUAL(err, want_err);
	CU_ASSERT_STRING_EQUAL(msg, want);
}

#define REFUSED(call, code, text) refused((call), (code), (text))

static void put64(uint64_t off, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		file[off + i] = (uint8_t)(v >> 8 * i);
}

static void test_flat(void)
{
	reset();
	CU_ASSERT_EQUAL_FATAL(layout(&rd), IMAGE_OK);
	CU_ASSERT_EQUAL(lay.format, IMAGE_FLAT);
	CU_ASSERT_STRING_EQUAL(image_format_name(lay.format), "flat binary");
	CU_ASSERT_EQUAL(lay.entry, RAM + 0x80000);
	CU_ASSERT_EQUAL(lay.dtb, DTB);
	CU_ASSERT_EQUAL(lay.nblobs, 2);
	CU_ASSERT_EQUAL(lay.blobs[0].ipa, RAM + 0x80000);
	CU_ASSERT_PTR_EQUAL(lay.blobs[0].data, file);
	CU_ASSERT_EQUAL(lay.blobs[0].len, 4096);
	/* A block of room for the kernel's unknown BSS, then the next block. */
	CU_ASSERT_EQUAL(lay.initrd_start, RAM + 4 * MiB);
	CU_ASSERT_EQUAL(lay.initrd_end, RAM + 4 * MiB + sizeof(rd_bytes));
	CU_ASSERT_EQUAL(lay.blobs[1].ipa, RAM + 4 * MiB);
	CU_ASSERT_PTR_EQUAL(lay.blobs[1].data, rd_bytes);
	/* The entry property is the flat image's own. */
	reset();
	vm.entry = RAM + 0x80100;
	CU_ASSERT_EQUAL_FATAL(layout(NULL), IMAGE_OK);
	CU_ASSERT_EQUAL(lay.entry, RAM + 0x80100);
	CU_ASSERT_EQUAL(lay.nblobs, 1);
	CU_ASSERT_EQUAL(lay.initrd_start, 0);
	/* A truncated Image header is no header: the file is flat. */
	reset();
	memcpy(file + 56, "ARM\x64", 4);
	kernel.size = 59;
	CU_ASSERT_EQUAL(layout(NULL), IMAGE_OK);
	CU_ASSERT_EQUAL(lay.format, IMAGE_FLAT);
}

static void test_flat_refused(void)
{
	reset();
	kernel.size = 0;
	REFUSED(layout(NULL), IMAGE_E_FORMAT, "vm 'g': kernel: module 'k' is empty");
	reset();
	kernel.size = BIG;
	vm.ram_size = 4 * MiB;
	REFUSED(layout(NULL), IMAGE_E_FIT,
		"vm 'g': kernel: module 'k' (3145728 bytes, a flat binary) does not fit "
		"between load-address 0x40080000 and the device tree at 0x40200000");
	reset();
	rd.size = 60 * MiB;
	REFUSED(layout(&rd), IMAGE_E_FIT,
		"vm 'g': initrd: module 'rd' (62914560 bytes) does not fit between the "
		"kernel's end 0x40281000 and the device tree at 0x43e00000");
	reset();
	rd.size = 0;
	REFUSED(layout(&rd), IMAGE_E_FORMAT, "vm 'g': initrd: module 'rd' is empty");
	/* Sizes that wrap: the checks subtract, never add. */
	reset();
	rd.size = ~0ULL - 0x1000;
	REFUSED(layout(&rd), IMAGE_E_FIT,
		"vm 'g': initrd: module 'rd' (18446744073709547519 bytes) does not fit "
		"between the kernel's end 0x40281000 and the device tree at 0x43e00000");
	/* The blocks of the shareable range come a page at a time. */
	reset();
	vm.share_base = RAM + 4 * MiB;
	vm.share_size = 0x10000;
	REFUSED(layout(&rd), IMAGE_E_FIT,
		"vm 'g': initrd: module 'rd' at 0x40400000-0x40401000 would share 2 MiB "
		"blocks with the shareable range's (0x40400000-0x40600000)");
}

/* Debian's header, on a file of 1 MiB: what counts is image_size. */
static void debian(void)
{
	reset();
	memcpy(file, debian_header, sizeof(debian_header));
	kernel.size = MiB;
}

static void test_linux(void)
{
	debian();
	CU_ASSERT_EQUAL_FATAL(layout(&rd), IMAGE_OK);
	CU_ASSERT_EQUAL(lay.format, IMAGE_LINUX);
	CU_ASSERT_STRING_EQUAL(image_format_name(lay.format), "arm64 Linux Image");
	/* At the base of RAM (2 MiB aligned) + text_offset 0, not load-address. */
	CU_ASSERT_EQUAL(lay.entry, RAM);
	CU_ASSERT_EQUAL(lay.blobs[0].ipa, RAM);
	CU_ASSERT_EQUAL(lay.blobs[0].len, MiB);
	/* The initrd past image_size (0x2010000), on the next 2 MiB boundary. */
	CU_ASSERT_EQUAL(lay.initrd_start, RAM + 0x2200000);
	CU_ASSERT_EQUAL(lay.blobs[1].ipa, RAM + 0x2200000);
	CU_ASSERT_EQUAL(lay.dtb, DTB);
	/* Older kernels: text_offset 0x80000, placement bit clear. */
	debian();
	put64(8, 0x80000);
	put64(24, 0x2);
	CU_ASSERT_EQUAL_FATAL(layout(NULL), IMAGE_OK);
	CU_ASSERT_EQUAL(lay.entry, RAM + 0x80000);
	CU_ASSERT_EQUAL(lay.blobs[0].ipa, RAM + 0x80000);
	/* Placement bit set: load-address names the 2 MiB-aligned base. */
	debian();
	vm.load = RAM + 8 * MiB;
	vm.load_set = true;
	put64(8, 0x80000);
	CU_ASSERT_EQUAL_FATAL(layout(&rd), IMAGE_OK);
	CU_ASSERT_EQUAL(lay.entry, RAM + 8 * MiB + 0x80000);
	CU_ASSERT_EQUAL(lay.initrd_start, RAM + 8 * MiB + 0x2200000);
	/* 64 KiB pages and "unspecified" are fine on this CPU. */
	debian();
	put64(24, 0x6 | 0x8);
	CU_ASSERT_EQUAL(layout(NULL), IMAGE_OK);
	debian();
	put64(24, 0);
	CU_ASSERT_EQUAL(layout(NULL), IMAGE_OK);
}

static void test_linux_refused(void)
{
	debian();
	memcpy(file, "\x00\x00\x00\x14", 4); /* no EFI stub: was a flat binary */
	kernel.size = 60;		     /* the magic, not the header's end */
	REFUSED(layout(NULL), IMAGE_E_HEADER,
		"vm 'g': kernel: module 'k' is an arm64 Linux Image header cut short "
		"(60 of its 64 bytes)");
	debian();
	put64(16, 0);
	REFUSED(layout(NULL), IMAGE_E_UNSUPPORTED,
		"vm 'g': kernel: module 'k' is an arm64 Linux Image with image_size 0 "
		"(before Linux 3.17): its memory needs are unknown");
	debian();
	put64(24, 0xb);
	REFUSED(layout(NULL), IMAGE_E_UNSUPPORTED,
		"vm 'g': kernel: module 'k' is a big-endian arm64 Linux Image (flags bit "
		"0): vmsrv's devices are little-endian");
	debian();
	put64(24, 0xc);
	REFUSED(layout(NULL), IMAGE_E_UNSUPPORTED,
		"vm 'g': kernel: module 'k' is an arm64 Linux Image for 16 KiB pages, "
		"which this CPU does not give guests");
	debian();
	put64(16, MiB - 1);
	REFUSED(layout(NULL), IMAGE_E_HEADER,
		"vm 'g': kernel: module 'k' is an arm64 Linux Image of 1048576 bytes, "
		"more than its image_size (1048575)");
	debian();
	put64(8, 0x800);
	REFUSED(layout(NULL), IMAGE_E_HEADER,
		"vm 'g': kernel: module 'k' is an arm64 Linux Image whose text_offset "
		"0x800 is not a multiple of 4 KiB");
	debian();
	vm.entry_set = true;
	REFUSED(
	    layout(NULL), IMAGE_E_PROPERTY,
	    "vm 'g': entry: kernel 'k' is an arm64 Linux Image, entered at its start");
	debian();
	vm.load_set = true;
	REFUSED(layout(NULL), IMAGE_E_PROPERTY,
		"vm 'g': load-address: kernel 'k' is an arm64 Linux Image: want a 2 "
		"MiB-aligned base (its text_offset is added)");
	debian();
	vm.load = RAM + 2 * MiB;
	vm.load_set = true;
	put64(24, 0x2);
	REFUSED(layout(NULL), IMAGE_E_PROPERTY,
		"vm 'g': load-address: kernel 'k' is an arm64 Linux Image that wants "
		"the base of RAM (its flags bit 3 is clear)");
	/* Too big for the VM: image_size counts, not the file. */
	debian();
	vm.ram_size = 32 * MiB;
	REFUSED(layout(NULL), IMAGE_E_FIT,
		"vm 'g': kernel: module 'k' (an arm64 Linux Image, image_size 33619968 "
		"at 0x40000000 + text_offset 0) does not fit below the device tree at "
		"0x41e00000");
	/* Hostile sizes and offsets that would wrap. */
	debian();
	put64(16, ~0ULL);
	REFUSED(layout(NULL), IMAGE_E_FIT,
		"vm 'g': kernel: module 'k' (an arm64 Linux Image, image_size "
		"18446744073709551615 at 0x40000000 + text_offset 0) does not fit below "
		"the device tree at 0x43e00000");
	debian();
	put64(8, ~0ULL << 12);
	REFUSED(layout(NULL), IMAGE_E_FIT,
		"vm 'g': kernel: module 'k' (an arm64 Linux Image, image_size 33619968 "
		"at 0x40000000 + text_offset 0xfffffffffffff000) does not fit below the "
		"device tree at 0x43e00000");
	/* The longest message: every number its longest, the longest names. */
	debian();
	vm.ram_base = 0xff00000000ULL;
	kernel.name = "a-module-name-of-31-characters.";
	put64(16, ~0ULL);
	put64(8, ~0ULL << 12);
	REFUSED(layout(NULL), IMAGE_E_FIT,
		"vm 'g': kernel: module 'a-module-name-of-31-characters.' (an arm64 "
		"Linux Image, image_size 18446744073709551615 at 0xff00000000 + "
		"text_offset 0xfffffffffffff000) does not fit below the device tree at "
		"0xff03e00000");
	/* The initrd beyond image_size must fit too. */
	debian();
	rd.size = 30 * MiB;
	REFUSED(layout(&rd), IMAGE_E_FIT,
		"vm 'g': initrd: module 'rd' (31457280 bytes) does not fit between the "
		"kernel's end 0x42010000 and the device tree at 0x43e00000");
}

static Elf64_Ehdr *eh(void)
{
	return (Elf64_Ehdr *)file;
}

static Elf64_Phdr *ph(unsigned i)
{
	return (Elf64_Phdr *)(file + sizeof(Elf64_Ehdr)) + i;
}

/* Text (R+X) at RAM + 512 KiB, data with a BSS at RAM + 1 MiB. */
static void elf(void)
{
	reset();
	elf_fake_header(file, RAM + 0x80010, 2);
	*ph(0) = (Elf64_Phdr){.p_type = PT_LOAD,
			      .p_flags = PF_R | PF_X,
			      .p_offset = 0x1000,
			      .p_vaddr = RAM + 0x80000,
			      .p_filesz = 0x100,
			      .p_memsz = 0x100};
	*ph(1) = (Elf64_Phdr){.p_type = PT_LOAD,
			      .p_flags = PF_R | PF_W,
			      .p_offset = 0x2000,
			      .p_vaddr = RAM + MiB,
			      .p_filesz = 0x10,
			      .p_memsz = 0x200000};
	kernel.size = 0x3000;
}

static void test_elf(void)
{
	elf();
	CU_ASSERT_EQUAL_FATAL(layout(&rd), IMAGE_OK);
	CU_ASSERT_EQUAL(lay.format, IMAGE_ELF);
	CU_ASSERT_STRING_EQUAL(image_format_name(lay.format), "ELF64 executable");
	CU_ASSERT_EQUAL(lay.entry, RAM + 0x80010);
	CU_ASSERT_EQUAL(lay.nblobs, 3);
	CU_ASSERT_EQUAL(lay.blobs[0].ipa, RAM + 0x80000);
	CU_ASSERT_PTR_EQUAL(lay.blobs[0].data, file + 0x1000);
	CU_ASSERT_EQUAL(lay.blobs[0].len, 0x100);
	CU_ASSERT_EQUAL(lay.blobs[1].ipa, RAM + MiB);
	CU_ASSERT_EQUAL(lay.blobs[1].len, 0x10);
	/* Past the BSS's end (RAM + 3 MiB), on the next block. */
	CU_ASSERT_EQUAL(lay.initrd_start, RAM + 4 * MiB);
}

static void test_elf_refused(void)
{
	elf();
	eh()->e_machine = EM_X86_64;
	REFUSED(layout(NULL), IMAGE_E_FORMAT,
		"vm 'g': kernel: module 'k' is an ELF file, but not an AArch64 image");
	elf();
	eh()->e_ident[EI_CLASS] = ELFCLASS32;
	REFUSED(layout(NULL), IMAGE_E_FORMAT,
		"vm 'g': kernel: module 'k' is an ELF file, but not ELF64 little-endian");
	elf();
	eh()->e_type = ET_DYN;
	REFUSED(layout(NULL), IMAGE_E_FORMAT,
		"vm 'g': kernel: module 'k' is an ELF file, but not an executable");
	elf();
	kernel.size = 40;
	REFUSED(layout(NULL), IMAGE_E_HEADER,
		"vm 'g': kernel: module 'k' is an ELF file, but image truncated or "
		"misaligned");
	elf();
	ph(1)->p_offset = 0x2ff8;
	REFUSED(
	    layout(NULL), IMAGE_E_HEADER,
	    "vm 'g': kernel: module 'k' is an ELF file, but segment outside the file");
	elf();
	ph(1)->p_vaddr = ~0ULL << 12;
	REFUSED(layout(NULL), IMAGE_E_HEADER,
		"vm 'g': kernel: module 'k' is an ELF file, but segment wraps the "
		"address space");
	elf();
	ph(1)->p_vaddr = 0x80000000;
	REFUSED(layout(NULL), IMAGE_E_FIT,
		"vm 'g': kernel: module 'k' is an ELF64 executable whose segment 1 "
		"(0x80000000-0x80200000) is not in RAM below the device tree at "
		"0x43e00000");
	elf();
	ph(1)->p_vaddr = DTB - MiB;
	REFUSED(layout(NULL), IMAGE_E_FIT,
		"vm 'g': kernel: module 'k' is an ELF64 executable whose segment 1 "
		"(0x43d00000-0x43f00000) is not in RAM below the device tree at "
		"0x43e00000");
	elf();
	ph(1)->p_vaddr = RAM + 0x80080;
	REFUSED(layout(NULL), IMAGE_E_HEADER,
		"vm 'g': kernel: module 'k' is an ELF64 executable whose segments 0 and "
		"1 overlap");
	elf();
	vm.load_set = true;
	REFUSED(layout(NULL), IMAGE_E_PROPERTY,
		"vm 'g': load-address: kernel 'k' is an ELF64 executable, placed and "
		"entered as its headers say");
	elf();
	vm.entry_set = true;
	REFUSED(layout(NULL), IMAGE_E_PROPERTY,
		"vm 'g': entry: kernel 'k' is an ELF64 executable, placed and entered as "
		"its headers say");
	elf();
	eh()->e_phnum = IMAGE_MAX_SEGMENTS + 1;
	for (unsigned i = 0; i <= IMAGE_MAX_SEGMENTS; i++)
		*ph(i) = (Elf64_Phdr){.p_type = PT_LOAD,
				      .p_flags = PF_R | PF_X,
				      .p_offset = 0x1000,
				      .p_vaddr = RAM + (i + 1) * MiB,
				      .p_filesz = 0x10,
				      .p_memsz = 0x10};
	eh()->e_entry = RAM + MiB;
	REFUSED(layout(NULL), IMAGE_E_HEADER,
		"vm 'g': kernel: module 'k' is an ELF64 executable of more than 8 "
		"loadable segments");
	elf();
	ph(1)->p_vaddr = RAM + 2 * MiB;
	vm.share_base = RAM + 3 * MiB;
	vm.share_size = 0x1000;
	REFUSED(layout(NULL), IMAGE_E_FIT,
		"vm 'g': kernel: module 'k' at 0x40200000-0x40200010 would share 2 MiB "
		"blocks with the shareable range's (0x40200000-0x40400000)");
}

/* The edges of the ELF checks the mutation run found unguarded: segments
 * that only touch do not overlap, and a segment whose last byte (only)
 * lies in the shareable range's blocks is refused. */
static void test_elf_edges(void)
{
	elf();
	ph(1)->p_vaddr = RAM + 0x80100; /* where segment 0 ends */
	ph(1)->p_memsz = 0x100;
	CU_ASSERT_EQUAL_FATAL(layout(NULL), IMAGE_OK);
	CU_ASSERT_EQUAL(lay.nblobs, 2);
	CU_ASSERT_EQUAL(lay.blobs[1].ipa, RAM + 0x80100);
	elf();
	ph(1)->p_vaddr = RAM + 2 * MiB - 0xf;
	vm.share_base = RAM + 3 * MiB;
	vm.share_size = 0x1000;
	REFUSED(layout(NULL), IMAGE_E_FIT,
		"vm 'g': kernel: module 'k' at 0x401ffff1-0x40200001 would share 2 MiB "
		"blocks with the shareable range's (0x40200000-0x40400000)");
	/* One byte lower it ends below them. */
	elf();
	ph(1)->p_vaddr = RAM + 2 * MiB - 0x10;
	vm.share_base = RAM + 3 * MiB;
	vm.share_size = 0x1000;
	CU_ASSERT_EQUAL(layout(NULL), IMAGE_OK);
}

/* What people put where a kernel goes, each named. */
static void test_foreign(void)
{
	static const struct {
		uint32_t off;
		const char *bytes;
		size_t len;
		const char *what;
	} cases[] = {
	    {0, "\x1f\x8b\x08\x00", 4, "a gzip-compressed file (decompress it)"},
	    {0, "\xfd\x37zXZ\0", 6, "an xz-compressed file (decompress it)"},
	    {0, "\x28\xb5\x2f\xfd", 4, "a zstd-compressed file (decompress it)"},
	    {0, "BZh9", 4, "a bzip2-compressed file (decompress it)"},
	    {0, "\x02\x21\x4c\x18", 4, "an LZ4-compressed file (decompress it)"},
	    {0, "\x04\x22\x4d\x18", 4, "an LZ4-compressed file (decompress it)"},
	    {0, "\x89LZO", 4, "an LZO-compressed file (decompress it)"},
	    {0, "MZ\0\0zimg", 8, "an EFI zboot kernel (compressed: use its Image)"},
	    {0, "MZ", 2, "a PE/EFI executable without an arm64 Image header"},
	    {0, "070701", 6, "a cpio archive (an initramfs goes in initrd)"},
	    {0, "070702", 6, "a cpio archive (an initramfs goes in initrd)"},
	    {0, "\xd0\x0d\xfe\xed", 4, "a device tree blob"},
	    {0, "\x27\x05\x19\x56", 4, "a U-Boot legacy image"},
	    {0x24, "\x18\x28\x6f\x01", 4, "a 32-bit ARM zImage (guests run AArch64)"},
	    {0, "#!/bin/sh", 9, "a script"},
	};
	char want[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		reset();
		memcpy(file + cases[i].off, cases[i].bytes, cases[i].len);
		snprintf(want, sizeof(want),
			 "vm 'g': kernel: module 'k' is %s, not a flat binary, an arm64 "
			 "Linux Image or an ELF64 executable",
			 cases[i].what);
		REFUSED(layout(NULL), IMAGE_E_FORMAT, want);
	}
	/* A magic the file is too short to hold is no magic. */
	reset();
	memcpy(file,
	       "\xfd"
	       "7zX",
	       4);
	kernel.size = 4;
	CU_ASSERT_EQUAL(layout(NULL), IMAGE_OK);
}

void suite_image(void)
{
	CU_pSuite s = CU_add_suite("image", NULL, NULL);

	CU_add_test(s, "a flat binary at load-address", test_flat);
	CU_add_test(s, "flat binaries and initrds refused", test_flat_refused);
	CU_add_test(s, "an arm64 Linux Image by its header", test_linux);
	CU_add_test(s, "arm64 Linux Images refused", test_linux_refused);
	CU_add_test(s, "an ELF64 executable by its segments", test_elf);
	CU_add_test(s, "ELF64 executables refused", test_elf_refused);
	CU_add_test(s, "other kinds of file named and refused", test_foreign);
	CU_add_test(s, "ELF64 segments at the edges of their checks", test_elf_edges);
}
