/* 9P2000.L wire format (virtio/9p_proto.c): bounded little-endian readers
 * and writers over one message buffer, message type numbers and the
 * header. Pure: no I/O; a short or malformed field sets the reader's
 * error flag and yields zeros, never a read past the buffer. */
#ifndef LKVM_VIRTIO_9P_PROTO_H
#define LKVM_VIRTIO_9P_PROTO_H

#include "lkvm/util.h"

#define P9_HDR		7	/* size[4] type[1] tag[2] */
#define P9_QID		13
#define P9_NOTAG	0xffff
#define P9_NOFID	0xffffffffu
#define P9_MAXWELEM	16
#define P9_MSIZE_MIN	4096
#define P9_MSIZE_MAX	(512u * 1024)
#define P9_NAME_MAX	255
#define P9_STR_MAX	4095	/* symlink targets, names: PATH_MAX - 1 */
#define P9_VERSION	"9P2000.L"

enum p9_type {
	P9_TLERROR = 6, P9_RLERROR, P9_TSTATFS, P9_RSTATFS,
	P9_TLOPEN = 12, P9_RLOPEN, P9_TLCREATE, P9_RLCREATE,
	P9_TSYMLINK, P9_RSYMLINK, P9_TMKNOD, P9_RMKNOD,
	P9_TRENAME, P9_RRENAME, P9_TREADLINK, P9_RREADLINK,
	P9_TGETATTR, P9_RGETATTR, P9_TSETATTR, P9_RSETATTR,
	P9_TXATTRWALK = 30, P9_RXATTRWALK, P9_TXATTRCREATE, P9_RXATTRCREATE,
	P9_TREADDIR = 40, P9_RREADDIR,
	P9_TFSYNC = 50, P9_RFSYNC, P9_TLOCK, P9_RLOCK, P9_TGETLOCK,
	P9_RGETLOCK,
	P9_TLINK = 70, P9_RLINK, P9_TMKDIR, P9_RMKDIR, P9_TRENAMEAT,
	P9_RRENAMEAT, P9_TUNLINKAT, P9_RUNLINKAT,
	P9_TVERSION = 100, P9_RVERSION, P9_TAUTH, P9_RAUTH, P9_TATTACH,
	P9_RATTACH, P9_TERROR, P9_RERROR, P9_TFLUSH, P9_RFLUSH,
	P9_TWALK, P9_RWALK, P9_TOPEN, P9_ROPEN, P9_TCREATE, P9_RCREATE,
	P9_TREAD, P9_RREAD, P9_TWRITE, P9_RWRITE, P9_TCLUNK, P9_RCLUNK,
	P9_TREMOVE, P9_RREMOVE,
};

/* qid types */
#define P9_QTDIR	0x80
#define P9_QTSYMLINK	0x02
#define P9_QTFILE	0x00

struct p9_qid {
	u8 type;
	u32 version;
	u64 path;
};

/* A message being read: d[0..len); pos moves on; err once a field did
 * not fit (then every later read gives zeros). */
struct p9_in {
	const u8 *d;
	u32 len;
	u32 pos;
	bool err;
};

/* A reply being built into d[0..cap); err once it did not fit. */
struct p9_out {
	u8 *d;
	u32 cap;
	u32 pos;
	bool err;
};

u8 p9_get8(struct p9_in *in);
u16 p9_get16(struct p9_in *in);
u32 p9_get32(struct p9_in *in);
u64 p9_get64(struct p9_in *in);
/* A string s[2]+bytes into buf (NUL-terminated): -ENAMETOOLONG when longer
 * than max, -EINVAL when it holds a NUL or does not fit the message. */
int p9_get_str(struct p9_in *in, char *buf, size_t max);
/* Raw bytes: a pointer into the message, or NULL (err set) if n bytes are
 * not there. */
const u8 *p9_get_bytes(struct p9_in *in, u32 n);

void p9_put8(struct p9_out *o, u8 v);
void p9_put16(struct p9_out *o, u16 v);
void p9_put32(struct p9_out *o, u32 v);
void p9_put64(struct p9_out *o, u64 v);
void p9_put_str(struct p9_out *o, const char *s);
void p9_put_qid(struct p9_out *o, const struct p9_qid *q);
/* Reserves n bytes and returns where they go, or NULL (err set). */
u8 *p9_put_space(struct p9_out *o, u32 n);

/* Header of a request in d[0..len): the reader covers the message's own
 * size (which must be 7..len). Returns 0 or -EINVAL. */
int p9_parse_hdr(struct p9_in *in, const u8 *d, u32 len, u8 *type,
		 u16 *tag);
/* Starts a reply: its header with the size filled in by p9_finish. */
void p9_start(struct p9_out *o, u8 *d, u32 cap, u8 type, u16 tag);
/* Writes the size; returns the reply's length, or 0 if it overflowed. */
u32 p9_finish(struct p9_out *o);
/* An Rlerror reply with errno err (positive) into d[0..cap); its length,
 * 0 if cap < 11. */
u32 p9_lerror(u8 *d, u32 cap, u16 tag, u32 err);

#endif
