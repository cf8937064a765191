/* The real console's input (console.c), routed to one VM's UART at a time. */
#pragma once

/* Binds the console IRQ to vmsrv's thread; nothing if there is none. */
void console_start(void);
/* Console input arrived (vmsrv's endpoint, BADGE_CONSOLE). */
void console_input(void);
struct vm;
/* A VM stopped (vm_stop), for what reason: the list shows it; if the VM had
 * the input, another running VM gets it. */
void console_stopped(const struct vm *vm, const char *what);
