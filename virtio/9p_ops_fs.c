/* virtio-9p server, part two: what changes the share's namespace (create,
 * mkdir, symlink, FIFOs, links, renames, removal; all EROFS on a ro share),
 * statfs, POSIX locks (open file description locks of the fid's fd, never
 * waiting) and xattrs (not supported: EOPNOTSUPP). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>
#include "9p-internal.h"

#define LOCK_SUCCESS	0
#define LOCK_BLOCKED	1
#define LOCK_RDLCK	0
#define LOCK_WRLCK	1
#define LOCK_UNLCK	2
#define UNLINK_REMOVEDIR 0x200

/* A directory fid and a new entry name from the request, checked: the
 * directory's O_PATH fd (close it) or -errno. */
static int new_entry(struct p9_req *r, struct p9_fid *d, const char *name,
		     int name_err)
{
	P9_PARSED(r);
	if (!d)
		return -EBADF;
	if (name_err)
		return name_err;
	if (p9_name_ok(name))
		return p9_name_ok(name);
	if (r->s->ro)
		return -EROFS;
	return p9_open_dir(r->s, d->path);
}

/* The qid of the entry just made, into the reply; closes dir. */
static int put_new_qid(struct p9_req *r, int dir, const char *name)
{
	struct p9_qid q;
	struct stat st;
	int e = 0;

	if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW))
		e = -errno;
	close(dir);
	if (e)
		return e;
	p9_qid_of(&st, &q);
	p9_put_qid(&r->out, &q);
	return 0;
}

int p9_lcreate(struct p9_req *r)
{
	struct p9_fid *f = p9_req_fid(r);
	char name[P9_NAME_MAX + 1], path[PATH_MAX];
	int ne = p9_get_str(&r->in, name, P9_NAME_MAX);
	u32 flags = p9_get32(&r->in), mode = p9_get32(&r->in);
	struct p9_qid q;
	struct stat st;
	int e, dir;

	p9_get32(&r->in);	/* gid: files belong to lkvm's user */
	dir = new_entry(r, f, name, ne);
	if (dir < 0)
		return dir;
	close(dir);
	if (f->fd >= 0)
		return -EBUSY;
	e = p9_path_join(f->path, name, path, sizeof(path));
	if (!e)
		e = p9_fid_create(r->s, f, path, flags, mode);
	if (e)
		return e;
	if (fstat(f->fd, &st))
		return -errno;
	p9_qid_of(&st, &q);
	p9_put_qid(&r->out, &q);
	p9_put32(&r->out, 0);
	return 0;
}

int p9_symlink(struct p9_req *r)
{
	struct p9_fid *d = p9_req_fid(r);
	char name[P9_NAME_MAX + 1], target[P9_STR_MAX + 1];
	int ne = p9_get_str(&r->in, name, P9_NAME_MAX);
	int te = p9_get_str(&r->in, target, P9_STR_MAX);
	int dir;

	p9_get32(&r->in);	/* gid */
	dir = new_entry(r, d, name, ne ? ne : te);
	if (dir < 0)
		return dir;
	if (!*target) {
		close(dir);
		return -ENOENT;
	}
	/* any target may be stored: lkvm never follows it out of the share */
	if (symlinkat(target, dir, name)) {
		close(dir);
		return -errno;
	}
	return put_new_qid(r, dir, name);
}

int p9_mknod(struct p9_req *r)
{
	struct p9_fid *d = p9_req_fid(r);
	char name[P9_NAME_MAX + 1];
	int ne = p9_get_str(&r->in, name, P9_NAME_MAX);
	u32 mode = p9_get32(&r->in);
	int dir;

	p9_get32(&r->in);	/* major, minor, gid */
	p9_get32(&r->in);
	p9_get32(&r->in);
	dir = new_entry(r, d, name, ne);
	if (dir < 0)
		return dir;
	/* FIFOs and sockets only: no device nodes on the host */
	if ((!S_ISFIFO(mode) && !S_ISSOCK(mode)) ||
	    mknodat(dir, name, mode & (S_IFMT | 07777), 0)) {
		int e = S_ISFIFO(mode) || S_ISSOCK(mode) ? -errno : -EPERM;

		close(dir);
		return e;
	}
	return put_new_qid(r, dir, name);
}

int p9_mkdir(struct p9_req *r)
{
	struct p9_fid *d = p9_req_fid(r);
	char name[P9_NAME_MAX + 1];
	int ne = p9_get_str(&r->in, name, P9_NAME_MAX);
	u32 mode = p9_get32(&r->in);
	int dir;

	p9_get32(&r->in);	/* gid */
	dir = new_entry(r, d, name, ne);
	if (dir < 0)
		return dir;
	if (mkdirat(dir, name, mode & 07777)) {
		close(dir);
		return -errno;
	}
	return put_new_qid(r, dir, name);
}

/* Every fid at or below from now names to. */
static int rebase_fids(struct p9_server *s, const char *from, const char *to)
{
	u32 i;
	int e;

	for (i = 0; i < s->pool; i++) {
		if (!s->fids[i].used)
			continue;
		e = p9_path_rebase(&s->fids[i].path, from, to);
		if (e < 0)
			return e;
	}
	return 0;
}

/* Renames odir/oname (share paths) to ndir/nname. */
static int do_rename(struct p9_server *s, const char *odir, const char *oname,
		     const char *ndir, const char *nname)
{
	char from[PATH_MAX], to[PATH_MAX];
	int od, nd, e;

	if (p9_name_ok(oname) || p9_name_ok(nname))
		return p9_name_ok(oname) ? p9_name_ok(oname) : p9_name_ok(nname);
	if (s->ro)
		return -EROFS;
	if (p9_path_join(odir, oname, from, sizeof(from)) ||
	    p9_path_join(ndir, nname, to, sizeof(to)))
		return -ENAMETOOLONG;
	od = p9_open_dir(s, odir);
	if (od < 0)
		return od;
	nd = p9_open_dir(s, ndir);
	if (nd < 0) {
		close(od);
		return nd;
	}
	e = renameat(od, oname, nd, nname) ? -errno : 0;
	close(od);
	close(nd);
	return e ? e : rebase_fids(s, from, to);
}

int p9_rename(struct p9_req *r)
{
	struct p9_fid *f = p9_req_fid(r), *d = p9_req_fid(r);
	char name[P9_NAME_MAX + 1], odir[PATH_MAX];
	int ne = p9_get_str(&r->in, name, P9_NAME_MAX);
	const char *slash;

	P9_PARSED(r);
	if (!f || !d)
		return -EBADF;
	if (ne)
		return ne;
	if (!*f->path)
		return -EBUSY;	/* the root */
	slash = strrchr(f->path, '/');
	snprintf(odir, sizeof(odir), "%.*s",
		 slash ? (int)(slash - f->path) : 0, f->path);
	return do_rename(r->s, odir, slash ? slash + 1 : f->path, d->path,
			 name);
}

int p9_renameat(struct p9_req *r)
{
	struct p9_fid *od = p9_req_fid(r);
	char oname[P9_NAME_MAX + 1], nname[P9_NAME_MAX + 1];
	int oe = p9_get_str(&r->in, oname, P9_NAME_MAX);
	struct p9_fid *nd = p9_req_fid(r);
	int ne = p9_get_str(&r->in, nname, P9_NAME_MAX);

	P9_PARSED(r);
	if (!od || !nd)
		return -EBADF;
	if (oe || ne)
		return oe ? oe : ne;
	return do_rename(r->s, od->path, oname, nd->path, nname);
}

int p9_unlinkat(struct p9_req *r)
{
	struct p9_fid *d = p9_req_fid(r);
	char name[P9_NAME_MAX + 1];
	int ne = p9_get_str(&r->in, name, P9_NAME_MAX);
	u32 flags = p9_get32(&r->in);
	int dir, e;

	dir = new_entry(r, d, name, ne);
	if (dir < 0)
		return dir;
	e = unlinkat(dir, name, flags & UNLINK_REMOVEDIR ? AT_REMOVEDIR : 0);
	e = e ? -errno : 0;
	close(dir);
	return e;
}

int p9_link(struct p9_req *r)
{
	struct p9_fid *d = p9_req_fid(r), *f = p9_req_fid(r);
	char name[P9_NAME_MAX + 1], oname[P9_NAME_MAX + 1];
	int ne = p9_get_str(&r->in, name, P9_NAME_MAX);
	int dir, od, e;

	dir = new_entry(r, d, name, ne);
	if (dir < 0)
		return dir;
	od = f ? p9_open_parent(r->s, f->path, oname) : -EBADF;
	if (od < 0) {
		close(dir);
		return od;
	}
	e = linkat(od, oname, dir, name, 0) ? -errno : 0;
	close(od);
	close(dir);
	return e;
}

int p9_remove(struct p9_req *r)
{
	struct p9_fid *f = p9_req_fid(r);
	char name[P9_NAME_MAX + 1];
	struct stat st;
	int dir, e;

	P9_PARSED(r);
	if (!f)
		return -EBADF;
	e = r->s->ro ? -EROFS : !*f->path ? -EBUSY : 0;
	dir = e ? e : p9_open_parent(r->s, f->path, name);
	if (dir >= 0) {
		e = fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) ||
		    unlinkat(dir, name, S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0) ?
		    -errno : 0;
		close(dir);
	} else {
		e = dir;
	}
	p9_fid_put(r->s, f);	/* clunked whatever the outcome */
	return e;
}

int p9_statfs(struct p9_req *r)
{
	struct p9_fid *f = p9_req_fid(r);
	struct p9_out *o = &r->out;
	struct statfs st;
	int dir, e;

	P9_PARSED(r);
	if (!f)
		return -EBADF;
	dir = p9_open_dir(r->s, "");
	if (dir < 0)
		return dir;
	e = fstatfs(dir, &st) ? -errno : 0;
	close(dir);
	if (e)
		return e;
	p9_put32(o, st.f_type);
	p9_put32(o, st.f_bsize);
	p9_put64(o, st.f_blocks);
	p9_put64(o, st.f_bfree);
	p9_put64(o, st.f_bavail);
	p9_put64(o, st.f_files);
	p9_put64(o, st.f_ffree);
	p9_put64(o, (u64)(u32)st.f_fsid.__val[0] |
		    (u64)(u32)st.f_fsid.__val[1] << 32);
	p9_put32(o, st.f_namelen);
	return 0;
}

struct lockreq {
	u8 type;
	u64 start, len;
	u32 proc;
	char client[P9_NAME_MAX + 1];
};

/* The fid and the lock fields shared by Tlock and Tgetlock. */
static struct p9_fid *get_lock(struct p9_req *r, struct lockreq *l,
			       bool flags, struct flock *fl)
{
	struct p9_fid *f = p9_req_fid(r);

	l->type = p9_get8(&r->in);
	if (flags)
		p9_get32(&r->in);	/* BLOCK: never waited for here */
	l->start = p9_get64(&r->in);
	l->len = p9_get64(&r->in);
	l->proc = p9_get32(&r->in);
	p9_get_str(&r->in, l->client, P9_NAME_MAX);
	*fl = (struct flock){
		.l_type = l->type == LOCK_RDLCK ? F_RDLCK :
			  l->type == LOCK_WRLCK ? F_WRLCK : F_UNLCK,
		.l_whence = SEEK_SET,
		.l_start = l->start > (u64)LLONG_MAX ? LLONG_MAX : l->start,
		.l_len = l->len > (u64)LLONG_MAX ? 0 : l->len,
	};
	return f;
}

int p9_lock(struct p9_req *r)
{
	struct lockreq l;
	struct flock fl;
	struct p9_fid *f = get_lock(r, &l, true, &fl);

	P9_PARSED(r);
	if (!f || f->fd < 0)
		return -EBADF;
	if (l.type > LOCK_UNLCK)
		return -EINVAL;
	if (!fcntl(f->fd, F_OFD_SETLK, &fl)) {
		p9_put8(&r->out, LOCK_SUCCESS);
		return 0;
	}
	if (errno != EAGAIN && errno != EACCES)
		return -errno;
	p9_put8(&r->out, LOCK_BLOCKED);	/* the client retries */
	return 0;
}

int p9_getlock(struct p9_req *r)
{
	struct lockreq l;
	struct flock fl;
	struct p9_fid *f = get_lock(r, &l, false, &fl);

	P9_PARSED(r);
	if (!f || f->fd < 0)
		return -EBADF;
	if (l.type > LOCK_UNLCK)
		return -EINVAL;
	if (fcntl(f->fd, F_OFD_GETLK, &fl))
		return -errno;
	p9_put8(&r->out, fl.l_type == F_RDLCK ? LOCK_RDLCK :
		fl.l_type == F_WRLCK ? LOCK_WRLCK : LOCK_UNLCK);
	p9_put64(&r->out, fl.l_start);
	p9_put64(&r->out, fl.l_len);
	p9_put32(&r->out, fl.l_type == F_UNLCK ? l.proc : 0);
	p9_put_str(&r->out, l.client);
	return 0;
}

int p9_xattrwalk(struct p9_req *r)
{
	return -EOPNOTSUPP;
}

int p9_xattrcreate(struct p9_req *r)
{
	return r->s->ro ? -EROFS : -EOPNOTSUPP;
}
