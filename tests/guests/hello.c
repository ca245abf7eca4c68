/* Test guest "hello": the smallest round trip, one serial line from long
 * mode, then ACPI power-off. */
#include "guest.h"

void guest_main(void)
{
	printf("GUEST hello OK (apic %d)\n", cpuid_apic_id());
	poweroff();
}
