/* A fake VM with a PCI bus and the simulated VFIO kernel for the tests of
 * assigned devices (test_reset.c, test_rom.c, test_snapshot.c): open a
 * device as lkvm run does (vfio_pci_setup) and reach its config space as
 * the guest does. */
#ifndef LKVM_TESTS_UNIT_VFIO_RIG_H
#define LKVM_TESTS_UNIT_VFIO_RIG_H

#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>
#include "unit.h"
#include "fake_vm.h"
#include "kvm/irq.h"
#include "sim/vfio_sim.h"
#include "vfio/pci.h"

struct rig {
	struct lkvm_config cfg;
	struct vm vm;
	struct vfio_sim s;
	struct vfio_container c;
	int epfd;
};

static inline int rig_init(struct rig *g)
{
	memset(g, 0, sizeof(*g));
	if (vfio_sim_init(&g->s))
		return -1;
	fake_vm_init(&g->vm, &g->cfg, true);
	irq_routing_init(&g->vm);
	vfio_container_init(&g->c, &g->s.ops);
	g->epfd = epoll_create1(EPOLL_CLOEXEC);
	return g->vm.irq && g->epfd >= 0 ? 0 : -1;
}

static inline void rig_fini(struct rig *g)
{
	vfio_container_exit(&g->c);
	close(g->epfd);
	irq_routing_exit(&g->vm);
	fake_vm_fini(&g->vm);
	EXPECT_EQ(g->s.open_fds, 0);
	EXPECT_EQ(g->s.bad_calls, 0);
	vfio_sim_destroy(&g->s);
}

static inline struct vfio_pci *dev_open(struct rig *g, const char *spec)
{
	struct vfio_pci *vp = calloc(1, sizeof(*vp));
	char err[VFIO_ERR_LEN];
	struct vfio_spec sp;

	if (!vp)
		return NULL;
	vp->vm = &g->vm;
	vp->vdev.fd = -1;
	vp->intx_efd = vp->intx_rfd = vp->req.efd = vp->errq.efd = -1;
	vp->irq_stat_fd = -1;
	vp->page = 4096;
	pthread_mutex_init(&vp->lock, NULL);
	if (vfio_spec_parse(spec, &sp, err, sizeof(err)))
		goto fail;
	snprintf(vp->name, sizeof(vp->name), "vfio %s", sp.name);
	if (!vfio_device_open(&g->c, &sp, &vp->vdev, err, sizeof(err)) &&
	    !vfio_pci_setup(vp, g->epfd, err, sizeof(err)))
		return vp;
fail:
	fprintf(stderr, "%s\n", err);
	vfio_pci_destroy(vp);
	return NULL;
}

static inline void cfg_wr(struct vfio_pci *vp, u32 off, u32 val, u32 len)
{
	u8 d[4] = { val, val >> 8, val >> 16, val >> 24 };

	pci_config_access(vp->vm, vp->pci.bdf, off, d, len, true);
}

static inline u32 cfg_rd(struct vfio_pci *vp, u32 off, u32 len)
{
	u8 d[4] = { 0 };

	pci_config_access(vp->vm, vp->pci.bdf, off, d, len, false);
	return d[0] | d[1] << 8 | d[2] << 16 | (u32)d[3] << 24;
}

#endif
