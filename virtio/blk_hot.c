/* Disks added to and removed from a running VM (`lkvm disk add|remove`,
 * main-thread control jobs): a virtio-blk function made from the image fd
 * the client opened, behind a free hotplug root port, served by a spare
 * I/O thread (virtio/spare.c); removed through the guest's orderly removal
 * (or a surprise one), then flushed, unlocked and closed. Snapshots and
 * migrations record what came and went (kvm/snapshot.c snap_note_*). */
#include <stdlib.h>
#include <string.h>
#include <linux/virtio_ids.h>
#include "kvm/control.h"
#include "kvm/ctl_msg.h"
#include "kvm/json.h"
#include "kvm/snapshot.h"
#include "kvm/vm.h"
#include "pci/hotslot.h"
#include "virtio/blk.h"

#define ERR_LEN		512

/* The next free N of virtio-blkN. */
static int next_index(struct vm *vm)
{
	struct virtio_dev *v = NULL;
	int n = 0;

	while ((v = virtio_dev_next(vm, VIRTIO_ID_BLOCK, v)))
		n = MAX(n, ((struct blk_dev *)v->priv)->index + 1);
	return n;
}

/* The disk of spec (its path, or "portN"), or NULL. */
struct blk_dev *blk_hot_find(struct vm *vm, const char *spec)
{
	struct virtio_dev *v = NULL;
	struct blk_dev *b;
	char *end;
	long port = -1;

	if (!strncmp(spec, "port", 4)) {
		port = strtol(spec + 4, &end, 10);
		if (end == spec + 4 || *end || port < 0)
			port = -1;
	}
	while ((v = virtio_dev_next(vm, VIRTIO_ID_BLOCK, v))) {
		b = v->priv;
		if (!strcmp(b->path, spec) ||
		    (port >= 0 && pci_dev_port(&v->pci) == port))
			return b;
	}
	return NULL;
}

/* Sets the disk up from the client's fd and starts it behind a port,
 * vCPUs parked: the disk, or NULL with err (nothing left behind). */
static struct blk_dev *add_disk(struct vm *vm, struct ctl_job *job,
				char *err, size_t errlen)
{
	struct blk_dev *b;
	char *path;
	bool ro, held;
	int port, fd, r;

	if (blk_parse(job->req->dev, &path, &ro, &port, err, errlen))
		return NULL;
	port = pci_port_pick(vm->pci, port, err, errlen);
	b = NULL;
	if (port >= 0 && job->nfds < 1)
		set_err(err, errlen, "%s: the request came without the image's "
			"fd (lkvm disk add opens it and passes it)", path);
	else if (port >= 0 && !(b = calloc(1, sizeof(*b))))
		set_err(err, errlen, "out of memory");
	if (!b) {
		free(path);
		return NULL;
	}
	fd = job->fds[0];
	job->fds[0] = -1;
	r = blk_setup_fd(b, vm, path, fd, ro, next_index(vm), err, errlen);
	free(path);
	if (r) {
		free(b);
		return NULL;
	}
	b->v.pci.hot = true;
	b->v.pci.want_port = port + 1;
	if (!hot_hold_vcpus(vm, &held, err, errlen)) {
		virtio_dev_destroy(&b->v);
		return NULL;
	}
	if (virtio_dev_start(&b->v))	/* destroys b on failure */
		b = NULL;
	hot_release_vcpus(vm, held);
	if (!b)
		set_err(err, errlen, "the disk could not be added (see the "
			"VM's log); nothing was left behind");
	return b;
}

/* Snapshots and migrations record the disk as --disk PATH[,ro],port=N
 * (restored cold-plugged behind its port). */
static void note_added(struct vm *vm, const struct blk_dev *b, int port)
{
	char val[CTL_DEV_MAX + 32];

	if (snprintf(val, sizeof(val), "%s%s,port=%d", b->path,
		     b->ro ? ",ro" : "", port) < (int)sizeof(val)) {
		snap_note_added(vm, "--disk", val);
		return;
	}
	pr_warn("disk '%s': its --disk option does not fit: snapshots and "
		"migrations are refused", b->path);
	vm->args.lost = true;
}

/* A --disk value names PATH: its image, the part before any option. */
static bool names_disk(const char *val, void *path)
{
	size_t n = strcspn(val, ",");

	return n == strlen(path) && !strncmp(val, path, n);
}

static void do_add(struct vm *vm, struct ctl_job *job)
{
	char err[ERR_LEN];
	struct blk_dev *b = add_disk(vm, job, err, sizeof(err));
	int port;

	if (!b) {
		ctl_put_error(job->out, "%s", err);
		return;
	}
	port = pci_dev_port(&b->v.pci);
	pr_info("%s: disk '%s'%s added behind root port %d (lkvm disk add)",
		b->name, b->path, b->ro ? " (read-only)" : "", port);
	note_added(vm, b, port);
	control_event(job->ctl, "device-added", b->path);
	ctl_put_ok(job->out, CTL_DISK_ADD);
	fputs(", ", job->out);
	json_put_kv(job->out, "disk", b->path);
	fputs(", ", job->out);
	json_put_kv(job->out, "device", b->name);
	fprintf(job->out, ", \"port\": %d", port);
	ctl_put_end(job->out);
}

/* The guest lets the disk go (or --force), then it goes, vCPUs parked:
 * its I/O thread stops, the image is flushed, unlocked and closed. */
static int remove_disk(struct vm *vm, const struct ctl_req *r,
		       const char **how, char *path, size_t len, char *err,
		       size_t errlen)
{
	struct blk_dev *b = blk_hot_find(vm, r->dev);
	bool held;
	int port;

	if (!b)
		return set_err(err, errlen, "%s: no such disk in this VM (give "
			       "its image's path or portN)", r->dev);
	port = pci_dev_port(&b->v.pci);
	if (port < 0)
		return set_err(err, errlen, "disk '%s' is on bus 0, not behind "
			       "a hotplug root port (lkvm disk add, --disk "
			       "...,port=N): it stays until the VM stops",
			       b->path);
	snprintf(path, len, "%s", b->path);
	if (hot_eject(vm, port, r->force, r->timeout_ms, path, how, err, errlen) ||
	    !hot_hold_vcpus(vm, &held, err, errlen))
		return -1;
	pci_port_unplug(vm, port);
	virtio_dev_destroy(&b->v);
	hot_release_vcpus(vm, held);
	pr_info("disk '%s': removed from root port %d (%s), released", path,
		port, *how);
	snap_note_removed(vm, "--disk", names_disk, path, path);
	return 0;
}

static void do_remove(struct vm *vm, struct ctl_job *job)
{
	char err[ERR_LEN], path[CTL_DEV_MAX];
	const char *how = "";

	if (remove_disk(vm, job->req, &how, path, sizeof(path), err,
			sizeof(err))) {
		ctl_put_error(job->out, "%s", err);
		return;
	}
	control_event(job->ctl, "device-removed", path);
	ctl_put_ok(job->out, CTL_DISK_REMOVE);
	fputs(", ", job->out);
	json_put_kv(job->out, "disk", path);
	fputs(", ", job->out);
	json_put_kv(job->out, "how", how);
	ctl_put_end(job->out);
}

void blk_hot_job(struct vm *vm, struct ctl_job *job)
{
	if (job->req->cmd == CTL_DISK_ADD)
		do_add(vm, job);
	else
		do_remove(vm, job);
}
