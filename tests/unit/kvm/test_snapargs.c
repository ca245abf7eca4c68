/* kvm/snapargs.c: a restore's arguments are the snapshot's, with device
 * options given again replacing the snapshot's in order (any spelling),
 * --name/--seccomp/--debug/--user added, anything else refused by name. */
#include "unit.h"
#include "kvm/snapshot.h"

static int merge(char **saved, int ns, char **given, int ng, char **out,
		 char *err)
{
	return snap_restore_args(ns, saved, ng, given, out, 64, err, 256);
}

static void expect_args(char **out, int n, const char *const *want, int nw)
{
	int i;

	if (!EXPECT_EQ(n, nw))
		return;
	for (i = 0; i < n; i++)
		EXPECT_STR(out[i], want[i]);
}

TEST(snapargs_nothing_given_keeps_the_snapshot)
{
	char *saved[] = { "run", "-k", "bz", "--vfio", "A" }, *out[64], err[256];
	const char *want[] = { "run", "-k", "bz", "--vfio", "A" };

	expect_args(out, merge(saved, 5, NULL, 0, out, err), want, 5);
}

TEST(snapargs_devices_replaced_in_order_any_spelling)
{
	char *saved[] = { "run", "--vfio=A", "-dd1.img", "--vfio-pci", "B",
			  "--disk", "d2.img", "-n", "mode=none" };
	char *given[] = { "--vfio", "X", "--vfio=Y", "--disk=e1.img",
			  "--name", "vm2", "--debug", "--user", "1000" };
	const char *want[] = { "run", "--vfio", "X", "-d", "e1.img",
			       "--vfio-pci", "Y", "--disk", "d2.img", "-n",
			       "mode=none", "--name", "vm2", "--debug",
			       "--user", "1000" };
	char *out[64], err[256];

	expect_args(out, merge(saved, 9, given, 9, out, err), want, 16);
}

TEST(snapargs_refuses_what_cannot_change)
{
	char *saved[] = { "run", "-k", "bz", "--vfio", "A" }, *out[64], err[256];
	char *m[] = { "-m", "128" }, *k[] = { "--kernel=x" };
	char *two[] = { "--vfio", "X", "--vfio", "Y" }, *dangling[] = { "--vfio" };

	EXPECT_EQ(merge(saved, 5, m, 2, out, err), -1);
	EXPECT_CONTAINS(err, "'-m' cannot be given with --restore");
	EXPECT_EQ(merge(saved, 5, k, 1, out, err), -1);
	EXPECT_CONTAINS(err, "'--kernel=x' cannot be given");
	EXPECT_EQ(merge(saved, 5, two, 4, out, err), -1);
	EXPECT_CONTAINS(err, "--vfio Y: the snapshot has 1 device of that kind");
	EXPECT_EQ(merge(saved, 5, dangling, 1, out, err), -1);
	EXPECT_CONTAINS(err, "option '--vfio' needs a value");
}

TEST(snapargs_option_prefixes_are_not_confused)
{
	char *saved[] = { "run", "--vfio-pci=A", "--debug-exit" };
	char *given[] = { "--vfio", "B" }, *bad[] = { "--debugx" };
	const char *want[] = { "run", "--vfio-pci", "B", "--debug-exit" };
	char *out[64], err[256];

	expect_args(out, merge(saved, 3, given, 2, out, err), want, 4);
	EXPECT_EQ(merge(saved, 3, bad, 1, out, err), -1);
	EXPECT_CONTAINS(err, "'--debugx' cannot be given");
}
