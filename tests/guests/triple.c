/* Test guest "triple": loads a zero-limit IDT and raises #UD, which ends
 * in a triple fault; lkvm must exit non-zero with a register dump. */
#include "guest.h"

void guest_main(void)
{
	printf("GUEST triple: faulting now\n");
	triple_fault();
}
