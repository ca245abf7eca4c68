/* Test guest "cpuid": every CPU reports its CPUID initial APIC id; the
 * BSP checks they are exactly 0..n-1 with n the MADT's CPU count. */
#include "guest.h"

static volatile int up = 1;
static volatile int seen[GUEST_MAX_CPUS];

static void report(int apic_id)
{
	int id = cpuid_apic_id();

	printf("GUEST cpuid cpu apic=%d lapic=%d\n", id, lapic_id());
	__atomic_add_fetch(&seen[id], 1, __ATOMIC_SEQ_CST);
	if (id != apic_id)
		printf("GUEST cpuid: stub saw %d, C sees %d\n", apic_id, id);
}

void ap_main(int apic_id)
{
	report(apic_id);
	__atomic_add_fetch(&up, 1, __ATOMIC_SEQ_CST);
}

void guest_main(void)
{
	int cpus, i, ok = 1;

	lapic_enable();
	report(cpuid_apic_id());
	cpus = smp_boot_aps(&up, 2000);
	if (cpus <= 0 || cpus > GUEST_MAX_CPUS) {
		printf("GUEST cpuid FAIL: MADT lists %d CPUs\n", cpus);
		poweroff();
	}
	for (i = 0; i < GUEST_MAX_CPUS; i++) {
		int want = i < cpus ? 1 : 0;

		if (seen[i] != want) {
			printf("GUEST cpuid: apic id %d seen %d times\n", i,
			       seen[i]);
			ok = 0;
		}
	}
	printf("GUEST cpuid cpus=%d up=%d ids=0..%d %s\n", cpus, up, cpus - 1,
	       ok && up == cpus ? "OK" : "FAIL");
	poweroff();
}
