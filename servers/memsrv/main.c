/*
 * memsrv, the root task. For now it proves the user-level environment:
 * Newlib's printf at EL0, the boot info, and a clean shutdown. The ownership
 * database comes with the memory-server issue.
 */
#include <septa/syscall.h>
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
	const struct septa_bootinfo *bi = septa_bootinfo();
	char *probe;

	if (bi->magic != SEPTA_BOOTINFO_MAGIC) {
		printf("memsrv: bad boot info magic %llx\n",
		       (unsigned long long)bi->magic);
		return 1;
	}
	probe = malloc(64 * 1024);
	printf("memsrv: hello from EL0 on %s, root task '%s'\n", bi->platform,
	       bi->root_name);
	printf("memsrv: RAM %#llx+%lluMiB, free %#llx+%lluMiB, heap %s\n",
	       (unsigned long long)bi->ram_base, (unsigned long long)(bi->ram_size >> 20),
	       (unsigned long long)bi->free_base,
	       (unsigned long long)(bi->free_size >> 20), probe ? "ok" : "exhausted");
	free(probe);
	septa_shutdown(0);
	return 1;
}
