/* VFIO PCI passthrough wired into the VM: one assigned host function as a
 * device on lkvm's PCI bus (config space, BARs mapped or trapped, MSI-X,
 * MSI and INTx routed through KVM), its counters and its teardown. */
#ifndef LKVM_VFIO_PCI_H
#define LKVM_VFIO_PCI_H

#include <pthread.h>
#include "kvm/control.h"
#include "kvm/vm.h"
#include "pci/pci.h"
#include "vfio/config.h"
#include "pci/msix.h"
#include "vfio/vfio.h"

struct vfio_pci;

/* Trapped accesses to one guest-visible region, by plan range kind. */
struct vfio_bar_stats {
	u64 table;		/* MSI-X table (emulated) */
	u64 pba;		/* MSI-X PBA (emulated) */
	u64 fwd;		/* forwarded to the device region */
	u64 pad;		/* padding of a relocated BAR */
};

/*
 * One interrupt vector (MSI-X entry or MSI vector): its eventfd, its KVM
 * GSI and where the eventfd currently goes (msix_vec_state): LIVE -> a KVM
 * irqfd (the device reaches the guest without waking lkvm); MASKED -> the
 * I/O thread's epoll set, which latches it in the emulated pending bits.
 */
struct vfio_vec {
	struct vfio_pci *vp;
	u32 index;		/* VFIO_PCI_MSI_IRQ_INDEX / _MSIX_ */
	u32 v;
	int efd;
	int gsi;		/* -1: no route yet */
	bool route_dirty;	/* message changed since the route was set */
	u8 state;		/* enum msix_vec_state applied */
	u8 hw;			/* 1: efd installed with VFIO_DEVICE_SET_IRQS */
	/* counted by lkvm only: irqfd deliveries bypass it */
	u64 latched;		/* fired while masked (pending bit set) */
	u64 injected;		/* delivered by lkvm (KVM_SIGNAL_MSI) */
	u64 dev_banked;		/* the host's count before VFIO freed the IRQ */
};

/* A set of vectors of one VFIO IRQ index. */
struct vfio_vecset {
	u32 index;
	u32 nr;			/* vectors with an eventfd */
	struct vfio_vec *vec;
	bool host_on;		/* the index is enabled in VFIO */
	u32 host_count;		/* vectors enabled in VFIO */
};

/* A guest-visible region (BAR 0-5 or ROM) and how it is backed. */
struct vfio_bar {
	struct vfio_pci *vp;
	int bar;
	u64 size;		/* guest-visible */
	bool is_io;
	bool trapped;		/* trap registered at gpa */
	u64 gpa;
	struct bar_plan plan;	/* unused for the ROM: reads forwarded */
	void *hva[BAR_PLAN_MAX_RANGES];	/* MAP ranges: mmap, kept */
	int slot[BAR_PLAN_MAX_RANGES];	/* memslot while live, or -1 */
	bool mmap_failed[BAR_PLAN_MAX_RANGES];	/* then forwarded */
	u64 table_off, pba_off;	/* guest MSI-X offsets, ~0: not here */
	struct vfio_bar_stats st;
};

struct vfio_pci {
	struct vm *vm;
	char name[48];		/* "vfio 0000:01:00.0" */
	struct vfio_device vdev;
	struct pci_bar_layout layout;
	struct msix_reloc_result reloc;
	struct vcfg cfg;
	struct pci_dev pci;
	bool registered;	/* on the bus */
	u64 page;		/* plan page size */
	struct vfio_bar bars[PCI_NUM_REGIONS];

	pthread_mutex_t lock;	/* interrupt state below */
	bool has_msix, has_msi, has_intx;
	struct msix_state *msix;
	struct msi_state msi;
	struct vfio_vecset vmsix, vmsi;
	int intx_efd, intx_rfd;	/* trigger, resample (guest EOI) */
	struct vfio_vec req;	/* the request interrupt: host wants it back */
	struct vfio_vec errq;	/* the error interrupt: uncorrectable AER */
	u64 aer_errors;		/* errq firings */
	u64 host_requests;	/* req firings */
	bool intx_irqfd;	/* irqfd on pci.gsi assigned */
	bool intx_host;		/* VFIO INTx enabled */
	/* INTx without VFIO's unmask eventfd (mdevs): the I/O thread reads
	 * intx_rfd (this tag, index INTx) and unmasks by SET_IRQS */
	struct vfio_vec intx_rs;
	u64 intx_unmasks;	/* SET_IRQS unmasks issued for it */
	int epfd;		/* the I/O thread's epoll set */
	int irq_stat_fd;	/* /proc/interrupts, for the host's counts;
				 * vfio_vm's hot_irq_stat_fd when pci.hot */
	u64 flrs;		/* guest-initiated FLRs emulated */
	u8 *rom;		/* romfile= image, padded to rom_size */
	u8 *rom_map;		/* the ROM read once, behind a read-only
				 * memslot while it decodes (vfio/bar.c) */
	u64 rom_map_size;
	bool rom_map_failed;	/* then every ROM read traps */
	u64 rom_size;		/* a power of two, 2 KiB or more */
	/* live migration's PRE_COPY (vfio/precopy.c): the source's data
	 * fd while pre_on, the bytes read from it; the destination's
	 * bytes received ahead of the state */
	bool pre_on;
	int pre_fd;
	u64 pre_sent;
	struct sbuf *pre_in;
	bool hot;		/* added to the running VM (lkvm vfio add) */
	bool eject;		/* the host asked for it back (hotplug.c) */
	bool eject_force;	/* ... and the guest kept it: surprise */
	u64 eject_at;		/* host_requests at the button press */
};

/* Everything VFIO in the VM (vm->vfio); with --hotplug-slots also before
 * any device. */
struct vfio_vm {
	struct vfio_container c;
	struct vfio_spec specs[VFIO_MAX_DEVICES];
	int nr;
	struct vfio_pci *devs[VFIO_MAX_DEVICES];
	int epfd, stop_efd;
	int sync_efd, synced_efd;	/* vfio_io_sync's barrier */
	pthread_t thread;
	bool thread_on;
	struct control_stat stat;	/* `lkvm stat --vfio` */
	bool stat_on;			/* registered */
	/* readable when a device the host asked back may go: the guest
	 * powered its slot off, or it kept it too long (vfio/hotplug.c) */
	int eject_efd;
	/* with root ports: /proc/interrupts opened at start for the devices
	 * `lkvm vfio add` brings (the confined main thread opens no file);
	 * they read it, vfio_exit closes it; -1 without root ports */
	int hot_irq_stat_fd;
};

/* vfio/pci.c: opens spec's device, DMA-maps guest RAM (the first device
 * of a backend), sets it up and puts it in vv->devs; hot: behind a root
 * port of the running guest, its arrival signalled. 0, or -1 after a
 * message (a device that got into vv->devs stays there for the caller's
 * teardown). */
int vfio_device_add(struct vfio_vm *vv, struct vm *vm,
		    const struct vfio_spec *spec, bool hot);
/* `lkvm stat --vfio`'s report. */
void vfio_show_stats(struct vm *vm, FILE *out);
/* Waits until the I/O thread finished the events it was handling (after
 * a device's eventfds left its epoll set): 0, or -1 after SYNC_MS. */
int vfio_io_sync(struct vfio_vm *vv);

/* vfio/hotplug.c: runs a vfio-add or vfio-remove request (main thread);
 * the answer goes to job->out. */
void vfio_hotplug_job(struct vm *vm, struct ctl_job *job);
/* vfio/hotplug.c: after the host's request interrupt, asks the guest to
 * eject vp (its slot's attention button) when it is behind a root port,
 * the main thread releasing it once the slot is off (or, when the guest
 * holds it through VFIO_EJECT_REQUESTS more requests, by a surprise
 * removal); true when asked. Otherwise false: the request stops the VM.
 * I/O thread, no lock held. */
#define VFIO_EJECT_REQUESTS	2	/* the kernel asks every 10 s */
bool vfio_pci_request_eject(struct vfio_pci *vp);
/* The eventfd the main thread polls for such releases (-1: none), and
 * what it then runs (events to ctl). */
int vfio_eject_fd(struct vm *vm);
void vfio_eject_run(struct vm *vm, struct control *ctl);
/* pci_dev_ops.slot_power: a slot powered off with an eject pending wakes
 * the main thread. */
void vfio_slot_power(struct pci_dev *dev, bool on);

/* The VM's container (its --vfio devices' DMA mappings), or NULL. */
struct vfio_container *vfio_vm_container(struct vm *vm);

/* vfio/pci.c: config space hooks of the PCI device */
extern const struct pci_dev_ops vfio_pci_ops;
/* The guest-visible device of the opened vp->vdev (vp->vm, vp->name and
 * vp->page set): layout, MSI-X relocation, config space, BARs, the bus,
 * interrupts (masked vectors to epfd). 0, or -1 with err naming it. */
int vfio_pci_setup(struct vfio_pci *vp, int epfd, char *err, size_t errlen);
/* Undoes vfio_pci_setup and the open, in reverse, and frees vp. */
void vfio_pci_destroy(struct vfio_pci *vp);

/* The device writes a config access produced (vcfg_write, vcfg_flr). */
void vfio_pci_forward(struct vfio_pci *vp, const struct vcfg_write_res *res);

/* vfio/reset.c: the guest set Initiate FLR (VCFG_EV_FLR); bus lock held */
void vfio_pci_flr(struct vfio_pci *vp);

/* vfio/rom.c: romfile= read at start: vp->rom and rom_size (the next
 * power of two, 2 KiB at least, zero-padded). 0, or -1 with err. */
int vfio_rom_load(struct vfio_pci *vp, char *err, size_t errlen);
/* The ROM BAR's content (romfile='s, else the device's ROM region read
 * once), size bytes of page-aligned memory for a read-only memslot: the
 * copy, or NULL (a failed read, no memory: it is not tried again). */
void *vfio_rom_map_get(struct vfio_pci *vp, u64 size);
void vfio_rom_map_free(struct vfio_pci *vp);

/* vfio/bar.c */
int vfio_bar_setup(struct vfio_pci *vp, char *err, size_t errlen);
int vfio_bar_map(struct pci_dev *dev, int bar, u64 gpa);
void vfio_bar_unmap(struct pci_dev *dev, int bar, u64 gpa);

/* vfio/intr.c: interrupts; the functions below take vp->lock themselves */
int vfio_intr_setup(struct vfio_pci *vp, int epfd, char *err, size_t errlen);
void vfio_intr_teardown(struct vfio_pci *vp);
void vfio_intr_msix_ctrl(struct vfio_pci *vp);	/* after a cap write */
void vfio_intr_msi_update(struct vfio_pci *vp);	/* after a cap write */
/* After vcfg_flr(): MSI and MSI-X off on the host, the MSI-X table back to
 * every entry masked, nothing pending. */
void vfio_intr_flr(struct vfio_pci *vp);
void vfio_intr_table_write(struct vfio_pci *vp, u64 off, const u8 *data,
			   u32 len);
void vfio_intr_table_read(struct vfio_pci *vp, u64 off, u8 *data, u32 len);
void vfio_intr_pba_read(struct vfio_pci *vp, u64 off, u8 *data, u32 len);
/* I/O thread: a masked vector's eventfd became readable, or intx_rs's. */
void vfio_intr_event(struct vfio_vec *vec);
void vfio_intr_print_stats(struct vfio_pci *vp, FILE *out);

#endif
