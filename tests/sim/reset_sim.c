/* The simulated kernel's bus reset (tests/sim/vfio_sim.h): devices with
 * the same reset_bus are reset together; VFIO_DEVICE_GET_PCI_HOT_RESET_INFO
 * answers group ids on a group's device fd and device ids (owned or not
 * by the bound iommufd) on a cdev, and VFIO_DEVICE_PCI_HOT_RESET checks
 * ownership as the kernel does: every group's fd, or a cdev's iommufd. */
#include <errno.h>
#include <linux/pci.h>
#include "vfio/iommufd_uapi.h"
#include "sim/vfio_sim.h"

/* A cdev fd of device i bound to the (one) iommufd. */
static bool cdev_bound(struct vfio_sim *s, int i)
{
	int f;

	for (f = 0; f < SIM_MAX_FDS; f++)
		if (s->fds[f].kind == FD_DEVICE && s->fds[f].obj == i &&
		    s->fds[f].cdev && s->fds[f].bound)
			return true;
	return false;
}

static void dep_fill(struct sim_dev *d, struct vfio_pci_dependent_device *o)
{
	unsigned int seg, bus, slot, fn;

	if (sscanf(d->name, "%x:%x:%x.%x", &seg, &bus, &slot, &fn) != 4)
		seg = bus = slot = fn = 0;
	o->segment = seg;
	o->bus = bus;
	o->devfn = PCI_DEVFN(slot, fn);
}

static int info(struct vfio_sim *s, struct sim_dev *d, bool cdev,
		struct vfio_pci_hot_reset_info *in)
{
	u32 room = (in->argsz - sizeof(*in)) / sizeof(in->devices[0]);
	u32 n = 0, i;

	if (in->argsz < sizeof(*in)) {
		errno = EINVAL;
		return -1;
	}
	if (!d->reset_bus) {
		errno = ENODEV;
		return -1;
	}
	in->flags = cdev ? VFIO_PCI_HOT_RESET_FLAG_DEV_ID |
		    VFIO_PCI_HOT_RESET_FLAG_DEV_ID_OWNED : 0;
	for (i = 0; i < (u32)s->nr_dev; i++) {
		struct sim_dev *o = &s->dev[i];
		bool owned = cdev_bound(s, i);

		if (o->reset_bus != d->reset_bus)
			continue;
		if (cdev && !owned)
			in->flags &= ~VFIO_PCI_HOT_RESET_FLAG_DEV_ID_OWNED;
		if (n < room) {
			dep_fill(o, &in->devices[n]);
			in->devices[n].group_id = !cdev ? (u32)o->group :
				owned ? i + 1 : (u32)VFIO_PCI_DEVID_NOT_OWNED;
		}
		n++;
	}
	in->count = n;
	if (n > room) {
		errno = ENOSPC;
		return -1;
	}
	return 0;
}

static bool group_passed(struct vfio_sim *s, int group,
			 const struct vfio_pci_hot_reset *r)
{
	int obj = -1;
	u32 i;

	for (i = 0; i < r->count; i++)
		if (sim_fd_kind(s, r->group_fds[i], &obj) == FD_GROUP &&
		    obj == group)
			return true;
	return false;
}

static int reset(struct vfio_sim *s, struct sim_dev *d, bool cdev,
		 const struct vfio_pci_hot_reset *r)
{
	int i;

	if (!d->reset_bus || (cdev && r->count)) {
		errno = d->reset_bus ? EINVAL : ENODEV;
		return -1;
	}
	for (i = 0; i < s->nr_dev; i++)
		if (s->dev[i].reset_bus == d->reset_bus &&
		    !(cdev ? cdev_bound(s, i) :
		      group_passed(s, s->dev[i].group, r))) {
			errno = EPERM;
			return -1;
		}
	if (d->hot_reset_errno) {
		errno = d->hot_reset_errno;
		return -1;
	}
	for (i = 0; i < s->nr_dev; i++)
		if (s->dev[i].reset_bus == d->reset_bus)
			s->dev[i].hot_resets++;
	return 0;
}

int sim_hot_reset_ioctl(struct vfio_sim *s, int fd, unsigned long req,
			void *arg, bool *done)
{
	int i = fd - SIM_FD_BASE;
	struct sim_dev *d = &s->dev[s->fds[i].obj];

	*done = req == VFIO_DEVICE_GET_PCI_HOT_RESET_INFO ||
		req == VFIO_DEVICE_PCI_HOT_RESET;
	if (req == VFIO_DEVICE_GET_PCI_HOT_RESET_INFO)
		return info(s, d, s->fds[i].cdev, arg);
	if (req == VFIO_DEVICE_PCI_HOT_RESET)
		return reset(s, d, s->fds[i].cdev, arg);
	return -1;
}
