/* Unit tests of the start-up guard (kvm/startup.c): a stop signal taken
 * while the main thread blocks requests the VM's exit with that signal and
 * interrupts the blocking call; without one nothing is interrupted; after
 * the guard stops, the interrupt signal is blocked again. A start-up that
 * cannot block starts no thread, and the stop takes a pending signal; which
 * start-ups may block. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
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
	ASSERT_EQ(startup_guard_start(&g, &vm, sfd, true), 0);
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
	ASSERT_EQ(startup_guard_start(&g, &vm, sfd, true), 0);
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

/* Threads of this process (/proc/self/status). */
static int threads(void)
{
	char line[128];
	FILE *f = fopen("/proc/self/status", "r");
	int n = -1;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "Threads: %d", &n) == 1)
			break;
	if (f)
		fclose(f);
	return n;
}

TEST(startup_quiet_guard_starts_no_thread_and_takes_the_signal_at_stop)
{
	struct lkvm_config cfg = { 0 };
	struct startup_guard g;
	struct vm vm;
	sigset_t old;
	int sfd, before;

	fake_vm_init(&vm, &cfg, false);
	sfd = stop_fd(&old);
	ASSERT(sfd >= 0);
	vm.sig_fd = sfd;
	vm.sig_watch = true;
	before = threads();
	ASSERT_EQ(startup_guard_start(&g, &vm, sfd, false), 0);
	EXPECT_EQ(threads(), before);
	EXPECT(!g.running);
	EXPECT(!vm_signal_pending(&vm));
	kill(getpid(), STOP_SIG);
	EXPECT(vm_signal_pending(&vm));	/* what lkvm_init_all() looks at */
	EXPECT(!vm_stopping(&vm));
	startup_guard_stop(&g);
	EXPECT(vm_stopping(&vm));
	EXPECT_EQ(vm.exit_reason, VM_SIGNAL);
	EXPECT_EQ(vm.exit_signal, STOP_SIG);
	EXPECT(!vm_signal_pending(&vm));
	close(sfd);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	fake_vm_fini(&vm);
}

/* A fake file system: path -> type (0: missing). */
static mode_t fake_type(const char *path)
{
	static const struct { const char *path; mode_t type; } fs[] = {
		{ "bzImage", S_IFREG }, { "initrd", S_IFREG },
		{ "disk.img", S_IFREG }, { "/dev/sdb", S_IFBLK },
		{ "fifo", S_IFIFO }, { "/dev/tty", S_IFCHR },
		{ "sock", S_IFSOCK }, { "dir", S_IFDIR },
	};
	size_t i;

	for (i = 0; i < sizeof(fs) / sizeof(fs[0]); i++)
		if (!strcmp(fs[i].path, path))
			return fs[i].type;
	return 0;
}

TEST(startup_which_start_ups_may_block)
{
	struct lkvm_config c = { .kernel = "bzImage", .initrd = "initrd" };

	EXPECT(!startup_may_block(&c, fake_type));
	c.disks = (struct dev_args){ { "disk.img,ro", "/dev/sdb" }, 2 };
	EXPECT(!startup_may_block(&c, fake_type));
	c.kernel = "missing";		/* its open fails at once */
	EXPECT(!startup_may_block(&c, fake_type));
	c.kernel = "fifo";
	EXPECT(startup_may_block(&c, fake_type));
	c.kernel = "bzImage";
	c.initrd = "/dev/tty";
	EXPECT(startup_may_block(&c, fake_type));
	c.initrd = NULL;
	c.disks.v[1] = "fifo,port=2";
	EXPECT(startup_may_block(&c, fake_type));
	c.disks.nr = 1;
	c.dump_dtb = "sock";
	EXPECT(startup_may_block(&c, fake_type));
	c.dump_dtb = "new.dtb";
	EXPECT(!startup_may_block(&c, fake_type));
	c.vfio.nr = 1;
	EXPECT(startup_may_block(&c, fake_type));
	c.vfio.nr = 0;
	c.nets.nr = 1;
	EXPECT(startup_may_block(&c, fake_type));
	c.nets.nr = 0;
	c.restore = "dir";
	EXPECT(startup_may_block(&c, fake_type));
	c.restore = NULL;
	c.incoming = "tcp:0:4444";
	EXPECT(startup_may_block(&c, fake_type));
}
