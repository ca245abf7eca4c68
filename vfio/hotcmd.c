/* `lkvm vfio add|remove`, the client side: add checks the device on the
 * host as --vfio would, opens it (its cdev and /dev/iommu, or its IOMMU
 * group and /dev/vfio/vfio) and passes the fds with the request, so the
 * confined VM opens nothing; remove asks for the guest's orderly removal
 * (or a surprise one) and reports how it went. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "kvm/control.h"
#include "kvm/ctl_msg.h"
#include "pci/hotslot.h"
#include "vfio/doctor.h"
#include "vfio/vfio.h"


static const char add_usage[] =
"usage: lkvm vfio add [--name <vm>] [--vm-opens] <BDF|UUID|path>[,opts]\n"
"  assigns a host device (bound to vfio-pci) to the running VM, behind a\n"
"  free hotplug root port (--hotplug-slots; port=N picks one); options as\n"
"  for --vfio. lkvm opens the device here and passes it to the VM.\n"
"  --vm-opens: the VM opens it itself (a VM run with --seccomp=off)\n";

static const char remove_usage[] =
"usage: lkvm vfio remove [--name <vm>] [--force] [--timeout <s>] <dev>\n"
"  takes an assigned device behind a root port back: presses its slot's\n"
"  attention button and waits up to --timeout seconds (default 10) for\n"
"  the guest to power the slot off, then releases the device (reset).\n"
"  --force: a surprise removal at once\n";

struct hot_args {
	struct ctl_req r;
	bool vm_opens;
	long timeout;
};

static int hot_opt(void *arg, int val, const char *optarg)
{
	struct hot_args *a = arg;

	if (val == 'o')
		a->vm_opens = true;
	else if (val == 'f')
		a->r.force = true;
	else if (val == 't')
		return hot_parse_timeout(optarg, &a->timeout);
	return 0;
}

int vfio_hot_args(bool add, int argc, char **argv, struct ctl_req *r,
		  bool *vm_opens, const char **name)
{
	static const struct option add_opts[] = {
		{ "vm-opens", no_argument, NULL, 'o' }, { 0 }
	};
	static const struct option rm_opts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "timeout", required_argument, NULL, 't' }, { 0 }
	};
	struct hot_args a = { .timeout = HOT_REMOVE_DEF_S };
	struct ctl_opts o = {
		.cmd = add ? "lkvm vfio add" : "lkvm vfio remove",
		.usage = add ? add_usage : remove_usage,
		.extra = add ? add_opts : rm_opts, .opt = hot_opt, .arg = &a,
	};
	int st = control_parse_opts(&o, argc, argv);

	if (st >= 0)
		return st;
	if (optind != argc - 1 || strlen(argv[optind]) >= CTL_DEV_MAX) {
		fprintf(stderr, "%s: give one device%s\n%s", o.cmd,
			optind < argc - 1 ? ", not more" : "", o.usage);
		return 2;
	}
	*r = a.r;
	r->cmd = add ? CTL_VFIO_ADD : CTL_VFIO_REMOVE;
	snprintf(r->dev, sizeof(r->dev), "%s", argv[optind]);
	if (!add)
		r->timeout_ms = (u32)a.timeout * 1000;
	*vm_opens = a.vm_opens;
	*name = o.name;
	return -1;
}

static int open_dev(const char *path, const char *what, char *err,
		    size_t errlen)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		set_err(err, errlen, "%s: cannot open %s: %s%s", what, path,
			strerror(errno), errno == EACCES || errno == EPERM ?
			" (run as root or give your user access to it)" : "");
	return fd;
}

/* The cdev and /dev/iommu: 1 done, 0 use the group, -1 error. */
static int resolve_cdev(const struct vfio_spec *sp, struct ctl_req *r,
			int *fds, char *err, size_t errlen)
{
	char why[VFIO_ERR_LEN], path[64];

	if (sp->iommu == VFIO_IOMMU_LEGACY)
		return 0;
	if (vfio_cdev_find(&vfio_seam_real, sp, r->cdev, sizeof(r->cdev), why,
			   sizeof(why)) != 1 || access("/dev/iommu", F_OK)) {
		r->cdev[0] = 0;
		if (sp->iommu == VFIO_IOMMU_AUTO)
			return 0;
		return set_err(err, errlen, "%s: iommu=iommufd: no VFIO cdev "
			       "or no /dev/iommu", sp->name);
	}
	fds[0] = open_dev("/dev/iommu", sp->name, err, errlen);
	snprintf(path, sizeof(path), "/dev/vfio/devices/%s", r->cdev);
	fds[1] = fds[0] < 0 ? -1 : open_dev(path, sp->name, err, errlen);
	return fds[1] < 0 ? -1 : 1;
}

/* The group and the container; a group the VM holds already (busy) goes
 * without its fd. */
static int resolve_group(const struct vfio_spec *sp, int gid,
			 struct ctl_req *r, int *fds, char *err, size_t errlen)
{
	char path[64];

	fds[0] = open_dev("/dev/vfio/vfio", sp->name, err, errlen);
	if (fds[0] < 0)
		return -1;
	snprintf(path, sizeof(path), "/dev/vfio/%d", gid);
	fds[1] = open(path, O_RDWR | O_CLOEXEC);
	if (fds[1] < 0 && errno != EBUSY)
		return set_err(err, errlen, "%s: cannot open %s: %s",
			       sp->name, path, strerror(errno));
	r->has_group = true;
	r->group = (u32)gid;
	return 0;
}

/* Checks the device as --vfio does and opens it: the fds to pass (*nfds). */
static int resolve(struct ctl_req *r, int *fds, int *nfds, char *err,
		   size_t errlen)
{
	const struct vfio_seam_ops *host = &vfio_seam_real;
	struct vfio_spec sp;
	int gid, c;

	if (vfio_spec_parse(r->dev, &sp, err, errlen))
		return -1;
	if (sp.has_fd)
		return set_err(err, errlen, "fd= is for lkvm run");
	if (sp.mdev ? vfio_host_check_mdev(host, &sp, &gid, err, errlen) :
	    vfio_host_check_device(host, sp.name, &gid, err, errlen))
		return -1;
	c = resolve_cdev(&sp, r, fds, err, errlen);
	if (c < 0)
		return -1;
	if (!c && resolve_group(&sp, gid, r, fds, err, errlen))
		return -1;
	*nfds = fds[1] >= 0 ? 2 : 1;
	return 0;
}

static int answer_int(const char *ans, const char *key)
{
	char pat[32];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\": ", key);
	p = strstr(ans, pat);
	return p ? atoi(p + strlen(pat)) : -1;
}

static int cmd_add(int argc, char **argv)
{
	struct ctl_req r;
	const char *name;
	char err[VFIO_ERR_LEN], *ans, dev[CTL_DEV_MAX];
	int fds[2] = { -1, -1 }, nfds = 0, st;
	bool vm_opens;

	st = vfio_hot_args(true, argc, argv, &r, &vm_opens, &name);
	if (st >= 0)
		return st;
	if (!vm_opens && resolve(&r, fds, &nfds, err, sizeof(err))) {
		fprintf(stderr, "lkvm vfio add: %s\n", err);
		st = 1;
		goto out;
	}
	st = control_request("lkvm vfio add", name, &r, fds, nfds, HOT_ADD_SECS,
			     &ans);
	if (st)
		goto out;
	if (control_answer_str(ans, "device", dev, sizeof(dev)))
		snprintf(dev, sizeof(dev), "%s", r.dev);
	printf("%s added behind root port %d: the guest's pciehp powers the "
	       "slot on\n", dev, answer_int(ans, "port"));
	free(ans);
out:
	if (fds[0] >= 0)
		close(fds[0]);
	if (fds[1] >= 0)
		close(fds[1]);
	return st;
}

static int cmd_remove(int argc, char **argv)
{
	struct ctl_req r;
	const char *name;
	char *ans, how[16];
	bool unused;
	int st;

	st = vfio_hot_args(false, argc, argv, &r, &unused, &name);
	if (st >= 0)
		return st;
	st = control_request("lkvm vfio remove", name, &r, NULL, 0,
			     r.timeout_ms / 1000 + HOT_ADD_SECS, &ans);
	if (st)
		return st;
	if (control_answer_str(ans, "how", how, sizeof(how)))
		how[0] = 0;
	printf("%s removed (%s) and released\n", r.dev,
	       !strcmp(how, "surprise") ? "surprise removal: --force" :
	       !strcmp(how, "ejected") ? "the guest powered its slot off" :
	       "its slot was off");
	free(ans);
	return 0;
}

int vfio_cmd_hotplug(int argc, char **argv)
{
	if (!strcmp(argv[0], "add"))
		return cmd_add(argc, argv);
	return cmd_remove(argc, argv);
}
