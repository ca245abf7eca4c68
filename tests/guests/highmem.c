/* Test guest "highmem": run with -m 4608 (3 GiB low + 1.5 GiB at 4 GiB).
 * Checks RAM on both sides of the hole and around 4 GiB + 512 MiB, that
 * the addresses do not alias, and that the hole reads all-ones. */
#include "guest.h"

#define GiB		(1ULL << 30)
#define MiB		(1ULL << 20)
#define LOW_END		(3 * GiB)		/* hole start */
#define HIGH_START	(4 * GiB)
#define HIGH_END	(HIGH_START + 1536 * MiB)	/* -m 4608 */
#define HOLE_PROBE	0xd0000000ULL

static const u64 spots[] = {
	16 * MiB,
	LOW_END - 8,
	HIGH_START,
	HIGH_START + 8,
	HIGH_START + 512 * MiB - 8,
	HIGH_START + 512 * MiB,
	HIGH_START + 1024 * MiB,
	HIGH_END - 4096,
	HIGH_END - 8,
};

#define NSPOTS (sizeof(spots) / sizeof(spots[0]))

static u64 pattern(u64 a, int pass)
{
	u64 p = a * 0x9e3779b97f4a7c15ULL + 0x5a5a5a5a12345678ULL;

	return pass ? ~p : p;
}

static int check_spots(int pass)
{
	unsigned int i;
	int ok = 1;

	/* Write all first, then read all: catches aliasing between spots. */
	for (i = 0; i < NSPOTS; i++)
		mmio_write64(spots[i], pattern(spots[i], pass));
	for (i = 0; i < NSPOTS; i++) {
		u64 got = mmio_read64(spots[i]);

		if (got != pattern(spots[i], pass)) {
			printf("GUEST highmem: %lx reads %lx, wrote %lx\n",
			       spots[i], got, pattern(spots[i], pass));
			ok = 0;
		}
	}
	return ok;
}

/* One qword per 2 MiB across [start, end): written, then verified. */
static int check_stride(u64 start, u64 end)
{
	u64 a;
	int bad = 0;

	for (a = start; a < end; a += 2 * MiB)
		mmio_write64(a + 0x100, pattern(a, 0) ^ 0xff);
	for (a = start; a < end; a += 2 * MiB) {
		u64 got = mmio_read64(a + 0x100);

		if (got != (pattern(a, 0) ^ 0xff) && bad++ < 4)
			printf("GUEST highmem: stride %lx reads %lx\n",
			       a + 0x100, got);
	}
	return !bad;
}

static int check_hole(void)
{
	int ok = 1;
	u32 v32 = mmio_read32(HOLE_PROBE);
	u8 v8 = mmio_read8(HOLE_PROBE + 3);

	if (v32 != 0xffffffffu || v8 != 0xff) {
		printf("GUEST highmem: hole %llx reads %x/%x\n", HOLE_PROBE,
		       v32, v8);
		ok = 0;
	}
	mmio_write32(HOLE_PROBE, 0x12345678);
	v32 = mmio_read32(HOLE_PROBE);
	if (v32 != 0xffffffffu) {
		printf("GUEST highmem: hole %llx kept a write: %x\n",
		       HOLE_PROBE, v32);
		ok = 0;
	}
	return ok;
}

void guest_main(void)
{
	int ok = 1;

	ok &= check_spots(0);
	ok &= check_spots(1);
	ok &= check_stride(HIGH_START, HIGH_END);
	ok &= check_stride(LOW_END - 256 * MiB, LOW_END);
	/* The low copy must not have been clobbered by the high writes. */
	ok &= check_spots(0);
	ok &= check_hole();
	printf("GUEST highmem %s\n", ok ? "OK" : "FAIL");
	poweroff();
}
