#include <bootfmt/elf64.h>

/* Only the fields we read; layouts from the ELF-64 specification. */
struct ehdr {
	uint8_t ident[16];
	uint16_t type;
	uint16_t machine;
	uint32_t version;
	uint64_t entry;
	uint64_t phoff;
	uint64_t shoff;
	uint32_t flags;
	uint16_t ehsize;
	uint16_t phentsize;
	uint16_t phnum;
	uint16_t shentsize;
	uint16_t shnum;
	uint16_t shstrndx;
};

struct phdr {
	uint32_t type;
	uint32_t flags;
	uint64_t offset;
	uint64_t vaddr;
	uint64_t paddr;
	uint64_t filesz;
	uint64_t memsz;
	uint64_t align;
};

#define ET_EXEC	   2
#define EM_AARCH64 183
#define PT_LOAD	   1

static const struct phdr *phdr_at(const struct elf64_image *img, unsigned i)
{
	return (const struct phdr *)(img->base + img->phoff) + i;
}

static int check_segment(const struct elf64_image *img, const struct phdr *p)
{
	if (p->offset > img->size || p->filesz > img->size - p->offset)
		return ELF64_E_SEGMENT;
	if (p->filesz > p->memsz)
		return ELF64_E_SEGMENT;
	if (p->memsz == 0 || p->vaddr + p->memsz < p->vaddr)
		return ELF64_E_OVERFLOW;
	return ELF64_OK;
}

int elf64_open(struct elf64_image *out, const void *buf, uint64_t size)
{
	const struct ehdr *h = buf;
	struct elf64_image img;
	unsigned loads = 0;
	int entry_ok = 0;

	if (size < sizeof(*h) || ((uintptr_t)buf & 7u) != 0)
		return ELF64_E_TRUNCATED;
	if (h->ident[0] != 0x7f || h->ident[1] != 'E' || h->ident[2] != 'L' ||
	    h->ident[3] != 'F')
		return ELF64_E_MAGIC;
	/* ELFCLASS64, ELFDATA2LSB, EV_CURRENT */
	if (h->ident[4] != 2 || h->ident[5] != 1 || h->ident[6] != 1)
		return ELF64_E_CLASS;
	if (h->machine != EM_AARCH64)
		return ELF64_E_MACHINE;
	if (h->type != ET_EXEC)
		return ELF64_E_TYPE;
	if (h->phentsize != sizeof(struct phdr) || h->phnum == 0 || (h->phoff & 7u) != 0)
		return ELF64_E_PHDR;
	if (h->phoff > size || (uint64_t)h->phnum * sizeof(struct phdr) > size - h->phoff)
		return ELF64_E_TRUNCATED;

	img.base = buf;
	img.size = size;
	img.entry = h->entry;
	img.phoff = h->phoff;
	img.phnum = h->phnum;
	for (unsigned i = 0; i < img.phnum; i++) {
		const struct phdr *p = phdr_at(&img, i);
		int err;

		if (p->type != PT_LOAD)
			continue;
		err = check_segment(&img, p);
		if (err)
			return err;
		loads++;
		if ((p->flags & ELF64_PF_X) && img.entry >= p->vaddr &&
		    img.entry - p->vaddr < p->memsz)
			entry_ok = 1;
	}
	if (loads == 0)
		return ELF64_E_NOLOAD;
	if (!entry_ok)
		return ELF64_E_ENTRY;
	*out = img;
	return ELF64_OK;
}

int elf64_load_segment(const struct elf64_image *img, unsigned index,
		       struct elf64_segment *seg)
{
	unsigned seen = 0;

	for (unsigned i = 0; i < img->phnum; i++) {
		const struct phdr *p = phdr_at(img, i);

		if (p->type != PT_LOAD)
			continue;
		if (seen++ != index)
			continue;
		seg->vaddr = p->vaddr;
		seg->memsz = p->memsz;
		seg->data = img->base + p->offset;
		seg->filesz = p->filesz;
		seg->flags = p->flags & (ELF64_PF_R | ELF64_PF_W | ELF64_PF_X);
		return 1;
	}
	return 0;
}

const char *elf64_strerror(int err)
{
	switch (err) {
	case ELF64_OK:
		return "ok";
	case ELF64_E_TRUNCATED:
		return "image truncated or misaligned";
	case ELF64_E_MAGIC:
		return "not an ELF file";
	case ELF64_E_CLASS:
		return "not ELF64 little-endian";
	case ELF64_E_MACHINE:
		return "not an AArch64 image";
	case ELF64_E_TYPE:
		return "not an executable";
	case ELF64_E_PHDR:
		return "bad program header table";
	case ELF64_E_SEGMENT:
		return "segment outside the file";
	case ELF64_E_OVERFLOW:
		return "segment wraps the address space";
	case ELF64_E_NOLOAD:
		return "no loadable segment";
	case ELF64_E_ENTRY:
		return "entry point not in an executable segment";
	}
	return "unknown error";
}
