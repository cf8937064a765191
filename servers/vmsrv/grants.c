/* The records of a VM's shares and lends (grants.h). */
#include "grants.h"

#define PAGE 4096ULL

struct vm_grant *grants_free(struct vm_grant *g, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (!g[i].used)
			return &g[i];
	return 0;
}

/* A record the operation applies to: a lend for RECLAIM (whoever has it),
 * a share with that peer for UNSHARE. */
static bool matches(const struct vm_grant *r, bool lent, unsigned peer)
{
	return r->used && (lent ? r->lent : !r->lent && r->peer == peer);
}

bool grants_can_remove(const struct vm_grant *g, unsigned n, uint64_t ipa, uint64_t pages,
		       bool lent, unsigned peer)
{
	uint64_t end = ipa + pages * PAGE;
	unsigned splits = 0, free = 0;

	for (unsigned i = 0; i < n; i++) {
		free += !g[i].used;
		if (matches(&g[i], lent, peer) && g[i].ipa < ipa &&
		    end < g[i].ipa + g[i].pages * PAGE)
			splits++;
	}
	return splits <= free;
}

void grants_remove(struct vm_grant *g, unsigned n, uint64_t ipa, uint64_t pages,
		   bool lent, unsigned peer)
{
	uint64_t end = ipa + pages * PAGE;

	for (unsigned i = 0; i < n; i++) {
		struct vm_grant *r = &g[i];
		uint64_t lo = r->ipa, hi = r->ipa + r->pages * PAGE;

		if (!matches(r, lent, peer) || hi <= ipa || end <= lo)
			continue;
		if (lo < ipa && end < hi) /* the middle: the rest in two records */
			*grants_free(g, n) = (struct vm_grant){end, (hi - end) / PAGE,
							       r->peer, r->lent, true};
		if (lo < ipa)
			r->pages = (ipa - lo) / PAGE;
		else if (end < hi)
			*r = (struct vm_grant){end, (hi - end) / PAGE, r->peer, r->lent,
					       true};
		else
			r->used = false;
	}
}
