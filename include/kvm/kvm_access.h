/* Why /dev/kvm cannot be opened, and what to change: the advice is a pure
 * function of the node's mode, owner and group and of the caller's groups,
 * so it is unit-tested without KVM (kvm/vm.c gathers the facts). */
#ifndef LKVM_KVM_KVM_ACCESS_H
#define LKVM_KVM_KVM_ACCESS_H

#include <sys/types.h>
#include "lkvm/util.h"

struct kvm_node {
	bool known;		/* stat() worked: the fields below are set */
	mode_t mode;
	uid_t uid;
	gid_t gid;
	const char *owner;	/* user name of uid, NULL: unknown */
	const char *group;	/* group name of gid, NULL: unknown */
	bool in_group;		/* this process has gid */
};

/* The message for open(path) failing with err (ENOENT, EACCES, EPERM,
 * anything else), written into buf. */
void kvm_open_advice(const char *path, int err, const struct kvm_node *n,
		     char *buf, size_t len);

#endif
