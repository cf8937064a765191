/*
 * The shares and lends a VM made by hypercall (hyp.c), which vmsrv undoes
 * when the VM stops or resets (mem.c). memsrv takes any run of pages in an
 * UNSHARE or RECLAIM, part of a share or lend included; the records follow
 * it page for page, so that teardown undoes exactly what is left. Pure
 * logic, so host tests drive it (tests/unit/test_grants.c).
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>

struct vm_grant {
	uint64_t ipa, pages;
	unsigned peer; /* VM id */
	bool lent, used;
};

/* A free record of the n, or NULL. */
struct vm_grant *grants_free(struct vm_grant *g, unsigned n);
/* Whether the records have room to take [ipa, ipa + pages pages) out of
 * the lends (lent) or of the shares with peer: cutting a record in two
 * takes a free one. */
bool grants_can_remove(const struct vm_grant *g, unsigned n, uint64_t ipa, uint64_t pages,
		       bool lent, unsigned peer);
/* Takes it out; only after grants_can_remove said yes. */
void grants_remove(struct vm_grant *g, unsigned n, uint64_t ipa, uint64_t pages,
		   bool lent, unsigned peer);
