/* The few C library routines the freestanding kernel needs. */
#pragma once
#include <stddef.h>

void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
size_t strlcpy(char *d, const char *s, size_t n);
int strcmp(const char *a, const char *b);
