/* The `lkvm run` sequence: open KVM, run the init levels, start vCPUs,
 * wait for the guest to stop or a signal, then unwind everything. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>
#include "kvm/run.h"
#include "kvm/term.h"
#include "kvm/vm.h"

static int exit_status(const struct vm *vm)
{
	switch (vm->exit_reason) {
	case VM_POWEROFF:
	case VM_REBOOT:
		return 0;
	case VM_SIGNAL:
		return 128 + vm->exit_signal;
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

int lkvm_run(const struct lkvm_config *cfg)
{
	struct vm vm;
	sigset_t old;
	int sfd, status;

	lkvm_debug = cfg->debug;
	signal(SIGPIPE, SIG_IGN);
	sfd = block_signals(&old);
	if (sfd < 0) {
		pr_err("signalfd: %s", strerror(errno));
		return 1;
	}
	if (vm_open(&vm, cfg))
		goto fail_vm;
	vm.name = cfg->name;
	if (lkvm_init_all(&vm))
		goto fail_vm;
	if (vcpus_create(&vm) || vcpus_start(&vm)) {
		vm_request_exit(&vm, VM_ERROR);
		goto stop;
	}
	term_init();
	wait_for_exit(&vm, sfd);
stop:
	vcpus_kick_all(&vm);
	vcpus_join(&vm);
	term_restore();
	if (cfg->debug && vm.vcpus)
		for (int i = 0; i < vm.nr_cpus; i++)
			pr_debug("vcpu%d: %llu exits", i,
				 (unsigned long long)vm.vcpus[i].exits);
	lkvm_exit_all(&vm);
	vcpus_destroy(&vm);
	status = exit_status(&vm);
	vm_close(&vm);
	close(sfd);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return status;
fail_vm:
	vm_close(&vm);
	close(sfd);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return 1;
}
