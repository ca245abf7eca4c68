/* VM lifetime: opening /dev/kvm with capability checks and clear errors,
 * guest RAM and memslots, interrupt lines, and the exit request. */
#include <errno.h>
#include <poll.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <unistd.h>
#include "kvm/guest_log.h"
#include "kvm/kvm_access.h"
#include "kvm/vm.h"

static const struct vm_cap required_caps[] = {
	VM_CAP(KVM_CAP_USER_MEMORY), VM_CAP(KVM_CAP_IRQCHIP),
	VM_CAP(KVM_CAP_IRQFD), VM_CAP(KVM_CAP_IRQ_ROUTING),
	VM_CAP(KVM_CAP_IOEVENTFD), VM_CAP(KVM_CAP_IMMEDIATE_EXIT), { 0 }
};

/* The name of id in /etc/group or /etc/passwd (both "name:x:id:..."), not
 * getgrgid()/getpwuid(): they need NSS libraries at run time, which a
 * static lkvm in a bare initramfs lacks. */
static const char *id_name(const char *file, unsigned int want, char *buf,
			   size_t len)
{
	FILE *f = fopen(file, "re");
	const char *name = NULL;
	unsigned int id;
	char *p, *q;

	while (f && !name && fgets(buf, len, f)) {
		p = strchr(buf, ':');
		q = p ? strchr(p + 1, ':') : NULL;
		if (!q || sscanf(q + 1, "%u", &id) != 1 || id != want)
			continue;
		*p = 0;
		name = buf;
	}
	if (f)
		fclose(f);
	return name;
}

static bool have_group(gid_t gid)
{
	gid_t groups[256];
	int i, n = getgroups(ARRAY_SIZE(groups), groups);

	if (getegid() == gid)
		return true;
	for (i = 0; i < n; i++)
		if (groups[i] == gid)
			return true;
	return false;
}

static void explain_open_error(const char *path, int err)
{
	char ubuf[512], gbuf[512], msg[768];
	struct kvm_node n = { 0 };
	struct stat st;

	if ((err == EACCES || err == EPERM) && !stat(path, &st)) {
		n.known = true;
		n.mode = st.st_mode;
		n.uid = st.st_uid;
		n.gid = st.st_gid;
		n.owner = id_name("/etc/passwd", st.st_uid, ubuf, sizeof(ubuf));
		n.group = id_name("/etc/group", st.st_gid, gbuf, sizeof(gbuf));
		n.in_group = have_group(st.st_gid);
	}
	kvm_open_advice(path, err, &n, msg, sizeof(msg));
	pr_err("%s", msg);
}

static int check_caps(struct vm *vm, const struct vm_cap *c)
{
	for (; c->name; c++) {
		if (ioctl(vm->sys_fd, KVM_CHECK_EXTENSION, c->cap) > 0)
			continue;
		pr_err("this host's KVM lacks %s, which lkvm needs (kernel too "
		       "old or KVM built without it)", c->name);
		return -1;
	}
	return 0;
}

static int check_host(struct vm *vm, const char *path)
{
	int v;

	v = ioctl(vm->sys_fd, KVM_GET_API_VERSION, 0);
	if (v != KVM_API_VERSION) {
		pr_err("%s speaks KVM API %d, lkvm needs %d", path, v,
		       KVM_API_VERSION);
		return -1;
	}
	if (check_caps(vm, required_caps) || check_caps(vm, arch_required_caps))
		return -1;
	vm->vcpu_mmap_size = ioctl(vm->sys_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (vm->vcpu_mmap_size <= 0) {
		pr_err("KVM_GET_VCPU_MMAP_SIZE failed: %s", strerror(errno));
		return -1;
	}
	vm->max_vcpus = ioctl(vm->sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS);
	if (vm->max_vcpus <= 0)
		vm->max_vcpus = ioctl(vm->sys_fd, KVM_CHECK_EXTENSION,
				      KVM_CAP_NR_VCPUS);
	if (vm->max_vcpus <= 0)
		vm->max_vcpus = 4;
	vm->readonly_mem = ioctl(vm->sys_fd, KVM_CHECK_EXTENSION,
				 KVM_CAP_READONLY_MEM) > 0;
	return 0;
}

static int check_config(struct vm *vm, const struct lkvm_config *cfg)
{
	struct sysinfo si;
	u64 host;
	int limit = MIN(vm->max_vcpus, 254);

	if (cfg->nr_cpus > limit) {
		pr_err("-c %d is above the limit of %d vCPUs (KVM allows %d, "
		       "xAPIC ids allow 254)", cfg->nr_cpus, limit, vm->max_vcpus);
		return -1;
	}
	if (sysinfo(&si) == 0) {
		host = ((u64)si.totalram + si.totalswap) * si.mem_unit;
		if (cfg->ram_mib > host / SZ_1M) {
			pr_err("-m %llu MiB is more than this host has (%llu MiB "
			       "RAM + swap)", (unsigned long long)cfg->ram_mib,
			       (unsigned long long)(host / SZ_1M));
			return -1;
		}
	}
	return 0;
}

bool vm_signal_pending(const struct vm *vm)
{
	struct pollfd p = { .fd = vm->sig_fd, .events = POLLIN };

	return vm->sig_watch && poll(&p, 1, 0) > 0 && (p.revents & POLLIN);
}

int vm_open(struct vm *vm, const struct lkvm_config *cfg)
{
	const char *path = getenv("LKVM_KVM_DEVICE");

	memset(vm, 0, sizeof(*vm));
	vm->cfg = cfg;
	vm->sys_fd = vm->vm_fd = vm->exit_efd = -1;
	vm->nr_cpus = cfg->nr_cpus;
	pthread_mutex_init(&vm->memslot_lock, NULL);
	pthread_mutex_init(&vm->pause_lock, NULL);
	pthread_mutex_init(&vm->ctl_lock, NULL);
	pthread_cond_init(&vm->pause_cond, NULL);
	vm->ram_fd = vm->reaper_fd = -1;
	iobus_init(&vm->pio, "pio");
	iobus_init(&vm->mmio, "mmio");
	if (!path || !*path)
		path = "/dev/kvm";

	vm->sys_fd = open(path, O_RDWR | O_CLOEXEC);
	if (vm->sys_fd < 0) {
		explain_open_error(path, errno);
		return -1;
	}
	if (check_host(vm, path) || check_config(vm, cfg))
		return -1;
	vm->vm_fd = ioctl(vm->sys_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0) {
		pr_err("KVM_CREATE_VM failed: %s", strerror(errno));
		return -1;
	}
	vm->exit_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (vm->exit_efd < 0) {
		pr_err("eventfd: %s", strerror(errno));
		return -1;
	}
	return 0;
}

bool vm_check_cap(struct vm *vm, long cap)
{
	return ioctl(vm->vm_fd, KVM_CHECK_EXTENSION, cap) > 0;
}

/* --restore: guest RAM is the snapshot's file, mapped private so that the
 * guest's writes never reach it and pages load on first touch. */
static int map_ram_file(struct vm *vm, u64 size)
{
	struct stat st = { 0 };
	void *p;

	if (fstat(vm->ram_fd, &st) || (u64)st.st_size != size) {
		pr_err("snapshot RAM file: %llu bytes, the VM has %llu: the "
		       "snapshot is damaged", (unsigned long long)st.st_size,
		       (unsigned long long)size);
		return -1;
	}
	p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_NORESERVE, vm->ram_fd, 0);
	if (p == MAP_FAILED) {
		pr_err("cannot map the snapshot's %llu MiB of RAM: %s",
		       (unsigned long long)(size / SZ_1M), strerror(errno));
		return -1;
	}
	vm->ram = p;
	vm->ram_size = size;
	return 0;
}

/* Guest RAM starts on a 2 MiB boundary, so that each 2 MiB of guest
 * physical memory can be one transparent huge page and one large stage-2
 * mapping (fewer faults while a kernel decompresses itself): 2 MiB more is
 * reserved, and the slack on either side of the aligned range unmapped. */
int vm_alloc_ram(struct vm *vm, u64 size)
{
	u8 *p, *ram;
	u64 head;

	if (vm->ram_fd >= 0)
		return map_ram_file(vm, size);
	p = mmap(NULL, size + SZ_2M, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED) {
		pr_err("cannot map %llu MiB of guest RAM: %s; use a smaller -m",
		       (unsigned long long)(size / SZ_1M), strerror(errno));
		return -1;
	}
	ram = (u8 *)ALIGN_UP((unsigned long)p, SZ_2M);
	head = ram - p;
	if (head)
		munmap(p, head);
	munmap(ram + size, SZ_2M - head);
	madvise(ram, size, MADV_HUGEPAGE);
	vm->ram = ram;
	vm->ram_size = size;
	return 0;
}

int vm_set_memslot(struct vm *vm, u32 slot, u64 gpa, u64 size, void *hva,
		   u32 flags)
{
	struct kvm_userspace_memory_region r = {
		.slot = slot,
		.flags = flags,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (u64)(unsigned long)hva,
	};

	if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &r) < 0) {
		/* after start-up, only a guest's BAR moves get here */
		pr_guest(vm, "KVM_SET_USER_MEMORY_REGION slot %u gpa 0x%llx size 0x%llx: %s",
		       slot, (unsigned long long)gpa, (unsigned long long)size,
		       strerror(errno));
		return -1;
	}
	return 0;
}

int vm_add_ram(struct vm *vm, u64 gpa, u64 size, u64 ram_offset)
{
	u8 *hva = vm->ram + ram_offset;
	int slot = vm->nr_memslots;

	if (vm_set_memslot(vm, slot, gpa, size, hva, 0))
		return -1;
	if (guest_mem_add(&vm->mem, gpa, size, hva))
		return -1;
	vm->memslot_used[slot / 64] |= 1ULL << (slot % 64);
	vm->nr_memslots++;
	return 0;
}

static int memslot_get(struct vm *vm)
{
	int slot, max = ioctl(vm->sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_MEMSLOTS);
	int ret = -1;

	if (max <= 0 || max > 64 * (int)ARRAY_SIZE(vm->memslot_used))
		max = 64 * ARRAY_SIZE(vm->memslot_used);
	pthread_mutex_lock(&vm->memslot_lock);
	for (slot = 0; slot < max; slot++) {
		u64 bit = 1ULL << (slot % 64);

		if (vm->memslot_used[slot / 64] & bit)
			continue;
		vm->memslot_used[slot / 64] |= bit;
		ret = slot;
		break;
	}
	pthread_mutex_unlock(&vm->memslot_lock);
	return ret;
}

static void memslot_put(struct vm *vm, int slot)
{
	pthread_mutex_lock(&vm->memslot_lock);
	vm->memslot_used[slot / 64] &= ~(1ULL << (slot % 64));
	pthread_mutex_unlock(&vm->memslot_lock);
}

static int map_memory(struct vm *vm, u64 gpa, u64 size, void *hva,
		      u32 flags)
{
	int slot = memslot_get(vm);

	if (slot < 0) {
		pr_err("no free KVM memory slot for 0x%llx bytes at 0x%llx",
		       (unsigned long long)size, (unsigned long long)gpa);
		return -1;
	}
	if (vm_set_memslot(vm, slot, gpa, size, hva, flags)) {
		memslot_put(vm, slot);
		return -1;
	}
	return slot;
}

int vm_map_memory(struct vm *vm, u64 gpa, u64 size, void *hva)
{
	return map_memory(vm, gpa, size, hva, 0);
}

int vm_map_memory_ro(struct vm *vm, u64 gpa, u64 size, void *hva)
{
	if (!vm->readonly_mem)
		return -1;
	return map_memory(vm, gpa, size, hva, KVM_MEM_READONLY);
}

void vm_unmap_memory(struct vm *vm, int slot)
{
	/* a zero-sized region deletes the slot */
	vm_set_memslot(vm, slot, 0, 0, NULL, 0);
	memslot_put(vm, slot);
}

int vm_irq_line(struct vm *vm, u32 irq, int level)
{
	struct kvm_irq_level l = { .irq = arch_irq_line(irq), .level = level };

	return ioctl(vm->vm_fd, KVM_IRQ_LINE, &l);
}

static void request_exit(struct vm *vm, enum vm_exit_reason why, u8 value)
{
	enum vm_exit_reason none = VM_RUNNING;
	u64 one = 1;

	if (!__atomic_compare_exchange_n(&vm->exit_reason, &none, why, false,
					 __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
		return;
	vm->exit_value = value;	/* read after the vCPUs are joined */
	if (write(vm->exit_efd, &one, sizeof(one)) < 0)
		pr_debug("exit eventfd: %s", strerror(errno));
}

void vm_request_exit(struct vm *vm, enum vm_exit_reason why)
{
	request_exit(vm, why, 0);
}

void vm_debug_exit_io(void *opaque, u64 off, u8 *data, u32 len, bool wr)
{
	if (!wr) {
		memset(data, 0xff, len);
		return;
	}
	pr_debug("guest wrote 0x%02x to the debug exit register", data[0]);
	request_exit(opaque, VM_DEBUG_EXIT, data[0]);
}

void vm_close(struct vm *vm)
{
	guest_mem_log_free(&vm->mem);	/* no device thread runs any more */
	if (vm->ram)
		munmap(vm->ram, vm->ram_size);
	if (vm->ram_fd >= 0)
		close(vm->ram_fd);
	vm->ram_fd = -1;
	vm->ram = NULL;
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->sys_fd >= 0)
		close(vm->sys_fd);
	if (vm->exit_efd >= 0)
		close(vm->exit_efd);
	vm->vm_fd = vm->sys_fd = vm->exit_efd = -1;
	iobus_destroy(&vm->pio);
	iobus_destroy(&vm->mmio);
	snap_args_free(&vm->args);
}
