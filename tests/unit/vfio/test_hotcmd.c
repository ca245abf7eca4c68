/* Unit tests of `lkvm vfio add|remove`'s arguments (vfio/hotcmd.c): the
 * request each builds (device, --force, --timeout in ms, --vm-opens,
 * --name) and the usage errors (no device, two, bad --timeout). */
#include <stdio.h>
#include <stdlib.h>
#include "kvm/ctl_msg.h"
#include "unit.h"
#include "vfio/doctor.h"

static int args(bool add, char **argv, struct ctl_req *r, bool *opens,
		const char **name)
{
	int argc = 0, st, saved[2];

	while (argv[argc])
		argc++;
	unit_mute(saved);	/* the usage lines of bad uses and --help */
	st = vfio_hot_args(add, argc, argv, r, opens, name);
	unit_unmute(saved);
	return st;
}

TEST(hotcmd_add_and_remove_requests)
{
	char *add[] = { "add", "--name", "vm1", "0000:01:00.0,port=1", NULL };
	char *opens[] = { "add", "01:00.0", "--vm-opens", NULL };
	char *rm[] = { "remove", "--force", "--timeout", "3", "01:00.0", NULL };
	char *rm_def[] = { "remove", "01:00.0", NULL };
	struct ctl_req r;
	const char *name;
	bool o;

	EXPECT_EQ(args(true, add, &r, &o, &name), -1);
	EXPECT_EQ(r.cmd, CTL_VFIO_ADD);
	EXPECT_STR(r.dev, "0000:01:00.0,port=1");
	EXPECT_STR(name, "vm1");
	EXPECT(!o && !r.force && !r.has_group && !r.cdev[0]);
	EXPECT_EQ(args(true, opens, &r, &o, &name), -1);
	EXPECT(o && !name);
	EXPECT_EQ(args(false, rm, &r, &o, &name), -1);
	EXPECT_EQ(r.cmd, CTL_VFIO_REMOVE);
	EXPECT(r.force && r.timeout_ms == 3000);
	EXPECT_EQ(args(false, rm_def, &r, &o, &name), -1);
	EXPECT(!r.force && r.timeout_ms == 10000);	/* the default 10 s */
}

TEST(hotcmd_bad_uses)
{
	char *none[] = { "add", NULL };
	char *two[] = { "add", "01:00.0", "02:00.0", NULL };
	char *force[] = { "add", "--force", "01:00.0", NULL };
	char *tmo0[] = { "remove", "--timeout", "0", "01:00.0", NULL };
	char *tmox[] = { "remove", "--timeout", "5s", "01:00.0", NULL };
	char *name[] = { "remove", "--name", "a/b", "01:00.0", NULL };
	char *help[] = { "remove", "--help", NULL };
	struct ctl_req r;
	const char *n;
	bool o;

	EXPECT_EQ(args(true, none, &r, &o, &n), 2);
	EXPECT_EQ(args(true, two, &r, &o, &n), 2);
	EXPECT_EQ(args(true, force, &r, &o, &n), 2);	/* remove's option */
	EXPECT_EQ(args(false, tmo0, &r, &o, &n), 2);
	EXPECT_EQ(args(false, tmox, &r, &o, &n), 2);
	EXPECT_EQ(args(false, name, &r, &o, &n), 2);
	EXPECT_EQ(args(false, help, &r, &o, &n), 0);
}
