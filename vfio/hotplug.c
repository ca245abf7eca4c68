/* Assigned devices added to and removed from a running VM (`lkvm vfio
 * add|remove`, run by the main thread as control jobs): the device set up
 * as --vfio does, behind a free hotplug root port, and taken back through
 * the guest's orderly removal (attention button, slot powered off) or a
 * surprise removal; the run arguments snapshots record follow both. */
#include <errno.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include "kvm/ctl_msg.h"
#include "kvm/json.h"
#include "kvm/seccomp.h"
#include "kvm/snapshot.h"
#include "pci/hotslot.h"
#include "vfio/pci.h"

static int find_dev(struct vfio_vm *vv, const char *name)
{
	int i;

	for (i = 0; i < vv->nr; i++)
		if (!strcmp(vv->devs[i]->vdev.spec.name, name))
			return i;
	return -1;
}

/* Takes device i out of vv->devs and frees it (reset and released); its
 * eventfds leave the I/O thread before it is freed. */
static void drop_dev(struct vfio_vm *vv, int i)
{
	struct vfio_pci *vp = vv->devs[i];

	vfio_intr_teardown(vp);
	if (vfio_io_sync(vv))
		pr_warn("%s: the VFIO I/O thread did not answer", vp->name);
	memmove(&vv->devs[i], &vv->devs[i + 1],
		(size_t)(vv->nr - i - 1) * sizeof(vv->devs[0]));
	vv->nr--;
	vfio_pci_destroy(vp);
}

/* ---- the run arguments snapshots record (kvm/snapshot.h) ---- */

/* An added device: its request's value behind the port it took, as
 * --restore and a migration's destination cold-plug it. */
static void note_added(struct vm *vm, const char *arg, int port)
{
	char val[CTL_DEV_MAX + 16];

	if (!vfio_spec_at_port(arg, port, val, sizeof(val))) {
		snap_note_added(vm, "--vfio", val);
		return;
	}
	pr_warn("vfio %s: its --vfio option does not fit: snapshots and "
		"migrations are refused", arg);
	vm->args.lost = true;
}

static bool names_dev(const char *val, void *name)
{
	struct vfio_spec sp;
	char err[8];

	return !vfio_spec_parse(val, &sp, err, sizeof(err)) &&
	       !strcmp(sp.name, name);
}

/* ---- add ---- */

/* The spec of the request: the client's group or cdev and their fds
 * (fds[0]: the container or /dev/iommu, fds[1]: the group or cdev). */
static int add_spec(struct vfio_vm *vv, struct vm *vm, struct ctl_job *job,
		    struct vfio_spec *sp, char *err, size_t errlen)
{
	const struct ctl_req *r = job->req;
	char path[48];
	bool confined = vm->cfg->seccomp != SC_OFF;

	if (vfio_spec_parse(r->dev, sp, err, errlen))
		return -1;
	if (sp->has_fd)
		return set_err(err, errlen, "fd= is for lkvm run; lkvm vfio "
			       "add passes the device itself");
	if (sp->romfile[0] && confined)
		return set_err(err, errlen, "romfile=: the VM is confined "
			       "(seccomp) and opens no file");
	if (find_dev(vv, sp->name) >= 0)
		return set_err(err, errlen, "%s is already assigned to this VM",
			       sp->name);
	if (vv->nr >= VFIO_MAX_DEVICES)
		return set_err(err, errlen, "the VM has %d VFIO devices, the "
			       "most it can hold", VFIO_MAX_DEVICES);
	if (!r->has_group && !r->cdev[0]) {
		if (confined)
			return set_err(err, errlen, "the VM is confined "
				       "(seccomp) and opens no device: lkvm "
				       "vfio add opens it and passes it");
		return 0;	/* the VM opens it, as --vfio does */
	}
	if (job->nfds < 1 + (r->cdev[0] ? 1 : 0))
		return set_err(err, errlen, "%s: the request came without the "
			       "device's fds", sp->name);
	sp->resolved = true;
	if (r->cdev[0]) {
		snprintf(sp->cdev, sizeof(sp->cdev), "%s", r->cdev);
		sp->has_fd = true;
		sp->fd = job->fds[1];
		job->fds[1] = -1;
		vfio_give_fd(&vv->c, "/dev/iommu", job->fds[0]);
	} else {
		sp->group = (int)r->group;
		vfio_give_fd(&vv->c, "/dev/vfio/vfio", job->fds[0]);
		snprintf(path, sizeof(path), "/dev/vfio/%u", r->group);
		if (job->nfds > 1) {
			vfio_give_fd(&vv->c, path, job->fds[1]);
			job->fds[1] = -1;
		}
	}
	job->fds[0] = -1;
	return 0;
}

/* Opens and sets up the device, behind a free port, vCPUs parked. */
static int add_dev(struct vfio_vm *vv, struct vm *vm,
		   const struct vfio_spec *sp, char *err, size_t errlen)
{
	struct vfio_pci *vp;
	int n = vv->nr, port;
	bool held;

	if (!hot_hold_vcpus(vm, &held, err, errlen))
		return -1;
	vv->c.no_open = vm->cfg->seccomp != SC_OFF;
	if (vfio_device_add(vv, vm, sp, true)) {
		if (vv->nr > n) {
			vp = vv->devs[n];
			port = pci_dev_port(&vp->pci);
			if (port >= 0)	/* its arrival was signalled */
				pci_port_unplug(vm, port);
			drop_dev(vv, n);
		}
		vv->c.no_open = false;
		hot_release_vcpus(vm, held);
		return set_err(err, errlen, "%s: could not be added (see the "
			       "VM's log); nothing was left behind", sp->name);
	}
	vv->c.no_open = false;
	if (!vv->stat_on)
		control_register_stat(&vv->stat);
	vv->stat_on = true;
	hot_release_vcpus(vm, held);
	return 0;
}

static void do_add(struct vm *vm, struct ctl_job *job)
{
	struct vfio_vm *vv = vm->vfio;
	struct vfio_spec sp;
	struct vfio_pci *vp;
	char err[VFIO_ERR_LEN];
	int r;

	if (!vv) {
		ctl_put_error(job->out, "the VM has no hotplug root ports: run "
			      "it with --hotplug-slots N");
		return;
	}
	r = add_spec(vv, vm, job, &sp, err, sizeof(err));
	if (!r)
		r = add_dev(vv, vm, &sp, err, sizeof(err));
	vfio_given_drop(&vv->c);
	if (r) {
		ctl_put_error(job->out, "%s", err);
		return;
	}
	vp = vv->devs[vv->nr - 1];
	pr_info("%s: added behind root port %d (lkvm vfio add)", vp->name,
		pci_dev_port(&vp->pci));
	note_added(vm, job->req->dev, pci_dev_port(&vp->pci));
	control_event(job->ctl, "device-added", sp.name);
	ctl_put_ok(job->out, CTL_VFIO_ADD);
	fputs(", ", job->out);
	json_put_kv(job->out, "device", sp.name);
	fprintf(job->out, ", \"port\": %d", pci_dev_port(&vp->pci));
	ctl_put_end(job->out);
}

/* ---- remove ---- */

/* The adapter leaves the slot and the device goes, vCPUs parked. */
static int unplug(struct vfio_vm *vv, struct vm *vm, int i, int port,
		  char *err, size_t errlen)
{
	char name[VFIO_NAME_LEN];
	bool held;

	if (!hot_hold_vcpus(vm, &held, err, errlen))
		return -1;
	snprintf(name, sizeof(name), "%s", vv->devs[i]->vdev.spec.name);
	pci_port_unplug(vm, port);
	drop_dev(vv, i);
	hot_release_vcpus(vm, held);
	snap_note_removed(vm, "--vfio", names_dev, name, name);
	return 0;
}

/* 0 with *how "ejected" (the guest powered the slot off on the button),
 * "slot-off" (it was off already) or "surprise"; -1 with err, the device
 * left as it was. */
static int remove_dev(struct vm *vm, struct ctl_job *job, const char **how,
		      char *err, size_t errlen)
{
	const struct ctl_req *r = job->req;
	struct vfio_vm *vv = vm->vfio;
	struct vfio_spec sp;
	int i, port;

	if (vfio_spec_parse(r->dev, &sp, err, errlen))
		return -1;
	i = vv ? find_dev(vv, sp.name) : -1;
	if (i < 0)
		return set_err(err, errlen, "%s is not assigned to this VM",
			       sp.name);
	port = pci_dev_port(&vv->devs[i]->pci);
	if (port < 0)
		return set_err(err, errlen, "%s is on bus 0, not behind a "
			       "hotplug root port (--hotplug-slots, port=N): "
			       "it stays until the VM stops", sp.name);
	if (hot_eject(vm, port, r->force, r->timeout_ms, sp.name, how, err, errlen))
		return -1;
	if (unplug(vv, vm, i, port, err, errlen))
		return -1;
	pr_info("vfio %s: removed from root port %d (%s)", sp.name, port,
		*how);
	control_event(job->ctl, "device-removed", sp.name);
	return 0;
}

static void do_remove(struct vm *vm, struct ctl_job *job)
{
	char err[VFIO_ERR_LEN];
	const char *how = "";

	if (remove_dev(vm, job, &how, err, sizeof(err))) {
		ctl_put_error(job->out, "%s", err);
		return;
	}
	ctl_put_ok(job->out, CTL_VFIO_REMOVE);
	fputs(", ", job->out);
	json_put_kv(job->out, "device", job->req->dev);
	fputs(", ", job->out);
	json_put_kv(job->out, "how", how);
	ctl_put_end(job->out);
}

void vfio_hotplug_job(struct vm *vm, struct ctl_job *job)
{
	if (job->req->cmd == CTL_VFIO_ADD)
		do_add(vm, job);
	else
		do_remove(vm, job);
}

/* ---- the host's request interrupt ---- */

static void wake_main(struct vfio_vm *vv)
{
	if (eventfd_write(vv->eject_efd, 1))
		pr_warn("vfio: waking the main thread: %s", strerror(errno));
}

bool vfio_pci_request_eject(struct vfio_pci *vp)
{
	struct vfio_vm *vv = vp->vm->vfio;
	int port = pci_dev_port(&vp->pci);

	if (port < 0 || !vv)
		return false;
	if (__atomic_load_n(&vp->eject, __ATOMIC_ACQUIRE)) {
		if (vp->host_requests - vp->eject_at >= VFIO_EJECT_REQUESTS) {
			pr_warn("%s: the guest has not let the device go: "
				"surprise removal", vp->name);
			__atomic_store_n(&vp->eject_force, true,
					 __ATOMIC_RELEASE);
			wake_main(vv);
		}
		return true;
	}
	vp->eject_at = vp->host_requests;
	__atomic_store_n(&vp->eject, true, __ATOMIC_RELEASE);
	if (pci_port_powered(vp->vm, port))
		pci_port_button(vp->vm, port);
	else
		wake_main(vv);	/* off already: it goes now */
	return true;
}

void vfio_slot_power(struct pci_dev *dev, bool on)
{
	struct vfio_pci *vp = dev->priv;

	if (!on && __atomic_load_n(&vp->eject, __ATOMIC_ACQUIRE))
		wake_main(vp->vm->vfio);
}

int vfio_eject_fd(struct vm *vm)
{
	return vm->vfio ? vm->vfio->eject_efd : -1;
}

void vfio_eject_run(struct vm *vm, struct control *ctl)
{
	struct vfio_vm *vv = vm->vfio;
	char err[128], name[VFIO_NAME_LEN];
	struct vfio_pci *vp;
	eventfd_t v;
	bool force;
	int i, port;

	if (!vv || eventfd_read(vv->eject_efd, &v))
		return;
	for (i = vv->nr - 1; i >= 0; i--) {
		vp = vv->devs[i];
		port = pci_dev_port(&vp->pci);
		force = __atomic_load_n(&vp->eject_force, __ATOMIC_ACQUIRE);
		if (!__atomic_load_n(&vp->eject, __ATOMIC_ACQUIRE) ||
		    port < 0 || (!force && pci_port_powered(vm, port)))
			continue;
		snprintf(name, sizeof(name), "%s", vp->vdev.spec.name);
		if (unplug(vv, vm, i, port, err, sizeof(err))) {
			pr_warn("vfio %s: releasing it to the host: %s", name,
				err);
			continue;
		}
		pr_info("vfio %s: %s: released to the host", name, force ?
			"surprise removal" : "the guest ejected it");
		control_event(ctl, "device-removed", name);
	}
}
