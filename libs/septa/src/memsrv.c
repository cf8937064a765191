/* Client side of the memory server's interface (<septa/memsrv.h>). */
#include <septa/ipc.h>
#include <septa/memsrv.h>

/* One call: n argument words in, up to nout result words back. */
static long call(uint64_t ep, unsigned label, const uint64_t *args, unsigned n,
		 uint64_t *out, unsigned nout)
{
	struct septa_msg m = {.info =
				  septa_msginfo(label | (ep >> 32 & 0xff) << 8, 0, n)};
	long err;

	ep &= 0xffffffffu;
	for (unsigned i = 0; i < n; i++)
		septa_set_mr(&m, i, args[i]);
	err = septa_call(ep, &m);
	if (err)
		return err;
	if (SEPTA_MSG_LABEL(m.info))
		return -(long)SEPTA_MSG_LABEL(m.info);
	for (unsigned i = 0; i < nout; i++)
		out[i] = i < SEPTA_MSG_LEN(m.info) ? septa_mr(&m, i) : 0;
	return MEMSRV_OK;
}

long memsrv_alloc(uint64_t ep, uint64_t pages, uint64_t align, uint64_t ipa,
		  uint64_t rights, uint64_t *pa)
{
	uint64_t a[] = {pages, align, ipa, rights};

	return call(ep, MEMSRV_ALLOC, a, 4, pa, 1);
}

long memsrv_free(uint64_t ep, uint64_t pa, uint64_t pages)
{
	uint64_t a[] = {pa, pages};

	return call(ep, MEMSRV_FREE, a, 2, NULL, 0);
}

long memsrv_share(uint64_t ep, uint64_t pa, uint64_t pages, uint64_t borrower,
		  uint64_t ipa, uint64_t rights)
{
	uint64_t a[] = {pa, pages, borrower, ipa, rights};

	return call(ep, MEMSRV_SHARE, a, 5, NULL, 0);
}

long memsrv_unshare(uint64_t ep, uint64_t pa, uint64_t pages, uint64_t borrower)
{
	uint64_t a[] = {pa, pages, borrower};

	return call(ep, MEMSRV_UNSHARE, a, 3, NULL, 0);
}

long memsrv_lend(uint64_t ep, uint64_t pa, uint64_t pages, uint64_t borrower,
		 uint64_t ipa, uint64_t rights)
{
	uint64_t a[] = {pa, pages, borrower, ipa, rights};

	return call(ep, MEMSRV_LEND, a, 5, NULL, 0);
}

long memsrv_reclaim(uint64_t ep, uint64_t pa, uint64_t pages)
{
	uint64_t a[] = {pa, pages};

	return call(ep, MEMSRV_RECLAIM, a, 2, NULL, 0);
}

long memsrv_donate(uint64_t ep, uint64_t pa, uint64_t pages, uint64_t to, uint64_t ipa)
{
	uint64_t a[] = {pa, pages, to, ipa};

	return call(ep, MEMSRV_DONATE, a, 4, NULL, 0);
}

long memsrv_query(uint64_t ep, uint64_t pa, struct memsrv_query *q)
{
	uint64_t r[5];
	long err = call(ep, MEMSRV_QUERY, &pa, 1, r, 5);

	if (!err)
		*q = (struct memsrv_query){.view = (unsigned)r[0],
					   .owner = (unsigned)r[1],
					   .ipa = r[2],
					   .rights = (unsigned)r[3],
					   .sharers = (unsigned)r[4]};
	return err;
}

long memsrv_audit(uint64_t ep, struct memsrv_audit *a)
{
	uint64_t r[6];
	long err = call(ep, MEMSRV_AUDIT, NULL, 0, r, 6);

	if (!err)
		*a = (struct memsrv_audit){.checked = r[0],
					   .differences = r[1],
					   .kind = (unsigned)r[2],
					   .client = (unsigned)r[3],
					   .ipa = r[4],
					   .ready = r[5]};
	return err;
}

long memsrv_register(uint64_t ep, uint64_t vspace_slot, unsigned *id)
{
	uint64_t r;
	long err = call(ep, MEMSRV_REGISTER, &vspace_slot, 1, &r, 1);

	if (!err)
		*id = (unsigned)r;
	return err;
}

long memsrv_register_quota(uint64_t ep, uint64_t vspace_slot, uint64_t pages,
			   unsigned *id)
{
	uint64_t a[] = {vspace_slot, pages}, r;
	long err = call(ep, MEMSRV_REGISTER, a, 2, &r, 1);

	if (!err)
		*id = (unsigned)r;
	return err;
}

long memsrv_accept(uint64_t ep, uint64_t ipa, uint64_t pages, uint64_t from)
{
	uint64_t a[] = {ipa, pages, from};

	return call(ep, MEMSRV_ACCEPT, a, 3, NULL, 0);
}

long memsrv_shutdown(uint64_t ep, int status)
{
	uint64_t a = (uint64_t)(int64_t)status;

	return call(ep, MEMSRV_SHUTDOWN, &a, 1, NULL, 0);
}

const char *memsrv_strerror(long err)
{
	static const char *const names[] = {"no such operation",
					    "bad argument",
					    "bad page range",
					    "no such client",
					    "not the owner",
					    "shared or lent",
					    "not shared with that borrower",
					    "already shared with that borrower",
					    "not lent",
					    "rights not allowed",
					    "too many borrowers",
					    "cannot do that to oneself",
					    "no memory",
					    "bad alignment",
					    "range splits a block",
					    "target addresses in use",
					    "target addresses outside the VSpace",
					    "not permitted",
					    "table full",
					    "over the client's quota",
					    "the recipient has not accepted it"};

	if (err == MEMSRV_OK)
		return "ok";
	if (err <= MEMSRV_E_LABEL && err >= MEMSRV_E_CONSENT)
		return names[MEMSRV_E_LABEL - err];
	return "kernel error";
}
