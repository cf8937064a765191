/* Hand-built AArch64 ELF64 executables for the tests of their readers. */
#pragma once
#include <elf.h>
#include <string.h>

/* An ET_EXEC header with phnum program headers right after it (for the
 * caller to fill), entered at entry. */
static inline void elf_fake_header(void *file, uint64_t entry, unsigned phnum)
{
	Elf64_Ehdr *h = file;

	memcpy(h->e_ident, ELFMAG, SELFMAG);
	h->e_ident[EI_CLASS] = ELFCLASS64;
	h->e_ident[EI_DATA] = ELFDATA2LSB;
	h->e_ident[EI_VERSION] = EV_CURRENT;
	h->e_type = ET_EXEC;
	h->e_machine = EM_AARCH64;
	h->e_version = EV_CURRENT;
	h->e_entry = entry;
	h->e_phoff = sizeof(Elf64_Ehdr);
	h->e_phentsize = sizeof(Elf64_Phdr);
	h->e_phnum = (uint16_t)phnum;
}
