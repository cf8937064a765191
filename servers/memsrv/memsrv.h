/*
 * memsrv's internal interfaces. memsrv runs two threads in one address
 * space: the root task's first thread (which alone may power the machine
 * off) and the server thread, whose CSpace is two levels deep so that the
 * hundreds of thousands of frame capabilities it keeps can be invoked
 * directly (docs/ownership.md, "memsrv's capabilities").
 */
#pragma once
#include <septa/ipc.h>
#include <septa/memsrv.h>
#include <septa/syscall.h>
#include <stdbool.h>
#include <stdint.h>
#include "own.h"

#define CHUNK_PAGES 512u /* a chunk is 2 MiB: the unit frames are made in */
#define CHUNK_SIZE  (CHUNK_PAGES * SEPTA_PAGE_SIZE)

/*
 * The server thread's CSpace: a top CNode of 2^8 slots with a 44-bit guard;
 * slot 0 holds the root CNode (guard 0), so the root task's small cptrs mean
 * the same; slot k > 0 holds a CNode of 2^12 slots, cptr k << 12 | i.
 */
#define CS_TOP_BITS	  8u
#define CS_TOP_GUARD	  44u
#define CS_SUB_BITS	  12u
#define CS_SUBS		  (1u << CS_TOP_BITS)
#define CS_SUB_SLOTS	  (1u << CS_SUB_BITS)
#define CS_DEPTH	  64u
#define ALIGN_UP_P2(x, a) (((x) + (a)-1) & ~((uint64_t)(a)-1))
#define CS_SLOT_DEPTH	  (CS_TOP_GUARD + CS_TOP_BITS) /* names a slot of the top CNode */

/* memsrv's own address space beyond what the kernel set up. */
#define MS_META_IPA    0x40000000ULL /* the database and the grant table */
#define MS_SCRATCH_IPA 0x80000000ULL /* one page at a time, to fill or zero it */
/* The idle thread's IPC buffer: recorded, never mapped (idle.c). */
#define MS_IDLE_BUFFER_IPA (MS_SCRATCH_IPA + SEPTA_PAGE_SIZE)

extern uint64_t cs_top; /* root-CNode slot of the top CNode (root of CNode calls) */

void cs_init(uint64_t top_slot, uint64_t bootstrap_ut, uint64_t ut_paddr,
	     unsigned ut_bits);
/* A free slot, or a free aligned run of n (a power of two, at most 4096);
 * 0 when memsrv is out of memory for CNodes. */
uint64_t cs_alloc(unsigned n);
void cs_free(uint64_t cptr, unsigned n);
/* Deletes the capability in a slot of cs_alloc(1) and frees the slot. */
void cs_delete(uint64_t cptr);
/* Makes sure n slots can be had without failing; cs_reserved: whether
 * they can be already (nothing changes). */
bool cs_reserve(unsigned n);
bool cs_reserved(unsigned n);
/* Retypes one kernel object from memsrv's own memory into a fresh slot. */
uint64_t kobj_new(unsigned type, unsigned size_bits);
/* The same into a slot of the root CNode (for the first thread); false if
 * it worked (the convention of the kernel calls). */
bool kobj_new_at(unsigned type, unsigned size_bits, uint64_t root_slot);
bool kobj_reserve(unsigned pages);
bool kobj_reserved(unsigned pages);
/* A thread memsrv starts: configured, at prio with MCP prio, running
 * pc with sp and x0. */
struct thread_spec {
	uint64_t fault_ep, cspace, vspace, buffer_frame, buffer_ipa;
	uint64_t pc, sp, x0;
	unsigned prio;
};
long thread_start(uint64_t tcb, const struct thread_spec *t);
void kobj_add_source(uint64_t ut, uint64_t paddr, unsigned bits);
/* The physical address of the object kobj_new made last. */
uint64_t kobj_last_paddr(void);
void serve_count_server(void);

/* Chunks: 2 MiB of RAM, an Untyped until frames are made from it. */
enum chunk_state { CH_NONE = 0, CH_FREE, CH_KOBJ, CH_PAGES, CH_BLOCK };
struct chunk {
	uint64_t ut;	 /* the chunk's Untyped */
	uint64_t frames; /* CH_PAGES: first of 512 frame slots; CH_BLOCK: the frame */
	uint16_t used;	 /* CH_PAGES: pages handed out */
	uint8_t state;
};

struct pool {
	uint64_t base; /* physical address of page 0, 2 MiB aligned */
	uint64_t pages;
	uint64_t nchunks;
	uint64_t ram_base, ram_end; /* all of RAM, for the audit */
	struct chunk *chunks;
	struct own_db db;
};
extern struct pool pool;

/* Takes over the boot info's RAM Untypeds of 2 MiB or more, except
 * bi->untyped[boot_ut], which memsrv's CSpace was built from. */
int pool_init(const struct septa_bootinfo *bi, unsigned boot_ut);
static inline struct chunk *pool_chunk(uint64_t page)
{
	return &pool.chunks[page / CHUNK_PAGES];
}
/* The original frame capability of a page (4 KiB) or of its block. */
uint64_t pool_frame(uint64_t page);
uint64_t pool_free_pages(void);
/* Makes frames for pages just allocated: 4 KiB frames, or blocks. */
void pool_populate(uint64_t first, uint64_t n, bool blocks);
/* Pages just freed: zeroes them, and returns whole chunks to Untyped. */
void pool_release(uint64_t first, uint64_t n);
/* A page pool_populate made a frame for and nobody had since (the ready
 * pool's): out of its chunk's count, with no zeroing; the chunk back to
 * Untyped if that was its last. */
void pool_unpopulate(uint64_t page);
bool pool_reserve(uint64_t n, bool blocks);
bool pool_reserved(uint64_t n);
/* Maps a page into memsrv at MS_SCRATCH_IPA for fn; used to fill or zero. */
void pool_with_page(uint64_t page, void (*fn)(void *page, void *arg), void *arg);

/* The ready pool (idle.c, ready.h): pages memsrv made frames of ahead of
 * a fault, refilled by idle_refill when nothing else runs.
 * idle_alloc_page: one page, first fit (*pooled: from the pool, a frame
 * already); idle_freed: pages went back to the index, the refill woken
 * if the pool is low; idle_untake: back, unmapped;
 * idle_alloc: own_alloc that drains the pool rather than fail;
 * idle_audit: the pool's pages checked into an audit. */
unsigned idle_pooled(void);
int idle_alloc_page(unsigned client, uint64_t *page, bool *pooled);
void idle_freed(void);
void idle_untake(uint64_t page);
int idle_alloc(unsigned client, uint64_t n, uint64_t align, uint64_t *first);
bool idle_refill(void);
void idle_audit(struct memsrv_audit *out);
/* Starts the idle thread, which calls on ep with the CTRL_IDLE badge. */
int idle_start(uint64_t ep);

/* A grant: one mapping memsrv made for a client, by a minted frame cap. */
#define G_USED	 1u
#define G_MAPPED 2u /* the capability exists (not while the page is lent) */
#define G_BLOCK	 4u /* a 2 MiB block; page is the chunk's first */
struct grant {
	uint32_t page;
	uint8_t client;
	uint8_t rights; /* MEMSRV_R/W/X */
	uint8_t tag;	/* enum septa_owner */
	uint8_t flags;
	uint32_t slot; /* the minted, mapped capability */
	uint32_t pad;
	uint64_t ipa;
};

/* A client's consent to pages from one other client at [ipa, end). */
#define CLIENT_WINDOWS 8u
struct window {
	uint64_t ipa, end;
	uint8_t from;
	bool used;
};

struct client {
	/* The most pages it may own, its sub-clients' included, and how many
	 * more it may come to own (the quota less what it owns: one load and
	 * one compare on every ALLOC). */
	uint64_t quota_pages, room_pages;
	uint8_t subs, quota_subs; /* sub-clients it registered, and the most */
	struct window windows[CLIENT_WINDOWS];
	uint64_t vspace; /* memsrv's capability to the client's VSpace */
	uint64_t cnode;	 /* the server's CNode, if memsrv started it */
	uint64_t ep;	 /* the badged endpoint capability memsrv keeps */
	uint64_t ut_pa;	 /* a server's own Untyped (for its kernel objects) */
	uint8_t parent;	 /* the server that registered this VSpace; 0 if none */
	bool server;	 /* started from the boot image: may register, shut down */
	char name[32];
};
extern struct client clients[MEMSRV_MAX_CLIENTS];

void grant_init(void *table, uint64_t bytes);
struct grant *grant_find(unsigned client, uint64_t page);
uint64_t grant_free_entries(void);
/* Mints the page's (or block's) frame with rights and maps it; cannot fail
 * once the caller has checked the range and reserved slots and tables. */
struct grant *grant_map(unsigned client, uint64_t page, bool block, uint64_t ipa,
			unsigned rights, unsigned tag);
/* A 4 KiB page's grant at an address nothing checked: the kernel's own
 * refusal of the map (SEPTA_E_DELETE_FIRST: something is mapped there;
 * SEPTA_E_RANGE: outside the VSpace, or no VSpace there any more) comes
 * back with no grant, slot or table left; SEPTA_OK otherwise (a grant
 * made, as grant_map's). */
long grant_map_unchecked(unsigned client, uint64_t page, uint64_t ipa, unsigned rights,
			 unsigned tag);
void grant_unmap(struct grant *g); /* keeps the record */
/* Grants of 4 KiB pages mapped a run at a time (VSPACE_MAP_FRAMES):
 * grant_batch_new for a new one, grant_batch_add for a record whose page
 * is not mapped (a reclaim), then grant_batch_flush. No grant may be
 * dropped before the flush (a drop moves records). */
struct grant_batch {
	uint64_t src, dst; /* the first frame's slot and its copy's */
	unsigned n;
	struct grant *g[SEPTA_MAP_FRAMES_MAX];
};
void grant_batch_new(struct grant_batch *b, unsigned client, uint64_t page, uint64_t ipa,
		     unsigned rights, unsigned tag);
void grant_batch_add(struct grant_batch *b, struct grant *g);
void grant_batch_flush(struct grant_batch *b);
/* Unmaps the frames in n consecutive slots from first (within one CNode
 * of CS_SUB_SLOTS), all mapped in vspace, with one kernel call. */
void grant_unmap_run(uint64_t vspace, uint64_t first, unsigned n);
void grant_remap(struct grant *g, unsigned tag);
void grant_drop(struct grant *g);
/* Grants' capabilities deleted by runs (VSPACE_DELETE_FRAMES):
 * grant_delete_add each, then grant_delete_flush, then grant_drop or
 * grant_unmap them as before; nothing may drop a grant between the first
 * add and the flush (a drop moves records). */
struct grant_drops {
	uint64_t vspace, first;
	unsigned n;
	struct grant *g[SEPTA_UNMAP_FRAMES_MAX];
};
void grant_delete_add(struct grant_drops *d, struct grant *g);
void grant_delete_flush(struct grant_drops *d);
/* A new tag on grants' mappings in place, a run of consecutive slots in
 * one kernel call: grant_retag each, then grant_run_flush for the last
 * run. */
struct grant_run {
	uint64_t vspace, first;
	unsigned n, tag;
};
void grant_retag(struct grant_run *r, struct grant *g, unsigned tag);
void grant_run_flush(struct grant_run *r);
/* memsrv's own mappings (no grant): returns the mapped capability. */
uint64_t map_frame(uint64_t frame, uint64_t vspace, uint64_t ipa, unsigned rights,
		   unsigned tag);
/* Last-level PageTables memsrv linked (ptab.c): ptab_new gives an unlinked
 * one (a spare, or a new one), ptab_spare takes one back; ptab_note records
 * the one a map linked under vspace's 2 MiB at ipa; ptab_clear_for_block
 * unlinks it there, if nothing is mapped under it, before a block goes in. */
uint64_t ptab_new(void);
void ptab_spare(uint64_t pt);
void ptab_note(uint64_t vspace, uint64_t ipa, uint64_t pt);
void ptab_clear_for_block(uint64_t vspace, uint64_t ipa);
unsigned ptab_spares(void);
unsigned ptab_recorded(void);
/* MEMSRV_OK if [ipa, ipa+size) is unmapped there, else _IPA_BUSY, or
 * _IPA_RANGE outside the VSpace or wrapping; _ALIGN ipa, _ARG size not
 * whole pages, _RANGE size 0. */
int ipa_check_free(uint64_t vspace, uint64_t ipa, uint64_t size);
void audit_run(struct memsrv_audit *out);

/* The database's error as memsrv's. */
int own_to_memsrv(int err);
/* Target addresses in client c's VSpace for pages first..first+n: free,
 * and blocks aligned. */
int op_check_target(unsigned c, uint64_t ipa, uint64_t first, uint64_t n);
/* Room for `units` grants of `pages` pages (blocks: 2 MiB frames). */
int op_reserve(uint64_t units, uint64_t pages, bool blocks);

/* Quotas and consent (quota.c; docs/ownership.md, "Quotas", "Consent").
 * Pages a client owns are in its books and, for a sub-client, in its
 * parent's too. quota_room: may n pages owned by `from` (0: free pages)
 * become `to`'s? quota_move does it in the books. Inline: every ALLOC,
 * FREE and DONATE passes here. */
static inline bool quota_has(unsigned c, uint64_t n)
{
	return n <= clients[c].room_pages;
}
static inline bool quota_room(unsigned to, unsigned from, uint64_t n)
{
	unsigned tp = clients[to].parent, fp = from ? clients[from].parent : 0;

	/* Books the pages are in already (a parent's, giving to its own
	 * sub-client, or a sub-client's, giving to its parent) are not asked. */
	return (to == fp || quota_has(to, n)) &&
	       (!tp || tp == from || tp == fp || quota_has(tp, n));
}
static inline void quota_move(unsigned to, unsigned from, uint64_t n)
{
	if (from) {
		clients[from].room_pages += n;
		clients[clients[from].parent].room_pages += n; /* 0's unused */
	}
	clients[to].room_pages -= n;
	clients[clients[to].parent].room_pages -= n;
}
/* The boot archive's "memsrv.quota" module, checked; false if malformed. */
bool quota_load(const struct septa_bootinfo *bi);
/* A server's quotas from it, or the defaults. */
void quota_of_server(unsigned c);
int consent_window(unsigned me, unsigned to, uint64_t ipa, uint64_t pages);
/* MEMSRV_E_CONSENT unless `to` consents to pages from me at [ipa, +pages):
 * me is its parent (the fast path: vmsrv into its VMs), or a window. */
static inline int consent_check(unsigned me, unsigned to, uint64_t ipa, uint64_t pages)
{
	return clients[to].parent == me ? MEMSRV_OK : consent_window(me, to, ipa, pages);
}
int op_accept(unsigned me, const uint64_t *mr, unsigned len);
bool client_valid(uint64_t c);

/* The boot archive's frames (bootinfo modules_*): pool_init files them in
 * the database as memsrv's; archive_share maps them read-only into a
 * server at SEPTA_ROOT_MODULES. */
void archive_init(const struct septa_bootinfo *bi);
int archive_share(unsigned c);

/* The operations behind the labels; `me` is the caller's client id. */
int op_alloc(unsigned me, uint64_t n, uint64_t align, uint64_t ipa, unsigned rights,
	     uint64_t *pa);
/* FREE .. DONATE; mr holds len message registers. */
int op_range(unsigned me, unsigned label, const uint64_t *mr, unsigned len);
void serve(uint64_t ep);
/* Starts the boot image's servers; returns how many started, or -1 if
 * there were some and none started. */
int spawn_servers(const struct septa_bootinfo *bi, uint64_t ep);
/* A fresh client id for a VSpace; 0 when the table is full. */
unsigned client_new(uint64_t vspace, const char *name);
/* Asks the first thread to power the machine off; does not return. */
__attribute__((noreturn)) void memsrv_power_off(int status);

/* The server thread's message to the first thread. */
#define CTRL_SHUTDOWN 1
/* Badge bit of the fault endpoints memsrv gives the servers it starts: a
 * message with it is a fault of server (badge & 0xff), not a request. */
#define CTRL_FAULT (1ULL << 8)
/* Badge bit of the idle thread's endpoint: a refill step (idle.c). */
#define CTRL_IDLE (1ULL << 9)
