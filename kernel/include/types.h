/* Basic kernel types. Addresses of different spaces have distinct types so
 * that a physical address cannot be used where an IPA is meant. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <septa/abi.h>
#include <stdint.h>

typedef struct {
	uint64_t pa;
} paddr_t;

typedef struct {
	uint64_t ipa;
} ipaddr_t;

static inline paddr_t pa_init(uint64_t a)
{
	return (paddr_t){a};
}

static inline uint64_t pa_addr(paddr_t p)
{
	return p.pa;
}

static inline ipaddr_t ipa_init(uint64_t a)
{
	return (ipaddr_t){a};
}

static inline uint64_t ipa_addr(ipaddr_t a)
{
	return a.ipa;
}

#define ALIGN_DOWN(x, a) ((x) & ~((uint64_t)(a)-1))
#define ALIGN_UP(x, a)	 ALIGN_DOWN((x) + (uint64_t)(a)-1, (a))
#define IS_ALIGNED(x, a) (((x) & ((uint64_t)(a)-1)) == 0)
#define ARRAY_SIZE(a)	 (sizeof(a) / sizeof((a)[0]))
#define BIT(n)		 (1ULL << (n))
