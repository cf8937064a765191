#pragma once

void pl011_console_init(void);
int pl011_getc(void); /* -1 when nothing has arrived */
void pl011_putc(char c);
void pl011_puts(const char *s);
