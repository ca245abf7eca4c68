/* Test guest "spin": prints a marker and spins forever, so tests can stop
 * lkvm from the outside (signals) while a vCPU is busy. */
#include "guest.h"

void guest_main(void)
{
	printf("GUEST spin running\n");
	for (;;)
		asm volatile("pause");
}
