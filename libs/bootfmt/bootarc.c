#include <bootfmt/bootarc.h>

/* Freestanding: the kernel links this without a C library. */
static int name_eq(const char *a, const char *b)
{
	for (unsigned i = 0; i < BOOTARC_NAME_LEN; i++) {
		if (a[i] != b[i])
			return 0;
		if (a[i] == '\0')
			return 1;
	}
	return 1;
}

static int name_ok(const char *n)
{
	if (n[0] == '\0')
		return 0;
	for (unsigned i = 1; i < BOOTARC_NAME_LEN; i++)
		if (n[i] == '\0')
			return 1;
	return 0;
}

static const struct bootarc_entry *entry_at(const struct bootarc *arc, uint32_t i)
{
	const struct bootarc_entry *table =
	    (const struct bootarc_entry *)(arc->base + sizeof(struct bootarc_header));
	return &table[i];
}

int bootarc_open(struct bootarc *arc, const void *buf, uint64_t size)
{
	const struct bootarc_header *h = buf;
	struct bootarc probe;
	uint32_t roots = 0;

	if (size < sizeof(*h) || ((uintptr_t)buf & 7u) != 0)
		return BOOTARC_E_TRUNCATED;
	if (h->magic != BOOTARC_MAGIC)
		return BOOTARC_E_MAGIC;
	if (h->count > BOOTARC_MAX_ENTRY)
		return BOOTARC_E_COUNT;
	if (size < sizeof(*h) + (uint64_t)h->count * sizeof(struct bootarc_entry))
		return BOOTARC_E_TRUNCATED;
	/* The entry table is part of the archive: modules are bounded by
	 * total_size, and so is what describes them. */
	if (h->total_size > size ||
	    h->total_size <
		sizeof(*h) + (uint64_t)h->count * sizeof(struct bootarc_entry))
		return BOOTARC_E_SIZE;

	probe.base = buf;
	probe.size = h->total_size;
	probe.count = h->count;
	for (uint32_t i = 0; i < h->count; i++) {
		const struct bootarc_entry *e = entry_at(&probe, i);
		if (!name_ok(e->name))
			return BOOTARC_E_NAME;
		if (e->offset % BOOTARC_ALIGN != 0)
			return BOOTARC_E_ALIGN;
		if (e->offset > probe.size || e->size > probe.size - e->offset)
			return BOOTARC_E_BOUNDS;
		for (uint32_t j = 0; j < i; j++)
			if (name_eq(entry_at(&probe, j)->name, e->name))
				return BOOTARC_E_DUPLICATE;
		if (e->flags & BOOTARC_F_ROOT)
			roots++;
	}
	if (roots != 1)
		return BOOTARC_E_ROOT;
	*arc = probe;
	return BOOTARC_OK;
}

int bootarc_get(const struct bootarc *arc, uint32_t index, struct bootarc_module *mod)
{
	const struct bootarc_entry *e;

	if (index >= arc->count)
		return BOOTARC_E_NOT_FOUND;
	e = entry_at(arc, index);
	mod->name = e->name;
	mod->data = arc->base + e->offset;
	mod->size = e->size;
	mod->flags = e->flags;
	return BOOTARC_OK;
}

int bootarc_find(const struct bootarc *arc, const char *name, struct bootarc_module *mod)
{
	for (uint32_t i = 0; i < arc->count; i++)
		if (name_eq(entry_at(arc, i)->name, name))
			return bootarc_get(arc, i, mod);
	return BOOTARC_E_NOT_FOUND;
}

int bootarc_root(const struct bootarc *arc, struct bootarc_module *mod)
{
	for (uint32_t i = 0; i < arc->count; i++)
		if (entry_at(arc, i)->flags & BOOTARC_F_ROOT)
			return bootarc_get(arc, i, mod);
	return BOOTARC_E_ROOT;
}

const char *bootarc_strerror(int err)
{
	switch (err) {
	case BOOTARC_OK:
		return "ok";
	case BOOTARC_E_TRUNCATED:
		return "archive truncated or misaligned";
	case BOOTARC_E_MAGIC:
		return "bad archive magic";
	case BOOTARC_E_COUNT:
		return "too many modules";
	case BOOTARC_E_SIZE:
		return "archive size mismatch";
	case BOOTARC_E_NAME:
		return "bad module name";
	case BOOTARC_E_BOUNDS:
		return "module outside the archive";
	case BOOTARC_E_ALIGN:
		return "module not page-aligned";
	case BOOTARC_E_DUPLICATE:
		return "duplicate module name";
	case BOOTARC_E_ROOT:
		return "not exactly one root module";
	case BOOTARC_E_NOT_FOUND:
		return "no such module";
	}
	return "unknown error";
}
