/*
 * mkbootarc: packs boot modules into a Septa boot archive.
 *   mkbootarc OUT [--root|--server] NAME=FILE ...
 * --root marks the next module as the root task, --server as a server the
 * root task starts. The archive is checked with
 * the same reader the kernel uses before it is written.
 */
#include <bootfmt/bootarc.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *read_file(const char *path, uint64_t *size)
{
	FILE *f = fopen(path, "rb");
	void *buf;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return NULL;
	}
	buf = malloc(n ? (size_t)n : 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*size = (uint64_t)n;
	return buf;
}

int main(int argc, char **argv)
{
	struct bootarc_header hdr = {.magic = BOOTARC_MAGIC};
	struct bootarc_entry ent[BOOTARC_MAX_ENTRY];
	void *data[BOOTARC_MAX_ENTRY];
	uint32_t next_flags = 0;
	uint64_t off;
	uint8_t *out;
	struct bootarc check;
	FILE *f;
	int err;

	if (argc < 3) {
		fprintf(stderr, "usage: mkbootarc OUT [--root|--server] NAME=FILE ...\n");
		return 2;
	}
	memset(ent, 0, sizeof(ent));
	for (int i = 2; i < argc; i++) {
		const char *eq = strchr(argv[i], '=');
		size_t nlen;

		if (strcmp(argv[i], "--root") == 0) {
			next_flags |= BOOTARC_F_ROOT;
			continue;
		}
		if (strcmp(argv[i], "--server") == 0) {
			next_flags |= BOOTARC_F_SERVER;
			continue;
		}
		if (hdr.count == BOOTARC_MAX_ENTRY) {
			fprintf(stderr, "mkbootarc: more than %d modules\n",
				BOOTARC_MAX_ENTRY);
			return 1;
		}
		nlen = eq ? (size_t)(eq - argv[i]) : 0;
		if (nlen == 0 || nlen >= BOOTARC_NAME_LEN) {
			fprintf(stderr,
				"mkbootarc: '%s': want NAME=FILE, NAME 1..%d chars\n",
				argv[i], BOOTARC_NAME_LEN - 1);
			return 1;
		}
		memcpy(ent[hdr.count].name, argv[i], nlen);
		data[hdr.count] = read_file(eq + 1, &ent[hdr.count].size);
		if (!data[hdr.count]) {
			fprintf(stderr, "mkbootarc: %s: %s\n", eq + 1, strerror(errno));
			return 1;
		}
		ent[hdr.count].flags = next_flags;
		next_flags = 0;
		hdr.count++;
	}

	off = sizeof(hdr) + hdr.count * sizeof(ent[0]);
	for (uint32_t i = 0; i < hdr.count; i++) {
		off = (off + BOOTARC_ALIGN - 1) & ~(uint64_t)(BOOTARC_ALIGN - 1);
		ent[i].offset = off;
		off += ent[i].size;
	}
	hdr.total_size = off;
	out = calloc(1, off);
	if (!out) {
		fprintf(stderr, "mkbootarc: out of memory\n");
		return 1;
	}
	memcpy(out, &hdr, sizeof(hdr));
	memcpy(out + sizeof(hdr), ent, hdr.count * sizeof(ent[0]));
	for (uint32_t i = 0; i < hdr.count; i++)
		memcpy(out + ent[i].offset, data[i], ent[i].size);

	err = bootarc_open(&check, out, off);
	if (err) {
		fprintf(stderr, "mkbootarc: %s\n", bootarc_strerror(err));
		return 1;
	}
	f = fopen(argv[1], "wb");
	if (!f || fwrite(out, 1, off, f) != off || fclose(f) != 0) {
		fprintf(stderr, "mkbootarc: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	return 0;
}
