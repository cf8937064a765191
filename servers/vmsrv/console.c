/*
 * The real console's input, routed to one VM's UART at a time. Ctrl-B
 * followed by a VM id (1-8) moves the input to that VM; Ctrl-B twice sends
 * one Ctrl-B. Output needs no routing: every VM's lines go out tagged.
 */
#include <stdio.h>
#include "console.h"
#include "vm.h"
#include "vuart.h"

#define CTRL_B 0x02

static struct vm *focus;
static bool escape;
static uint64_t handler; /* the console IRQ's handler, 0 without one */

static void set_focus(struct vm *vm)
{
	focus = vm;
	vuart_flush(vm);
	printf("vmsrv: console input goes to vm %u '%s' (Ctrl-B then a VM id "
	       "switches)\n",
	       vm->cfg->id, vm->cfg->name);
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
	set_focus(&vms[0]);
}

static void deliver(uint8_t c)
{
	if (focus->state != VM_RUNNING)
		return;
	if (!vuart_receive(focus, c))
		focus->rx_dropped++;
}

static void input(uint8_t c)
{
	struct vm *to;

	if (!escape) {
		if (c == CTRL_B)
			escape = true;
		else
			deliver(c);
		return;
	}
	escape = false;
	if (c == CTRL_B) {
		deliver(c);
		return;
	}
	to = c >= '1' && c <= '8' ? vm_by_id((unsigned)(c - '0')) : NULL;
	if (to)
		set_focus(to);
	else
		printf("vmsrv: Ctrl-B %#x: no such VM\n", c);
}

void console_input(void)
{
	uint64_t bytes;
	unsigned n;

	if (!handler)
		return;
	while ((n = septa_debug_read(&bytes)))
		for (unsigned i = 0; i < n; i++)
			input((uint8_t)(bytes >> (8 * i)));
	septa_irq_handler_ack(handler);
}
