/* Interrupts between the IRQ objects and the architecture's GIC driver. */
#pragma once
#include <types.h>

#define IRQ_MAX 1020u /* GIC INTIDs below the special range */

struct notification;

bool arch_irq_user_allowed(unsigned irq);
void arch_irq_set_enabled(unsigned irq, bool on);
int arch_irq_test_pend(unsigned irq); /* test kernels only */

/* An interrupt user level asked for has arrived: signal its notification. */
void irq_deliver(unsigned irq);
void irq_handler_finalise(unsigned irq);
void irq_forget_notification(const struct notification *n);
