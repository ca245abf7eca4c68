/* Live migration's PRE_COPY for an assigned device (include/vfio/
 * snapshot.h): on the source the device's pre-copy started on the first
 * pass, the bytes ready each pass, its stop and its abort; on the
 * destination the bytes kept until the state's device data follows them. */
#include <stdlib.h>
#include "vfio/migrate.h"
#include "vfio/snapshot.h"

int vfio_snap_precopy(struct pci_dev *dev, struct sbuf *b, char *err,
		      size_t errlen)
{
	struct vfio_pci *vp = dev->priv;
	u64 flags;

	if (!vp->pre_on) {
		if (vfio_mig_flags(&vp->vdev, &flags) ||
		    !(flags & VFIO_MIGRATION_PRE_COPY))
			return 0;	/* STOP_COPY alone, once stopped */
		if (vfio_mig_precopy_start(&vp->vdev, &vp->pre_fd, err, errlen))
			return -1;
		vp->pre_on = true;
		vp->pre_sent = 0;
	}
	return vfio_mig_precopy_read(&vp->vdev, vp->pre_fd, b, &vp->pre_sent,
				     VFIO_MIG_MAX_DATA, err, errlen);
}

static void precopy_abort(struct vfio_pci *vp)
{
	if (!vp->pre_on)
		return;
	vp->pre_on = false;
	vfio_mig_precopy_abort(&vp->vdev, vp->pre_fd);
}

void vfio_snap_precopy_abort(struct pci_dev *dev)
{
	precopy_abort(dev->priv);
}

int vfio_precopy_stop(struct vfio_pci *vp, char *err, size_t errlen)
{
	return vfio_mig_precopy_stop(&vp->vdev, err, errlen);
}

int vfio_precopy_finish(struct vfio_pci *vp, u8 **data, size_t *len,
			char *err, size_t errlen)
{
	vp->pre_on = false;
	return vfio_mig_precopy_finish(&vp->vdev, vp->pre_fd, VFIO_MIG_MAX_DATA -
				       vp->pre_sent, data, len, err, errlen);
}

int vfio_snap_precopy_load(struct pci_dev *dev, const u8 *p, u32 len,
			   char *err, size_t errlen)
{
	struct vfio_pci *vp = dev->priv;

	if (!vp->pre_in)
		vp->pre_in = calloc(1, sizeof(*vp->pre_in));
	if (vp->pre_in && vp->pre_in->len + len > VFIO_MIG_MAX_DATA)
		return set_err(err, errlen, "%s: more than %u MiB of pre-copy "
			       "data, more than lkvm takes", vp->name,
			       VFIO_MIG_MAX_DATA >> 20);
	if (vp->pre_in)
		sb_put(vp->pre_in, p, len);
	if (!vp->pre_in || vp->pre_in->oom)
		return set_err(err, errlen, "%s: out of memory for the "
			       "pre-copy data", vp->name);
	return 0;
}

int vfio_precopy_load(struct vfio_pci *vp, const u8 *data, size_t len,
		      char *err, size_t errlen)
{
	struct sbuf *all = vp->pre_in;
	int r;

	if (!all)
		return vfio_mig_load(&vp->vdev, data, len, err, errlen);
	vp->pre_in = NULL;
	sb_put(all, data, len);
	r = all->oom ? set_err(err, errlen, "%s: out of memory for the device "
			       "data", vp->name) :
	    vfio_mig_load(&vp->vdev, all->p, all->len, err, errlen);
	sb_free(all);
	free(all);
	return r;
}

void vfio_precopy_free(struct vfio_pci *vp)
{
	if (vp->pre_in)
		sb_free(vp->pre_in);
	free(vp->pre_in);
	vp->pre_in = NULL;
	precopy_abort(vp);
}
