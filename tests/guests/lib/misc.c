/* Freestanding basics for the test guests: the mem and str functions the
 * compiler may call, TSC-based delays and waits, and the power-off/reset
 * paths. */
#include "guest.h"

void *memset(void *d, int c, size_t n)
{
	u8 *p = d;

	while (n--)
		*p++ = (u8)c;
	return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
	u8 *dp = d;
	const u8 *sp = s;

	while (n--)
		*dp++ = *sp++;
	return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const u8 *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x < *y ? -1 : 1;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

/* TSC ticks per microsecond: CPUID 0x16 if present, else assume 3 GHz. */
static u64 tsc_per_us(void)
{
	static u64 cached;
	u32 a, b, c, d;

	if (cached)
		return cached;
	cpuid(0, 0, &a, &b, &c, &d);
	if (a >= 0x16) {
		cpuid(0x16, 0, &a, &b, &c, &d);
		if (a & 0xffff)
			cached = a & 0xffff;	/* base MHz */
	}
	if (!cached)
		cached = 3000;
	return cached;
}

u64 time_us(void)
{
	static u64 t0;
	u64 now = rdtsc();

	if (!t0)
		t0 = now;
	return (now - t0) / tsc_per_us();
}

void udelay(u64 us)
{
	u64 end = rdtsc() + us * tsc_per_us();

	while ((int64_t)(rdtsc() - end) < 0)
		cpu_relax();
}

void mdelay(u64 ms)
{
	udelay(ms * 1000);
}

int wait_count(volatile int *v, int want, u64 ms)
{
	u64 end = time_us() + ms * 1000;

	while (*v < want && time_us() < end)
		cpu_relax();
	return *v;
}

void poweroff(void)
{
	/* ACPI PM1a_CNT: SLP_TYP = 5 (the DSDT's _S5), SLP_EN. */
	outw(0x604, (5 << 10) | (1 << 13));
	printf("GUEST poweroff did not stop the VM\n");
	halt_forever();
}

void reboot(void)
{
	outb(0xcf9, 0x06);	/* reset control register: hard reset */
	printf("GUEST reboot via 0xcf9 did not stop the VM\n");
	halt_forever();
}

void kbd_reset(void)
{
	outb(0x64, 0xfe);	/* i8042: pulse the reset line */
	printf("GUEST i8042 reset did not stop the VM\n");
	halt_forever();
}

void triple_fault(void)
{
	struct {
		u16 limit;
		u64 base;
	} __attribute__((packed)) empty = { 0, 0 };

	/*
	 * With no IDT, #UD escalates to #GP, #DF, then shutdown.  (Not int3:
	 * some hosts emulate software interrupts and stop with an emulation
	 * error instead of a triple fault.)
	 */
	asm volatile("lidt %0; ud2" : : "m"(empty));
	halt_forever();
}

/* Programs that never start APs need not define ap_main(). */
__attribute__((weak)) void ap_main(int apic_id)
{
}
