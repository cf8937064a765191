/*
 * The system-call layer Newlib expects, on Septa's kernel interface:
 * stdout and stderr go to the kernel's debug console, the heap is the
 * region the boot info names, and exit ends the thread.
 */
#include <errno.h>
#include <septa/ipc.h>
#include <septa/syscall.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/times.h>
#include <unistd.h>

#undef errno
extern int errno;

uint64_t septa_bootinfo_ptr;
static uintptr_t heap_base, heap_next, heap_end;

extern void __libc_init_array(void);

const struct septa_bootinfo *septa_bootinfo(void)
{
	return (const struct septa_bootinfo *)(uintptr_t)septa_bootinfo_ptr;
}

/* Newlib runs these around the init and fini arrays; Septa programs use
 * only the arrays, so there is nothing to do here. */
void _init(void)
{
}

void _fini(void)
{
}

void septa_libc_init(void)
{
	const struct septa_bootinfo *bi = septa_bootinfo();

	/* The kernel (for the root task) and memsrv (for the servers it
	 * starts) put every program's IPC buffer at the same address. */
	septa_set_ipc_buffer((struct septa_ipc_buffer *)SEPTA_ROOT_IPC_BUFFER);
	if (bi && bi->magic == SEPTA_BOOTINFO_MAGIC) {
		heap_base = bi->heap_base;
		heap_next = bi->heap_base;
		heap_end = bi->heap_base + bi->heap_size;
	}
	__libc_init_array();
}

void *_sbrk(ptrdiff_t incr)
{
	uintptr_t old = heap_next;

	if (incr >= 0 ? (uintptr_t)incr > heap_end - heap_next
		      : (uintptr_t)0 - (uintptr_t)incr > heap_next - heap_base) {
		errno = ENOMEM;
		return (void *)-1;
	}
	heap_next += (uintptr_t)incr;
	return (void *)old;
}

int _write(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	size_t done = 0;

	if (fd != STDOUT_FILENO && fd != STDERR_FILENO) {
		errno = EBADF;
		return -1;
	}
	while (done < len) {
		size_t chunk = len - done, n = 0;

		if (chunk > SEPTA_DEBUG_WRITE_MAX)
			chunk = SEPTA_DEBUG_WRITE_MAX;
		if (septa_debug_write(p + done, chunk, &n) != SEPTA_OK) {
			errno = EFAULT;
			return done ? (int)done : -1;
		}
		done += n;
	}
	return (int)done;
}

int _read(int fd, void *buf, size_t len)
{
	(void)buf;
	(void)len;
	if (fd != STDIN_FILENO) {
		errno = EBADF;
		return -1;
	}
	return 0; /* no console input for servers yet: end of file */
}

void _exit(int status)
{
	septa_exit(status);
}

int _close(int fd)
{
	(void)fd;
	errno = EBADF;
	return -1;
}

int _fstat(int fd, struct stat *st)
{
	if (fd < 0 || fd > 2) {
		errno = EBADF;
		return -1;
	}
	st->st_mode = S_IFCHR;
	return 0;
}

int _isatty(int fd)
{
	return fd >= 0 && fd <= 2;
}

off_t _lseek(int fd, off_t off, int whence)
{
	(void)fd;
	(void)off;
	(void)whence;
	errno = ESPIPE;
	return -1;
}

int _getpid(void)
{
	return 1;
}

int _kill(int pid, int sig)
{
	(void)pid;
	(void)sig;
	errno = ENOSYS;
	return -1;
}

int _open(const char *path, int flags, int mode)
{
	(void)path;
	(void)flags;
	(void)mode;
	errno = ENOSYS;
	return -1;
}

clock_t _times(struct tms *t)
{
	(void)t;
	errno = ENOSYS;
	return (clock_t)-1;
}
