/* virtio-9p paths: canonical share-relative paths (pure joins and renames)
 * and opening a directory beneath the share root without escaping it:
 * openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS) where the kernel has it,
 * else a walk of O_NOFOLLOW opens that refuses every symlink. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/openat2.h>
#include "virtio/9p.h"

#define DIR_FLAGS	(O_PATH | O_DIRECTORY | O_CLOEXEC)

int p9_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (!n || strchr(name, '/') || !strcmp(name, ".") ||
	    !strcmp(name, ".."))
		return -EINVAL;
	return n > P9_NAME_MAX ? -ENAMETOOLONG : 0;
}

int p9_path_join(const char *path, const char *name, char *out, size_t len)
{
	size_t pl = strlen(path), nl = strlen(name);
	const char *slash;

	if (!nl || strchr(name, '/'))
		return -EINVAL;
	if (nl > P9_NAME_MAX || pl >= len)
		return -ENAMETOOLONG;
	if (!strcmp(name, "..")) {
		slash = strrchr(path, '/');
		pl = slash ? (size_t)(slash - path) : 0;
		memmove(out, path, pl);
		out[pl] = 0;
		return 0;
	}
	memmove(out, path, pl + 1);
	if (!strcmp(name, "."))
		return 0;
	if (pl + !!pl + nl >= len || pl + !!pl + nl >= PATH_MAX)
		return -ENAMETOOLONG;
	if (pl)
		out[pl++] = '/';
	memcpy(out + pl, name, nl + 1);
	return 0;
}

int p9_path_rebase(char **path, const char *from, const char *to)
{
	size_t fl = strlen(from), tl = strlen(to), rest;
	char *p = *path, *n;

	if (strncmp(p, from, fl) || (p[fl] && (p[fl] != '/' || !fl)))
		return 0;
	rest = strlen(p + fl);
	if (tl + rest >= PATH_MAX)
		return -ENAMETOOLONG;
	n = malloc(tl + rest + 1);
	if (!n)
		return -ENOMEM;
	memcpy(n, to, tl);
	memcpy(n + tl, p + fl, rest + 1);
	free(p);
	*path = n;
	return 1;
}

static int sys_openat2(int dir, const char *path, struct open_how *how)
{
	return syscall(__NR_openat2, dir, path, how, sizeof(*how));
}

bool p9_probe_openat2(int dir)
{
	struct open_how how = {
		.flags = DIR_FLAGS,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
	};
	int fd = sys_openat2(dir, ".", &how);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* The fallback: one component at a time, a symlink anywhere refused. */
static int walk_nofollow(int root, const char *rel)
{
	char buf[PATH_MAX], *comp, *save;
	int fd = dup(root), next;

	if (fd < 0)
		return -errno;
	if (strlen(rel) >= sizeof(buf)) {
		close(fd);
		return -ENAMETOOLONG;
	}
	strcpy(buf, rel);
	for (comp = strtok_r(buf, "/", &save); comp;
	     comp = strtok_r(NULL, "/", &save)) {
		if (!strcmp(comp, "..") || !strcmp(comp, ".")) {
			close(fd);
			return -EINVAL;
		}
		next = openat(fd, comp, DIR_FLAGS | O_NOFOLLOW);
		close(fd);
		if (next < 0)
			return errno == ENOTDIR || errno == ELOOP ? -ELOOP :
			       -errno;
		fd = next;
	}
	return fd;
}

int p9_open_dir(const struct p9_server *s, const char *rel)
{
	struct open_how how = {
		.flags = DIR_FLAGS,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
	};
	int fd;

	if (!s->have_openat2)
		return walk_nofollow(s->root_fd, rel);
	fd = sys_openat2(s->root_fd, *rel ? rel : ".", &how);
	if (fd >= 0)
		return fd;
	return errno == EXDEV ? -EACCES : -errno;
}

int p9_open_parent(const struct p9_server *s, const char *rel, char *name)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(rel, '/');
	const char *last = slash ? slash + 1 : rel;
	size_t dl = slash ? (size_t)(slash - rel) : 0;

	if (!*rel) {
		strcpy(name, ".");
		return p9_open_dir(s, "");
	}
	if (strlen(last) > P9_NAME_MAX || dl >= sizeof(dir))
		return -ENAMETOOLONG;
	strcpy(name, last);
	memcpy(dir, rel, dl);
	dir[dl] = 0;
	return p9_open_dir(s, dir);
}
