/*
 * The real console's input, routed to one VM's UART at a time. Ctrl-B
 * followed by a VM id (1-8) moves the input to that VM; Ctrl-B twice sends
 * one Ctrl-B. Output needs no routing: every VM's lines go out tagged.
 */
#include <stdio.h>
#include "vmsrv.h"

#define CTRL_B 0x02

static struct vm *focus;
static bool escape;
static uint64_t handler; /* the console IRQ's handler, 0 without one */

static void set_focus(struct vm *vm)
{
	focus = vm;
	vm_console_flush(vm);
	printf("vmsrv: console input goes to vm %u '%s' (Ctrl-B then a VM id "
	       "switches)\n",
	       vm->cfg->id, vm->cfg->name);
}

void console_init(uint64_t ep_ntfn_badged)
{
	if (!septa_bootinfo()->console_irq || !nvms)
		return;
	if (septa_irq_handler_set_notification(MEMSRV_CAP_CONSOLE_IRQ, ep_ntfn_badged))
		return;
	handler = MEMSRV_CAP_CONSOLE_IRQ;
	set_focus(&vms[0]);
}

static void deliver(uint8_t c)
{
	if (focus->state != VM_RUNNING)
		return;
	if (!pl011_receive(&focus->uart, c))
		focus->rx_dropped++;
	vm_uart_line(focus);
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
