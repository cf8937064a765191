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

/* One property as the walk meets it; depth 1 is the root, 2 its children. */
struct prop {
	const struct blob *b;
	uint32_t depth;
	bool in_memory, in_chosen; /* directly in /memory[@...] or /chosen */
	uint32_t nameoff, len;
	const uint8_t *val;
};

/* A visitor returns 0 to go on, 1 to stop the walk with FDT_OK, or an
 * error, which stops it with that error. */
typedef int visitor(const struct prop *p, void *arg);

/* Walks the structure block, every property to fn. */
static int walk(const void *buf, size_t readable, visitor *fn, void *arg)
{
	struct blob b;
	struct prop p = {.b = &b};
	uint32_t pos, end;
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
			p.depth++;
			p.in_memory =
			    p.depth == 2 && node_is(b.p + start, pos - start, "memory");
			p.in_chosen =
			    p.depth == 2 && node_is(b.p + start, pos - start, "chosen");
			pos = (pos + 1 + 3) & ~3u;
		} else if (tok == TOK_END_NODE) {
			if (p.depth == 0)
				return FDT_E_BADSTRUCT;
			p.depth--;
			p.in_memory = p.in_chosen = false;
		} else if (tok == TOK_PROP) {
			if (end - pos < 8)
				return FDT_E_BADSTRUCT;
			p.len = be32(b.p + pos);
			p.nameoff = be32(b.p + pos + 4);
			pos += 8;
			if (p.len > end - pos)
				return FDT_E_BADSTRUCT;
			p.val = b.p + pos;
			pos = (pos + p.len + 3) & ~3u;
			err = fn(&p, arg);
			if (err)
				return err > 0 ? FDT_OK : err;
		} else if (tok == TOK_END) {
			break;
		} else if (tok != TOK_NOP) {
			return FDT_E_BADSTRUCT;
		}
	}
	return FDT_OK;
}

struct memory {
	uint32_t acells, scells;
	uint64_t *base, *size;
	bool found;
};

static int visit_memory(const struct prop *p, void *arg)
{
	struct memory *m = arg;

	if (p->depth == 1 && p->len == 4 && prop_is(p->b, p->nameoff, "#address-cells"))
		m->acells = be32(p->val);
	else if (p->depth == 1 && p->len == 4 && prop_is(p->b, p->nameoff, "#size-cells"))
		m->scells = be32(p->val);
	else if (p->in_memory && prop_is(p->b, p->nameoff, "reg")) {
		if (m->acells < 1 || m->acells > 2 || m->scells < 1 || m->scells > 2 ||
		    p->len < 4 * (m->acells + m->scells))
			return FDT_E_NOMEMORY;
		*m->base = read_cells(p->val, m->acells);
		*m->size = read_cells(p->val + 4 * m->acells, m->scells);
		if (*m->size == 0 || *m->base + *m->size < *m->base)
			return FDT_E_NOMEMORY;
		m->found = true;
		return 1;
	}
	return 0;
}

int fdt_memory(const void *buf, size_t readable, uint64_t *base, uint64_t *size)
{
	struct memory m = {2, 1, base, size, false};
	int err = walk(buf, readable, visit_memory, &m);

	return err ? err : m.found ? FDT_OK : FDT_E_NOMEMORY;
}

/* A string property is one NUL-terminated string: with a NUL inside, all
 * after it would be lost to whoever reads it as a C string. */
static bool one_string(const struct prop *p)
{
	for (uint32_t i = 0; i + 1 < p->len; i++)
		if (!p->val[i])
			return false;
	return p->len && !p->val[p->len - 1];
}

static int visit_chosen(const struct prop *p, void *arg)
{
	struct fdt_chosen *c = arg;

	if (!p->in_chosen)
		return 0;
	if (prop_is(p->b, p->nameoff, "bootargs") && one_string(p)) {
		c->bootargs = (const char *)p->val;
		c->bootargs_len = p->len - 1;
	} else if (prop_is(p->b, p->nameoff, "rng-seed") && p->len) {
		c->rng_seed = p->val;
		c->rng_seed_len = p->len;
	} else if (prop_is(p->b, p->nameoff, "kaslr-seed") && p->len == 8) {
		c->kaslr_seed = p->val;
	}
	return 0;
}

int fdt_chosen(const void *buf, size_t readable, struct fdt_chosen *c)
{
	*c = (struct fdt_chosen){0};
	return walk(buf, readable, visit_chosen, c);
}
