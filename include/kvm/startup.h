/* The start-up guard (kvm/startup.c): stop signals interrupt the main
 * thread's blocking calls while it sets the VM up. */
#ifndef LKVM_KVM_STARTUP_H
#define LKVM_KVM_STARTUP_H

#include <pthread.h>
#include <sys/types.h>
#include "kvm/config.h"
#include "kvm/vm.h"

struct startup_guard {
	struct vm *vm;
	int sfd;		/* signalfd of the stop signals (blocked) */
	int stop_efd;
	pthread_t main, thread;
	bool running;
};

/*
 * Whether setting cfg's VM up may wait for ever (a FIFO or terminal as -k,
 * -i or a disk; a device to probe; a network; a restore or migration): then
 * the guard needs its watcher thread. type_of: a path's S_IFMT bits, 0 if
 * it does not exist (startup_file_type). Pure.
 */
bool startup_may_block(const struct lkvm_config *cfg,
		       mode_t (*type_of)(const char *));
mode_t startup_file_type(const char *path);

/*
 * From here until startup_guard_stop(), a stop signal read from sfd
 * requests the VM's exit (VM_SIGNAL, exit_signal). With may_block, a
 * watcher thread does so at once and interrupts the calling thread's system
 * calls with EINTR (repeatedly, until stopped); threads created meanwhile
 * inherit the blocked stop signals. Without, no thread is started: the
 * signal is seen by lkvm_init_all() between init levels (it stays pending
 * on sfd) and taken by startup_guard_stop(), which takes one still pending
 * in either mode. Returns 0 or -1 after a message.
 */
int startup_guard_start(struct startup_guard *g, struct vm *vm, int sfd,
			bool may_block);
void startup_guard_stop(struct startup_guard *g);

#endif
