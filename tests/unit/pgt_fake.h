/* The walker's test world (pgt_fake.c), shared by the pgtable suites. */
#pragma once
#include <pgtable.h>
#include <stdbool.h>
#include <stddef.h>
#include "tests.h"

#define FAKE_PAGES 96

extern uint8_t *pgt_fake_mem;
extern unsigned pgt_fake_next, pgt_fake_tlb_invals, pgt_fake_tlb_flushes;

int pgt_fake_setup(void);
int pgt_fake_teardown(void);
paddr_t pgt_fake_alloc(unsigned pages);
void *pgt_fake_p2v(paddr_t pa);
/* A fresh table of ia_bits over cleared fake memory, counters at 0. */
void pgt_fake_new(struct pgt *p, unsigned ia_bits);
/* pgt_map of [ipa, ipa + size) to pa with `supply` table pages lent. */
int pgt_fake_map(struct pgt *p, uint64_t ipa, uint64_t pa, uint64_t size, bool blocks,
		 bool replace, unsigned supply, struct pgt_map_req *out);
void pgt_fake_expect_leaf(struct pgt *p, uint64_t ipa, uint64_t pa, unsigned level);
void pgt_fake_expect_unmapped(struct pgt *p, uint64_t ipa);
bool pgt_fake_all_zero(const void *p, size_t n);
/* A request lending `supply` fresh table pages. */
struct pgt_map_req pgt_fake_cache_req(unsigned supply);
