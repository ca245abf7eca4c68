/* The start-up guard: while the main thread sets a VM up (opening a FIFO,
 * reading a slow pipe, probing a device), a stop signal still works. When
 * the start-up may block, a watcher thread takes the signal and interrupts
 * the main thread; when it cannot, the signal is seen between init levels. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>
#include "kvm/seccomp.h"
#include "kvm/startup.h"

#define SIG_INTERRUPT	SIGUSR1
#define RETRY_MS	50

static void interrupt_handler(int sig)
{
	(void)sig;
}

static bool got_stop_signal(struct startup_guard *g)
{
	struct signalfd_siginfo si;

	if (read(g->sfd, &si, sizeof(si)) != sizeof(si))
		return false;
	g->vm->exit_signal = si.ssi_signo;
	vm_request_exit(g->vm, VM_SIGNAL);
	return true;
}

/* Until the main thread is done, a stop signal is re-sent to it every
 * RETRY_MS, so one that lands between two system calls is not lost. */
static void *watcher(void *arg)
{
	struct startup_guard *g = arg;
	struct pollfd p[2] = {
		{ .fd = g->stop_efd, .events = POLLIN },
		{ .fd = g->sfd, .events = POLLIN },
	};
	bool stop = false;

	sc_enter(SC_WATCH);
	for (;;) {
		if (poll(p, 2, stop ? RETRY_MS : -1) < 0 && errno != EINTR)
			return NULL;
		if (p[0].revents)
			return NULL;
		if (!stop && p[1].revents && got_stop_signal(g)) {
			stop = true;
			p[1].fd = -1;
		}
		if (stop)
			pthread_kill(g->main, SIG_INTERRUPT);
	}
}

/* A path start-up opens that cannot hold it up: missing (the open fails at
 * once), a regular file, a directory or a block device. A FIFO, socket or
 * character device (a terminal) can wait for ever. */
static bool quiet_path(const char *path, mode_t (*type_of)(const char *))
{
	mode_t t;

	if (!path)
		return true;
	t = type_of(path);
	return !t || S_ISREG(t) || S_ISDIR(t) || S_ISBLK(t);
}

bool startup_may_block(const struct lkvm_config *cfg,
		       mode_t (*type_of)(const char *))
{
	char disk[4096];
	int i;

	if (cfg->vfio.nr || cfg->nets.nr || cfg->restore || cfg->incoming)
		return true;
	if (!quiet_path(cfg->kernel, type_of) ||
	    !quiet_path(cfg->initrd, type_of) ||
	    !quiet_path(cfg->dump_dtb, type_of))
		return true;
	for (i = 0; i < cfg->disks.nr; i++) {
		/* PATH[,opt...]: the path is what comes before a comma */
		snprintf(disk, sizeof(disk), "%.*s",
			 (int)strcspn(cfg->disks.v[i], ","), cfg->disks.v[i]);
		if (!quiet_path(disk, type_of))
			return true;
	}
	return false;
}

mode_t startup_file_type(const char *path)
{
	struct stat st;

	return stat(path, &st) ? 0 : st.st_mode & S_IFMT;
}

int startup_guard_start(struct startup_guard *g, struct vm *vm, int sfd,
			bool may_block)
{
	struct sigaction sa = { .sa_handler = interrupt_handler };
	sigset_t set;
	int err;

	memset(g, 0, sizeof(*g));
	g->vm = vm;
	g->sfd = sfd;
	g->main = pthread_self();
	if (!may_block)
		return 0;	/* lkvm_init_all() looks between levels */
	g->stop_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (g->stop_efd < 0) {
		pr_err("eventfd: %s", strerror(errno));
		return -1;
	}
	sigaction(SIG_INTERRUPT, &sa, NULL);	/* no SA_RESTART: EINTR */
	err = pthread_create(&g->thread, NULL, watcher, g);
	if (err) {
		pr_err("cannot start the start-up watcher: %s", strerror(err));
		close(g->stop_efd);
		return -1;
	}
	sigemptyset(&set);
	sigaddset(&set, SIG_INTERRUPT);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	g->running = true;
	return 0;
}

/* A stop signal not yet taken (no watcher, or one that saw the stop first)
 * is taken here: the VM stops before its vCPUs run. */
void startup_guard_stop(struct startup_guard *g)
{
	sigset_t set;

	if (g->vm && !vm_stopping(g->vm))
		got_stop_signal(g);
	if (!g->running)
		return;
	eventfd_write(g->stop_efd, 1);
	pthread_join(g->thread, NULL);
	close(g->stop_efd);
	sigemptyset(&set);
	sigaddset(&set, SIG_INTERRUPT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	g->running = false;
}
