/* Unit tests of the 9P2000.L server (virtio/9p_ops.c, 9p_ops_fs.c,
 * 9p_fid.c) on a real share in /tmp, as a client: negotiation, walks,
 * file I/O, directories, namespace changes, locks, escapes through walks,
 * read-only shares, fid and fd limits and every truncation of requests. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "virtio/9p.h"
#include "unit.h"

static char T[64], share[96];
static struct p9_server S;
static u8 rq[8192], rs[P9_MSIZE_MAX];
static struct p9_out B;
static struct p9_in R;		/* the last reply, after its header */
static u32 rlen;

static void msg(u8 type)
{
	p9_start(&B, rq, sizeof(rq), type, 1);
}

/* Sends rq; returns the reply type (R reads the rest). */
static u8 send_cap(u32 cap)
{
	u32 n = p9_finish(&B);
	u8 type = 0;
	u16 tag;

	rlen = p9_handle(&S, rq, n, rs, cap);
	if (p9_parse_hdr(&R, rs, rlen, &type, &tag))
		return 0;
	return type;
}

static u8 send(void)
{
	return send_cap(sizeof(rs));
}

/* The errno of an Rlerror reply, 0 for any other. */
static u32 err_of(u8 type)
{
	return type == P9_RLERROR ? p9_get32(&R) : 0;
}

static void put(const char *rel, const char *data)
{
	char p[256];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", share, rel);
	f = fopen(p, "w");
	if (f) {
		fputs(data, f);
		fclose(f);
	}
}

static void setup(bool ro)
{
	char p[256];

	strcpy(T, "/tmp/lkvm-9p-ops-XXXXXX");
	if (!mkdtemp(T))
		return;
	snprintf(share, sizeof(share), "%s/share", T);
	mkdir(share, 0755);
	snprintf(p, sizeof(p), "%s/outside", T);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/outside/secret", T);
	close(open(p, O_CREAT | O_WRONLY, 0644));
	put("file", "hello 9p");
	snprintf(p, sizeof(p), "%s/sub", share);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/up", share);
	symlink("../outside", p);
	snprintf(p, sizeof(p), "%s/abs", share);
	symlink("/", p);
	if (p9_server_init(&S, share, ro, p, sizeof(p)))
		T[0] = 0;
}

static void teardown(void)
{
	char cmd[128];

	p9_server_fini(&S);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", T);
	EXPECT_EQ(system(cmd), 0);
}

static u8 t_version(u32 msize, const char *v)
{
	msg(P9_TVERSION);
	p9_put32(&B, msize);
	p9_put_str(&B, v);
	return send();
}

static u8 t_attach(u32 fid)
{
	msg(P9_TATTACH);
	p9_put32(&B, fid);
	p9_put32(&B, P9_NOFID);
	p9_put_str(&B, "root");
	p9_put_str(&B, "");
	p9_put32(&B, 0);
	return send();
}

/* Walks fid to newfid through up to 4 names (NULL-terminated). */
static u8 t_walk(u32 fid, u32 nfid, const char *a, const char *b)
{
	msg(P9_TWALK);
	p9_put32(&B, fid);
	p9_put32(&B, nfid);
	p9_put16(&B, !!a + !!b);
	if (a)
		p9_put_str(&B, a);
	if (b)
		p9_put_str(&B, b);
	return send();
}

static u8 t_fid(u8 type, u32 fid)
{
	msg(type);
	p9_put32(&B, fid);
	return send();
}

static u8 t_lopen(u32 fid, u32 flags)
{
	msg(P9_TLOPEN);
	p9_put32(&B, fid);
	p9_put32(&B, flags);
	return send();
}

static u8 t_rw(u8 type, u32 fid, u64 off, const char *data, u32 count)
{
	msg(type);
	p9_put32(&B, fid);
	p9_put64(&B, off);
	p9_put32(&B, count);
	if (data)
		memcpy(p9_put_space(&B, count), data, count);
	return send();
}

static u8 t_dir_name(u8 type, u32 dfid, const char *name, u32 a, u32 b)
{
	msg(type);
	p9_put32(&B, dfid);
	p9_put_str(&B, name);
	p9_put32(&B, a);
	p9_put32(&B, b);
	return send();
}

static bool host_exists(const char *rel)
{
	char p[256];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", share, rel);
	return !lstat(p, &st);
}

TEST(p9_version_negotiates_msize)
{
	char v[16];

	setup(false);
	ASSERT(T[0]);
	EXPECT_EQ(t_version(1 << 24, P9_VERSION), P9_RVERSION);
	EXPECT_EQ(p9_get32(&R), P9_MSIZE_MAX);	/* capped */
	p9_get_str(&R, v, 15);
	EXPECT_STR(v, P9_VERSION);
	EXPECT_EQ(t_version(8192, "9P2000.u"), P9_RVERSION);
	EXPECT_EQ(p9_get32(&R), 8192);
	p9_get_str(&R, v, 15);
	EXPECT_STR(v, "unknown");
	EXPECT_EQ(err_of(t_version(100, P9_VERSION)), EINVAL);
	/* a new version forgets every fid */
	EXPECT_EQ(t_version(65536, P9_VERSION), P9_RVERSION);
	EXPECT_EQ(t_attach(1), P9_RATTACH);
	EXPECT_EQ(err_of(t_attach(1)), EEXIST);
	EXPECT_EQ(t_version(65536, P9_VERSION), P9_RVERSION);
	EXPECT_EQ(S.nr_fids, 0);
	EXPECT_EQ(t_attach(1), P9_RATTACH);
	/* replies are cut at msize: a read of more is shortened */
	EXPECT_EQ(t_walk(1, 2, "file", NULL), P9_RWALK);
	EXPECT_EQ(t_lopen(2, 0), P9_RLOPEN);
	EXPECT_EQ(t_rw(P9_TREAD, 2, 0, NULL, 1 << 20), P9_RREAD);
	EXPECT_EQ(p9_get32(&R), 8);
	teardown();
}

TEST(p9_walk_read_write_getattr)
{
	struct p9_qid root, q;
	char buf[64], p[256];
	int fd;

	setup(false);
	ASSERT(T[0]);
	t_version(65536, P9_VERSION);
	ASSERT(t_attach(1) == P9_RATTACH);
	root.type = p9_get8(&R);
	p9_get32(&R);
	root.path = p9_get64(&R);
	EXPECT_EQ(root.type, P9_QTDIR);
	/* clone, then walk two names */
	EXPECT_EQ(t_walk(1, 2, NULL, NULL), P9_RWALK);
	EXPECT_EQ(p9_get16(&R), 0);
	EXPECT_EQ(t_walk(1, 3, "sub", ".."), P9_RWALK);
	EXPECT_EQ(p9_get16(&R), 2);
	EXPECT_EQ(t_walk(1, 4, "file", NULL), P9_RWALK);
	EXPECT_EQ(p9_get16(&R), 1);
	q.type = p9_get8(&R);
	EXPECT_EQ(q.type, P9_QTFILE);
	/* a walk that fails at the first name: Rlerror; later: partial */
	EXPECT_EQ(err_of(t_walk(1, 5, "nothere", NULL)), ENOENT);
	EXPECT_EQ(t_walk(1, 5, "sub", "nothere"), P9_RWALK);
	EXPECT_EQ(p9_get16(&R), 1);
	EXPECT(p9_fid_get(&S, 5) == NULL);	/* not made */
	EXPECT_EQ(err_of(t_walk(1, 4, "sub", NULL)), EEXIST);
	EXPECT_EQ(err_of(t_walk(1, 5, "a/b", NULL)), EINVAL);
	/* read */
	EXPECT_EQ(t_lopen(4, 2), P9_RLOPEN);
	EXPECT_EQ(err_of(t_lopen(4, 0)), EBUSY);
	EXPECT_EQ(t_rw(P9_TREAD, 4, 0, NULL, 64), P9_RREAD);
	EXPECT_EQ(p9_get32(&R), 8);
	EXPECT(!memcmp(p9_get_bytes(&R, 8), "hello 9p", 8));
	EXPECT_EQ(t_rw(P9_TREAD, 4, 6, NULL, 64), P9_RREAD);
	EXPECT_EQ(p9_get32(&R), 2);
	/* write, seen on the host */
	EXPECT_EQ(t_rw(P9_TWRITE, 4, 6, "P9!", 3), P9_RWRITE);
	EXPECT_EQ(p9_get32(&R), 3);
	snprintf(p, sizeof(p), "%s/file", share);
	fd = open(p, O_RDONLY);
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(read(fd, buf, sizeof(buf)), 9);
	EXPECT_STR(buf, "hello P9!");
	close(fd);
	/* a write whose count is more than the message holds */
	msg(P9_TWRITE);
	p9_put32(&B, 4);
	p9_put64(&B, 0);
	p9_put32(&B, 100);
	p9_put_space(&B, 10);
	EXPECT_EQ(err_of(send()), EINVAL);
	/* getattr: size and mode */
	msg(P9_TGETATTR);
	p9_put32(&B, 4);
	p9_put64(&B, 0x7ff);
	ASSERT(send() == P9_RGETATTR);
	p9_get64(&R);
	p9_get_bytes(&R, P9_QID);
	EXPECT(S_ISREG(p9_get32(&R)));
	p9_get32(&R); p9_get32(&R); p9_get64(&R); p9_get64(&R);
	EXPECT_EQ(p9_get64(&R), 9);
	/* reading a directory fid, unopened fids, unknown fids */
	EXPECT_EQ(err_of(t_rw(P9_TREAD, 1, 0, NULL, 10)), EBADF);
	EXPECT_EQ(err_of(t_rw(P9_TREAD, 99, 0, NULL, 10)), EBADF);
	EXPECT_EQ(t_fid(P9_TCLUNK, 4), P9_RCLUNK);
	EXPECT_EQ(err_of(t_fid(P9_TCLUNK, 4)), EBADF);
	EXPECT_EQ(S.nr_open, 0);
	teardown();
}

TEST(p9_walk_never_leaves_the_share)
{
	struct p9_qid root;
	u16 n;

	setup(false);
	ASSERT(T[0]);
	t_version(65536, P9_VERSION);
	ASSERT(t_attach(1) == P9_RATTACH);
	p9_get8(&R);
	p9_get32(&R);
	root.path = p9_get64(&R);
	/* .. of the root is the root */
	EXPECT_EQ(t_walk(1, 2, "..", ".."), P9_RWALK);
	EXPECT_EQ(p9_get16(&R), 2);
	p9_get8(&R); p9_get32(&R);
	EXPECT_EQ(p9_get64(&R), root.path);
	EXPECT_STR(p9_fid_get(&S, 2)->path, "");
	/* the symlinks themselves are seen (the guest resolves them), but
	 * nothing behind one that leads out */
	EXPECT_EQ(t_walk(1, 3, "up", NULL), P9_RWALK);
	EXPECT_EQ(p9_get16(&R), 1);
	EXPECT_EQ(p9_get8(&R), P9_QTSYMLINK);
	EXPECT_EQ(t_walk(1, 4, "up", "secret"), P9_RWALK);
	n = p9_get16(&R);
	EXPECT_EQ(n, 1);
	EXPECT_EQ(t_walk(1, 4, "abs", "etc"), P9_RWALK);
	EXPECT_EQ(p9_get16(&R), 1);
	/* opening a symlink fid does not follow it */
	EXPECT_EQ(t_walk(1, 5, "abs", NULL), P9_RWALK);
	EXPECT_EQ(err_of(t_lopen(5, 0)), ELOOP);
	/* readlink gives the target as stored */
	EXPECT_EQ(t_fid(P9_TREADLINK, 3), P9_RREADLINK);
	{
		char t[64];

		p9_get_str(&R, t, 63);
		EXPECT_STR(t, "../outside");
	}
	/* setattr through the symlink changes nothing outside */
	msg(P9_TSETATTR);
	p9_put32(&B, 5);
	p9_put32(&B, 0x1);	/* mode */
	p9_put32(&B, 0777);
	p9_put32(&B, 0); p9_put32(&B, 0); p9_put64(&B, 0);
	p9_put64(&B, 0); p9_put64(&B, 0); p9_put64(&B, 0); p9_put64(&B, 0);
	EXPECT_EQ(send(), P9_RSETATTR);
	{
		struct stat st;

		EXPECT_EQ(stat("/", &st), 0);
		EXPECT((st.st_mode & 0777) != 0777);
	}
	/* a long name */
	{
		char name[300];

		memset(name, 'a', 299);
		name[299] = 0;
		EXPECT_EQ(err_of(t_walk(1, 6, name, NULL)), ENAMETOOLONG);
		EXPECT_EQ(err_of(t_dir_name(P9_TMKDIR, 1, name, 0755, 0)),
			  ENAMETOOLONG);
	}
	teardown();
}

static void readdir_names(u32 fid, char *out, size_t len)
{
	u32 count, start;
	u64 off = 0;
	char name[256];

	out[0] = 0;
	for (;;) {
		t_rw(P9_TREADDIR, fid, off, NULL, 100);	/* a few at a time */
		count = p9_get32(&R);
		if (R.err || !count)
			return;
		start = R.pos;
		while (R.pos - start < count && !R.err) {
			p9_get_bytes(&R, P9_QID);
			off = p9_get64(&R);
			p9_get8(&R);
			p9_get_str(&R, name, 255);
			if (strcmp(name, ".") && strcmp(name, "..")) {
				strncat(out, name, len - strlen(out) - 2);
				strcat(out, " ");
			}
		}
	}
}

TEST(p9_namespace_changes)
{
	char names[512];

	setup(false);
	ASSERT(T[0]);
	t_version(65536, P9_VERSION);
	ASSERT(t_attach(1) == P9_RATTACH);
	EXPECT_EQ(t_dir_name(P9_TMKDIR, 1, "d", 0755, 0), P9_RMKDIR);
	EXPECT_EQ(p9_get8(&R), P9_QTDIR);
	EXPECT(host_exists("d"));
	EXPECT_EQ(err_of(t_dir_name(P9_TMKDIR, 1, "..", 0755, 0)), EINVAL);
	/* lcreate in d: the fid becomes the new file, opened */
	ASSERT(t_walk(1, 2, "d", NULL) == P9_RWALK);
	msg(P9_TLCREATE);
	p9_put32(&B, 2);
	p9_put_str(&B, "new");
	p9_put32(&B, 0102);	/* O_RDWR | O_CREAT, dotl */
	p9_put32(&B, 0644);
	p9_put32(&B, 0);
	EXPECT_EQ(send(), P9_RLCREATE);
	EXPECT_STR(p9_fid_get(&S, 2)->path, "d/new");
	EXPECT_EQ(t_rw(P9_TWRITE, 2, 0, "data", 4), P9_RWRITE);
	EXPECT_EQ(t_fid(P9_TCLUNK, 2), P9_RCLUNK);
	/* symlink, link, FIFO; no device nodes */
	msg(P9_TSYMLINK);
	p9_put32(&B, 1);
	p9_put_str(&B, "sl");
	p9_put_str(&B, "d/new");
	p9_put32(&B, 0);
	EXPECT_EQ(send(), P9_RSYMLINK);
	ASSERT(t_walk(1, 3, "d", "new") == P9_RWALK);
	msg(P9_TLINK);
	p9_put32(&B, 1);
	p9_put32(&B, 3);
	p9_put_str(&B, "hard");
	EXPECT_EQ(send(), P9_RLINK);
	EXPECT(host_exists("hard"));
	msg(P9_TMKNOD);
	p9_put32(&B, 1);
	p9_put_str(&B, "fifo");
	p9_put32(&B, S_IFIFO | 0644);
	p9_put32(&B, 0); p9_put32(&B, 0); p9_put32(&B, 0);
	EXPECT_EQ(send(), P9_RMKNOD);
	msg(P9_TMKNOD);
	p9_put32(&B, 1);
	p9_put_str(&B, "null");
	p9_put32(&B, S_IFCHR | 0666);
	p9_put32(&B, 1); p9_put32(&B, 3); p9_put32(&B, 0);
	EXPECT_EQ(err_of(send()), EPERM);
	EXPECT(!host_exists("null"));
	/* a FIFO is never opened by the server (it would block) */
	ASSERT(t_walk(1, 4, "fifo", NULL) == P9_RWALK);
	EXPECT_EQ(err_of(t_lopen(4, 0)), ENXIO);
	/* readdir sees them all, a few entries per reply */
	ASSERT(t_walk(1, 5, NULL, NULL) == P9_RWALK);
	ASSERT(t_lopen(5, 0) == P9_RLOPEN);
	readdir_names(5, names, sizeof(names));
	EXPECT_CONTAINS(names, "d ");
	EXPECT_CONTAINS(names, "sl ");
	EXPECT_CONTAINS(names, "hard ");
	EXPECT_CONTAINS(names, "fifo ");
	EXPECT_CONTAINS(names, "file ");
	/* renameat of d: fid 3 (d/new) follows */
	msg(P9_TRENAMEAT);
	p9_put32(&B, 1);
	p9_put_str(&B, "d");
	p9_put32(&B, 1);
	p9_put_str(&B, "e");
	EXPECT_EQ(send(), P9_RRENAMEAT);
	EXPECT_STR(p9_fid_get(&S, 3)->path, "e/new");
	EXPECT_EQ(t_lopen(3, 0), P9_RLOPEN);
	/* Trename of a fid */
	msg(P9_TRENAME);
	p9_put32(&B, 3);
	p9_put32(&B, 1);
	p9_put_str(&B, "moved");
	EXPECT_EQ(send(), P9_RRENAME);
	EXPECT_STR(p9_fid_get(&S, 3)->path, "moved");
	EXPECT(host_exists("moved") && !host_exists("e/new"));
	/* unlinkat: a file, then a directory */
	EXPECT_EQ(t_dir_name(P9_TUNLINKAT, 1, "hard", 0, 0), P9_RUNLINKAT);
	EXPECT(!host_exists("hard"));
	EXPECT_EQ(err_of(t_dir_name(P9_TUNLINKAT, 1, "e", 0, 0)), EISDIR);
	EXPECT_EQ(t_dir_name(P9_TUNLINKAT, 1, "e", 0x200, 0), P9_RUNLINKAT);
	/* remove clunks the fid */
	EXPECT_EQ(t_fid(P9_TREMOVE, 4), P9_RREMOVE);
	EXPECT(!host_exists("fifo"));
	EXPECT(p9_fid_get(&S, 4) == NULL);
	EXPECT_EQ(err_of(t_fid(P9_TREMOVE, 1)), EBUSY);	/* the root */
	/* statfs, fsync, flush, xattrs */
	EXPECT_EQ(t_fid(P9_TSTATFS, 5), P9_RSTATFS);
	p9_get32(&R);
	EXPECT(p9_get32(&R) > 0);	/* bsize */
	msg(P9_TFSYNC);
	p9_put32(&B, 3);
	p9_put32(&B, 0);
	EXPECT_EQ(send(), P9_RFSYNC);
	msg(P9_TFLUSH);
	p9_put16(&B, 7);
	EXPECT_EQ(send(), P9_RFLUSH);
	msg(P9_TXATTRWALK);
	p9_put32(&B, 1);
	p9_put32(&B, 9);
	p9_put_str(&B, "user.x");
	EXPECT_EQ(err_of(send()), EOPNOTSUPP);
	teardown();
}

static u8 t_lock(u32 fid, u8 type, u8 msgtype)
{
	msg(msgtype);
	p9_put32(&B, fid);
	p9_put8(&B, type);
	if (msgtype == P9_TLOCK)
		p9_put32(&B, 1);	/* BLOCK: answered BLOCKED anyway */
	p9_put64(&B, 0);
	p9_put64(&B, 0);
	p9_put32(&B, 42);
	p9_put_str(&B, "client");
	return send();
}

TEST(p9_locks_never_wait)
{
	setup(false);
	ASSERT(T[0]);
	t_version(65536, P9_VERSION);
	ASSERT(t_attach(1) == P9_RATTACH);
	ASSERT(t_walk(1, 2, "file", NULL) == P9_RWALK);
	ASSERT(t_walk(1, 3, "file", NULL) == P9_RWALK);
	ASSERT(t_lopen(2, 2) == P9_RLOPEN && t_lopen(3, 2) == P9_RLOPEN);
	EXPECT_EQ(t_lock(2, 1, P9_TLOCK), P9_RLOCK);
	EXPECT_EQ(p9_get8(&R), 0);		/* SUCCESS */
	EXPECT_EQ(t_lock(3, 1, P9_TLOCK), P9_RLOCK);
	EXPECT_EQ(p9_get8(&R), 1);		/* BLOCKED, not waited for */
	EXPECT_EQ(t_lock(3, 1, P9_TGETLOCK), P9_RGETLOCK);
	EXPECT_EQ(p9_get8(&R), 1);		/* a write lock is there */
	EXPECT_EQ(t_lock(2, 2, P9_TLOCK), P9_RLOCK);	/* unlock */
	EXPECT_EQ(t_lock(3, 1, P9_TLOCK), P9_RLOCK);
	EXPECT_EQ(p9_get8(&R), 0);
	EXPECT_EQ(err_of(t_lock(3, 9, P9_TLOCK)), EINVAL);
	EXPECT_EQ(err_of(t_lock(1, 1, P9_TLOCK)), EBADF);	/* not open */
	teardown();
}

TEST(p9_ro_share_refuses_every_write)
{
	setup(true);
	ASSERT(T[0]);
	t_version(65536, P9_VERSION);
	ASSERT(t_attach(1) == P9_RATTACH);
	ASSERT(t_walk(1, 2, "file", NULL) == P9_RWALK);
	EXPECT_EQ(err_of(t_lopen(2, 1)), EROFS);
	EXPECT_EQ(err_of(t_lopen(2, 01000)), EROFS);	/* O_TRUNC */
	EXPECT_EQ(t_lopen(2, 0), P9_RLOPEN);
	EXPECT_EQ(t_rw(P9_TREAD, 2, 0, NULL, 5), P9_RREAD);
	EXPECT_EQ(err_of(t_rw(P9_TWRITE, 2, 0, "x", 1)), EROFS);
	EXPECT_EQ(err_of(t_dir_name(P9_TMKDIR, 1, "d", 0755, 0)), EROFS);
	EXPECT_EQ(err_of(t_dir_name(P9_TUNLINKAT, 1, "file", 0, 0)), EROFS);
	msg(P9_TLCREATE);
	p9_put32(&B, 1);
	p9_put_str(&B, "n");
	p9_put32(&B, 0102);
	p9_put32(&B, 0644);
	p9_put32(&B, 0);
	EXPECT_EQ(err_of(send()), EROFS);
	msg(P9_TRENAMEAT);
	p9_put32(&B, 1);
	p9_put_str(&B, "file");
	p9_put32(&B, 1);
	p9_put_str(&B, "f2");
	EXPECT_EQ(err_of(send()), EROFS);
	msg(P9_TSETATTR);
	p9_put32(&B, 2);
	p9_put32(&B, 0x8);	/* size */
	p9_put32(&B, 0); p9_put32(&B, 0); p9_put32(&B, 0); p9_put64(&B, 0);
	p9_put64(&B, 0); p9_put64(&B, 0); p9_put64(&B, 0); p9_put64(&B, 0);
	EXPECT_EQ(err_of(send()), EROFS);
	EXPECT_EQ(err_of(t_fid(P9_TREMOVE, 2)), EROFS);
	EXPECT(host_exists("file") && !host_exists("d") && !host_exists("n"));
	teardown();
}

TEST(p9_fid_and_fd_limits)
{
	u32 i;

	setup(false);
	ASSERT(T[0]);
	S.max_fids = 4;
	S.max_open = 2;
	t_version(65536, P9_VERSION);
	ASSERT(t_attach(1) == P9_RATTACH);
	for (i = 2; i <= 4; i++)
		EXPECT_EQ(t_walk(1, i, "file", NULL), P9_RWALK);
	EXPECT_EQ(err_of(t_walk(1, 5, "file", NULL)), ENFILE);
	EXPECT_EQ(S.nr_fids, 4);
	EXPECT_EQ(t_lopen(2, 0), P9_RLOPEN);
	EXPECT_EQ(t_lopen(3, 0), P9_RLOPEN);
	EXPECT_EQ(err_of(t_lopen(4, 0)), EMFILE);
	EXPECT_EQ(t_fid(P9_TCLUNK, 2), P9_RCLUNK);
	EXPECT_EQ(t_lopen(4, 0), P9_RLOPEN);
	EXPECT_EQ(t_walk(1, 5, "file", NULL), P9_RWALK);
	EXPECT_EQ(err_of(t_walk(1, P9_NOFID, NULL, NULL)), EEXIST);
	teardown();
}

/* Every request cut short at every length, garbage types and a reply
 * buffer too small: an Rlerror each time, never a crash or a change. */
TEST(p9_malformed_requests_get_rlerror)
{
	u8 full[256];
	u32 n, cut, type;

	setup(false);
	ASSERT(T[0]);
	t_version(65536, P9_VERSION);
	ASSERT(t_attach(1) == P9_RATTACH);
	msg(P9_TMKDIR);
	p9_put32(&B, 1);
	p9_put_str(&B, "newdir");
	p9_put32(&B, 0755);
	p9_put32(&B, 0);
	n = p9_finish(&B);
	memcpy(full, rq, n);
	for (cut = 0; cut < n; cut++) {
		memcpy(rq, full, n);
		rq[0] = cut;	/* the size says the message is shorter */
		rlen = p9_handle(&S, rq, n, rs, sizeof(rs));
		EXPECT_EQ(rs[4], P9_RLERROR);
		EXPECT(!host_exists("newdir"));
	}
	for (type = 0; type < 256; type++) {
		if (type == P9_TVERSION || type == P9_TFLUSH)
			continue;
		memset(rq, 0xff, 64);
		rq[0] = 64; rq[1] = rq[2] = rq[3] = 0;
		rq[4] = type;
		rlen = p9_handle(&S, rq, 64, rs, sizeof(rs));
		EXPECT_EQ(rs[4], P9_RLERROR);
		EXPECT_EQ(rlen, 11);
	}
	msg(P9_TGETATTR);
	p9_put32(&B, 1);
	p9_put64(&B, 0x7ff);
	EXPECT_EQ(err_of(send_cap(40)), ENOBUFS);	/* reply too long */
	EXPECT_EQ(p9_handle(&S, rq, 20, rs, 10), 0);	/* not even Rlerror */
	EXPECT_EQ(t_walk(1, 2, NULL, NULL), P9_RWALK);	/* still serving */
	/* Linux sizes reply buffers to the reply (at least an Rlerror's 11
	 * bytes): an Rclunk fits in 11, an Rread of nothing in 11 too */
	EXPECT_EQ(t_walk(1, 3, "file", NULL), P9_RWALK);
	EXPECT_EQ(t_lopen(3, 0), P9_RLOPEN);
	msg(P9_TREAD);
	p9_put32(&B, 3); p9_put64(&B, 0); p9_put32(&B, 4);
	EXPECT_EQ(err_of(send_cap(11)), ENOBUFS);
	msg(P9_TCLUNK);
	p9_put32(&B, 2);
	EXPECT_EQ(send_cap(11), P9_RCLUNK);
	teardown();
}
