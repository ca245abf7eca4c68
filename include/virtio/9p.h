/* virtio-9p (--9p HOSTDIR,TAG[,ro]): the 9P2000.L server of one share
 * (virtio/9p_ops.c), its fid table, and path resolution beneath the share
 * (virtio/9p_path.c). The server runs on the device's I/O thread; it is
 * driven directly by the unit tests and the fuzz target. */
#ifndef LKVM_VIRTIO_9P_H
#define LKVM_VIRTIO_9P_H

#include "lkvm/util.h"
#include "virtio/9p_proto.h"

#define P9_MAX_FIDS	16384	/* fids per device */
#define P9_MAX_OPEN	1024	/* host fds held by fids, per device */
#define P9_FID_BUCKETS	1024
#define P9_TAG_MAX	64

/* A fid: a path relative to the share root ("" is the root) and, once
 * opened (Tlopen/Tlcreate), one host fd. */
struct p9_fid {
	u32 fid;
	bool used;
	bool is_dir;
	bool wr;		/* opened for writing */
	int fd;			/* -1: not open */
	char *path;
	struct p9_fid *next;	/* bucket chain, or the free list */
};

struct p9_server {
	int root_fd;		/* O_PATH of HOSTDIR */
	bool ro;
	bool have_openat2;	/* else: the O_NOFOLLOW walk */
	u32 msize;		/* negotiated (Tversion); 0: none yet */
	u32 max_fids, max_open;	/* limits (tests lower them) */
	u32 pool;		/* entries in fids[] */
	u32 nr_fids, nr_open;
	struct p9_fid *fids;	/* pool entries */
	struct p9_fid *free;
	struct p9_fid *bucket[P9_FID_BUCKETS];
};

/* Opens HOSTDIR as the share (probing openat2) with the default limits.
 * Returns 0, or -1 with err naming the directory and what is wrong. */
int p9_server_init(struct p9_server *s, const char *hostdir, bool ro,
		   char *err, size_t errlen);
void p9_server_fini(struct p9_server *s);
/* Forgets every fid (Tversion, device reset). */
void p9_server_reset(struct p9_server *s);
/* Serves one request req[0..len) into resp[0..cap): the reply's length (an
 * Rlerror for anything malformed), 0 only if cap cannot hold even that. */
u32 p9_handle(struct p9_server *s, const u8 *req, u32 len, u8 *resp,
	      u32 cap);

/* ---- fids (9p_ops.c) ---- */
struct p9_fid *p9_fid_get(struct p9_server *s, u32 fid);
/* A new fid with a copy of path: NULL with *e = -EEXIST (in use), -ENFILE
 * (limit) or -ENOMEM. */
struct p9_fid *p9_fid_new(struct p9_server *s, u32 fid, const char *path,
			  int *e);
void p9_fid_put(struct p9_server *s, struct p9_fid *f);

/* ---- paths (9p_path.c) ---- */
/* out = path + "/" + name, canonical: name "." keeps path, ".." drops its
 * last component (never above the root). -EINVAL for an empty name or one
 * holding '/', -ENAMETOOLONG past P9_NAME_MAX or PATH_MAX. Pure. */
int p9_path_join(const char *path, const char *name, char *out, size_t len);
/* Whether a new entry name is acceptable (not empty, ".", ".." or with a
 * '/'): 0, -EINVAL or -ENAMETOOLONG. Pure. */
int p9_name_ok(const char *name);
/* Replaces the prefix from of path (path == from or path starts with
 * from + "/") with to: 1 if it did, 0 if path is not under from, -errno. */
int p9_path_rebase(char **path, const char *from, const char *to);
/* An O_PATH fd of directory rel beneath the root, never escaping it (no
 * absolute symlink or one leading out; without openat2 no symlink at all):
 * fd or -errno. rel "" gives a dup of the root. */
int p9_open_dir(const struct p9_server *s, const char *rel);
/* Splits rel into the fd of its parent directory (p9_open_dir) and its last
 * name (into name, NAME_MAX + 1 bytes); the root gives its own dir and ".".
 * Returns the dir fd or -errno; close it after. */
int p9_open_parent(const struct p9_server *s, const char *rel, char *name);
/* Whether openat2(RESOLVE_BENEATH) works on this kernel (on dir). */
bool p9_probe_openat2(int dir);

#endif
