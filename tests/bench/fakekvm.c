/* A stand-in for /dev/kvm that answers at once, linked into a bench build of
 * lkvm with -Wl,--wrap= open, openat, ioctl, close and pthread_create: lkvm's own
 * start-up work can then be timed at native speed on a host without KVM. Every
 * KVM_RUN exits with the ACPI power-off write the bench's guest makes
 * (FAKEKVM_GUEST=halt: waits for a signal; FAKEKVM_SLOW_MS,
 * FAKEKVM_CHECK_CONFINED and FAKEKVM_REPORT: see below). */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <pthread.h>
#include <dirent.h>
#include <time.h>
#include <unistd.h>
#include <cpuid.h>
#include <linux/futex.h>
#include <linux/kvm.h>

#ifndef __x86_64__
#error "fakekvm: x86_64 only (its guest is an x86 port write)"
#endif

int __real_open(const char *path, int flags, ...);
int __real_openat(int dir, const char *path, int flags, ...);
int __real_ioctl(int fd, unsigned long req, ...);
int __real_close(int fd);

#define MAX_FD		4096
#define RUN_SIZE	(3 * 4096)
#define PIO_OFFSET	4096

enum kind { NONE, SYS, VM, VCPU };

static unsigned char kinds[MAX_FD];
static struct kvm_run *runs[MAX_FD];

static int fake_fd(const char *name, enum kind k, size_t size)
{
	int fd = memfd_create(name, MFD_CLOEXEC);

	if (fd < 0)
		return -1;
	if (fd >= MAX_FD || (size && ftruncate(fd, size))) {
		__real_close(fd);
		errno = EMFILE;
		return -1;
	}
	__atomic_store_n(&kinds[fd], k, __ATOMIC_RELEASE);
	return fd;
}

static enum kind kind_of(int fd)
{
	return fd >= 0 && fd < MAX_FD ?
		__atomic_load_n(&kinds[fd], __ATOMIC_ACQUIRE) : NONE;
}

/* The node lkvm opens as KVM (kvm/vm.c): /dev/kvm or $LKVM_KVM_DEVICE. */
static int is_kvm(const char *path)
{
	const char *p = getenv("LKVM_KVM_DEVICE");

	return path && !strcmp(path, p ? p : "/dev/kvm");
}

static mode_t mode_arg(int flags, va_list ap)
{
	return (flags & (O_CREAT | __O_TMPFILE)) ? va_arg(ap, mode_t) : 0;
}

static int do_openat(int dir, const char *path, int flags, va_list ap)
{
	mode_t m = mode_arg(flags, ap);

	if (is_kvm(path))
		return fake_fd("fakekvm", SYS, 0);
	return dir == AT_FDCWD ? __real_open(path, flags, m) :
				 __real_openat(dir, path, flags, m);
}

int __wrap_open(const char *path, int flags, ...)
{
	va_list ap;
	int fd;

	va_start(ap, flags);
	fd = do_openat(AT_FDCWD, path, flags, ap);
	va_end(ap);
	return fd;
}

int __wrap_openat(int dir, const char *path, int flags, ...)
{
	va_list ap;
	int fd;

	va_start(ap, flags);
	fd = do_openat(dir, path, flags, ap);
	va_end(ap);
	return fd;
}

static int supported_cpuid(struct kvm_cpuid2 *c)
{
	static const uint32_t leaves[] = { 0, 1, 7, 0xd, 0x80000000,
					   0x80000001, 0x80000008 };
	uint32_t i, n = sizeof(leaves) / sizeof(leaves[0]);

	if (c->nent < n) {
		errno = E2BIG;
		return -1;
	}
	memset(c->entries, 0, n * sizeof(c->entries[0]));
	for (i = 0; i < n; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];

		e->function = leaves[i];
		__cpuid_count(e->function, 0, e->eax, e->ebx, e->ecx, e->edx);
		if (e->function == 7 || e->function == 0xd)
			e->flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX;
	}
	c->nent = n;
	return 0;
}

static int check_extension(unsigned long cap)
{
	switch (cap) {
	case KVM_CAP_NR_MEMSLOTS:
		return 509;
	case KVM_CAP_MAX_VCPUS:
	case KVM_CAP_NR_VCPUS:
		return 240;
	case KVM_CAP_XSAVE2:
		return 4096;
	default:
		return 1;
	}
}

static int create_vcpu(void)
{
	int fd = fake_fd("fakekvm-vcpu", VCPU, RUN_SIZE);
	void *r;

	if (fd < 0)
		return -1;
	r = mmap(NULL, RUN_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (r == MAP_FAILED) {
		__real_close(fd);
		return -1;
	}
	runs[fd] = r;
	return fd;
}

/* FAKEKVM_REPORT=1: the first KVM_RUN prints (stderr) how long after this
 * constructor ran (just before main) it came: lkvm's own start-up time
 * without --debug's messages. */
static struct timespec started;

__attribute__((constructor)) static void note_start(void)
{
	clock_gettime(CLOCK_MONOTONIC, &started);
}

static void report_first_run(void)
{
	static int done;
	const char *on = getenv("FAKEKVM_REPORT");
	struct timespec t;

	if (done || !on || strcmp(on, "1"))
		return;
	done = 1;
	clock_gettime(CLOCK_MONOTONIC, &t);
	fprintf(stderr, "fakekvm: first KVM_RUN %.3f ms after start\n",
		(t.tv_sec - started.tv_sec) * 1e3 +
		(t.tv_nsec - started.tv_nsec) / 1e6);
}

/* The guest's one instruction: out dx=0x604, ax=0x3400 (SLP_TYP 5, SLP_EN);
 * or, with FAKEKVM_GUEST=halt, a halted guest: KVM_RUN waits for a signal. */
static int run(int fd)
{
	struct kvm_run *r = runs[fd];
	const char *g = getenv("FAKEKVM_GUEST");
	uint16_t v = 0x3400;

	report_first_run();
	if (g && !strcmp(g, "halt")) {
		static int never;	/* futex: the vCPU filter allows it */

		syscall(SYS_futex, &never, FUTEX_WAIT_PRIVATE, 0, NULL);
		errno = EINTR;
		return -1;
	}

	r->exit_reason = KVM_EXIT_IO;
	r->io.direction = KVM_EXIT_IO_OUT;
	r->io.size = 2;
	r->io.port = 0x604;
	r->io.count = 1;
	r->io.data_offset = PIO_OFFSET;
	memcpy((char *)r + PIO_OFFSET, &v, sizeof(v));
	return 0;
}

static int sys_ioctl(unsigned long req, void *arg)
{
	switch (req) {
	case KVM_GET_API_VERSION:
		return KVM_API_VERSION;
	case KVM_CHECK_EXTENSION:
		return check_extension((unsigned long)arg);
	case KVM_GET_VCPU_MMAP_SIZE:
		return RUN_SIZE;
	case KVM_CREATE_VM:
		return fake_fd("fakekvm-vm", VM, 0);
	case KVM_GET_SUPPORTED_CPUID:
		return supported_cpuid(arg);
	case KVM_GET_MSR_INDEX_LIST:
		((struct kvm_msr_list *)arg)->nmsrs = 0;
		return 0;
	}
	return 0;
}

/* FAKEKVM_SLOW_MS=N: the guest's RAM slot takes N ms to set (an init level,
 * for tests that stop lkvm while it sets the VM up). */
static void slow_memslot(void)
{
	const char *ms = getenv("FAKEKVM_SLOW_MS");
	struct timespec t;
	long n;

	if (!ms || (n = atol(ms)) <= 0)
		return;
	t.tv_sec = n / 1000;
	t.tv_nsec = n % 1000 * 1000000;
	while (nanosleep(&t, &t) && errno == EINTR)
		;
}

static int fake_ioctl(int fd, enum kind k, unsigned long req, void *arg)
{
	if (k == VM && req == KVM_SET_USER_MEMORY_REGION)
		slow_memslot();
	if (k == SYS)
		return sys_ioctl(req, arg);
	if (k == VM && req == KVM_CHECK_EXTENSION)
		return check_extension((unsigned long)arg);
	if (k == VM && req == KVM_CREATE_VCPU)
		return create_vcpu();
	if (k == VCPU && req == KVM_RUN)
		return run(fd);
	/* Everything else succeeds; what it reads back is zeros. */
	if (_IOC_DIR(req) & _IOC_READ && arg)
		memset(arg, 0, _IOC_SIZE(req));
	return 0;
}

/* FAKEKVM_CHECK_CONFINED=1: at each pthread_create, prints on stderr how
 * many other threads there are and how many of them have a seccomp filter
 * on (the control thread's creation follows the vCPUs' start). */
static void check_confined(void)
{
	const char *on = getenv("FAKEKVM_CHECK_CONFINED");
	char path[300], line[128];
	int fd, self = gettid(), others = 0, confined = 0, n;
	struct dirent64 *d;
	char buf[4096];
	FILE *f;

	if (!on || strcmp(on, "1"))
		return;
	fd = __real_open("/proc/self/task", O_RDONLY | O_DIRECTORY);
	while (fd >= 0 && (n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0)
		for (d = (void *)buf; (char *)d < buf + n;
		     d = (void *)((char *)d + d->d_reclen)) {
			if (d->d_name[0] == '.' || atoi(d->d_name) == self)
				continue;
			others++;
			snprintf(path, sizeof(path), "/proc/self/task/%s/status",
				 d->d_name);
			f = fopen(path, "r");
			while (f && fgets(line, sizeof(line), f))
				confined += !strcmp(line, "Seccomp:\t2\n");
			if (f)
				fclose(f);
		}
	if (fd >= 0)
		__real_close(fd);
	fprintf(stderr, "fakekvm: a thread is created beside %d others, %d "
		"of them confined\n", others, confined);
}

int __real_pthread_create(pthread_t *t, const pthread_attr_t *a,
			  void *(*fn)(void *), void *arg);

int __wrap_pthread_create(pthread_t *t, const pthread_attr_t *a,
			  void *(*fn)(void *), void *arg)
{
	check_confined();
	return __real_pthread_create(t, a, fn, arg);
}

int __wrap_ioctl(int fd, unsigned long req, ...)
{
	enum kind k = kind_of(fd);
	va_list ap;
	void *arg;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (k != NONE)
		return fake_ioctl(fd, k, req, arg);
	return __real_ioctl(fd, req, arg);
}

int __wrap_close(int fd)
{
	if (kind_of(fd) == VCPU && runs[fd]) {
		munmap(runs[fd], RUN_SIZE);
		runs[fd] = NULL;
	}
	if (kind_of(fd) != NONE)
		__atomic_store_n(&kinds[fd], NONE, __ATOMIC_RELEASE);
	return __real_close(fd);
}
