/* Dropping root for `--user UID[:GID]` (include/kvm/privdrop.h): the
 * option's parse over passwd/group texts, each thread's own switch of
 * credentials, and the reaper that removes the control files at the end. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include "kvm/privdrop.h"
#include "kvm/vm.h"

#define REAPER_WAIT_MS	2000
#define MAX_ID		0xfffffffeu	/* (u32)-1 means "unchanged" */

/* digits only, within MAX_ID */
static int parse_num(const char *s, u32 *v)
{
	unsigned long long n = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		n = n * 10 + (*s - '0');
		if (n > MAX_ID)
			return -1;
	}
	*v = n;
	return 0;
}

/* The digits of the field at s, which ends at ':' or at the line's end. */
static int field_num(const char *s, u32 *v)
{
	size_t n = strspn(s, "0123456789");
	char num[16];

	if (!n || n >= sizeof(num) || (s[n] && s[n] != ':' && s[n] != '\n'))
		return -1;
	memcpy(num, s, n);
	num[n] = 0;
	return parse_num(num, v);
}

/* The field after the one at s, within the line ending at eol. */
static const char *next_field(const char *s, const char *eol)
{
	const char *p = strchr(s, ':');

	return p && p < eol ? p + 1 : NULL;
}

/*
 * Finds name in a passwd or group text ("name:x:ID:GID..." lines): ID in
 * *id, and for passwd (gid not NULL) the primary group in *gid. 0, or -1
 * when absent or malformed.
 */
static int lookup(const char *text, const char *name, u32 *id, u32 *gid)
{
	size_t nl = strlen(name);
	const char *l, *eol, *p;

	for (l = text; *l; l = *eol ? eol + 1 : eol) {
		eol = strchrnul(l, '\n');
		if (strncmp(l, name, nl) || l[nl] != ':')
			continue;
		p = next_field(l + nl + 1, eol);	/* past the password */
		if (!p || field_num(p, id))
			return -1;
		if (!gid)
			return 0;
		p = next_field(p, eol);
		return p && !field_num(p, gid) ? 0 : -1;
	}
	return -1;
}

static int user_part(const char *s, const char *passwd, struct priv_user *u,
		     bool *named, char *err, size_t errlen)
{
	*named = false;
	if (!parse_num(s, &u->uid)) {
		u->gid = u->uid;
		return 0;
	}
	if (!passwd || lookup(passwd, s, &u->uid, &u->gid))
		return set_err(err, errlen, "--user '%s': no such user in "
			       "/etc/passwd; give a numeric UID[:GID]", s);
	*named = true;
	return 0;
}

int priv_parse(const char *arg, const char *passwd, const char *group,
	       struct priv_user *u, char *err, size_t errlen)
{
	char buf[128], *colon;
	bool named;

	if (!arg || !*arg || strlen(arg) >= sizeof(buf))
		return set_err(err, errlen, "--user needs UID[:GID] (numbers "
			       "or names), e.g. --user 1000:1000");
	strcpy(buf, arg);
	colon = strchr(buf, ':');
	if (colon)
		*colon = 0;
	if (user_part(buf, passwd, u, &named, err, errlen))
		return -1;
	if (colon && parse_num(colon + 1, &u->gid) &&
	    (!group || lookup(group, colon + 1, &u->gid, NULL)))
		return set_err(err, errlen, "--user '%s': no such group '%s' "
			       "in /etc/group; give a numeric GID", arg,
			       colon + 1);
	if (!u->uid)
		return set_err(err, errlen, "--user '%s' is root: name the "
			       "user lkvm should run as", arg);
	u->set = true;
	return 0;
}

int priv_drop_thread(const struct priv_user *u)
{
	if (!u || !u->set)
		return 0;
	if (syscall(SYS_setgroups, 0, NULL) ||
	    syscall(SYS_setresgid, u->gid, u->gid, u->gid) ||
	    syscall(SYS_setresuid, u->uid, u->uid, u->uid))
		return -1;
	return 0;
}

/*
 * The reaper: a byte from the VM process (it still holds the name's lock)
 * or EOF (it is gone: the files go only if no VM took the name since, i.e.
 * the lock is free), then the unlinks and one byte back. Every other fd of
 * the fork is closed at once.
 */
static void reaper(int fd, const char *sock, const char *lock)
{
	ssize_t r;
	char c;
	int lfd, i;

	prctl(PR_SET_NAME, "lkvm-reaper", 0, 0, 0);
	if (dup2(fd, 3) < 0)
		_exit(1);
	if (syscall(SYS_close_range, 4, ~0u, 0))
		for (i = 4; i < 1024; i++)
			close(i);
	while ((r = read(3, &c, 1)) < 0 && errno == EINTR)
		;
	if (r <= 0) {
		lfd = open(lock, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
		if (lfd < 0 || flock(lfd, LOCK_EX | LOCK_NB))
			_exit(0);
	}
	unlink(sock);
	unlink(lock);
	c = 1;
	_exit(write(3, &c, 1) == 1 ? 0 : 1);
}

int priv_reaper_start(struct vm *vm, const char *sock, const char *lock)
{
	int sv[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
		pr_err("--user: cannot start the process that removes the "
		       "control socket at exit: %s", strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		pr_err("--user: fork of the reaper: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (!pid)
		reaper(sv[1], sock, lock);
	close(sv[1]);
	vm->reaper_fd = sv[0];
	return 0;
}

void priv_reaper_finish(struct vm *vm)
{
	struct pollfd p = { .fd = vm->reaper_fd, .events = POLLIN };
	char c = 1;

	if (vm->reaper_fd < 0)
		return;
	if (write(vm->reaper_fd, &c, 1) == 1 &&
	    poll(&p, 1, REAPER_WAIT_MS) == 1 && read(vm->reaper_fd, &c, 1) < 0)
		pr_warn("--user: the control socket's files may be left: %s",
			strerror(errno));
	close(vm->reaper_fd);
	vm->reaper_fd = -1;
}
