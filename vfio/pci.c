/* --vfio devices in the VM: opening them into one container, DMA-mapping
 * guest RAM, building each device's virtual config space and PCI device,
 * the I/O thread for masked vectors, counters and teardown on every path. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include "kvm/control.h"
#include "kvm/guest_log.h"
#include "kvm/seccomp.h"
#include "vfio/irqstat.h"
#include "vfio/pci.h"
#include "vfio/snapshot.h"

#define VFIO_EP_STOP	((void *)1)	/* epoll tag of the stop eventfd */
#define VFIO_EP_SYNC	((void *)2)	/* ... of the sync eventfd */
#define SYNC_MS		1000

/* ---- config space ---- */

static bool cfg_read(struct pci_dev *dev, u32 off, u8 *data, u32 len)
{
	struct vfio_pci *vp = dev->priv;
	u32 n = off < vp->cfg.dev_size ? MIN(len, vp->cfg.dev_size - off) : 0;
	u8 buf[4] = { 0 };
	bool need;

	/* a short config region (mdev): only its own bytes are read */
	need = vcfg_read_needs_dev(&vp->cfg, off, len);
	if (need && vfio_cfg_read(&vp->vdev, off, buf, n))
		memset(buf, 0xff, len);
	vcfg_read(&vp->cfg, off, len, need ? buf : NULL, data);
	return true;
}

void vfio_pci_forward(struct vfio_pci *vp, const struct vcfg_write_res *res)
{
	u32 i;

	for (i = 0; i < res->nr_fwd; i++)
		if (vfio_cfg_write(&vp->vdev, res->fwd[i].off,
				   res->fwd[i].data, res->fwd[i].len))
			pr_guest(vp->vm, "%s: config write 0x%x+%u: %s",
				 vp->name, res->fwd[i].off, res->fwd[i].len,
				 strerror(errno));
}

/* The policy layer stores into the one image and forwards device bytes;
 * the bus then decodes BARs, ROM and command from it. */
static bool cfg_write(struct pci_dev *dev, u32 off, const u8 *data, u32 len)
{
	struct vfio_pci *vp = dev->priv;
	struct vcfg_write_res res;

	if (vcfg_write(&vp->cfg, off, len, data, &res))
		return true;
	vfio_pci_forward(vp, &res);
	pci_cfg_written(dev, off, len);
	if (res.events & VCFG_EV_MSIX_CTRL)
		vfio_intr_msix_ctrl(vp);
	if (res.events & (VCFG_EV_MSI_CTRL | VCFG_EV_MSI_MSG |
			  VCFG_EV_MSI_MASK))
		vfio_intr_msi_update(vp);
	if (res.events & VCFG_EV_FLR)
		vfio_pci_flr(vp);
	return true;
}

const struct pci_dev_ops vfio_pci_ops = {
	.cfg_read = cfg_read,
	.cfg_write = cfg_write,
	.bar_map = vfio_bar_map,
	.bar_unmap = vfio_bar_unmap,
	.snap_check = vfio_snap_check,
	.snap_save = vfio_snap_save,
	.snap_load = vfio_snap_load,
	.snap_fp_put = vfio_snap_fp_put,
	.snap_fp_check = vfio_snap_fp_check,
	.snap_quiesce = vfio_snap_quiesce,
	.snap_resume = vfio_snap_resume_hook,
	.snap_precopy = vfio_snap_precopy,
	.snap_precopy_abort = vfio_snap_precopy_abort,
	.snap_precopy_load = vfio_snap_precopy_load,
	.slot_power = vfio_slot_power,
};

/* ---- one device ---- */

/* A region shorter than 256 bytes (mdevs) is padded with zeros. */
static int read_config(struct vfio_pci *vp, u8 *cfg, struct vcfg_input *in,
		       char *err, size_t errlen)
{
	const struct vfio_region *r;

	r = vfio_device_region(&vp->vdev, VFIO_PCI_CONFIG_REGION_INDEX);
	if (!r || r->size < PCI_STD_HEADER_SIZEOF)
		return set_err(err, errlen, "%s: no config space region of at "
			       "least %u bytes", vp->name,
			       PCI_STD_HEADER_SIZEOF);
	in->cfg = cfg;
	in->cfg_size = r->size >= PCI_CFG_SIZE_EXP ? PCI_CFG_SIZE_EXP :
			PCI_CFG_SIZE;
	in->dev_size = MIN(r->size, (u64)in->cfg_size);
	memset(cfg, 0, in->cfg_size);
	if (vfio_cfg_read(&vp->vdev, 0, cfg, in->dev_size))
		return set_err(err, errlen, "%s: reading config space: %s",
			       vp->name, strerror(errno));
	return 0;
}

static int choose_reloc(struct vfio_pci *vp, char *err, size_t errlen)
{
	char e[VFIO_ERR_LEN];

	memset(&vp->reloc, 0, sizeof(vp->reloc));
	/* Unless asked: relocate only where pages are larger than the 4 KiB
	 * blocks the PCI spec reserves for MSI-X; on 4 KiB hosts it never helps. */
	if (!vp->vdev.spec.msix_reloc_given)
		vp->vdev.spec.msix_reloc.mode = vp->page > 4096 ?
			MSIX_RELOC_AUTO : MSIX_RELOC_OFF;
	if (!vp->layout.has_msix) {
		if (vp->vdev.spec.msix_reloc.mode == MSIX_RELOC_BAR)
			return set_err(err, errlen, "%s: msix-relocation=bar%d: "
				       "the device has no MSI-X", vp->name,
				       vp->vdev.spec.msix_reloc.bar);
		return 0;
	}
	if (msix_reloc_choose(&vp->layout, &vp->vdev.spec.msix_reloc,
			      vp->page, &vp->reloc, e, sizeof(e)))
		return set_err(err, errlen, "%s: MSI-X relocation: %s",
			       vp->name, e);
	pr_debug("%s: MSI-X %s: %s", vp->name,
		 vp->reloc.relocate ? "relocated" : "in place",
		 vp->reloc.reason);
	return 0;
}

int vfio_pci_setup(struct vfio_pci *vp, int epfd, char *err, size_t errlen)
{
	struct vcfg_input in = { 0 };
	const struct vfio_region *rom;
	char e[VFIO_ERR_LEN];
	u8 real[PCI_CFG_SIZE_EXP];

	if (vfio_device_layout(&vp->vdev, &vp->layout, e, sizeof(e)))
		return set_err(err, errlen, "%s: %s", vp->name, e);
	if (choose_reloc(vp, err, errlen))
		return -1;
	if (read_config(vp, real, &in, err, errlen))
		return -1;
	rom = vfio_device_region(&vp->vdev, VFIO_PCI_ROM_REGION_INDEX);
	if (vp->vdev.spec.romfile[0] && vfio_rom_load(vp, err, errlen))
		return -1;
	in.bars = &vp->layout;
	in.rom_size = rom && !vp->vdev.spec.rombar_off ? rom->size : 0;
	if (vp->rom)
		in.rom_size = vp->rom_size;
	in.reloc = vp->reloc.relocate ? &vp->reloc : NULL;
	vp->pci.name = vp->name;
	if (vcfg_build(&vp->cfg, &vp->pci, &in, e, sizeof(e)))
		return set_err(err, errlen, "%s: config space: %s", vp->name,
			       e);
	vp->has_msix = vp->cfg.msix && vp->layout.has_msix &&
		       vp->vdev.irqs[VFIO_PCI_MSIX_IRQ_INDEX].count;
	vp->has_msi = vp->cfg.msi &&
		      vp->vdev.irqs[VFIO_PCI_MSI_IRQ_INDEX].count;
	vp->has_intx = pci_cfg_get8(&vp->pci, PCI_INTERRUPT_PIN) &&
		       vp->vdev.irqs[VFIO_PCI_INTX_IRQ_INDEX].count;
	vp->pci.ops = &vfio_pci_ops;
	vp->pci.priv = vp;
	vp->pci.cfg_hook_end = vp->pci.cfg_size;
	vp->pci.no_intx = !vp->has_intx;
	vp->pci.want_port = vp->vdev.spec.port;
	vp->pci.hot = vp->hot;
	if (vfio_bar_setup(vp, err, errlen))
		return -1;
	if (pci_register(vp->vm, &vp->pci))
		return set_err(err, errlen, "%s: does not fit on the PCI bus "
			       "(see above)", vp->name);
	vp->registered = true;
	/* INTx needs the GSI the bus assigned */
	return vfio_intr_setup(vp, epfd, err, errlen);
}

static void device_stats(struct vfio_pci *vp, FILE *out)
{
	const struct vfio_bar *b;
	char be[128];
	int i;

	vfio_device_backend(&vp->vdev, be, sizeof(be));
	fprintf(out, "%s (guest 00:%02x.0):\n", vp->name, vp->pci.slot);
	fprintf(out, "  backend: %s\n", be);
	for (i = 0; i < PCI_NUM_REGIONS; i++) {
		b = &vp->bars[i];
		if (!b->size)
			continue;
		fprintf(out, "  %s%d: trapped table %llu, pba %llu, "
			"forwarded %llu, pad %llu\n",
			i == PCI_ROM_SLOT ? "ROM" : "BAR", i == PCI_ROM_SLOT ?
			0 : i, (unsigned long long)b->st.table,
			(unsigned long long)b->st.pba,
			(unsigned long long)b->st.fwd,
			(unsigned long long)b->st.pad);
	}
	vfio_intr_print_stats(vp, out);
	if (vp->aer_errors)
		fprintf(out, "  uncorrectable errors (AER): %llu\n",
			(unsigned long long)vp->aer_errors);
	if (vp->host_requests)
		fprintf(out, "  host requests (VFIO request interrupt): %llu\n",
			(unsigned long long)vp->host_requests);
	if (vp->flrs || vp->vdev.hot_resets)
		fprintf(out, "  resets: %llu guest FLRs, %u bus resets\n",
			(unsigned long long)vp->flrs, vp->vdev.hot_resets);
}

void vfio_pci_destroy(struct vfio_pci *vp)
{
	vfio_intr_teardown(vp);
	if (vp->registered)
		pci_unregister(&vp->pci);
	vfio_precopy_free(vp);
	vfio_device_close(&vp->vdev);
	free(vp->msix);
	free(vp->rom);
	vfio_rom_map_free(vp);
	pthread_mutex_destroy(&vp->lock);
	free(vp);
}

/* ---- the I/O thread: eventfds of masked vectors ---- */

static void *io_thread(void *arg)
{
	struct vfio_vm *vv = arg;
	struct epoll_event ev[16];
	eventfd_t v;
	int n, i;
	bool sync;

	sc_enter(SC_VFIO);
	for (;;) {
		n = epoll_wait(vv->epfd, ev, ARRAY_SIZE(ev), -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			pr_err("vfio: epoll_wait: %s", strerror(errno));
			return NULL;
		}
		for (i = 0, sync = false; i < n; i++) {
			if (ev[i].data.ptr == VFIO_EP_STOP)
				return NULL;
			if (ev[i].data.ptr == VFIO_EP_SYNC)
				sync = !eventfd_read(vv->sync_efd, &v);
			else
				vfio_intr_event(ev[i].data.ptr);
		}
		if (sync)	/* the whole batch is done */
			eventfd_write(vv->synced_efd, 1);
	}
}

static int io_start(struct vfio_vm *vv)
{
	struct epoll_event ev = { .events = EPOLLIN,
				  .data.ptr = VFIO_EP_STOP };
	struct epoll_event sev = { .events = EPOLLIN,
				   .data.ptr = VFIO_EP_SYNC };
	sigset_t all, old;
	int r;

	vv->epfd = epoll_create1(EPOLL_CLOEXEC);
	vv->stop_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	vv->sync_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	vv->synced_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	vv->eject_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (vv->epfd < 0 || vv->stop_efd < 0 || vv->sync_efd < 0 ||
	    vv->synced_efd < 0 || vv->eject_efd < 0 ||
	    epoll_ctl(vv->epfd, EPOLL_CTL_ADD, vv->stop_efd, &ev) ||
	    epoll_ctl(vv->epfd, EPOLL_CTL_ADD, vv->sync_efd, &sev)) {
		pr_err("vfio: I/O thread setup: %s", strerror(errno));
		return -1;
	}
	/* signals stay with the main thread's signalfd */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	r = pthread_create(&vv->thread, NULL, io_thread, vv);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r) {
		pr_err("vfio: I/O thread: %s", strerror(r));
		return -1;
	}
	vv->thread_on = true;
	return 0;
}

static void io_stop(struct vfio_vm *vv)
{
	if (vv->thread_on) {
		if (eventfd_write(vv->stop_efd, 1))
			pr_warn("vfio: stopping the I/O thread: %s",
				strerror(errno));
		pthread_join(vv->thread, NULL);
	}
	if (vv->stop_efd >= 0)
		close(vv->stop_efd);
	if (vv->sync_efd >= 0)
		close(vv->sync_efd);
	if (vv->synced_efd >= 0)
		close(vv->synced_efd);
	if (vv->eject_efd >= 0)
		close(vv->eject_efd);
	if (vv->epfd >= 0)
		close(vv->epfd);
}

int vfio_io_sync(struct vfio_vm *vv)
{
	struct pollfd p = { .fd = vv->synced_efd, .events = POLLIN };
	eventfd_t v;

	if (!vv->thread_on)
		return 0;
	if (eventfd_write(vv->sync_efd, 1))
		return -1;
	while (poll(&p, 1, SYNC_MS) < 0 && errno == EINTR)
		;
	return eventfd_read(vv->synced_efd, &v) ? -1 : 0;
}

/* ---- lkvm stat --vfio ---- */

void vfio_show_stats(struct vm *vm, FILE *out)
{
	int i;

	for (i = 0; vm->vfio && i < vm->vfio->nr; i++)
		device_stats(vm->vfio->devs[i], out);
}

/* ---- snapshots: device data of every device ---- */

/* ---- init level ---- */

/* Devices without a reset of their own get the bus reset while every
 * device of the VM is open: after they are all set up, and at exit before
 * any is released; one reset covering several counts for each of them. */
static void bus_resets(struct vfio_vm *vv, bool at_exit)
{
	bool done[VFIO_MAX_DEVICES] = { false };
	u32 before;
	int i, j;

	for (i = 0; i < vv->nr; i++) {
		struct vfio_device *d = &vv->devs[i]->vdev;

		if (d->reset_works || d->fd < 0 || done[i])
			continue;
		before = d->hot_resets;
		vfio_device_reset(d);
		d->exit_reset_done = at_exit;
		for (j = i + 1; d->hot_resets != before && j < vv->nr; j++) {
			struct vfio_device *o = &vv->devs[j]->vdev;

			if (!vfio_hot_reset_covered(d, o->spec.name))
				continue;
			done[j] = true;
			o->exit_reset_done = at_exit;
		}
	}
}

struct vfio_container *vfio_vm_container(struct vm *vm)
{
	return vm->vfio ? &vm->vfio->c : NULL;
}

static void vfio_exit(struct vm *vm)
{
	struct vfio_vm *vv = vm->vfio;
	int i;

	if (!vv)
		return;
	if (vv->stat_on)
		control_unregister_stat(&vv->stat);
	bus_resets(vv, true);
	for (i = 0; lkvm_debug && i < vv->nr; i++)
		device_stats(vv->devs[i], stderr);
	io_stop(vv);
	for (i = vv->nr - 1; i >= 0; i--)
		vfio_pci_destroy(vv->devs[i]);
	vfio_container_exit(&vv->c);
	if (vv->hot_irq_stat_fd >= 0)
		close(vv->hot_irq_stat_fd);
	free(vv);
	vm->vfio = NULL;
}

int vfio_device_add(struct vfio_vm *vv, struct vm *vm,
		    const struct vfio_spec *spec, bool hot)
{
	struct vfio_pci *vp = calloc(1, sizeof(*vp));
	char err[VFIO_ERR_LEN];

	if (!vp) {
		pr_err("vfio %s: out of memory", spec->name);
		return -1;
	}
	vp->vm = vm;
	vp->vdev.fd = -1;
	vp->intx_efd = vp->intx_rfd = vp->req.efd = vp->errq.efd = -1;
	vp->irq_stat_fd = -1;
	vp->page = vm->cfg->vfio_page ? : (u64)sysconf(_SC_PAGESIZE);
	snprintf(vp->name, sizeof(vp->name), "vfio %s", spec->name);
	vp->hot = hot;
	pthread_mutex_init(&vp->lock, NULL);
	if (vfio_device_open(&vv->c, spec, &vp->vdev, err, sizeof(err))) {
		pr_err("%s", err);
		vfio_pci_destroy(vp);
		return -1;
	}
	vv->devs[vv->nr++] = vp;
	if (vfio_device_map_guest(&vp->vdev, &vm->mem, err, sizeof(err))) {
		pr_err("%s: guest RAM DMA map: %s", vp->name, err);
		return -1;
	}
	if (vfio_pci_setup(vp, vv->epfd, err, sizeof(err))) {
		pr_err("%s", err);
		return -1;
	}
	vfio_device_backend(&vp->vdev, err, sizeof(err));
	pr_info("%s: %04x:%04x at guest %02x:%02x.0%s, %s", vp->name,
		vcfg_get(&vp->cfg, PCI_VENDOR_ID, 2),
		vcfg_get(&vp->cfg, PCI_DEVICE_ID, 2), PCI_BDF_BUS(vp->pci.bdf),
		vp->pci.slot,
		vp->reloc.relocate ? ", MSI-X relocated" : "", err);
	if (vp->reloc.trapped_bytes)
		pr_info("%s: 0x%llx bytes of registers share a %llu KiB host "
			"page with the MSI-X table or PBA and trap: %s",
			vp->name, (unsigned long long)vp->reloc.trapped_bytes,
			(unsigned long long)(vp->page >> 10), vp->reloc.reason);
	return 0;
}

static int vfio_init(struct vm *vm)
{
	char err[VFIO_ERR_LEN];
	struct vfio_vm *vv;
	int n, i;

	/* with root ports: devices may come later (vfio/hotplug.c) */
	if (!vm->cfg->vfio.nr && !vm->cfg->hotplug_slots)
		return 0;
	vv = calloc(1, sizeof(*vv));
	if (!vv)
		return -1;
	vv->epfd = vv->stop_efd = vv->sync_efd = vv->synced_efd = -1;
	vv->eject_efd = -1;
	vfio_container_init(&vv->c, vm->cfg->vfio_seam);
	vv->hot_irq_stat_fd = vm->cfg->hotplug_slots ?
			      irqstat_open(vv->c.ops) : -1;
	vm->vfio = vv;
	n = vfio_specs_parse(&vm->cfg->vfio, vv->specs, err, sizeof(err));
	if (n < 0) {
		pr_err("%s", err);
		goto fail;
	}
	if (io_start(vv))
		goto fail;
	for (i = 0; i < n; i++)
		if (vfio_device_add(vv, vm, &vv->specs[i], false))
			goto fail;
	bus_resets(vv, false);
	vv->stat = (struct control_stat){ .topic = "vfio",
					  .show = vfio_show_stats };
	if (n)		/* else with the first device added */
		control_register_stat(&vv->stat);
	vv->stat_on = n > 0;
	return 0;
fail:
	vfio_exit(vm);
	return -1;
}

LKVM_INIT(INIT_DEVICE, vfio_init, vfio_exit)
