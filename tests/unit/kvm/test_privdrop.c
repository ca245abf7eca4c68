/* Unit tests for kvm/privdrop.c: `--user` parsing over passwd and group
 * texts (numbers, names, primary groups, bad input), the per-thread
 * credential switch (only as root) and the reaper (files removed on
 * request, and on EOF only when the name's lock is free). */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include "unit.h"
#include "kvm/privdrop.h"
#include "kvm/vm.h"

static const char passwd[] =
	"root:x:0:0:root:/root:/bin/bash\n"
	"nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
	"alice:x:1000:100:Alice:/home/alice:/bin/sh\n"
	"broken:x:12a:5::/:/bin/sh\n"
	"short:x:77\n"
	"alicex:x:2000:2000::/:/bin/sh";	/* no final newline */
static const char group[] =
	"root:x:0:\n"
	"kvm:x:104:alice\n"
	"users:x:100:\n";

static int parse(const char *arg, struct priv_user *u, char *err)
{
	memset(u, 0, sizeof(*u));
	return priv_parse(arg, passwd, group, u, err, 256);
}

TEST(priv_parse_numbers)
{
	struct priv_user u;
	char err[256];

	EXPECT_EQ(parse("1234", &u, err), 0);
	EXPECT(u.set);
	EXPECT_EQ(u.uid, 1234);
	EXPECT_EQ(u.gid, 1234);
	EXPECT_EQ(parse("1234:56", &u, err), 0);
	EXPECT_EQ(u.uid, 1234);
	EXPECT_EQ(u.gid, 56);
	EXPECT_EQ(parse("4294967294", &u, err), 0);
	EXPECT_EQ(parse("4294967295", &u, err), -1);	/* (u32)-1: "unchanged" */
	EXPECT_CONTAINS(err, "no such user");
}

TEST(priv_parse_names)
{
	struct priv_user u;
	char err[256];

	EXPECT_EQ(parse("alice", &u, err), 0);
	EXPECT_EQ(u.uid, 1000);
	EXPECT_EQ(u.gid, 100);		/* her primary group */
	EXPECT_EQ(parse("alice:kvm", &u, err), 0);
	EXPECT_EQ(u.gid, 104);
	EXPECT_EQ(parse("alicex", &u, err), 0);	/* last line, no newline */
	EXPECT_EQ(u.uid, 2000);
	EXPECT_EQ(parse("nobody:0", &u, err), 0);
	EXPECT_EQ(u.uid, 65534);
	EXPECT_EQ(u.gid, 0);
	EXPECT_EQ(parse("1000:users", &u, err), 0);
	EXPECT_EQ(u.gid, 100);
}

TEST(priv_parse_bad)
{
	struct priv_user u;
	char err[256];

	EXPECT_EQ(parse("", &u, err), -1);
	EXPECT_CONTAINS(err, "UID[:GID]");
	EXPECT_EQ(parse("ali", &u, err), -1);	/* a prefix is not a name */
	EXPECT_CONTAINS(err, "'ali': no such user in /etc/passwd");
	EXPECT_EQ(parse("broken", &u, err), -1);
	EXPECT_EQ(parse("short", &u, err), -1);
	EXPECT_EQ(parse("alice:wheel", &u, err), -1);
	EXPECT_CONTAINS(err, "no such group 'wheel'");
	EXPECT_EQ(parse("alice:", &u, err), -1);
	EXPECT_EQ(parse("root", &u, err), -1);
	EXPECT_CONTAINS(err, "is root");
	EXPECT_EQ(parse("0:0", &u, err), -1);
	EXPECT_EQ(parse("-5", &u, err), -1);
	EXPECT(!u.set);
	memset(&u, 0, sizeof(u));
	EXPECT_EQ(priv_parse("alice", NULL, NULL, &u, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "give a numeric UID[:GID]");
}

static void *drop_in_thread(void *arg)
{
	struct priv_user *u = arg;
	uid_t r, e, s;

	if (priv_drop_thread(u) || getresuid(&r, &e, &s))
		return (void *)1;
	return (void *)(long)(r == u->uid && e == u->uid && s == u->uid &&
			      getegid() == u->gid ? 0 : 2);
}

/* Only the calling thread changes (raw syscalls): the others stay root. */
TEST(priv_drop_one_thread)
{
	struct priv_user u = { .set = true, .uid = 65534, .gid = 65534 };
	struct priv_user none = { 0 };
	pthread_t t;
	void *ret;

	EXPECT_EQ(priv_drop_thread(&none), 0);
	EXPECT_EQ(priv_drop_thread(NULL), 0);
	if (geteuid())
		return;		/* needs root */
	ASSERT(!pthread_create(&t, NULL, drop_in_thread, &u));
	pthread_join(t, &ret);
	EXPECT_EQ((long)ret, 0);
	EXPECT_EQ(geteuid(), 0);
	EXPECT_EQ(getegid(), 0);
}

static void mkfiles(const char *dir, char *sock, char *lock)
{
	sprintf(sock, "%s/vm.sock", dir);
	sprintf(lock, "%s/vm.lock", dir);
	close(open(sock, O_CREAT | O_WRONLY | O_CLOEXEC, 0600));
	close(open(lock, O_CREAT | O_WRONLY | O_CLOEXEC, 0600));
}

TEST(priv_reaper_on_request)
{
	char dir[] = "/tmp/lkvm-ut-reap-XXXXXX", sock[64], lock[64];
	struct vm vm = { .reaper_fd = -1 };

	ASSERT(mkdtemp(dir));
	mkfiles(dir, sock, lock);
	ASSERT(!priv_reaper_start(&vm, sock, lock));
	EXPECT(vm.reaper_fd >= 0);
	EXPECT(fcntl(vm.reaper_fd, F_GETFD) & FD_CLOEXEC);
	EXPECT_EQ(access(sock, F_OK), 0);	/* nothing before the request */
	priv_reaper_finish(&vm);
	EXPECT_EQ(vm.reaper_fd, -1);
	EXPECT(access(sock, F_OK) && access(lock, F_OK));	/* both gone */
	priv_reaper_finish(&vm);		/* again: nothing */
	rmdir(dir);
}

/* The VM process gone (EOF): the files go only when nobody holds the lock
 * (here a stand-in "next VM" holds it: they stay). */
TEST(priv_reaper_on_eof)
{
	char dir[] = "/tmp/lkvm-ut-reap-XXXXXX", sock[64], lock[64];
	struct vm vm = { .reaper_fd = -1 };
	int held, i;

	ASSERT(mkdtemp(dir));
	mkfiles(dir, sock, lock);
	held = open(lock, O_RDWR | O_CLOEXEC);
	ASSERT(held >= 0 && !flock(held, LOCK_EX));
	ASSERT(!priv_reaper_start(&vm, sock, lock));
	close(vm.reaper_fd);			/* as if lkvm died */
	usleep(200000);
	EXPECT_EQ(access(sock, F_OK), 0);
	EXPECT_EQ(access(lock, F_OK), 0);
	close(held);
	ASSERT(!priv_reaper_start(&vm, sock, lock));
	close(vm.reaper_fd);
	for (i = 0; i < 100 && !access(sock, F_OK); i++)
		usleep(20000);
	EXPECT(access(sock, F_OK) && access(lock, F_OK));
	rmdir(dir);
}
