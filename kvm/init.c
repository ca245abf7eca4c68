/* Self-registering init levels: subsystems and devices declare an init and
 * exit function with LKVM_INIT(); they run in level order and unwind in
 * reverse, so a failure mid-setup releases exactly what was set up. */
#include "kvm/vm.h"

static struct lkvm_init *inits;

void lkvm_init_register(struct lkvm_init *in)
{
	struct lkvm_init **p = &inits;

	/* sorted by level, stable within a level */
	while (*p && (*p)->level <= in->level)
		p = &(*p)->next;
	in->next = *p;
	*p = in;
}

int lkvm_init_all(struct vm *vm)
{
	struct lkvm_init *in;

	for (in = inits; in; in = in->next) {
		in->done = false;
		if (!in->init)
			continue;
		pr_debug("init %s at %.3f ms", in->name,
			 (now_ns() - lkvm_start_ns) / 1e6);
		if (in->init(vm)) {
			pr_debug("init %s failed", in->name);
			lkvm_exit_all(vm);
			return -1;
		}
		in->done = true;
		/* a stop signal during start-up: taken by the guard's watcher,
		 * or still pending (kvm/startup.c) */
		if (vm_stopping(vm) || vm_signal_pending(vm)) {
			lkvm_exit_all(vm);
			return -1;
		}
	}
	return 0;
}

static void exit_from(struct lkvm_init *in, struct vm *vm)
{
	if (!in)
		return;
	exit_from(in->next, vm);
	if (in->done && in->exit)
		in->exit(vm);
	in->done = false;
}

void lkvm_exit_all(struct vm *vm)
{
	exit_from(inits, vm);
}
