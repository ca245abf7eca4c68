/* Saving a paused VM into a snapshot's files and building a VM back from
 * them (include/kvm/snapshot.h): the state file through every owner in
 * order, guest RAM as a sparse file, and the manifest `--restore` reads. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "kvm/control.h"
#include "kvm/ctl_msg.h"
#include "kvm/snapshot.h"
#include "kvm/vm.h"
#include "lkvm/version.h"

#define ZERO_CHUNK	4096	/* RAM is written in runs of non-zero chunks */

static bool arch_can_snapshot(void)
{
	const struct snap_owner *o;

	for (o = snap_owner_first(); o; o = o->next)
		if (o->order == SNAP_ORDER_VCPU)
			return true;
	return false;
}

int snap_check_all(struct vm *vm, char *err, size_t errlen)
{
	const struct snap_owner *o;

	if (!arch_can_snapshot())
		return set_err(err, errlen, "snapshots are not supported on %s "
			       "yet", SNAP_ARCH);
	if (vm->args.lost)
		return set_err(err, errlen, "a device added or removed at run "
			       "time could not be recorded in the VM's run "
			       "arguments (see the VM's log): a snapshot or "
			       "migration would rebuild other devices");
	for (o = snap_owner_first(); o; o = o->next)
		if (o->check && o->check(vm, err, errlen))
			return -1;
	return 0;
}

/* The VM's recorded arguments, copied from its command line at the first
 * change; NULL (lost set) when they could not be. */
static struct snap_args *args_to_change(struct vm *vm)
{
	if (vm->args.lost)
		return NULL;
	if (vm->args.argc)
		return &vm->args;
	if (!snap_args_init(&vm->args, vm->cfg->argc, vm->cfg->argv))
		return &vm->args;
	vm->args.lost = true;
	return NULL;
}

void snap_note_added(struct vm *vm, const char *opt, const char *val)
{
	struct snap_args *a = args_to_change(vm);

	if (a && !snap_args_add(a, opt, val))
		return;
	pr_warn("%s %s: not recorded in the run arguments (more than %d, or "
		"out of memory): snapshots and migrations are refused", opt,
		val, SNAP_MAX_ARGS);
	vm->args.lost = true;
}

void snap_note_removed(struct vm *vm, const char *opt,
		       bool (*match)(const char *val, void *arg), void *arg,
		       const char *what)
{
	struct snap_args *a = args_to_change(vm);

	if (a && !snap_args_drop(a, opt, match, arg))
		return;
	pr_warn("%s: its %s option could not be taken out of the run "
		"arguments: snapshots and migrations are refused", what, opt);
	vm->args.lost = true;
}

int snap_put_manifest(struct vm *vm, struct sbuf *b, char *err,
		      size_t errlen)
{
	struct snap_manifest m = {
		.format = SNAP_FORMAT,
		.page_size = sysconf(_SC_PAGESIZE),
		.ram_size = vm->ram_size,
		.nr_cpus = vm->nr_cpus,
	};
	const int argc = vm->args.argc ? vm->args.argc : vm->cfg->argc;
	char *const *argv = vm->args.argc ? vm->args.argv : vm->cfg->argv;
	int i;

	snprintf(m.arch, sizeof(m.arch), "%s", SNAP_ARCH);
	snprintf(m.version, sizeof(m.version), "%s", LKVM_VERSION);
	if (argc > SNAP_MAX_ARGS)
		return set_err(err, errlen, "more than %d run arguments",
			       SNAP_MAX_ARGS);
	m.argc = argc;
	for (i = 0; i < m.argc; i++)
		m.argv[i] = argv[i];
	return snap_manifest_put(b, &m, err, errlen);
}

/* The manifest, then every owner's save (state) or hello section. */
static int build_stream(struct vm *vm, struct sbuf *b, bool hello, char *err,
			size_t errlen)
{
	const struct snap_owner *o;
	int (*fn)(struct vm *, struct sbuf *, char *, size_t);

	snap_begin(b);
	if (snap_put_manifest(vm, b, err, errlen))
		return -1;
	for (o = snap_owner_first(); o; o = o->next) {
		fn = hello ? o->hello : o->save;
		if (fn && fn(vm, b, err, errlen))
			return -1;
	}
	snap_end(b);
	if (b->oom)
		return set_err(err, errlen, "out of memory building the %s",
			       hello ? "hello" : "state");
	return 0;
}

int snap_build_state(struct vm *vm, struct sbuf *b, char *err,
		     size_t errlen)
{
	return build_stream(vm, b, false, err, errlen);
}

int snap_build_hello(struct vm *vm, struct sbuf *b, char *err,
		     size_t errlen)
{
	return build_stream(vm, b, true, err, errlen);
}

/* A state stream opened at its first section after the manifest (which
 * the caller has read and checked already). */
static int open_past_manifest(struct sreader *r, const void *buf, size_t len,
			      char *err, size_t errlen)
{
	struct snap_sec s;

	if (snap_open(r, buf, len, err, errlen) ||
	    snap_next(r, &s, err, errlen) != 1)
		return -1;
	return 0;
}

int snap_check_hello(struct vm *vm, const void *buf, size_t len, char *err,
		     size_t errlen)
{
	const struct snap_owner *o;
	struct sreader r;
	struct snap_sec s;
	int rc;

	if (open_past_manifest(&r, buf, len, err, errlen))
		return -1;
	while ((rc = snap_next(&r, &s, err, errlen)) == 1) {
		o = snap_owner_find(s.type);
		if (!o || !o->hello_check)
			return set_err(err, errlen, "the hello's section '%s' "
				       "is not known to this lkvm", s.type);
		if (o->hello_check(vm, &s, err, errlen))
			return -1;
	}
	return rc;
}

static int write_all(int fd, const void *p, size_t len, u64 off)
{
	ssize_t n;

	while (len) {
		n = pwrite(fd, p, len, off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		p = (const u8 *)p + n;
		len -= n;
		off += n;
	}
	return 0;
}

/* Guest RAM into fd: only runs of non-zero chunks are written, the rest
 * stays a hole. Returns 0 or -errno. */
static int write_ram(struct vm *vm, int fd)
{
	u64 off = 0, start;
	int r;

	if (ftruncate(fd, 0) || ftruncate(fd, vm->ram_size))
		return -errno;
	while (off < vm->ram_size) {
		while (off < vm->ram_size && snap_zero(vm->ram + off, ZERO_CHUNK))
			off += ZERO_CHUNK;
		start = off;
		while (off < vm->ram_size && !snap_zero(vm->ram + off, ZERO_CHUNK))
			off += ZERO_CHUNK;
		if (off == start)
			continue;
		r = write_all(fd, vm->ram + start, off - start, start);
		if (r)
			return r;
	}
	return 0;
}

int snap_save(struct vm *vm, int state_fd, int ram_fd, char *err,
	      size_t errlen)
{
	struct sbuf b = { 0 };
	int r;

	if (snap_build_state(vm, &b, err, errlen)) {
		sb_free(&b);
		return -1;
	}
	if (ftruncate(state_fd, 0))
		r = -errno;
	else
		r = write_all(state_fd, b.p, b.len, 0);
	sb_free(&b);
	if (r)
		return set_err(err, errlen, "writing the state file: %s",
			       strerror(-r));
	r = write_ram(vm, ram_fd);
	if (r)
		return set_err(err, errlen, "writing the RAM file: %s",
			       strerror(-r));
	return 0;
}

void snap_resume_owners(struct vm *vm)
{
	const struct snap_owner *o;

	for (o = snap_owner_first(); o; o = o->next)
		if (o->resume)
			o->resume(vm);
}

int snap_quiesce_all(struct vm *vm, char *err, size_t errlen)
{
	const struct snap_owner *o;

	for (o = snap_owner_first(); o; o = o->next)
		if (o->quiesce && o->quiesce(vm, err, errlen))
			return -1;	/* snap_take resumes them all */
	return 0;
}

int snap_take(struct vm *vm, int state_fd, int ram_fd, bool stop, char *err,
	      size_t errlen)
{
	u64 t0 = now_ns();
	int r;

	if (snap_check_all(vm, err, errlen))
		return -1;
	if (!vcpus_paused(vm) && vcpus_pause(vm, SNAP_PAUSE_MS))
		return set_err(err, errlen, "a vCPU did not stop within %d ms; "
			       "nothing was saved", SNAP_PAUSE_MS);
	r = snap_quiesce_all(vm, err, errlen);
	if (!r)
		r = snap_save(vm, state_fd, ram_fd, err, errlen);
	pr_debug("snapshot: %s in %.1f ms", r ? "failed" : "saved",
		 (now_ns() - t0) / 1e6);
	if (!r && stop) {
		vm_request_exit(vm, VM_POWEROFF);
		return 0;
	}
	snap_resume_owners(vm);
	if (!vm->user_paused)
		vcpus_resume(vm);
	return r;
}

/* ---- restore ---- */

static int read_state(const char *dir, void **buf, size_t *len, char *err,
		      size_t errlen)
{
	char path[4096];
	int r;

	snprintf(path, sizeof(path), "%s/%s", dir, SNAP_STATE_FILE);
	r = read_whole_file(path, SNAP_MAX_STATE, buf, len);
	if (r)
		return set_err(err, errlen, "%s: %s", path, r == -EFBIG ?
			       "larger than a snapshot's state can be" :
			       strerror(-r));
	return 0;
}

int snap_read_manifest(const char *dir, struct snap_manifest *m, char *err,
		       size_t errlen)
{
	struct sreader r;
	struct snap_sec s;
	size_t len;
	void *buf;
	int rc = -1;

	if (read_state(dir, &buf, &len, err, errlen))
		return -1;
	if (snap_open(&r, buf, len, err, errlen))
		goto out;
	if (snap_next(&r, &s, err, errlen) != 1) {
		set_err(err, errlen, "no manifest");
		goto out;
	}
	if (snap_manifest_parse(&s, m, err, errlen))
		goto out;
	rc = snap_manifest_check(m, SNAP_ARCH, sysconf(_SC_PAGESIZE), err,
				 errlen);
	if (rc)
		snap_manifest_free(m);
out:
	free(buf);
	return rc;
}

int snap_open_ram(const char *dir, char *err, size_t errlen)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, SNAP_RAM_FILE);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return set_err(err, errlen, "%s: %s", path, strerror(errno));
	return fd;
}

static int load_one(struct vm *vm, const struct snap_sec *s, char *err,
		    size_t errlen)
{
	const struct snap_owner *o = snap_owner_find(s->type);

	if (!o)
		return set_err(err, errlen, "section '%s' (version %u) is not "
			       "known to this lkvm: the snapshot comes from a "
			       "newer or other build", s->type, s->ver);
	if (s->ver > o->version)
		return set_err(err, errlen, "section '%s' has version %u; this "
			       "lkvm reads up to %u", s->type, s->ver, o->version);
	return o->load(vm, s, err, errlen);
}

/* Every section is checked (framing, CRCs, known types) before the first
 * is loaded, so that a damaged file changes nothing. */
static int load_sections(struct vm *vm, const void *buf, size_t len,
			 bool apply, char *err, size_t errlen)
{
	struct sreader r;
	struct snap_sec s;
	int rc;

	if (open_past_manifest(&r, buf, len, err, errlen))
		return -1;
	while ((rc = snap_next(&r, &s, err, errlen)) == 1) {
		if (!apply && !snap_owner_find(s.type))
			return load_one(vm, &s, err, errlen);
		if (apply && load_one(vm, &s, err, errlen))
			return -1;
	}
	return rc;
}

int snap_load_state(struct vm *vm, const void *buf, size_t len, char *err,
		    size_t errlen)
{
	if (load_sections(vm, buf, len, false, err, errlen))
		return -1;
	return load_sections(vm, buf, len, true, err, errlen);
}

int snap_restore(struct vm *vm, const char *dir, char *err, size_t errlen)
{
	u64 t0 = now_ns();
	size_t len;
	void *buf;
	int rc;

	if (read_state(dir, &buf, &len, err, errlen))
		return -1;
	rc = snap_load_state(vm, buf, len, err, errlen);
	free(buf);
	pr_debug("restore: state loaded in %.1f ms", (now_ns() - t0) / 1e6);
	return rc;
}

/* ---- the control socket's requests (main thread) ---- */

static void put_state(FILE *out, enum ctl_cmd cmd, const char *state,
		      bool already)
{
	ctl_put_ok(out, cmd);
	fprintf(out, ", \"state\": \"%s\", \"changed\": %s", state,
		already ? "false" : "true");
	ctl_put_end(out);
}

static void do_pause(struct vm *vm, FILE *out)
{
	if (vm->user_paused) {
		put_state(out, CTL_PAUSE, "paused", true);
		return;
	}
	if (vcpus_pause(vm, SNAP_PAUSE_MS)) {
		ctl_put_error(out, "a vCPU did not stop within %d ms; the VM "
			      "runs on", SNAP_PAUSE_MS);
		return;
	}
	vm->user_paused = true;
	put_state(out, CTL_PAUSE, "paused", false);
}

static void do_resume(struct vm *vm, FILE *out)
{
	if (!vm->user_paused) {
		put_state(out, CTL_RESUME, "running", true);
		return;
	}
	vm->user_paused = false;
	vcpus_resume(vm);
	put_state(out, CTL_RESUME, "running", false);
}

static void do_snapshot(struct vm *vm, struct ctl_job *job, bool stop)
{
	char err[512];

	if (job->nfds != 2) {
		ctl_put_error(job->out, "a snapshot request passes two files "
			      "(state, RAM); got %d", job->nfds);
		return;
	}
	if (snap_take(vm, job->fds[0], job->fds[1], stop, err, sizeof(err))) {
		ctl_put_error(job->out, "%s", err);
		return;
	}
	ctl_put_ok(job->out, CTL_SNAPSHOT);
	fprintf(job->out, ", \"saved\": true, \"stopping\": %s",
		stop ? "true" : "false");
	ctl_put_end(job->out);
}

void snap_control(struct vm *vm, struct ctl_job *job)
{
	if (job->req->cmd == CTL_PAUSE)
		do_pause(vm, job->out);
	else if (job->req->cmd == CTL_RESUME)
		do_resume(vm, job->out);
	else if (job->req->cmd == CTL_SNAPSHOT)
		do_snapshot(vm, job, job->req->stop);
	else
		ctl_put_error(job->out, "unknown request '%s'",
			      ctl_cmd_name(job->req->cmd));
}
