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
void mapping_remove(struct cap *c);
