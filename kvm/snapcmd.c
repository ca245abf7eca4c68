/* `lkvm pause`, `lkvm resume` and `lkvm snapshot`: the client side. The
 * snapshot's directory and files are created here and passed to the VM
 * with the request, so the VM's process never opens a file for writing;
 * on any failure what was created is removed again. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "kvm/control.h"
#include "kvm/ctl_msg.h"
#include "kvm/snapshot.h"

#define PAUSE_SECS	10
#define SNAPSHOT_SECS	600	/* a large guest's RAM takes a while */

static const char pause_usage[] =
"usage: lkvm pause|resume [--name <name>]\n"
"  pause: stop every vCPU of the VM (its devices keep their state);\n"
"  resume: let them run again. --name: the VM (default: the only one)\n";

static const char snap_usage[] =
"usage: lkvm snapshot [--name <name>] [--stop] <dir>\n"
"  saves the VM into <dir> (created; it must not exist): the VM pauses,\n"
"  is saved, then runs on, or with --stop ends with status 0.\n"
"  Restore with: lkvm run --restore <dir> [device options]\n";

/* --stop of `lkvm snapshot` */
static int snap_opt(void *arg, int val, const char *optarg)
{
	((struct ctl_req *)arg)->stop = true;
	return 0;
}

int lkvm_cmd_pause(int argc, char **argv)
{
	bool resume = !strcmp(argv[0], "resume");
	struct ctl_req req = { .cmd = resume ? CTL_RESUME : CTL_PAUSE };
	struct ctl_opts o = { .cmd = resume ? "lkvm resume" : "lkvm pause",
			      .usage = pause_usage };
	char *ans;
	int r;

	r = control_parse_opts(&o, argc, argv);
	if (r >= 0)
		return r;
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\n%s", o.cmd,
			argv[optind], pause_usage);
		return 2;
	}
	if (control_request(o.cmd, o.name, &req, NULL, 0, PAUSE_SECS, &ans))
		return 1;
	free(ans);
	return 0;
}

struct snap_files {
	const char *dir;
	char state[4096], ram[4096];
	int fd[2];
};

static void files_remove(struct snap_files *f)
{
	int i;

	for (i = 0; i < 2; i++)
		if (f->fd[i] >= 0)
			close(f->fd[i]);
	unlink(f->state);
	unlink(f->ram);
	rmdir(f->dir);
}

/* Creates DIR and its two files; 0, or 1 (error printed, nothing left). */
static int files_create(struct snap_files *f)
{
	const char *cmd = "lkvm snapshot";
	struct stat st;
	int i;

	f->fd[0] = f->fd[1] = -1;
	snprintf(f->state, sizeof(f->state), "%s/%s", f->dir, SNAP_STATE_FILE);
	snprintf(f->ram, sizeof(f->ram), "%s/%s", f->dir, SNAP_RAM_FILE);
	if (!lstat(f->dir, &st)) {
		fprintf(stderr, "%s: %s exists; give a directory that does not "
			"exist yet\n", cmd, f->dir);
		return 1;
	}
	if (mkdir(f->dir, 0700)) {
		fprintf(stderr, "%s: cannot create %s: %s\n", cmd, f->dir,
			strerror(errno));
		return 1;
	}
	for (i = 0; i < 2; i++) {
		f->fd[i] = open(i ? f->ram : f->state, O_WRONLY | O_CREAT |
				O_EXCL | O_CLOEXEC, 0600);
		if (f->fd[i] < 0) {
			fprintf(stderr, "%s: cannot create %s: %s\n", cmd,
				i ? f->ram : f->state, strerror(errno));
			files_remove(f);
			return 1;
		}
	}
	return 0;
}

/* The data on disk, or the error printed. */
static int files_sync(struct snap_files *f)
{
	int i;

	for (i = 0; i < 2; i++) {
		if (!fsync(f->fd[i]))
			continue;
		fprintf(stderr, "lkvm snapshot: %s: %s\n", i ? f->ram : f->state,
			strerror(errno));
		return 1;
	}
	return 0;
}

int lkvm_cmd_snapshot(int argc, char **argv)
{
	static const struct option extra[] = {
		{ "stop", no_argument, NULL, 's' },
		{ 0 }
	};
	struct ctl_req req = { .cmd = CTL_SNAPSHOT };
	struct ctl_opts o = { .cmd = "lkvm snapshot", .usage = snap_usage,
			      .extra = extra, .opt = snap_opt, .arg = &req };
	struct snap_files f = { 0 };
	char *ans = NULL;
	int r;

	r = control_parse_opts(&o, argc, argv);
	if (r >= 0)
		return r;
	if (optind + 1 != argc) {
		fprintf(stderr, "lkvm snapshot: give one directory\n%s",
			snap_usage);
		return 2;
	}
	f.dir = argv[optind];
	if (files_create(&f))
		return 1;
	r = control_request(o.cmd, o.name, &req, f.fd, 2, SNAPSHOT_SECS, &ans);
	if (!r)
		r = files_sync(&f);
	free(ans);
	if (r) {
		files_remove(&f);
		return 1;
	}
	close(f.fd[0]);
	close(f.fd[1]);
	return 0;
}
