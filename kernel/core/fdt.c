#include <fdt.h>

#define TOK_BEGIN_NODE 1u
#define TOK_END_NODE   2u
#define TOK_PROP       3u
#define TOK_NOP	       4u
#define TOK_END	       9u

struct blob {
	const uint8_t *p;
	uint32_t size;
	uint32_t off_struct, size_struct;
	uint32_t off_strings, size_strings;
};

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

uint32_t fdt_totalsize(const void *buf, size_t readable)
{
	if (readable < 8 || be32(buf) != FDT_MAGIC)
		return 0;
	return be32((const uint8_t *)buf + 4);
}

static int blob_open(struct blob *b, const void *buf, size_t readable)
{
	const uint8_t *h = buf;

	if (readable < 40)
		return readable >= 4 && be32(h) == FDT_MAGIC ? FDT_E_TRUNCATED
							     : FDT_E_MAGIC;
	if (be32(h) != FDT_MAGIC)
		return FDT_E_MAGIC;
	b->p = h;
	b->size = be32(h + 4);
	b->off_struct = be32(h + 8);
	b->off_strings = be32(h + 12);
	b->size_strings = be32(h + 32);
	b->size_struct = be32(h + 36);
	if (be32(h + 20) < 16)
		return FDT_E_VERSION;
	if (b->size > readable || b->size < 40)
		return FDT_E_TRUNCATED;
	if (b->off_struct > b->size || b->size_struct > b->size - b->off_struct ||
	    b->off_strings > b->size || b->size_strings > b->size - b->off_strings)
		return FDT_E_TRUNCATED;
	if (b->off_struct % 4 || b->size_struct % 4)
		return FDT_E_BADSTRUCT;
	return FDT_OK;
}

/* Whether the bytes at p, of which avail are readable, start with want;
 * *len <- its length. */
static bool starts_with(const uint8_t *p, uint32_t avail, const char *want, uint32_t *len)
{
	uint32_t i;

	for (i = 0; want[i]; i++)
		if (i >= avail || p[i] != (uint8_t)want[i])
			return false;
	*len = i;
	return true;
}

/* Whether the property name at nameoff in the strings block is want. */
static bool prop_is(const struct blob *b, uint32_t nameoff, const char *want)
{
	uint32_t avail, len;

	if (nameoff >= b->size_strings)
		return false;
	avail = b->size_strings - nameoff;
	return starts_with(b->p + b->off_strings + nameoff, avail, want, &len) &&
	       len < avail && b->p[b->off_strings + nameoff + len] == 0;
}

/* Whether a node name (len bytes, no NUL) is base, with or without a unit
 * address ("memory", "memory@40000000"). */
static bool node_is(const uint8_t *name, uint32_t namelen, const char *base)
{
	uint32_t len;

	return starts_with(name, namelen, base, &len) &&
	       (len == namelen || name[len] == '@');
}

static uint64_t read_cells(const uint8_t *p, uint32_t cells)
{
	uint64_t v = 0;

	for (uint32_t i = 0; i < cells; i++)
		v = v << 32 | be32(p + 4 * i);
	return v;
}

/* Walks the structure block. Depth 1 is the root's children. */
int fdt_memory(const void *buf, size_t readable, uint64_t *base, uint64_t *size)
{
	struct blob b;
	uint32_t pos, end, depth = 0, acells = 2, scells = 1;
	bool in_memory = false;
	int err = blob_open(&b, buf, readable);

	if (err)
		return err;
	pos = b.off_struct;
	end = b.off_struct + b.size_struct;
	while (pos + 4 <= end) {
		uint32_t tok = be32(b.p + pos);

		pos += 4;
		if (tok == TOK_BEGIN_NODE) {
			uint32_t start = pos;

			while (pos < end && b.p[pos])
				pos++;
			if (pos >= end)
				return FDT_E_BADSTRUCT;
			depth++;
			in_memory =
			    depth == 2 && node_is(b.p + start, pos - start, "memory");
			pos = (pos + 1 + 3) & ~3u;
		} else if (tok == TOK_END_NODE) {
			if (depth == 0)
				return FDT_E_BADSTRUCT;
			depth--;
			in_memory = false;
		} else if (tok == TOK_PROP) {
			uint32_t len, nameoff;
			const uint8_t *val;

			if (end - pos < 8)
				return FDT_E_BADSTRUCT;
			len = be32(b.p + pos);
			nameoff = be32(b.p + pos + 4);
			pos += 8;
			if (len > end - pos)
				return FDT_E_BADSTRUCT;
			val = b.p + pos;
			pos = (pos + len + 3) & ~3u;
			if (depth == 1 && len == 4 &&
			    prop_is(&b, nameoff, "#address-cells"))
				acells = be32(val);
			else if (depth == 1 && len == 4 &&
				 prop_is(&b, nameoff, "#size-cells"))
				scells = be32(val);
			else if (in_memory && prop_is(&b, nameoff, "reg")) {
				if (acells < 1 || acells > 2 || scells < 1 ||
				    scells > 2 || len < 4 * (acells + scells))
					return FDT_E_NOMEMORY;
				*base = read_cells(val, acells);
				*size = read_cells(val + 4 * acells, scells);
				if (*size == 0 || *base + *size < *base)
					return FDT_E_NOMEMORY;
				return FDT_OK;
			}
		} else if (tok == TOK_END) {
			break;
		} else if (tok != TOK_NOP) {
			return FDT_E_BADSTRUCT;
		}
	}
	return FDT_E_NOMEMORY;
}
