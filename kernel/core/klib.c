#include <arch.h>
#include <klib.h>
#include <stdint.h>

/* Out of line, so that memset stays a leaf (no stack frame) for the
 * small fills that are most of its calls: the test below is all they pay. */
__attribute__((noinline)) static void *zero_blocks(void *d, size_t n)
{
	arch_zero(d, n);
	return d;
}

void *memset(void *d, int c, size_t n)
{
	unsigned char *p = d;
	uint64_t word = 0x0101010101010101ULL * (unsigned char)c;

	/* Zeros over whole aligned blocks (a page table linked, a VSpace's
	 * root cleared) go to arch_zero: DC ZVA, or its store loop. It comes
	 * back here only for what is not 16-byte aligned, so never loops. */
	if (n >= 512 && c == 0 && !(((uintptr_t)d | n) & 63))
		return zero_blocks(d, n);
	/* Retype clears whole objects: do it a word (and a cache line) at a time. */
	while (n && ((uintptr_t)p & 7)) {
		*p++ = (unsigned char)c;
		n--;
	}
	for (; n >= 64; n -= 64, p += 64)
		for (int i = 0; i < 8; i++)
			((uint64_t *)(void *)p)[i] = word;
	for (; n >= 8; n -= 8, p += 8)
		*(uint64_t *)(void *)p = word;
	while (n--)
		*p++ = (unsigned char)c;
	return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
	unsigned char *dp = d;
	const unsigned char *sp = s;

	while (n--)
		*dp++ = *sp++;
	return d;
}

size_t strlcpy(char *d, const char *s, size_t n)
{
	size_t len = 0;

	while (s[len])
		len++;
	if (n) {
		size_t c = len < n - 1 ? len : n - 1;
		memcpy(d, s, c);
		d[c] = '\0';
	}
	return len;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return (unsigned char)*a - (unsigned char)*b;
}
