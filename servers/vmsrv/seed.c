/* ChaCha20's block function, written from RFC 8439, and the guests' seeds. */
#include <string.h>
#include "seed.h"

static uint32_t rotl(uint32_t v, unsigned n)
{
	return v << n | v >> (32 - n);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static void quarter(uint32_t *s, unsigned a, unsigned b, unsigned c, unsigned d)
{
	s[a] += s[b], s[d] = rotl(s[d] ^ s[a], 16);
	s[c] += s[d], s[b] = rotl(s[b] ^ s[c], 12);
	s[a] += s[b], s[d] = rotl(s[d] ^ s[a], 8);
	s[c] += s[d], s[b] = rotl(s[b] ^ s[c], 7);
}

void seed_chacha20_block(const uint8_t key[SEED_KEY_LEN], uint32_t counter,
			 const uint8_t nonce[12], uint8_t out[SEED_BLOCK_LEN])
{
	/* "expand 32-byte k" */
	uint32_t in[16] = {0x61707865, 0x3320646e, 0x79622d32, 0x6b206574}, s[16];

	for (unsigned i = 0; i < 8; i++)
		in[4 + i] = le32(key + 4 * i);
	in[12] = counter;
	for (unsigned i = 0; i < 3; i++)
		in[13 + i] = le32(nonce + 4 * i);
	memcpy(s, in, sizeof(s));
	for (unsigned r = 0; r < 10; r++) { /* 20 rounds: column, then diagonal */
		quarter(s, 0, 4, 8, 12);
		quarter(s, 1, 5, 9, 13);
		quarter(s, 2, 6, 10, 14);
		quarter(s, 3, 7, 11, 15);
		quarter(s, 0, 5, 10, 15);
		quarter(s, 1, 6, 11, 12);
		quarter(s, 2, 7, 8, 13);
		quarter(s, 3, 4, 9, 14);
	}
	for (unsigned i = 0; i < 16; i++) {
		uint32_t v = s[i] + in[i];

		for (unsigned b = 0; b < 4; b++)
			out[4 * i + b] = (uint8_t)(v >> (8 * b));
	}
}

void seed_key(const uint8_t *entropy, unsigned n, uint8_t key[SEED_KEY_LEN])
{
	memset(key, 0, SEED_KEY_LEN);
	for (unsigned i = 0; i < n; i++)
		key[i % SEED_KEY_LEN] ^= entropy[i];
}

void seed_for_boot(const uint8_t key[SEED_KEY_LEN], unsigned vm_id, unsigned resets,
		   uint8_t out[SEED_BLOCK_LEN])
{
	uint8_t nonce[12] = {0};

	for (unsigned b = 0; b < 4; b++) {
		nonce[b] = (uint8_t)(vm_id >> (8 * b));
		nonce[4 + b] = (uint8_t)(resets >> (8 * b));
	}
	seed_chacha20_block(key, 0, nonce, out);
}
