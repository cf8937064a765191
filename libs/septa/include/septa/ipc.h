/*
 * IPC and invocations for user-level programs. A message is an info word
 * (label, capability count, length) and message registers: the first four
 * travel in registers, the rest in the calling thread's IPC buffer, whose
 * address the thread keeps in TPIDR_EL0.
 */
#pragma once
#include <septa/abi.h>
#include <stddef.h>

struct septa_msg {
	uint64_t info;
	uint64_t mr[SEPTA_MSG_REGS];
	uint64_t badge; /* set on receive */
};

static inline struct septa_ipc_buffer *septa_ipc_buffer(void)
{
	uint64_t p;

	__asm__ volatile("mrs %0, tpidr_el0" : "=r"(p));
	return (struct septa_ipc_buffer *)(uintptr_t)p;
}

static inline void septa_set_ipc_buffer(struct septa_ipc_buffer *b)
{
	__asm__ volatile("msr tpidr_el0, %0" ::"r"((uint64_t)(uintptr_t)b));
}

/* Message register i of m (the IPC buffer beyond the fourth). */
static inline uint64_t septa_mr(const struct septa_msg *m, unsigned i)
{
	return i < SEPTA_MSG_REGS ? m->mr[i] : septa_ipc_buffer()->msg[i];
}

static inline void septa_set_mr(struct septa_msg *m, unsigned i, uint64_t v)
{
	if (i < SEPTA_MSG_REGS)
		m->mr[i] = v;
	else
		septa_ipc_buffer()->msg[i] = v;
}

/* The raw system call: x0-x6 in and out, number in x7; returns x0. Always
 * inlined, so that where the message is known at compile time (the
 * invocation stubs) the struct dissolves and the words go straight into
 * x2-x5. */
static inline __attribute__((always_inline)) long septa_ipc(long nr, uint64_t cptr,
							    struct septa_msg *m)
{
	register uint64_t x0 __asm__("x0") = cptr;
	register uint64_t x1 __asm__("x1") = m->info;
	register uint64_t x2 __asm__("x2") = m->mr[0];
	register uint64_t x3 __asm__("x3") = m->mr[1];
	register uint64_t x4 __asm__("x4") = m->mr[2];
	register uint64_t x5 __asm__("x5") = m->mr[3];
	register uint64_t x6 __asm__("x6") = 0;
	register uint64_t x7 __asm__("x7") = (uint64_t)nr;

	__asm__ volatile("svc #0"
			 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3), "+r"(x4), "+r"(x5),
			   "+r"(x6)
			 : "r"(x7)
			 : "memory");
	m->info = x1;
	m->mr[0] = x2;
	m->mr[1] = x3;
	m->mr[2] = x4;
	m->mr[3] = x5;
	m->badge = x6;
	return (long)x0;
}

static inline long septa_call(uint64_t cptr, struct septa_msg *m)
{
	return septa_ipc(SEPTA_SYS_CALL, cptr, m);
}
static inline long septa_send(uint64_t cptr, struct septa_msg *m)
{
	return septa_ipc(SEPTA_SYS_SEND, cptr, m);
}
static inline long septa_nbsend(uint64_t cptr, struct septa_msg *m)
{
	return septa_ipc(SEPTA_SYS_NBSEND, cptr, m);
}
static inline long septa_recv(uint64_t cptr, struct septa_msg *m)
{
	return septa_ipc(SEPTA_SYS_RECV, cptr, m);
}
static inline long septa_nbrecv(uint64_t cptr, struct septa_msg *m)
{
	return septa_ipc(SEPTA_SYS_NBRECV, cptr, m);
}
static inline long septa_reply(struct septa_msg *m)
{
	return septa_ipc(SEPTA_SYS_REPLY, 0, m);
}
static inline long septa_reply_recv(uint64_t cptr, struct septa_msg *m)
{
	return septa_ipc(SEPTA_SYS_REPLY_RECV, cptr, m);
}
long septa_yield(void);
/* Notifications: signal is a send, wait a receive, poll a non-blocking one. */
long septa_signal(uint64_t ntfn);
long septa_wait(uint64_t ntfn, uint64_t *badge);
long septa_poll(uint64_t ntfn, uint64_t *badge);

/*
 * Invocations of kernel objects; each returns a septa_error. Their stubs
 * come from septa/invocations.def: septa_<name>(obj, ...) takes the
 * invoked capability, then the listed arguments in the table's order (a
 * cptr for each capability, a pointer for each reply register, written on
 * success). Those marked CUSTOM there are declared below.
 */
#define SEPTA_STUB_PARAM_MR(ctype, field, doc)	, ctype field
#define SEPTA_STUB_PARAM_CAP(field, doc)	, uint64_t field
#define SEPTA_STUB_PARAM_OUT(ctype, field, doc) , ctype *field
#define SEPTA_STUB_PARAMS(NAME)                                                          \
	uint64_t obj SEPTA_ARGS_##NAME(SEPTA_STUB_PARAM_MR, SEPTA_STUB_PARAM_CAP,        \
				       SEPTA_STUB_PARAM_OUT)
#define SEPTA_STUB_DECL_STUB(NAME, name) long septa_##name(SEPTA_STUB_PARAMS(NAME));
#define SEPTA_STUB_DECL_CUSTOM(NAME, name)
#define SEPTA_STUB_DECL(OBJ, NAME, name, label, stub, ...)                               \
	SEPTA_STUB_DECL_##stub(NAME, name)
SEPTA_INVOCATIONS(SEPTA_STUB_DECL)
#undef SEPTA_STUB_DECL

/* regs[0] = pc, regs[1] = sp, regs[2 + n] = xn */
long septa_tcb_read_registers(uint64_t tcb, uint64_t count, uint64_t *regs);
long septa_tcb_write_registers(uint64_t tcb, uint64_t resume, uint64_t count,
			       const uint64_t *regs);
/* Where a call that failed with SEPTA_E_NO_TABLE stopped, having changed
 * nothing: the level whose entry has no table, and how many PageTables it
 * needs beyond those it was given. */
struct septa_no_table {
	unsigned level;
	unsigned missing;
};
/* Maps a frame, taking the tables it finds missing from pts (up to
 * SEPTA_FRAME_MAP_TABLES, used in order; those not needed stay unmapped).
 * On SEPTA_E_NO_TABLE, call again with nt->missing more PageTables (if
 * that is more than SEPTA_FRAME_MAP_TABLES, map the top ones first with
 * septa_page_table_map, as septa_frame_map_with_tables does). */
long septa_frame_map(uint64_t frame, uint64_t vspace, uint64_t ipa, uint64_t rights,
		     uint64_t owner, unsigned npt, const uint64_t *pts,
		     struct septa_no_table *nt);
/* Where septa_frame_map_with_tables gets PageTables: make(arg) returns a
 * fresh PageTable capability (0: none left); drop(arg, pt), if not NULL,
 * takes back one that make gave and that nothing linked because the map
 * failed, so a failure leaves no table behind. */
struct septa_table_source {
	uint64_t (*make)(void *arg);
	void (*drop)(void *arg, uint64_t pt);
	void *arg;
};
/* septa_frame_map, and if tables are missing, src makes exactly as many
 * PageTables as the kernel reports and they go in with the frame: one
 * kernel call when none is missing, and then one to map. */
long septa_frame_map_with_tables(uint64_t frame, uint64_t vspace, uint64_t ipa,
				 uint64_t rights, uint64_t owner,
				 const struct septa_table_source *src,
				 struct septa_no_table *nt);
/* Links a PageTable at `level` (of its entries); the tables above must be
 * there: on SEPTA_E_NO_TABLE, nt says which level has none. */
long septa_page_table_map(uint64_t pt, uint64_t vspace, uint64_t ipa, uint64_t level,
			  struct septa_no_table *nt);
/* out: physical address (0 if unmapped), level, SEPTA_MAP_* rights, owner state */
long septa_vspace_query(uint64_t vspace, uint64_t ipa, uint64_t out[4]);
/* Keeps only `keep` (SEPTA_MAP_*) of the rights in [ipa, ipa+size); up to 3
 * PageTables for splitting blocks. On SEPTA_E_NO_TABLE, nt as for maps. */
long septa_vspace_protect(uint64_t vspace, uint64_t ipa, uint64_t size, uint64_t keep,
			  unsigned npt, const uint64_t *pts, struct septa_no_table *nt);
