/* Test guest "spinoff": every CPU busy-spins while the last AP to come up
 * powers the VM off; lkvm must stop all vCPUs and exit 0. */
#include "guest.h"

static volatile int up = 1;
static volatile int cpus;

void ap_main(int apic_id)
{
	__atomic_add_fetch(&up, 1, __ATOMIC_SEQ_CST);
	while (!cpus)
		cpu_relax();
	if (apic_id == cpus - 1) {
		while (up < cpus)
			cpu_relax();
		printf("GUEST spinoff: apic %d powers off, %d CPUs spinning\n",
		       apic_id, cpus - 1);
		poweroff();
	}
	for (;;)
		cpu_relax();
}

void guest_main(void)
{
	int n = smp_boot_aps(&up, 2000);

	printf("GUEST spinoff cpus=%d up=%d\n", n, up);
	if (n <= 1 || up != n) {
		printf("GUEST spinoff: BSP powers off\n");
		poweroff();
	}
	cpus = n;
	for (;;)
		cpu_relax();
}
