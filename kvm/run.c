/* The `lkvm run` sequence: open KVM, run the init levels, start vCPUs,
 * wait for the guest to stop or a signal, then unwind everything. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <unistd.h>
#include "kvm/control.h"
#include "kvm/run.h"
#include "kvm/seccomp.h"
#include "kvm/startup.h"
#include "kvm/term.h"
#include "kvm/vm.h"

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

static void wait_for_exit(struct vm *vm, int sfd)
{
	struct pollfd p[3] = {
		{ .fd = vm->exit_efd, .events = POLLIN },
		{ .fd = sfd, .events = POLLIN },
		{ .fd = STDIN_FILENO, .events = POLLIN },
	};
	struct signalfd_siginfo si;

	for (;;) {
		if (poll(p, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			vm_request_exit(vm, VM_ERROR);
			return;
		}
		if (p[0].revents)
			return;
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

/* Resident memory of lkvm beyond the guest RAM pages the guest touched. */
static void report_memory(struct vm *vm)
{
	u64 page = sysconf(_SC_PAGESIZE), resident = 0, rss_kib = 0, i, n;
	unsigned char *vec;
	char line[128];
	FILE *f;

	f = fopen("/proc/self/status", "r");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %llu", (unsigned long long *)&rss_kib) == 1)
			break;
	if (f)
		fclose(f);
	n = vm->ram_size / page;
	vec = vm->ram ? malloc(n) : NULL;
	if (vec && !mincore(vm->ram, vm->ram_size, vec))
		for (i = 0; i < n; i++)
			resident += vec[i] & 1;
	free(vec);
	pr_debug("memory: rss %llu KiB, guest RAM resident %llu KiB, "
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

int lkvm_run(const struct lkvm_config *cfg)
{
	char name[64];
	struct control *ctl = NULL;
	struct vm vm;
	struct startup_guard guard;
	sigset_t old;
	int sfd, status, r;

	lkvm_debug = cfg->debug;
	signal(SIGPIPE, SIG_IGN);
	sfd = block_signals(&old);
	if (sfd < 0) {
		pr_err("signalfd: %s", strerror(errno));
		return 1;
	}
	if (vm_open(&vm, cfg))
		goto fail_vm;
	snprintf(name, sizeof(name), "guest-%d", (int)getpid());
	vm.name = cfg->name ? cfg->name : name;
	if (control_open(&vm, &ctl) || sc_setup(&vm))
		goto fail_vm;
	control_register_stat(&vm_stat);
	if (startup_guard_start(&guard, &vm, sfd))
		goto fail_vm;
	r = lkvm_init_all(&vm);
	startup_guard_stop(&guard);
	if (r)
		goto fail_vm;
	if (vm_stopping(&vm))
		goto stop;
	if (vcpus_create(&vm) || vcpus_start(&vm)) {
		vm_request_exit(&vm, VM_ERROR);
		goto stop;
	}
	term_init();
	control_start(ctl);
	if (!sc_enter(SC_MAIN))
		wait_for_exit(&vm, sfd);
stop:
	vcpus_kick_all(&vm);
	if (vcpus_join(&vm, VCPU_STOP_MS))
		abandon_stuck(&vm, ctl);
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
	control_stop(ctl);
	vm_close(&vm);
	close(sfd);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return status;
}

int lkvm_cmd_run(int argc, char **argv, void (*adjust)(struct lkvm_config *))
{
	struct lkvm_config cfg;
	char err[512];

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
