/* What the object code needs from the architecture for stage 2. The host
 * tests provide their own versions over fake memory. */
#pragma once
#include <pgtable.h>

struct vspace;

extern const struct pgt_mm_ops arch_s2_mm_ops;
unsigned arch_pa_bits(void);
/* Leaf attributes for normal memory / device memory with the given rights. */
pte_t arch_s2_attrs(bool read, bool write, bool exec);
pte_t arch_s2_device_attrs(bool read, bool write);
/* SEPTA_MAP_* rights of a leaf. */
unsigned arch_s2_rights(pte_t pte);
bool arch_s2_readable(pte_t pte);
/* Drops every TLB entry tagged with vmid. */
void arch_vmid_flush(uint16_t vmid);
/* The VSpace is going away: the CPU must not keep using it. */
void arch_vspace_forget(struct vspace *vs);
