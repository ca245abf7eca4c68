/* virtio-9p server, part one: dispatching a request to its handler (a
 * malformed or unknown one gets Rlerror), version/attach/walk/clunk, file
 * attributes, open, read, write, readdir and readlink. Namespace changes
 * are in 9p_ops_fs.c. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "9p-internal.h"

/* Linux's dotl open flags (P9_DOTL_*), fixed on every architecture. */
#define DOTL_ACCMODE	03
#define DOTL_TRUNC	01000
#define DOTL_APPEND	02000
#define DOTL_DSYNC	010000
#define DOTL_SYNC	04000000

/* Rgetattr: which fields are valid (P9_STATS_BASIC) */
#define P9_STATS_BASIC	0x7ffULL

#define SA_MODE		0x001
#define SA_UID		0x002
#define SA_GID		0x004
#define SA_SIZE		0x008
#define SA_ATIME	0x010
#define SA_MTIME	0x020
#define SA_ATIME_SET	0x080
#define SA_MTIME_SET	0x100

#define RREAD_HDR	(P9_HDR + 4)

/* The count[4] right after the header, once the data behind it is known. */
static void put_count(struct p9_out *o, u32 n)
{
	o->d[P9_HDR] = n;
	o->d[P9_HDR + 1] = n >> 8;
	o->d[P9_HDR + 2] = n >> 16;
	o->d[P9_HDR + 3] = n >> 24;
}

void p9_qid_of(const struct stat *st, struct p9_qid *q)
{
	q->type = S_ISDIR(st->st_mode) ? P9_QTDIR :
		  S_ISLNK(st->st_mode) ? P9_QTSYMLINK : P9_QTFILE;
	q->version = 0;
	q->path = st->st_ino;
}

struct p9_fid *p9_req_fid(struct p9_req *r)
{
	u32 fid = p9_get32(&r->in);

	return r->in.err ? NULL : p9_fid_get(r->s, fid);
}

int p9_lstat(const struct p9_server *s, const char *rel, struct stat *st)
{
	char name[P9_NAME_MAX + 1];
	int dir = p9_open_parent(s, rel, name), e = 0;

	if (dir < 0)
		return dir;
	if (fstatat(dir, name, st, AT_SYMLINK_NOFOLLOW))
		e = -errno;
	close(dir);
	return e;
}

static int fid_stat(struct p9_server *s, struct p9_fid *f, struct stat *st)
{
	if (f->fd >= 0)
		return fstat(f->fd, st) ? -errno : 0;
	return p9_lstat(s, f->path, st);
}

static int p9_version(struct p9_req *r)
{
	char ver[32];
	u32 msize = p9_get32(&r->in);
	int e = p9_get_str(&r->in, ver, sizeof(ver) - 1);

	P9_PARSED(r);
	if (msize < P9_MSIZE_MIN)
		return -EINVAL;
	p9_server_reset(r->s);
	r->s->msize = MIN(msize, P9_MSIZE_MAX);
	p9_put32(&r->out, r->s->msize);
	p9_put_str(&r->out, !e && !strcmp(ver, P9_VERSION) ? P9_VERSION :
		   "unknown");
	return 0;
}

static int p9_attach(struct p9_req *r)
{
	char uname[P9_NAME_MAX + 1], aname[P9_STR_MAX + 1];
	u32 fid = p9_get32(&r->in);
	struct p9_qid q;
	struct stat st;
	int e;

	p9_get32(&r->in);	/* afid: no authentication */
	p9_get_str(&r->in, uname, P9_NAME_MAX);
	p9_get_str(&r->in, aname, P9_STR_MAX);
	p9_get32(&r->in);	/* n_uname */
	P9_PARSED(r);
	if (fstat(r->s->root_fd, &st))
		return -errno;
	if (!p9_fid_new(r->s, fid, "", &e))
		return e;
	p9_qid_of(&st, &q);
	p9_put_qid(&r->out, &q);
	return 0;
}

/* The walk's names, each checked; their count or -errno. */
static int walk_names(struct p9_req *r, char names[][P9_NAME_MAX + 1])
{
	u16 n = p9_get16(&r->in), i;
	int e = 0;

	if (n > P9_MAXWELEM)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		int ei = p9_get_str(&r->in, names[i], P9_NAME_MAX);

		e = e ? e : ei;
	}
	P9_PARSED(r);
	return e ? e : n;
}

static int p9_walk(struct p9_req *r)
{
	char names[P9_MAXWELEM][P9_NAME_MAX + 1], path[PATH_MAX];
	struct p9_fid *f = p9_req_fid(r);
	u32 newfid = p9_get32(&r->in);
	int n = walk_names(r, names), i, e = 0;
	struct p9_qid q;
	struct stat st;
	char *np;

	if (n < 0)
		return n;
	if (!f)
		return -EBADF;
	if (newfid != f->fid && p9_fid_get(r->s, newfid))
		return -EEXIST;
	strcpy(path, f->path);
	p9_put16(&r->out, 0);
	for (i = 0; i < n; i++) {
		e = p9_path_join(path, names[i], path, sizeof(path));
		if (!e)
			e = p9_lstat(r->s, path, &st);
		if (e)
			break;
		p9_qid_of(&st, &q);
		p9_put_qid(&r->out, &q);
	}
	if (e && !i)
		return e;
	r->out.d[P9_HDR] = i;
	if (i < n)
		return 0;	/* a partial walk: newfid is not made */
	if (newfid != f->fid)
		return p9_fid_new(r->s, newfid, path, &e) ? 0 : e;
	np = strdup(path);
	if (!np)
		return -ENOMEM;
	free(f->path);
	f->path = np;
	return 0;
}

static int p9_clunk(struct p9_req *r)
{
	struct p9_fid *f = p9_req_fid(r);

	P9_PARSED(r);
	if (!f)
		return -EBADF;
	p9_fid_put(r->s, f);
	return 0;
}

static int p9_flush(struct p9_req *r)
{
	p9_get16(&r->in);	/* oldtag: requests are answered in order */
	P9_PARSED(r);
	return 0;
}

static int p9_getattr(struct p9_req *r)
{
	struct p9_fid *f = p9_req_fid(r);
	struct p9_out *o = &r->out;
	struct p9_qid q;
	struct stat st;
	int e;

	p9_get64(&r->in);	/* request_mask: the basic set is always given */
	P9_PARSED(r);
	if (!f)
		return -EBADF;
	e = fid_stat(r->s, f, &st);
	if (e)
		return e;
	p9_qid_of(&st, &q);
	p9_put64(o, P9_STATS_BASIC);
	p9_put_qid(o, &q);
	p9_put32(o, st.st_mode);
	p9_put32(o, st.st_uid);
	p9_put32(o, st.st_gid);
	p9_put64(o, st.st_nlink);
	p9_put64(o, st.st_rdev);
	p9_put64(o, st.st_size);
	p9_put64(o, st.st_blksize);
	p9_put64(o, st.st_blocks);
	p9_put64(o, st.st_atim.tv_sec);
	p9_put64(o, st.st_atim.tv_nsec);
	p9_put64(o, st.st_mtim.tv_sec);
	p9_put64(o, st.st_mtim.tv_nsec);
	p9_put64(o, st.st_ctim.tv_sec);
	p9_put64(o, st.st_ctim.tv_nsec);
	p9_put64(o, 0);		/* btime, gen, data_version: not given */
	p9_put64(o, 0);
	p9_put64(o, 0);
	p9_put64(o, 0);
	return 0;
}

struct setattr {
	u32 valid, mode, uid, gid;
	u64 size;
	struct timespec t[2];
};

static int truncate_at(struct p9_fid *f, int dir, const char *name, u64 size)
{
	int fd = f->fd, e = 0;

	if (size > (u64)LLONG_MAX)
		return -EINVAL;
	if (fd < 0 || !f->wr)
		fd = openat(dir, name, O_WRONLY | O_NOFOLLOW | O_NONBLOCK |
			    O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, size))
		e = -errno;
	if (fd != f->fd)
		close(fd);
	return e;
}

static int apply_setattr(struct p9_fid *f, int dir, const char *name,
			 const struct setattr *a)
{
	struct stat st;

	if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW))
		return -errno;
	/* a symlink's own mode cannot change: never follow it */
	if ((a->valid & SA_MODE) && !S_ISLNK(st.st_mode) &&
	    fchmodat(dir, name, a->mode & 07777, 0))
		return -errno;
	if ((a->valid & (SA_UID | SA_GID)) &&
	    fchownat(dir, name, a->valid & SA_UID ? a->uid : (u32)-1,
		     a->valid & SA_GID ? a->gid : (u32)-1, AT_SYMLINK_NOFOLLOW))
		return -errno;
	if (a->valid & SA_SIZE) {
		if (!S_ISREG(st.st_mode))
			return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
		int e = truncate_at(f, dir, name, a->size);

		if (e)
			return e;
	}
	if ((a->valid & (SA_ATIME | SA_MTIME)) &&
	    utimensat(dir, name, a->t, AT_SYMLINK_NOFOLLOW))
		return -errno;
	return 0;
}

static struct timespec set_time(u32 valid, u32 bit, u32 set_bit, u64 sec,
				u64 nsec)
{
	if (!(valid & bit))
		return (struct timespec){ .tv_nsec = UTIME_OMIT };
	if (!(valid & set_bit))
		return (struct timespec){ .tv_nsec = UTIME_NOW };
	return (struct timespec){ .tv_sec = sec,
				  .tv_nsec = nsec < 1000000000 ? nsec : 0 };
}

static int p9_setattr(struct p9_req *r)
{
	struct p9_fid *f = p9_req_fid(r);
	char name[P9_NAME_MAX + 1];
	struct setattr a;
	u64 as, an, ms, mn;
	int dir, e;

	a.valid = p9_get32(&r->in);
	a.mode = p9_get32(&r->in);
	a.uid = p9_get32(&r->in);
	a.gid = p9_get32(&r->in);
	a.size = p9_get64(&r->in);
	as = p9_get64(&r->in);
	an = p9_get64(&r->in);
	ms = p9_get64(&r->in);
	mn = p9_get64(&r->in);
	P9_PARSED(r);
	if (!f)
		return -EBADF;
	a.t[0] = set_time(a.valid, SA_ATIME, SA_ATIME_SET, as, an);
	a.t[1] = set_time(a.valid, SA_MTIME, SA_MTIME_SET, ms, mn);
	if (r->s->ro && (a.valid & (SA_MODE | SA_UID | SA_GID | SA_SIZE |
				    SA_ATIME | SA_MTIME)))
		return -EROFS;
	dir = p9_open_parent(r->s, f->path, name);
	if (dir < 0)
		return dir;
	e = apply_setattr(f, dir, name, &a);
	close(dir);
	return e;
}

static int open_flags(u32 dotl, bool is_dir)
{
	int fl = O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC;

	if (is_dir)
		return fl | O_RDONLY | O_DIRECTORY;
	fl |= (dotl & DOTL_ACCMODE) == 1 ? O_WRONLY :
	      (dotl & DOTL_ACCMODE) == 2 ? O_RDWR : O_RDONLY;
	if (dotl & DOTL_TRUNC)
		fl |= O_TRUNC;
	if (dotl & DOTL_APPEND)
		fl |= O_APPEND;
	if (dotl & DOTL_DSYNC)
		fl |= O_DSYNC;
	if (dotl & DOTL_SYNC)
		fl |= O_SYNC;
	return fl;
}

/* Opens f's path with host flags fl: only directories and regular files
 * (device nodes and FIFOs stay the guest kernel's). */
static int fid_open(struct p9_server *s, struct p9_fid *f, int fl)
{
	char name[P9_NAME_MAX + 1];
	struct stat st;
	int dir, fd;

	if (s->nr_open >= s->max_open)
		return -EMFILE;
	dir = p9_open_parent(s, f->path, name);
	if (dir < 0)
		return dir;
	fd = openat(dir, name, fl);
	close(dir);
	if (fd < 0)
		return errno == ELOOP ? -ELOOP : -errno;
	if (fstat(fd, &st) || (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))) {
		close(fd);
		return -ENXIO;
	}
	f->fd = fd;
	f->is_dir = S_ISDIR(st.st_mode);
	f->wr = (fl & O_ACCMODE) != O_RDONLY;
	s->nr_open++;
	return 0;
}

static int p9_lopen(struct p9_req *r)
{
	struct p9_fid *f = p9_req_fid(r);
	u32 flags = p9_get32(&r->in);
	struct p9_qid q;
	struct stat st;
	int e, fl;

	P9_PARSED(r);
	if (!f)
		return -EBADF;
	if (f->fd >= 0)
		return -EBUSY;
	e = p9_lstat(r->s, f->path, &st);
	if (e)
		return e;
	fl = open_flags(flags, S_ISDIR(st.st_mode));
	if (r->s->ro && ((fl & O_ACCMODE) != O_RDONLY || (fl & O_TRUNC)))
		return -EROFS;
	e = fid_open(r->s, f, fl);
	if (e)
		return e;
	if (fstat(f->fd, &st))
		return -errno;
	p9_qid_of(&st, &q);
	p9_put_qid(&r->out, &q);
	p9_put32(&r->out, 0);	/* iounit: msize - 24 */
	return 0;
}

int p9_fid_create(struct p9_server *s, struct p9_fid *f, const char *path,
		  u32 dotl, u32 mode)
{
	char name[P9_NAME_MAX + 1], *p;
	int dir, fd;

	if (s->nr_open >= s->max_open)
		return -EMFILE;
	p = strdup(path);
	if (!p)
		return -ENOMEM;
	dir = p9_open_parent(s, path, name);
	if (dir < 0) {
		free(p);
		return dir;
	}
	fd = openat(dir, name, open_flags(dotl, false) | O_CREAT | O_EXCL,
		    mode & 07777);
	close(dir);
	if (fd < 0) {
		free(p);
		return -errno;
	}
	free(f->path);
	f->path = p;
	f->fd = fd;
	f->is_dir = false;
	f->wr = (open_flags(dotl, false) & O_ACCMODE) != O_RDONLY;
	s->nr_open++;
	return 0;
}

static int p9_read(struct p9_req *r)
{
	struct p9_fid *f = p9_req_fid(r);
	u64 off = p9_get64(&r->in);
	u32 count = p9_get32(&r->in);
	u8 *buf;
	ssize_t n;

	P9_PARSED(r);
	if (!f || f->fd < 0)
		return -EBADF;
	if (f->is_dir)
		return -EISDIR;
	if (off > (u64)LLONG_MAX)
		return -EINVAL;
	if (r->out.cap <= RREAD_HDR)
		return -ENOBUFS;
	count = MIN(count, r->out.cap - RREAD_HDR);
	p9_put32(&r->out, 0);
	buf = r->out.d + RREAD_HDR;
	do
		n = pread(f->fd, buf, count, off);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	p9_put_space(&r->out, n);
	put_count(&r->out, n);
	return 0;
}

static int p9_write(struct p9_req *r)
{
	struct p9_fid *f = p9_req_fid(r);
	u64 off = p9_get64(&r->in);
	u32 count = p9_get32(&r->in);
	const u8 *data = p9_get_bytes(&r->in, count);
	ssize_t n;

	P9_PARSED(r);
	if (!f || f->fd < 0)
		return -EBADF;
	if (r->s->ro)
		return -EROFS;
	if (!f->wr)
		return -EBADF;
	if (off > (u64)LLONG_MAX)
		return -EINVAL;
	do
		n = pwrite(f->fd, data, count, off);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	p9_put32(&r->out, n);
	return 0;
}

static u8 dtype_qid(u8 d_type)
{
	return d_type == DT_DIR ? P9_QTDIR : d_type == DT_LNK ? P9_QTSYMLINK :
	       P9_QTFILE;
}

/* Converts host entries from buf[0..n) while they fit in count bytes;
 * *off is the d_off of the last one converted. Returns false once full. */
static bool put_dirents(struct p9_out *o, const u8 *buf, ssize_t n,
			u32 start, u32 count, off_t *off)
{
	ssize_t i = 0;

	while (i < n) {
		const struct dirent64 *d = (const void *)(buf + i);
		size_t nl = strlen(d->d_name);
		struct p9_qid q = { .type = dtype_qid(d->d_type),
				    .path = d->d_ino };

		if (o->pos - start + P9_QID + 8 + 1 + 2 + nl > count)
			return false;
		p9_put_qid(o, &q);
		p9_put64(o, d->d_off);
		p9_put8(o, d->d_type);
		p9_put_str(o, d->d_name);
		*off = d->d_off;
		i += d->d_reclen;
	}
	return true;
}

static int p9_readdir(struct p9_req *r)
{
	struct p9_fid *f = p9_req_fid(r);
	u64 off = p9_get64(&r->in);
	u32 count = p9_get32(&r->in), start;
	u8 buf[8192] __attribute__((aligned(8)));
	off_t pos = off;
	ssize_t n;

	P9_PARSED(r);
	if (!f || f->fd < 0 || !f->is_dir)
		return -EBADF;
	if (r->out.cap <= RREAD_HDR)
		return -ENOBUFS;
	count = MIN(count, r->out.cap - RREAD_HDR);
	p9_put32(&r->out, 0);
	start = r->out.pos;
	if (lseek(f->fd, pos, SEEK_SET) < 0)
		return -errno;
	for (;;) {
		n = getdents64(f->fd, buf, sizeof(buf));
		if (n < 0 && r->out.pos == start)
			return -errno;
		if (n <= 0 || !put_dirents(&r->out, buf, n, start, count, &pos))
			break;
	}
	put_count(&r->out, r->out.pos - start);
	return 0;
}

static int p9_readlink(struct p9_req *r)
{
	struct p9_fid *f = p9_req_fid(r);
	char name[P9_NAME_MAX + 1], target[PATH_MAX];
	ssize_t n;
	int dir;

	P9_PARSED(r);
	if (!f)
		return -EBADF;
	dir = p9_open_parent(r->s, f->path, name);
	if (dir < 0)
		return dir;
	n = readlinkat(dir, name, target, sizeof(target) - 1);
	close(dir);
	if (n < 0)
		return -errno;
	target[n] = 0;
	p9_put_str(&r->out, target);
	return 0;
}

static int p9_fsync(struct p9_req *r)
{
	struct p9_fid *f = p9_req_fid(r);
	u32 datasync = p9_get32(&r->in);

	P9_PARSED(r);
	if (!f)
		return -EBADF;
	if (f->fd < 0)
		return 0;
	return (datasync ? fdatasync(f->fd) : fsync(f->fd)) ? -errno : 0;
}

static int p9_auth(struct p9_req *r)
{
	return -EOPNOTSUPP;	/* no authentication: attach with NOFID */
}

typedef int (*p9_handler)(struct p9_req *r);

static const p9_handler handlers[256] = {
	[P9_TVERSION] = p9_version, [P9_TAUTH] = p9_auth,
	[P9_TATTACH] = p9_attach, [P9_TWALK] = p9_walk,
	[P9_TCLUNK] = p9_clunk, [P9_TFLUSH] = p9_flush,
	[P9_TGETATTR] = p9_getattr, [P9_TSETATTR] = p9_setattr,
	[P9_TLOPEN] = p9_lopen, [P9_TLCREATE] = p9_lcreate,
	[P9_TREAD] = p9_read, [P9_TWRITE] = p9_write,
	[P9_TREADDIR] = p9_readdir, [P9_TREADLINK] = p9_readlink,
	[P9_TFSYNC] = p9_fsync, [P9_TSYMLINK] = p9_symlink,
	[P9_TMKNOD] = p9_mknod, [P9_TMKDIR] = p9_mkdir,
	[P9_TRENAME] = p9_rename, [P9_TRENAMEAT] = p9_renameat,
	[P9_TUNLINKAT] = p9_unlinkat, [P9_TLINK] = p9_link,
	[P9_TREMOVE] = p9_remove, [P9_TSTATFS] = p9_statfs,
	[P9_TLOCK] = p9_lock, [P9_TGETLOCK] = p9_getlock,
	[P9_TXATTRWALK] = p9_xattrwalk, [P9_TXATTRCREATE] = p9_xattrcreate,
};

u32 p9_handle(struct p9_server *s, const u8 *req, u32 len, u8 *resp,
	      u32 cap)
{
	struct p9_req r = { .s = s };
	u8 type;
	u16 tag;
	int e;

	if (s->msize)
		cap = MIN(cap, s->msize);
	if (p9_parse_hdr(&r.in, req, len, &type, &tag))
		return p9_lerror(resp, cap, r.in.len >= P9_HDR ? tag : P9_NOTAG,
				 EINVAL);
	if (!handlers[type] || (type & 1))
		return p9_lerror(resp, cap, tag, EOPNOTSUPP);
	p9_start(&r.out, resp, cap, type + 1, tag);
	e = handlers[type](&r);
	if (!e && r.out.err)
		e = -ENOBUFS;
	return e ? p9_lerror(resp, cap, tag, -e) : p9_finish(&r.out);
}
