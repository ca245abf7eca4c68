/* Snapshots of an assigned device: the compatibility fingerprint checked
 * before a restore touches the device, the pci_dev_ops hooks (check, save,
 * load) of vfio_pci_ops, and the VM-wide stop/resume of device data. */
#ifndef LKVM_VFIO_SNAPSHOT_H
#define LKVM_VFIO_SNAPSHOT_H

#include "kvm/snapshot.h"
#include "vfio/pci.h"

#define VFIO_SNAP_MAGIC		0x4e534656u	/* "VFSN" */
#define VFIO_SNAP_VERSION	1
#define VFIO_FP_MAX		192
#define VFIO_FP_NAME		32

/* One compared property: "MSI-X vectors" = 4. hex: printed 0x%llx. */
struct vfio_fp_item {
	char name[VFIO_FP_NAME];
	u64 val;
	bool hex;
};

/* What must be equal on the device a snapshot is restored onto: ids,
 * class, config sizes, BAR sizes and types (host and guest-visible), the
 * capability ids and offsets, MSI-X vectors and table/PBA placement
 * (host, and guest after relocation), MSI, INTx, host page size. Counts
 * come before the lists they size, so the first difference is the one
 * to report. Built from the device and the options only (never from the
 * config image, which a restore overwrites with the saved one). */
struct vfio_fp {
	u32 nr;
	struct vfio_fp_item it[VFIO_FP_MAX];
};

void vfio_fp_build(const struct vfio_pci *vp, struct vfio_fp *fp);
void vfio_fp_put(struct sbuf *b, const struct vfio_fp *fp);
/* Reads a vfio_fp_put record; -1 with err when malformed. */
int vfio_fp_get(struct sreader *r, struct vfio_fp *fp, char *err,
		size_t errlen);
/* 0 when equal, else -1 with err "<who>: <name>: snapshot <v>, this device
 * <v>" for the first difference. */
int vfio_fp_compare(const struct vfio_fp *saved, const struct vfio_fp *cur,
		    const char *who, char *err, size_t errlen);

/*
 * The hooks (vfio_pci_ops). The payload after the bus's config record:
 * magic, version, then named parts (name, blob) in this order, each
 * read by its own hook, so that a later capability adds a part without
 * changing the framing (an unknown part is an error naming it):
 *   "fingerprint"      struct vfio_fp (compared before anything else)
 *   "vfio-pci-config"  the vcfg state: policy, emulation and forward
 *                      masks, capability offsets (compared, never loaded)
 *   "device-data"      the VFIO migration data (STOP_COPY's stream)
 *   "msix"             MSI-X table and PBA (whatever the interrupt mode)
 *   "msi"              MSI state (pending bits)
 *   "command"          the guest's command register (forwarded bits)
 * A load reads and checks every part before touching the device, then
 * loads the device data, then MSI-X (table and PBA before the enable the
 * restored image asks for: one VFIO_DEVICE_SET_IRQS), then MSI, then
 * the command bits lkvm forwards (bus master: the device may now DMA and
 * interrupt) into the device; the bus then maps the BARs.
 */
int vfio_snap_check(struct pci_dev *dev, char *err, size_t errlen);
int vfio_snap_save(struct pci_dev *dev, struct sbuf *b, char *err,
		   size_t errlen);
int vfio_snap_load(struct pci_dev *dev, struct sreader *r, char *err,
		   size_t errlen);
/* Migration's handshake: the fingerprint of dev; and a received one
 * compared with dev (the first difference named). */
int vfio_snap_fp_put(struct pci_dev *dev, struct sbuf *b, char *err,
		     size_t errlen);
int vfio_snap_fp_check(struct pci_dev *dev, struct sreader *r, char *err,
		       size_t errlen);
/* snap_resume: the VM runs on after a snapshot: STOP -> RUNNING. */
void vfio_snap_resume_hook(struct pci_dev *dev);

/* snap_quiesce: RUNNING -> STOP right after the vCPUs park, so the device
 * raises no interrupt and does no DMA while the other owners save (snap_save
 * stops it itself when not done). */
int vfio_snap_quiesce(struct pci_dev *dev, char *err, size_t errlen);

/* Per device: stop: RUNNING -> STOP; resume: STOP -> RUNNING, after the
 * save when the VM goes on, and after a failed save. */
int vfio_snap_dev_stop(struct vfio_pci *vp, char *err, size_t errlen);
int vfio_snap_dev_resume(struct vfio_pci *vp, char *err, size_t errlen);

/* vfio/precopy.c, live migration's PRE_COPY (devices whose driver offers
 * it). Source: snap_precopy: the first call RUNNING -> PRE_COPY, every
 * call the bytes VFIO_MIG_GET_PRECOPY_INFO says are ready, into b;
 * snap_precopy_abort: back to RUNNING. After the vCPUs parked
 * vfio_precopy_stop (PRE_COPY -> STOP_COPY, for vfio_snap_dev_stop) and
 * vfio_precopy_finish (the rest of the data, -> STOP, for the save).
 * Destination: snap_precopy_load keeps the bytes; vfio_precopy_load
 * loads them with the state's device data after them. vfio_precopy_free:
 * what either side holds, at the device's end. 0, or -1 with err. */
int vfio_snap_precopy(struct pci_dev *dev, struct sbuf *b, char *err,
		      size_t errlen);
void vfio_snap_precopy_abort(struct pci_dev *dev);
int vfio_snap_precopy_load(struct pci_dev *dev, const u8 *p, u32 len,
			   char *err, size_t errlen);
int vfio_precopy_stop(struct vfio_pci *vp, char *err, size_t errlen);
int vfio_precopy_finish(struct vfio_pci *vp, u8 **data, size_t *len,
			char *err, size_t errlen);
int vfio_precopy_load(struct vfio_pci *vp, const u8 *data, size_t len,
		      char *err, size_t errlen);
void vfio_precopy_free(struct vfio_pci *vp);

#endif
