/* Unit tests of `lkvm disk add|remove`'s arguments (virtio/blk_cmd.c): the
 * request each builds (the image's path made absolute with its options,
 * portN kept, --force, --timeout in ms, --name) and the usage errors. */
#include <stdio.h>
#include <unistd.h>
#include "kvm/ctl_msg.h"
#include "unit.h"
#include "virtio/blk.h"

static int args(bool add, char **argv, struct ctl_req *r, const char **name)
{
	int argc = 0, st, saved[2];

	while (argv[argc])
		argc++;
	unit_mute(saved);	/* the usage lines of bad uses */
	st = blk_cmd_args(add, argc, argv, r, name);
	unit_unmute(saved);
	return st;
}

TEST(disk_cmd_args)
{
	char *add[] = { "add", "--name", "vm1", "d.img,ro,port=1", NULL };
	char *rm[] = { "remove", "--force", "--timeout", "3", "port1", NULL };
	char *rmp[] = { "remove", "/tmp/../tmp", NULL };
	char *rm0[] = { "remove", "--timeout", "0", "port1", NULL };
	char *addf[] = { "add", "--force", "d.img", NULL };
	char *none[] = { "add", NULL };
	char *two[] = { "remove", "a", "b", NULL };
	char cwd[256], want[300];
	struct ctl_req r;
	const char *name;

	ASSERT(getcwd(cwd, sizeof(cwd)));
	EXPECT_EQ(args(true, add, &r, &name), -1);
	snprintf(want, sizeof(want), "%s/d.img,ro,port=1", cwd);
	EXPECT_STR(r.dev, want);
	EXPECT_STR(name, "vm1");
	EXPECT_EQ(r.cmd, CTL_DISK_ADD);
	EXPECT(!r.force && !r.timeout_ms);
	EXPECT_EQ(args(false, rm, &r, &name), -1);
	EXPECT_STR(r.dev, "port1");
	EXPECT(r.force && !name);
	EXPECT_EQ(r.timeout_ms, 3000);
	EXPECT_EQ(r.cmd, CTL_DISK_REMOVE);
	EXPECT_EQ(args(false, rmp, &r, &name), -1);
	EXPECT_STR(r.dev, "/tmp");	/* resolved */
	EXPECT_EQ(r.timeout_ms, 10000);
	EXPECT_EQ(args(false, rm0, &r, &name), 2);
	EXPECT_EQ(args(true, addf, &r, &name), 2);	/* remove's option */
	EXPECT_EQ(args(true, none, &r, &name), 2);
	EXPECT_EQ(args(false, two, &r, &name), 2);
}
