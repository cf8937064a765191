/*
 * The real console's input, routed to one VM's UART at a time; the command
 * key (concmd.h, which parses and words everything) moves it, lists the VMs
 * and prints the help. Output needs no routing: every VM's lines go out
 * tagged.
 */
#include <stdio.h>
#include "concmd.h"
#include "console.h"
#include "vm.h"
#include "vuart.h"

static struct concmd cmd;
static uint64_t handler; /* the console IRQ's handler, 0 without one */
/* How each VM last stopped (vm_stop's words, copied: they may be a
 * message on its caller's stack); "" before it has. */
static char stopped[VMCFG_MAX_VMS][VM_MSG_LEN];

/* What concmd is told of the VMs: their state now. */
static unsigned view(struct concmd_vm *v)
{
	static const char *const word[] = {
	    [VM_RUNNING] = "running", [VM_OFF] = "stopped", [VM_CRASHED] = "crashed"};

	for (unsigned i = 0; i < nvms; i++) {
		const struct vm *m = &vms[i];

		v[i] = (struct concmd_vm){.id = m->cfg->id,
					  .name = m->cfg->name,
					  .state = word[m->state],
					  .running = m->state == VM_RUNNING,
					  .resets = m->resets,
					  .stopped = stopped[i][0] ? stopped[i] : NULL};
	}
	return nvms;
}

/* The answer goes out after the newly focused VM's unfinished line (its
 * prompt, say), so that what the input is typed after shows. */
static void say(enum concmd_action a, const char *out)
{
	if (a == CONCMD_FOCUS && cmd.focus != CONCMD_NONE)
		vuart_flush(&vms[cmd.focus]);
	printf("%s", out);
}

/* The input moves by itself (a VM stopped): nobody typed, so the VM's
 * unfinished line is left to end by itself rather than cut in two. */
static void refocus(void)
{
	struct concmd_vm v[VMCFG_MAX_VMS];
	char out[CONCMD_OUT_MAX];

	if (handler && concmd_refocus(&cmd, v, view(v), out, sizeof(out)))
		printf("%s", out);
}

/* Console input arrives as a notification bound to vmsrv's thread, so it
 * reaches vmsrv while it waits on its endpoint. */
void console_start(void)
{
	uint64_t ntfn = vm_obj_new(SEPTA_OBJ_NOTIFICATION, 0), badged = vm_slot_new();

	if (!ntfn || !badged ||
	    septa_cnode_mint(MEMSRV_CAP_CNODE, badged, 64, MEMSRV_CAP_CNODE, ntfn, 64,
			     SEPTA_RIGHT_WRITE, BADGE_CONSOLE) ||
	    septa_tcb_bind_notification(MEMSRV_CAP_TCB, ntfn))
		return;
	if (!septa_bootinfo()->console_irq || !nvms)
		return;
	if (septa_irq_handler_set_notification(MEMSRV_CAP_CONSOLE_IRQ, badged))
		return;
	handler = MEMSRV_CAP_CONSOLE_IRQ;
	concmd_init(&cmd);
	refocus();
}

void console_stopped(const struct vm *vm, const char *what)
{
	snprintf(stopped[vm - vms], sizeof(stopped[0]), "%s", what);
	refocus();
}

static void input(const struct concmd_vm *v, unsigned n, uint8_t c)
{
	char out[CONCMD_OUT_MAX];
	enum concmd_action a = concmd_feed(&cmd, v, n, c, out, sizeof(out));
	struct vm *to = cmd.focus == CONCMD_NONE ? NULL : &vms[cmd.focus];

	if (a == CONCMD_SAY || a == CONCMD_FOCUS)
		say(a, out);
	else if (a == CONCMD_DELIVER && to && !vuart_receive(to, c))
		to->rx_dropped++;
}

void console_input(void)
{
	struct concmd_vm v[VMCFG_MAX_VMS];
	unsigned n = view(v);
	uint64_t bytes;
	long got;

	if (!handler)
		return;
	while ((got = septa_debug_read(handler, &bytes)) > 0)
		for (unsigned i = 0; i < (unsigned)got; i++)
			input(v, n, (uint8_t)(bytes >> (8 * i)));
	septa_irq_handler_ack(handler);
}
