/* Unit tests of the start-up guard (kvm/startup.c): a stop signal taken
 * while the main thread blocks requests the VM's exit with that signal and
 * interrupts the blocking call; without one nothing is interrupted; after
 * the guard stops, the interrupt signal is blocked again. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>
#include "kvm/config.h"
#include "kvm/startup.h"
#include "fake_vm.h"
#include "unit.h"

#define STOP_SIG	SIGUSR2	/* stands in for SIGTERM/SIGINT */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Blocks STOP_SIG and returns a signalfd for it; old gets the mask. */
static int stop_fd(sigset_t *old)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, STOP_SIG);
	pthread_sigmask(SIG_BLOCK, &set, old);
	return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

static bool usr1_blocked(void)
{
	sigset_t cur;

	pthread_sigmask(SIG_BLOCK, NULL, &cur);
	return sigismember(&cur, SIGUSR1);
}

TEST(startup_stop_signal_interrupts_blocking_call)
{
	struct lkvm_config cfg = { 0 };
	struct startup_guard g;
	struct vm vm;
	struct pollfd p;
	sigset_t old;
	int sfd, pp[2], r, err;
	double t;

	fake_vm_init(&vm, &cfg, false);
	sfd = stop_fd(&old);
	ASSERT(sfd >= 0);
	ASSERT_EQ(pipe(pp), 0);
	ASSERT_EQ(startup_guard_start(&g, &vm, sfd), 0);
	EXPECT(!usr1_blocked());
	kill(getpid(), STOP_SIG);
	p = (struct pollfd){ .fd = pp[0], .events = POLLIN };
	t = now();
	r = poll(&p, 1, 3000);	/* nothing ever arrives on the pipe */
	err = errno;
	t = now() - t;
	startup_guard_stop(&g);
	EXPECT_EQ(r, -1);
	EXPECT_EQ(err, EINTR);
	EXPECT(t < 2.0);
	EXPECT(vm_stopping(&vm));
	EXPECT_EQ(vm.exit_reason, VM_SIGNAL);
	EXPECT_EQ(vm.exit_signal, STOP_SIG);
	EXPECT(usr1_blocked());
	close(pp[0]);
	close(pp[1]);
	close(sfd);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	fake_vm_fini(&vm);
}

TEST(startup_no_signal_no_interruption)
{
	struct lkvm_config cfg = { 0 };
	struct startup_guard g;
	struct vm vm;
	struct pollfd p;
	sigset_t old;
	int sfd, pp[2];

	fake_vm_init(&vm, &cfg, false);
	sfd = stop_fd(&old);
	ASSERT(sfd >= 0);
	ASSERT_EQ(pipe(pp), 0);
	ASSERT_EQ(startup_guard_start(&g, &vm, sfd), 0);
	p = (struct pollfd){ .fd = pp[0], .events = POLLIN };
	EXPECT_EQ(poll(&p, 1, 200), 0);	/* the full timeout, no EINTR */
	startup_guard_stop(&g);
	EXPECT(!g.running);
	EXPECT(!vm_stopping(&vm));
	EXPECT(usr1_blocked());
	startup_guard_stop(&g);		/* a second stop is harmless */
	close(pp[0]);
	close(pp[1]);
	close(sfd);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	fake_vm_fini(&vm);
}
