/* The virtual machine: KVM fds, guest RAM, the I/O buses, the vCPUs and
 * the exit protocol shared by every thread. */
#ifndef LKVM_KVM_VM_H
#define LKVM_KVM_VM_H

#include <pthread.h>
#include <stdio.h>
#include <linux/kvm.h>
#include "kvm/config.h"
#include "kvm/privdrop.h"
#include "kvm/snapshot.h"
#include "kvm/guest_mem.h"
#include "kvm/iobus.h"
#include "lkvm/util.h"

struct pci_bus;
struct vfio_vm;
struct serial_dev;
struct vp_spares;

struct vcpu {
	struct vm *vm;
	int id;
	int fd;
	struct kvm_run *run;
	pthread_t thread;
	bool started;
	bool confined;		/* its seccomp filter is on (pause_lock) */
	u64 exits;
};

/* Why the VM stopped; decides lkvm's exit status. */
enum vm_exit_reason {
	VM_RUNNING = 0,
	VM_POWEROFF,	/* status 0 */
	VM_REBOOT,	/* status 0 */
	VM_SIGNAL,	/* status 128 + signal */
	VM_ERROR,	/* status 1 */
	VM_DEBUG_EXIT,	/* status (exit_value << 1) | 1: --debug-exit */
};

struct vm {
	const struct lkvm_config *cfg;
	const char *name;
	int sys_fd;
	int vm_fd;
	int vcpu_mmap_size;
	int max_vcpus;
	bool readonly_mem;	/* KVM_CAP_READONLY_MEM: read-only memslots */

	u8 *ram;		/* one mapping holding all guest RAM */
	u64 ram_size;
	struct guest_mem mem;	/* GPA view of ram */
	int nr_memslots;	/* slots used by RAM: 0..nr_memslots-1 */
	u64 memslot_used[8];	/* bitmap of every slot in use (512) */
	pthread_mutex_t memslot_lock;

	struct iobus pio;
	struct iobus mmio;

	int nr_cpus;
	struct vcpu *vcpus;

	int exit_efd;		/* written once when the VM must stop */
	int sig_fd;		/* the main loop's signalfd (SIGTERM...) */
	bool sig_watch;		/* sig_fd is set (lkvm run's main loop) */
	enum vm_exit_reason exit_reason;
	u8 exit_value;		/* set by the request that won exit_reason */
	int exit_signal;
	u64 guest_msgs;		/* guest-triggered warnings (guest_log.c) */
	struct irq_routing *irq;	/* GSI routes (kvm/irq.c) */
	void *arch;		/* architecture state (x86/arch.c) */
	struct pci_bus *pci;	/* the PCI bus (pci/pci.c), NULL until INIT_BUS */

	/* per-VM device state, NULL when absent */
	struct vfio_vm *vfio;		/* --vfio devices (vfio/pci.c) */
	struct testdev *testdev;	/* pci/testdev.c */
	struct serial_dev *serial;	/* kvm/serial.c: the console */
	struct virtio_dev *virtio;	/* started, on ->next (virtio/io.c) */
	struct vp_spares *spares;	/* hotplug I/O threads (spare.c) */

	/* pause (kvm/vcpu.c): vCPUs park while pause_req is set */
	pthread_mutex_t pause_lock;
	/* Devices and their counters as `lkvm stat` and `info` read them: the
	 * main thread holds it while it runs a control job (but for a wait
	 * for the guest in it) or takes a device back; the control thread
	 * while a provider writes its text (kvm/control.c) */
	pthread_mutex_t ctl_lock;
	bool ctl_held;		/* by the main thread, in a job */
	pthread_cond_t pause_cond;
	bool pause_req;
	int nr_parked;
	bool user_paused;	/* `lkvm pause` holds the vCPUs (main thread) */
	bool restored;		/* built by --restore: boot images not loaded */
	int ram_fd;		/* --restore: the snapshot's RAM file, else -1 */
	struct priv_user user;	/* --user: every thread switches to it */
	int reaper_fd;		/* --user: the control files' reaper, else -1 */
	/* the run arguments snapshots and migrations record once a device
	 * was added or removed at run time (argc 0: cfg's; main thread) */
	struct snap_args args;
};

/* Opens /dev/kvm (or $LKVM_KVM_DEVICE), checks the API and capabilities,
 * creates the VM. Errors are printed; returns 0 or -1. */
int vm_open(struct vm *vm, const struct lkvm_config *cfg);
/* Maps guest RAM and registers memslots for [gpa, gpa+size) pieces. */
int vm_add_ram(struct vm *vm, u64 gpa, u64 size, u64 ram_offset);
int vm_alloc_ram(struct vm *vm, u64 size);
int vm_set_memslot(struct vm *vm, u32 slot, u64 gpa, u64 size, void *hva,
		   u32 flags);
bool vm_check_cap(struct vm *vm, long cap);
/* Device memory (e.g. a VFIO BAR mmap) mapped straight into the guest:
 * returns the slot used, or -1. vm_unmap_memory removes it. */
int vm_map_memory(struct vm *vm, u64 gpa, u64 size, void *hva);
/* The same, read-only for the guest (its writes exit as MMIO): the slot, or
 * -1 (no KVM_CAP_READONLY_MEM, no slot, the ioctl failed). */
int vm_map_memory_ro(struct vm *vm, u64 gpa, u64 size, void *hva);
void vm_unmap_memory(struct vm *vm, int slot);
/* Requests the VM to stop: first reason wins. Safe from any thread. */
void vm_request_exit(struct vm *vm, enum vm_exit_reason why);
/* The --debug-exit register (an iobus handler, opaque = vm): a write of
 * byte V requests VM_DEBUG_EXIT with exit_value V; reads return ~0. */
void vm_debug_exit_io(void *opaque, u64 off, u8 *data, u32 len, bool wr);
void vm_close(struct vm *vm);
/* True once an exit was requested. */
static inline bool vm_stopping(const struct vm *vm)
{
	return __atomic_load_n(&vm->exit_reason, __ATOMIC_SEQ_CST) != VM_RUNNING;
}
/* True when a stop signal waits for the main loop (which reads it once the
 * main thread's current job returns): a long wait in a job gives up. */
bool vm_signal_pending(const struct vm *vm);

int vcpus_create(struct vm *vm);
/* Starts the vCPU threads; returns once each has its seccomp filter on. */
int vcpus_start(struct vm *vm);
void vcpus_kick_all(struct vm *vm);
/* Parks every started vCPU outside KVM_RUN, its pending I/O completed, so
 * that its state can be read. 0, or -1 when one did not park within
 * timeout_ms (all are let go again). From the main thread only. */
int vcpus_pause(struct vm *vm, int timeout_ms);
void vcpus_resume(struct vm *vm);
bool vcpus_paused(struct vm *vm);
/* Waits up to timeout_ms for every vCPU thread; returns how many did not
 * stop (stuck: they are left running, their state untouched). */
int vcpus_join(struct vm *vm, int timeout_ms);
void vcpus_destroy(struct vm *vm);

/* Interrupt line of the in-kernel irqchip (level: 1 raise, 0 lower). */
int vm_irq_line(struct vm *vm, u32 irq, int level);

/* Devices and subsystems register init/exit functions by level; they run
 * in level order at start and in reverse at exit. */
enum init_level {
	INIT_ARCH = 0,		/* irqchip, platform */
	INIT_MEMORY,		/* guest RAM */
	INIT_BUS,		/* PCI host bridge */
	INIT_DEVICE,		/* legacy and PCI devices */
	INIT_FIRMWARE,		/* ACPI/DT built from the device set */
	INIT_BOOT,		/* kernel, initrd, boot structures */
	INIT_VCPU,		/* vCPU creation */
	INIT_LEVELS,
};

struct lkvm_init {
	const char *name;
	enum init_level level;
	int (*init)(struct vm *vm);
	void (*exit)(struct vm *vm);
	struct lkvm_init *next;
	bool done;
};

void lkvm_init_register(struct lkvm_init *in);
int lkvm_init_all(struct vm *vm);
void lkvm_exit_all(struct vm *vm);

#define LKVM_INIT(lvl, initfn, exitfn)					\
	static struct lkvm_init __init_##initfn = {			\
		.name = #initfn, .level = (lvl),			\
		.init = (initfn), .exit = (exitfn) };			\
	__attribute__((constructor)) static void __reg_##initfn(void)	\
	{ lkvm_init_register(&__init_##initfn); }

/* Architecture hooks (x86/, arm64/). */
int arch_vcpu_init(struct vcpu *vcpu);
void arch_vcpu_dump(struct vcpu *vcpu);
/* `lkvm debug`: the parked vCPU's registers as JSON members (each
 * starting with ", ") to out; 0 or -errno. Main thread. */
int arch_vcpu_regs_json(struct vcpu *vcpu, FILE *out);
/* Injects an NMI into the vCPU: 0, -ENOTSUP (arm64) or -errno. */
int arch_vcpu_nmi(struct vcpu *vcpu);
/* `lkvm stop`: presses the guest's power button; 0, or -ENOTSUP when the
 * architecture has none (arm64: the hard stop follows at once). */
int arch_power_button(struct vm *vm);
/* Handles an exit reason the generic loop does not know; returns false
 * if the vCPU must stop. */
bool arch_handle_exit(struct vcpu *vcpu);

/* Arch hooks of kvm/vm.c. */
struct vm_cap { long cap; const char *name; };
#define VM_CAP(c)	{ c, #c }
/* Capabilities the arch needs besides the generic ones; ends with { 0 }. */
extern const struct vm_cap arch_required_caps[];
/* KVM_IRQ_LINE's irq field for GSI gsi of the irqchip. */
u32 arch_irq_line(u32 gsi);

#endif
