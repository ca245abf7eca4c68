/* Resets beyond VFIO_DEVICE_RESET: the bus (hot) reset of a device without
 * FLR or PM reset, allowed when every function it affects belongs to this
 * VM, and the emulation of a guest-initiated Function Level Reset. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/pci.h>
#include <linux/pci_regs.h>
#include "kvm/guest_log.h"
#include "vfio/iommufd_uapi.h"
#include "vfio/pci.h"

/* ---- bus reset ---- */

static const struct vfio_group *group_of(const struct vfio_container *c,
					 u32 id)
{
	const struct vfio_group *g;

	for (g = c->groups; g; g = g->next)
		if ((u32)g->id == id)
			return g;
	return NULL;
}

static int not_ours(const struct vfio_pci_dependent_device *d, const char *how,
		    char *why, size_t len)
{
	return set_err(why, len, "%04x:%02x:%02x.%x, which the reset also "
		       "affects, %s", d->segment, d->bus, PCI_SLOT(d->devfn),
		       PCI_FUNC(d->devfn), how);
}

/* A cdev answers with device ids: every one must be this iommufd's. */
static int plan_cdev(const struct vfio_pci_hot_reset_info *info, char *why,
		     size_t len)
{
	u32 i;

	if (!(info->flags & VFIO_PCI_HOT_RESET_FLAG_DEV_ID))
		return set_err(why, len, "the kernel answered with groups on "
			       "a device cdev");
	if (info->flags & VFIO_PCI_HOT_RESET_FLAG_DEV_ID_OWNED)
		return 0;
	for (i = 0; i < info->count; i++)
		if (info->devices[i].group_id == (u32)VFIO_PCI_DEVID_NOT_OWNED)
			return not_ours(&info->devices[i], "is not bound to "
					"this VM's iommufd", why, len);
	return set_err(why, len, "a function it affects is not this VM's");
}

int vfio_hot_reset_plan(const struct vfio_pci_hot_reset_info *info,
			bool cdev, const struct vfio_container *c, int *fds,
			u32 *nr, char *why, size_t len)
{
	const struct vfio_group *g;
	u32 i, j;

	*nr = 0;
	if (cdev)
		return plan_cdev(info, why, len);
	for (i = 0; i < info->count; i++) {
		g = group_of(c, info->devices[i].group_id);
		if (!g) {
			char how[64];

			snprintf(how, sizeof(how), "is in IOMMU group %u, not "
				 "assigned to this VM", info->devices[i].group_id);
			return not_ours(&info->devices[i], how, why, len);
		}
		for (j = 0; j < *nr && fds[j] != g->fd; j++)
			;
		if (j == *nr)
			fds[(*nr)++] = g->fd;
	}
	return 0;
}

static int hot_reset_info(struct vfio_device *dev,
			  struct vfio_pci_hot_reset_info *info, char *why,
			  size_t len)
{
	memset(info, 0, sizeof(*info));
	info->argsz = sizeof(*info) + VFIO_HOT_RESET_MAX *
		      sizeof(info->devices[0]);
	if (!seam_ioctl(dev->ops, dev->fd, VFIO_DEVICE_GET_PCI_HOT_RESET_INFO,
			info))
		return info->count <= VFIO_HOT_RESET_MAX ? 0 :
		       set_err(why, len, "%u functions share it", info->count);
	if (errno == ENOSPC)
		return set_err(why, len, "more than %d functions share it",
			       VFIO_HOT_RESET_MAX);
	return set_err(why, len, "VFIO_DEVICE_GET_PCI_HOT_RESET_INFO: %s",
		       strerror(errno));
}

/* Linux answers ENOTTY when the reset itself went wrong: a function below
 * the bridge did not answer in time after it (seen with QEMU's
 * pcie-root-port at 16 GT/s, whose link never reports itself active). */
static int hot_reset_failed(char *why, size_t len)
{
	if (errno == ENOTTY)
		return set_err(why, len, "VFIO_DEVICE_PCI_HOT_RESET: the host "
			       "reset the bus but a function below the bridge "
			       "did not come back in time (ENOTTY; the host's "
			       "kernel log names it)");
	return set_err(why, len, "VFIO_DEVICE_PCI_HOT_RESET: %s",
		       strerror(errno));
}

int vfio_device_hot_reset(struct vfio_device *dev, char *why, size_t len)
{
	struct vfio_pci_hot_reset_info *info;
	struct vfio_pci_hot_reset *rst;
	int ret = -1;
	u32 nr;

	info = calloc(1, sizeof(*info) + VFIO_HOT_RESET_MAX *
		      sizeof(info->devices[0]));
	rst = calloc(1, sizeof(*rst) + VFIO_HOT_RESET_MAX * sizeof(int));
	if (!info || !rst) {
		set_err(why, len, "out of memory");
		goto out;
	}
	if (hot_reset_info(dev, info, why, len) ||
	    vfio_hot_reset_plan(info, dev->cdev, dev->c, rst->group_fds, &nr,
				why, len))
		goto out;
	rst->argsz = sizeof(*rst) + nr * sizeof(int);
	rst->count = nr;
	if (seam_ioctl(dev->ops, dev->fd, VFIO_DEVICE_PCI_HOT_RESET, rst)) {
		hot_reset_failed(why, len);
		goto out;
	}
	dev->hot_resets++;
	for (nr = 0; nr < info->count; nr++)
		dev->reset_deps[nr] = (u32)info->devices[nr].segment << 16 |
				      (u32)info->devices[nr].bus << 8 |
				      info->devices[nr].devfn;
	dev->nr_reset_deps = info->count;
	ret = 0;
out:
	free(info);
	free(rst);
	return ret;
}

bool vfio_hot_reset_covered(const struct vfio_device *dev, const char *bdf)
{
	unsigned int seg, bus, slot, fn;
	u32 i, key;

	if (sscanf(bdf, "%x:%x:%x.%x", &seg, &bus, &slot, &fn) != 4)
		return false;
	key = seg << 16 | bus << 8 | PCI_DEVFN(slot, fn);
	for (i = 0; i < dev->nr_reset_deps; i++)
		if (dev->reset_deps[i] == key)
			return true;
	return false;
}

/* ---- guest-initiated FLR ---- */

/* The guest set Initiate FLR: the image goes back to its reset values,
 * BARs stop decoding, interrupts are released, then the device resets and
 * gets the command bits lkvm forwards (the kernel restored its own). */
void vfio_pci_flr(struct vfio_pci *vp)
{
	struct vcfg_write_res res;

	vcfg_flr(&vp->cfg, &res);
	pci_cfg_written(&vp->pci, 0, PCI_STD_HEADER_SIZEOF);
	vfio_intr_flr(vp);
	if (vfio_device_reset(&vp->vdev))
		pr_guest(vp->vm, "%s: guest-initiated FLR: the device did not "
			 "reset", vp->name);
	vfio_pci_forward(vp, &res);
	vp->flrs++;
	pr_debug("%s: guest-initiated FLR %llu emulated", vp->name,
		 (unsigned long long)vp->flrs);
}
