/*
 * Writes the invocation tables of docs/ipc-api.md from septa/invocations.def,
 * so the documentation says what the kernel and the stubs do. A table sits
 * between "<!-- invocations OBJ... -->" and "<!-- end invocations -->";
 * everything else in the file is left alone, and every object of the table
 * must have one.
 * The table of error codes (septa/abi.h's SEPTA_ERRORS) sits between
 * "<!-- errors -->" and "<!-- end errors -->".
 *   ipcdoc --check FILE   fails if a table differs (a ctest)
 *   ipcdoc --write FILE   rewrites the tables (make docs)
 */
#include <septa/abi.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ARGS   12
#define BEGIN	   "<!-- invocations "
#define END	   "<!-- end invocations -->"
#define ERRORS	   "<!-- errors -->"
#define ERRORS_END "<!-- end errors -->"

struct arg {
	char kind; /* 'M' message register, 'C' capability, 'O' reply register */
	const char *name, *doc;
};

struct invocation {
	const char *obj, *name;
	unsigned label;
	const char *note, *errors;
	struct arg args[MAX_ARGS];
};

#define ARG_MR(ctype, field, doc)  {'M', #field, doc},
#define ARG_CAP(field, doc)	   {'C', #field, doc},
#define ARG_OUT(ctype, field, doc) {'O', #field, doc},
#define INVOCATION(OBJ, NAME, name, label, stub, note, errors)                           \
	{#OBJ, #NAME,  label,                                                            \
	 note, errors, {SEPTA_ARGS_##NAME(ARG_MR, ARG_CAP, ARG_OUT){0}}},
static const struct invocation invocations[] = {SEPTA_INVOCATIONS(INVOCATION)};

#define OBJECT(OBJ, obj, title) {#OBJ, title},
static const struct {
	const char *obj, *title;
} objects[] = {SEPTA_OBJECTS(OBJECT)};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

struct text {
	char *s;
	size_t len, cap;
};

static void put(struct text *t, const char *s, size_t n)
{
	if (t->len + n + 1 > t->cap) {
		t->cap = (t->len + n + 1) * 2;
		t->s = realloc(t->s, t->cap);
		if (!t->s) {
			perror("ipcdoc");
			exit(2);
		}
	}
	memcpy(t->s + t->len, s, n);
	t->len += n;
	t->s[t->len] = 0;
}

static void puts_(struct text *t, const char *s)
{
	put(t, s, strlen(s));
}

/* Cell text: a '|' would end the cell. */
static void cell(struct text *t, const char *s)
{
	for (; *s; s++)
		if (*s == '|')
			puts_(t, "\\|");
		else
			put(t, s, 1);
}

/* "MR a, b (doc); caps: c; replies d" and the note, or "-". */
static void arguments(struct text *t, const struct invocation *iv)
{
	static const struct {
		char kind;
		const char *intro;
	} groups[] = {{'M', "MR "}, {'C', "caps: "}, {'O', "replies "}};
	bool any = false;

	for (unsigned g = 0; g < COUNT(groups); g++) {
		bool first = true;

		for (const struct arg *a = iv->args; a->name; a++) {
			if (a->kind != groups[g].kind)
				continue;
			puts_(t, first ? (any ? "; " : "") : ", ");
			if (first)
				puts_(t, groups[g].intro);
			cell(t, a->name);
			if (*a->doc) {
				puts_(t, " (");
				cell(t, a->doc);
				puts_(t, ")");
			}
			first = false;
			any = true;
		}
	}
	if (*iv->note) {
		puts_(t, any ? "; " : "");
		cell(t, iv->note);
		any = true;
	}
	if (!any)
		puts_(t, "-");
}

/* Objects that have a table in the file: every one must. */
static bool documented[COUNT(objects)];

static const char *title(const char *obj, size_t len)
{
	for (unsigned i = 0; i < COUNT(objects); i++)
		if (strlen(objects[i].obj) == len && !strncmp(objects[i].obj, obj, len)) {
			documented[i] = true;
			return objects[i].title;
		}
	return NULL;
}

/* The table for the objects named in "OBJ OBJ ... -->"; false if one is
 * not in the definition. With more than one, a column says which. */
static bool table(struct text *t, const char *list)
{
	const char *end = strstr(list, " -->");
	const char *objs[COUNT(objects)];
	unsigned n = 0;

	for (const char *p = list; end && p < end && n < COUNT(objects);) {
		size_t len = strcspn(p, " ");

		if (len > (size_t)(end - p))
			len = (size_t)(end - p);
		if (!title(p, len)) {
			fprintf(stderr, "ipcdoc: no object %.*s in invocations.def\n",
				(int)len, p);
			return false;
		}
		objs[n++] = p;
		p += len + 1;
	}
	if (!n)
		return false;
	puts_(t, n > 1 ? "| capability | label | arguments | errors |\n"
			 "| --- | --- | --- | --- |\n"
		       : "| label | arguments | errors |\n| --- | --- | --- |\n");
	for (unsigned o = 0; o < n; o++) {
		size_t len = strcspn(objs[o], " ");

		for (unsigned i = 0; i < COUNT(invocations); i++) {
			const struct invocation *iv = &invocations[i];
			char label[80];

			if (strlen(iv->obj) != len || strncmp(iv->obj, objs[o], len))
				continue;
			if (n > 1) {
				puts_(t, "| ");
				puts_(t, title(objs[o], len));
				puts_(t, " ");
			}
			snprintf(label, sizeof label, "| `%s` (%u) | ", iv->name,
				 iv->label);
			puts_(t, label);
			arguments(t, iv);
			puts_(t, " | ");
			cell(t, iv->errors);
			puts_(t, " |\n");
		}
	}
	return true;
}

static void error_table(struct text *t)
{
	char row[160];

	puts_(t, "| value | error | meaning |\n| --- | --- | --- |\n");
#define ERROR_ROW(name, value, doc)                                                      \
	snprintf(row, sizeof row, "| %d | `SEPTA_E_%s` | %s |\n", value, #name, doc);    \
	puts_(t, row);
	SEPTA_ERRORS(ERROR_ROW)
#undef ERROR_ROW
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct text t = {0};
	char buf[4096];
	size_t n;

	if (!f) {
		perror(path);
		exit(2);
	}
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		put(&t, buf, n);
	fclose(f);
	*len = t.len;
	return t.s ? t.s : calloc(1, 1);
}

int main(int argc, char **argv)
{
	struct text out = {0};
	size_t len;
	char *in, *p;
	unsigned tables = 0;
	bool write;

	if (argc != 3 || (strcmp(argv[1], "--check") && strcmp(argv[1], "--write"))) {
		fprintf(stderr, "usage: ipcdoc --check|--write FILE\n");
		return 2;
	}
	write = !strcmp(argv[1], "--write");
	in = slurp(argv[2], &len);
	for (p = in; *p;) {
		char *eol = strchr(p, '\n');
		size_t n = eol ? (size_t)(eol - p + 1) : strlen(p);

		put(&out, p, n);
		if (!strncmp(p, BEGIN, strlen(BEGIN))) {
			char *end = strstr(p + n, END);

			if (!end || !table(&out, p + strlen(BEGIN))) {
				fprintf(stderr, "%s: bad table at \"%.*s\"\n", argv[2],
					(int)n - 1, p);
				return 2;
			}
			tables++;
			n = (size_t)(end - p);
		} else if (!strncmp(p, ERRORS, strlen(ERRORS))) {
			char *end = strstr(p + n, ERRORS_END);

			if (!end) {
				fprintf(stderr, "%s: no \"%s\"\n", argv[2], ERRORS_END);
				return 2;
			}
			error_table(&out);
			n = (size_t)(end - p);
		}
		p += n;
	}
	for (unsigned i = 0; i < COUNT(objects); i++)
		if (!documented[i]) {
			fprintf(stderr, "%s: no invocation table for %s\n", argv[2],
				objects[i].obj);
			return 1;
		}
	if (len == out.len && !memcmp(in, out.s, len)) {
		printf("%s: %u invocation tables up to date\n", argv[2], tables);
		return 0;
	}
	if (!write) {
		fprintf(stderr,
			"%s: invocation tables differ from invocations.def: run `make "
			"docs`\n",
			argv[2]);
		return 1;
	}
	FILE *f = fopen(argv[2], "wb");

	if (!f || fwrite(out.s, 1, out.len, f) != out.len || fclose(f)) {
		perror(argv[2]);
		return 2;
	}
	printf("%s: %u invocation tables written\n", argv[2], tables);
	return 0;
}
