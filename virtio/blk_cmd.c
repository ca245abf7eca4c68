/* `lkvm disk add|remove`, the client side: add opens the image here (as
 * --disk would: read-write, or read-only with ,ro) and passes its fd with
 * the request, so the confined VM opens nothing; remove names the disk by
 * its image's path or its root port and reports how it went. */
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "kvm/control.h"
#include "kvm/ctl_msg.h"
#include "pci/hotslot.h"
#include "virtio/blk.h"


static const char disk_usage[] =
"usage: lkvm disk add [--name <vm>] <image>[,ro][,port=N]\n"
"       lkvm disk remove [--name <vm>] [--force] [--timeout <s>] "
"<image>|port<N>\n"
"  add: a virtio-blk disk for the running VM, behind a free hotplug root\n"
"  port (--hotplug-slots; port=N picks one). lkvm opens the image here\n"
"  (read-write, or read-only with ,ro) and passes it; the VM locks it.\n"
"  remove: presses its slot's attention button and waits up to --timeout\n"
"  seconds (default 10) for the guest to power the slot off, then flushes,\n"
"  unlocks and closes the image. --force: a surprise removal at once\n";

struct disk_args {
	struct ctl_req r;
	long timeout;
};

static int disk_opt(void *arg, int val, const char *optarg)
{
	struct disk_args *a = arg;

	if (val == 'f') {
		a->r.force = true;
		return 0;
	}
	return hot_parse_timeout(optarg, &a->timeout);
}

/* The image's absolute path with the options after it ("p,ro,port=1"):
 * resolved if it exists, else under the current directory. */
static int abs_spec(const char *arg, char *out, size_t len, char *err,
		    size_t errlen)
{
	const char *opts = strchr(arg, ',');
	char *path, *real, cwd[PATH_MAX + 1] = "";
	int n;

	path = strndup(arg, opts ? (size_t)(opts - arg) : strlen(arg));
	real = path ? realpath(path, NULL) : NULL;
	if (!real && path && *path != '/' && getcwd(cwd, PATH_MAX))
		strcat(cwd, "/");
	n = snprintf(out, len, "%s%s%s", real ? "" : cwd,
		     real ? real : path ? path : "", opts ? opts : "");
	free(real);
	free(path);
	if (n < 0 || (size_t)n >= len)
		return set_err(err, errlen, "'%s': too long (at most %zu bytes "
			       "with its path made absolute)", arg, len - 1);
	return 0;
}

/* Parses the command line into r (and *name); -1 to go on, else the exit
 * status. Pure but for realpath(3). */
int blk_cmd_args(bool add, int argc, char **argv, struct ctl_req *r,
		 const char **name)
{
	static const struct option add_opts[] = { { 0 } };
	static const struct option rm_opts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "timeout", required_argument, NULL, 't' }, { 0 }
	};
	struct disk_args a = { .timeout = HOT_REMOVE_DEF_S };
	struct ctl_opts o = {
		.cmd = add ? "lkvm disk add" : "lkvm disk remove",
		.usage = disk_usage, .extra = add ? add_opts : rm_opts,
		.opt = disk_opt, .arg = &a,
	};
	char err[CTL_DEV_MAX + 64];
	int st = control_parse_opts(&o, argc, argv);

	if (st >= 0)
		return st;
	if (optind != argc - 1) {
		fprintf(stderr, "%s: give one disk%s\n%s", o.cmd,
			optind < argc - 1 ? ", not more" : "", o.usage);
		return 2;
	}
	*r = a.r;
	r->cmd = add ? CTL_DISK_ADD : CTL_DISK_REMOVE;
	if (!strncmp(argv[optind], "port", 4) && !add)
		snprintf(r->dev, sizeof(r->dev), "%s", argv[optind]);
	else if (abs_spec(argv[optind], r->dev, sizeof(r->dev), err,
			  sizeof(err))) {
		fprintf(stderr, "%s: %s\n", o.cmd, err);
		return 2;
	}
	if (!add)
		r->timeout_ms = (u32)a.timeout * 1000;
	*name = o.name;
	return -1;
}

static int answer_port(const char *ans)
{
	const char *p = strstr(ans, "\"port\": ");

	return p ? atoi(p + 8) : -1;
}

static int cmd_add(int argc, char **argv)
{
	char err[CTL_DEV_MAX + 128], dev[24], *path, *ans;
	const char *name;
	struct ctl_req r;
	int st, fd, port;
	bool ro;

	st = blk_cmd_args(true, argc, argv, &r, &name);
	if (st >= 0)
		return st;
	if (blk_parse(r.dev, &path, &ro, &port, err, sizeof(err))) {
		fprintf(stderr, "lkvm disk add: %s\n", err);
		return 2;
	}
	fd = blk_open_image(path, ro, err, sizeof(err));
	if (fd < 0) {
		fprintf(stderr, "lkvm disk add: %s\n", err);
		free(path);
		return 1;
	}
	st = control_request("lkvm disk add", name, &r, &fd, 1, HOT_ADD_SECS,
			     &ans);
	close(fd);	/* the VM holds it now, or nothing does */
	if (!st) {
		if (control_answer_str(ans, "device", dev, sizeof(dev)))
			dev[0] = 0;
		printf("disk %s%s added behind root port %d (%s): the guest's "
		       "pciehp powers the slot on\n", path, ro ?
		       " (read-only)" : "", answer_port(ans), dev);
		free(ans);
	}
	free(path);
	return st;
}

static int cmd_remove(int argc, char **argv)
{
	char *ans, how[16], disk[CTL_DEV_MAX];
	const char *name;
	struct ctl_req r;
	int st;

	st = blk_cmd_args(false, argc, argv, &r, &name);
	if (st >= 0)
		return st;
	st = control_request("lkvm disk remove", name, &r, NULL, 0,
			     r.timeout_ms / 1000 + HOT_ADD_SECS, &ans);
	if (st)
		return st;
	if (control_answer_str(ans, "how", how, sizeof(how)))
		how[0] = 0;
	if (control_answer_str(ans, "disk", disk, sizeof(disk)))
		snprintf(disk, sizeof(disk), "%s", r.dev);
	printf("disk %s removed (%s); its image is flushed, unlocked and "
	       "closed\n", disk, !strcmp(how, "surprise") ?
	       "surprise removal: --force" : !strcmp(how, "ejected") ?
	       "the guest powered its slot off" : "its slot was off");
	free(ans);
	return 0;
}

int blk_cmd(int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : "";

	if (!strcmp(sub, "add"))
		return cmd_add(argc - 1, argv + 1);
	if (!strcmp(sub, "remove"))
		return cmd_remove(argc - 1, argv + 1);
	if (!strcmp(sub, "--help") || !strcmp(sub, "help"))
		return fputs(disk_usage, stdout), 0;
	fputs(disk_usage, stderr);
	return 2;
}
