/* Test guest "pattern" (live migration): rewrites one word of every 4 KiB
 * page from 16 MiB up to 32 MiB with the pass number, forever, and after
 * each pass reads every page back; a page that holds another pass's value
 * (one a migration did not carry over) is reported. One line every 64
 * passes, so the destination's lines show the pattern still checks. */
#include "guest.h"

#define MiB		(1ULL << 20)
#define START		(16 * MiB)
#define END		(32 * MiB)
#define LINE_EVERY	64

static u64 word(u64 a, u64 pass)
{
	return (a << 20) ^ pass;
}

void guest_main(void)
{
	u64 pass, a, bad = 0;

	printf("GUEST pattern start\n");
	for (pass = 1;; pass++) {
		for (a = START; a < END; a += 4096)
			*(volatile u64 *)a = word(a, pass);
		for (a = START; a < END; a += 4096) {
			if (*(volatile u64 *)a == word(a, pass))
				continue;
			if (bad++ < 4)
				printf("GUEST pattern BAD page=%x pass=%d\n",
				       (int)a, (int)pass);
		}
		if (pass % LINE_EVERY == 0)
			printf("GUEST pattern pass=%d bad=%d\n", (int)pass,
			       (int)bad);
	}
}
