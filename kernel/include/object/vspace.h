/* Stage-2 address spaces (vspace.c) and the mapping records of frame and
 * page-table capabilities (frame.c). */
#pragma once
#include <object/cap.h>
#include <pgtable.h>

/* A stage-2 address space. Retyped ones keep this header in the page after
 * their (concatenated) root tables; VMID and generation name it in the
 * mapping records of frame and page-table capabilities. */
struct vspace {
	struct pgt pgt;
	uint32_t gen;
};

bool vspace_vmid_available(unsigned n);
void vspace_init(struct vspace *vs, paddr_t root, unsigned ia_bits);
void vspace_register_root(struct vspace *vs);
void vspace_finalise(struct vspace *vs);
/* The VSpace a mapping record points at, if it still exists. */
struct vspace *vspace_of_mapping(const struct cap *c);
/* The VSpace c's mapping is in, if the tables still hold it: a table above
 * it unmapped or deleted takes the entries and leaves the record stale. */
struct vspace *mapping_live(const struct cap *c);
/* Records in c that it maps its object in vs at word's IPA (and level). */
void mapping_record(struct cap *c, const struct vspace *vs, uint64_t word);

/*
 * A frame's unmap is as long as the tables under its range make it: a
 * 1 GiB frame split into pages by VSPACE_PROTECT has 262,144 entries. So
 * it goes in steps of at most `leaves` leaf entries, from the start up;
 * the record keeps how far it got (MAPPING_DONE, in map above the VMID and
 * generation, in pages), and the rest stays mapped and recorded. Between
 * steps the record is live while the first page not yet done is there,
 * and the capability is deleted only once the step that finishes has run.
 * Returns true once the record is gone.
 */
#define MAPPING_DONE_SHIFT 40
#define MAPPING_DONE(c)	   (((c)->map >> MAPPING_DONE_SHIFT) << SEPTA_PAGE_SHIFT)
/* Leaf entries per FRAME_UNMAP step (one table's worth), and per unit of
 * a deletion (64 units a kernel entry, each also walking down from the
 * root: 256 leaves). bench.bound measures both, below 100,000 instructions. */
#define MAPPING_STEP_LEAVES 512u
#define MAPPING_UNIT_LEAVES 4u
bool mapping_remove(struct cap *c, unsigned leaves);
/* The same for a frame mapped in vs (vspace_of_mapping), the TLB
 * invalidation left to f (pgt_unmap_own_deferred): VSPACE_UNMAP_FRAMES
 * removes a run of frames with one. */
bool frame_remove_step(struct cap *c, const struct vspace *vs, unsigned leaves,
		       struct pgt_flush *f);

struct inv;
/*
 * PageTables given as extra capabilities, lent to an edit of a VSpace for
 * the tables its walk finds missing (frame.c). Decode checks them; the
 * check runs the walk's dry run and turns a refusal into the invocation's
 * error (E_NO_TABLE with its reply); the commit cannot fail and records
 * the tables it used as mapped where they went.
 */
struct table_caps {
	struct cap *cap[SEPTA_MSG_MAX_CAPS]; /* cap[i] lends pages[i] */
	paddr_t pages[SEPTA_MSG_MAX_CAPS];
	uint64_t where[SEPTA_MSG_MAX_CAPS];
	struct pgt_cache cache;
	unsigned given;
};
int table_caps_decode(struct table_caps *t, struct cte *const *caps, unsigned n);
int mapping_check(struct inv *iv, const struct vspace *vs, struct pgt_edit *e,
		  struct table_caps *t);
void mapping_commit(const struct vspace *vs, struct pgt_edit *e, struct table_caps *t);
