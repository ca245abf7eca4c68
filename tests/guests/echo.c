/* Test guest "echo": reads one line from the serial port (host stdin
 * through lkvm) and prints it back, proving the console input path. */
#include "guest.h"

#define COM1		0x3f8
#define LSR_DR		0x01

void guest_main(void)
{
	char line[64];
	int n = 0;

	printf("GUEST echo ready\n");
	while (n < (int)sizeof(line) - 1) {
		char c;

		while (!(inb(COM1 + 5) & LSR_DR))
			;
		c = inb(COM1);
		if (c == '\n' || c == '\r')
			break;
		line[n++] = c;
	}
	line[n] = 0;
	printf("GUEST echo got '%s'\n", line);
	poweroff();
}
