/* Interrupts of an assigned device: MSI-X and MSI vectors as eventfds that
 * go to KVM irqfds while unmasked and to the I/O thread (pending latch)
 * while masked, VFIO trigger programming, and level INTx with resample. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include "kvm/guest_log.h"
#include "kvm/irq.h"
#include "kvm/msi_route.h"
#include "vfio/irqstat.h"
#include "vfio/pci.h"

static bool is_msix(const struct vfio_vecset *vs)
{
	return vs->index == VFIO_PCI_MSIX_IRQ_INDEX;
}

static const char *vs_name(const struct vfio_vecset *vs)
{
	return is_msix(vs) ? "MSI-X" : "MSI";
}

/* The message vector v carries as the guest programmed it. */
static void vec_msg(struct vfio_pci *vp, const struct vfio_vec *vec,
		    u64 *addr, u32 *data)
{
	if (vec->index == VFIO_PCI_MSIX_IRQ_INDEX)
		msix_route(vp->msix, vec->v, addr, data);
	else
		msi_route(&vp->msi, vec->v, addr, data);
}

static void inject(struct vfio_pci *vp, struct vfio_vec *vec)
{
	u64 addr;
	u32 data;

	vec_msg(vp, vec, &addr, &data);
	if (irq_signal_msi(vp->vm, addr, data, vp->pci.bdf, 0))
		pr_guest(vp->vm, "%s: KVM_SIGNAL_MSI vector %u: %s", vp->name,
			 vec->v, strerror(errno));
	vec->injected++;
}

/* Makes vec's KVM route current; *commit is set when the table changed. */
static int vec_route(struct vfio_pci *vp, struct vfio_vec *vec, bool *commit)
{
	struct msi_msg m = { .devid = vp->pci.bdf };

	if (vec->gsi >= 0 && !vec->route_dirty)
		return 0;
	vec_msg(vp, vec, &m.addr, &m.data);
	if (msi_route_set(vp->vm, &vec->gsi, &m, commit)) {
		pr_err("%s: no GSI for vector %u", vp->name, vec->v);
		return -1;
	}
	vec->route_dirty = false;
	return 0;
}

/* ---- INTx: VFIO owns it only while MSI and MSI-X are off ---- */

static void intx_host_off(struct vfio_pci *vp)
{
	if (!vp->intx_host)
		return;
	vfio_irq_disable(&vp->vdev, VFIO_PCI_INTX_IRQ_INDEX);
	vp->intx_host = false;
}

static void intx_host_on(struct vfio_pci *vp)
{
	if (!vp->intx_irqfd || vp->intx_host || vp->vmsix.host_on ||
	    vp->vmsi.host_on)
		return;
	if (!vfio_intx_enable(&vp->vdev, vp->intx_efd, vp->intx_rfd))
		vp->intx_host = true;
}

/* ---- vector sets ---- */

static void detach(struct vfio_pci *vp, struct vfio_vec *vec)
{
	if (vec->state == MSIX_VEC_LIVE)
		irqfd_deassign(vp->vm, vec->efd, vec->gsi);
	else if (vec->state == MSIX_VEC_MASKED)
		epoll_ctl(vp->epfd, EPOLL_CTL_DEL, vec->efd, NULL);
}

/* Drains vec's eventfd; true if the device had signalled it. */
static bool drain(struct vfio_vec *vec)
{
	eventfd_t n = 0;

	return !eventfd_read(vec->efd, &n) && n;
}

static void attach(struct vfio_pci *vp, struct vfio_vec *vec, u8 state,
		   u64 *deliver)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = vec };

	if (state == MSIX_VEC_LIVE) {
		/* raised while masked but not latched yet: pending, deliver */
		if (drain(vec) && vec->state == MSIX_VEC_MASKED &&
		    !msix_bit(deliver, vec->v)) {
			msix_bit_set(deliver, vec->v, true);
			vec->latched++;
		}
		if (vec->gsi < 0 ||
		    irqfd_assign(vp->vm, vec->efd, vec->gsi, -1)) {
			pr_warn("%s: %s vector %u: no irqfd, delivery lost",
				vp->name, vec->index == VFIO_PCI_MSI_IRQ_INDEX ?
				"MSI" : "MSI-X", vec->v);
		}
	} else if (state == MSIX_VEC_MASKED) {
		if (epoll_ctl(vp->epfd, EPOLL_CTL_ADD, vec->efd, &ev))
			pr_warn("%s: vector %u: epoll: %s", vp->name, vec->v,
				strerror(errno));
	}
}

/*
 * Disabling an MSI or MSI-X index frees the host IRQs and their counts in
 * /proc/interrupts: keep them first (a guest's driver does this a few times
 * at load and unload, never on the delivery path).
 */
static void bank_dev_counts(struct vfio_pci *vp, struct vfio_vecset *vs)
{
	u64 *c = calloc(vs->nr, sizeof(*c));
	u32 v;

	if (c && irqstat_read(vp->irq_stat_fd, vp->vdev.spec.name, vs->index,
			      c, vs->nr) > 0)
		for (v = 0; v < vs->nr; v++)
			vs->vec[v].dev_banked += c[v];
	free(c);
}

static void host_disable(struct vfio_pci *vp, struct vfio_vecset *vs)
{
	bank_dev_counts(vp, vs);
	vfio_irq_disable(&vp->vdev, vs->index);
	vs->host_on = false;
}

/* Pushes the eventfd changes to VFIO: one SET_IRQS per changed range. */
static void host_update(struct vfio_pci *vp, struct vfio_vecset *vs,
			const u8 *nstate)
{
	u8 old_hw[MSIX_MAX_VECTORS], new_hw[MSIX_MAX_VECTORS];
	int fds[MSIX_MAX_VECTORS];
	struct msix_range rg[8];
	u32 v, count = 0, n, i;

	for (v = 0; v < vs->nr; v++) {
		old_hw[v] = vs->vec[v].hw;
		new_hw[v] = nstate[v] != MSIX_VEC_OFF;
		fds[v] = new_hw[v] ? vs->vec[v].efd : -1;
		if (new_hw[v])
			count = v + 1;
	}
	if (!count) {
		if (vs->host_on)
			host_disable(vp, vs);
		vs->host_count = 0;
		for (v = 0; v < vs->nr; v++)
			vs->vec[v].hw = 0;
		return;
	}
	if (vs->host_on && vs->host_count != count) {
		/* cannot grow or shrink in place (NORESIZE): start over */
		host_disable(vp, vs);
	}
	if (!vs->host_on) {
		intx_host_off(vp);
		if (vfio_irq_set_eventfds(&vp->vdev, vs->index, 0, count, fds))
			return;
		vs->host_on = true;
		vs->host_count = count;
		for (v = 0; v < vs->nr; v++)
			vs->vec[v].hw = v < count && new_hw[v];
		return;
	}
	n = msix_changed_ranges(old_hw, new_hw, count, rg, ARRAY_SIZE(rg));
	for (i = 0; i < n; i++) {
		if (vfio_irq_set_eventfds(&vp->vdev, vs->index, rg[i].start,
					  rg[i].count, fds + rg[i].start))
			continue;
		for (v = rg[i].start; v < rg[i].start + rg[i].count; v++)
			vs->vec[v].hw = new_hw[v];
	}
}

/*
 * Moves every vector of vs to nstate (and VFIO along), then injects the
 * vectors in deliver once each. Called with vp->lock held.
 */
static void apply(struct vfio_pci *vp, struct vfio_vecset *vs,
		  const u8 *nstate, u64 *deliver)
{
	bool commit = false;
	struct vfio_vec *vec;
	u32 v;

	for (v = 0; v < vs->nr; v++)
		if (vs->vec[v].state != nstate[v])
			detach(vp, &vs->vec[v]);
	host_update(vp, vs, nstate);
	for (v = 0; v < vs->nr; v++) {
		vec = &vs->vec[v];
		if (nstate[v] == MSIX_VEC_LIVE &&
		    (vec->state != MSIX_VEC_LIVE || vec->route_dirty))
			vec_route(vp, vec, &commit);
	}
	if (commit)
		irq_commit(vp->vm);
	for (v = 0; v < vs->nr; v++) {
		vec = &vs->vec[v];
		if (vec->state != nstate[v])
			attach(vp, vec, nstate[v], deliver);
		vec->state = nstate[v];
	}
	for (v = 0; v < vs->nr; v++)
		if (msix_bit(deliver, v))
			inject(vp, &vs->vec[v]);
	if (!vs->host_on)
		intx_host_on(vp);
}

static void routes_changed(struct vfio_vecset *vs, const struct msix_result *r)
{
	u32 v;

	if (!(r->flags & MSIX_R_ROUTE))
		return;
	for (v = r->route_first; v < r->route_first + r->route_count &&
	     v < vs->nr; v++)
		vs->vec[v].route_dirty = true;
}

static void msix_apply(struct vfio_pci *vp, struct msix_result *res)
{
	u8 st[MSIX_MAX_VECTORS];

	routes_changed(&vp->vmsix, res);
	msix_vec_states(vp->msix, st);
	apply(vp, &vp->vmsix, st, res->deliver);
}

static void msi_apply(struct vfio_pci *vp, struct msix_result *res)
{
	u8 st[MSI_MAX_VECTORS];
	u32 v;

	routes_changed(&vp->vmsi, res);
	for (v = 0; v < vp->vmsi.nr; v++)
		st[v] = (u8)msi_vec_state(&vp->msi, v);
	apply(vp, &vp->vmsi, st, res->deliver);
	vcfg_msi_set_pending(&vp->cfg, vp->msi.pending);
}

/* ---- guest accesses ---- */

void vfio_intr_msix_ctrl(struct vfio_pci *vp)
{
	struct msix_result res;
	bool en, fm;

	if (!vp->has_msix || !vcfg_msix_get(&vp->cfg, &en, &fm))
		return;
	pthread_mutex_lock(&vp->lock);
	msix_set_ctrl(vp->msix, en, fm, &res);
	msix_apply(vp, &res);
	pthread_mutex_unlock(&vp->lock);
}

void vfio_intr_msi_update(struct vfio_pci *vp)
{
	struct msix_result res;
	struct vcfg_msi m;

	if (!vp->has_msi || !vcfg_msi_get(&vp->cfg, &m))
		return;
	pthread_mutex_lock(&vp->lock);
	msi_update(&vp->msi, m.enabled, MIN(m.nr_vectors, vp->vmsi.nr),
		   m.addr, m.data, m.mask, &res);
	msi_apply(vp, &res);
	pthread_mutex_unlock(&vp->lock);
}

void vfio_intr_flr(struct vfio_pci *vp)
{
	vfio_intr_msix_ctrl(vp);
	vfio_intr_msi_update(vp);
	pthread_mutex_lock(&vp->lock);
	if (vp->msix)
		msix_init(vp->msix, vp->msix->nr, (u64 *)vp->msix->tbl);
	if (vp->has_msi)
		msi_init(&vp->msi, vp->msi.maskable);
	pthread_mutex_unlock(&vp->lock);
}

void vfio_intr_table_write(struct vfio_pci *vp, u64 off, const u8 *data,
			   u32 len)
{
	struct msix_result res;

	if (!vp->has_msix)
		return;
	pthread_mutex_lock(&vp->lock);
	if (msix_table_write(vp->msix, off, data, len, &res)) {
		/* a LIVE vector's new message must reach KVM now */
		msix_apply(vp, &res);
	}
	pthread_mutex_unlock(&vp->lock);
}

void vfio_intr_table_read(struct vfio_pci *vp, u64 off, u8 *data, u32 len)
{
	if (!vp->has_msix) {
		memset(data, 0, len);
		return;
	}
	pthread_mutex_lock(&vp->lock);
	msix_table_read(vp->msix, off, data, len);
	pthread_mutex_unlock(&vp->lock);
}

void vfio_intr_pba_read(struct vfio_pci *vp, u64 off, u8 *data, u32 len)
{
	if (!vp->has_msix) {
		memset(data, 0, len);
		return;
	}
	pthread_mutex_lock(&vp->lock);
	msix_pba_read(vp->msix, off, data, len);
	pthread_mutex_unlock(&vp->lock);
}

/* I/O thread: the guest EOIed INTx (KVM resamplefd) and VFIO took no
 * unmask eventfd: unmask the line here. */
static void intx_resampled(struct vfio_pci *vp)
{
	eventfd_t n;

	pthread_mutex_lock(&vp->lock);
	if (eventfd_read(vp->intx_rfd, &n) || !vp->intx_host)
		goto out;
	if (vfio_intx_unmask(&vp->vdev))
		pr_guest(vp->vm, "%s: INTx unmask: %s", vp->name,
			 strerror(errno));
	else
		vp->intx_unmasks++;
out:
	pthread_mutex_unlock(&vp->lock);
}

/* The host wants the device back (an unbind from vfio-pci waits for it,
 * the kernel repeating the request): where the guest can be asked to eject
 * it (vfio_pci_request_eject), that is all; otherwise the VM stops (status
 * 1, the vCPUs are kicked out at once) and lkvm releases it at exit. */
static void req_fired(struct vfio_vec *vec)
{
	struct vfio_pci *vp = vec->vp;

	if (!drain(vec))
		return;
	vp->host_requests++;
	if (vfio_pci_request_eject(vp)) {
		pr_info("%s: the host asks for the device back: the guest is "
			"asked to eject it", vp->name);
		return;
	}
	pr_err("%s: the host asks for the device back (VFIO request "
	       "interrupt, e.g. an unbind from vfio-pci): stopping the VM to "
	       "release it", vp->name);
	vm_request_exit(vp->vm, VM_ERROR);
}

/* The device signalled an uncorrectable error (AER, VFIO's error
 * interrupt): what it moved by DMA may be corrupt, so the VM stops unless
 * on-error=report. */
static void err_fired(struct vfio_vec *vec)
{
	struct vfio_pci *vp = vec->vp;

	if (!drain(vec))
		return;
	vp->aer_errors++;
	if (vp->vdev.spec.on_error_report) {
		pr_warn("%s: the device reports an uncorrectable error (AER, "
			"%llu so far): running on (on-error=report); data it "
			"moved may be corrupt", vp->name,
			(unsigned long long)vp->aer_errors);
		return;
	}
	pr_err("%s: the device reports an uncorrectable error (AER): stopping "
	       "the VM, data it moved may be corrupt (on-error=report logs "
	       "and runs on)", vp->name);
	vm_request_exit(vp->vm, VM_ERROR);
}

/* I/O thread: the device raised a vector lkvm watches (masked), INTx was
 * EOIed (resample), the host asks for the device or it reports an error. */
void vfio_intr_event(struct vfio_vec *vec)
{
	struct vfio_pci *vp = vec->vp;
	struct pci_bus *bus = vp->vm->pci;
	bool msi = vec->index == VFIO_PCI_MSI_IRQ_INDEX;
	enum msix_fire_res r;

	if (vec->index == VFIO_PCI_REQ_IRQ_INDEX) {
		req_fired(vec);
		return;
	}
	if (vec->index == VFIO_PCI_ERR_IRQ_INDEX) {
		err_fired(vec);
		return;
	}
	if (vec->index == VFIO_PCI_INTX_IRQ_INDEX) {
		intx_resampled(vp);
		return;
	}
	if (msi)	/* the pending bits live in config space */
		pthread_mutex_lock(&bus->lock);
	pthread_mutex_lock(&vp->lock);
	if (vec->state != MSIX_VEC_MASKED || !drain(vec))
		goto out;
	vec->latched++;
	r = msi ? msi_fire(&vp->msi, vec->v) : msix_fire(vp->msix, vec->v);
	if (r == MSIX_DELIVER)
		inject(vp, vec);
	if (msi)
		vcfg_msi_set_pending(&vp->cfg, vp->msi.pending);
out:
	pthread_mutex_unlock(&vp->lock);
	if (msi)
		pthread_mutex_unlock(&bus->lock);
}

/* ---- setup and teardown ---- */

static int vecset_init(struct vfio_pci *vp, struct vfio_vecset *vs,
		       u32 index, u32 nr, char *err, size_t errlen)
{
	u32 v;

	vs->index = index;
	vs->vec = calloc(nr, sizeof(*vs->vec));
	if (!vs->vec)
		return set_err(err, errlen, "%s: out of memory", vp->name);
	for (v = 0; v < nr; v++) {
		struct vfio_vec *vec = &vs->vec[v];

		vec->vp = vp;
		vec->index = index;
		vec->v = v;
		vec->gsi = -1;
		vec->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (vec->efd < 0)
			return set_err(err, errlen, "%s: eventfd: %s",
				       vp->name, strerror(errno));
		vs->nr = v + 1;
	}
	return 0;
}

static int intx_setup(struct vfio_pci *vp, char *err, size_t errlen)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &vp->intx_rs };

	vp->intx_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	vp->intx_rfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (vp->intx_efd < 0 || vp->intx_rfd < 0)
		return set_err(err, errlen, "%s: eventfd: %s", vp->name,
			       strerror(errno));
	if (irqfd_assign(vp->vm, vp->intx_efd, vp->pci.gsi, vp->intx_rfd))
		return set_err(err, errlen, "%s: INTx irqfd with resample on "
			       "GSI %u failed", vp->name, vp->pci.gsi);
	vp->intx_irqfd = true;
	if (vfio_intx_enable(&vp->vdev, vp->intx_efd, vp->intx_rfd))
		return set_err(err, errlen, "%s: enabling INTx failed",
			       vp->name);
	vp->intx_host = true;
	if (vp->vdev.irqs[VFIO_PCI_INTX_IRQ_INDEX].resample)
		return 0;
	vp->intx_rs = (struct vfio_vec){ .vp = vp,
					 .index = VFIO_PCI_INTX_IRQ_INDEX };
	if (epoll_ctl(vp->epfd, EPOLL_CTL_ADD, vp->intx_rfd, &ev))
		return set_err(err, errlen, "%s: INTx resample: epoll: %s",
			       vp->name, strerror(errno));
	return 0;
}

/* Arms a one-vector host interrupt (request, error) where the device has
 * it, its eventfd in the I/O thread's set; without, says what is lost. */
static void host_irq_setup(struct vfio_pci *vp, struct vfio_vec *r, u32 index,
			   const char *lost)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = r };

	*r = (struct vfio_vec){ .vp = vp, .index = index };
	r->efd = -1;
	if (!vp->vdev.irqs[index].count)
		return;
	r->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (r->efd >= 0 && !vfio_irq_set_eventfds(&vp->vdev, index, 0, 1,
						  &r->efd)) {
		r->hw = 1;
		if (!epoll_ctl(vp->epfd, EPOLL_CTL_ADD, r->efd, &ev))
			return;
	}
	pr_warn("%s: no %s (%s)", vp->name, lost, strerror(errno));
}

static void host_irq_teardown(struct vfio_pci *vp, struct vfio_vec *r)
{
	if (r->efd < 0)
		return;
	epoll_ctl(vp->epfd, EPOLL_CTL_DEL, r->efd, NULL);
	if (r->hw)
		vfio_irq_disable(&vp->vdev, r->index);
	close(r->efd);
	r->efd = -1;
}

int vfio_intr_setup(struct vfio_pci *vp, int epfd, char *err, size_t errlen)
{
	struct vcfg_msi m;
	u32 n;

	vp->epfd = epfd;
	/* -1: counts unknown; a device added at run time opens no file
	 * but reads the one opened at start for such devices (vfio_vm's) */
	if (vp->pci.hot)
		vp->irq_stat_fd = vp->vm && vp->vm->vfio ?
				  vp->vm->vfio->hot_irq_stat_fd : -1;
	else
		vp->irq_stat_fd = irqstat_open(vp->vdev.ops);
	host_irq_setup(vp, &vp->req, VFIO_PCI_REQ_IRQ_INDEX, "request "
		       "interrupt: a host unbind will wait until lkvm exits");
	host_irq_setup(vp, &vp->errq, VFIO_PCI_ERR_IRQ_INDEX, "error "
		       "interrupt: an uncorrectable AER error goes unnoticed");
	if (vp->has_msix) {
		n = MIN(vcfg_msix_vectors(&vp->cfg),
			vp->vdev.irqs[VFIO_PCI_MSIX_IRQ_INDEX].count);
		n = MIN(n, (u32)MSIX_MAX_VECTORS);
		vp->msix = msix_new(n);
		if (!vp->msix)
			return set_err(err, errlen, "%s: out of memory",
				       vp->name);
		if (vecset_init(vp, &vp->vmsix, VFIO_PCI_MSIX_IRQ_INDEX, n,
				err, errlen))
			return -1;
	}
	if (vp->has_msi && vcfg_msi_get(&vp->cfg, &m)) {
		n = MIN(m.max_vectors,
			vp->vdev.irqs[VFIO_PCI_MSI_IRQ_INDEX].count);
		n = MIN(MAX(n, 1u), (u32)MSI_MAX_VECTORS);
		msi_init(&vp->msi, m.maskable);
		if (vecset_init(vp, &vp->vmsi, VFIO_PCI_MSI_IRQ_INDEX, n, err,
				errlen))
			return -1;
	} else {
		vp->has_msi = false;
	}
	if (vp->has_intx && vp->pci.irq_pin)
		return intx_setup(vp, err, errlen);
	return 0;
}

static void vecset_teardown(struct vfio_pci *vp, struct vfio_vecset *vs)
{
	bool freed = false;
	u32 v;

	if (!vs->vec)
		return;
	for (v = 0; v < vs->nr; v++)
		detach(vp, &vs->vec[v]);
	if (vs->host_on)
		vfio_irq_disable(&vp->vdev, vs->index);
	vs->host_on = false;
	for (v = 0; v < vs->nr; v++) {
		struct vfio_vec *vec = &vs->vec[v];

		vec->state = MSIX_VEC_OFF;
		if (vec->efd >= 0)
			close(vec->efd);
		msi_route_drop(vp->vm, &vec->gsi, -1, &freed);
	}
	if (freed)
		irq_commit(vp->vm);
	free(vs->vec);
	vs->vec = NULL;
	vs->nr = 0;
}

void vfio_intr_teardown(struct vfio_pci *vp)
{
	pthread_mutex_lock(&vp->lock);
	vecset_teardown(vp, &vp->vmsix);
	vecset_teardown(vp, &vp->vmsi);
	if (vp->intx_host)
		vfio_irq_disable(&vp->vdev, VFIO_PCI_INTX_IRQ_INDEX);
	vp->intx_host = false;
	if (vp->intx_irqfd)
		irqfd_deassign(vp->vm, vp->intx_efd, vp->pci.gsi);
	vp->intx_irqfd = false;
	if (vp->intx_efd >= 0)
		close(vp->intx_efd);
	if (vp->intx_rfd >= 0)
		close(vp->intx_rfd);
	vp->intx_efd = vp->intx_rfd = -1;
	host_irq_teardown(vp, &vp->req);
	host_irq_teardown(vp, &vp->errq);
	if (vp->irq_stat_fd >= 0 && !vp->pci.hot)	/* not vfio_vm's */
		close(vp->irq_stat_fd);
	vp->irq_stat_fd = -1;
	pthread_mutex_unlock(&vp->lock);
}

/* "N from the device" (the host's count), or "? from the device" when
 * /proc/interrupts could not be read. */
static void print_dev_count(FILE *out, bool known, u64 n)
{
	if (known)
		fprintf(out, "%llu from the device", (unsigned long long)n);
	else
		fprintf(out, "? from the device");
}

/* dev: the host's live per-vector counts, NULL when unknown; the counts
 * banked before earlier disables are added to them. */
static void vecset_stats(const struct vfio_vecset *vs, u64 *dev, FILE *out)
{
	u64 lat = 0, inj = 0, raised = 0;
	const struct vfio_vec *vec;
	u32 v;

	for (v = 0; v < vs->nr; v++) {
		lat += vs->vec[v].latched;
		inj += vs->vec[v].injected;
		if (dev)
			dev[v] += vs->vec[v].dev_banked;
		raised += dev ? dev[v] : 0;
	}
	fprintf(out, "  %s: %u vectors, ", vs_name(vs), vs->nr);
	print_dev_count(out, dev, raised);
	fprintf(out, ", %llu latched while masked, %llu injected by lkvm\n",
		(unsigned long long)lat, (unsigned long long)inj);
	for (v = 0; v < vs->nr; v++) {
		vec = &vs->vec[v];
		if (!vec->latched && !vec->injected && !(dev && dev[v]))
			continue;
		fprintf(out, "    vector %u: ", v);
		print_dev_count(out, dev, dev ? dev[v] : 0);
		fprintf(out, ", %llu latched, %llu injected\n",
			(unsigned long long)vec->latched,
			(unsigned long long)vec->injected);
	}
}

/* The host's counts for vs's vectors, parsed from text (/proc/interrupts)
 * into a malloc'ed array; NULL when text is NULL (unreadable). */
static u64 *dev_counts(struct vfio_pci *vp, const char *text, u32 index,
		       u32 nr)
{
	u64 *c;

	if (!text)
		return NULL;
	c = calloc(nr ? nr : 1, sizeof(*c));
	if (c && irqstat_parse(text, vp->vdev.spec.name, index, c, nr) < 0) {
		free(c);
		c = NULL;
	}
	return c;
}

static void print_vecset(struct vfio_pci *vp, struct vfio_vecset *vs,
			 const char *text, FILE *out)
{
	u64 *dev;

	if (!vs->vec)
		return;
	dev = dev_counts(vp, text, vs->index, vs->nr);
	vecset_stats(vs, dev, out);
	free(dev);
}

/*
 * /proc/interrupts is read once, under vp->lock, so that a disable cannot
 * bank counts between the read and the print (they would show twice); it
 * takes a few ms, paid only when someone asks for stats.
 */
void vfio_intr_print_stats(struct vfio_pci *vp, FILE *out)
{
	char *text;
	u64 *dev;

	pthread_mutex_lock(&vp->lock);
	text = irqstat_load(vp->irq_stat_fd);
	print_vecset(vp, &vp->vmsix, text, out);
	print_vecset(vp, &vp->vmsi, text, out);
	if (vp->intx_irqfd) {
		dev = dev_counts(vp, text, VFIO_PCI_INTX_IRQ_INDEX, 1);
		fprintf(out, "  INTx: irqfd + resamplefd on GSI %u, ",
			vp->pci.gsi);
		if (!vp->vdev.irqs[VFIO_PCI_INTX_IRQ_INDEX].resample)
			fprintf(out, "%llu unmasked by lkvm, ",
				(unsigned long long)vp->intx_unmasks);
		print_dev_count(out, dev, dev ? dev[0] : 0);
		fprintf(out, "\n");
		free(dev);
	}
	pthread_mutex_unlock(&vp->lock);
	free(text);
	fprintf(out, "  (\"from the device\": the host's /proc/interrupts; "
		"the unmasked ones reach the guest through KVM irqfds "
		"without waking lkvm)\n");
}
