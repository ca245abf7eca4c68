/* The control socket's requests that the main thread runs (kvm/control.h's
 * jobs): `stop` (the power button, or a hard stop), `debug` (vCPU
 * registers, NMI, SysRq), device hotplug (vfio/hotplug.c, virtio/blk_hot.c)
 * and the snapshot family (kvm/snapshot.c). */
#include <errno.h>
#include <string.h>
#include "kvm/control.h"
#include "kvm/ctl_msg.h"
#include "kvm/json.h"
#include "kvm/migrate.h"
#include "kvm/run.h"
#include "kvm/serial.h"
#include "kvm/snapshot.h"
#include "kvm/vm.h"
#include "vfio/pci.h"
#include "virtio/blk.h"

/* {"how": "power-button"}: the guest was asked; "hard": it stops now;
 * "none": no orderly way here (the client stops it hard). */
static void do_stop(struct vm *vm, const struct ctl_req *r, FILE *out)
{
	const char *how = "hard", *why = NULL;

	if (!r->force && vm->user_paused) {
		how = "none";
		why = "the VM is paused: its guest cannot see a power button";
	} else if (!r->force) {
		how = arch_power_button(vm) ? "none" : "power-button";
		if (*how == 'n')
			why = "this architecture has no power button: the "
			      "stop is a hard one";
	}
	if (r->force) {
		pr_info("stopped by `lkvm stop` (hard stop)");
		vm_request_exit(vm, VM_POWEROFF);
	}
	ctl_put_ok(out, CTL_STOP);
	fprintf(out, ", \"how\": \"%s\"", how);
	if (why) {
		fputs(", ", out);
		json_put_kv(out, "why", why);
	}
	ctl_put_end(out);
}

/* Every vCPU's registers, then (with nmi) an NMI to each. */
static void vcpus_json(struct vm *vm, const struct ctl_req *r, FILE *out)
{
	int i, e;

	fputs(", \"vcpus\": [", out);
	for (i = 0; i < vm->nr_cpus; i++) {
		fprintf(out, "%s{\"id\": %d, \"last_exit\": %u", i ? ", " : "",
			i, vm->vcpus[i].run->exit_reason);
		e = arch_vcpu_regs_json(&vm->vcpus[i], out);
		if (e) {
			fputs(", ", out);
			json_put_kv(out, "error", strerror(-e));
		}
		fputs("}", out);
	}
	fputs("]", out);
	for (i = 0; r->nmi && i < vm->nr_cpus; i++) {
		e = arch_vcpu_nmi(&vm->vcpus[i]);
		if (e) {
			fprintf(out, ", \"nmi\": \"vcpu%d: %s\"", i, strerror(-e));
			return;
		}
	}
	if (r->nmi)
		fputs(", \"nmi\": \"sent\"", out);
}

static void do_debug(struct vm *vm, const struct ctl_req *r, FILE *out)
{
	char err[256];
	bool held = vm->user_paused;

	if (r->sysrq) {
		if (serial_console_sysrq(vm, r->sysrq, err, sizeof(err))) {
			ctl_put_error(out, "sysrq: %s", err);
			return;
		}
		ctl_put_ok(out, CTL_DEBUG);
		fputs(", \"sysrq\": ", out);
		json_put_mem(out, &r->sysrq, 1);
		ctl_put_end(out);
		return;
	}
	if (!held && vcpus_pause(vm, SNAP_PAUSE_MS)) {
		ctl_put_error(out, "a vCPU did not stop within %d ms; the VM "
			      "runs on", SNAP_PAUSE_MS);
		return;
	}
	ctl_put_ok(out, CTL_DEBUG);
	vcpus_json(vm, r, out);
	ctl_put_end(out);
	if (!held)
		vcpus_resume(vm);
}

void ctl_run_job(struct vm *vm, struct ctl_job *job)
{
	if (job->req->cmd == CTL_STOP)
		do_stop(vm, job->req, job->out);
	else if (job->req->cmd == CTL_DEBUG)
		do_debug(vm, job->req, job->out);
	else if (job->req->cmd == CTL_MIGRATE)
		mig_control(vm, job);
	else if (job->req->cmd == CTL_VFIO_ADD ||
		 job->req->cmd == CTL_VFIO_REMOVE)
		vfio_hotplug_job(vm, job);
	else if (job->req->cmd == CTL_DISK_ADD ||
		 job->req->cmd == CTL_DISK_REMOVE)
		blk_hot_job(vm, job);
	else
		snap_control(vm, job);
}
