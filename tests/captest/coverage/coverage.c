/*
 * captest's error-code coverage. Which errors each invocation can give
 * comes from septa/invocations.def (its errors column, and the errors every
 * invocation shares for its shape); which tests reach each comes from the
 * names of the hostile tests in tests/captest/tests.def:
 *   bad_<invocation, object or sys_call>_<error>[_what]
 * e.g. bad_frame_map_in_use_table. The table between the markers in
 * docs/testing.md is made from both: --check fails when it differs or an
 * error no test reaches is not listed as unreachable, --write rewrites it.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <septa/abi.h>

#define BEGIN_MARK "<!-- captest-coverage: begin -->"
#define END_MARK   "<!-- captest-coverage: end -->"
#define MAX_TESTS  1024
#define MAX_ROWS   512

struct inv {
	const char *obj, *NAME, *name, *errors;
	unsigned nmr, ncaps;
};

#define INV_ROW(OBJ, NAME, name, label, stub, note, errors)                              \
	{#OBJ, #NAME, #name, errors, SEPTA_INV_NMR(NAME), SEPTA_INV_NCAPS(NAME)},
static const struct inv invs[] = {SEPTA_INVOCATIONS(INV_ROW)};
#undef INV_ROW
#define NINV (sizeof(invs) / sizeof(invs[0]))

#define OBJ_ROW(OBJ, obj, doc) {#OBJ, #obj},
static const struct {
	const char *OBJ, *obj;
} objs[] = {SEPTA_OBJECTS(OBJ_ROW)};
#undef OBJ_ROW
#define NOBJ (sizeof(objs) / sizeof(objs[0]))

/* Every error code's name, from the one table in abi.h. */
#define ERR_NAME(name, value, doc) #name,
static const char *const errs[] = {SEPTA_ERRORS(ERR_NAME)};
#undef ERR_NAME
#define NERR (sizeof(errs) / sizeof(errs[0]))

/* System calls: their errors (abi.h), and what the name of a test says. */
static const struct {
	const char *subject, *errors;
} syscalls[] = {
    {"sys_unknown", "SYSCALL"},
    {"sys_debug_write", "RANGE FAULT NOT_RAM"},
    {"sys_debug_read", "MISSING_CAP CAP_TYPE PERM RIGHTS"},
    {"sys_shutdown", "PERM"},
    {"sys_send", "MSG_LENGTH RIGHTS MISSING_CAP GUARD DELETED"},
    {"sys_nbsend", "WOULD_BLOCK NO_BUFFER"},
    {"sys_call", "CAP_TYPE MISSING_CAP GUARD"},
    {"sys_recv", "CAP_TYPE RIGHTS DELETED"},
    {"sys_nbrecv", "WOULD_BLOCK"},
    {"sys_reply", "NO_REPLY MSG_LENGTH ARG NO_BUFFER LABEL NOT_WRITE ALIGN NOT_MAPPED "
		  "NOT_RAM RIGHTS"},
};
#define NSYS (sizeof(syscalls) / sizeof(syscalls[0]))

/* Tests from before the bad_ naming that reach a pair none of those does. */
static const struct {
	const char *subject, *err, *test;
} older[] = {
    {"sys_debug_write", "NOT_RAM", "debug_write_device_memory"},
    {"sys_nbsend", "WOULD_BLOCK", "nonblocking_no_partner"},
    {"sys_recv", "DELETED", "delete_endpoint_wakes_waiters"},
    {"sys_send", "DELETED", "revoke_badged_with_sender_waiting"},
    {"sys_reply", "ARG", "guest_abort_decoding"},
    {"sys_debug_read", "MISSING_CAP", "console_input_needs_its_handler"},
    {"sys_debug_read", "CAP_TYPE", "console_input_needs_its_handler"},
    {"sys_debug_read", "PERM", "console_input_needs_its_handler"},
    {"sys_debug_read", "RIGHTS", "console_input_needs_its_handler"},
    {"tcb_read_registers", "NO_BUFFER", "no_buffer_refuses_long_messages"},
    {"sys_nbsend", "NO_BUFFER", "no_buffer_refuses_long_messages"},
    {"sys_reply", "NO_BUFFER", "no_buffer_refuses_long_messages"},
};

/* Errors an invocation can give that no test on QEMU can reach. */
static const struct {
	const char *subject, *err, *why;
} unreachable[] = {
    {"vcpu_read_reg", "STATE",
     "only while the VCPU's own thread makes the call: that thread runs as a guest "
     "at EL1, where SVC is the guest's, and VCPU_SET_TCB refuses the caller itself"},
    {"vcpu_write_reg", "STATE", "as VCPU_READ_REG"},
    {"vcpu_reset", "STATE", "as VCPU_READ_REG"},
    {"vcpu_inject_irq", "STATE",
     "only on a GIC without a virtual CPU interface; QEMU virt always has one"},
};
#define NUNR (sizeof(unreachable) / sizeof(unreachable[0]))

struct row {
	char subject[64], err[16];
	int required;
	char tests[2048];
};
static struct row rows[MAX_ROWS];
static unsigned nrows;

static void lower(char *dst, const char *src, size_t n)
{
	size_t i;

	for (i = 0; src[i] && i + 1 < n; i++)
		dst[i] = (char)tolower((unsigned char)src[i]);
	dst[i] = 0;
}

static struct row *row_for(const char *subject, const char *err)
{
	for (unsigned i = 0; i < nrows; i++)
		if (!strcmp(rows[i].subject, subject) && !strcmp(rows[i].err, err))
			return &rows[i];
	if (nrows == MAX_ROWS) {
		fprintf(stderr, "captest-coverage: too many rows\n");
		exit(2);
	}
	snprintf(rows[nrows].subject, sizeof(rows[nrows].subject), "%s", subject);
	snprintf(rows[nrows].err, sizeof(rows[nrows].err), "%s", err);
	return &rows[nrows++];
}

static void require(const char *subject, const char *err)
{
	row_for(subject, err)->required = 1;
}

/* Every `E_XXX` in v's errors column, for subject; "as <op>" takes
 * <op>'s as well. */
static void require_listed(const char *subject, const struct inv *v, int nest)
{
	const char *p = v->errors;

	if (!strncmp(p, "as ", 3) && nest < 2) {
		char op[32], want[64];
		size_t n = strcspn(p + 3, " ;,");

		snprintf(op, sizeof(op), "%.*s", (int)n, p + 3);
		/* <op> is a word of an invocation of the same object. */
		snprintf(want, sizeof(want), "_%s", op);
		for (unsigned i = 0; i < NINV; i++) {
			const char *at = strstr(invs[i].name, want);
			size_t w = strlen(want);

			if (!strcmp(invs[i].obj, v->obj) && at &&
			    (!at[w] || at[w] == '_'))
				require_listed(subject, &invs[i], nest + 1);
		}
	}
	while ((p = strstr(p, "`E_"))) {
		char e[16];
		size_t n = strspn(p + 3, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_");

		snprintf(e, sizeof(e), "%.*s", (int)n, p + 3);
		p += 3 + n;
		for (unsigned i = 0; i < NERR; i++)
			if (!strcmp(errs[i], e))
				require(subject, e);
	}
}

static void require_all(void)
{
	for (unsigned i = 0; i < NINV; i++) {
		const struct inv *v = &invs[i];

		require_listed(v->name, v, 0);
		/* What the shape checks before the object's decode. */
		if (v->nmr)
			require(v->name, "ARG");
		if (v->ncaps) {
			require(v->name, "EXTRA_CAPS");
			require(v->name, "MISSING_CAP");
		}
		require(v->name, "MSG_LENGTH");
	}
	for (unsigned i = 0; i < NOBJ; i++)
		require(objs[i].obj, "LABEL");
	for (unsigned i = 0; i < NSYS; i++) {
		char list[128], *tok;

		snprintf(list, sizeof(list), "%s", syscalls[i].errors);
		for (tok = strtok(list, " "); tok; tok = strtok(NULL, " "))
			require(syscalls[i].subject, tok);
	}
}

static void add_test(struct row *r, const char *test)
{
	size_t n = strlen(r->tests);

	snprintf(r->tests + n, sizeof(r->tests) - n, "%s`%s`", n ? ", " : "", test);
}

/* bad_<subject>_<error>[_...]: the longest subject that leaves an error. */
static int classify(const char *test)
{
	const char *rest = test + 4;
	const char *subjects[NINV + NOBJ + NSYS];
	unsigned ns = 0;
	size_t best = 0;
	const char *best_s = NULL, *best_e = NULL;

	for (unsigned i = 0; i < NINV; i++)
		subjects[ns++] = invs[i].name;
	for (unsigned i = 0; i < NOBJ; i++)
		subjects[ns++] = objs[i].obj;
	for (unsigned i = 0; i < NSYS; i++)
		subjects[ns++] = syscalls[i].subject;
	for (unsigned i = 0; i < ns; i++) {
		size_t l = strlen(subjects[i]);

		if (strncmp(rest, subjects[i], l) || rest[l] != '_' || l <= best)
			continue;
		for (unsigned e = 0; e < NERR; e++) {
			char le[16];
			size_t el;

			lower(le, errs[e], sizeof(le));
			el = strlen(le);
			if (!strncmp(rest + l + 1, le, el) &&
			    (rest[l + 1 + el] == 0 || rest[l + 1 + el] == '_') &&
			    (!best_e || best != l || el > strlen(best_e))) {
				best = l;
				best_s = subjects[i];
				best_e = errs[e];
			}
		}
	}
	if (!best_s)
		return -1;
	add_test(row_for(best_s, best_e), test);
	return 0;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		free(buf);
		return NULL;
	}
	buf[n] = 0;
	fclose(f);
	return buf;
}

/* The T(name) entries of tests.def. */
static unsigned read_tests(const char *path, char names[][96])
{
	char *buf = slurp(path), *p;
	unsigned n = 0;

	if (!buf) {
		fprintf(stderr, "captest-coverage: cannot read %s\n", path);
		exit(2);
	}
	for (p = buf; (p = strstr(p, "\nT(")) && n < MAX_TESTS; p += 3) {
		size_t l = strcspn(p + 3, ")");

		snprintf(names[n++], 96, "%.*s", (int)l, p + 3);
	}
	free(buf);
	return n;
}

static int row_cmp(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	int c = strcmp(x->subject, y->subject);

	return c ? c : strcmp(x->err, y->err);
}

static const char *why_unreachable(const struct row *r)
{
	for (unsigned i = 0; i < NUNR; i++)
		if (!strcmp(unreachable[i].subject, r->subject) &&
		    !strcmp(unreachable[i].err, r->err))
			return unreachable[i].why;
	return NULL;
}

/* The table, and how many required errors have neither test nor reason. */
/* Only the bad_ tests are counted: other suites' tests added to tests.def
 * leave the table as it is. */
static unsigned table(char *out, size_t size, unsigned nbad)
{
	size_t n = 0;
	unsigned missing = 0;

	qsort(rows, nrows, sizeof(rows[0]), row_cmp);
	n += (size_t)snprintf(out + n, size - n,
			      "%s\n<!-- made by captest-coverage --write from "
			      "invocations.def and tests.def -->\n\n"
			      "%u hostile tests (`bad_`).\n\n"
			      "| Invocation or call | Error | Tests |\n"
			      "|---|---|---|\n",
			      BEGIN_MARK, nbad);
	for (unsigned i = 0; i < nrows && n < size; i++) {
		const struct row *r = &rows[i];
		const char *why = why_unreachable(r);
		char up[64];
		unsigned j;

		for (j = 0; j < sizeof(up) - 1 && r->subject[j]; j++)
			up[j] = (char)toupper((unsigned char)r->subject[j]);
		up[j] = 0;
		if (!r->tests[0] && !why)
			missing++;
		n += (size_t)snprintf(out + n, size - n, "| %s | E_%s%s | %s%s%s |\n", up,
				      r->err, r->required ? "" : " (also)",
				      r->tests[0] ? r->tests : "",
				      why ? (r->tests[0] ? "; " : "unreachable: ") : "",
				      why && !r->tests[0] ? why : "");
	}
	snprintf(out + n, size - n, "%s\n", END_MARK);
	return missing;
}

int main(int argc, char **argv)
{
	static char names[MAX_TESTS][96], out[1 << 18];
	unsigned ntests, nbad = 0, missing;
	int write;
	char *doc, *b, *e;

	if (argc != 4 || (strcmp(argv[1], "--check") && strcmp(argv[1], "--write"))) {
		fprintf(stderr,
			"usage: captest-coverage --check|--write tests.def testing.md\n");
		return 2;
	}
	write = !strcmp(argv[1], "--write");
	require_all();
	ntests = read_tests(argv[2], names);
	for (unsigned i = 0; i < ntests; i++) {
		if (strncmp(names[i], "bad_", 4))
			continue;
		nbad++;
		if (classify(names[i])) {
			fprintf(stderr,
				"captest-coverage: %s names no known call and error\n",
				names[i]);
			return 1;
		}
	}
	for (unsigned i = 0; i < sizeof(older) / sizeof(older[0]); i++) {
		unsigned j;

		for (j = 0; j < ntests && strcmp(names[j], older[i].test); j++)
			;
		if (j == ntests) {
			fprintf(stderr, "captest-coverage: no test %s\n", older[i].test);
			return 1;
		}
		add_test(row_for(older[i].subject, older[i].err), older[i].test);
	}
	missing = table(out, sizeof(out), nbad);
	doc = slurp(argv[3]);
	b = doc ? strstr(doc, BEGIN_MARK) : NULL;
	e = b ? strstr(b, END_MARK) : NULL;
	if (write) {
		FILE *f;

		if (!e) {
			fprintf(stderr, "captest-coverage: no markers in %s\n", argv[3]);
			return 1;
		}
		f = fopen(argv[3], "wb");
		if (!f)
			return 1;
		fwrite(doc, 1, (size_t)(b - doc), f);
		fputs(out, f);
		e += strlen(END_MARK);
		fputs(*e == '\n' ? e + 1 : e, f);
		fclose(f);
	} else if (!e || strncmp(b, out, strlen(out))) {
		fprintf(stderr,
			"captest-coverage: %s's table is not what invocations.def and "
			"tests.def say: run build/tools/captest-coverage --write\n",
			argv[3]);
		return 1;
	}
	if (missing) {
		for (unsigned i = 0; i < nrows; i++)
			if (!rows[i].tests[0] && !why_unreachable(&rows[i]))
				fprintf(stderr,
					"captest-coverage: no test reaches %s E_%s\n",
					rows[i].subject, rows[i].err);
		return 1;
	}
	printf(
	    "captest-coverage: %u tests, %u bad_, %u (call, error) pairs, all covered or "
	    "explained\n",
	    ntests, nbad, nrows);
	return 0;
}
