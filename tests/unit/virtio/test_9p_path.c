/* Unit tests of virtio-9p path handling (virtio/9p_path.c): canonical joins
 * and renames, and directories opened beneath a real share on disk with the
 * escape attempts a guest can make (.., absolute symlinks, symlinks out),
 * through openat2 and through the O_NOFOLLOW walk. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "virtio/9p.h"
#include "unit.h"

TEST(p9_path_join_canonical)
{
	char out[PATH_MAX], name[300];

	EXPECT_EQ(p9_path_join("", "a", out, sizeof(out)), 0);
	EXPECT_STR(out, "a");
	EXPECT_EQ(p9_path_join("a", "b", out, sizeof(out)), 0);
	EXPECT_STR(out, "a/b");
	EXPECT_EQ(p9_path_join("a/b", "..", out, sizeof(out)), 0);
	EXPECT_STR(out, "a");
	EXPECT_EQ(p9_path_join("a", "..", out, sizeof(out)), 0);
	EXPECT_STR(out, "");
	EXPECT_EQ(p9_path_join("", "..", out, sizeof(out)), 0);	/* root */
	EXPECT_STR(out, "");
	EXPECT_EQ(p9_path_join("a", ".", out, sizeof(out)), 0);
	EXPECT_STR(out, "a");
	EXPECT_EQ(p9_path_join("a", "x/../..", out, sizeof(out)), -EINVAL);
	EXPECT_EQ(p9_path_join("a", "", out, sizeof(out)), -EINVAL);
	memset(name, 'n', 256);
	name[256] = 0;
	EXPECT_EQ(p9_path_join("", name, out, sizeof(out)), -ENAMETOOLONG);
	name[255] = 0;
	EXPECT_EQ(p9_path_join("", name, out, sizeof(out)), 0);
	EXPECT_EQ(p9_path_join("abc", "d", out, 5), -ENAMETOOLONG);
	EXPECT_EQ(p9_name_ok("."), -EINVAL);
	EXPECT_EQ(p9_name_ok(".."), -EINVAL);
	EXPECT_EQ(p9_name_ok("a/b"), -EINVAL);
	EXPECT_EQ(p9_name_ok(""), -EINVAL);
	EXPECT_EQ(p9_name_ok("ok"), 0);
}

TEST(p9_path_join_total_length)
{
	char out[PATH_MAX], path[PATH_MAX], name[256];
	int i;

	path[0] = 0;
	memset(name, 'x', 200);
	name[200] = 0;
	for (i = 0; i < 30; i++)
		if (p9_path_join(path, name, path, sizeof(path)))
			break;
	EXPECT(i > 0 && i < 30);	/* stopped before PATH_MAX */
	EXPECT(strlen(path) < PATH_MAX);
	EXPECT_EQ(p9_path_join(path, name, out, sizeof(out)), -ENAMETOOLONG);
}

TEST(p9_path_rebase_prefix)
{
	char *p = strdup("a/b/c");

	EXPECT_EQ(p9_path_rebase(&p, "a/b", "z"), 1);
	EXPECT_STR(p, "z/c");
	EXPECT_EQ(p9_path_rebase(&p, "z/", "q"), 0);
	EXPECT_EQ(p9_path_rebase(&p, "z/c", "y"), 1);
	EXPECT_STR(p, "y");
	free(p);
	p = strdup("ab");
	EXPECT_EQ(p9_path_rebase(&p, "a", "q"), 0);	/* not a component */
	EXPECT_STR(p, "ab");
	free(p);
}

/* share/{sub/inner, in -> sub, up -> ../outside, abs -> <T>/outside,
 * dotdot -> ..}, outside/secret next to it. */
static char T[64];

static void mkshare(void)
{
	char p[128];

	strcpy(T, "/tmp/lkvm-9p-path-XXXXXX");
	if (!mkdtemp(T))
		return;
	snprintf(p, sizeof(p), "%s/share", T); mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/share/sub", T); mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/share/sub/inner", T); mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/outside", T); mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/share/in", T);
	EXPECT_EQ(symlink("sub", p), 0);
	snprintf(p, sizeof(p), "%s/share/up", T);
	EXPECT_EQ(symlink("../outside", p), 0);
	snprintf(p, sizeof(p), "%s/share/dotdot", T);
	EXPECT_EQ(symlink("..", p), 0);
	snprintf(p, sizeof(p), "%s/share/abs", T);
	{
		char tgt[128];

		snprintf(tgt, sizeof(tgt), "%s/outside", T);
		EXPECT_EQ(symlink(tgt, p), 0);
	}
}

static void rmshare(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", T);
	EXPECT_EQ(system(cmd), 0);
}

static bool opens(struct p9_server *s, const char *rel)
{
	int fd = p9_open_dir(s, rel);

	if (fd >= 0)
		close(fd);
	return fd >= 0;
}

static void escapes_refused(struct p9_server *s)
{
	char name[P9_NAME_MAX + 1];
	int fd;

	EXPECT(opens(s, ""));
	EXPECT(opens(s, "sub/inner"));
	EXPECT(!opens(s, "up"));		/* symlink out of the share */
	EXPECT(!opens(s, "abs"));		/* absolute symlink */
	EXPECT(!opens(s, "dotdot"));
	EXPECT(!opens(s, "sub/../.."));		/* never built, but refused */
	EXPECT(!opens(s, "missing"));
	fd = p9_open_parent(s, "up/x", name);	/* a path through "up" */
	EXPECT(fd < 0);
	if (fd >= 0)
		close(fd);
	fd = p9_open_parent(s, "sub/inner", name);
	EXPECT(fd >= 0);
	EXPECT_STR(name, "inner");
	if (fd >= 0)
		close(fd);
}

TEST(p9_path_escapes_refused_both_ways)
{
	struct p9_server s;
	char err[256], dir[128];

	mkshare();
	snprintf(dir, sizeof(dir), "%s/share", T);
	ASSERT(!p9_server_init(&s, dir, false, err, sizeof(err)));
	if (s.have_openat2) {
		escapes_refused(&s);
		EXPECT(opens(&s, "in/inner"));	/* a symlink inside: fine */
	}
	s.have_openat2 = false;
	escapes_refused(&s);
	EXPECT(!opens(&s, "in/inner"));		/* the walk follows none */
	p9_server_fini(&s);
	EXPECT(p9_server_init(&s, "/nonexistent-lkvm-share", false, err,
			      sizeof(err)) < 0);
	EXPECT_CONTAINS(err, "/nonexistent-lkvm-share");
	rmshare();
}
