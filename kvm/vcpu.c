/* vCPU threads: one per vCPU, each looping on KVM_RUN and routing port I/O
 * and MMIO exits to the buses. Stopping uses immediate_exit plus a signal,
 * so a vCPU is never left inside KVM_RUN. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include "kvm/seccomp.h"
#include "kvm/vm.h"

#define SIG_KICK SIGUSR1

static void kick_handler(int sig)
{
	(void)sig;
}

int vcpus_create(struct vm *vm)
{
	int i;

	vm->vcpus = calloc(vm->nr_cpus, sizeof(*vm->vcpus));
	if (!vm->vcpus)
		return -1;
	for (i = 0; i < vm->nr_cpus; i++) {
		struct vcpu *v = &vm->vcpus[i];

		v->vm = vm;
		v->id = i;
		v->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, i);
		if (v->fd < 0) {
			pr_err("KVM_CREATE_VCPU %d: %s", i, strerror(errno));
			return -1;
		}
		v->run = mmap(NULL, vm->vcpu_mmap_size, PROT_READ | PROT_WRITE,
			      MAP_SHARED, v->fd, 0);
		if (v->run == MAP_FAILED) {
			v->run = NULL;
			pr_err("mmap of vCPU %d state: %s", i, strerror(errno));
			return -1;
		}
		if (arch_vcpu_init(v))
			return -1;
	}
	return 0;
}

#define UNHANDLED_LOG_MAX 32

/* --debug logs the first accesses nothing claims, then says it stops. */
static bool debug_unhandled(struct iobus *bus)
{
	u64 n = __atomic_load_n(&bus->unhandled, __ATOMIC_RELAXED);

	if (!lkvm_debug || n > UNHANDLED_LOG_MAX)
		return false;
	if (n == UNHANDLED_LOG_MAX)
		pr_debug("%s: more unhandled accesses; counting them silently",
			 bus->name);
	return n < UNHANDLED_LOG_MAX;
}

static void handle_io(struct vcpu *v)
{
	struct kvm_run *run = v->run;
	u8 *data = (u8 *)run + run->io.data_offset;
	bool wr = run->io.direction == KVM_EXIT_IO_OUT;
	u32 i;

	for (i = 0; i < run->io.count; i++) {
		if (!iobus_dispatch(&v->vm->pio, run->io.port, data,
				    run->io.size, wr) && debug_unhandled(&v->vm->pio))
			pr_debug("vcpu%d: unhandled port %s 0x%x size %u", v->id,
				 wr ? "write" : "read", run->io.port, run->io.size);
		data += run->io.size;
	}
}

static void handle_mmio(struct vcpu *v)
{
	struct kvm_run *run = v->run;
	u32 len = run->mmio.len;

	if (len > sizeof(run->mmio.data))
		len = sizeof(run->mmio.data);
	if (!iobus_dispatch(&v->vm->mmio, run->mmio.phys_addr, run->mmio.data,
			    len, run->mmio.is_write) && debug_unhandled(&v->vm->mmio))
		pr_debug("vcpu%d: unhandled mmio %s 0x%llx len %u", v->id,
			 run->mmio.is_write ? "write" : "read",
			 (unsigned long long)run->mmio.phys_addr, len);
}

static bool fatal_exit(struct vcpu *v, const char *what)
{
	pr_err("vcpu%d: %s", v->id, what);
	arch_vcpu_dump(v);
	vm_request_exit(v->vm, VM_ERROR);
	return false;
}

static bool handle_system_event(struct vcpu *v)
{
	switch (v->run->system_event.type) {
	case KVM_SYSTEM_EVENT_SHUTDOWN:
		vm_request_exit(v->vm, VM_POWEROFF);
		return false;
	case KVM_SYSTEM_EVENT_RESET:
		vm_request_exit(v->vm, VM_REBOOT);
		return false;
	default:
		return fatal_exit(v, "guest reported a crash (system event)");
	}
}

/* Returns false when this vCPU must stop. */
static bool handle_exit(struct vcpu *v)
{
	struct kvm_run *run = v->run;
	char msg[128];

	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		handle_io(v);
		return true;
	case KVM_EXIT_MMIO:
		handle_mmio(v);
		return true;
	case KVM_EXIT_INTR:
		return true;
	case KVM_EXIT_SYSTEM_EVENT:
		return handle_system_event(v);
	case KVM_EXIT_SHUTDOWN:
		return fatal_exit(v, "guest triple fault (KVM_EXIT_SHUTDOWN)");
	case KVM_EXIT_FAIL_ENTRY:
		snprintf(msg, sizeof(msg), "KVM entry failed, hardware reason 0x%llx",
			 (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
		return fatal_exit(v, msg);
	case KVM_EXIT_INTERNAL_ERROR:
		snprintf(msg, sizeof(msg), "KVM internal error, suberror %u",
			 run->internal.suberror);
		return fatal_exit(v, msg);
	default:
		if (arch_handle_exit(v))
			return true;
		snprintf(msg, sizeof(msg), "unexpected exit reason %u",
			 run->exit_reason);
		return fatal_exit(v, msg);
	}
}

/*
 * Pausing: vcpus_pause sets pause_req, then immediate_exit and a kick, so
 * KVM_RUN completes the pending I/O of the last exit and returns EINTR
 * without running the guest further; the vCPU then parks here until
 * vcpus_resume or a stop. immediate_exit is only changed under pause_lock,
 * so that a stop's kick is never cleared by a vCPU leaving its park.
 */
static void park(struct vcpu *v)
{
	struct vm *vm = v->vm;

	pthread_mutex_lock(&vm->pause_lock);
	if (vm->pause_req) {
		vm->nr_parked++;
		pthread_cond_broadcast(&vm->pause_cond);
		while (vm->pause_req && !vm_stopping(vm))
			pthread_cond_wait(&vm->pause_cond, &vm->pause_lock);
		vm->nr_parked--;
	}
	/* also when a pause that timed out was withdrawn before we got here */
	if (!vm_stopping(vm))
		__atomic_store_n(&v->run->immediate_exit, 0, __ATOMIC_SEQ_CST);
	pthread_mutex_unlock(&vm->pause_lock);
}

static void set_confined(struct vcpu *v)
{
	pthread_mutex_lock(&v->vm->pause_lock);
	v->confined = true;
	pthread_cond_broadcast(&v->vm->pause_cond);
	pthread_mutex_unlock(&v->vm->pause_lock);
}

/* Until every started vCPU thread has its filter on: the main and control
 * threads install theirs next, and the kernel installs one filter at a time
 * (measured: the first guest exit came 0.4 ms later when they overlapped). */
static void wait_confined(struct vm *vm)
{
	int i;

	pthread_mutex_lock(&vm->pause_lock);
	for (i = 0; i < vm->nr_cpus; i++)
		while (vm->vcpus[i].started && !vm->vcpus[i].confined)
			pthread_cond_wait(&vm->pause_cond, &vm->pause_lock);
	pthread_mutex_unlock(&vm->pause_lock);
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *v = arg;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIG_KICK);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	sc_enter(SC_VCPU);
	set_confined(v);
	while (!vm_stopping(v->vm)) {
		if (ioctl(v->fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN) {
				park(v);
				continue;
			}
			fatal_exit(v, strerror(errno));
			break;
		}
		if (!v->exits++ && lkvm_debug)
			pr_debug("vcpu%d: first exit %.3f ms after lkvm started",
				 v->id, (now_ns() - lkvm_start_ns) / 1e6);
		if (!handle_exit(v))
			break;
	}
	return NULL;
}

int vcpus_start(struct vm *vm)
{
	struct sigaction sa = { .sa_handler = kick_handler };
	int i, err;

	sigaction(SIG_KICK, &sa, NULL);
	for (i = 0; i < vm->nr_cpus; i++) {
		err = pthread_create(&vm->vcpus[i].thread, NULL, vcpu_thread,
				     &vm->vcpus[i]);
		if (err) {
			pr_err("cannot start vCPU %d thread: %s", i, strerror(err));
			return -1;
		}
		vm->vcpus[i].started = true;
	}
	wait_confined(vm);
	return 0;
}

void vcpus_kick_all(struct vm *vm)
{
	int i;

	pthread_mutex_lock(&vm->pause_lock);
	for (i = 0; vm->vcpus && i < vm->nr_cpus; i++)
		if (vm->vcpus[i].started)
			__atomic_store_n(&vm->vcpus[i].run->immediate_exit, 1,
					 __ATOMIC_SEQ_CST);
	pthread_cond_broadcast(&vm->pause_cond);	/* a stop wakes the parked */
	pthread_mutex_unlock(&vm->pause_lock);
	for (i = 0; vm->vcpus && i < vm->nr_cpus; i++)
		if (vm->vcpus[i].started)
			pthread_kill(vm->vcpus[i].thread, SIG_KICK);
}

static int nr_started(struct vm *vm)
{
	int i, n = 0;

	for (i = 0; vm->vcpus && i < vm->nr_cpus; i++)
		n += vm->vcpus[i].started;
	return n;
}

static void deadline_in(struct timespec *ts, int ms)
{
	clock_gettime(CLOCK_REALTIME, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000;
	if (ts->tv_nsec >= 1000000000) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000;
	}
}

int vcpus_pause(struct vm *vm, int timeout_ms)
{
	int want = nr_started(vm), r = 0;
	struct timespec ts;

	pthread_mutex_lock(&vm->pause_lock);
	vm->pause_req = true;
	pthread_mutex_unlock(&vm->pause_lock);
	vcpus_kick_all(vm);
	deadline_in(&ts, timeout_ms);
	pthread_mutex_lock(&vm->pause_lock);
	while (!r && vm->nr_parked < want && !vm_stopping(vm))
		r = pthread_cond_timedwait(&vm->pause_cond, &vm->pause_lock, &ts);
	r = vm->nr_parked < want ? -1 : 0;
	pthread_mutex_unlock(&vm->pause_lock);
	if (r)
		vcpus_resume(vm);
	return r;
}

void vcpus_resume(struct vm *vm)
{
	pthread_mutex_lock(&vm->pause_lock);
	vm->pause_req = false;
	pthread_cond_broadcast(&vm->pause_cond);
	pthread_mutex_unlock(&vm->pause_lock);
}

bool vcpus_paused(struct vm *vm)
{
	bool p;

	pthread_mutex_lock(&vm->pause_lock);
	p = vm->pause_req;
	pthread_mutex_unlock(&vm->pause_lock);
	return p;
}

int vcpus_join(struct vm *vm, int timeout_ms)
{
	struct timespec ts;
	int i, stuck = 0;

	deadline_in(&ts, timeout_ms);
	for (i = 0; vm->vcpus && i < vm->nr_cpus; i++) {
		if (!vm->vcpus[i].started)
			continue;
		if (pthread_timedjoin_np(vm->vcpus[i].thread, NULL, &ts)) {
			pr_err("vcpu%d did not stop within %d ms", i, timeout_ms);
			stuck++;
			continue;
		}
		vm->vcpus[i].started = false;
	}
	return stuck;
}

void vcpus_destroy(struct vm *vm)
{
	int i;

	for (i = 0; vm->vcpus && i < vm->nr_cpus; i++) {
		struct vcpu *v = &vm->vcpus[i];

		if (v->run)
			munmap(v->run, vm->vcpu_mmap_size);
		if (v->fd > 0)
			close(v->fd);
	}
	free(vm->vcpus);
	vm->vcpus = NULL;
}
