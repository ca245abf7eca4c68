/* virtio-blk (-d/--disk <file>[,ro][,port=N]): raw images and block
 * devices, locked against a second writer; IN, OUT, FLUSH, GET_ID, and
 * DISCARD/WRITE_ZEROES where the host file can punch holes. One request
 * queue. */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <linux/virtio_ids.h>
#include "kvm/state.h"
#include "kvm/vm.h"
#include "virtio/blk.h"

/* What a restore checks: the disk the guest was given. */
STATE_DESC(blk_state_desc, "virtio-blk", struct blk_dev, 1,
	   STATE_FIELD(struct blk_dev, ro, 1),
	   STATE_FIELD(struct blk_dev, can_discard, 1),
	   STATE_FIELD(struct blk_dev, sectors, 1),
	   STATE_FIELD(struct blk_dev, id, 1))

#define SECTOR			512ULL
#define BLK_CLASS		0x018000	/* mass storage, other */
#define MAX_DISCARD_SECTORS	(1U << 22)
#define F(bit)			(1ULL << (bit))

struct blk_req {
	struct blk_dev *b;
	const struct vq_chain *c;
	u32 type;
	u64 sector;
	u32 status_off;		/* offset of the status byte in the writable part */
	u32 written;		/* bytes written into the writable part */
};

/* One option of a --disk value (after its file name). */
static int parse_opt(const char *arg, const char *opt, bool *ro, int *port,
		     char *err, size_t errlen)
{
	char *end;
	long v;

	if (!strncmp(opt, "port=", 5)) {
		v = strtol(opt + 5, &end, 10);
		if (*port >= 0)
			return set_err(err, errlen, "invalid --disk '%s': option "
				       "'port' given twice", arg);
		if (end == opt + 5 || *end || v < 0 || v >= PCI_MAX_PORTS)
			return set_err(err, errlen, "invalid --disk '%s': port= "
				       "takes a root port number 0..%d (see "
				       "--hotplug-slots)", arg, PCI_MAX_PORTS - 1);
		*port = (int)v;
		return 0;
	}
	if (strcmp(opt, "ro"))
		return set_err(err, errlen, "invalid --disk '%s': unknown option "
			       "'%s' (valid: ro, port=N)", arg, opt);
	if (*ro)
		return set_err(err, errlen, "invalid --disk '%s': option 'ro' "
			       "given twice", arg);
	*ro = true;
	return 0;
}

int blk_parse(const char *arg, char **path, bool *ro, int *port, char *err,
	      size_t errlen)
{
	char *s = strdup(arg), *opt, *save;

	if (!s)
		return set_err(err, errlen, "out of memory");
	*ro = false;
	*port = -1;
	strtok_r(s, ",", &save);
	if (!*s || *arg == ',') {
		free(s);
		return set_err(err, errlen, "invalid --disk '%s': no file name "
			       "(use <file>[,ro][,port=N])", arg);
	}
	while ((opt = strtok_r(NULL, ",", &save))) {
		if (parse_opt(arg, opt, ro, port, err, errlen)) {
			free(s);
			return -1;
		}
	}
	*path = s;
	return 0;
}

/* ---- host I/O ---- */

/* preadv/pwritev until done; short transfers are retried. */
static int rw_full(int fd, struct iovec *iov, int nr, u64 off, bool wr)
{
	while (nr > 0) {
		ssize_t n = wr ? pwritev(fd, iov, nr, off) : preadv(fd, iov, nr, off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		off += n;
		while (nr && (size_t)n >= iov->iov_len) {
			n -= iov->iov_len;
			iov++;
			nr--;
		}
		if (nr) {
			iov->iov_base = (u8 *)iov->iov_base + n;
			iov->iov_len -= n;
		}
	}
	return 0;
}

static bool range_ok(struct blk_dev *b, u64 sector, u64 nsec)
{
	return sector <= b->sectors && nsec <= b->sectors - sector;
}

static u8 blk_rw(struct blk_req *r, bool wr)
{
	struct iovec iov[BLK_MAX_SEGS];
	const struct vq_chain *c = r->c;
	u64 len, got;
	int nr;

	len = wr ? c->read_len - sizeof(struct virtio_blk_outhdr) : r->status_off;
	if (!wr)
		r->written = r->status_off;
	if (wr && r->b->ro)
		return VIRTIO_BLK_S_IOERR;
	if (len % SECTOR || !range_ok(r->b, r->sector, len / SECTOR)) {
		pr_debug("%s: %s of %llu bytes at sector %llu out of range",
			 r->b->name, wr ? "write" : "read",
			 (unsigned long long)len, (unsigned long long)r->sector);
		return VIRTIO_BLK_S_IOERR;
	}
	nr = vq_chain_iov(c, !wr, wr ? sizeof(struct virtio_blk_outhdr) : 0,
			  len, iov, BLK_MAX_SEGS, &got);
	if (nr < 0 || got != len)
		return VIRTIO_BLK_S_IOERR;
	if (rw_full(r->b->fd, iov, nr, r->sector * SECTOR, wr)) {
		pr_debug("%s: host %s at sector %llu: %s", r->b->name,
			 wr ? "write" : "read", (unsigned long long)r->sector,
			 strerror(errno));
		return VIRTIO_BLK_S_IOERR;
	}
	return VIRTIO_BLK_S_OK;
}

static int write_zeroes_slow(int fd, u64 off, u64 len)
{
	static const u8 zero[64 * 1024];

	while (len) {
		u64 n = MIN(len, (u64)sizeof(zero));
		struct iovec iov = { (void *)zero, n };

		if (rw_full(fd, &iov, 1, off, true))
			return -1;
		off += n;
		len -= n;
	}
	return 0;
}

static int do_range(struct blk_dev *b, u32 type, u64 off, u64 len)
{
	int keep = FALLOC_FL_KEEP_SIZE;

	if (type == VIRTIO_BLK_T_DISCARD)
		return fallocate(b->fd, FALLOC_FL_PUNCH_HOLE | keep, off, len);
	if (!fallocate(b->fd, FALLOC_FL_ZERO_RANGE | keep, off, len))
		return 0;
	if (!fallocate(b->fd, FALLOC_FL_PUNCH_HOLE | keep, off, len))
		return 0;
	return write_zeroes_slow(b->fd, off, len);
}

static u8 blk_ranges(struct blk_req *r)
{
	struct virtio_blk_discard_write_zeroes d;
	u64 hdr = sizeof(struct virtio_blk_outhdr);
	u64 bytes = r->c->read_len - hdr, i, n = bytes / sizeof(d);

	if (!r->b->can_discard)
		return VIRTIO_BLK_S_UNSUPP;
	if (r->b->ro)
		return VIRTIO_BLK_S_IOERR;
	if (!n || bytes % sizeof(d) || n > BLK_MAX_RANGES)
		return VIRTIO_BLK_S_IOERR;
	for (i = 0; i < n; i++) {
		u64 sec, nsec;

		vq_chain_read(r->c, hdr + i * sizeof(d), &d, sizeof(d));
		sec = le64toh(d.sector);
		nsec = le32toh(d.num_sectors);
		if (nsec > MAX_DISCARD_SECTORS || !range_ok(r->b, sec, nsec) ||
		    (le32toh(d.flags) & ~VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP))
			return VIRTIO_BLK_S_IOERR;
		if (nsec && do_range(r->b, r->type, sec * SECTOR, nsec * SECTOR)) {
			pr_debug("%s: fallocate at sector %llu: %s", r->b->name,
				 (unsigned long long)sec, strerror(errno));
			return VIRTIO_BLK_S_IOERR;
		}
	}
	return VIRTIO_BLK_S_OK;
}

static u8 blk_get_id(struct blk_req *r)
{
	r->written = vq_chain_write(r->c, 0, r->b->id,
				    MIN((u32)VIRTIO_BLK_ID_BYTES, r->status_off));
	return VIRTIO_BLK_S_OK;
}

static u8 blk_flush(struct blk_req *r)
{
	if (r->b->ro)
		return VIRTIO_BLK_S_OK;
	return fdatasync(r->b->fd) ? VIRTIO_BLK_S_IOERR : VIRTIO_BLK_S_OK;
}

static u8 blk_dispatch(struct blk_req *r)
{
	switch (r->type) {
	case VIRTIO_BLK_T_IN:
		return blk_rw(r, false);
	case VIRTIO_BLK_T_OUT:
		return blk_rw(r, true);
	case VIRTIO_BLK_T_FLUSH:
		return blk_flush(r);
	case VIRTIO_BLK_T_GET_ID:
		return blk_get_id(r);
	case VIRTIO_BLK_T_DISCARD:
	case VIRTIO_BLK_T_WRITE_ZEROES:
		return blk_ranges(r);
	default:
		pr_debug("%s: unsupported request type %u", r->b->name, r->type);
		return VIRTIO_BLK_S_UNSUPP;
	}
}

/* One request; returns the bytes written to the chain, or -1 when it has
 * no room for a header or a status byte (the driver is broken). */
static int blk_request(struct blk_dev *b, const struct vq_chain *c)
{
	struct virtio_blk_outhdr hdr;
	struct blk_req r = { .b = b, .c = c };
	u8 status;

	if (c->read_len < sizeof(hdr) || !c->write_len ||
	    c->write_len > UINT32_MAX)
		return -1;
	vq_chain_read(c, 0, &hdr, sizeof(hdr));
	r.type = le32toh(hdr.type);
	r.sector = le64toh(hdr.sector);
	r.status_off = c->write_len - 1;
	status = blk_dispatch(&r);
	vq_chain_write(c, r.status_off, &status, 1);
	return r.written + 1;
}

void blk_process(struct blk_dev *b, unsigned int q)
{
	struct virtqueue *vq = &b->v.vq[q];
	struct vq_seg segs[BLK_MAX_SEGS];
	struct vq_chain c;
	u16 old = vq->used_idx;
	int n;

	vq_chain_init(&c, segs, BLK_MAX_SEGS);
	while (vq_pop(vq, b->v.mem, &c) > 0) {
		n = blk_request(b, &c);
		if (n < 0) {
			vq_push(vq, b->v.mem, c.head, 0);
			virtio_dev_fail(&b->v, "%s: malformed request (%llu "
					"readable, %llu writable bytes)", b->name,
					(unsigned long long)c.read_len,
					(unsigned long long)c.write_len);
			break;
		}
		if (vq_push(vq, b->v.mem, c.head, n))
			break;
	}
	if (vq_is_broken(vq))
		virtio_dev_fail(&b->v, "%s: %s", b->name, vq_error(vq));
	virtio_queue_done(&b->v, q, old);
}

/* ---- setup ---- */

static void blk_notify(struct virtio_dev *v, unsigned int q)
{
	blk_process(v->priv, q);
}

static void blk_free(struct virtio_dev *v)
{
	struct blk_dev *b = v->priv;

	blk_teardown(b);
	free(b);
}

/* The disk must be the one the guest saw (size, writability, discard);
 * the serial it was told is kept. */
static int blk_snap_load(struct virtio_dev *v, const void *saved, char *err,
			 size_t errlen)
{
	struct blk_dev *b = v->priv;
	const struct blk_dev *s = saved;

	if (s->sectors != b->sectors)
		return set_err(err, errlen, "disk '%s' has %llu sectors, the "
			       "saved disk %llu: restore with the same image",
			       b->path, (unsigned long long)b->sectors,
			       (unsigned long long)s->sectors);
	if (memcmp(&s->ro, &b->ro, sizeof(b->ro)))
		return set_err(err, errlen, "disk '%s' is %s, the saved disk "
			       "was %s: give ',ro' exactly as when saved",
			       b->path, b->ro ? "read-only" : "writable",
			       b->ro ? "writable" : "read-only");
	if (memcmp(&s->can_discard, &b->can_discard, sizeof(b->can_discard)) &&
	    !b->can_discard)
		return set_err(err, errlen, "disk '%s' cannot punch holes: the "
			       "saved disk offered DISCARD/WRITE_ZEROES (put the "
			       "image on a file system that supports them)",
			       b->path);
	memcpy(b->id, s->id, sizeof(b->id));
	return 0;
}

static const struct virtio_dev_ops blk_ops = {
	.notify = blk_notify,
	.free = blk_free,
	.state = &blk_state_desc,
	.snap_load = blk_snap_load,
};

static int blk_lock(struct blk_dev *b, char *err, size_t errlen)
{
	struct flock fl = { .l_type = b->ro ? F_RDLCK : F_WRLCK,
			    .l_whence = SEEK_SET };

	if (!fcntl(b->fd, F_OFD_SETLK, &fl))
		return 0;
	if (errno == EAGAIN || errno == EACCES)
		return set_err(err, errlen, "disk image '%s' is in use by "
			       "another process (it holds a lock on it); use "
			       "it %s", b->path, b->ro ?
			       "after that process is done" :
			       "read-only (,ro) or after that process is done");
	return set_err(err, errlen, "cannot lock disk image '%s': %s",
		       b->path, strerror(errno));
}

static const char *file_kind(mode_t mode)
{
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISCHR(mode))
		return "a character device";
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISSOCK(mode))
		return "a socket";
	return "not a regular file";
}

static int blk_check_kind(const char *path, mode_t mode, char *err,
			  size_t errlen)
{
	if (S_ISREG(mode) || S_ISBLK(mode))
		return 0;
	return set_err(err, errlen, "disk image '%s' is %s: a disk must be a "
		       "regular file or a block device (make one with: "
		       "truncate -s 1G disk.img)", path, file_kind(mode));
}

static const char *blk_open_hint(int err, bool ro)
{
	switch (err) {
	case ENOENT:
		return ": create it first (e.g. truncate -s 1G <file>) or fix "
		       "the path";
	case EACCES:
	case EPERM:
		return ro ? ": make it readable by this user" :
			    ": make it writable by this user, or add ,ro to "
			    "attach it read-only";
	case EROFS:
	case ETXTBSY:
		return ": add ,ro to attach it read-only";
	default:
		return "";
	}
}

/* Opens the image without blocking (a FIFO would wait for a writer) and
 * checks it is a regular file or block device before using it. */
int blk_open_image(const char *path, bool ro, char *err, size_t errlen)
{
	int flags = (ro ? O_RDONLY : O_RDWR) | O_CLOEXEC | O_NOCTTY;
	struct stat st;
	int fd;

	if (!stat(path, &st) && blk_check_kind(path, st.st_mode, err, errlen))
		return -1;
	fd = open(path, flags | O_NONBLOCK);
	if (fd < 0)
		return set_err(err, errlen, "cannot open disk image '%s'%s: "
			       "%s%s", path, ro ? "" : " for reading and writing",
			       strerror(errno), blk_open_hint(errno, ro));
	/* F_SETFL 0: O_NONBLOCK off again for the I/O */
	if (fstat(fd, &st) || fcntl(fd, F_SETFL, 0)) {
		set_err(err, errlen, "disk image '%s': %s", path,
			strerror(errno));
		close(fd);
		return -1;
	}
	if (blk_check_kind(path, st.st_mode, err, errlen)) {
		close(fd);
		return -1;
	}
	return fd;
}

static bool same_file(const struct stat *a, const struct stat *b)
{
	if (S_ISBLK(a->st_mode) && S_ISBLK(b->st_mode))
		return a->st_rdev == b->st_rdev;
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* The same image twice would be locked against itself: say what it is. */
static int blk_check_twice(struct vm *vm, const struct blk_dev *b,
			   char *err, size_t errlen)
{
	struct virtio_dev *v = NULL;
	const struct blk_dev *d;

	while ((v = virtio_dev_next(vm, VIRTIO_ID_BLOCK, v))) {
		d = v->priv;
		if (!same_file(&d->st, &b->st))
			continue;
		if (!strcmp(b->path, d->path))
			return set_err(err, errlen, "disk image '%s' is %s: a "
				       "disk can be attached only once",
				       b->path, b->hot ? "attached already "
				       "(lkvm disk remove takes it away)" :
				       "given twice");
		return set_err(err, errlen, "disk image '%s' is the same file "
			       "as '%s', %s: a disk can be attached only once",
			       b->path, d->path, b->hot ? "attached already" :
			       "given before");
	}
	return 0;
}

static int blk_size(struct blk_dev *b, char *err, size_t errlen)
{
	u64 bytes;

	if (S_ISBLK(b->st.st_mode)) {
		b->is_bdev = true;
		if (ioctl(b->fd, BLKGETSIZE64, &bytes))
			return set_err(err, errlen, "cannot get the size of "
				       "disk image '%s': %s", b->path,
				       strerror(errno));
	} else {
		bytes = b->st.st_size;
	}
	b->sectors = bytes / SECTOR;
	return 0;
}

/* Punching a hole past the end of a file changes nothing and tells
 * whether the file system can. */
static void blk_probe_discard(struct blk_dev *b)
{
	if (b->ro)
		return;
	if (b->is_bdev) {
		b->can_discard = true;
		return;
	}
	b->can_discard = !fallocate(b->fd, FALLOC_FL_PUNCH_HOLE |
				    FALLOC_FL_KEEP_SIZE,
				    b->sectors * SECTOR + SZ_1M, 4096);
}

static void blk_config(struct blk_dev *b)
{
	struct virtio_dev *v = &b->v;

	v->host_features |= F(VIRTIO_BLK_F_SEG_MAX) | F(VIRTIO_BLK_F_FLUSH);
	if (b->ro)
		v->host_features |= F(VIRTIO_BLK_F_RO);
	if (b->can_discard)
		v->host_features |= F(VIRTIO_BLK_F_DISCARD) |
				    F(VIRTIO_BLK_F_WRITE_ZEROES);
	v->config_len = offsetof(struct virtio_blk_config, unused1) + 3;
#define OFF(f) offsetof(struct virtio_blk_config, f)
	virtio_cfg_put64(v, OFF(capacity), b->sectors);
	virtio_cfg_put32(v, OFF(seg_max), BLK_MAX_SEGS - 2);
	virtio_cfg_put32(v, OFF(max_discard_sectors), MAX_DISCARD_SECTORS);
	virtio_cfg_put32(v, OFF(max_discard_seg), BLK_MAX_RANGES);
	virtio_cfg_put32(v, OFF(discard_sector_alignment), 8);
	virtio_cfg_put32(v, OFF(max_write_zeroes_sectors), MAX_DISCARD_SECTORS);
	virtio_cfg_put32(v, OFF(max_write_zeroes_seg), BLK_MAX_RANGES);
	v->config[OFF(write_zeroes_may_unmap)] = 1;
#undef OFF
}

static void blk_set_id(struct blk_dev *b)
{
	char *tmp = strdup(b->path);
	const char *base;

	if (!tmp)
		return;
	base = basename(tmp);
	memcpy(b->id, base, strnlen(base, sizeof(b->id)));
	free(tmp);
}

/* b's image is open (b->fd): checks it and fills b as a device of vm. */
static int blk_finish(struct blk_dev *b, struct vm *vm, char *err,
		      size_t errlen)
{
	if (fstat(b->fd, &b->st))
		return set_err(err, errlen, "disk image '%s': %s", b->path,
			       strerror(errno));
	if (blk_check_kind(b->path, b->st.st_mode, err, errlen) ||
	    blk_check_twice(vm, b, err, errlen) ||
	    (!b->lock_later && blk_lock(b, err, errlen)) ||
	    blk_size(b, err, errlen))
		return -1;
	blk_probe_discard(b);
	blk_set_id(b);
	b->v.priv = b;
	if (virtio_dev_init(&b->v, vm, b->name, VIRTIO_ID_BLOCK, BLK_CLASS, 1,
			    BLK_QUEUE_SIZE, &blk_ops))
		return set_err(err, errlen, "%s: cannot set it up", b->name);
	blk_config(b);
	return 0;
}

static int blk_init(struct blk_dev *b, struct vm *vm, const char *path,
		    bool ro, int index)
{
	b->fd = -1;
	b->ro = ro;
	b->index = index;
	b->path = strdup(path);
	snprintf(b->name, sizeof(b->name), "virtio-blk%d", index);
	return b->path ? 0 : -1;
}

int blk_setup(struct blk_dev *b, struct vm *vm, const char *path, bool ro,
	      int index)
{
	char err[512];

	if (blk_init(b, vm, path, ro, index)) {
		pr_err("out of memory");
		return -1;
	}
	/* A migration's destination locks once the source let go (below) */
	b->lock_later = vm && vm->cfg && vm->cfg->incoming;
	b->fd = blk_open_image(b->path, ro, err, sizeof(err));
	if (b->fd < 0 || blk_finish(b, vm, err, sizeof(err)))
		goto fail;
	return 0;
fail:
	pr_err("%s", err);
	blk_teardown(b);
	return -1;
}

int blk_setup_fd(struct blk_dev *b, struct vm *vm, const char *path, int fd,
		 bool ro, int index, char *err, size_t errlen)
{
	int fl;

	if (blk_init(b, vm, path, ro, index)) {
		close(fd);
		return set_err(err, errlen, "out of memory");
	}
	b->fd = fd;
	b->hot = true;
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || (!ro && (fl & O_ACCMODE) != O_RDWR)) {
		set_err(err, errlen, "disk image '%s' came open %s: it must "
			"be open for reading and writing (or add ,ro)", path,
			fl < 0 ? "badly" : "read-only");
		goto fail;
	}
	if (blk_finish(b, vm, err, errlen))
		goto fail;
	return 0;
fail:
	blk_teardown(b);
	return -1;
}

void blk_teardown(struct blk_dev *b)
{
	if (b->fd >= 0) {
		if (!b->ro)
			fdatasync(b->fd);
		close(b->fd);
	}
	b->fd = -1;
	free(b->path);
	b->path = NULL;
}

/* One -d: on failure, everything it set up is undone (vm->virtio holds
 * the ones before it, for the caller to unwind). */
static int blk_add(struct vm *vm, const char *path, bool ro, int port,
		   int index)
{
	struct blk_dev *b = calloc(1, sizeof(*b));

	if (!b) {
		pr_err("out of memory");
		return -1;
	}
	if (blk_setup(b, vm, path, ro, index)) {
		free(b);
		return -1;
	}
	b->v.pci.want_port = port + 1;	/* port=N: behind root port N */
	return virtio_dev_start(&b->v);	/* frees b on failure */
}

int blk_init_all(struct vm *vm)
{
	const struct dev_args *a = &vm->cfg->disks;
	char *paths[MAX_DEV_ARGS] = { 0 };
	bool ro[MAX_DEV_ARGS];
	int port[MAX_DEV_ARGS];
	char err[256];
	int i, ret = 0;

	/* Every -d is checked before any disk is opened. */
	for (i = 0; i < a->nr && !ret; i++) {
		ret = blk_parse(a->v[i], &paths[i], &ro[i], &port[i], err,
				sizeof(err));
		if (ret)
			pr_err("%s", err);
	}
	for (i = 0; i < a->nr && !ret; i++)
		ret = blk_add(vm, paths[i], ro[i], port[i], i);
	for (i = 0; i < a->nr; i++)
		free(paths[i]);
	if (ret)
		blk_exit_all(vm);
	return ret;
}

/* ---- live migration: the images' locks change hands ---- */

static int set_lock(struct blk_dev *b, short type)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET };

	return fcntl(b->fd, F_OFD_SETLK, &fl);
}

void blk_locks_release(struct vm *vm)
{
	struct virtio_dev *v = NULL;

	while ((v = virtio_dev_next(vm, VIRTIO_ID_BLOCK, v)))
		set_lock(v->priv, F_UNLCK);
}

int blk_locks_take(struct vm *vm, int wait_ms, char *err, size_t errlen)
{
	struct virtio_dev *v = NULL;
	struct blk_dev *b;
	int ms;

	while ((v = virtio_dev_next(vm, VIRTIO_ID_BLOCK, v))) {
		b = v->priv;
		for (ms = 0; set_lock(b, b->ro ? F_RDLCK : F_WRLCK); ms += 10) {
			if ((errno != EAGAIN && errno != EACCES) || ms >= wait_ms)
				return set_err(err, errlen, "disk image '%s' is "
					       "still locked by another process "
					       "(%s): it must be released to "
					       "this VM", b->path,
					       strerror(errno));
			usleep(10000);
		}
		b->lock_later = false;
	}
	return 0;
}

void blk_exit_all(struct vm *vm)
{
	virtio_devs_destroy(vm, VIRTIO_ID_BLOCK);
}

LKVM_INIT(INIT_DEVICE, blk_init_all, blk_exit_all)
