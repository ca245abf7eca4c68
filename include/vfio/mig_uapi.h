/* The VFIO migration v2 uAPI pieces newer than the build host's
 * <linux/vfio.h> (Debian 12's 6.1 headers lack PRE_COPY, MIG_DATA_SIZE and
 * PRECOPY_INFO): defined here only where the header has none. */
#ifndef LKVM_VFIO_MIG_UAPI_H
#define LKVM_VFIO_MIG_UAPI_H

#include <linux/vfio.h>

#ifndef VFIO_MIGRATION_PRE_COPY
#define VFIO_MIGRATION_PRE_COPY		(1 << 2)
#endif

/* enum vfio_device_mig_state: PRE_COPY states (Linux 6.2) */
#define LKVM_VFIO_STATE_PRE_COPY	6
#define LKVM_VFIO_STATE_PRE_COPY_P2P	7

#ifndef VFIO_DEVICE_FEATURE_MIG_DATA_SIZE
#define VFIO_DEVICE_FEATURE_MIG_DATA_SIZE 9
struct vfio_device_feature_mig_data_size {
	__aligned_u64 stop_copy_length;
};
#endif

#ifndef VFIO_MIG_GET_PRECOPY_INFO
#define VFIO_MIG_GET_PRECOPY_INFO	_IO(VFIO_TYPE, VFIO_BASE + 21)
struct vfio_precopy_info {
	__u32 argsz;
	__u32 flags;
	__aligned_u64 initial_bytes;
	__aligned_u64 dirty_bytes;
};
#endif

#endif
