/* The start-up guard (kvm/startup.c): stop signals interrupt the main
 * thread's blocking calls while it sets the VM up. */
#ifndef LKVM_KVM_STARTUP_H
#define LKVM_KVM_STARTUP_H

#include <pthread.h>
#include "kvm/vm.h"

struct startup_guard {
	struct vm *vm;
	int sfd;		/* signalfd of the stop signals (blocked) */
	int stop_efd;
	pthread_t main, thread;
	bool running;
};

/*
 * From here until startup_guard_stop(), a stop signal read from sfd
 * requests the VM's exit (VM_SIGNAL, exit_signal) and interrupts the
 * calling thread's system calls with EINTR (repeatedly, until stopped);
 * threads created meanwhile inherit the blocked stop signals. Returns 0
 * or -1 after a message.
 */
int startup_guard_start(struct startup_guard *g, struct vm *vm, int sfd);
void startup_guard_stop(struct startup_guard *g);

#endif
