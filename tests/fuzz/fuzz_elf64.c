/* libs/bootfmt/elf64.c: an image it accepts has every loadable segment
 * inside the file, sizes that do not wrap, and an entry point in an
 * executable segment; a refusal is one of its documented errors. */
#include <bootfmt/elf64.h>
#include <string.h>
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size copy: ASan then catches a read one byte past it. */
	uint8_t *buf = malloc(size ? size : 1);
	struct elf64_image img;
	struct elf64_segment s;
	unsigned n = 0;
	int entry_ok = 0, err;

	memcpy(buf, data, size);
	err = elf64_open(&img, buf, size);
	FUZZ_CHECK(err <= ELF64_OK && err >= ELF64_E_ENTRY);
	FUZZ_CHECK(strcmp(elf64_strerror(err), "unknown error") != 0);
	if (err == ELF64_OK) {
		FUZZ_CHECK(img.base == buf && img.size == size && img.phnum > 0);
		while (elf64_load_segment(&img, n, &s)) {
			const uint8_t *d = s.data;

			FUZZ_CHECK(d >= buf && d <= buf + size);
			FUZZ_CHECK(s.filesz <= (uint64_t)(buf + size - d));
			FUZZ_CHECK(s.filesz <= s.memsz && s.memsz > 0);
			FUZZ_CHECK(s.vaddr + s.memsz > s.vaddr);
			FUZZ_CHECK((s.flags & ~(ELF64_PF_R | ELF64_PF_W | ELF64_PF_X)) ==
				   0);
			/* The segment's bytes are readable (ASan checks them). */
			if (s.filesz)
				FUZZ_CHECK(d[0] == d[0] &&
					   d[s.filesz - 1] == d[s.filesz - 1]);
			if ((s.flags & ELF64_PF_X) && img.entry >= s.vaddr &&
			    img.entry - s.vaddr < s.memsz)
				entry_ok = 1;
			FUZZ_CHECK(++n <= img.phnum);
		}
		FUZZ_CHECK(n > 0 && entry_ok);
	}
	free(buf);
	return 0;
}
