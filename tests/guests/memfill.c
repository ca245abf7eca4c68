/* Test guest "memfill" (benchmarks): writes a non-zero word into every 4 KiB
 * page from 16 MiB up to 64 MiB below the end of RAM (found by writing and
 * reading back a word per MiB), says so, then exits to the VMM (port 0x80)
 * in a loop, so a restored copy's first exit comes at its first
 * instruction. */
#include "guest.h"

#define MiB		(1ULL << 20)
#define FILL_START	(16 * MiB)
#define PROBE_LIMIT	(3072 * MiB)	/* the PCI hole starts there */

static u64 ram_end(void)
{
	volatile u64 *p;
	u64 a;

	for (a = FILL_START; a < PROBE_LIMIT; a += MiB) {
		p = (volatile u64 *)a;
		*p = a | 1;
		if (*p != (a | 1))
			break;
	}
	return a;
}

void guest_main(void)
{
	u64 a, pages = 0, end = ram_end() - 64 * MiB;

	for (a = FILL_START; a < end; a += 4096, pages++)
		*(volatile u64 *)a = a | 1;
	printf("GUEST memfill done pages=%d\n", (int)pages);
	for (;;)
		outb(0x80, 0);
}
