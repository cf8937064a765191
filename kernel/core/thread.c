#include <arch.h>
#include <kprintf.h>
#include <thread.h>

struct thread *thread_current;

void thread_end(struct thread *t, int status)
{
	t->state = THREAD_DEAD;
	kprintf("septa: thread '%s' ended (status %d)\n", t->name, status);
	/* One thread until the scheduler arrives: nothing is left to run. */
	kprintf("septa: no runnable threads\n");
	arch_shutdown(status);
}
