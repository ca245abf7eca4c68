/* VFIO migration v2 for one opened device (include/vfio/migrate.h): the
 * feature ioctls through the seam, the state arcs a save, a load and a
 * live migration's PRE_COPY walk, and the data fd read to EOF (bounded),
 * read as far as PRE_COPY has data ready, or written in full. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kvm/snapshot.h"
#include "vfio/migrate.h"

#define MIG_CHUNK	(64u << 10)	/* first buffer, write size */

const char *vfio_mig_state_name(u32 state, char *buf, size_t len)
{
	static const char *const names[] = {
		[VFIO_DEVICE_STATE_ERROR] = "ERROR",
		[VFIO_DEVICE_STATE_STOP] = "STOP",
		[VFIO_DEVICE_STATE_RUNNING] = "RUNNING",
		[VFIO_DEVICE_STATE_STOP_COPY] = "STOP_COPY",
		[VFIO_DEVICE_STATE_RESUMING] = "RESUMING",
		[VFIO_DEVICE_STATE_RUNNING_P2P] = "RUNNING_P2P",
		[LKVM_VFIO_STATE_PRE_COPY] = "PRE_COPY",
		[LKVM_VFIO_STATE_PRE_COPY_P2P] = "PRE_COPY_P2P",
	};

	if (state < ARRAY_SIZE(names))
		return names[state];
	snprintf(buf, len, "state %u", state);
	return buf;
}

/* VFIO_DEVICE_FEATURE with len (<= 16) bytes of data in and out. */
static int feature(struct vfio_device *dev, u32 flags, void *data, u32 len)
{
	u64 buf[(sizeof(struct vfio_device_feature) + 16) / 8] = { 0 };
	struct vfio_device_feature *f = (void *)buf;

	if (len > 16) {
		errno = EINVAL;
		return -1;
	}
	f->argsz = sizeof(*f) + len;
	f->flags = flags;
	memcpy(f->data, data, len);
	if (seam_ioctl(dev->ops, dev->fd, VFIO_DEVICE_FEATURE, f) < 0)
		return -1;
	memcpy(data, f->data, len);
	return 0;
}

int vfio_mig_flags(struct vfio_device *dev, u64 *flags)
{
	struct vfio_device_feature_migration m = { 0 };

	if (feature(dev, VFIO_DEVICE_FEATURE_GET |
		    VFIO_DEVICE_FEATURE_MIGRATION, &m, sizeof(m)))
		return -1;
	*flags = m.flags;
	return 0;
}

int vfio_mig_get_state(struct vfio_device *dev, u32 *state)
{
	struct vfio_device_feature_mig_state m = { .data_fd = -1 };

	if (feature(dev, VFIO_DEVICE_FEATURE_GET |
		    VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE, &m, sizeof(m)))
		return -1;
	*state = m.device_state;
	return 0;
}

int vfio_mig_set_state(struct vfio_device *dev, u32 state, int *data_fd)
{
	struct vfio_device_feature_mig_state m = { .device_state = state,
						   .data_fd = -1 };

	if (data_fd)
		*data_fd = -1;
	if (feature(dev, VFIO_DEVICE_FEATURE_SET |
		    VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE, &m, sizeof(m)))
		return -1;
	if (data_fd)
		*data_fd = m.data_fd;
	else if (m.data_fd >= 0)	/* not expected: do not leak it */
		seam_close(dev->ops, m.data_fd);
	return 0;
}

int vfio_mig_data_size(struct vfio_device *dev, u64 *len)
{
	struct vfio_device_feature_mig_data_size m = { 0 };

	if (feature(dev, VFIO_DEVICE_FEATURE_GET |
		    VFIO_DEVICE_FEATURE_MIG_DATA_SIZE, &m, sizeof(m)))
		return -1;
	*len = m.stop_copy_length;
	return 0;
}

/* One arc, with err naming it. */
static int arc(struct vfio_device *dev, u32 from, u32 to, int *data_fd,
	       char *err, size_t errlen)
{
	char a[24], b[24];

	if (!vfio_mig_set_state(dev, to, data_fd))
		return 0;
	return set_err(err, errlen, "vfio %s: migration state %s -> %s: %s",
		       dev->spec.name, vfio_mig_state_name(from, a, sizeof(a)),
		       vfio_mig_state_name(to, b, sizeof(b)), strerror(errno));
}

static int get_state(struct vfio_device *dev, u32 *state, char *err,
		     size_t errlen)
{
	if (!vfio_mig_get_state(dev, state))
		return 0;
	return set_err(err, errlen, "vfio %s: reading the migration state: %s"
		       " (does its driver support VFIO migration?)",
		       dev->spec.name, strerror(errno));
}

/* Grows *buf so that more bytes fit, never past max + 1 in all. */
static int grow(u8 **buf, size_t *cap, size_t n, u64 max)
{
	size_t ncap;
	u8 *nb;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : MIG_CHUNK;
	if (ncap > max + 1)
		ncap = max + 1;
	nb = realloc(*buf, ncap);
	if (!nb)
		return -1;
	*buf = nb;
	*cap = ncap;
	return 0;
}

/* Reads fd to EOF; more than max bytes is refused. */
static int read_all(struct vfio_device *dev, int fd, u64 max, u8 **data,
		    size_t *len, char *err, size_t errlen)
{
	size_t n = 0, cap = 0;
	u8 *buf = NULL;
	ssize_t r;

	for (;;) {
		if (grow(&buf, &cap, n, max)) {
			set_err(err, errlen, "vfio %s: out of memory for the "
				"device data", dev->spec.name);
			goto fail;
		}
		r = seam_read(dev->ops, fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			set_err(err, errlen, "vfio %s: reading the device data"
				" (%zu bytes in): %s", dev->spec.name, n,
				strerror(errno));
			goto fail;
		}
		if (!r)
			break;
		n += r;
		if (n > max) {
			set_err(err, errlen, "vfio %s: the device data is "
				"larger than %llu bytes, more than lkvm takes "
				"into a snapshot or a migration: run the VM "
				"without this device to save or move it",
				dev->spec.name, (unsigned long long)max);
			goto fail;
		}
	}
	*data = buf;
	*len = n;
	return 0;
fail:
	free(buf);
	return -1;
}

/* In STOP_COPY: fd read to EOF and closed, then STOP_COPY -> STOP. */
static int drain(struct vfio_device *dev, int fd, u64 max, u8 **data,
		 size_t *len, char *err, size_t errlen)
{
	int r;

	if (fd < 0) {
		set_err(err, errlen, "vfio %s: STOP_COPY gave no data fd",
			dev->spec.name);
		r = -1;
	} else {
		r = read_all(dev, fd, max, data, len, err, errlen);
		seam_close(dev->ops, fd);
	}
	if (arc(dev, VFIO_DEVICE_STATE_STOP_COPY, VFIO_DEVICE_STATE_STOP,
		NULL, r ? NULL : err, errlen)) {
		if (!r)
			free(*data);
		*data = NULL;
		return -1;
	}
	return r;
}

/* STOP -> STOP_COPY, the data, STOP_COPY -> STOP. */
static int copy_out(struct vfio_device *dev, u64 max, u8 **data,
		    size_t *len, char *err, size_t errlen)
{
	int fd;

	if (arc(dev, VFIO_DEVICE_STATE_STOP, VFIO_DEVICE_STATE_STOP_COPY, &fd,
		err, errlen))
		return -1;
	return drain(dev, fd, max, data, len, err, errlen);
}

/* From RUNNING or STOP to STOP, the first step of a save and of a load;
 * *st: the state it was in. */
static int to_stop(struct vfio_device *dev, u32 *st, char *err, size_t errlen)
{
	char a[24];

	if (get_state(dev, st, err, errlen))
		return -1;
	if (*st != VFIO_DEVICE_STATE_RUNNING && *st != VFIO_DEVICE_STATE_STOP)
		return set_err(err, errlen, "vfio %s: the device is in "
			       "migration state %s, not RUNNING or STOP",
			       dev->spec.name,
			       vfio_mig_state_name(*st, a, sizeof(a)));
	if (*st == VFIO_DEVICE_STATE_RUNNING &&
	    arc(dev, *st, VFIO_DEVICE_STATE_STOP, NULL, err, errlen))
		return -1;
	return 0;
}

int vfio_mig_save(struct vfio_device *dev, u64 max, u8 **data, size_t *len,
		  char *err, size_t errlen)
{
	u32 st = 0;

	*data = NULL;
	*len = 0;
	if (to_stop(dev, &st, err, errlen))
		return -1;
	if (!copy_out(dev, max, data, len, err, errlen))
		return 0;
	if (st == VFIO_DEVICE_STATE_RUNNING)	/* as it was found */
		vfio_mig_set_state(dev, VFIO_DEVICE_STATE_RUNNING, NULL);
	return -1;
}

int vfio_mig_stop(struct vfio_device *dev, char *err, size_t errlen)
{
	u32 st = 0;

	if (get_state(dev, &st, err, errlen))
		return -1;
	if (st != VFIO_DEVICE_STATE_RUNNING)
		return 0;
	return arc(dev, st, VFIO_DEVICE_STATE_STOP, NULL, err, errlen);
}

int vfio_mig_run(struct vfio_device *dev, char *err, size_t errlen)
{
	u32 st = 0;

	if (get_state(dev, &st, err, errlen))
		return -1;
	if (st == VFIO_DEVICE_STATE_RUNNING)
		return 0;
	if (st == VFIO_DEVICE_STATE_STOP_COPY) {	/* a save cut short */
		if (arc(dev, st, VFIO_DEVICE_STATE_STOP, NULL, err, errlen))
			return -1;
		st = VFIO_DEVICE_STATE_STOP;
	}
	return arc(dev, st, VFIO_DEVICE_STATE_RUNNING, NULL, err, errlen);
}

/* ---- PRE_COPY: device data while the VM runs (live migration) ---- */

int vfio_mig_precopy_start(struct vfio_device *dev, int *fd, char *err,
			   size_t errlen)
{
	if (arc(dev, VFIO_DEVICE_STATE_RUNNING, LKVM_VFIO_STATE_PRE_COPY, fd,
		err, errlen))
		return -1;
	if (*fd >= 0)
		return 0;
	vfio_mig_set_state(dev, VFIO_DEVICE_STATE_RUNNING, NULL);
	return set_err(err, errlen, "vfio %s: PRE_COPY gave no data fd",
		       dev->spec.name);
}

int vfio_mig_precopy_info(struct vfio_device *dev, int fd, u64 *initial,
			  u64 *dirty, char *err, size_t errlen)
{
	struct vfio_precopy_info pi = { .argsz = sizeof(pi) };

	if (seam_ioctl(dev->ops, fd, VFIO_MIG_GET_PRECOPY_INFO, &pi) < 0)
		return set_err(err, errlen, "vfio %s: VFIO_MIG_GET_PRECOPY_INFO"
			       ": %s", dev->spec.name, strerror(errno));
	*initial = pi.initial_bytes;
	*dirty = pi.dirty_bytes;
	return 0;
}

/* Up to want bytes of fd appended to b; ENOMSG or 0: none ready now. */
static int read_ready(struct vfio_device *dev, int fd, u64 want,
		      struct sbuf *b, u64 *total, u64 max, char *err,
		      size_t errlen)
{
	u8 buf[4096];
	ssize_t r;

	while (want) {
		r = seam_read(dev->ops, fd, buf, MIN(want, (u64)sizeof(buf)));
		if (r < 0 && errno == EINTR)
			continue;
		if ((r < 0 && errno == ENOMSG) || !r)
			break;
		if (r < 0)
			return set_err(err, errlen, "vfio %s: reading the "
				       "pre-copy data (%llu bytes in): %s",
				       dev->spec.name,
				       (unsigned long long)*total,
				       strerror(errno));
		*total += r;
		if (*total > max)
			return set_err(err, errlen, "vfio %s: more than %llu "
				       "bytes of pre-copy data, more than lkvm "
				       "takes: run the VM without this device "
				       "to move it", dev->spec.name,
				       (unsigned long long)max);
		sb_put(b, buf, r);
		want -= MIN((u64)r, want);
	}
	return b->oom ? set_err(err, errlen, "vfio %s: out of memory for "
				"the pre-copy data", dev->spec.name) : 0;
}

int vfio_mig_precopy_read(struct vfio_device *dev, int fd, struct sbuf *b,
			  u64 *total, u64 max, char *err, size_t errlen)
{
	u64 initial, dirty;

	if (vfio_mig_precopy_info(dev, fd, &initial, &dirty, err, errlen))
		return -1;
	return read_ready(dev, fd, initial + dirty, b, total, max, err,
			  errlen);
}

int vfio_mig_precopy_stop(struct vfio_device *dev, char *err, size_t errlen)
{
	int fd;

	if (arc(dev, LKVM_VFIO_STATE_PRE_COPY, VFIO_DEVICE_STATE_STOP_COPY,
		&fd, err, errlen))
		return -1;
	if (fd >= 0)		/* the PRE_COPY fd goes on: not expected */
		seam_close(dev->ops, fd);
	return 0;
}

int vfio_mig_precopy_finish(struct vfio_device *dev, int fd, u64 max,
			    u8 **data, size_t *len, char *err, size_t errlen)
{
	*data = NULL;
	*len = 0;
	return drain(dev, fd, max, data, len, err, errlen);
}

void vfio_mig_precopy_abort(struct vfio_device *dev, int fd)
{
	if (fd >= 0)
		seam_close(dev->ops, fd);
	vfio_mig_run(dev, NULL, 0);
}

static int write_all(struct vfio_device *dev, int fd, const u8 *data,
		     size_t len, char *err, size_t errlen)
{
	size_t n = 0;
	ssize_t r;

	while (n < len) {
		r = seam_write(dev->ops, fd, data + n, MIN(len - n,
							   (size_t)MIG_CHUNK));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return set_err(err, errlen, "vfio %s: writing the "
				       "device data (%zu of %zu bytes in): %s",
				       dev->spec.name, n, len, r ?
				       strerror(errno) : "no progress");
		n += r;
	}
	return 0;
}

/* STOP -> RESUMING, the data, RESUMING -> STOP (the driver checks it). */
static int copy_in(struct vfio_device *dev, const u8 *data, size_t len,
		   char *err, size_t errlen)
{
	int fd, r;

	if (arc(dev, VFIO_DEVICE_STATE_STOP, VFIO_DEVICE_STATE_RESUMING, &fd,
		err, errlen))
		return -1;
	if (fd < 0)
		return set_err(err, errlen, "vfio %s: RESUMING gave no data "
			       "fd", dev->spec.name);
	r = write_all(dev, fd, data, len, err, errlen);
	seam_close(dev->ops, fd);
	if (r)
		return -1;
	if (!vfio_mig_set_state(dev, VFIO_DEVICE_STATE_STOP, NULL))
		return 0;
	return set_err(err, errlen, "vfio %s: the device refused the saved "
		       "data (RESUMING -> STOP: %s): was it saved from a "
		       "device of the same type and driver?", dev->spec.name,
		       strerror(errno));
}

int vfio_mig_load(struct vfio_device *dev, const u8 *data, size_t len,
		  char *err, size_t errlen)
{
	u32 st = 0;

	if (to_stop(dev, &st, err, errlen))
		return -1;
	if (copy_in(dev, data, len, err, errlen) ||
	    arc(dev, VFIO_DEVICE_STATE_STOP, VFIO_DEVICE_STATE_RUNNING, NULL,
		err, errlen)) {
		vfio_device_reset(dev);		/* aborts RESUMING */
		return -1;
	}
	return 0;
}
