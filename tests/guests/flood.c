/* Test guest "flood": prints serial lines forever, so a host terminal or
 * pipe that stops reading leaves the vCPU blocked in lkvm's console write
 * (the stop path must still end lkvm). */
#include "guest.h"

void guest_main(void)
{
	unsigned int n = 0;

	printf("GUEST flood running\n");
	for (;;)
		printf("GUEST flood line %u ................................\n", n++);
}
