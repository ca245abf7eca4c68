/* Confinement: the allowlists of each thread kind (one table, a column of
 * kinds per syscall or ioctl request), the pure BPF builder, and sc_enter
 * which installs a kind's filter in the calling thread plus the SIGSYS
 * handler of --seccomp=trap. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <termios.h>
#include <ucontext.h>
#include <unistd.h>
#include <linux/audit.h>
#include <linux/fs.h>
#include <linux/if_tun.h>
#include <linux/kvm.h>
#include <linux/seccomp.h>
#include <linux/vfio.h>
#include <linux/vhost.h>
#include "kvm/privdrop.h"
#include "kvm/seccomp.h"
#include "vfio/iommufd_uapi.h"
#include "vfio/mig_uapi.h"
#include "kvm/vm.h"

#ifdef __x86_64__
const u32 sc_audit_arch = AUDIT_ARCH_X86_64;
#define SC_SET_RET(uc, v)	((uc)->uc_mcontext.gregs[REG_RAX] = (v))
#define SC_ARG1(uc)		((uc)->uc_mcontext.gregs[REG_RSI])
#else
const u32 sc_audit_arch = AUDIT_ARCH_AARCH64;
#define SC_SET_RET(uc, v)	((uc)->uc_mcontext.regs[0] = (v))
#define SC_ARG1(uc)		((uc)->uc_mcontext.regs[1])
/* x86_64-only syscalls: arm64 has the *at / p* forms alone. */
#define __NR_open	-1
#define __NR_poll	-1
#define __NR_epoll_wait	-1
#define __NR_unlink	-1
#define __NR_lstat	-1
#define __NR_readlink	-1
#define __NR_stat	-1
#define __NR_fork	-1
#define __NR_vfork	-1
#endif

#define M	(1u << SC_MAIN)
#define V	(1u << SC_VCPU)
/* The 9p worker (P) is an I/O thread: every row of I, plus its own. */
#define P	(1u << SC_9P)
#define I	((1u << SC_IO) | P)
#define F	(1u << SC_VFIO)
#define C	(1u << SC_CONTROL)
#define W	(1u << SC_WATCH)
#define ALL	(M | V | I | F | C | W)
/* ASan builds: its reports need these; LSan's check at exit runs in the
 * main thread, which stays unconfined there (it ptrace-stops the others). */
#ifdef __SANITIZE_ADDRESS__
#define SAN		ALL
#define SAN_MAIN	1
#else
#define SAN		0
#define SAN_MAIN	0
#endif
#define SYS(n, k)	{ __NR_##n, #n, k }
#define IOC(n, k)	{ n, #n, k }

/* libc's needs in any thread (malloc, stdio on stderr, locks, thread exit)
 * and each kind's own; 0: forbidden everywhere, named in trap messages. */
const struct sc_rule sc_syscalls[] = {
	SYS(read, ALL), SYS(write, ALL), SYS(readv, ALL), SYS(writev, ALL),
	SYS(close, ALL), SYS(futex, ALL), SYS(clock_gettime, ALL),
	SYS(clock_nanosleep, ALL), SYS(nanosleep, ALL), SYS(gettid, ALL),
	SYS(getpid, ALL), SYS(rt_sigreturn, ALL), SYS(rt_sigprocmask, ALL),
	SYS(mmap, ALL), SYS(munmap, ALL), SYS(mprotect, ALL),
	SYS(madvise, ALL), SYS(mremap, ALL), SYS(brk, ALL), SYS(exit, ALL),
	SYS(exit_group, ALL), SYS(restart_syscall, ALL),
	SYS(sched_yield, ALL), SYS(getrandom, ALL), SYS(fstat, ALL),
	SYS(newfstatat, ALL), SYS(sigaltstack, ALL),
	SYS(poll, M | I | C | W), SYS(ppoll, M | I | C | W),
	SYS(epoll_wait, F), SYS(epoll_pwait, F),
	SYS(ioctl, M | V | I | F), SYS(tgkill, M | W),
	SYS(pread64, M | V | I | F | C), SYS(pwrite64, M | V | I | F),
	SYS(preadv, I), SYS(pwritev, I), SYS(fdatasync, M | I),
	/* main: `lkvm disk add` probes hole punching past the image's end */
	SYS(fsync, M | I), SYS(fallocate, M | I), SYS(ftruncate, M | P),
	SYS(accept4, C), SYS(recvfrom, C), SYS(recvmsg, C), SYS(sendto, C),
	SYS(getsockopt, C),
	SYS(unlink, M), SYS(unlinkat, M | P), SYS(lstat, M), SYS(mincore, M),
	SYS(epoll_ctl, M | V), SYS(eventfd2, M | V | I),	/* irqfds made lazily */
	SYS(getrusage, M),	/* --debug's memory report at exit */
	SYS(prlimit64, M),	/* lkvm vfio add's RLIMIT_MEMLOCK message */
	/* the 9p worker: files beneath its share (virtio/9p_path.c) */
	SYS(openat, P), SYS(openat2, P), SYS(mkdirat, P), SYS(renameat, P),
	SYS(renameat2, P), SYS(linkat, P), SYS(symlinkat, P),
	SYS(readlinkat, P), SYS(mknodat, P), SYS(fchmodat, P),
	SYS(fchownat, P), SYS(utimensat, P), SYS(fstatfs, P),
	SYS(getdents64, P | SAN), SYS(fcntl, P | M), SYS(dup, P),
	SYS(open, SAN), SYS(openat, SAN), SYS(clone, SAN), SYS(ptrace, SAN),
	SYS(wait4, SAN), SYS(prctl, SAN),
	SYS(readlink, SAN), SYS(sched_getaffinity, SAN),
	SYS(execve, 0), SYS(execveat, 0), SYS(fork, 0), SYS(vfork, 0),
	SYS(clone3, 0),
	SYS(socket, 0), SYS(connect, 0), SYS(bind, 0),
	SYS(kill, 0), SYS(mount, 0), SYS(setuid, 0), SYS(stat, 0),
	SYS(lseek, P),
};
const size_t sc_nr_syscalls = ARRAY_SIZE(sc_syscalls);

/* ioctl requests a kind may make (its fds: vCPU, VM, VFIO device, tap,
 * terminal); compared on the low 32 bits, as the kernel takes them. */
const struct sc_rule sc_ioctls[] = {
	IOC(KVM_RUN, V), IOC(KVM_CHECK_EXTENSION, M | V),
	IOC(KVM_IRQ_LINE, M | V | I | F),
	/* main: a root port's hotplug interrupt (lkvm vfio add|remove) */
	IOC(KVM_SIGNAL_MSI, M | V | I | F),
	IOC(KVM_SET_GSI_ROUTING, M | V | I | F),
	IOC(KVM_IRQFD, M | V | I | F), IOC(KVM_IOEVENTFD, M | V),
	IOC(KVM_SET_USER_MEMORY_REGION, M | V), IOC(KVM_GET_REGS, M | V),
	/* `lkvm migrate` on the main thread: RAM pre-copy (kvm/migrate.c);
	 * its connection comes from the client, so no socket or connect */
	IOC(KVM_GET_DIRTY_LOG, M),
	IOC(KVM_CLEAR_DIRTY_LOG, M), IOC(KVM_ENABLE_CAP, M),
	IOC(KVM_GET_SREGS, M | V), IOC(KVM_GET_ONE_REG, M | V),
#ifdef __x86_64__
	/* snapshots: the main thread reads the parked vCPUs and the VM */
	IOC(KVM_GET_FPU, M), IOC(KVM_GET_XSAVE, M), IOC(KVM_GET_XSAVE2, M),
	IOC(KVM_GET_XCRS, M), IOC(KVM_GET_MSRS, M),
	IOC(KVM_GET_MSR_INDEX_LIST, M), IOC(KVM_GET_LAPIC, M),
	IOC(KVM_GET_VCPU_EVENTS, M), IOC(KVM_GET_MP_STATE, M),
	IOC(KVM_GET_DEBUGREGS, M), IOC(KVM_GET_IRQCHIP, M),
	IOC(KVM_GET_PIT2, M), IOC(KVM_GET_CLOCK, M),
	IOC(KVM_NMI, M),	/* lkvm debug --nmi */
#else
	/* snapshots: the main thread reads the parked vCPUs and the vGIC */
	IOC(KVM_GET_REG_LIST, M),
	IOC(KVM_GET_VCPU_EVENTS, M), IOC(KVM_GET_MP_STATE, M),
	IOC(KVM_GET_DEVICE_ATTR, M),
	IOC(KVM_SET_DEVICE_ATTR, M),	/* ITS and LPI pending tables to RAM */
#endif
	IOC(VFIO_DEVICE_SET_IRQS, M | V | F), IOC(VFIO_DEVICE_RESET, M | V),
	/* the bus reset of a device without FLR: at exit, at a guest FLR */
	IOC(VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, M | V),
	IOC(VFIO_DEVICE_PCI_HOT_RESET, M | V),
	IOC(VFIO_DEVICE_FEATURE, M),	/* snapshots: migration state */
	IOC(VFIO_MIG_GET_PRECOPY_INFO, M),	/* live migration: PRE_COPY */
	IOC(VFIO_IOMMU_DIRTY_PAGES, M),		/* ... and DMA dirty pages */
	IOC(VFIO_IOMMU_UNMAP_DMA, M), IOC(VFIO_GROUP_UNSET_CONTAINER, M),
	/* `lkvm vfio add` (vfio/hotplug.c): the main thread sets a device up
	 * from the fds the client opened (container or iommufd, group or
	 * cdev) */
	IOC(VFIO_GET_API_VERSION, M), IOC(VFIO_CHECK_EXTENSION, M),
	IOC(VFIO_GROUP_GET_STATUS, M), IOC(VFIO_GROUP_SET_CONTAINER, M),
	IOC(VFIO_SET_IOMMU, M), IOC(VFIO_IOMMU_GET_INFO, M),
	IOC(VFIO_IOMMU_MAP_DMA, M), IOC(VFIO_GROUP_GET_DEVICE_FD, M),
	IOC(VFIO_DEVICE_GET_INFO, M), IOC(VFIO_DEVICE_GET_REGION_INFO, M),
	IOC(VFIO_DEVICE_GET_IRQ_INFO, M), IOC(VFIO_DEVICE_BIND_IOMMUFD, M),
	IOC(VFIO_DEVICE_ATTACH_IOMMUFD_PT, M), IOC(IOMMU_IOAS_ALLOC, M),
	IOC(IOMMU_IOAS_IOVA_RANGES, M), IOC(IOMMU_IOAS_MAP, M),
	/* teardown of the iommufd path (vfio/iommufd.c) at exit */
	IOC(IOMMU_IOAS_UNMAP, M), IOC(VFIO_DEVICE_DETACH_IOMMUFD_PT, M),
	IOC(IOMMU_DESTROY, M),
	IOC(BLKGETSIZE64, M),	/* `lkvm disk add` of a block device */
	IOC(TUNSETOFFLOAD, V | I), IOC(TCGETS, M), IOC(TCSETS, M),
	/* --vsock: a vCPU's DRIVER_OK starts vhost-vsock, a reset stops it */
	IOC(VHOST_SET_FEATURES, V), IOC(VHOST_SET_VRING_NUM, V),
	IOC(VHOST_SET_VRING_BASE, V), IOC(VHOST_SET_VRING_ADDR, V),
	IOC(VHOST_SET_VRING_KICK, V), IOC(VHOST_SET_VRING_CALL, V),
	IOC(VHOST_VSOCK_SET_RUNNING, M | V),
};
const size_t sc_nr_ioctls = ARRAY_SIZE(sc_ioctls);

/* ---- the builder (pure) ---- */

#define LD_ABS(off)	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (off))
#define JEQ(k, t, f)	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (k), (t), (f))
#define RET(k)		BPF_STMT(BPF_RET | BPF_K, (k))
#define NR		offsetof(struct seccomp_data, nr)
/* args[i]'s low 32 bits: both architectures are little-endian */
#define ARG_LO(i)	offsetof(struct seccomp_data, args[i])

static const u32 sc_actions[] = {
	[SC_TRAP] = SECCOMP_RET_TRAP,
	[SC_KILL] = SECCOMP_RET_KILL_PROCESS,
	[SC_LOG] = SECCOMP_RET_LOG,
	[SC_OFF] = SECCOMP_RET_ALLOW,
};

#define JA(k)		BPF_STMT(BPF_JMP | BPF_JA, (k))
/* Tests that allow jump to a "RET ALLOW" shared by up to ALLOW_SPAN of them
 * (a conditional jump reaches 255 instructions ahead): each test is one
 * instruction, not a test and a return. The kernel's cost of installing a
 * filter grows with its length (about 1 us an instruction on a nested host). */
#define ALLOW_SPAN	200

struct sc_prog {	/* a filter being built */
	struct sock_filter *out;
	int n, npend, pend[ALLOW_SPAN];	/* tests waiting for their allow */
};

static bool emit(struct sc_prog *p, struct sock_filter f)
{
	if (p->n >= SC_MAX_INSNS)
		return false;
	p->out[p->n++] = f;
	return true;
}

/* Ends a run of tests: "JA +1; RET ALLOW", the tests' jumps set to it. */
static bool close_run(struct sc_prog *p)
{
	int i, allow = p->n + 1;

	if (!p->npend)
		return true;
	if (!emit(p, (struct sock_filter)JA(1)) ||
	    !emit(p, (struct sock_filter)RET(SECCOMP_RET_ALLOW)))
		return false;
	for (i = 0; i < p->npend; i++)
		p->out[p->pend[i]].jt = allow - p->pend[i] - 1;
	p->npend = 0;
	return true;
}

/* "A == k: allow" for the rows of kind (bit), except number skip. */
static bool add_allows(struct sc_prog *p, const struct sc_rule *r, size_t nr,
		       u32 bit, long skip)
{
	size_t i;

	for (i = 0; i < nr; i++) {
		if (!(r[i].kinds & bit) || r[i].nr < 0 || r[i].nr == skip)
			continue;
		if (p->npend == ALLOW_SPAN && !close_run(p))
			return false;
		p->pend[p->npend++] = p->n;
		if (!emit(p, (struct sock_filter)JEQ((u32)r[i].nr, 0, 0)))
			return false;
	}
	return close_run(p);
}

/* Rows of kind (bit) in r with number only (or any, only < 0). */
static int count(const struct sc_rule *r, size_t nr, u32 bit, long only)
{
	int n = 0;

	while (nr--)
		n += (r[nr].kinds & bit) && (only < 0 || r[nr].nr == only);
	return n;
}

/* ioctl first (a vCPU's every KVM_RUN): its request against the kind's
 * list, else on to the other syscalls with A still the number. */
static bool add_ioctls(struct sc_prog *p, const struct sc_rule *ioc,
		       size_t nioc, u32 bit, long ioctl_nr, u32 deny)
{
	int test = p->n, skip;

	if (!emit(p, (struct sock_filter)JEQ((u32)ioctl_nr, 0, 0)) ||
	    !emit(p, (struct sock_filter)LD_ABS(ARG_LO(1))) ||
	    !add_allows(p, ioc, nioc, bit, -2) ||
	    !emit(p, (struct sock_filter)RET(deny)))
		return false;
	skip = p->n - test - 1;
	if (skip > 255)
		return false;
	p->out[test].jf = skip;
	return true;
}

int sc_build(const struct sc_rule *sys, size_t nsys, const struct sc_rule *ioc,
	     size_t nioc, enum sc_kind kind, u32 arch, long ioctl_nr,
	     enum sc_mode mode, struct sock_filter *out)
{
	struct sc_prog p = { .out = out };
	u32 bit = 1u << kind, deny = sc_actions[mode];

	emit(&p, (struct sock_filter)LD_ABS(offsetof(struct seccomp_data, arch)));
	emit(&p, (struct sock_filter)JEQ(arch, 1, 0));
	emit(&p, (struct sock_filter)RET(SECCOMP_RET_KILL_PROCESS));
	emit(&p, (struct sock_filter)LD_ABS(NR));
	if (count(sys, nsys, bit, ioctl_nr) &&
	    !add_ioctls(&p, ioc, nioc, bit, ioctl_nr, deny))
		return -1;
	if (!add_allows(&p, sys, nsys, bit, ioctl_nr) ||
	    !emit(&p, (struct sock_filter)RET(deny)))
		return -1;
	return p.n;
}

int sc_parse_mode(const char *s)
{
	static const char *const names[] = { "trap", "kill", "log", "off" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcmp(s, names[i]))
			return (int)i;
	return -1;
}

const char *sc_syscall_name(long nr)
{
	size_t i;

	for (i = 0; i < sc_nr_syscalls; i++)
		if (sc_syscalls[i].nr == nr)
			return sc_syscalls[i].name;
	return NULL;
}

/* ---- installing (side effects) ---- */

static const char *const kind_names[SC_KINDS] = {
	[SC_MAIN] = "main", [SC_VCPU] = "vcpu", [SC_IO] = "io",
	[SC_VFIO] = "vfio-io", [SC_CONTROL] = "control",
	[SC_WATCH] = "start-up watcher", [SC_9P] = "9p",
};

/* The SIGSYS handler's globals: the VM it stops (one per process) and the
 * kind of the thread it runs in. */
static struct vm *sc_vm;
static __thread const char *sc_kind;

static char *put(char *p, const char *s)
{
	while (*s)
		*p++ = *s++;
	return p;
}

static char *put_num(char *p, unsigned long v, unsigned int base)
{
	char d[24];
	int n = 0;

	do
		d[n++] = "0123456789abcdef"[v % base];
	while (v /= base);
	while (n)
		*p++ = d[--n];
	return p;
}

/* Async-signal-safe: the message (ioctl's with the request), -ENOSYS as
 * the syscall's result, and a stop request (an atomic, an eventfd write). */
static void sigsys(int sig, siginfo_t *si, void *ctx)
{
	const char *name = sc_syscall_name(si->si_syscall);
	ucontext_t *uc = ctx;
	char buf[160], *p = buf;

	p = put(p, "lkvm: seccomp: ");
	p = put(p, sc_kind ? sc_kind : "unconfined");
	p = put(p, " thread made a forbidden syscall ");
	p = put(p, name ? name : "?");
	p = put(p, " (");
	p = put_num(p, (unsigned int)si->si_syscall, 10);
	p = put(p, ")");
	if (si->si_syscall == __NR_ioctl) {
		p = put(p, " request 0x");
		p = put_num(p, (u32)SC_ARG1(uc), 16);
	}
	p = put(p, "\n");
	if (write(STDERR_FILENO, buf, p - buf) < 0)
		(void)0;
	SC_SET_RET(uc, -ENOSYS);
	if (sc_vm)
		vm_request_exit(sc_vm, VM_ERROR);
}

static int sc_fail(const char *what)
{
	pr_err("seccomp: %s thread: %s: %s (--seccomp=off runs unconfined)",
	       sc_kind, what, strerror(errno));
	vm_request_exit(sc_vm, VM_ERROR);
	return -1;
}

int sc_setup(struct vm *vm)
{
	struct sigaction sa = { .sa_sigaction = sigsys, .sa_flags = SA_SIGINFO };

	sc_vm = vm;	/* each thread's sc_enter: --user, then the filter */
	if (vm->cfg->seccomp == SC_OFF)
		return 0;
	sigfillset(&sa.sa_mask);
	if (sigaction(SIGSYS, &sa, NULL)) {
		pr_err("seccomp: SIGSYS handler: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int sc_enter(enum sc_kind kind)
{
	struct sock_filter f[SC_MAX_INSNS];
	struct sock_fprog prog;
	sigset_t set;
	int n;

	if (!sc_vm)
		return 0;
	sc_kind = kind_names[kind];
	if (priv_drop_thread(&sc_vm->user)) {
		pr_err("%s thread: cannot switch to --user %u:%u: %s", sc_kind,
		       sc_vm->user.uid, sc_vm->user.gid, strerror(errno));
		vm_request_exit(sc_vm, VM_ERROR);
		return -1;
	}
	if (sc_vm->cfg->seccomp == SC_OFF || (SAN_MAIN && kind == SC_MAIN))
		return 0;
	n = sc_build(sc_syscalls, sc_nr_syscalls, sc_ioctls, sc_nr_ioctls, kind,
		     sc_audit_arch, __NR_ioctl, sc_vm->cfg->seccomp, f);
	if (n < 0) {
		errno = E2BIG;
		return sc_fail("filter too long");
	}
	sigemptyset(&set);
	sigaddset(&set, SIGSYS);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return sc_fail("PR_SET_NO_NEW_PRIVS");
	prog = (struct sock_fprog){ .len = n, .filter = f };
	if (syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog))
		return sc_fail("installing the filter");
	return 0;
}
