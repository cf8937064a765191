/*
 * Sub-page write protection (docs/subpage.md): vmsrv's policy. Per VM, a
 * 32-bit write bitmap per 4 KiB page of its RAM, bit i set = bytes
 * 128*i..128*i+127 writable; all ones (SPP_OPEN) is the default and means
 * the page is not protected at all, so such a page has no entry. A page
 * with an entry is mapped without W at stage 2, at 4 KiB; every write to it
 * faults and spp_decide says whether the kernel may perform it.
 *
 * Pure: no IPC, no stage 2. The caller (vmsrv) applies the stage-2 steps a
 * set returns (struct spp_changes) through memsrv; the host tests link this
 * same file (tests/unit/test_spp.c).
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#define SPP_PAGE	4096u
#define SPP_SUBPAGE	128u
#define SPP_SUBPAGES	(SPP_PAGE / SPP_SUBPAGE) /* 32: one bit each */
#define SPP_OPEN	0xffffffffu		 /* every sub-page writable: no entry */
#define SPP_BLOCK	0x200000ull		 /* a stage-2 block: 2 MiB */
#define SPP_BLOCK_PAGES (SPP_BLOCK / SPP_PAGE)
/* Pages with a bitmap per VM (the table's capacity, 8 bytes each), and
 * pages per get or set: 64 bitmaps are 32 message registers, and a run of
 * 64 pages (256 KiB) touches at most two 2 MiB blocks. */
#define SPP_MAX_PAGES 512u
#define SPP_MAX_RUN   64u
/* Runs of RAM where the guest's own set may also set bits (`loosen`). */
#define SPP_MAX_LOOSEN 8u

/* What one faulting access gets. */
enum spp_decision {
	SPP_PERMIT = 0,		    /* perform it (SEPTA_REPLY_STORE) and go on */
	SPP_REFUSE_FORBIDDEN = 1,   /* touches a byte of a forbidden sub-page */
	SPP_REFUSE_UNDESCRIBED = 2, /* a write without a valid syndrome */
	/* Not aligned to its size: the kernel refuses to perform it (a
	 * misaligned access's fault address need not be its first byte),
	 * so it is refused here, where the guest learns of it. An aligned
	 * store never runs past the end of its page. */
	SPP_REFUSE_MISALIGNED = 3,
	/* A read or a fetch: reads and fetches of a protected page are mapped
	 * and never fault for its bitmap, so such a fault is not this
	 * module's; the caller treats it as it would without sub-pages. */
	SPP_NOT_A_WRITE = 4,
	/* spp_fault only: the page has no bitmap, so it is mapped as it would
	 * be without sub-pages and the fault is not this module's either. */
	SPP_NOT_PROTECTED = 5,
};

/* Errors of a get or set, checked in this order; any of them leaves the
 * table as it was. */
enum spp_error {
	SPP_OK = 0,
	SPP_E_COUNT = -1,	/* npages 0 or above SPP_MAX_RUN */
	SPP_E_ALIGN = -2,	/* ipa_base not a multiple of 4 KiB */
	SPP_E_RANGE = -3,	/* a page outside the VM's RAM (wrapping included) */
	SPP_E_LOOSEN = -4,	/* SPP_SET_CLEAR_ONLY would set a bit outside loosen */
	SPP_E_FULL = -5,	/* more than SPP_MAX_PAGES pages would have a bitmap */
	SPP_E_LOOSEN_FULL = -6, /* spp_allow_loosen: SPP_MAX_LOOSEN runs already */
};

enum spp_set_mode {
	SPP_SET_ANY = 0,	/* the configuration, another server */
	SPP_SET_CLEAR_ONLY = 1, /* the guest's own: tighten only, but in loosen runs */
};

/* The RAM a table covers, from its base: 2^32 pages, as many as an entry
 * numbers; pages past it are refused as outside RAM (SPP_E_RANGE). */
#define SPP_MAX_RAM (1ull << 44)

struct spp_entry {
	uint32_t page; /* (IPA - RAM's base) >> 12, below SPP_MAX_RAM */
	uint32_t bitmap;
};

struct spp_run {
	uint64_t ipa;
	uint64_t npages; /* up to SPP_MAX_RAM's 2^32 */
};

struct spp_table {
	uint64_t ram_base, ram_size; /* the VM's RAM: the only pages with bitmaps */
	unsigned n;		     /* entries, sorted by page, none SPP_OPEN */
	struct spp_entry e[SPP_MAX_PAGES];
	unsigned nloosen;
	struct spp_run loosen[SPP_MAX_LOOSEN];
};

/* What stage 2 must do after a set, in this order (spp_next): a block that
 * had no bitmap and has one now is split before its pages lose W; a block
 * whose last bitmap went is merged back after its pages got W back. A page
 * whose bitmap changed from one protected value to another needs nothing. */
enum spp_action {
	SPP_SPLIT = 1,	   /* ipa: a 2 MiB block, to map at 4 KiB */
	SPP_PROTECT = 2,   /* ipa: a page, to map without W */
	SPP_UNPROTECT = 3, /* ipa: a page, to map with W again */
	SPP_MERGE = 4,	   /* ipa: a 2 MiB block, to map as one block again */
};

struct spp_step {
	enum spp_action action;
	uint64_t ipa;
};

struct spp_changes {
	unsigned n;
	struct spp_step step[SPP_MAX_RUN + 4]; /* pages + two blocks' split/merge */
};

/* An empty table for RAM [ram_base, ram_base + ram_size), its first
 * SPP_MAX_RAM bytes only: no page protected, no loosen run. */
void spp_init(struct spp_table *t, uint64_t ram_base, uint64_t ram_size);
/* The decision for one write at offset (0..4095) into a page with this
 * bitmap, access being the fault's SEPTA_ACCESS_* word. A described store
 * of 1, 2, 4 or 8 bytes is permitted only when every byte it touches lies
 * in a permitted sub-page; XZR's zero is a store like any other. */
enum spp_decision spp_decide(uint32_t bitmap, unsigned offset, unsigned access);
/* The page's bitmap, SPP_OPEN where it has none (any IPA, inside RAM or
 * not). */
uint32_t spp_lookup(const struct spp_table *t, uint64_t ipa);
/* spp_decide for a fault at ipa, with the page's bitmap; SPP_NOT_PROTECTED
 * where the page has none, whatever the access. */
enum spp_decision spp_fault(const struct spp_table *t, uint64_t ipa, unsigned access);
/* The bitmaps of npages pages from ipa_base into out. */
int spp_get(const struct spp_table *t, uint64_t ipa_base, uint64_t npages, uint32_t *out);
/* Sets npages bitmaps from ipa_base; every page is checked before any is
 * changed. changes (may be NULL) gets the stage-2 steps. */
int spp_set(struct spp_table *t, uint64_t ipa_base, uint64_t npages,
	    const uint32_t *bitmaps, enum spp_set_mode mode, struct spp_changes *changes);
/* Lets the guest's own set also set bits in [ipa, ipa + npages pages); a
 * run checked as a set's (SPP_E_COUNT for 0 pages, no per-call maximum),
 * SPP_E_LOOSEN_FULL past SPP_MAX_LOOSEN runs. */
int spp_allow_loosen(struct spp_table *t, uint64_t ipa, uint64_t npages);
/* Whether any page of the 2 MiB block holding ipa has a bitmap: the block
 * must then be mapped at 4 KiB; without, it may be one block. */
bool spp_block_protected(const struct spp_table *t, uint64_t ipa);
/* Pages with a bitmap. */
static inline unsigned spp_count(const struct spp_table *t)
{
	return t->n;
}
/* The steps of changes one by one: *cursor starts at 0; false after the
 * last. */
bool spp_next(const struct spp_changes *changes, unsigned *cursor, struct spp_step *step);
