/* libs/bootfmt/bootarc.c: an archive it accepts has named, distinct,
 * page-aligned modules inside its total size, exactly one of them the root,
 * and every lookup agrees with the table. */
#include <bootfmt/bootarc.h>
#include <string.h>
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = malloc(size ? size : 1);
	struct bootarc arc;
	struct bootarc_module m, f;
	unsigned roots = 0;
	int err;

	memcpy(buf, data, size);
	err = bootarc_open(&arc, buf, size);
	FUZZ_CHECK(err <= BOOTARC_OK && err >= BOOTARC_E_ROOT);
	FUZZ_CHECK(strcmp(bootarc_strerror(err), "unknown error") != 0);
	if (err == BOOTARC_OK) {
		FUZZ_CHECK(arc.base == buf && arc.size <= size);
		FUZZ_CHECK(arc.count <= BOOTARC_MAX_ENTRY);
		/* The entry table is part of the archive its header describes. */
		FUZZ_CHECK(sizeof(struct bootarc_header) +
			       (uint64_t)arc.count * sizeof(struct bootarc_entry) <=
			   arc.size);
		for (uint32_t i = 0; i < arc.count; i++) {
			const uint8_t *d;
			size_t len;

			FUZZ_CHECK(bootarc_get(&arc, i, &m) == BOOTARC_OK);
			d = m.data;
			len = fuzz_strnlen(m.name, BOOTARC_NAME_LEN);
			FUZZ_CHECK(len > 0 && len < BOOTARC_NAME_LEN);
			FUZZ_CHECK((size_t)(d - buf) % BOOTARC_ALIGN == 0);
			FUZZ_CHECK(d >= buf && d <= buf + arc.size);
			FUZZ_CHECK(m.size <= (uint64_t)(buf + arc.size - d));
			/* Names are distinct: the lookup finds this very module. */
			FUZZ_CHECK(bootarc_find(&arc, m.name, &f) == BOOTARC_OK);
			FUZZ_CHECK(f.data == m.data && f.size == m.size &&
				   f.name == m.name);
			if (m.flags & BOOTARC_F_ROOT) {
				roots++;
				FUZZ_CHECK(bootarc_root(&arc, &f) == BOOTARC_OK);
				FUZZ_CHECK(f.name == m.name);
			}
		}
		FUZZ_CHECK(roots == 1);
		FUZZ_CHECK(bootarc_get(&arc, arc.count, &m) == BOOTARC_E_NOT_FOUND);
		FUZZ_CHECK(bootarc_find(&arc, "", &m) == BOOTARC_E_NOT_FOUND);
	}
	free(buf);
	return 0;
}
