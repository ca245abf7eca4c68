/* kvm/migargs.c: -m and -c given to the destination are checked against
 * the source's VM (refused with both values) and taken out of the
 * arguments; the others pass through in order. */
#include "unit.h"
#include "kvm/migrate.h"

#define MiB (1ULL << 20)

static int expect(char **in, int n, char **rest, int *nrest, char *err)
{
	return mig_expect_args(n, in, rest, nrest, 64 * MiB, 2, err, 160);
}

TEST(migargs_match_and_pass_through)
{
	char *in[] = { "--vfio", "01:00.0", "-m", "64", "--cpus=2", "--name",
		       "B", "--mem=64M", "-c", "2" };
	char *rest[10], err[160];
	int n;

	ASSERT_EQ(expect(in, 10, rest, &n, err), 0);
	ASSERT_EQ(n, 4);
	EXPECT_STR(rest[0], "--vfio");
	EXPECT_STR(rest[1], "01:00.0");
	EXPECT_STR(rest[2], "--name");
	EXPECT_STR(rest[3], "B");
}

TEST(migargs_mismatch_refused)
{
	char *mem[] = { "-m", "128" }, *cpu[] = { "--cpus", "4" },
	     *bad[] = { "--mem=lots" }, *cut[] = { "-c" }, *rest[4], err[160];
	int n;

	EXPECT_EQ(expect(mem, 2, rest, &n, err), -1);
	EXPECT_STR(err, "RAM size: the source's VM has 64 MiB, this "
		   "destination expects 128 MiB (-m)");
	EXPECT_EQ(expect(cpu, 2, rest, &n, err), -1);
	EXPECT_STR(err, "vCPUs: the source's VM has 2, this destination "
		   "expects '4' (--cpus)");
	EXPECT_EQ(expect(bad, 1, rest, &n, err), -1);
	EXPECT_CONTAINS(err, "not a size");
	EXPECT_EQ(expect(cut, 1, rest, &n, err), -1);
	EXPECT_CONTAINS(err, "'-c' needs a value");
}
