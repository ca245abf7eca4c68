/* Test guest "reboot": leaves through the reset control register 0xcf9;
 * lkvm must exit 0. */
#include "guest.h"

void guest_main(void)
{
	printf("GUEST reboot: writing 0x06 to port 0xcf9\n");
	reboot();
}
