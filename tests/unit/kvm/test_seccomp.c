/* Unit tests of kvm/seccomp.c: the built programs run through a small BPF
 * interpreter (allowed and forbidden syscalls and ioctl requests, per kind
 * and mode, wrong architecture), and, on x86_64, filters installed in a
 * forked child: allowed calls work, a forbidden one is trapped with the
 * message naming it and a stop request, or kills the child in kill mode. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/if_tun.h>
#include <linux/kvm.h>
#include <linux/seccomp.h>
#include "kvm/config.h"
#include "kvm/seccomp.h"
#include "vfio/iommufd_uapi.h"
#include "fake_vm.h"
#include "unit.h"

#define BAD_INSN	0xdeadu

/* Runs prog on d: the return value, or BAD_INSN on anything this small
 * interpreter (and the builder) should not produce. */
static u32 bpf_run(const struct sock_filter *p, int n,
		   const struct seccomp_data *d)
{
	u32 a = 0;
	int pc = 0;

	while (pc < n) {
		const struct sock_filter *i = &p[pc++];

		switch (i->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			if (i->k + 4 > sizeof(*d) || i->k % 4)
				return BAD_INSN;
			memcpy(&a, (const char *)d + i->k, 4);
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
			pc += a == i->k ? i->jt : i->jf;
			break;
		case BPF_JMP | BPF_JSET | BPF_K:
			pc += a & i->k ? i->jt : i->jf;
			break;
		case BPF_JMP | BPF_JA:
			pc += i->k;
			break;
		case BPF_RET | BPF_K:
			return i->k;
		default:
			return BAD_INSN;
		}
	}
	return BAD_INSN;
}

static u32 check2(enum sc_kind kind, enum sc_mode mode, u32 arch, long nr,
		  u64 arg1, u64 arg2)
{
	struct sock_filter f[SC_MAX_INSNS];
	struct seccomp_data d = { .nr = nr, .arch = arch,
				  .args = { 3, arg1, arg2 } };
	int n = sc_build(sc_syscalls, sc_nr_syscalls, sc_ioctls, sc_nr_ioctls,
			 kind, sc_audit_arch, __NR_ioctl, mode, f);

	if (n <= 0)
		return BAD_INSN;
	return bpf_run(f, n, &d);
}

static u32 check(enum sc_kind kind, enum sc_mode mode, u32 arch, long nr,
		 u64 arg1)
{
	return check2(kind, mode, arch, nr, arg1, 0);
}

#define ALLOW	SECCOMP_RET_ALLOW
#define TRAP	SECCOMP_RET_TRAP
#define A	sc_audit_arch

TEST(seccomp_every_kind_builds_and_allows_libc_basics)
{
	int k;

	for (k = 0; k < SC_KINDS; k++) {
		EXPECT_EQ(check(k, SC_TRAP, A, __NR_futex, 0), ALLOW);
		EXPECT_EQ(check(k, SC_TRAP, A, __NR_write, 0), ALLOW);
		EXPECT_EQ(check(k, SC_TRAP, A, __NR_exit_group, 0), ALLOW);
		EXPECT_EQ(check(k, SC_TRAP, A, __NR_rt_sigreturn, 0), ALLOW);
		EXPECT_EQ(check(k, SC_TRAP, A, __NR_execve, 0), TRAP);
		EXPECT_EQ(check(k, SC_TRAP, A, __NR_socket, 0), TRAP);
		EXPECT_EQ(check(k, SC_TRAP, A, __NR_clone3, 0), TRAP);
		EXPECT_EQ(check(k, SC_TRAP, A, __NR_mount, 0), TRAP);
#ifndef __SANITIZE_ADDRESS__	/* ASan's runtime opens files */
		/* the 9p worker's writable opens: seccomp_9p_worker_only */
		if (k != SC_9P)
			EXPECT_EQ(check2(k, SC_TRAP, A, __NR_openat, 0, O_RDWR),
				  TRAP);
		EXPECT_EQ(check(k, SC_TRAP, A, __NR_clone, 0), TRAP);
#endif
	}
}

TEST(seccomp_other_arch_and_x32_are_refused)
{
	EXPECT_EQ(check(SC_VCPU, SC_TRAP, A ^ 1, __NR_read, 0),
		  SECCOMP_RET_KILL_PROCESS);
	EXPECT_EQ(check(SC_VCPU, SC_LOG, 0, __NR_read, 0),
		  SECCOMP_RET_KILL_PROCESS);
	EXPECT_EQ(check(SC_VCPU, SC_TRAP, A, __NR_read | 0x40000000, 0), TRAP);
}

TEST(seccomp_ioctl_requests_per_kind)
{
	EXPECT_EQ(check(SC_VCPU, SC_TRAP, A, __NR_ioctl, KVM_RUN), ALLOW);
	/* the kernel ignores the request's upper 32 bits: so does the filter */
	EXPECT_EQ(check(SC_VCPU, SC_TRAP, A, __NR_ioctl,
			0xffffffff00000000ULL | KVM_RUN), ALLOW);
	EXPECT_EQ(check(SC_VCPU, SC_TRAP, A, __NR_ioctl, TUNSETIFF), TRAP);
	EXPECT_EQ(check(SC_VCPU, SC_TRAP, A, __NR_ioctl, KVM_CREATE_VCPU), TRAP);
	EXPECT_EQ(check(SC_IO, SC_TRAP, A, __NR_ioctl, KVM_SIGNAL_MSI), ALLOW);
	/* a root port's hotplug MSI, sent by the main thread's vfio add */
	EXPECT_EQ(check(SC_MAIN, SC_TRAP, A, __NR_ioctl, KVM_SIGNAL_MSI), ALLOW);
	EXPECT_EQ(check(SC_CONTROL, SC_TRAP, A, __NR_ioctl, KVM_SIGNAL_MSI),
		  TRAP);
	EXPECT_EQ(check(SC_IO, SC_TRAP, A, __NR_ioctl, KVM_RUN), TRAP);
	EXPECT_EQ(check(SC_CONTROL, SC_TRAP, A, __NR_ioctl, KVM_RUN), TRAP);
	EXPECT_EQ(check(SC_MAIN, SC_TRAP, A, __NR_ioctl, KVM_RUN), TRAP);
	/* the iommufd teardown at exit runs confined, and so does a device
	 * set up by `lkvm vfio add` (main thread); no other thread maps */
	EXPECT_EQ(check(SC_MAIN, SC_TRAP, A, __NR_ioctl, IOMMU_IOAS_UNMAP),
		  ALLOW);
	EXPECT_EQ(check(SC_MAIN, SC_TRAP, A, __NR_ioctl,
			VFIO_DEVICE_DETACH_IOMMUFD_PT), ALLOW);
	EXPECT_EQ(check(SC_MAIN, SC_TRAP, A, __NR_ioctl, IOMMU_DESTROY), ALLOW);
	EXPECT_EQ(check(SC_MAIN, SC_TRAP, A, __NR_ioctl, IOMMU_IOAS_MAP),
		  ALLOW);
	EXPECT_EQ(check(SC_MAIN, SC_TRAP, A, __NR_ioctl,
			VFIO_GROUP_GET_DEVICE_FD), ALLOW);
	EXPECT_EQ(check(SC_VCPU, SC_TRAP, A, __NR_ioctl, IOMMU_IOAS_MAP), TRAP);
	EXPECT_EQ(check(SC_VFIO, SC_TRAP, A, __NR_ioctl,
			VFIO_IOMMU_MAP_DMA), TRAP);
	EXPECT_EQ(check(SC_VCPU, SC_TRAP, A, __NR_ioctl, IOMMU_IOAS_UNMAP),
		  TRAP);
}

TEST(seccomp_kinds_differ)
{
	EXPECT_EQ(check(SC_CONTROL, SC_TRAP, A, __NR_accept4, 0), ALLOW);
	EXPECT_EQ(check(SC_VCPU, SC_TRAP, A, __NR_accept4, 0), TRAP);
	EXPECT_EQ(check(SC_IO, SC_TRAP, A, __NR_fdatasync, 0), ALLOW);
	EXPECT_EQ(check(SC_CONTROL, SC_TRAP, A, __NR_fdatasync, 0), TRAP);
	EXPECT_EQ(check(SC_VFIO, SC_TRAP, A, __NR_epoll_pwait, 0), ALLOW);
	EXPECT_EQ(check(SC_VCPU, SC_TRAP, A, __NR_epoll_pwait, 0), TRAP);
	EXPECT_EQ(check(SC_MAIN, SC_TRAP, A, __NR_unlinkat, 0), ALLOW);
	EXPECT_EQ(check(SC_IO, SC_TRAP, A, __NR_unlinkat, 0), TRAP);
}

/* The 9p worker's file syscalls are its own: the vCPU and plain I/O
 * threads do not get them; it keeps every I/O-thread row. */
TEST(seccomp_9p_worker_only)
{
	static const long nrs[] = { __NR_mkdirat, __NR_renameat2, __NR_linkat,
				    __NR_symlinkat, __NR_fchmodat,
				    __NR_getdents64, __NR_openat2 };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(nrs); i++) {
		EXPECT_EQ(check(SC_9P, SC_TRAP, A, nrs[i], 0), ALLOW);
#ifndef __SANITIZE_ADDRESS__	/* ASan's runtime reads directories */
		EXPECT_EQ(check(SC_VCPU, SC_TRAP, A, nrs[i], 0), TRAP);
		EXPECT_EQ(check(SC_IO, SC_TRAP, A, nrs[i], 0), TRAP);
#endif
	}
	EXPECT_EQ(check2(SC_9P, SC_TRAP, A, __NR_openat, 0, O_RDWR | O_CREAT),
		  ALLOW);
#ifndef __SANITIZE_ADDRESS__
	EXPECT_EQ(check2(SC_VCPU, SC_TRAP, A, __NR_openat, 0, O_RDWR), TRAP);
#endif
	EXPECT_EQ(check(SC_9P, SC_TRAP, A, __NR_ioctl, KVM_SIGNAL_MSI), ALLOW);
	EXPECT_EQ(check(SC_9P, SC_TRAP, A, __NR_ioctl, KVM_RUN), TRAP);
	EXPECT_EQ(check(SC_9P, SC_TRAP, A, __NR_execve, 0), TRAP);
}

/* /proc/interrupts is held open (vfio/irqstat.c): no thread but the 9p
 * worker opens a file once confined, not even read-only */
TEST(seccomp_openat_refused)
{
#ifndef __SANITIZE_ADDRESS__
	int k;

	for (k = 0; k < SC_KINDS; k++) {
		if (k == SC_9P)
			continue;
		EXPECT_EQ(check2(k, SC_TRAP, A, __NR_openat, 0, O_RDONLY |
				 O_CLOEXEC), TRAP);
		EXPECT_EQ(check2(k, SC_TRAP, A, __NR_openat, 0, O_RDWR), TRAP);
	}
#endif
	EXPECT_EQ(check2(SC_VCPU, SC_TRAP, A, __NR_epoll_ctl, 0, O_RDWR), ALLOW);
	/* ... and read through pread: `lkvm stat --vfio` on the control
	 * thread, banking at disable on vCPU threads (seen trapped on arm64) */
	EXPECT_EQ(check(SC_CONTROL, SC_TRAP, A, __NR_pread64, 0), ALLOW);
	EXPECT_EQ(check(SC_VCPU, SC_TRAP, A, __NR_pread64, 0), ALLOW);
}

TEST(seccomp_modes_set_the_default_action)
{
	EXPECT_EQ(check(SC_VCPU, SC_KILL, A, __NR_socket, 0),
		  SECCOMP_RET_KILL_PROCESS);
	EXPECT_EQ(check(SC_VCPU, SC_LOG, A, __NR_socket, 0), SECCOMP_RET_LOG);
	EXPECT_EQ(check(SC_VCPU, SC_KILL, A, __NR_ioctl, TUNSETIFF),
		  SECCOMP_RET_KILL_PROCESS);
	EXPECT_EQ(check(SC_VCPU, SC_KILL, A, __NR_read, 0), ALLOW);
}

/* A synthetic table, independent of this architecture's numbers. */
TEST(seccomp_builder_on_a_small_table)
{
	static const struct sc_rule sys[] = {
		{ 7, "seven", 1u << SC_IO }, { 9, "ioctl", 1u << SC_IO },
		{ -1, "absent", 1u << SC_IO }, { 11, "eleven", 0 },
	};
	static const struct sc_rule ioc[] = { { 0x1234, "REQ", 1u << SC_IO } };
	struct sock_filter f[SC_MAX_INSNS];
	struct seccomp_data d = { .arch = 42 };
	int n = sc_build(sys, 4, ioc, 1, SC_IO, 42, 9, SC_TRAP, f);

	ASSERT(n > 0);
	d.nr = 7;
	EXPECT_EQ(bpf_run(f, n, &d), ALLOW);
	d.nr = 11;
	EXPECT_EQ(bpf_run(f, n, &d), TRAP);
	d.nr = (u32)-1;
	EXPECT_EQ(bpf_run(f, n, &d), TRAP);
	d.nr = 9;
	d.args[1] = 0x1234;
	EXPECT_EQ(bpf_run(f, n, &d), ALLOW);
	d.args[1] = 0x1235;
	EXPECT_EQ(bpf_run(f, n, &d), TRAP);
	n = sc_build(sys, 4, ioc, 1, SC_VCPU, 42, 9, SC_TRAP, f);
	d.args[1] = 0x1234;
	EXPECT_EQ(bpf_run(f, n, &d), TRAP);
}

TEST(seccomp_modes_and_names)
{
	EXPECT_EQ(sc_parse_mode("trap"), SC_TRAP);
	EXPECT_EQ(sc_parse_mode("kill"), SC_KILL);
	EXPECT_EQ(sc_parse_mode("log"), SC_LOG);
	EXPECT_EQ(sc_parse_mode("off"), SC_OFF);
	EXPECT_EQ(sc_parse_mode("Trap"), -1);
	EXPECT_STR(sc_syscall_name(__NR_socket), "socket");
	EXPECT_STR(sc_syscall_name(__NR_ioctl), "ioctl");
	EXPECT(!sc_syscall_name(100000));
}

#ifdef __x86_64__
/* In a child confined as kind under mode: fn's result is the exit status;
 * stderr goes to errfd. Returns the wait status. */
static int in_child(enum sc_kind kind, enum sc_mode mode, int errfd,
		    int (*fn)(struct vm *vm))
{
	struct lkvm_config cfg = { .seccomp = mode };
	struct vm vm;
	int st = -1;
	pid_t pid = fork();

	if (pid == 0) {
		fake_vm_init(&vm, &cfg, false);
		vm.exit_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		dup2(errfd, STDERR_FILENO);
		if (sc_setup(&vm) || sc_enter(kind))
			_exit(100);
		_exit(fn(&vm));
	}
	waitpid(pid, &st, 0);
	return st;
}

static int allowed_calls(struct vm *vm)
{
	char c = 'x';

	if (write(vm->exit_efd, &(u64){ 1 }, 8) != 8 || getpid() <= 0)
		return 1;
	return write(STDERR_FILENO, &c, 1) == 1 ? 0 : 2;
}

static int forbidden_ioctl(struct vm *vm)
{
	return ioctl(0, TUNSETIFF, NULL) == -1 && errno == ENOSYS ? 0 : 1;
}

static int forbidden_socket(struct vm *vm)
{
	u64 v;
	long r = syscall(__NR_socket, 1, 1, 0);

	if (r != -1 || errno != ENOSYS)
		return 1;
	if (vm->exit_reason != VM_ERROR || read(vm->exit_efd, &v, 8) != 8)
		return 2;
	return 0;
}

/* 0 when the call reached the kernel (it fails there: no such fs type) */
static int forbidden_mount(struct vm *vm)
{
	syscall(__NR_mount, "none", "/nonexistent", "lkvm-none", 0, NULL);
	return errno == ENOSYS ? 3 : 0;
}

static void read_all(int fd, char *buf, size_t len)
{
	ssize_t n = read(fd, buf, len - 1);

	buf[n > 0 ? n : 0] = 0;
}

TEST(seccomp_installed_filters)
{
	char buf[256];
	int p[2], st;

	ASSERT(!pipe2(p, O_CLOEXEC | O_NONBLOCK));
	st = in_child(SC_VCPU, SC_TRAP, p[1], allowed_calls);
	EXPECT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	read_all(p[0], buf, sizeof(buf));
	EXPECT_STR(buf, "x");
	st = in_child(SC_CONTROL, SC_TRAP, p[1], forbidden_socket);
	EXPECT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	read_all(p[0], buf, sizeof(buf));
	EXPECT_STR(buf, "lkvm: seccomp: control thread made a forbidden "
		   "syscall socket (41)\n");
	st = in_child(SC_IO, SC_TRAP, p[1], forbidden_ioctl);
	EXPECT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	read_all(p[0], buf, sizeof(buf));
	EXPECT_STR(buf, "lkvm: seccomp: io thread made a forbidden syscall "
		   "ioctl (16) request 0x400454ca\n");
	st = in_child(SC_VCPU, SC_KILL, p[1], forbidden_mount);
	EXPECT(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS);
	st = in_child(SC_VCPU, SC_OFF, p[1], forbidden_mount);
	EXPECT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	close(p[0]);
	close(p[1]);
}
#endif

TEST(seccomp_option_parsing)
{
	char *ok[] = { "run", "-k", "k", "--seccomp=log", NULL };
	char *def[] = { "run", "-k", "k", NULL };
	char *bad[] = { "run", "-k", "k", "--seccomp", "strict", NULL };
	struct lkvm_config cfg;
	char err[256];

	EXPECT(!config_parse_run(&cfg, 4, ok, err, sizeof(err)));
	EXPECT_EQ(cfg.seccomp, SC_LOG);
	EXPECT(!config_parse_run(&cfg, 3, def, err, sizeof(err)));
	EXPECT_EQ(cfg.seccomp, SC_TRAP);
	EXPECT(config_parse_run(&cfg, 5, bad, err, sizeof(err)));
	EXPECT_STR(err, "unknown --seccomp 'strict'; valid: trap, kill, log, "
		   "off");
}

/* Rows of kind in a table (the builder's length depends on them). */
static int rows(const struct sc_rule *r, size_t n, enum sc_kind kind)
{
	int c = 0;

	while (n--)
		c += !!(r[n].kinds & (1u << kind)) && r[n].nr >= 0;
	return c;
}

/* One instruction per allowed syscall or request (plus a few fixed ones):
 * the kernel's cost of installing a filter grows with its length. */
TEST(seccomp_one_instruction_per_allowed_row)
{
	struct sock_filter f[SC_MAX_INSNS];
	int k, n, want;

	for (k = 0; k < SC_KINDS; k++) {
		n = sc_build(sc_syscalls, sc_nr_syscalls, sc_ioctls,
			     sc_nr_ioctls, k, sc_audit_arch, __NR_ioctl,
			     SC_TRAP, f);
		want = rows(sc_syscalls, sc_nr_syscalls, k) +
		       rows(sc_ioctls, sc_nr_ioctls, k) + 12;
		EXPECT(n > 0 && n <= want);
	}
}

/* More allowed rows than one jump reaches: every one is still allowed,
 * the numbers between them are not; too many requests for ioctl's skip
 * (255 instructions) is refused. */
TEST(seccomp_long_tables)
{
	static struct sc_rule sys[450], ioc[300];
	struct sock_filter f[SC_MAX_INSNS];
	struct seccomp_data d = { .arch = 42 };
	int i, n, bad = 0;

	for (i = 0; i < 450; i++)
		sys[i] = (struct sc_rule){ 2 * i + 100, "x", 1u << SC_IO };
	n = sc_build(sys, 450, ioc, 0, SC_IO, 42, 9, SC_TRAP, f);
	ASSERT(n > 450);
	for (i = 0; i < 450; i++) {
		d.nr = 2 * i + 100;
		bad += bpf_run(f, n, &d) != ALLOW;
		d.nr = 2 * i + 101;
		bad += bpf_run(f, n, &d) != TRAP;
	}
	EXPECT_EQ(bad, 0);
	for (i = 0; i < 300; i++)
		ioc[i] = (struct sc_rule){ 0x1000 + i, "R", 1u << SC_IO };
	sys[0].nr = 9;		/* ioctl, with 300 requests */
	EXPECT_EQ(sc_build(sys, 1, ioc, 300, SC_IO, 42, 9, SC_TRAP, f), -1);
	n = sc_build(sys, 1, ioc, 200, SC_IO, 42, 9, SC_TRAP, f);
	ASSERT(n > 0);
	d.nr = 9;
	d.args[1] = 0x1000 + 199;
	EXPECT_EQ(bpf_run(f, n, &d), ALLOW);
	d.args[1] = 0x1000 + 200;
	EXPECT_EQ(bpf_run(f, n, &d), TRAP);
}
