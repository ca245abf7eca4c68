/* Between the 9P server's files: 9p_ops.c (dispatch, session, walk,
 * attributes, I/O) and 9p_ops_fs.c (namespace changes, statfs, locks,
 * xattrs) share the request being served and a few helpers. */
#ifndef LKVM_VIRTIO_9P_INTERNAL_H
#define LKVM_VIRTIO_9P_INTERNAL_H

#include <sys/stat.h>
#include "virtio/9p.h"

struct p9_req {
	struct p9_server *s;
	struct p9_in in;
	struct p9_out out;
};

/* Every field parsed: a short message is -EINVAL before anything is done. */
#define P9_PARSED(r)	do { if ((r)->in.err) return -EINVAL; } while (0)

/* 9p_ops.c */
void p9_qid_of(const struct stat *st, struct p9_qid *q);
/* The fid named by the request's next u32, or NULL (-EBADF). */
struct p9_fid *p9_req_fid(struct p9_req *r);
/* lstat of a share-relative path. */
int p9_lstat(const struct p9_server *s, const char *rel, struct stat *st);
/* Creates path (O_EXCL, dotl open flags, mode) and makes f that file,
 * opened (Tlcreate). */
int p9_fid_create(struct p9_server *s, struct p9_fid *f, const char *path,
		  u32 dotl, u32 mode);

/* 9p_ops_fs.c: the handlers it owns. Each returns 0 with its reply fields
 * in r->out, or -errno (an Rlerror). */
int p9_lcreate(struct p9_req *r);
int p9_symlink(struct p9_req *r);
int p9_mknod(struct p9_req *r);
int p9_mkdir(struct p9_req *r);
int p9_rename(struct p9_req *r);
int p9_renameat(struct p9_req *r);
int p9_unlinkat(struct p9_req *r);
int p9_link(struct p9_req *r);
int p9_remove(struct p9_req *r);
int p9_statfs(struct p9_req *r);
int p9_lock(struct p9_req *r);
int p9_getlock(struct p9_req *r);
int p9_xattrwalk(struct p9_req *r);
int p9_xattrcreate(struct p9_req *r);

#endif
