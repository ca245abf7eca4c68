/* Unit tests of the /dev/kvm open advice (kvm/kvm_access.c): join the
 * node's group when it grants access; when only root can (0600, or group
 * root), say to give the kvm group access instead of "join group root". */
#include <errno.h>
#include <sys/stat.h>
#include "kvm/kvm_access.h"
#include "unit.h"

static char msg[768];

static const char *advice(int err, mode_t mode, gid_t gid, const char *group,
			  bool in_group)
{
	struct kvm_node n = {
		.known = true, .mode = S_IFCHR | mode, .uid = 0,
		.gid = gid, .owner = "root", .group = group,
		.in_group = in_group,
	};

	kvm_open_advice("/dev/kvm", err, &n, msg, sizeof(msg));
	return msg;
}

TEST(kvm_advice_root_only_node)
{
	/* 0600 root:root: joining 'root' is not the fix */
	advice(EACCES, 0600, 0, "root", false);
	EXPECT(!strstr(msg, "'root' group"));
	EXPECT(!strstr(msg, "usermod -aG root"));
	EXPECT_CONTAINS(msg, "mode 0600 root:root");
	EXPECT_CONTAINS(msg, "chgrp kvm /dev/kvm; chmod 660 /dev/kvm");
	EXPECT_CONTAINS(msg, "udev rule");
	EXPECT_CONTAINS(msg, "usermod -aG kvm $USER");
	/* 0660 but group root: the same */
	advice(EACCES, 0660, 0, "root", false);
	EXPECT_CONTAINS(msg, "mode 0660 root:root");
	EXPECT(!strstr(msg, "usermod -aG root"));
	/* 0600 root:kvm: the group has no access yet */
	advice(EACCES, 0600, 36, "kvm", false);
	EXPECT_CONTAINS(msg, "mode 0600 root:kvm");
	EXPECT_CONTAINS(msg, "chmod 660 /dev/kvm");
	/* unknown names: numbers */
	advice(EACCES, 0600, 999, NULL, false);
	EXPECT_CONTAINS(msg, "root:999");
}

TEST(kvm_advice_join_group)
{
	advice(EACCES, 0660, 36, "kvm", false);
	EXPECT_CONTAINS(msg, "add your user to the 'kvm' group (usermod -aG "
			     "kvm $USER) and log in again");
	EXPECT(!strstr(msg, "chmod"));
	advice(EACCES, 0660, 78, "kvmusers", false);
	EXPECT_CONTAINS(msg, "usermod -aG kvmusers $USER");
	advice(EACCES, 0660, 78, NULL, false);
	EXPECT_CONTAINS(msg, "gid 78");
}

TEST(kvm_advice_mode_allows_it)
{
	/* in the group, or 0666: the mode is not the problem */
	advice(EACCES, 0660, 36, "kvm", true);
	EXPECT_CONTAINS(msg, "something else denies it");
	EXPECT(!strstr(msg, "usermod"));
	advice(EPERM, 0666, 0, "root", false);
	EXPECT_CONTAINS(msg, "device cgroup");
}

TEST(kvm_advice_other_errors)
{
	struct kvm_node n = { 0 };

	kvm_open_advice("/x/kvm", ENOENT, &n, msg, sizeof(msg));
	EXPECT_CONTAINS(msg, "/x/kvm does not exist: load KVM");
	kvm_open_advice("/dev/kvm", EACCES, &n, msg, sizeof(msg));
	EXPECT_CONTAINS(msg, "no permission to open /dev/kvm");
	EXPECT_CONTAINS(msg, "kvm group");
	kvm_open_advice("/dev/kvm", ENXIO, &n, msg, sizeof(msg));
	EXPECT_CONTAINS(msg, "cannot open /dev/kvm: No such device");
}
