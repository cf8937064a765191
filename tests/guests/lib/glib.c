#include <stdarg.h>
#include "glib.h"

#define REG32(a) (*(volatile uint32_t *)(uintptr_t)(a))
#define UART_DR	 0x00
#define UART_FR	 0x18
#define FR_TXFF	 (1u << 5)

#define GICD	      0x08000000UL
#define GICD_CTLR     0x0
#define GICD_ISENABL  0x100
#define GICD_IPRIO    0x400
#define GICR_WAKER    0x080a0014UL
#define GICR_SGI_BASE 0x080b0000UL
#define GICR_STRIDE   0x20000UL
#define ICC_PMR	      "S3_0_C4_C6_0"
#define ICC_IGRPEN1   "S3_0_C12_C12_7"

volatile unsigned guest_aborts, guest_doorbells, guest_irqs[64], guest_irq_cpu[64];
volatile uint64_t guest_last_esr, guest_last_far;
unsigned guest_failures;

static void putc_(char c)
{
	while (REG32(GUEST_UART + UART_FR) & FR_TXFF)
		;
	REG32(GUEST_UART + UART_DR) = (uint32_t)c;
}

void gputs(const char *s)
{
	while (*s)
		putc_(*s++);
}

static void put_num(uint64_t v, unsigned base)
{
	char buf[24];
	int i = 0;

	do {
		buf[i++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (i)
		putc_(buf[--i]);
}

void gprintf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	for (; *fmt; fmt++) {
		int longs = 0;

		if (*fmt != '%') {
			putc_(*fmt);
			continue;
		}
		while (*++fmt == 'l')
			longs++;
		switch (*fmt) {
		case 's':
			gputs(va_arg(ap, const char *));
			break;
		case 'd': {
			int64_t v = longs ? va_arg(ap, int64_t) : va_arg(ap, int);

			if (v < 0) {
				putc_('-');
				v = -v;
			}
			put_num((uint64_t)v, 10);
			break;
		}
		case 'u':
			put_num(longs ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 10);
			break;
		case 'x':
			put_num(longs ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 16);
			break;
		default:
			putc_('%');
			putc_(*fmt);
			break;
		}
	}
	va_end(ap);
}

struct hvc_ret hvc(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
		   uint64_t a5)
{
	register uint64_t x0 __asm__("x0") = fn;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;
	register uint64_t x4 __asm__("x4") = a4;
	register uint64_t x5 __asm__("x5") = a5;

	__asm__ volatile("hvc #0"
			 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3), "+r"(x4), "+r"(x5)
			 :
			 : "memory", "x6", "x7");
	return (struct hvc_ret){(int64_t)x0, x1, x2, x3};
}

struct hvc_ret smc(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t x0 __asm__("x0") = fn;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;

	__asm__ volatile("smc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) : : "memory");
	return (struct hvc_ret){(int64_t)x0, x1, x2, x3};
}

void guest_off(void)
{
	gprintf("%s\n", guest_failures ? "guest: FAILED" : "guest: all checks passed");
	hvc(PSCI_SYSTEM_OFF, 0, 0, 0, 0, 0);
	for (;;)
		;
}

void guest_sync(uint64_t esr, uint64_t far, uint64_t elr)
{
	(void)elr;
	guest_last_esr = esr;
	guest_last_far = far;
	guest_aborts++;
}

bool probe_read(uint64_t addr, uint32_t *val)
{
	unsigned before = guest_aborts;
	uint32_t v = 0;

	/* One instruction, so that stepping over it skips only the access. */
	__asm__ volatile("ldr %w0, [%1]" : "+r"(v) : "r"(addr) : "memory");
	*val = v;
	return guest_aborts == before;
}

bool probe_write(uint64_t addr, uint32_t val)
{
	unsigned before = guest_aborts;

	__asm__ volatile("str %w0, [%1]" ::"r"(val), "r"(addr) : "memory");
	return guest_aborts == before;
}

void gic_enable_spi(unsigned intid)
{
	*(volatile uint8_t *)(GICD + GICD_IPRIO + intid) = 0xa0;
	REG32(GICD + GICD_ISENABL + 4 * (intid / 32)) = 1u << (intid % 32);
}

/* vCPU cpu's redistributor awake, its CPU interface on, IRQs unmasked. */
void gic_cpu_init(unsigned cpu)
{
	REG32(GICR_WAKER + GICR_STRIDE * cpu) = 0;
	__asm__ volatile("msr " ICC_PMR ", %0" ::"r"(0xffUL));
	__asm__ volatile("msr " ICC_IGRPEN1 ", %0" ::"r"(1UL));
	__asm__ volatile("isb; msr daifclr, #2" ::: "memory");
}

void gic_enable_private(unsigned cpu, unsigned intid)
{
	*(volatile uint8_t *)(GICR_SGI_BASE + GICR_STRIDE * cpu + GICD_IPRIO + intid) =
	    0xa0;
	REG32(GICR_SGI_BASE + GICR_STRIDE * cpu + GICD_ISENABL) = 1u << intid;
}

void gic_init(void)
{
	REG32(GICD + GICD_CTLR) = 2; /* group 1 */
	gic_enable_spi(48);
	gic_cpu_init(0);
}

/* A guest that must act on an interrupt itself (re-arm its timer) says so. */
__attribute__((weak)) void guest_irq_hook(unsigned intid)
{
	(void)intid;
}

void guest_irq(uint64_t iar)
{
	unsigned intid = (unsigned)(iar & 0xffffff);

	uint64_t mpidr;

	__asm__ volatile("mrs %0, mpidr_el1" : "=r"(mpidr));
	if (intid < sizeof(guest_irqs) / sizeof(guest_irqs[0])) {
		guest_irqs[intid]++;
		guest_irq_cpu[intid] = (unsigned)(mpidr & 0xff);
	}
	if (intid == 48)
		guest_doorbells++;
	guest_irq_hook(intid);
}

/* IRQs masked around the check: WFI still wakes for a pending one, which
 * is then taken with them unmasked, so no doorbell slips in between. */
void wait_doorbell(unsigned seen)
{
	__asm__ volatile("msr daifset, #2" ::: "memory");
	while (guest_doorbells <= seen)
		__asm__ volatile("wfi; msr daifclr, #2; isb; msr daifset, #2" ::
				     : "memory");
	__asm__ volatile("msr daifclr, #2" ::: "memory");
}

void guest_idle(uint64_t ticks)
{
	uint64_t at, now;

	gic_init();
	gic_enable_private(0, 27); /* the virtual timer's PPI */
	__asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(now));
	at = now + ticks;
	/* IRQs masked: the WFI still wakes for the timer, whose interrupt is
	 * taken after the timer is off again. */
	__asm__ volatile("msr daifset, #2; msr cntv_cval_el0, %0; msr cntv_ctl_el0, %1; "
			 "isb" ::"r"(at),
			 "r"(1UL)
			 : "memory");
	do {
		__asm__ volatile("dsb sy; wfi; isb; mrs %0, cntvct_el0"
				 : "=r"(now)::"memory");
	} while (now < at);
	__asm__ volatile("msr cntv_ctl_el0, %0; isb; msr daifclr, #2; isb" ::"r"(0UL)
			 : "memory");
}

void check(bool ok, const char *what)
{
	gprintf("%s: %s\n", ok ? "PASS" : "FAIL", what);
	guest_failures += !ok;
}

int64_t vm_id(unsigned *nvms, unsigned *resets)
{
	struct hvc_ret r = hvc(SEPTA_HC_VM_INFO, 0, 0, 0, 0, 0);

	if (nvms)
		*nvms = (unsigned)r.x2;
	if (resets)
		*resets = (unsigned)r.x3;
	return r.x0 ? r.x0 : (int64_t)r.x1;
}

/* The value of the last "NAME=" in the device tree blob's bootargs (a
 * string of the blob: found by scanning it), or def. */
uint64_t guest_bootarg(uint64_t dtb_addr, const char *name, uint64_t def)
{
	const char *dtb = (const char *)dtb_addr;
	uint32_t be = *(const volatile uint32_t *)(dtb + 4), size;
	uint64_t v = def;
	unsigned n = 0;

	size = be >> 24 | (be >> 8 & 0xff00) | (be << 8 & 0xff0000) | be << 24;
	while (name[n])
		n++;
	for (uint32_t i = 0; size < 0x100000 && i + n < size; i++) {
		unsigned k = 0;

		while (k < n && dtb[i + k] == name[k])
			k++;
		if (k < n)
			continue;
		v = 0;
		for (const char *p = dtb + i + n; *p >= '0' && *p <= '9'; p++)
			v = v * 10 + (uint64_t)(*p - '0');
	}
	return v;
}

/* The compiler may call these for struct copies and initialisers. */
void *memset(void *d, int c, unsigned long n)
{
	volatile uint8_t *p = d;

	while (n--)
		*p++ = (uint8_t)c;
	return d;
}

void *memcpy(void *d, const void *s, unsigned long n)
{
	volatile uint8_t *p = d;
	const uint8_t *q = s;

	while (n--)
		*p++ = *q++;
	return d;
}

/* Guests that start no second vCPU need not say what it would do. */
__attribute__((weak)) void guest_secondary(void)
{
	hvc(PSCI_CPU_OFF, 0, 0, 0, 0, 0);
}

void guest_ring(unsigned peer, uint64_t value)
{
	int64_t r;

	while ((r = hvc(SEPTA_HC_DOORBELL, peer, value, 0, 0, 0).x0) == SEPTA_HC_E_BUSY)
		;
	check(r == 0, "rang a peer's doorbell");
}

/* The next mail, whenever its doorbell came: none is lost between the
 * look and the wait, as a ring after the count was read ends the wait. */
uint64_t guest_next_mail(unsigned from)
{
	struct hvc_ret r;

	for (;;) {
		unsigned seen = guest_doorbells;

		r = hvc(SEPTA_HC_MAILBOX, 0, 0, 0, 0, 0);
		if (r.x0 || r.x1)
			break;
		wait_doorbell(seen);
	}
	check(r.x0 == 0 && r.x1 == from, "the mail is from the peer it should be");
	return r.x2;
}
