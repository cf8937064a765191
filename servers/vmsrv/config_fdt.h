/*
 * The configuration parser's own helpers, shared by its files (config.c,
 * config_spp.c) and nobody else: reading one node's properties, each
 * refusal naming the VM, the sub-node and the property.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "config.h"

struct vmcfg_ctx {
	const void *fdt;
	int node;
	const char *vm;	 /* name for messages; NULL at the root */
	const char *sub; /* the VM's sub-node being read, or NULL */
	char *msg;
	size_t msglen;
};

/* "vm 'NAME': [SUBNODE/]PROPERTY: why", and returns err. */
int vmcfg_fail(struct vmcfg_ctx *c, int err, const char *prop, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Every property of c->node is in known (NULL-terminated), once. */
int vmcfg_check_props(struct vmcfg_ctx *c, const char *const *known);
/* c->node has no child node: one would be ignored (kind names the node's
 * kind in the message). */
int vmcfg_check_leaf(struct vmcfg_ctx *c, const char *kind);
/* 0, 1 if absent and not required, or the refusal. */
int vmcfg_get_u64s(struct vmcfg_ctx *c, const char *prop, uint64_t *out, int n,
		   bool required);
int vmcfg_get_u32(struct vmcfg_ctx *c, const char *prop, unsigned *out, bool required);
int vmcfg_get_flag(struct vmcfg_ctx *c, const char *prop, bool *out);
/* The n-th child of node whose name starts with prefix. */
const char *vmcfg_child_name(const void *fdt, int node, const char *prefix, unsigned n,
			     int *child);
/* A subpage-<name> node of v (config_spp.c). */
int vmcfg_parse_subpage(struct vmcfg_ctx *c, int node, struct vmcfg_vm *v);

static inline bool vmcfg_overlaps(uint64_t a, uint64_t asz, uint64_t b, uint64_t bsz)
{
	return a < b + bsz && b < a + asz;
}

static inline bool vmcfg_inside(uint64_t a, uint64_t asz, uint64_t b, uint64_t bsz)
{
	return a >= b && asz <= bsz && a - b <= bsz - asz;
}
