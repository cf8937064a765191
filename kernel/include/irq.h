/* Interrupts between the IRQ objects and the architecture's GIC driver;
 * the driver's hooks are in <arch.h>. */
#pragma once
#include <types.h>

#define IRQ_MAX 1020u /* GIC INTIDs below the special range */

struct notification;

/* An interrupt user level asked for has arrived: signal its notification. */
void irq_deliver(unsigned irq);
void irq_handler_finalise(unsigned irq);
void irq_forget_notification(struct notification *n);
