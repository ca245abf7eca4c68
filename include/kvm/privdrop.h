/* `--user UID[:GID]`: lkvm opens what it needs as root, then every thread
 * switches to the user before its seccomp filter; a reaper process keeps
 * root only to remove the control socket's files when the VM is gone. */
#ifndef LKVM_PRIVDROP_H
#define LKVM_PRIVDROP_H

#include <stdbool.h>
#include <stddef.h>
#include "lkvm/util.h"

struct vm;

struct priv_user {
	bool set;
	u32 uid, gid;
};

/*
 * Parses "UID[:GID]" where each is digits or a name, looked up in passwd
 * and group (the texts of /etc/passwd and /etc/group, NULL when absent);
 * a user named without GID gets its primary group, a bare number UID gets
 * GID = UID. 0, or -1 with a message in err.
 */
int priv_parse(const char *arg, const char *passwd, const char *group,
	       struct priv_user *u, char *err, size_t errlen);

/* Switches the calling thread (only it: raw syscalls, not libc's
 * all-thread setuid) to u with no supplementary groups. 0 or -1 (errno). */
int priv_drop_thread(const struct priv_user *u);

/* Forks the reaper of the control socket sock and its name's lock file:
 * it waits for priv_reaper_finish or for this process's end, then unlinks
 * them. Called while lkvm has a single thread. 0, or -1 (printed). */
int priv_reaper_start(struct vm *vm, const char *sock, const char *lock);

/* Has the reaper remove the files now and waits (up to 2 s) until it has. */
void priv_reaper_finish(struct vm *vm);

#endif
