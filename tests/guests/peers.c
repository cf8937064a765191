/*
 * Who a guest can learn of (tests/system/vms/peers.dts). Three VMs: the
 * asker (1) and the stranger (3) are both peers of the friend (2), not of
 * each other. The asker names the stranger, running, in every call that
 * names a VM, and the same calls with ids no VM has: the answers must be
 * the same to the last register, and nothing may have changed for the
 * asker or reached the stranger. The same calls to the friend work.
 * Doorbells order it, never time: the stranger says it is up (to the
 * friend, who tells the asker but leaves the mail unread), the asker
 * probes, shares and lends with the friend, and the friend tells the
 * stranger when the asker is done. The friend's mailbox keeps a mail per
 * sender, so the stranger's unread one does not make the asker's BUSY.
 */
#include "lib/glib.h"

#define ASKER	  1u
#define FRIEND	  2u
#define STRANGER  3u
#define PAGE	  0x40400000UL /* in the shareable range of the configuration */
#define PEER_IPA  0x50000000UL /* where a peer would see it */
#define PEER_LENT 0x50001000UL
#define MARK	  0x5e9a9ee5u
#define ANSWER	  0xf12e4du
#define RW	  (SEPTA_HC_R | SEPTA_HC_W)

/* Every call that names a VM, naming id. */
static struct hvc_ret call(unsigned kind, uint64_t id)
{
	switch (kind) {
	case 0:
		return hvc(SEPTA_HC_DOORBELL, id, 0x77, 0, 0, 0);
	case 1:
		return hvc(SEPTA_HC_SHARE, PAGE, 1, id, PEER_IPA, RW);
	case 2:
		return hvc(SEPTA_HC_LEND, PAGE, 1, id, PEER_LENT, RW);
	default:
		return hvc(SEPTA_HC_UNSHARE, PAGE, 1, id, 0, 0);
	}
}

static bool same(struct hvc_ret a, struct hvc_ret b)
{
	return a.x0 == b.x0 && a.x1 == b.x1 && a.x2 == b.x2 && a.x3 == b.x3;
}

/* The calls with another argument bad too (misaligned, no pages, outside
 * the shareable range, the peer address in a VM's RAM, rights past 32
 * bits): whichever error comes first, a non-peer's comes as no VM's. */
static struct hvc_ret bad_call(unsigned kind, uint64_t id)
{
	switch (kind) {
	case 0:
		return hvc(SEPTA_HC_SHARE, PAGE + 8, 1, id, PEER_IPA, RW);
	case 1:
		return hvc(SEPTA_HC_LEND, PAGE, 0, id, PEER_IPA, RW);
	case 2:
		return hvc(SEPTA_HC_UNSHARE, 0x40000000, 1, id, 0, 0);
	case 3:
		return hvc(SEPTA_HC_SHARE, PAGE, 1, id, 0x40000000, RW);
	default:
		return hvc(SEPTA_HC_LEND, PAGE, 1, id, PEER_LENT, 1ULL << 32 | RW);
	}
}

static void asker(void)
{
	static const char *const names[] = {"DOORBELL", "SHARE", "LEND", "UNSHARE"};
	/* No VM has these: free ids, 0, past the last, the stranger's id
	 * with high bits (the same VM to a call that narrowed it). */
	static const uint64_t none[] = {5, 8, 0, 9, 1ULL << 32 | STRANGER, ~0ULL};
	volatile uint32_t *page = (volatile uint32_t *)PAGE;
	unsigned alike = 0, probes = 0;
	uint32_t v;

	check(guest_next_mail(FRIEND) == 1, "told the stranger is up");
	page[0] = MARK;
	for (unsigned k = 0; k < 4; k++) {
		struct hvc_ret s = call(k, STRANGER);
		bool ok = s.x0 == SEPTA_HC_E_NO_VM && !s.x1 && !s.x2 && !s.x3;

		for (unsigned i = 0; i < sizeof(none) / sizeof(none[0]); i++, probes++) {
			struct hvc_ret n = call(k, none[i]);

			alike += same(s, n);
			ok = ok && same(s, n);
		}
		gprintf("peers: %s to the stranger: %d %lx %lx %lx\n", names[k],
			(int)s.x0, s.x1, s.x2, s.x3);
		check(ok, "naming the stranger is naming no VM (NO_VM, x1-x3 0)");
	}
	gprintf("peers: %u of %u answers alike\n", alike, probes);
	alike = probes = 0;
	for (unsigned k = 0; k < 5; k++) {
		struct hvc_ret s = bad_call(k, STRANGER);

		for (unsigned i = 0; i < sizeof(none) / sizeof(none[0]); i++, probes++)
			alike += same(s, bad_call(k, none[i]));
	}
	gprintf("peers: %u of %u answers alike with another argument bad\n", alike,
		probes);
	check(alike == probes, "with another argument bad, the stranger is no VM too");
	/* Nothing the calls could have done was done. */
	check(probe_read(PAGE, &v) && v == MARK && probe_write(PAGE + 4, 1),
	      "my page is still mine, unchanged");
	check(hvc(SEPTA_HC_MAILBOX, 0, 0, 0, 0, 0).x1 == 0, "my mailbox is still empty");
	check(hvc(SEPTA_HC_RECLAIM, PAGE, 1, 0, 0, 0).x0 == SEPTA_HC_E_DENIED,
	      "nothing of mine is lent");
	check(vm_id(&v, 0) == ASKER && v == 0, "VM_INFO tells no VM count");
	/* The friend: the same calls get past the peer check. */
	check(hvc(SEPTA_HC_SHARE, PAGE, 1, FRIEND, 0x40000000, RW).x0 ==
		  SEPTA_HC_E_INVALID,
	      "SHARE into the friend's RAM: INVALID, not NO_VM");
	check(call(1, FRIEND).x0 == 0, "SHARE with the friend");
	/* The friend has the stranger's mail unread: that is not the
	 * asker's business, so its own ring goes through. */
	check(hvc(SEPTA_HC_DOORBELL, FRIEND, 2, 0, 0, 0).x0 == 0,
	      "rang the friend at once (another VM's unread mail is no BUSY)");
	check(guest_next_mail(FRIEND) == 3, "the friend read it");
	check(page[1] == ANSWER, "and answered in it");
	check(call(3, FRIEND).x0 == 0, "UNSHARE with the friend");
	check(call(2, FRIEND).x0 == 0, "LEND to the friend");
	guest_ring(FRIEND, 4);
	check(guest_next_mail(FRIEND) == 5, "the friend used the lent page");
	check(hvc(SEPTA_HC_RECLAIM, PAGE, 1, 0, 0, 0).x0 == 0, "RECLAIM from the friend");
	check(call(3, FRIEND).x0 == SEPTA_HC_E_DENIED,
	      "UNSHARE what is not shared: DENIED, not NO_VM");
	guest_ring(FRIEND, 6);
}

static void friend(void)
{
	volatile uint32_t *shared = (volatile uint32_t *)PEER_IPA;
	struct hvc_ret r;
	uint32_t v;

	/* The stranger's mail stays unread until the asker's comes too. */
	wait_doorbell(0);
	guest_ring(ASKER, 1);
	wait_doorbell(1);
	r = hvc(SEPTA_HC_MAILBOX, 0, 0, 0, 0, 0);
	check(r.x1 == ASKER && r.x2 == 2, "the asker shared a page (its mail first)");
	r = hvc(SEPTA_HC_MAILBOX, 0, 0, 0, 0, 0);
	check(r.x1 == STRANGER && r.x2 == 0x57, "the stranger is up (its mail kept)");
	check(hvc(SEPTA_HC_MAILBOX, 0, 0, 0, 0, 0).x1 == 0, "and no more mail");
	check(shared[0] == MARK, "the asker's page, as it wrote it");
	shared[1] = ANSWER;
	guest_ring(ASKER, 3);
	check(guest_next_mail(ASKER) == 4, "the asker lent it");
	check(!probe_read(PEER_IPA, &v) && probe_read(PEER_LENT, &v) && v == MARK,
	      "unshared there, lent here");
	guest_ring(ASKER, 5);
	check(guest_next_mail(ASKER) == 6, "the asker is done");
	guest_ring(STRANGER, 0xd0);
}

static void stranger(void)
{
	unsigned n;
	uint32_t v;

	guest_ring(FRIEND, 0x57);
	/* The asker's calls came before this: had one reached here, its mail
	 * would be the first. */
	check(guest_next_mail(FRIEND) == 0xd0, "the friend says the asker is done");
	check(!probe_read(PEER_IPA, &v) && !probe_read(PEER_LENT, &v),
	      "nothing of the asker's was shared or lent to me");
	check(hvc(SEPTA_HC_MAILBOX, 0, 0, 0, 0, 0).x1 == 0 && guest_doorbells == 1,
	      "one doorbell, the friend's");
	check(vm_id(&n, 0) == STRANGER && n == 0, "VM_INFO tells no VM count");
}

void guest_main(uint64_t dtb)
{
	int64_t me = vm_id(0, 0);

	(void)dtb;
	gic_init();
	gprintf("peers: VM %d\n", (int)me);
	if (me == ASKER)
		asker();
	else if (me == FRIEND)
		friend();
	else
		stranger();
}
