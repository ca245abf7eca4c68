/* The advice when /dev/kvm cannot be opened (include/kvm/kvm_access.h):
 * join the group that can use the node; or, when no group can (0600, or
 * only root's group), give the kvm group access first; or, when the mode
 * already allows it, name what else denies it. Pure. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "kvm/kvm_access.h"

#define RW_GROUP	(S_IRGRP | S_IWGRP)
#define RW_OTHER	(S_IROTH | S_IWOTH)

static void no_group_access(const char *path, const struct kvm_node *n,
			    char *buf, size_t len)
{
	char owner[32], group[32];

	if (n->owner)
		snprintf(owner, sizeof(owner), "%s", n->owner);
	else
		snprintf(owner, sizeof(owner), "%u", (unsigned int)n->uid);
	if (n->group)
		snprintf(group, sizeof(group), "%s", n->group);
	else
		snprintf(group, sizeof(group), "%u", (unsigned int)n->gid);
	snprintf(buf, len, "no permission to open %s: it is mode %04o %s:%s; "
		 "give the kvm group access (chgrp kvm %s; chmod 660 %s, or "
		 "install the udev rule: KERNEL==\"kvm\", GROUP=\"kvm\", "
		 "MODE=\"0660\") and add your user to it (usermod -aG kvm "
		 "$USER), then log in again", path,
		 (unsigned int)(n->mode & 07777), owner, group, path, path);
}

static void denied(const char *path, int err, const struct kvm_node *n,
		   char *buf, size_t len)
{
	bool group_rw = (n->mode & RW_GROUP) == RW_GROUP && n->gid != 0;

	if (!n->known) {
		snprintf(buf, len, "no permission to open %s (%s): ask for "
			 "access through the kvm group (usermod -aG kvm $USER)",
			 path, strerror(err));
		return;
	}
	if ((n->mode & RW_OTHER) == RW_OTHER || (group_rw && n->in_group)) {
		snprintf(buf, len, "cannot open %s (%s) although its mode "
			 "%04o allows you: something else denies it (a "
			 "container's device cgroup, a nodev mount, SELinux or "
			 "AppArmor)", path, strerror(err),
			 (unsigned int)(n->mode & 07777));
		return;
	}
	if (!group_rw) {
		no_group_access(path, n, buf, len);
		return;
	}
	if (n->group)
		snprintf(buf, len, "no permission to open %s: add your user to "
			 "the '%s' group (usermod -aG %s $USER) and log in "
			 "again", path, n->group, n->group);
	else
		snprintf(buf, len, "no permission to open %s: add your user to "
			 "its group (gid %u) and log in again", path,
			 (unsigned int)n->gid);
}

void kvm_open_advice(const char *path, int err, const struct kvm_node *n,
		     char *buf, size_t len)
{
	if (err == ENOENT)
		snprintf(buf, len, "%s does not exist: load KVM (modprobe "
			 "kvm_intel or kvm_amd) and enable virtualization in "
			 "the firmware", path);
	else if (err == EACCES || err == EPERM)
		denied(path, err, n, buf, len);
	else
		snprintf(buf, len, "cannot open %s: %s", path, strerror(err));
}
