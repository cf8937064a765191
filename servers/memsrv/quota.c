/*
 * Quotas and consent: what keeps one client from taking what others need
 * or from putting pages into an address space that did not ask for them
 * (docs/ownership.md, "Quotas" and "Consent").
 *
 * A client's quota counts the pages it owns (shared and lent ones too: it
 * still owns them) and, for a server, its sub-clients' pages as well, so
 * that registering VSpaces cannot multiply a server's memory (the books,
 * quota_room and quota_move, are inline in memsrv.h). The servers'
 * quotas come from the boot archive's "memsrv.quota" module; a sub-client's
 * from its parent at REGISTER (vmsrv: the VM's configured memory).
 */
#include <bootfmt/bootarc.h>
#include <stdio.h>
#include <string.h>
#include "memsrv.h"

#define QUOTA_MODULE "memsrv.quota"
#define QUOTA_LINES  16u

static struct quota_line {
	char name[BOOTARC_NAME_LEN];
	uint64_t pages; /* ~0: the default */
	unsigned subs;	/* ~0u: the default */
} lines[QUOTA_LINES];
static unsigned nlines;

bool client_valid(uint64_t c)
{
	return c > 0 && c < MEMSRV_MAX_CLIENTS && clients[c].vspace;
}

/* One field: a decimal number, or '*' for the default. */
static const char *field(const char *p, const char *end, uint64_t max, uint64_t *v)
{
	uint64_t x = 0;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p < end && *p == '*') {
		*v = ~0ULL;
		return p + 1;
	}
	if (p == end || *p < '0' || *p > '9')
		return NULL;
	for (; p < end && *p >= '0' && *p <= '9'; p++) {
		if (x > (max - (uint64_t)(*p - '0')) / 10)
			return NULL;
		x = x * 10 + (uint64_t)(*p - '0');
	}
	*v = x;
	return p;
}

/* "NAME PAGES SUBCLIENTS", one server a line; '#' starts a comment. */
static bool parse_line(const char *p, const char *end, unsigned no)
{
	struct quota_line *q = &lines[nlines];
	const char *s;
	uint64_t subs;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p == end || *p == '#')
		return true;
	if (nlines == QUOTA_LINES) {
		printf("memsrv: %s: more than %u servers\n", QUOTA_MODULE, QUOTA_LINES);
		return false;
	}
	for (s = p; p < end && *p != ' ' && *p != '\t'; p++)
		;
	if ((size_t)(p - s) >= sizeof(q->name)) {
		printf("memsrv: %s line %u: name too long\n", QUOTA_MODULE, no);
		return false;
	}
	memset(q->name, 0, sizeof(q->name));
	memcpy(q->name, s, (size_t)(p - s));
	if (!(p = field(p, end, ~0ULL - 1, &q->pages)) ||
	    !(p = field(p, end, MEMSRV_MAX_CLIENTS - 1, &subs))) {
		printf("memsrv: %s line %u: not 'server pages sub-clients'\n",
		       QUOTA_MODULE, no);
		return false;
	}
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p != end && *p != '#') {
		printf("memsrv: %s line %u: more than three fields\n", QUOTA_MODULE, no);
		return false;
	}
	q->subs = subs == ~0ULL ? ~0u : (unsigned)subs;
	nlines++;
	return true;
}

bool quota_load(const struct septa_bootinfo *bi)
{
	struct bootarc arc;
	struct bootarc_module mod;
	const char *p, *end;

	if (bootarc_open(&arc, (const void *)(uintptr_t)bi->modules_base,
			 bi->modules_size) ||
	    bootarc_find(&arc, QUOTA_MODULE, &mod))
		return true; /* none: every server gets the defaults */
	p = mod.data;
	end = p + mod.size;
	for (unsigned no = 1; p < end; no++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;

		if (!parse_line(p, le, no))
			return false;
		p = le + (nl ? 1 : 0);
	}
	return true;
}

/* The defaults: no limit beyond the pool and the client table. The boot
 * image's servers are the integrator's (vmsrv must be able to give all free
 * memory to the VMs the configuration asks for); what they register is
 * bounded by what they are given. */
void quota_of_server(unsigned c)
{
	clients[c].quota_pages = ~0ULL;
	clients[c].quota_subs = MEMSRV_MAX_CLIENTS - 1;
	for (unsigned i = 0; i < nlines; i++)
		if (strcmp(lines[i].name, clients[c].name) == 0) {
			if (lines[i].pages != ~0ULL)
				clients[c].quota_pages = lines[i].pages;
			if (lines[i].subs != ~0u)
				clients[c].quota_subs = (uint8_t)lines[i].subs;
		}
	clients[c].room_pages = clients[c].quota_pages; /* it owns none yet */
}

int consent_window(unsigned me, unsigned to, uint64_t ipa, uint64_t pages)
{
	for (unsigned i = 0; i < CLIENT_WINDOWS; i++) {
		const struct window *w = &clients[to].windows[i];

		if (w->used && w->from == me && ipa >= w->ipa && ipa < w->end &&
		    pages <= (w->end - ipa) / SEPTA_PAGE_SIZE)
			return MEMSRV_OK;
	}
	return MEMSRV_E_CONSENT;
}

/* ACCEPT: MR ipa, pages, from. */
int op_accept(unsigned me, const uint64_t *mr, unsigned len)
{
	struct window *free = NULL;

	if (len < 3)
		return MEMSRV_E_ARG;
	if (!client_valid(mr[2]))
		return MEMSRV_E_CLIENT;
	if (mr[2] == me)
		return MEMSRV_E_SELF;
	if (mr[0] % SEPTA_PAGE_SIZE)
		return MEMSRV_E_ALIGN;
	if (mr[1] == 0) {
		for (unsigned i = 0; i < CLIENT_WINDOWS; i++)
			if (clients[me].windows[i].from == mr[2])
				clients[me].windows[i].used = false;
		return MEMSRV_OK;
	}
	if (mr[1] > (~0ULL - mr[0]) / SEPTA_PAGE_SIZE)
		return MEMSRV_E_IPA_RANGE;
	for (unsigned i = 0; i < CLIENT_WINDOWS && !free; i++)
		if (!clients[me].windows[i].used)
			free = &clients[me].windows[i];
	if (!free)
		return MEMSRV_E_FULL;
	*free =
	    (struct window){mr[0], mr[0] + mr[1] * SEPTA_PAGE_SIZE, (uint8_t)mr[2], true};
	return MEMSRV_OK;
}
