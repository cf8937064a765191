/*
 * Two guests sharing memory through the hypercalls (docs/hypercalls.md).
 * The one with the odd VM id owns a page of its shareable range; it shares
 * it with the next VM, which answers through it; then unshares, lends and
 * reclaims it. Each step is announced by a doorbell whose mailbox value
 * says what happened, and both sides check that access appears and
 * disappears as it should.
 */
#include "lib/glib.h"

#define PAGE	 0x40400000UL /* in the shareable range of the configuration */
#define PEER_IPA 0x50000000UL /* where the peer sees it */
#define SHAREABLE_PAGES                                                                  \
	16 /* shareable = <... 0x10000> in every configuration that runs it */
#define PEER_LENT 0x50001000UL
#define MSG_WORDS 8

static void say(volatile uint64_t *p, const char *s)
{
	for (unsigned i = 0; i < MSG_WORDS; i++) {
		uint64_t w = 0;

		for (unsigned b = 0; b < 8 && *s; b++)
			w |= (uint64_t)(uint8_t)*s++ << (8 * b);
		p[i] = w;
	}
}

static void show(const char *who, volatile uint64_t *p)
{
	char buf[MSG_WORDS * 8 + 1];

	for (unsigned i = 0; i < MSG_WORDS * 8; i++)
		buf[i] = (char)(p[i / 8] >> (8 * (i % 8)));
	buf[MSG_WORDS * 8] = 0;
	gprintf("%s reads: \"%s\"\n", who, buf);
}

/* Waits for the peer's next doorbell; one check, by the step's name, that
 * it came from the peer with the value that says what it did. */
static void next_mail(unsigned *seen, unsigned from, uint64_t value, const char *what)
{
	struct hvc_ret r;

	wait_doorbell((*seen)++);
	r = hvc(SEPTA_HC_MAILBOX, 0, 0, 0, 0, 0);
	check(r.x0 == 0 && r.x1 == from && r.x2 == value, what);
}

/*
 * Whether a DOORBELL to the peer comes back NO_VM within POLLS calls: it
 * does once the peer has powered off. Nothing the owner can wait on
 * orders that after the peer's last ring, hence the poll. Each call is an
 * exit to vmsrv, a turn in which the peer's vCPU runs and its SYSTEM_OFF
 * is handled: calls are counted, not time, and POLLS is only the backstop
 * that ends a wait that would not end.
 */
#define POLLS 100000u
static bool peer_gone(unsigned peer)
{
	for (unsigned i = 0; i < POLLS; i++)
		if (hvc(SEPTA_HC_DOORBELL, peer, 5, 0, 0, 0).x0 == SEPTA_HC_E_NO_VM)
			return true;
	return false;
}

static void owner(unsigned me, unsigned peer)
{
	volatile uint64_t *page = (volatile uint64_t *)PAGE;
	unsigned seen = 0;
	uint32_t v;

	next_mail(&seen, peer, 0, "the borrower is ready");
	/* The borrower's first probe aborted before it rang; this VM has
	 * had none: vmsrv's accounting shows a VM its own exits only. */
	check(hvc(SEPTA_HC_EXIT_STATS, SEPTA_EXIT_ABORT, 0, 0, 0, 0).x1 == 0,
	      "EXIT_STATS counts none of the peer's aborts");
	say(page, "the owner wrote this");
	/* memsrv takes 32 bits of rights: the high half must be refused, not
	 * cut off (the share would then go through). */
	check(hvc(SEPTA_HC_SHARE, PAGE, 1, peer, PEER_IPA,
		  1ULL << 32 | SEPTA_HC_R | SEPTA_HC_W)
		      .x0 == SEPTA_HC_E_INVALID,
	      "SHARE with rights past 32 bits: INVALID");
	check(hvc(SEPTA_HC_SHARE, PAGE, 1, peer, PEER_IPA, SEPTA_HC_R | SEPTA_HC_W).x0 ==
		  0,
	      "SHARE one page read-write");
	check(hvc(SEPTA_HC_SHARE, PAGE, 1, peer, PEER_IPA, SEPTA_HC_R).x0 ==
		  SEPTA_HC_E_BUSY,
	      "SHARE it again: BUSY");
	check(hvc(SEPTA_HC_SHARE, PAGE, 1, me, PEER_IPA, SEPTA_HC_R).x0 ==
		  SEPTA_HC_E_NO_VM,
	      "SHARE with myself: NO_VM");
	check(hvc(SEPTA_HC_SHARE, 0x40080000, 1, peer, PEER_IPA, SEPTA_HC_R).x0 ==
		  SEPTA_HC_E_NOT_SHAREABLE,
	      "SHARE my code: NOT_SHAREABLE");
	/* With a real peer, memsrv's own refusal of an unaligned page is
	 * INVALID too; naming no peer shows vmsrv checks the address itself,
	 * first (docs/hypercalls.md): NO_VM would say it did not. */
	check(hvc(SEPTA_HC_SHARE, PAGE + 8, 1, me, PEER_IPA, SEPTA_HC_R).x0 ==
		  SEPTA_HC_E_INVALID,
	      "SHARE from an unaligned address: INVALID, before the peer");
	check(hvc(SEPTA_HC_SHARE, PAGE + 0x1000, 1, peer, 0x40000000, SEPTA_HC_R).x0 ==
		  SEPTA_HC_E_INVALID,
	      "SHARE into the peer's RAM: INVALID");
	/* At the shareable range's edges (SHAREABLE_PAGES, as every config
	 * that runs this guest says): one page more than it holds, and one
	 * page that runs past its end. */
	check(hvc(SEPTA_HC_SHARE, PAGE, SHAREABLE_PAGES + 1, peer, PEER_IPA, SEPTA_HC_R)
		      .x0 == SEPTA_HC_E_INVALID,
	      "SHARE one page more than the range holds: INVALID");
	check(hvc(SEPTA_HC_SHARE, PAGE + (SHAREABLE_PAGES - 1) * 0x1000, 2, peer,
		  PEER_IPA, SEPTA_HC_R)
		      .x0 == SEPTA_HC_E_NOT_SHAREABLE,
	      "SHARE past the range's end: NOT_SHAREABLE");
	check(hvc(SEPTA_HC_RECLAIM, PAGE, 1, 0, 0, 0).x0 == SEPTA_HC_E_DENIED,
	      "RECLAIM a shared page: DENIED");
	hvc(SEPTA_HC_DOORBELL, peer, 1, 0, 0, 0);
	next_mail(&seen, peer, 1, "the peer answered");
	show("owner", page);
	check(probe_read(PAGE, &v), "the owner still reads its shared page");
	check(hvc(SEPTA_HC_UNSHARE, PAGE, 1, peer, 0, 0).x0 == 0, "UNSHARE");
	hvc(SEPTA_HC_DOORBELL, peer, 2, 0, 0, 0);
	next_mail(&seen, peer, 2, "the peer lost access");
	check(hvc(SEPTA_HC_LEND, PAGE, 1, peer, PEER_LENT, SEPTA_HC_R | SEPTA_HC_W).x0 ==
		  0,
	      "LEND the page");
	check(!probe_read(PAGE, &v), "a lent page is gone for its owner");
	hvc(SEPTA_HC_DOORBELL, peer, 3, 0, 0, 0);
	next_mail(&seen, peer, 3, "the borrower used it");
	check(hvc(SEPTA_HC_RECLAIM, PAGE, 1, 0, 0, 0).x0 == 0, "RECLAIM");
	check(probe_read(PAGE, &v) && v == 0xb0bb1e,
	      "reclaimed, with the borrower's write");
	hvc(SEPTA_HC_DOORBELL, peer, 4, 0, 0, 0);
	next_mail(&seen, peer, 4, "the borrower lost it again");
	/* Its last step done, the borrower powers off: a VM that is not
	 * running is no VM to name (docs/hypercalls.md). */
	check(peer_gone(peer), "the borrower, powered off, is NO_VM to a DOORBELL");
	check(hvc(SEPTA_HC_SHARE, PAGE, 1, peer, PEER_IPA, SEPTA_HC_R).x0 ==
		  SEPTA_HC_E_NO_VM,
	      "SHARE with the powered-off borrower: NO_VM");
}

static void borrower(unsigned owner_id)
{
	volatile uint64_t *shared = (volatile uint64_t *)PEER_IPA;
	unsigned seen = 0;
	uint32_t v;

	check(!probe_read(PEER_IPA, &v), "nothing at the window before the share");
	hvc(SEPTA_HC_DOORBELL, owner_id, 0, 0, 0, 0);
	next_mail(&seen, owner_id, 1, "told the page is shared");
	show("borrower", shared);
	say(shared, "and the borrower answered");
	hvc(SEPTA_HC_DOORBELL, owner_id, 1, 0, 0, 0);
	next_mail(&seen, owner_id, 2, "told the share is over");
	check(!probe_read(PEER_IPA, &v) && !probe_write(PEER_IPA, 1),
	      "unshared: reads and writes fault");
	hvc(SEPTA_HC_DOORBELL, owner_id, 2, 0, 0, 0);
	next_mail(&seen, owner_id, 3, "told the page is lent");
	check(probe_write(PEER_LENT, 0xb0bb1e) && probe_read(PEER_LENT, &v) &&
		  v == 0xb0bb1e,
	      "the lent page is mine to write");
	hvc(SEPTA_HC_DOORBELL, owner_id, 3, 0, 0, 0);
	next_mail(&seen, owner_id, 4, "told the page is reclaimed");
	check(!probe_read(PEER_LENT, &v), "reclaimed: it faults");
	hvc(SEPTA_HC_DOORBELL, owner_id, 4, 0, 0, 0);
}

void guest_main(uint64_t dtb)
{
	unsigned n;
	int64_t me = vm_id(&n, 0);

	(void)dtb;
	gic_init();
	gprintf("share: VM %d, %s\n", (int)me, me % 2 ? "owner" : "borrower");
	if (me % 2)
		owner((unsigned)me, (unsigned)me + 1);
	else
		borrower((unsigned)me - 1);
}
