/* virtio-pci, KVM side: each device's I/O thread (queue eventfds, bound to
 * the notify addresses with KVM_IOEVENTFD), MSI-X vectors as KVM MSI routes
 * fired through irqfds, INTx through the PCI bus, and device lifetime. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/kvm.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>
#include "kvm/irq.h"
#include "kvm/msi_route.h"
#include "kvm/seccomp.h"
#include "kvm/vm.h"
#include "virtio/pci.h"
#include "virtio/spare.h"
#include "vp-internal.h"

#define VIRTIO_PCI_VENDOR	0x1af4
#define VIRTIO_PCI_DEVICE_BASE	0x1040
#define HELD_POLL_MS		5

static bool have_kvm(const struct virtio_dev *v)
{
	return v->vm && v->vm->vm_fd >= 0;
}

static void vp_ioeventfd_set(struct virtio_dev *v, unsigned int q, bool on)
{
	struct kvm_ioeventfd io = {
		.addr = v->notify_gpa + (u64)q * VP_NOTIFY_MULT,
		.len = 2,
		.fd = v->queue_efd[q],
		.flags = on ? 0 : KVM_IOEVENTFD_FLAG_DEASSIGN,
	};

	if (on == v->ioeventfd_on[q])
		return;
	if (!on)
		v->ioeventfd_on[q] = false;
	if (!have_kvm(v) || !v->notify_gpa || v->queue_efd[q] < 0)
		return;
	if (ioctl(v->vm->vm_fd, KVM_IOEVENTFD, &io) < 0) {
		/* Notifications still arrive through the BAR trap. */
		pr_debug("%s: KVM_IOEVENTFD queue %u (%s): %s", v->name, q,
			 on ? "assign" : "deassign", strerror(errno));
		return;
	}
	v->ioeventfd_on[q] = on;
}

/* A route and an irqfd for vec, so that the next deliveries skip lkvm's
 * ioctl path. */
static int route_vector(struct virtio_dev *v, u16 vec, const struct msi_msg *m)
{
	int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

	if (efd < 0)
		return -1;
	if (msi_route_irqfd(v->vm, &v->msix_gsi[vec], efd, m)) {
		close(efd);
		return -1;
	}
	v->msix_efd[vec] = efd;
	return 0;
}

/* send: delivers vec (routing it first); else moves vec's route, if it
 * has one, to the message the table now holds. */
static void vp_msix(struct virtio_dev *v, u16 vec, bool send)
{
	struct msi_msg m = { .devid = v->pci.bdf };
	bool commit = false;

	if (!have_kvm(v) || !v->vm->irq || (!send && v->msix_gsi[vec] < 0))
		return;
	msix_route(&v->msix, vec, &m.addr, &m.data);
	if (!send) {
		msi_route_set(v->vm, &v->msix_gsi[vec], &m, &commit);
		irq_commit(v->vm);
	} else if (v->msix_gsi[vec] < 0 && route_vector(v, vec, &m)) {
		irq_signal_msi(v->vm, m.addr, m.data, m.devid, 0);
	} else {
		eventfd_write(v->msix_efd[vec], 1);
	}
}

/* vec's irqfd, routed now if needed: a kernel backend signals it. */
static int vp_vector_fd(struct virtio_dev *v, u16 vec)
{
	struct msi_msg m = { .devid = v->pci.bdf };

	if (!have_kvm(v) || !v->vm->irq)
		return -1;
	if (v->msix_gsi[vec] >= 0)
		return v->msix_efd[vec];
	msix_route(&v->msix, vec, &m.addr, &m.data);
	return route_vector(v, vec, &m) ? -1 : v->msix_efd[vec];
}

static void vp_msix_release(struct virtio_dev *v)
{
	bool changed = false;
	int i;

	for (i = 0; i < VIRTIO_MSIX_VECTORS; i++) {
		if (v->msix_gsi[i] < 0)
			continue;
		msi_route_drop(v->vm, &v->msix_gsi[i], v->msix_efd[i], &changed);
		close(v->msix_efd[i]);
		v->msix_efd[i] = -1;
	}
	if (changed)
		irq_commit(v->vm);
}

void vp_irq_flush(struct virtio_dev *v)
{
	bool level;

	pthread_mutex_lock(&v->intx_lock);
	level = __atomic_load_n(&v->isr, __ATOMIC_SEQ_CST) != 0;
	if (level != v->intx_out) {
		v->intx_out = level;
		pci_irq_set(&v->pci, level);
	}
	pthread_mutex_unlock(&v->intx_lock);
}

static int vp_bar_map(struct pci_dev *dev, int bar, u64 gpa)
{
	struct virtio_dev *v = dev->priv;
	unsigned int q;

	if (pci_bar_map_trap(dev, bar, gpa))
		return -1;
	pthread_mutex_lock(&v->lock);
	v->notify_gpa = gpa + VP_NOTIFY_OFF;
	for (q = 0; q < v->nr_queues; q++)
		if (v->qcfg[q].enabled)
			vp_ioeventfd_set(v, q, true);
	pthread_mutex_unlock(&v->lock);
	return 0;
}

static void vp_bar_unmap(struct pci_dev *dev, int bar, u64 gpa)
{
	struct virtio_dev *v = dev->priv;
	unsigned int q;

	pthread_mutex_lock(&v->lock);
	for (q = 0; q < v->nr_queues; q++)
		vp_ioeventfd_set(v, q, false);
	v->notify_gpa = 0;
	pthread_mutex_unlock(&v->lock);
	pci_bar_unmap_trap(dev, bar, gpa);
}

static void pci_bar_io(struct pci_dev *dev, int bar, u64 off, u8 *data,
		       u32 len, bool wr)
{
	virtio_pci_bar_io(dev->priv, off, data, len, wr);
}

static const struct vp_kvm_ops vp_kvm_ops = {
	.ioeventfd_set = vp_ioeventfd_set,
	.msix = vp_msix,
	.msix_release = vp_msix_release,
	.irq_flush = vp_irq_flush,
	.vector_fd = vp_vector_fd,
};

static const struct pci_dev_ops vp_pci_ops = {
	.cfg_read = vp_cfg_read,
	.cfg_write = vp_cfg_write,
	.bar_map = vp_bar_map,
	.bar_unmap = vp_bar_unmap,
	.bar_io = pci_bar_io,
	.snap_check = vp_snap_check,
	.snap_save = vp_snap_save,
	.snap_load = vp_snap_load,
};

int virtio_dev_init(struct virtio_dev *v, struct vm *vm, const char *name,
		    u16 device_id, u32 class_code, unsigned int nr_queues,
		    u16 queue_max, const struct virtio_dev_ops *ops)
{
	unsigned int i;

	if (nr_queues > VIRTIO_MAX_QUEUES || !nr_queues)
		return -1;
	v->kvm = &vp_kvm_ops;
	v->vm = vm;
	v->mem = vm ? &vm->mem : NULL;
	v->name = name;
	v->ops = ops;
	v->device_id = device_id;
	v->nr_queues = nr_queues;
	v->queue_max = queue_max;
	v->host_features |= 1ULL << VIRTIO_F_VERSION_1 |
			    1ULL << VIRTIO_RING_F_INDIRECT_DESC;
	v->last_vector = -1;
	v->stop_efd = -1;
	v->thread_kind = SC_IO;
	pthread_mutex_init(&v->lock, NULL);
	pthread_mutex_init(&v->intx_lock, NULL);
	for (i = 0; i < VIRTIO_MSIX_VECTORS; i++)
		v->msix_gsi[i] = v->msix_efd[i] = -1;
	msix_init(&v->msix, nr_queues + 1, v->msix_store);
	for (i = 0; i < VIRTIO_MAX_QUEUES; i++)
		v->queue_efd[i] = -1;
	pci_dev_init(&v->pci, name, VIRTIO_PCI_VENDOR,
		     VIRTIO_PCI_DEVICE_BASE + device_id, class_code, 1, false);
	pci_dev_set_subsys(&v->pci, VIRTIO_PCI_VENDOR,
			   VIRTIO_PCI_DEVICE_BASE + device_id);
	v->pci.ops = &vp_pci_ops;
	v->pci.priv = v;
	if (pci_dev_set_bar(&v->pci, VP_BAR, VP_BAR_SIZE, 0))
		return -1;
	vp_reset(v);
	return 0;
}

/*
 * Queue work waits while the VM is paused (a snapshot is being taken:
 * guest memory and the device must stay as saved) and, on a restored VM,
 * until its vCPUs run (an interrupt sent before the vCPUs' LAPIC state is
 * loaded would be lost). Device lock held.
 */
static bool vp_vm_held(const struct virtio_dev *v)
{
	const struct vm *vm = v->vm;

	if (!vm)
		return false;
	if (__atomic_load_n(&vm->pause_req, __ATOMIC_ACQUIRE))
		return true;
	return vm->restored && (!vm->vcpus ||
	       !__atomic_load_n(&vm->vcpus[0].started, __ATOMIC_ACQUIRE));
}

void virtio_dev_process(struct virtio_dev *v, unsigned int q)
{
	pthread_mutex_lock(&v->lock);
	if (q < v->nr_queues && v->qcfg[q].enabled) {
		if (vp_vm_held(v))
			__atomic_fetch_or(&v->held, 1u << q, __ATOMIC_RELAXED);
		else if (virtio_dev_ready(v))
			v->ops->notify(v, q);
		else if (!(v->status & VIRTIO_CONFIG_S_DRIVER_OK))
			v->kick_pending[q] = true;
	}
	pthread_mutex_unlock(&v->lock);
	vp_irq_flush(v);
}

/* Runs the queues held back while the VM was held, once it no longer is. */
static void run_held(struct virtio_dev *v)
{
	unsigned int q;
	u32 mask = 0;

	if (!__atomic_load_n(&v->held, __ATOMIC_RELAXED))
		return;
	pthread_mutex_lock(&v->lock);
	if (!vp_vm_held(v))
		mask = __atomic_exchange_n(&v->held, 0, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&v->lock);
	for (q = 0; mask && q < v->nr_queues; q++)
		if (mask & (1u << q))
			virtio_dev_process(v, q);
}

void vp_io_loop(struct virtio_dev *v)
{
	struct pollfd p[VIRTIO_MAX_QUEUES + 1];
	unsigned int q, n = v->nr_queues;
	eventfd_t val;
	u32 held;

	for (q = 0; q < n; q++)
		p[q] = (struct pollfd){ .fd = v->queue_efd[q], .events = POLLIN };
	p[n] = (struct pollfd){ .fd = v->stop_efd, .events = POLLIN };
	for (;;) {
		/* held queues: look again every HELD_POLL_MS */
		held = __atomic_load_n(&v->held, __ATOMIC_RELAXED);
		if (poll(p, n + 1, held ? HELD_POLL_MS : -1) < 0) {
			if (errno == EINTR)
				continue;
			pr_err("%s: poll: %s", v->name, strerror(errno));
			return;
		}
		if (p[n].revents)
			return;
		for (q = 0; q < n; q++) {
			if (!p[q].revents || eventfd_read(p[q].fd, &val))
				continue;
			virtio_dev_process(v, q);
		}
		run_held(v);
	}
}

static void *io_thread(void *arg)
{
	struct virtio_dev *v = arg;

	sc_enter(v->thread_kind);
	vp_io_loop(v);
	return NULL;
}

/* Its own thread, or (a device added at run time, by the confined main
 * thread) a spare one made at start (virtio/spare.c). */
static int start_thread(struct virtio_dev *v)
{
	char tname[16];

	if (v->pci.hot) {
		if (v->thread_kind == SC_IO && !vp_spare_run(v))
			return 0;
		pr_err("%s: no spare I/O thread left (one per hotplug root "
		       "port)", v->name);
		return -1;
	}
	if (pthread_create(&v->thread, NULL, io_thread, v)) {
		pr_err("%s: cannot start its I/O thread", v->name);
		return -1;
	}
	v->thread_started = true;
	snprintf(tname, sizeof(tname), "%s", v->name);
	pthread_setname_np(v->thread, tname);
	return 0;
}

/* Where v is on its VM's list, or the list's end when it is not on it. */
static struct virtio_dev **vm_slot(struct virtio_dev *v)
{
	struct virtio_dev **p = &v->vm->virtio;

	while (*p && *p != v)
		p = &(*p)->next;
	return p;
}

struct virtio_dev *virtio_dev_next(struct vm *vm, u16 device_id,
				   struct virtio_dev *prev)
{
	struct virtio_dev *v = prev ? prev->next : vm ? vm->virtio : NULL;

	while (v && v->device_id != device_id)
		v = v->next;
	return v;
}

void virtio_devs_destroy(struct vm *vm, u16 device_id)
{
	struct virtio_dev *v;

	while ((v = virtio_dev_next(vm, device_id, NULL)))
		virtio_dev_destroy(v);
}

int virtio_dev_start(struct virtio_dev *v)
{
	unsigned int q;

	if (virtio_dev_setup_caps(v))
		goto fail;
	for (q = 0; q < v->nr_queues; q++) {
		v->queue_efd[q] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (v->queue_efd[q] < 0)
			goto fail_efd;
	}
	v->stop_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (v->stop_efd < 0)
		goto fail_efd;
	if (pci_register(v->vm, &v->pci) || start_thread(v))
		goto fail;
	*vm_slot(v) = v;
	return 0;
fail_efd:
	pr_err("%s: eventfd: %s", v->name, strerror(errno));
fail:
	virtio_dev_destroy(v);
	return -1;
}

void virtio_dev_destroy(struct virtio_dev *v)
{
	unsigned int q;

	if (v->thread_started || v->spare)
		eventfd_write(v->stop_efd, 1);
	if (v->thread_started)
		pthread_join(v->thread, NULL);
	else if (v->spare)
		vp_spare_wait(v);
	if (v->vm)
		*vm_slot(v) = v->next;
	pci_unregister(&v->pci);
	pthread_mutex_lock(&v->lock);
	vp_msix_release(v);
	pthread_mutex_unlock(&v->lock);
	for (q = 0; q < VIRTIO_MAX_QUEUES; q++)
		if (v->queue_efd[q] >= 0)
			close(v->queue_efd[q]);
	if (v->stop_efd >= 0)
		close(v->stop_efd);
	pthread_mutex_destroy(&v->lock);
	pthread_mutex_destroy(&v->intx_lock);
	if (v->ops->free)
		v->ops->free(v);
}
