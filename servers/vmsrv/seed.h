/*
 * Seeds for guests (/chosen kaslr-seed and rng-seed): the ChaCha20 block
 * function (RFC 8439) keyed with the boot loader's entropy, one block per
 * VM boot. A guest sees only its own block; without the key it learns
 * nothing of another VM's seeds or of the next boot's. Pure.
 */
#pragma once
#include <stdint.h>

#define SEED_KEY_LEN   32u
#define SEED_BLOCK_LEN 64u

/* RFC 8439 section 2.3: block `counter` of the stream of (key, nonce). */
void seed_chacha20_block(const uint8_t key[SEED_KEY_LEN], uint32_t counter,
			 const uint8_t nonce[12], uint8_t out[SEED_BLOCK_LEN]);
/* The key from n bytes of entropy: folded into 32 by XOR, n may be 0. */
void seed_key(const uint8_t *entropy, unsigned n, uint8_t key[SEED_KEY_LEN]);
/* The block for boot `resets` of VM `vm_id`: a nonce of its own each. */
void seed_for_boot(const uint8_t key[SEED_KEY_LEN], unsigned vm_id, unsigned resets,
		   uint8_t out[SEED_BLOCK_LEN]);
