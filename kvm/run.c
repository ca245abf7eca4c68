/* The `lkvm run` sequence: open KVM, run the init levels, start vCPUs,
 * wait for the guest to stop or a signal, then unwind everything. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <unistd.h>
#include "kvm/control.h"
#include "kvm/json.h"
#include "kvm/run.h"
#include "kvm/seccomp.h"
#include "kvm/migrate.h"
#include "kvm/snapshot.h"
#include "kvm/startup.h"
#include "kvm/term.h"
#include "kvm/vm.h"
#include "pci/pci.h"
#include "vfio/pci.h"

#define VCPU_STOP_MS	1000	/* how long stopping vCPUs may take */

static int exit_status(const struct vm *vm)
{
	switch (vm->exit_reason) {
	case VM_POWEROFF:
	case VM_REBOOT:
		return 0;
	case VM_SIGNAL:
		return 128 + vm->exit_signal;
	case VM_DEBUG_EXIT:
		return ((vm->exit_value << 1) | 1) & 0xff;
	default:
		return 1;
	}
}

/* Why the VM stopped, for the "stopped" event. */
static const char *exit_name(const struct vm *vm)
{
	static const char *const names[] = {
		[VM_POWEROFF] = "poweroff", [VM_REBOOT] = "reboot",
		[VM_SIGNAL] = "signal", [VM_ERROR] = "error",
		[VM_DEBUG_EXIT] = "debug-exit",
	};

	return (u32)vm->exit_reason < ARRAY_SIZE(names) &&
	       names[vm->exit_reason] ? names[vm->exit_reason] : "error";
}

static void wait_for_exit(struct vm *vm, int sfd, struct control *ctl)
{
	struct pollfd p[5] = {
		{ .fd = vm->exit_efd, .events = POLLIN },
		{ .fd = sfd, .events = POLLIN },
		{ .fd = STDIN_FILENO, .events = POLLIN },
		{ .fd = control_job_fd(ctl), .events = POLLIN },
		{ .fd = vfio_eject_fd(vm), .events = POLLIN },
	};
	struct signalfd_siginfo si;

	for (;;) {
		if (poll(p, 5, -1) < 0) {
			if (errno == EINTR)
				continue;
			vm_request_exit(vm, VM_ERROR);
			return;
		}
		if (p[0].revents)
			return;
		if (p[3].revents)
			control_run_job(ctl, vm, ctl_run_job);
		if (p[4].revents) {	/* a device the host asked back */
			pthread_mutex_lock(&vm->ctl_lock);
			vfio_eject_run(vm, ctl);
			pthread_mutex_unlock(&vm->ctl_lock);
		}
		if (p[1].revents && read(sfd, &si, sizeof(si)) == sizeof(si)) {
			vm->exit_signal = si.ssi_signo;
			pr_info("got signal %d, stopping the VM", si.ssi_signo);
			vm_request_exit(vm, VM_SIGNAL);
			return;
		}
		if (p[2].revents) {
			int r = term_read_input();

			if (r < 0)
				p[2].fd = -1;	/* EOF: stop polling stdin */
			if (r > 0) {
				vm->exit_signal = SIGINT;
				vm_request_exit(vm, VM_SIGNAL);
				return;
			}
		}
	}
}

/* Resident memory of lkvm beyond the guest RAM pages the guest touched
 * (getrusage's peak: the main thread is confined here and opens nothing). */
static void report_memory(struct vm *vm)
{
	u64 page = sysconf(_SC_PAGESIZE), resident = 0, rss_kib = 0, i, n;
	struct rusage ru;
	unsigned char *vec;

	if (!getrusage(RUSAGE_SELF, &ru))
		rss_kib = ru.ru_maxrss;
	n = vm->ram_size / page;
	vec = vm->ram ? malloc(n) : NULL;
	if (vec && !mincore(vm->ram, vm->ram_size, vec))
		for (i = 0; i < n; i++)
			resident += vec[i] & 1;
	free(vec);
	pr_debug("memory: peak rss %llu KiB, guest RAM resident %llu KiB, "
		 "VMM overhead %lld KiB", (unsigned long long)rss_kib,
		 (unsigned long long)(resident * page / 1024),
		 (long long)rss_kib - (long long)(resident * page / 1024));
}

static void report_stats(struct vm *vm)
{
	int i;

	for (i = 0; vm->vcpus && i < vm->nr_cpus; i++)
		pr_debug("vcpu%d: %llu exits", i,
			 (unsigned long long)vm->vcpus[i].exits);
	pr_debug("unhandled accesses: %llu port I/O, %llu MMIO",
		 (unsigned long long)vm->pio.unhandled,
		 (unsigned long long)vm->mmio.unhandled);
	report_memory(vm);
}

/* A small text file, NUL-terminated, or NULL. */
static char *read_text(const char *path)
{
	void *buf;
	char *t;
	size_t n;

	if (read_whole_file(path, 1 << 22, &buf, &n))
		return NULL;
	t = realloc(buf, n + 1);
	if (!t) {
		free(buf);
		return NULL;
	}
	t[n] = 0;
	return t;
}

/* --user: who to become, checked before anything is opened. */
static int user_parse(const struct lkvm_config *cfg, struct priv_user *u)
{
	char err[256], *pw, *gr;
	int r;

	memset(u, 0, sizeof(*u));
	if (!cfg->user)
		return 0;
	if (geteuid()) {
		pr_err("--user %s: lkvm runs as uid %u, not root: it can only "
		       "switch users when started as root; drop --user",
		       cfg->user, (unsigned int)geteuid());
		return -1;
	}
	pw = read_text("/etc/passwd");
	gr = read_text("/etc/group");
	r = priv_parse(cfg->user, pw, gr, u, err, sizeof(err));
	free(pw);
	free(gr);
	if (r)
		pr_err("%s", err);
	return r;
}

/* --user: the reaper of the control files (root is needed to remove them
 * from root's directory), started while lkvm has one thread. */
static int user_setup(struct vm *vm, struct control *ctl,
		      const struct priv_user *u)
{
	const char *sock, *lock;

	vm->user = *u;
	if (!u->set || control_files(ctl, &sock, &lock))
		return 0;
	return priv_reaper_start(vm, sock, lock);
}

static int block_signals(sigset_t *old)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, old);
	sigdelset(&set, SIGUSR1);
	return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

/* `lkvm stat --vm`: what every vCPU has done so far. */
static void show_vm(struct vm *vm, FILE *out)
{
	int i;

	fprintf(out, "vm %s: %d vCPUs, %llu MiB\n", vm->name, vm->nr_cpus,
		(unsigned long long)(vm->ram_size / SZ_1M));
	for (i = 0; vm->vcpus && i < vm->nr_cpus; i++)
		fprintf(out, "  vcpu%d exits %llu\n", i, (unsigned long long)
			__atomic_load_n(&vm->vcpus[i].exits, __ATOMIC_RELAXED));
	fprintf(out, "  unhandled pio %llu mmio %llu\n",
		(unsigned long long)vm->pio.unhandled,
		(unsigned long long)vm->mmio.unhandled);
	fprintf(out, "  guest-triggered warnings %llu\n", (unsigned long long)
		__atomic_load_n(&vm->guest_msgs, __ATOMIC_RELAXED));
}

static struct control_stat vm_stat = { .topic = "vm", .show = show_vm };

/* The PCI devices' names, as JSON strings or a comma-separated list. */
struct dev_list {
	FILE *out;
	bool json;
	int n;
};

static int list_dev(struct pci_dev *dev, void *arg)
{
	struct dev_list *l = arg;

	fputs(l->n++ ? "," : "", l->out);
	if (l->json)
		json_put_str(l->out, dev->name);
	else
		fputs(dev->name, l->out);
	return 0;
}

static void show_devices(struct vm *vm, FILE *out, bool json)
{
	struct dev_list l = { out, json, 0 };

	fputs(json ? "[" : "", out);
	pci_each_dev(vm, list_dev, &l);
	fputs(json ? "]" : l.n ? "" : "-", out);
}

static const char *vm_state(struct vm *vm)
{
	return __atomic_load_n(&vm->user_paused, __ATOMIC_RELAXED) ? "paused" :
	       "running";
}

/* `lkvm list`: one line per VM. */
static void show_info(struct vm *vm, FILE *out)
{
	fprintf(out, "%-20s %8d %-8s %4d %8llu  ", vm->name, (int)getpid(),
		vm_state(vm), vm->nr_cpus,
		(unsigned long long)(vm->ram_size / SZ_1M));
	show_devices(vm, out, false);
	putc('\n', out);
}

static void show_info_json(struct vm *vm, FILE *out)
{
	fputs("{\"name\": ", out);
	json_put_str(out, vm->name);
	fprintf(out, ", \"pid\": %d, \"state\": \"%s\", \"cpus\": %d, "
		"\"ram_mib\": %llu, \"devices\": ", (int)getpid(), vm_state(vm),
		vm->nr_cpus, (unsigned long long)(vm->ram_size / SZ_1M));
	show_devices(vm, out, true);
	fputs("}\n", out);
}

static struct control_stat info_stat = { .topic = "info", .show = show_info };
static struct control_stat info_json_stat = { .topic = "info-json",
					      .show = show_info_json };

/*
 * A vCPU that does not stop (blocked on a lock or a write the guest
 * wedged) must not keep lkvm alive: put the terminal back, take the
 * control socket away and leave; the kernel releases the VM, its devices
 * and their fds with the process. Device teardown is skipped, as it could
 * wait on the same lock.
 */
static void abandon_stuck(struct vm *vm, struct control *ctl)
{
	pr_err("exiting without device teardown; the kernel releases them");
	term_restore();
	control_stop(ctl);
	fflush(NULL);
	_exit(exit_status(vm));
}

/* --restore: guest RAM is mapped from the snapshot at INIT_MEMORY. */
static int restore_open(struct vm *vm)
{
	char err[512];

	if (vm->cfg->incoming) {
		vm->restored = true;	/* RAM and state come from the source */
		return 0;
	}
	if (!vm->cfg->restore)
		return 0;
	vm->restored = true;
	vm->ram_fd = snap_open_ram(vm->cfg->restore, err, sizeof(err));
	if (vm->ram_fd >= 0)
		return 0;
	pr_err("--restore %s: %s", vm->cfg->restore, err);
	return -1;
}

/* --restore: the saved state into the built VM, before any vCPU runs. */
static int restore(struct vm *vm)
{
	char err[512];

	if (vm->cfg->incoming)
		return mig_receive(vm);
	if (!vm->restored || !snap_restore(vm, vm->cfg->restore, err,
					   sizeof(err)))
		return 0;
	pr_err("--restore %s: %s; nothing was started", vm->cfg->restore, err);
	return -1;
}

int lkvm_run(const struct lkvm_config *cfg)
{
	char name[64];
	struct control *ctl = NULL;
	struct vm vm;
	struct startup_guard guard;
	struct priv_user user;
	sigset_t old;
	int sfd, status, r;

	lkvm_debug = cfg->debug;
	if (user_parse(cfg, &user))
		return 1;
	signal(SIGPIPE, SIG_IGN);
	sfd = block_signals(&old);
	if (sfd < 0) {
		pr_err("signalfd: %s", strerror(errno));
		return 1;
	}
	if (vm_open(&vm, cfg) || restore_open(&vm))
		goto fail_vm;
	vm.sig_fd = sfd;
	vm.sig_watch = true;
	snprintf(name, sizeof(name), "guest-%d", (int)getpid());
	vm.name = cfg->name ? cfg->name : name;
	if (control_open(&vm, &ctl) || user_setup(&vm, ctl, &user) ||
	    sc_setup(&vm))
		goto fail_vm;
	control_register_stat(&vm_stat);
	control_register_stat(&info_stat);
	control_register_stat(&info_json_stat);
	if (startup_guard_start(&guard, &vm, sfd,
				startup_may_block(cfg, startup_file_type)))
		goto fail_vm;
	r = lkvm_init_all(&vm);
	startup_guard_stop(&guard);
	if (r)
		goto fail_vm;
	if (vm_stopping(&vm))
		goto stop;
	if (vcpus_create(&vm) || restore(&vm) || vcpus_start(&vm)) {
		vm_request_exit(&vm, VM_ERROR);
		goto stop;
	}
	term_init();
	control_start(ctl);
	if (!sc_enter(SC_MAIN))
		wait_for_exit(&vm, sfd, ctl);
stop:
	control_event(ctl, "stopped", exit_name(&vm));
	vcpus_kick_all(&vm);
	if (vcpus_join(&vm, VCPU_STOP_MS))
		abandon_stuck(&vm, ctl);
	priv_reaper_finish(&vm);	/* while the name is still ours */
	control_stop(ctl);	/* before the devices its providers read go */
	term_restore();
	if (cfg->debug)
		report_stats(&vm);
	lkvm_exit_all(&vm);
	vcpus_destroy(&vm);
	status = exit_status(&vm);
	vm_close(&vm);
	close(sfd);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return status;
fail_vm:
	status = 1;
	if (vm.exit_reason == VM_SIGNAL) {
		pr_info("got signal %d during start-up, stopped", vm.exit_signal);
		status = exit_status(&vm);
	}
	priv_reaper_finish(&vm);
	control_stop(ctl);
	vm_close(&vm);
	close(sfd);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return status;
}

/* Where --restore DIR (or --restore=DIR) is in argv: the index, or 0. */
static int find_restore(int argc, char **argv, const char **dir)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (!strncmp(argv[i], "--restore=", 10)) {
			*dir = argv[i] + 10;
			return i;
		}
		if (!strcmp(argv[i], "--restore")) {
			*dir = i + 1 < argc ? argv[i + 1] : NULL;
			return i;
		}
	}
	return 0;
}

/* Where --incoming ADDR (or --incoming=ADDR) is in argv: the index, or 0. */
static int find_incoming(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--incoming") ||
		    !strncmp(argv[i], "--incoming=", 11))
			return i;
	return 0;
}

/* `lkvm run --restore DIR [options]`: the snapshot's own arguments, with
 * the device options given again in their place (kvm/snapargs.c). */
static int cmd_restore(int argc, char **argv, int at, const char *dir,
		       void (*adjust)(struct lkvm_config *))
{
	char *rest[SNAP_MAX_ARGS], *args[3 * SNAP_MAX_ARGS], err[512];
	int i, n = 0, nargs, skip = argv[at][9] ? 1 : 2, status;
	struct snap_manifest m;
	struct lkvm_config cfg;

	if (!dir || !*dir) {
		fprintf(stderr, "lkvm run: --restore needs the snapshot's "
			"directory\n");
		return 2;
	}
	for (i = 1; i < argc && n < SNAP_MAX_ARGS; i++)
		if (i < at || i >= at + skip)
			rest[n++] = argv[i];
	if (snap_read_manifest(dir, &m, err, sizeof(err))) {
		fprintf(stderr, "lkvm run: --restore %s: %s; nothing was "
			"started\n", dir, err);
		return 1;
	}
	nargs = snap_restore_args(m.argc, m.argv, n, rest, args,
				  ARRAY_SIZE(args), err, sizeof(err));
	status = 2;
	if (nargs < 0)
		fprintf(stderr, "lkvm run: --restore %s: %s\n", dir, err);
	else if (config_parse_run(&cfg, nargs, args, err, sizeof(err)))
		fprintf(stderr, "lkvm run: --restore %s: the snapshot's "
			"arguments: %s\n", dir, err);
	else if ((u64)cfg.ram_mib * SZ_1M != m.ram_size ||
		 (u32)cfg.nr_cpus != m.nr_cpus)
		fprintf(stderr, "lkvm run: --restore %s: the manifest's RAM or "
			"vCPUs do not match its arguments: the snapshot is "
			"damaged\n", dir);
	else
		status = -1;
	if (status < 0) {
		cfg.restore = dir;
		if (adjust)
			adjust(&cfg);
		status = lkvm_run(&cfg);
	}
	snap_manifest_free(&m);
	return status;
}

int lkvm_cmd_run(int argc, char **argv, void (*adjust)(struct lkvm_config *))
{
	struct lkvm_config cfg;
	const char *dir = NULL;
	char err[512];
	int at = find_restore(argc, argv, &dir);

	if (!at && (at = find_incoming(argc, argv)))
		return mig_cmd_incoming(argc, argv, at, adjust);
	if (at)
		return cmd_restore(argc, argv, at, dir, adjust);
	if (config_parse_run(&cfg, argc, argv, err, sizeof(err))) {
		fprintf(stderr, "lkvm run: %s\n", err);
		return 2;
	}
	if (cfg.help) {
		fputs(config_run_usage, stdout);
		return 0;
	}
	if (adjust)
		adjust(&cfg);
	return lkvm_run(&cfg);
}
