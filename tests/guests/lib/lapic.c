/* Local APIC access for the test guests (xAPIC MMIO at 0xfee00000): ids,
 * EOI, IPIs, and waking the APs with INIT-SIPI-SIPI. */
#include "guest.h"

#define APIC_ID		0x020
#define APIC_EOI	0x0b0
#define APIC_SVR	0x0f0
#define APIC_ICR_LO	0x300
#define APIC_ICR_HI	0x310

#define ICR_PENDING	(1 << 12)
#define ICR_ASSERT	(1 << 14)
#define ICR_INIT	(5 << 8)
#define ICR_STARTUP	(6 << 8)

#define MSR_APIC_BASE	0x1b
#define APIC_BASE_EN	(1 << 11)

#define SIPI_VECTOR	(GUEST_LOAD >> 12)	/* 0x10: CS=0x1000 IP=0 */

u32 lapic_read(u32 reg)
{
	return mmio_read32(LAPIC_BASE + reg);
}

void lapic_write(u32 reg, u32 v)
{
	mmio_write32(LAPIC_BASE + reg, v);
}

void lapic_enable(void)
{
	u64 base = rdmsr(MSR_APIC_BASE);

	if (!(base & APIC_BASE_EN))
		wrmsr(MSR_APIC_BASE, base | APIC_BASE_EN);
	lapic_write(APIC_SVR, 0x1ff);	/* enable, spurious vector 0xff */
}

int lapic_id(void)
{
	return lapic_read(APIC_ID) >> 24;
}

void lapic_eoi(void)
{
	lapic_write(APIC_EOI, 0);
}

static int icr_wait_idle(void)
{
	u64 end = time_us() + 100000;

	while (lapic_read(APIC_ICR_LO) & ICR_PENDING)
		if (time_us() > end)
			return -1;
	return 0;
}

int lapic_send_ipi(int dest, u32 icr_low)
{
	if (icr_wait_idle())
		return -1;
	lapic_write(APIC_ICR_HI, (u32)dest << 24);
	lapic_write(APIC_ICR_LO, icr_low);
	return icr_wait_idle();
}

int lapic_send_init(int dest)
{
	return lapic_send_ipi(dest, ICR_INIT | ICR_ASSERT);
}

int lapic_send_sipi(int dest, u8 vector)
{
	return lapic_send_ipi(dest, ICR_STARTUP | ICR_ASSERT | vector);
}

int smp_boot_aps(volatile int *up, u64 timeout_ms)
{
	static int ids[GUEST_MAX_CPUS];
	int n, i, self;

	n = acpi_madt_cpus(ids, GUEST_MAX_CPUS);
	if (n <= 0) {
		printf("GUEST smp: no CPUs in the MADT\n");
		return -1;
	}
	lapic_enable();
	self = lapic_id();
	for (i = 0; i < n; i++) {
		int before = *up;
		u64 end;

		if (ids[i] == self)
			continue;
		/* Intel SDM 8.4.4.1: INIT, 10 ms, SIPI, 200 us, SIPI. */
		if (lapic_send_init(ids[i]))
			printf("GUEST smp: INIT to %d stuck\n", ids[i]);
		mdelay(10);
		if (lapic_send_sipi(ids[i], SIPI_VECTOR))
			printf("GUEST smp: SIPI to %d stuck\n", ids[i]);
		udelay(200);
		if (*up == before &&
		    lapic_send_sipi(ids[i], SIPI_VECTOR))
			printf("GUEST smp: second SIPI to %d stuck\n", ids[i]);
		end = time_us() + timeout_ms * 1000;
		while (*up == before && time_us() < end)
			cpu_relax();
		if (*up == before)
			printf("GUEST smp: APIC id %d did not come up\n",
			       ids[i]);
	}
	return n;
}
