/*
 * Victim threads: each serves one endpoint that the hostile thread can
 * call (with a badged Write+Grant capability, so it can send capabilities)
 * and that the root task pings between rounds. A victim keeps a
 * notification of its own and proves on each ping that it still works;
 * whatever capability a message brings it deletes again. It answers a
 * fuzzer's call with the length the caller asked for, up to 127 (longer
 * than a message: refused, so it answers again with none, since its caller
 * still waits). Its endpoint may also be a fault endpoint of the fuzzer's
 * threads: their faults it answers the same way.
 */
#include <stdbool.h>
#include "kfuzz.h"

volatile uint64_t kf_victim_msgs[KF_VICTIMS];
volatile uint64_t kf_victim_bad[KF_VICTIMS];
volatile long kf_victim_why[KF_VICTIMS][3]; /* the first: step, error, label */

static void bad(uint64_t i, long step, long err, uint64_t info)
{
	if (!kf_victim_bad[i]++) {
		kf_victim_why[i][0] = step;
		kf_victim_why[i][1] = err;
		kf_victim_why[i][2] = (long)info;
	}
}

/* Its own notification still signals and polls with its badge. */
static uint64_t keep_check(unsigned i)
{
	uint64_t badge = 0;

	if (septa_signal(kf_victim_keep(i)) != SEPTA_OK ||
	    septa_poll(kf_victim_keep(i), &badge) != SEPTA_OK ||
	    badge != KF_KEEP_BADGE(i))
		return 0;
	return 1;
}

void kf_victim(uint64_t i)
{
	struct septa_ipc_buffer *b = septa_ipc_buffer();

	for (;;) {
		struct septa_msg m = {0};
		long err;

		b->receive_cnode = 0;
		b->receive_index = kf_victim_inbox((unsigned)i);
		b->receive_depth = KF_DEPTH;
		err = septa_recv(kf_victim_ep((unsigned)i), &m);
		if (err != SEPTA_OK) {
			bad(i, 1, err, m.info);
			continue;
		}
		/* A received capability goes again; an empty slot is fine. */
		err =
		    septa_cnode_delete(KF_CNODE, kf_victim_inbox((unsigned)i), KF_DEPTH);
		if (err != SEPTA_OK)
			bad(i, 2, err, m.info);
		if (m.badge == 0 && SEPTA_MSG_LABEL(m.info) == KF_PING) {
			struct septa_msg r = {
			    .info = septa_msginfo(KF_PONG, 0, 3),
			    .mr = {i, keep_check((unsigned)i), kf_victim_msgs[i]}};

			septa_reply(&r);
			continue;
		}
		kf_victim_msgs[i]++;
		{
			/* The caller chose the reply: label, length (may be too long). */
			unsigned len = (unsigned)(m.mr[1] & 0x7f);
			struct septa_msg r = {.info =
						  septa_msginfo(m.mr[0] & 0xfff, 0, len),
					      .mr = {m.mr[0], m.mr[1], m.mr[2], m.mr[3]}};

			err = septa_reply(&r);
			if (err == SEPTA_E_MSG_LENGTH && len > SEPTA_MSG_MAX) {
				r.info = septa_msginfo(0, 0, 0);
				err = septa_reply(&r);
			}
			/* A send, not a call, has nobody waiting. A thread the
			 * fuzzer made may have this endpoint for its faults: resuming
			 * an abort the syndrome does not describe is refused with
			 * E_ARG (septa/fault.h), and that thread stays stopped. */
			bool fault = SEPTA_MSG_LABEL(m.info) >= SEPTA_FAULT_ABORT &&
				     SEPTA_MSG_LABEL(m.info) <= SEPTA_FAULT_SYSREG;

			if (err != SEPTA_OK && err != SEPTA_E_NO_REPLY &&
			    !(fault && err == SEPTA_E_ARG))
				bad(i, 3, err, m.info);
		}
	}
}
