/* `lkvm vfio list|bind|unbind` (vfio/doctor.c): host PCI devices as
 * passthrough candidates, and handing one to vfio-pci and back. */
#ifndef LKVM_VFIO_DOCTOR_H
#define LKVM_VFIO_DOCTOR_H

#include <stdio.h>
#include "vfio/vfio.h"

/* Every PCI device under the seam's sysfs root: ids, class, driver, IOMMU
 * group and its other members, whether it can be assigned now (else the
 * fix), reset methods, MSI-X layout and its cost at host page size page.
 * Returns 0, or -1 when the device list cannot be read. */
int vfio_doctor_list(const struct vfio_seam_ops *ops, u64 page, FILE *out);
/* driver_override + drivers_probe to vfio-pci, remembering the driver it
 * had (in the control directory); group: also every other non-bridge
 * member of its IOMMU group. Returns 0, or -1 with a message in err. */
int vfio_doctor_bind(const struct vfio_seam_ops *ops, const char *bdf,
		     bool group, char *err, size_t errlen);
/* Gives a device bound to vfio-pci back to the driver remembered by
 * bind (or to whichever driver the kernel probes). 0, or -1 with err. */
int vfio_doctor_unbind(const struct vfio_seam_ops *ops, const char *bdf,
		       char *err, size_t errlen);
/* vfio/hotcmd.c: `lkvm vfio add|remove` (argv[0] "add" or "remove"):
 * 0, 1 on failure, 2 on bad usage. */
int vfio_cmd_hotplug(int argc, char **argv);
struct ctl_req;
/* Their arguments into r (the request), *vm_opens (add --vm-opens) and
 * *name (--name or NULL): -1 to go on, else the exit status (usage
 * printed for --help, 2 for bad use). */
int vfio_hot_args(bool add, int argc, char **argv, struct ctl_req *r,
		  bool *vm_opens, const char **name);
/* `lkvm vfio ...` (argv[0] is "vfio"): 0, 1 on failure, 2 on bad usage. */
int lkvm_cmd_vfio(int argc, char **argv);

#endif
