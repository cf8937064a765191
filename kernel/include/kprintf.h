#pragma once
#include <stdarg.h>
#include <stddef.h>

/*
 * Formats %d %i %u %x %p %s %c and %%, with optional '0' fill, width and the
 * 'l'/'ll'/'z' length modifiers. Output goes to the sink given to
 * kprintf_set_sink (the platform console on target, a buffer in tests).
 */
typedef void (*kprintf_sink_fn)(char c);

void kprintf_set_sink(kprintf_sink_fn sink);
void kputc(char c);
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void kvprintf(const char *fmt, va_list ap);
int ksnprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
