/* Test guest "poweroff": leaves through ACPI PM1a_CNT (SLP_TYP=5, SLP_EN);
 * lkvm must exit 0. */
#include "guest.h"

void guest_main(void)
{
	printf("GUEST poweroff: writing PM1a_CNT\n");
	poweroff();
}
