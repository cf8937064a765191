/* Exit statuses of the machine, as QEMU reports them in test builds. */
#pragma once

#define SEPTA_STATUS_OK		0 /* the root task asked for shutdown(0) */
#define SEPTA_STATUS_ROOT_FAULT 2 /* the last thread died of a fault */
#define SEPTA_STATUS_HALT	3 /* the kernel stopped on its own error */
#define SEPTA_STATUS_BOOT	4 /* boot could not complete (config, image) */
#define SEPTA_STATUS_DEADLOCK	5 /* nothing runnable and nothing can wake it */
