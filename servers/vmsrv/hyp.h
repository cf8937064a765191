/* Hypercalls (hyp.c, docs/hypercalls.md). */
#pragma once
#include <stdbool.h>
#include <stdint.h>

struct vcpu;

/* x[0..7] in, results in x[0..3]; false stops the vCPU (it was switched
 * off or its VM went away). */
bool hyp_call(struct vcpu *c, uint64_t *x);
