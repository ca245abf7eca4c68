/* virtio-pci modern transport (virtio 1.x only): the device-facing API a
 * virtio device (blk, console, rng, ...) implements and calls, and the
 * register-level entry points the unit tests drive directly. */
#ifndef LKVM_VIRTIO_PCI_H
#define LKVM_VIRTIO_PCI_H

#include <pthread.h>
#include "lkvm/util.h"
#include "pci/msix.h"
#include "pci/pci.h"
#include "virtio/virtqueue.h"

struct vm;
struct virtio_dev;
struct sbuf;
struct state_desc;
struct vp_spare;

#define VIRTIO_MAX_QUEUES	8
#define VIRTIO_MSIX_VECTORS	(VIRTIO_MAX_QUEUES + 1)
#define VIRTIO_CFG_MAX		256	/* device config bytes */

/* Layout of the memory BAR (BAR 0): one 4 KiB page per structure. */
#define VP_BAR			0
#define VP_COMMON_OFF		0x0000
#define VP_COMMON_LEN		0x0038
#define VP_ISR_OFF		0x1000
#define VP_ISR_LEN		0x0004
#define VP_DEVCFG_OFF		0x2000
#define VP_NOTIFY_OFF		0x3000
#define VP_NOTIFY_MULT		4
#define VP_MSIX_TABLE_OFF	0x4000
#define VP_MSIX_PBA_OFF		0x5000
#define VP_BAR_SIZE		0x8000

/*
 * What a device provides. Every callback runs with the device lock held:
 * notify and kick on the device's I/O thread, the others on whatever thread
 * touched the register (a vCPU).
 */
struct virtio_dev_ops {
	/* A queue was notified (or kicked): process it. */
	void (*notify)(struct virtio_dev *v, unsigned int q);
	/* The driver wrote device config bytes [off, off+len) (already
	 * copied into v->config unless config_ro covers them). */
	void (*config_write)(struct virtio_dev *v, u32 off, u32 len);
	/* Final say on the negotiated features (FEATURES_OK). */
	bool (*features_ok)(struct virtio_dev *v, u64 features);
	/* The driver set DRIVER_OK (optional; queued kicks are sent). */
	void (*driver_ok)(struct virtio_dev *v);
	/* Device reset: forget per-driver state (queues are reset already). */
	void (*reset)(struct virtio_dev *v);
	/* Frees the device's own state (lkvm exit). */
	void (*free)(struct virtio_dev *v);
	/*
	 * Snapshots (virtio/snapshot.c), after the transport's records:
	 * state describes the struct priv points to (NULL: nothing of its
	 * own; no table fields). snap_save (optional) writes that record
	 * when sb_state() alone would race (another lock). snap_load
	 * (optional) gets the record read into a scratch copy of priv's
	 * struct: checks it against this device (err names the field and
	 * both values) and adopts what the guest sees; without it every
	 * described field is copied.
	 */
	const struct state_desc *state;
	void (*snap_save)(struct virtio_dev *v, struct sbuf *b);
	int (*snap_load)(struct virtio_dev *v, const void *saved, char *err,
			 size_t errlen);
	/* Non-NULL: snapshots are refused while this device exists, with
	 * this reason (e.g. host state the snapshot cannot hold). */
	const char *no_snapshot;
};

struct virtio_queue_cfg {
	u16 size;		/* guest-programmed size (default: max) */
	u16 msix_vector;
	bool enabled;
	u64 desc, avail, used;
};

struct virtio_dev {
	struct pci_dev pci;
	const struct virtio_dev_ops *ops;
	const struct vp_kvm_ops *kvm;	/* KVM side, set by virtio/io.c */
	void *priv;
	struct vm *vm;
	const struct guest_mem *mem;
	const char *name;
	pthread_mutex_t lock;	/* all of the state below */

	/* Fixed at creation. */
	u16 device_id;		/* virtio id (VIRTIO_ID_*) */
	u64 host_features;	/* VERSION_1 is always added */
	unsigned int nr_queues;
	u16 queue_max;
	u32 config_len;
	u8 config[VIRTIO_CFG_MAX];
	u32 config_ro_len;	/* first bytes the driver may not write:
				 * by default all of config_len */

	/* Driver-visible state. */
	u32 dfselect, gfselect;
	u64 guest_features;
	u8 status;
	u8 config_gen;
	u16 queue_sel;
	u16 config_vector;
	struct virtio_queue_cfg qcfg[VIRTIO_MAX_QUEUES];
	struct virtqueue vq[VIRTIO_MAX_QUEUES];
	bool kick_pending[VIRTIO_MAX_QUEUES];	/* notified before DRIVER_OK */
	u32 held;		/* queues notified while the VM was held
				 * (vp_vm_held): run once it goes on */

	/* Interrupts. */
	u8 isr;			/* under intx_lock */
	pthread_mutex_t intx_lock;
	bool intx_out;		/* line level last driven (vp_irq_flush) */
	struct msix_state msix;	/* table, PBA, masks: pci/msix.c */
	u64 msix_store[MSIX_STORE_WORDS(VIRTIO_MSIX_VECTORS)];
	int msix_gsi[VIRTIO_MSIX_VECTORS];	/* KVM route, -1: none */
	int msix_efd[VIRTIO_MSIX_VECTORS];	/* irqfd, -1: none */
	u64 irqs_sent;		/* interrupts delivered (MSI-X or INTx) */
	int last_vector;	/* last MSI-X vector sent, -1: INTx */

	/* I/O thread. */
	int queue_efd[VIRTIO_MAX_QUEUES];	/* ioeventfd of each queue */
	bool ioeventfd_on[VIRTIO_MAX_QUEUES];
	u64 notify_gpa;		/* live address of the notify area, 0: none */
	int stop_efd;
	int thread_kind;	/* its seccomp kind (enum sc_kind): SC_IO
				 * unless the device sets another before start */
	pthread_t thread;
	bool thread_started;
	struct vp_spare *spare;	/* added at run time: the spare thread
				 * serving it (virtio/spare.c) */
	u16 pci_cfg_cap;	/* offset of VIRTIO_PCI_CAP_PCI_CFG */
	struct virtio_dev *next;	/* on vm->virtio once started */
};

/* Fills v (already zeroed by the caller's allocation) as a device with
 * these ids and queues; the caller then sets config/features. */
int virtio_dev_init(struct virtio_dev *v, struct vm *vm, const char *name,
		    u16 device_id, u32 class_code, unsigned int nr_queues,
		    u16 queue_max, const struct virtio_dev_ops *ops);
/* Adds the capabilities once config_len is final (virtio_dev_start does;
 * tests call it alone). */
int virtio_dev_setup_caps(struct virtio_dev *v);
/* Puts the device on the PCI bus and starts its I/O thread; on failure,
 * destroys (and frees) it. */
int virtio_dev_start(struct virtio_dev *v);
/* Stops the thread, releases KVM resources and frees the device. */
void virtio_dev_destroy(struct virtio_dev *v);
/* The started device of this virtio id after prev (NULL: the first) on vm,
 * or NULL; and destroying all of them. */
struct virtio_dev *virtio_dev_next(struct vm *vm, u16 device_id,
				   struct virtio_dev *prev);
void virtio_devs_destroy(struct vm *vm, u16 device_id);

/* For devices, device lock held: */
/* Ran after pushing used entries from @old_used: interrupts the driver if
 * it wants one (vq_should_notify). */
void virtio_queue_done(struct virtio_dev *v, unsigned int q, u16 old_used);
/* Sends the queue's interrupt unconditionally. */
void virtio_queue_interrupt(struct virtio_dev *v, unsigned int q);
void virtio_config_changed(struct virtio_dev *v);
/* Guest misbehaved: log (debug) and set DEVICE_NEEDS_RESET. */
void virtio_dev_fail(struct virtio_dev *v, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
bool virtio_dev_ready(const struct virtio_dev *v);	/* DRIVER_OK, no reset needed */
bool virtio_has_feature(const struct virtio_dev *v, unsigned int bit);

/* Any thread, no lock held: makes the I/O thread run ops->notify(q). */
void virtio_dev_kick(struct virtio_dev *v, unsigned int q);
/* Device lock held: the irqfd eventfd that raises MSI-X vector vec (its
 * KVM route made now if it has none), or -1 (no KVM, MSI-X off, no such
 * vector): for a device whose queues a kernel backend serves. */
int virtio_vector_fd(struct virtio_dev *v, u16 vec);
/* Any thread, no lock held: delivers an INTx decided under the lock. */
void vp_irq_flush(struct virtio_dev *v);

/* Register access (BAR 0 offset), as from a vCPU; exported for tests. */
void virtio_pci_bar_io(struct virtio_dev *v, u64 off, u8 *data, u32 len,
		       bool is_write);
/* Runs queued notifications now (tests; the I/O thread does this). */
void virtio_dev_process(struct virtio_dev *v, unsigned int q);

/* Little-endian config helpers for devices. */
void virtio_cfg_put16(struct virtio_dev *v, u32 off, u16 val);
void virtio_cfg_put32(struct virtio_dev *v, u32 off, u32 val);
void virtio_cfg_put64(struct virtio_dev *v, u32 off, u64 val);

#endif
