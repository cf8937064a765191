/*
 * Guest kernel images (image.h). A module is an ELF64 executable if it
 * starts with ELF's magic, an arm64 Linux Image if it has the Image
 * header's magic at 0x38, some other kind of file vmsrv can name (and
 * refuses) if it has that kind's magic, and otherwise a flat binary.
 * docs/vm-config.md is the user's side of these rules.
 */
#include <bootfmt/elf64.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "image.h"

#define PAGE 0x1000ULL

/* The arm64 Linux Image header (Documentation/arm64/booting.rst). */
#define LINUX_HDR_SIZE	  64u
#define LINUX_TEXT_OFFSET 8u
#define LINUX_IMAGE_SIZE  16u
#define LINUX_FLAGS	  24u
#define LINUX_MAGIC	  56u
#define LINUX_F_BE	  1u			      /* bit 0: big-endian kernel */
#define LINUX_F_PAGES(f)  ((unsigned)((f) >> 1) & 3u) /* 0: unspecified */
#define LINUX_F_ANYWHERE  8u /* bit 3: any 2 MiB-aligned base will do */

struct lay {
	const struct vmcfg_vm *v;
	struct image_layout *out;
	char *msg;
	size_t msglen;
	uint64_t end; /* the first byte past what the kernel uses */
};

static int fail(struct lay *l, int err, const char *prop, const char *fmt, ...)
{
	char why[256]; /* the longest (lay_linux's FIT) is over 190 */
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	snprintf(l->msg, l->msglen, "vm '%s': %s: %s", l->v->name, prop, why);
	return err;
}

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static bool has(const struct bootarc_module *m, uint64_t off, const char *bytes,
		size_t len)
{
	return m->size >= off + len &&
	       !memcmp((const uint8_t *)m->data + off, bytes, len);
}

/* Files people put where a kernel goes by mistake, known by their magic. */
static const struct {
	uint32_t off;
	uint8_t len;
	const char *bytes, *what;
} foreign[] = {
    {0, 2, "\x1f\x8b", "a gzip-compressed file (decompress it)"},
    {0, 6, "\xfd\x37zXZ\0", "an xz-compressed file (decompress it)"},
    {0, 4, "\x28\xb5\x2f\xfd", "a zstd-compressed file (decompress it)"},
    {0, 3, "BZh", "a bzip2-compressed file (decompress it)"},
    {0, 4, "\x02\x21\x4c\x18", "an LZ4-compressed file (decompress it)"},
    {0, 4, "\x04\x22\x4d\x18", "an LZ4-compressed file (decompress it)"},
    {0, 4, "\x89LZO", "an LZO-compressed file (decompress it)"},
    {4, 4, "zimg", "an EFI zboot kernel (compressed: use its Image)"},
    {0, 2, "MZ", "a PE/EFI executable without an arm64 Image header"},
    {0, 6, "070701", "a cpio archive (an initramfs goes in initrd)"},
    {0, 6, "070702", "a cpio archive (an initramfs goes in initrd)"},
    {0, 4, "\xd0\x0d\xfe\xed", "a device tree blob"},
    {0, 4, "\x27\x05\x19\x56", "a U-Boot legacy image"},
    {0x24, 4, "\x18\x28\x6f\x01", "a 32-bit ARM zImage (guests run AArch64)"},
    {0, 2, "#!", "a script"},
};

/* [ipa, ipa + len) lies in RAM below the device tree's block. */
static bool below_dtb(const struct lay *l, uint64_t ipa, uint64_t len)
{
	uint64_t base = l->v->ram_base;

	return ipa >= base && len <= l->out->dtb - base &&
	       ipa - base <= l->out->dtb - base - len;
}

/* The loader fills whole 2 MiB blocks; those of the shareable range come
 * a page at a time, so nothing may be loaded into them. */
static int add_blob(struct lay *l, const char *prop, const char *name, uint64_t ipa,
		    const void *data, uint64_t len)
{
	uint64_t lo, hi;

	vmcfg_paged_blocks(l->v, &lo, &hi);
	if (ipa < hi && lo < ipa + len)
		return fail(l, IMAGE_E_FIT, prop,
			    "module '%s' at %#llx-%#llx would share 2 MiB blocks with "
			    "the shareable range's (%#llx-%#llx)",
			    name, (unsigned long long)ipa,
			    (unsigned long long)(ipa + len), (unsigned long long)lo,
			    (unsigned long long)hi);
	l->out->blobs[l->out->nblobs++] = (struct image_blob){ipa, data, len};
	return IMAGE_OK;
}

static int lay_flat(struct lay *l, const struct bootarc_module *k)
{
	const struct vmcfg_vm *v = l->v;

	if (!below_dtb(l, v->load, k->size))
		return fail(l, IMAGE_E_FIT, "kernel",
			    "module '%s' (%llu bytes, a flat binary) does not fit "
			    "between load-address %#llx and the device tree at %#llx",
			    k->name, (unsigned long long)k->size,
			    (unsigned long long)v->load, (unsigned long long)l->out->dtb);
	l->out->entry = v->entry;
	/* Its size in memory is not known: a block of room past the file. */
	l->end = v->load + k->size + VMCFG_BLOCK;
	return add_blob(l, "kernel", k->name, v->load, k->data, k->size);
}

static int lay_linux(struct lay *l, const struct bootarc_module *k, unsigned page_sizes)
{
	/* By the flags' page size field, 1 to 3. */
	static const char *const pages[] = {"4 KiB", "16 KiB", "64 KiB"};
	static const unsigned page_bit[] = {SEPTA_PAGES_4K, SEPTA_PAGES_16K,
					    SEPTA_PAGES_64K};
	const struct vmcfg_vm *v = l->v;
	const uint8_t *h = k->data;
	uint64_t text = le64(h + LINUX_TEXT_OFFSET), size = le64(h + LINUX_IMAGE_SIZE);
	uint64_t flags = le64(h + LINUX_FLAGS), base = v->ram_base;
	unsigned pg = LINUX_F_PAGES(flags);

	if (!size)
		return fail(l, IMAGE_E_UNSUPPORTED, "kernel",
			    "module '%s' is an arm64 Linux Image with image_size 0 "
			    "(before Linux 3.17): its memory needs are unknown",
			    k->name);
	if (flags & LINUX_F_BE)
		return fail(l, IMAGE_E_UNSUPPORTED, "kernel",
			    "module '%s' is a big-endian arm64 Linux Image (flags bit "
			    "0): vmsrv's devices are little-endian",
			    k->name);
	if (pg && !(page_sizes & page_bit[pg - 1]))
		return fail(l, IMAGE_E_UNSUPPORTED, "kernel",
			    "module '%s' is an arm64 Linux Image for %s pages, which "
			    "this CPU does not give guests",
			    k->name, pages[pg - 1]);
	if (k->size > size)
		return fail(l, IMAGE_E_HEADER, "kernel",
			    "module '%s' is an arm64 Linux Image of %llu bytes, more "
			    "than its image_size (%llu)",
			    k->name, (unsigned long long)k->size,
			    (unsigned long long)size);
	if (text & (PAGE - 1))
		return fail(l, IMAGE_E_HEADER, "kernel",
			    "module '%s' is an arm64 Linux Image whose text_offset "
			    "%#llx is not a multiple of 4 KiB",
			    k->name, (unsigned long long)text);
	if (v->entry_set)
		return fail(l, IMAGE_E_PROPERTY, "entry",
			    "kernel '%s' is an arm64 Linux Image, entered at its start",
			    k->name);
	if (v->load_set) {
		if (v->load & (VMCFG_BLOCK - 1))
			return fail(l, IMAGE_E_PROPERTY, "load-address",
				    "kernel '%s' is an arm64 Linux Image: want a 2 MiB-"
				    "aligned base (its text_offset is added)",
				    k->name);
		if (!(flags & LINUX_F_ANYWHERE) && v->load != v->ram_base)
			return fail(l, IMAGE_E_PROPERTY, "load-address",
				    "kernel '%s' is an arm64 Linux Image that wants the "
				    "base of RAM (its flags bit 3 is clear)",
				    k->name);
		base = v->load;
	}
	if (!below_dtb(l, base, text) || !below_dtb(l, base + text, size))
		return fail(l, IMAGE_E_FIT, "kernel",
			    "module '%s' (an arm64 Linux Image, image_size %llu at "
			    "%#llx + text_offset %#llx) does not fit below the device "
			    "tree at %#llx",
			    k->name, (unsigned long long)size, (unsigned long long)base,
			    (unsigned long long)text, (unsigned long long)l->out->dtb);
	l->out->entry = base + text;
	l->end = base + text + size;
	return add_blob(l, "kernel", k->name, base + text, k->data, k->size);
}

static int lay_elf(struct lay *l, const struct bootarc_module *k)
{
	struct elf64_image img;
	struct elf64_segment s[IMAGE_MAX_SEGMENTS + 1];
	unsigned n = 0;
	int err = elf64_open(&img, k->data, k->size);

	if (err)
		return fail(l,
			    err == ELF64_E_CLASS || err == ELF64_E_MACHINE ||
				    err == ELF64_E_TYPE
				? IMAGE_E_FORMAT
				: IMAGE_E_HEADER,
			    "kernel", "module '%s' is an ELF file, but %s", k->name,
			    elf64_strerror(err));
	if (l->v->load_set || l->v->entry_set)
		return fail(l, IMAGE_E_PROPERTY,
			    l->v->load_set ? "load-address" : "entry",
			    "kernel '%s' is an ELF64 executable, placed and entered as "
			    "its headers say",
			    k->name);
	while (n <= IMAGE_MAX_SEGMENTS && elf64_load_segment(&img, n, &s[n]))
		n++;
	if (n > IMAGE_MAX_SEGMENTS)
		return fail(l, IMAGE_E_HEADER, "kernel",
			    "module '%s' is an ELF64 executable of more than %u "
			    "loadable segments",
			    k->name, IMAGE_MAX_SEGMENTS);
	l->end = 0;
	for (unsigned i = 0; i < n; i++) {
		if (!below_dtb(l, s[i].vaddr, s[i].memsz))
			return fail(l, IMAGE_E_FIT, "kernel",
				    "module '%s' is an ELF64 executable whose segment "
				    "%u (%#llx-%#llx) is not in RAM below the device "
				    "tree at %#llx",
				    k->name, i, (unsigned long long)s[i].vaddr,
				    (unsigned long long)(s[i].vaddr + s[i].memsz),
				    (unsigned long long)l->out->dtb);
		for (unsigned j = 0; j < i; j++)
			if (s[i].vaddr < s[j].vaddr + s[j].memsz &&
			    s[j].vaddr < s[i].vaddr + s[i].memsz)
				return fail(l, IMAGE_E_HEADER, "kernel",
					    "module '%s' is an ELF64 executable whose "
					    "segments %u and %u overlap",
					    k->name, j, i);
		if (s[i].vaddr + s[i].memsz > l->end)
			l->end = s[i].vaddr + s[i].memsz;
		if (s[i].filesz && (err = add_blob(l, "kernel", k->name, s[i].vaddr,
						   s[i].data, s[i].filesz)))
			return err;
	}
	l->out->entry = img.entry;
	return IMAGE_OK;
}

static int lay_kernel(struct lay *l, const struct bootarc_module *k, unsigned page_sizes)
{
	static const char elf[4] = {0x7f, 'E', 'L', 'F'};

	if (!k->size)
		return fail(l, IMAGE_E_FORMAT, "kernel", "module '%s' is empty", k->name);
	if (has(k, 0, elf, sizeof(elf))) {
		l->out->format = IMAGE_ELF;
		return lay_elf(l, k);
	}
	if (has(k, LINUX_MAGIC, "ARM\x64", 4)) {
		l->out->format = IMAGE_LINUX;
		/* The magic ends 4 bytes short of the header: not a flat binary. */
		if (k->size < LINUX_HDR_SIZE)
			return fail(
			    l, IMAGE_E_HEADER, "kernel",
			    "module '%s' is an arm64 Linux Image header cut short "
			    "(%llu of its %u bytes)",
			    k->name, (unsigned long long)k->size, LINUX_HDR_SIZE);
		return lay_linux(l, k, page_sizes);
	}
	for (size_t i = 0; i < sizeof(foreign) / sizeof(foreign[0]); i++)
		if (has(k, foreign[i].off, foreign[i].bytes, foreign[i].len))
			return fail(l, IMAGE_E_FORMAT, "kernel",
				    "module '%s' is %s, not a flat binary, an arm64 "
				    "Linux Image or an ELF64 executable",
				    k->name, foreign[i].what);
	l->out->format = IMAGE_FLAT;
	return lay_flat(l, k);
}

/* The initrd goes at the first 2 MiB boundary past the kernel. */
static int lay_initrd(struct lay *l, const struct bootarc_module *rd)
{
	uint64_t start = (l->end + VMCFG_BLOCK - 1) & ~(VMCFG_BLOCK - 1);

	if (!rd->size)
		return fail(l, IMAGE_E_FORMAT, "initrd", "module '%s' is empty",
			    rd->name);
	if (!below_dtb(l, start, rd->size))
		return fail(l, IMAGE_E_FIT, "initrd",
			    "module '%s' (%llu bytes) does not fit between the "
			    "kernel's end %#llx and the device tree at %#llx",
			    rd->name, (unsigned long long)rd->size,
			    (unsigned long long)l->end, (unsigned long long)l->out->dtb);
	l->out->initrd_start = start;
	l->out->initrd_end = start + rd->size;
	return add_blob(l, "initrd", rd->name, start, rd->data, rd->size);
}

int image_layout(const struct vmcfg_vm *v, const struct bootarc_module *kernel,
		 const struct bootarc_module *initrd, unsigned page_sizes,
		 struct image_layout *out, char *msg, size_t msglen)
{
	struct lay l = {.v = v, .out = out, .msg = msg, .msglen = msglen};
	int err;

	memset(out, 0, sizeof(*out));
	out->dtb = v->ram_base + v->ram_size - VMCFG_BLOCK;
	err = lay_kernel(&l, kernel, page_sizes);
	if (!err && initrd)
		err = lay_initrd(&l, initrd);
	return err;
}

const char *image_format_name(enum image_format f)
{
	static const char *const names[] = {"flat binary", "arm64 Linux Image",
					    "ELF64 executable"};

	return names[f];
}
