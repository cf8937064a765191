#include <kprintf.h>
#include <stdbool.h>
#include <stdint.h>

static kprintf_sink_fn console_sink;

struct out {
	kprintf_sink_fn sink;
	char *buf;
	size_t size;
	size_t len;
};

static void emit(struct out *o, char c)
{
	if (o->buf) {
		if (o->len + 1 < o->size)
			o->buf[o->len] = c;
	} else if (o->sink) {
		o->sink(c);
	}
	o->len++;
}

static void pad(struct out *o, int n, char fill)
{
	while (n-- > 0)
		emit(o, fill);
}

struct spec {
	int width;
	bool left; /* "%-8s": pad on the right */
	char fill;
};

static void emit_str(struct out *o, const char *str, int len, const struct spec *sp)
{
	if (!sp->left)
		pad(o, sp->width - len, sp->fill);
	for (int i = 0; i < len; i++)
		emit(o, str[i]);
	if (sp->left)
		pad(o, sp->width - len, ' ');
}

static void emit_num(struct out *o, uint64_t v, unsigned base, bool neg,
		     const struct spec *sp)
{
	char tmp[24];
	int n = sizeof(tmp);

	do {
		unsigned d = (unsigned)(v % base);
		tmp[--n] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
		v /= base;
	} while (v);
	if (neg)
		tmp[--n] = '-';
	emit_str(o, tmp + n, (int)sizeof(tmp) - n, sp);
}

static void format(struct out *o, const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		struct spec sp = {0, false, ' '};
		bool lng = false;
		uint64_t u;
		int64_t s;

		if (*fmt != '%') {
			emit(o, *fmt);
			continue;
		}
		fmt++;
		if (*fmt == '-') {
			sp.left = true;
			fmt++;
		}
		if (*fmt == '0') {
			sp.fill = sp.left ? ' ' : '0';
			fmt++;
		}
		while (*fmt >= '0' && *fmt <= '9')
			sp.width = sp.width * 10 + (*fmt++ - '0');
		while (*fmt == 'l' || *fmt == 'z') {
			lng = true;
			fmt++;
		}
		switch (*fmt) {
		case 'd':
		case 'i':
			s = lng ? va_arg(ap, int64_t) : va_arg(ap, int);
			u = s < 0 ? (uint64_t)0 - (uint64_t)s : (uint64_t)s;
			emit_num(o, u, 10, s < 0, &sp);
			break;
		case 'u':
			u = lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned);
			emit_num(o, u, 10, false, &sp);
			break;
		case 'x':
			u = lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned);
			emit_num(o, u, 16, false, &sp);
			break;
		case 'p':
			emit(o, '0');
			emit(o, 'x');
			sp.width = 16;
			sp.fill = '0';
			emit_num(o, (uintptr_t)va_arg(ap, void *), 16, false, &sp);
			break;
		case 's': {
			const char *str = va_arg(ap, const char *);
			int len = 0;

			if (!str)
				str = "(null)";
			while (str[len])
				len++;
			sp.fill = ' ';
			emit_str(o, str, len, &sp);
			break;
		}
		case 'c': {
			char c = (char)va_arg(ap, int);

			emit_str(o, &c, 1, &sp);
			break;
		}
		case '%':
			emit(o, '%');
			break;
		case '\0':
			return;
		default:
			/* Show what was not understood rather than dropping it. */
			emit(o, '%');
			emit(o, *fmt);
			break;
		}
	}
}

void kprintf_set_sink(kprintf_sink_fn sink)
{
	console_sink = sink;
}

void kputc(char c)
{
	if (console_sink)
		console_sink(c);
}

void kvprintf(const char *fmt, va_list ap)
{
	struct out o = {.sink = console_sink};

	format(&o, fmt, ap);
}

void kprintf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
	struct out o = {.buf = buf, .size = size};
	va_list ap;

	va_start(ap, fmt);
	format(&o, fmt, ap);
	va_end(ap);
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}
