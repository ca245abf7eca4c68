/* Test guest "kbdreset": leaves through the i8042 reset command (0xfe to
 * port 0x64); lkvm must exit 0. */
#include "guest.h"

void guest_main(void)
{
	printf("GUEST kbdreset: writing 0xfe to port 0x64\n");
	kbd_reset();
}
