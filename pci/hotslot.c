/* The main thread's part in a hot add or removal behind a root port, for
 * `lkvm vfio` and `lkvm disk`: vCPUs parked while a device comes or goes,
 * and the guest's orderly removal (attention button, then a bounded wait
 * for it to power the slot off). */
#include <stdlib.h>
#include "kvm/snapshot.h"
#include "kvm/vm.h"
#include "kvm/control.h"
#include "pci/hotslot.h"
#include "pci/pci.h"

#define WAIT_SLICE_MS	100

int hot_parse_timeout(const char *arg, long *s)
{
	char *end;

	*s = strtol(arg, &end, 10);
	return *end || end == arg || *s < 1 || *s > HOT_REMOVE_MAX_S ? -1 : 0;
}

bool hot_hold_vcpus(struct vm *vm, bool *held, char *err, size_t errlen)
{
	*held = vm->user_paused;
	if (*held || !vcpus_pause(vm, SNAP_PAUSE_MS))
		return true;
	set_err(err, errlen, "a vCPU did not stop within %d ms; nothing was "
		"changed", SNAP_PAUSE_MS);
	return false;
}

void hot_release_vcpus(struct vm *vm, bool held)
{
	if (!held)
		vcpus_resume(vm);
}

/* Waits up to ms for the guest to power port's slot off; false if it did
 * not (or the VM is stopping, or a stop signal waits: SIGTERM during a
 * removal's wait stops the VM at once, not after the wait). */
static bool wait_off(struct vm *vm, int port, u32 ms)
{
	bool off = false;
	u32 waited;

	control_job_wait_begin(vm);	/* `lkvm stat` is answered meanwhile */
	for (waited = 0; waited < ms && !vm_stopping(vm) &&
	     !vm_signal_pending(vm); waited += WAIT_SLICE_MS)
		if ((off = pci_port_wait_off(vm, port, WAIT_SLICE_MS)))
			break;
	control_job_wait_end(vm);
	return off || !pci_port_powered(vm, port);
}

int hot_eject(struct vm *vm, int port, bool force, u32 ms, const char *what,
	      const char **how, char *err, size_t errlen)
{
	bool on = pci_port_powered(vm, port);

	if (!ms)
		ms = HOT_REMOVE_DEF_S * 1000;
	*how = !on ? "slot-off" : force ? "surprise" : "ejected";
	if (!on || force ||
	    (!pci_port_button(vm, port) && wait_off(vm, port, ms)))
		return 0;
	if (vm_stopping(vm) || vm_signal_pending(vm))
		return set_err(err, errlen, "%s: the VM is stopping; the device "
			       "stays until it has", what);
	return set_err(err, errlen, "%s: the guest did not power off root "
		       "port %d's slot within %u ms (is pciehp running?); the "
		       "device stays; --force removes it anyway", what, port,
		       ms);
}
