/*
 * A peer's mail cannot starve another's (tests/system/vms/mail-fair.dts).
 * The reader (2) is a peer of the hog (1) and of the waiter (3). Both ring
 * it once; the reader reads one mail, then lets the hog ring again before
 * it reads the next, as a reader of one mail per interrupt or per tick
 * lets a sender that rings as soon as it may. Lowest sender first gave the
 * hog's mail every time, and the waiter's never. Each sender says in a
 * page the reader shares with it that its ring went through, so shared
 * memory orders the calls, never time: a sender's ring is unread until
 * its page says so, and a second ring then is BUSY. Last, the reader fills
 * vmsrv's records of its shares: each page shared with both senders.
 */
#include "lib/glib.h"

#define HOG		1u
#define READER		2u
#define WAITER		3u
#define PAGES		0x40400000UL /* the reader's shareable range: a page per sender */
#define PEER_IPA	0x50000000UL /* where each sender sees its page */
#define ROUNDS		4u
#define RW		(SEPTA_HC_R | SEPTA_HC_W)
#define SHAREABLE_PAGES 16u	     /* mail-fair.dts: the reader's range */
#define SPARE_IPA	0x50001000UL /* where each sender sees the others */

/* Each mail from the reader is rung back, then marked as rung in the
 * page; 0 ends it. */
static void sender(void)
{
	volatile uint64_t *page = (volatile uint64_t *)PEER_IPA;
	uint64_t v;

	while ((v = guest_next_mail(READER))) {
		guest_ring(READER, v);
		/* The reader reads it only once the page says rung. */
		check(hvc(SEPTA_HC_DOORBELL, READER, v, 0, 0, 0).x0 == SEPTA_HC_E_BUSY,
		      "rang again before the reader read: BUSY");
		page[0] = v;
	}
}

static void until(volatile uint64_t *p, uint64_t v)
{
	while (*p != v)
		;
}

/*
 * vmsrv keeps a record of each share and lend to undo it at a reset, 32
 * (docs/hypercalls.md): the reader's 16 pages each shared with both
 * senders take them all, the first page with the hog and the second with
 * the waiter already. One more is TOO_MANY, before memsrv is asked (which
 * would say BUSY: every page is shared with both). RW, as the first two:
 * memsrv takes one set of rights for all of a page's borrowers.
 */
static void fill_records(void)
{
	static const unsigned senders[] = {HOG, WAITER}; /* by the page they have */
	bool ok = true;

	for (unsigned i = 0; i < SHAREABLE_PAGES; i++)
		for (unsigned s = 0; s < 2; s++)
			if (i != s)
				ok = ok && hvc(SEPTA_HC_SHARE, PAGES + i * 0x1000, 1,
					       senders[s], SPARE_IPA + i * 0x1000, RW)
						   .x0 == 0;
	check(ok, "each page shared with both senders: 32 records");
	check(hvc(SEPTA_HC_SHARE, PAGES, 1, WAITER, SPARE_IPA, RW).x0 ==
		  SEPTA_HC_E_TOO_MANY,
	      "one share more: TOO_MANY");
}

static void reader(void)
{
	volatile uint64_t *hog = (volatile uint64_t *)PAGES,
			  *waiter = (volatile uint64_t *)(PAGES + 0x1000);
	unsigned round = 0;
	struct hvc_ret r;

	check(hvc(SEPTA_HC_SHARE, PAGES, 1, HOG, PEER_IPA, RW).x0 == 0 &&
		  hvc(SEPTA_HC_SHARE, PAGES + 0x1000, 1, WAITER, PEER_IPA, RW).x0 == 0,
	      "a page shared with each sender");
	guest_ring(WAITER, 1);
	guest_ring(HOG, 1);
	until(waiter, 1);
	until(hog, 1);
	for (;;) {
		r = hvc(SEPTA_HC_MAILBOX, 0, 0, 0, 0, 0);
		round++;
		if (r.x1 != HOG || round == ROUNDS)
			break;
		/* The hog rings again before the next read. */
		guest_ring(HOG, round + 1);
		until(hog, round + 1);
	}
	gprintf("mailfair: read %u gave VM %lu's mail\n", round, r.x1);
	check(r.x1 == WAITER && r.x2 == 1 && round <= 2,
	      "the waiter's mail came within two reads (behind one of the hog's)");
	while (hvc(SEPTA_HC_MAILBOX, 0, 0, 0, 0, 0).x1)
		;
	fill_records();
	guest_ring(HOG, 0);
	guest_ring(WAITER, 0);
}

void guest_main(uint64_t dtb)
{
	int64_t me = vm_id(0, 0);

	(void)dtb;
	gic_init();
	if (me == READER)
		reader();
	else
		sender();
}
