/*
 * A sender's unread mail does not outlive its reset
 * (tests/system/vms/mail-reset.dts). The sender (1) rings the reader (2),
 * then resets before the reader reads. Its next life rings again: that
 * ring must go through (the BUSY of a mail it never sent would be a lie
 * it cannot see through), and the reader must read the new life's mail,
 * never the old one's, whose shares the reset undid. The region (the
 * reader's, which resets keep) orders the two, never time.
 */
#include "lib/glib.h"

#define SENDER 1u
#define READER 2u
#define REGION 0x50000000UL /* region-a in both */
#define OLD    0x01dU
#define NEW    0x2e7U

static void sender(void)
{
	volatile uint64_t *flag = (volatile uint64_t *)REGION;
	unsigned resets;
	int64_t r;

	vm_id(0, &resets);
	if (!resets) {
		check(hvc(SEPTA_HC_DOORBELL, READER, OLD, 0, 0, 0).x0 == 0,
		      "first life: rang the reader");
		hvc(PSCI_SYSTEM_RESET, 0, 0, 0, 0, 0);
		check(false, "SYSTEM_RESET returned");
		return;
	}
	r = hvc(SEPTA_HC_DOORBELL, READER, NEW, 0, 0, 0).x0;
	gprintf("mailreset: the second life's ring: %d\n", (int)r);
	flag[1] = (uint64_t)r;
	flag[0] = 1;
	check(r == 0, "second life: its ring went through (not BUSY for the first's)");
}

static void reader(void)
{
	volatile uint64_t *flag = (volatile uint64_t *)REGION;
	struct hvc_ret m;

	while (!flag[0])
		;
	m = hvc(SEPTA_HC_MAILBOX, 0, 0, 0, 0, 0);
	gprintf("mailreset: mail from %lu: 0x%lx\n", m.x1, m.x2);
	check(m.x1 == (flag[1] ? 0 : SENDER) && m.x2 == (flag[1] ? 0 : NEW),
	      "the mail is the second life's, or none: the first's went with it");
	check(hvc(SEPTA_HC_MAILBOX, 0, 0, 0, 0, 0).x1 == 0, "and no more mail");
}

void guest_main(uint64_t dtb)
{
	(void)dtb;
	gic_init();
	if (vm_id(0, 0) == READER)
		reader();
	else
		sender();
}
