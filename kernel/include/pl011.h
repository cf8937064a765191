#pragma once

void pl011_console_init(void);
void pl011_putc(char c);
void pl011_puts(const char *s);
