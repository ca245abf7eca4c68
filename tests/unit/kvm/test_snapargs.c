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

static bool is_b(const char *val, void *arg)
{
	return !strncmp(val, arg, strlen(arg));
}

/* The VM's recorded arguments: an added device appended with its option,
 * a removed one's option taken out whatever its spelling, the others and
 * the non-device options kept. */
TEST(snapargs_follow_added_and_removed_devices)
{
	char *argv[] = { "run", "-p", "quiet", "--vfio=A", "-dd.img",
			 "--vfio-pci", "B,port=1", "--debug" };
	struct snap_args a;

	ASSERT_EQ(snap_args_init(&a, 8, argv), 0);
	EXPECT(a.argv[1] != argv[1]);	/* copies */
	EXPECT_EQ(snap_args_add(&a, "--vfio", "C,port=0"), 0);
	ASSERT_EQ(a.argc, 10);
	EXPECT_STR(a.argv[8], "--vfio");
	EXPECT_STR(a.argv[9], "C,port=0");
	EXPECT_EQ(snap_args_drop(&a, "--vfio", is_b, "B"), 0);
	ASSERT_EQ(a.argc, 8);
	EXPECT_STR(a.argv[3], "--vfio=A");
	EXPECT_STR(a.argv[5], "--debug");
	EXPECT_STR(a.argv[6], "--vfio");
	EXPECT_EQ(snap_args_drop(&a, "--vfio", is_b, "B"), -1);
	EXPECT_EQ(snap_args_drop(&a, "--vfio", is_b, "C"), 0);
	EXPECT_EQ(snap_args_drop(&a, "--disk", is_b, "d.img"), 0);
	EXPECT_EQ(snap_args_drop(&a, "--vfio", is_b, "A"), 0);
	ASSERT_EQ(a.argc, 4);
	EXPECT_STR(a.argv[3], "--debug");
	snap_args_free(&a);
	EXPECT_EQ(a.argc, 0);
}

TEST(snapargs_recorded_arguments_are_bounded)
{
	char *argv[SNAP_MAX_ARGS + 1];
	struct snap_args a;
	int i;

	for (i = 0; i <= SNAP_MAX_ARGS; i++)
		argv[i] = "run";
	EXPECT_EQ(snap_args_init(&a, SNAP_MAX_ARGS + 1, argv), -1);
	EXPECT_EQ(a.argc, 0);
	ASSERT_EQ(snap_args_init(&a, SNAP_MAX_ARGS - 1, argv), 0);
	EXPECT_EQ(snap_args_add(&a, "--vfio", "A"), -1);	/* not half */
	EXPECT_EQ(a.argc, SNAP_MAX_ARGS - 1);
	snap_args_free(&a);
}
