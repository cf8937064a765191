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
void mapping_remove(struct cap *c);

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
