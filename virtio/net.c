/* virtio-net (-n/--network): not implemented yet. Any --network option is
 * refused at start-up with a clear message rather than ignored. */
#include "kvm/vm.h"

static int net_init(struct vm *vm)
{
	if (!vm->cfg->nets.nr)
		return 0;
	pr_err("--network '%s': virtio-net is not implemented in this lkvm "
	       "yet; run without -n/--network", vm->cfg->nets.v[0]);
	return -1;
}

LKVM_INIT(INIT_DEVICE, net_init, NULL)
