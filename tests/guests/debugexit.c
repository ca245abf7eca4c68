/* Test guest "debugexit": writes 0x21 to port 0x501 (--debug-exit: lkvm
 * must end with status (0x21 << 1) | 1 = 67 at once); without the option
 * the port is inert and the guest powers off (status 0). */
#include "guest.h"

void guest_main(void)
{
	printf("GUEST debugexit: writing 0x21 to port 0x501\n");
	outb(0x501, 0x21);
	printf("GUEST debugexit: still running\n");
	poweroff();
}
