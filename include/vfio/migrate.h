/* The kernel's VFIO migration v2 uAPI for one opened device, through the
 * seam: migration flags, device state changes (RUNNING, STOP, STOP_COPY,
 * RESUMING, PRE_COPY) and the device data read from / written to the
 * data fd. */
#ifndef LKVM_VFIO_MIGRATE_H
#define LKVM_VFIO_MIGRATE_H

#include "vfio/mig_uapi.h"
#include "vfio/vfio.h"

struct sbuf;

/* Device data larger than this is refused (it goes into the snapshot's
 * state file, which kvm/snapshot.c reads up to SNAP_MAX_STATE). */
#define VFIO_MIG_MAX_DATA	(32u << 20)

/* "RUNNING", "STOP", ... ("state 9" for others; buf for that case). */
const char *vfio_mig_state_name(u32 state, char *buf, size_t len);

/* VFIO_DEVICE_FEATURE_MIGRATION: *flags (VFIO_MIGRATION_*); -1 with errno
 * (ENOTTY: the device's driver has no migration support). */
int vfio_mig_flags(struct vfio_device *dev, u64 *flags);
/* VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE, get / set. A set that opens a
 * data transfer session returns its fd in *data_fd (else -1; data_fd may
 * be NULL when none is expected). 0, or -1 with errno. */
int vfio_mig_get_state(struct vfio_device *dev, u32 *state);
int vfio_mig_set_state(struct vfio_device *dev, u32 state, int *data_fd);
/* VFIO_DEVICE_FEATURE_MIG_DATA_SIZE (Linux 6.2): -1 with errno without. */
int vfio_mig_data_size(struct vfio_device *dev, u64 *len);

/*
 * Saves the device data: RUNNING -> STOP (if running) -> STOP_COPY, reads
 * the data fd to EOF into *data (malloc'ed, *len bytes; refused above max
 * bytes), -> STOP. The device is left in STOP (vfio_mig_run resumes it).
 * 0, or -1 with err naming the step; the device is then back in the
 * state it was found in where the kernel allows it.
 */
int vfio_mig_save(struct vfio_device *dev, u64 max, u8 **data, size_t *len,
		  char *err, size_t errlen);
/* RUNNING -> STOP when the device runs; 0 or -1 with err. */
int vfio_mig_stop(struct vfio_device *dev, char *err, size_t errlen);
/* STOP -> RUNNING when the device is stopped (STOP_COPY: through STOP);
 * 0 or -1 with err. */
int vfio_mig_run(struct vfio_device *dev, char *err, size_t errlen);

/*
 * PRE_COPY (VFIO_MIGRATION_PRE_COPY devices, live migration): start:
 * RUNNING -> PRE_COPY, its data fd in *fd. read: what
 * VFIO_MIG_GET_PRECOPY_INFO says is ready (initial and dirty bytes),
 * read without waiting and appended to b, *total counting every byte so
 * far (more than max is refused). stop: the VM stopped: PRE_COPY ->
 * STOP_COPY, the same fd goes on. finish: the rest of fd to EOF into
 * *data (malloc'ed), fd closed, -> STOP. abort: fd closed, the device
 * back to RUNNING (from PRE_COPY or STOP_COPY). 0, or -1 with err naming
 * the step.
 */
int vfio_mig_precopy_start(struct vfio_device *dev, int *fd, char *err,
			   size_t errlen);
int vfio_mig_precopy_info(struct vfio_device *dev, int fd, u64 *initial,
			  u64 *dirty, char *err, size_t errlen);
int vfio_mig_precopy_read(struct vfio_device *dev, int fd, struct sbuf *b,
			  u64 *total, u64 max, char *err, size_t errlen);
int vfio_mig_precopy_stop(struct vfio_device *dev, char *err, size_t errlen);
int vfio_mig_precopy_finish(struct vfio_device *dev, int fd, u64 max,
			    u8 **data, size_t *len, char *err, size_t errlen);
void vfio_mig_precopy_abort(struct vfio_device *dev, int fd);
/*
 * Loads device data saved by vfio_mig_save into a device in RUNNING or
 * STOP: -> STOP -> RESUMING, writes data, -> STOP (the driver checks it)
 * -> RUNNING. 0, or -1 with err; a failed load resets the device (the
 * only way to abort RESUMING).
 */
int vfio_mig_load(struct vfio_device *dev, const u8 *data, size_t len,
		  char *err, size_t errlen);

#endif
