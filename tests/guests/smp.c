/* Test guest "smp": wakes every AP listed in the MADT with INIT-SIPI-SIPI;
 * each AP bumps a shared counter and reports; the BSP prints the tally. */
#include "guest.h"

static volatile int up = 1;	/* the BSP */

/* The line first, then the count: the BSP powers off once every AP has
 * counted, and an AP still printing then lost its line. */
void ap_main(int apic_id)
{
	printf("GUEST smp ap apic=%d lapic=%d\n", apic_id, lapic_id());
	__atomic_add_fetch(&up, 1, __ATOMIC_SEQ_CST);
}

void guest_main(void)
{
	int cpus = smp_boot_aps(&up, 2000);
	u64 end = time_us() + 2000000;

	/* Bounded wait for stragglers. */
	while (up < cpus && time_us() < end)
		cpu_relax();
	printf("GUEST smp cpus=%d up=%d\n", cpus, up);
	if (cpus > 0 && up == cpus)
		printf("GUEST smp OK\n");
	else
		printf("GUEST smp FAIL\n");
	poweroff();
}
