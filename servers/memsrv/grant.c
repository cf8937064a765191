/*
 * Grants: the mappings memsrv makes for clients. Each is a frame capability
 * minted from memsrv's original with the granted rights and mapped in the
 * client's VSpace with its ownership tag; deleting it unmaps it (the kernel
 * does that), and revoking it first takes every copy with it, so the table
 * below is the whole list of what any client, or the kernel for it, can
 * reach. The table is an open-addressed hash on (page, client) in memsrv's
 * metadata area, 24 bytes a grant.
 */
#include <stdio.h>
#include <string.h>
#include "memsrv.h"

static struct grant *table;
static uint64_t cap_mask, nused;

void grant_init(void *mem, uint64_t bytes)
{
	uint64_t n = 1;

	while (n * 2 * sizeof(struct grant) <= bytes)
		n *= 2;
	table = mem;
	cap_mask = n - 1;
	memset(table, 0, n * sizeof(struct grant));
}

static uint64_t hash(unsigned client, uint64_t page)
{
	return ((page * 64 + client) * 0x9e3779b97f4a7c15ULL >> 20) & cap_mask;
}

/* The key a page's grant is filed under: a block's first page. */
static uint64_t key_page(uint64_t page)
{
	return pool_chunk(page)->state == CH_BLOCK ? page & ~(uint64_t)(CHUNK_PAGES - 1)
						   : page;
}

struct grant *grant_find(unsigned client, uint64_t page)
{
	uint64_t k = key_page(page);

	for (uint64_t i = hash(client, k);; i = (i + 1) & cap_mask) {
		struct grant *g = &table[i];

		if (!(g->flags & G_USED))
			return NULL;
		if (g->page == k && g->client == client)
			return g;
	}
}

uint64_t grant_free_entries(void)
{
	/* Keep the table at most three quarters full: probes stay short. */
	uint64_t limit = (cap_mask + 1) / 4 * 3;

	return nused < limit ? limit - nused : 0;
}

/* The tables a map made, the last one the deepest (septa_frame_map_with_tables
 * makes them top down). */
struct table_log {
	uint64_t last;
	unsigned made;
};

static uint64_t new_table(void *arg)
{
	struct table_log *log = arg;
	uint64_t pt = ptab_new();

	log->last = pt;
	log->made += pt != 0;
	return pt;
}

static void drop_table(void *arg, uint64_t pt)
{
	(void)arg;
	ptab_spare(pt); /* never linked: it serves the next map */
}

static long map_cap_level(uint64_t s, uint64_t vspace, uint64_t ipa, unsigned rights,
			  unsigned tag, unsigned *level)
{
	struct table_log log = {0, 0};
	const struct septa_table_source tables = {new_table, drop_table, &log};
	struct septa_no_table nt = {0, 0};
	long err = septa_frame_map_with_tables(s, vspace, ipa, rights, tag, &tables, &nt);

	*level = nt.level;
	/* The tables went in from the empty entry at nt.level down: the last
	 * holds last-level entries when they reach level 3 (a 4 KiB page's). */
	if (!err && log.made && nt.missing && nt.level + nt.missing == 3)
		ptab_note(vspace, ipa, log.last);
	return err;
}

static long map_cap(uint64_t s, uint64_t vspace, uint64_t ipa, unsigned rights,
		    unsigned tag)
{
	unsigned level;
	long err = map_cap_level(s, vspace, ipa, rights, tag, &level);

	/* The callers checked and reserved everything this needs. */
	if (err)
		printf("memsrv: BUG: cannot map at %#llx (error %ld, level %u)\n",
		       (unsigned long long)ipa, err, level);
	return err;
}

uint64_t map_frame(uint64_t frame, uint64_t vspace, uint64_t ipa, unsigned rights,
		   unsigned tag)
{
	uint64_t s = cs_alloc(1);
	unsigned capr = SEPTA_RIGHT_READ | (rights & MEMSRV_W ? SEPTA_RIGHT_WRITE : 0);
	long err =
	    s ? septa_cnode_mint(cs_top, s, CS_DEPTH, cs_top, frame, CS_DEPTH, capr, 0)
	      : SEPTA_E_NO_MEMORY;

	if (err)
		printf("memsrv: BUG: no capability for frame %#llx (error %ld)\n",
		       (unsigned long long)frame, err);
	else if (!map_cap(s, vspace, ipa, rights, tag))
		return s;
	if (s)
		cs_delete(s);
	return 0;
}

/* The record alone: mapped (G_MAPPED) once its slot's capability is. */
static struct grant *grant_add(unsigned client, uint64_t page, bool block, uint64_t ipa,
			       unsigned rights, unsigned tag, uint64_t s)
{
	uint64_t i;

	for (i = hash(client, page); table[i].flags & G_USED; i = (i + 1) & cap_mask)
		;
	table[i] = (struct grant){
	    .page = (uint32_t)page,
	    .client = (uint8_t)client,
	    .rights = (uint8_t)rights,
	    .tag = (uint8_t)tag,
	    /* A map that failed (a BUG, logged) is not
	     * recorded as mapped: the audit reports it,
	     * and no unmap deletes slot 0. */
	    .flags = (uint8_t)(G_USED | (s ? G_MAPPED : 0) | (block ? G_BLOCK : 0)),
	    .slot = (uint32_t)s,
	    .ipa = ipa};
	nused++;
	return &table[i];
}

struct grant *grant_map(unsigned client, uint64_t page, bool block, uint64_t ipa,
			unsigned rights, unsigned tag)
{
	/* A table a page left there would make the block 512 page entries. */
	if (block)
		ptab_clear_for_block(clients[client].vspace, ipa);
	return grant_add(
	    client, page, block, ipa, rights, tag,
	    map_frame(pool_frame(page), clients[client].vspace, ipa, rights, tag));
}

/* The copy and its map in one kernel call, where the page's last-level
 * table is there (VSPACE_MAP_FRAMES of one: it checks everything first and
 * changes nothing when it refuses). */
static long copy_and_map(uint64_t s, uint64_t vs, uint64_t page, uint64_t ipa,
			 unsigned rights, unsigned tag)
{
	uint64_t src = pool_frame(page);

	return septa_vspace_map_frames(
	    vs, cs_top, src >> CS_SUB_BITS, CS_SLOT_DEPTH, src & (CS_SUB_SLOTS - 1),
	    s >> CS_SUB_BITS, CS_SLOT_DEPTH, s & (CS_SUB_SLOTS - 1), 1, ipa, rights, tag);
}

long grant_map_unchecked(unsigned client, uint64_t page, uint64_t ipa, unsigned rights,
			 unsigned tag)
{
	uint64_t s = cs_alloc(1), vs = clients[client].vspace;
	unsigned capr = SEPTA_RIGHT_READ | (rights & MEMSRV_W ? SEPTA_RIGHT_WRITE : 0);
	unsigned level;
	long err = s ? copy_and_map(s, vs, page, ipa, rights, tag) : SEPTA_E_NO_MEMORY;

	if (err == SEPTA_OK) {
		grant_add(client, page, false, ipa, rights, tag, s);
		return SEPTA_OK;
	}
	if (err == SEPTA_E_DELETE_FIRST || err == SEPTA_E_RANGE) {
		cs_free(s, 1); /* refused: the slot stayed empty */
		return err;
	}
	/* Any other refusal (a VSpace its server took away is no VSpace any
	 * more): the address query's answer, as for many pages, if it has
	 * one; else the BUG below. */
	if (s && err != SEPTA_E_NO_TABLE) {
		int at = ipa_check_free(vs, ipa, SEPTA_PAGE_SIZE);

		if (at) {
			cs_free(s, 1);
			return at == MEMSRV_E_IPA_BUSY ? SEPTA_E_DELETE_FIRST
						       : SEPTA_E_RANGE;
		}
	}
	/* No table there (or a BUG, which the two calls log): the capability
	 * first, then its map with the tables it needs. */
	err = s ? septa_cnode_mint(cs_top, s, CS_DEPTH, cs_top, pool_frame(page),
				   CS_DEPTH, capr, 0)
		: SEPTA_E_NO_MEMORY;

	if (err) {
		printf("memsrv: BUG: no capability for page %#llx (error %ld)\n",
		       (unsigned long long)page, err);
	} else {
		err = map_cap_level(s, vs, ipa, rights, tag, &level);
		if (err == SEPTA_E_DELETE_FIRST || err == SEPTA_E_RANGE) {
			/* Refused before anything changed: no table made. */
			cs_delete(s);
			return err;
		}
		if (!err) {
			grant_add(client, page, false, ipa, rights, tag, s);
			return SEPTA_OK;
		}
		printf("memsrv: BUG: cannot map at %#llx (error %ld, level %u)\n",
		       (unsigned long long)ipa, err, level);
	}
	/* As grant_map's BUG: recorded unmapped, for the audit. */
	if (s)
		cs_delete(s);
	grant_add(client, page, false, ipa, rights, tag, 0);
	return SEPTA_OK;
}

/*
 * Grants of 4 KiB pages made a run at a time: consecutive frames of one
 * chunk copied into consecutive slots and mapped at consecutive
 * addresses of one 2 MiB, with one VSPACE_MAP_FRAMES for the run instead
 * of a mint and a map a page. The kernel call wants the last-level table
 * there: where it is missing, the run's first page is granted alone with
 * its tables and the rest goes as a run after it. Anything else refused
 * (a BUG) goes page by page as before, each failure logged.
 */
static void batch_one(struct grant_batch *b, unsigned i)
{
	struct grant *g = b->g[i];
	unsigned capr = SEPTA_RIGHT_READ | (g->rights & MEMSRV_W ? SEPTA_RIGHT_WRITE : 0);
	long err = septa_cnode_mint(cs_top, b->dst + i, CS_DEPTH, cs_top, b->src + i,
				    CS_DEPTH, capr, 0);

	if (err)
		printf("memsrv: BUG: no capability for frame %#llx (error %ld)\n",
		       (unsigned long long)(b->src + i), err);
	else if (!map_cap(b->dst + i, clients[g->client].vspace, g->ipa, g->rights,
			  g->tag)) {
		g->flags |= G_MAPPED;
		return;
	}
	cs_delete(b->dst + i);
	g->slot = 0;
}

static long batch_run(const struct grant_batch *b, unsigned from)
{
	uint64_t s = b->src + from, d = b->dst + from;
	const struct grant *g = b->g[from];

	return septa_vspace_map_frames(
	    clients[g->client].vspace, cs_top, s >> CS_SUB_BITS, CS_SLOT_DEPTH,
	    s & (CS_SUB_SLOTS - 1), d >> CS_SUB_BITS, CS_SLOT_DEPTH,
	    d & (CS_SUB_SLOTS - 1), b->n - from, g->ipa, g->rights, g->tag);
}

void grant_batch_flush(struct grant_batch *b)
{
	unsigned from = 0;
	long err;

	if (!b->n)
		return;
	err = batch_run(b, 0);
	if (err == SEPTA_E_NO_TABLE) {
		batch_one(b, 0);
		from = 1;
		err = from < b->n ? batch_run(b, from) : SEPTA_OK;
	}
	for (unsigned i = from; i < b->n; i++)
		if (err)
			batch_one(b, i);
		else
			b->g[i]->flags |= G_MAPPED;
	b->n = 0;
}

void grant_batch_add(struct grant_batch *b, struct grant *g)
{
	uint64_t src = pool_frame(g->page), dst = cs_alloc(1);
	const struct grant *h = b->n ? b->g[0] : NULL;

	if (h && (h->client != g->client || h->rights != g->rights || h->tag != g->tag ||
		  src != b->src + b->n || dst != b->dst + b->n ||
		  g->ipa != h->ipa + b->n * SEPTA_PAGE_SIZE ||
		  b->n == SEPTA_MAP_FRAMES_MAX || !(src & (CS_SUB_SLOTS - 1)) ||
		  !(dst & (CS_SUB_SLOTS - 1)) || !(g->ipa % CHUNK_SIZE)))
		grant_batch_flush(b);
	g->flags &= (uint8_t)~G_MAPPED;
	g->slot = (uint32_t)dst;
	if (!dst) {
		/* Reserved ahead: a BUG, and the audit reports the grant. */
		printf("memsrv: BUG: no slot for a grant at %#llx\n",
		       (unsigned long long)g->ipa);
		return;
	}
	if (!b->n) {
		b->src = src;
		b->dst = dst;
	}
	b->g[b->n++] = g;
}

void grant_batch_new(struct grant_batch *b, unsigned client, uint64_t page, uint64_t ipa,
		     unsigned rights, unsigned tag)
{
	grant_batch_add(b, grant_add(client, page, false, ipa, rights, tag, 0));
}

/* A VSpace its server deleted (memsrv's copy went with its revoke): the
 * kernel took its mappings with it, so nothing is left to unmap or retag
 * there, and a refusal of that is the client's doing, no BUG. The copy is
 * read-only and only ever a VSpace, so the query cannot block. */
static bool vspace_gone(uint64_t vspace)
{
	uint64_t q[4];

	return septa_vspace_query(vspace, 0, q) != SEPTA_OK;
}

void grant_unmap_run(uint64_t vspace, uint64_t first, unsigned n)
{
	long err =
	    septa_vspace_unmap_frames(vspace, cs_top, first >> CS_SUB_BITS, CS_SLOT_DEPTH,
				      first & (CS_SUB_SLOTS - 1), n);

	/* Every slot holds a capability memsrv mapped there: the deletion
	 * that follows would still unmap what this did not. */
	if (err && !vspace_gone(vspace))
		printf("memsrv: BUG: cannot unmap %u frames at slot %#llx (error %ld)\n",
		       n, (unsigned long long)first, err);
}

/*
 * The client's right to the page ends here (free, lend, donate, unshare).
 * Its capability may have copies the kernel holds: a server's IPC buffer
 * is bound into its TCB through one (spawn.c). Revoking first deletes
 * every such copy, so the kernel stops using the page before memsrv can
 * hand it to anyone else; deleting alone would leave the copies, under
 * the pool's frame, pointing at the next owner's page.
 */
void grant_unmap(struct grant *g)
{
	if (!(g->flags & G_MAPPED))
		return;
	/* A block over last-level tables is 512 entries, which deleting its
	 * capability removes 4 a unit, each unit with its own TLB
	 * invalidation; unmapped first, it goes with one. */
	if (g->flags & G_BLOCK)
		grant_unmap_run(clients[g->client].vspace, g->slot, 1);
	septa_cnode_revoke(cs_top, g->slot, CS_DEPTH);
	cs_delete(g->slot);
	g->flags &= (uint8_t)~G_MAPPED;
	g->slot = 0;
}

/* A new tag, the same right: the capability (and what the kernel holds
 * through it) stays, only its mapping is made again. */
void grant_remap(struct grant *g, unsigned tag)
{
	g->tag = (uint8_t)tag;
	if (g->flags & G_MAPPED) {
		septa_frame_unmap(g->slot);
		if (!map_cap(g->slot, clients[g->client].vspace, g->ipa, g->rights, tag))
			return;
		grant_unmap(g); /* a BUG, logged: the audit reports it */
		return;
	}
	g->slot = (uint32_t)map_frame(pool_frame(g->page), clients[g->client].vspace,
				      g->ipa, g->rights, tag);
	if (g->slot)
		g->flags |= G_MAPPED;
}

/*
 * A new tag on many grants' mappings in place (share and unshare change
 * the owner's view, OWNED <-> SHARED_OWNED): the grants' capabilities and
 * rights stay, and consecutive slots of one CNode go in one
 * VSPACE_RETAG_FRAMES instead of an unmap and a map each.
 */
void grant_run_flush(struct grant_run *r)
{
	long err;

	if (!r->n)
		return;
	err = septa_vspace_retag_frames(r->vspace, cs_top, r->first >> CS_SUB_BITS,
					CS_SLOT_DEPTH, r->first & (CS_SUB_SLOTS - 1),
					r->n, r->tag);
	/* Every slot holds a capability memsrv mapped there: the audit
	 * reports what this did not retag. */
	if (err && !vspace_gone(r->vspace))
		printf("memsrv: BUG: cannot retag %u frames at slot %#llx (error %ld)\n",
		       r->n, (unsigned long long)r->first, err);
	r->n = 0;
}

static void run_add(struct grant_run *r, struct grant *g, unsigned tag)
{
	uint64_t vs = clients[g->client].vspace;

	if (r->n &&
	    (r->vspace != vs || r->tag != tag || g->slot != r->first + r->n ||
	     (g->slot & (CS_SUB_SLOTS - 1)) == 0 || r->n == SEPTA_UNMAP_FRAMES_MAX))
		grant_run_flush(r);
	if (!r->n)
		*r = (struct grant_run){vs, g->slot, 0, tag};
	r->n++;
}

void grant_retag(struct grant_run *r, struct grant *g, unsigned tag)
{
	if (!(g->flags & G_MAPPED)) {
		/* Only after a BUG (a map that failed): mapped afresh. */
		grant_remap(g, tag);
		return;
	}
	g->tag = (uint8_t)tag;
	run_add(r, g, tag);
}

/*
 * The end of many grants' rights (unshare, lend, reclaim): their
 * capabilities deleted a run of consecutive slots at a time with one
 * VSPACE_DELETE_FRAMES instead of a revoke and a delete each. The kernel
 * refuses a run in which any capability has copies (a server's bound IPC
 * buffer: see grant_unmap), and then those grants go one by one, revoked
 * first, as before: no copy outlives a right either way. Records stay
 * (flags and slot cleared); grant_drop or grant_unmap of them after the
 * flush has no capability left to delete.
 */
void grant_delete_flush(struct grant_drops *d)
{
	if (!d->n)
		return;
	if (septa_vspace_delete_frames(d->vspace, cs_top, d->first >> CS_SUB_BITS,
				       CS_SLOT_DEPTH, d->first & (CS_SUB_SLOTS - 1),
				       d->n) == SEPTA_OK) {
		cs_free(d->first, d->n);
		for (unsigned i = 0; i < d->n; i++) {
			d->g[i]->flags &= (uint8_t)~G_MAPPED;
			d->g[i]->slot = 0;
		}
	}
	d->n = 0;
}

void grant_delete_add(struct grant_drops *d, struct grant *g)
{
	uint64_t vs = clients[g->client].vspace;

	/* A block goes on its own, unmapped as a run of one (grant_unmap). */
	if ((g->flags & (G_MAPPED | G_BLOCK)) != G_MAPPED)
		return;
	if (d->n && (d->vspace != vs || g->slot != d->first + d->n ||
		     !(g->slot & (CS_SUB_SLOTS - 1)) || d->n == SEPTA_UNMAP_FRAMES_MAX))
		grant_delete_flush(d);
	if (!d->n) {
		d->vspace = vs;
		d->first = g->slot;
	}
	d->g[d->n++] = g;
}

/* Deletion with backward shift: later entries of the probe run move up so
 * that lookups never stop early at the hole. */
void grant_drop(struct grant *g)
{
	uint64_t hole = (uint64_t)(g - table), i = hole;

	grant_unmap(g);
	table[hole].flags = 0;
	nused--;
	for (;;) {
		uint64_t home;

		i = (i + 1) & cap_mask;
		if (!(table[i].flags & G_USED))
			return;
		home = hash(table[i].client, table[i].page);
		/* Move it if its home is not in (hole, i] cyclically. */
		if (((i - home) & cap_mask) >= ((i - hole) & cap_mask)) {
			table[hole] = table[i];
			table[i].flags = 0;
			hole = i;
		}
	}
}

/* One VSPACE_QUERY_EXTENT a run of unmapped entries the kernel reads in a
 * call (512): a free 2 MiB is one or two calls. Each bad input has its own
 * error, found before any call: the loop runs on a range that is whole
 * pages and does not wrap, and each call moves it on by a page at least. */
int ipa_check_free(uint64_t vspace, uint64_t ipa, uint64_t size)
{
	uint64_t end = ipa + size, a = ipa;

	if (ipa % SEPTA_PAGE_SIZE)
		return MEMSRV_E_ALIGN;
	if (size % SEPTA_PAGE_SIZE)
		return MEMSRV_E_ARG;
	if (size == 0)
		return MEMSRV_E_RANGE;
	if (end < ipa)
		return MEMSRV_E_IPA_RANGE;
	while (a < end) {
		uint64_t extent, mapped;
		long err =
		    septa_vspace_query_extent(vspace, a, end - a, &extent, &mapped);

		if (err || extent == 0 || extent > end - a)
			return MEMSRV_E_IPA_RANGE;
		if (mapped)
			return MEMSRV_E_IPA_BUSY;
		a += extent;
	}
	return MEMSRV_OK;
}

static void diff(struct memsrv_audit *out, unsigned kind, unsigned client, uint64_t ipa)
{
	if (!out->differences++) {
		out->kind = kind;
		out->client = client;
		out->ipa = ipa;
	}
	printf("memsrv: audit: client %u (%s) at %#llx: difference %u\n", client,
	       clients[client].name, (unsigned long long)ipa, kind);
}

/* Every grant against the kernel's view of its mapping. */
static void audit_grants(struct memsrv_audit *out)
{
	for (uint64_t i = 0; i <= cap_mask; i++) {
		struct grant *g = &table[i];
		struct own_kernel_view k;
		uint64_t q[4] = {0};
		enum own_audit r;

		if (!(g->flags & G_USED))
			continue;
		septa_vspace_query(clients[g->client].vspace, g->ipa, q);
		k = (struct own_kernel_view){q[0], (unsigned)q[2], (unsigned)q[3]};
		r = own_audit_mapping(own_query(&pool.db, g->client, g->page),
				      pool.base + g->page * SEPTA_PAGE_SIZE, g->rights,
				      &k);
		if (r == OWN_AUDIT_OK &&
		    own_view_tag(own_query(&pool.db, g->client, g->page)) >= 0 &&
		    !(g->flags & G_MAPPED))
			r = OWN_AUDIT_MISSING; /* the kernel maps what memsrv let go */
		out->checked++;
		if (r != OWN_AUDIT_OK)
			diff(out, r, g->client, g->ipa);
	}
}

/* A server's own Untyped is its to map (and so for the VSpaces it
 * registered): frames it makes from it are no one else's memory. */
static bool own_untyped(unsigned c, uint64_t pa)
{
	unsigned s = clients[c].parent ? clients[c].parent : c;

	return clients[s].ut_pa &&
	       pa - clients[s].ut_pa < (1ULL << MEMSRV_SERVER_UNTYPED_BITS);
}

/* Every mapping of RAM in a client's VSpace is a grant at that address or
 * lies in the client's own Untyped; anything else is stray. */
static void audit_vspace(struct memsrv_audit *out, unsigned c)
{
	uint64_t q[4], a = 0;

	while (septa_vspace_query(clients[c].vspace, a, q) == SEPTA_OK) {
		uint64_t g = septa_level_size((unsigned)q[1]);

		if (q[0] >= pool.ram_base && q[0] < pool.ram_end &&
		    !own_untyped(c, q[0])) {
			bool in_pool = q[0] >= pool.base &&
				       q[0] - pool.base < pool.pages * SEPTA_PAGE_SIZE;
			uint64_t page = (q[0] - pool.base) / SEPTA_PAGE_SIZE;
			struct grant *gr = in_pool ? grant_find(c, page) : NULL;
			uint64_t off = gr ? (page - gr->page) * SEPTA_PAGE_SIZE : 0;

			out->checked++;
			if (!gr || !(gr->flags & G_MAPPED) || gr->ipa + off != a)
				diff(out, MEMSRV_AUDIT_STRAY, c, a);
		}
		if (a + g < a)
			break;
		a = (a & ~(g - 1)) + g;
	}
}

void audit_run(struct memsrv_audit *out)
{
	_Static_assert(MEMSRV_AUDIT_STALE == (int)OWN_AUDIT_STALE, "kinds agree");
	*out = (struct memsrv_audit){0};
	audit_grants(out);
	for (unsigned c = 1; c < MEMSRV_MAX_CLIENTS; c++)
		if (clients[c].vspace)
			audit_vspace(out, c);
}
