/*
 * The server thread's loop: one request at a time, the caller known by its
 * badge. Decoding here checks only the message's shape; the operations
 * (ops.c) check the pages. Faults of the servers memsrv started arrive on
 * the same endpoint under a badge with CTRL_FAULT: they are reported and
 * the server stays stopped (no reply), so nothing it did is undone behind
 * its back and the others go on.
 */
#include <stdio.h>
#include <string.h>
#include "memsrv.h"

static unsigned live_servers;

void serve_count_server(void)
{
	live_servers++;
}

static void report_fault(unsigned id, const struct septa_msg *m)
{
	static const char *const what[] = {
	    [SEPTA_FAULT_ABORT] = "memory fault",
	    [SEPTA_FAULT_UNKNOWN_SYSCALL] = "unknown system call",
	    [SEPTA_FAULT_EXCEPTION] = "exception",
	    [SEPTA_FAULT_SYSREG] = "system register",
	};
	unsigned label = (unsigned)SEPTA_MSG_LABEL(m->info);

	printf("memsrv: server '%s' (client %u) stopped: %s, pc %#llx, %#llx, %#llx, "
	       "%#llx\n",
	       clients[id].name, id,
	       label < sizeof(what) / sizeof(what[0]) && what[label] ? what[label]
								     : "fault",
	       (unsigned long long)m->mr[0] /* every fault but HVC: the PC */,
	       (unsigned long long)m->mr[1], (unsigned long long)m->mr[2],
	       (unsigned long long)m->mr[3]);
	if (--live_servers == 0) {
		printf("memsrv: no server left running\n");
		memsrv_power_off(1);
	}
}

static int op_query(unsigned me, const uint64_t *mr, unsigned len, uint64_t *out)
{
	uint64_t page;
	struct grant *g;

	if (len < 1)
		return MEMSRV_E_ARG;
	if (mr[0] % SEPTA_PAGE_SIZE)
		return MEMSRV_E_ALIGN;
	if (mr[0] < pool.base || (mr[0] - pool.base) / SEPTA_PAGE_SIZE >= pool.pages)
		return MEMSRV_E_RANGE;
	page = (mr[0] - pool.base) / SEPTA_PAGE_SIZE;
	out[0] = own_query(&pool.db, me, page);
	/* Whose a page is, is nobody else's business. */
	out[1] =
	    out[0] == MEMSRV_VIEW_NONE ? MEMSRV_OWNER_HIDDEN : pool.db.pages[page].owner;
	g = grant_find(me, page);
	out[2] = g && (g->flags & G_MAPPED) ? g->ipa + (page - g->page) * SEPTA_PAGE_SIZE
					    : ~0ULL;
	out[3] = g ? g->rights : 0;
	out[4] = out[0] == MEMSRV_VIEW_NONE ? 0 : pool.db.pages[page].nborrowers;
	return MEMSRV_OK;
}

/* A server names a VSpace it made (by its slot in the server's own CNode),
 * and optionally the new client's quota of pages (at most its own); memsrv
 * copies the capability and makes the VSpace a client. */
static int op_register(unsigned me, const uint64_t *mr, unsigned len, uint64_t *id)
{
	uint64_t s, q[4], quota;
	unsigned c;

	if (len < 1)
		return MEMSRV_E_ARG;
	if (!clients[me].server)
		return MEMSRV_E_PERM;
	if (mr[0] >= (1u << MEMSRV_SERVER_CNODE_BITS))
		return MEMSRV_E_ARG;
	quota = len > 1 ? mr[1] : clients[me].quota_pages;
	if (quota > clients[me].quota_pages || clients[me].subs >= clients[me].quota_subs)
		return MEMSRV_E_QUOTA;
	if (!cs_reserve(1) || !(s = cs_alloc(1)))
		return MEMSRV_E_NO_MEMORY;
	/* Read only: were it an endpoint, the query below would be a send that
	 * blocks memsrv; without Write it fails at once. Maps into a VSpace
	 * need no rights on its capability. */
	if (septa_cnode_copy(cs_top, s, CS_DEPTH, clients[me].cnode, mr[0], 64,
			     SEPTA_RIGHT_READ) ||
	    septa_vspace_query(s, 0, q) != SEPTA_OK) {
		cs_delete(s);
		return MEMSRV_E_ARG; /* not a VSpace capability */
	}
	if (!(c = client_new(s, clients[me].name))) {
		cs_delete(s);
		return MEMSRV_E_FULL;
	}
	clients[c].parent = (uint8_t)me;
	clients[c].quota_pages = clients[c].room_pages = quota; /* no sub-clients */
	clients[me].subs++;
	*id = c;
	return MEMSRV_OK;
}

/* Whom a request is for: the caller, or a client it registered (MEMSRV_AS). */
static int caller(unsigned me, const struct septa_msg *m)
{
	unsigned as = MEMSRV_LABEL_AS((unsigned)SEPTA_MSG_LABEL(m->info));

	if (me == 0 || me >= MEMSRV_MAX_CLIENTS || !clients[me].vspace)
		return MEMSRV_E_CLIENT;
	if (!as)
		return (int)me;
	if (as >= MEMSRV_MAX_CLIENTS || !clients[as].vspace)
		return MEMSRV_E_CLIENT;
	if (clients[as].parent != me)
		return MEMSRV_E_PERM;
	return (int)as;
}

static int dispatch(unsigned me, struct septa_msg *m, uint64_t *out, unsigned *nout)
{
	unsigned label = MEMSRV_LABEL_OP((unsigned)SEPTA_MSG_LABEL(m->info));
	unsigned len = SEPTA_MSG_LEN(m->info);
	uint64_t mr[8] = {0};

	for (unsigned i = 0; i < len && i < 8; i++)
		mr[i] = septa_mr(m, i);
	switch (label) {
	case MEMSRV_ALLOC:
		*nout = 1;
		if (len < 4)
			return MEMSRV_E_ARG;
		if (mr[3] > MEMSRV_RWX) /* before narrowing: no high bits dropped */
			return MEMSRV_E_RIGHTS;
		return op_alloc(me, mr[0], mr[1], mr[2], (unsigned)mr[3], &out[0]);
	case MEMSRV_FREE:
	case MEMSRV_SHARE:
	case MEMSRV_UNSHARE:
	case MEMSRV_LEND:
	case MEMSRV_RECLAIM:
	case MEMSRV_DONATE:
		return op_range(me, label, mr, len);
	case MEMSRV_QUERY:
		*nout = 5;
		return op_query(me, mr, len, out);
	case MEMSRV_AUDIT: {
		struct memsrv_audit a;

		audit_run(&a);
		idle_audit(&a);
		out[0] = a.checked;
		out[1] = a.differences;
		out[2] = a.kind;
		out[3] = a.client;
		out[4] = a.ipa;
		out[5] = idle_pooled();
		*nout = 6;
		return MEMSRV_OK;
	}
	case MEMSRV_ACCEPT:
		return op_accept(me, mr, len);
	case MEMSRV_REGISTER:
		*nout = 1;
		return op_register(me, mr, len, &out[0]);
	case MEMSRV_SHUTDOWN:
		if (!clients[me].server)
			return MEMSRV_E_PERM;
		if (len < 1)
			return MEMSRV_E_ARG;
		printf("memsrv: server '%s' powers the machine off (status %d)\n",
		       clients[me].name, (int)mr[0]);
		memsrv_power_off((int)mr[0]);
	default:
		return MEMSRV_E_LABEL;
	}
}

void serve(uint64_t ep)
{
	struct septa_msg m = {0};
	bool reply = false;

	for (;;) {
		uint64_t out[6] = {0};
		unsigned nout = 0, me;
		long err = reply ? septa_reply_recv(ep, &m) : septa_recv(ep, &m);
		int r;

		reply = false;
		if (err)
			continue;
		me = (unsigned)(m.badge & 0xff);
		if (m.badge & CTRL_IDLE) {
			m.info = septa_msginfo(idle_refill(), 0, 0);
			reply = true;
			continue;
		}
		if (m.badge & CTRL_FAULT) {
			report_fault(me, &m);
			continue;
		}
		r = caller(me, &m);
		if (r > 0) {
			me = (unsigned)r;
			r = dispatch(me, &m, out, &nout);
		}
		if (r != MEMSRV_OK)
			nout = 0;
		m.info = septa_msginfo((uint64_t)-r, 0, nout);
		for (unsigned i = 0; i < nout; i++)
			septa_set_mr(&m, i, out[i]);
		reply = true;
	}
}
