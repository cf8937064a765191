#include <klib.h>
#include <stdint.h>

void *memset(void *d, int c, size_t n)
{
	unsigned char *p = d;
	uint64_t word = 0x0101010101010101ULL * (unsigned char)c;

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
