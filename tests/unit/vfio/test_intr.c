/* Unit tests for assigned devices' interrupts (vfio/intr.c) against the
 * simulated kernel: INTx of a device without an unmask eventfd (mdevs) is
 * unmasked by SET_IRQS when KVM's resamplefd fires (the guest's EOI). */
#include <sys/eventfd.h>
#include <unistd.h>
#include "unit.h"
#include "fake_vm.h"
#include "sim/vfio_sim.h"
#include "vfio/pci.h"

#define UUID "83b8f4f2-509f-382f-3c1e-e6bfe0fa1001"

TEST(vfio_intr_intx_unmask_on_resample)
{
	struct lkvm_config cfg = { 0 };
	struct vfio_container c;
	char err[VFIO_ERR_LEN];
	struct vfio_pci vp = { 0 };
	struct vfio_spec sp;
	struct vfio_sim s;
	struct sim_dev *sd;
	struct vm vm;
	int efd;

	ASSERT_EQ(vfio_sim_init(&s), 0);
	fake_vm_init(&vm, &cfg, false);
	sd = vfio_sim_add(&s, SIM_MTTY, UUID, 30);
	ASSERT_EQ(vfio_spec_parse(UUID, &sp, err, sizeof(err)), 0);
	vfio_container_init(&c, &s.ops);
	ASSERT_EQ(vfio_device_open(&c, &sp, &vp.vdev, err, sizeof(err)), 0);
	vp.vm = &vm;
	pthread_mutex_init(&vp.lock, NULL);
	efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	vp.intx_rfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	ASSERT(efd >= 0 && vp.intx_rfd >= 0);
	ASSERT_EQ(vfio_intx_enable(&vp.vdev, efd, vp.intx_rfd), 0);
	vp.intx_host = true;
	vp.intx_rs = (struct vfio_vec){ .vp = &vp,
					.index = VFIO_PCI_INTX_IRQ_INDEX };
	/* the guest's EOI */
	ASSERT_EQ(eventfd_write(vp.intx_rfd, 1), 0);
	vfio_intr_event(&vp.intx_rs);
	EXPECT_EQ(sd->intx_unmasks, 1);
	EXPECT_EQ(vp.intx_unmasks, 1);
	EXPECT_EQ(sd->last_set_flags, VFIO_IRQ_SET_DATA_NONE |
		  VFIO_IRQ_SET_ACTION_UNMASK);
	EXPECT_EQ(sd->last_set_start, 0);
	EXPECT_EQ(sd->last_set_count, 1);
	/* a wakeup without an EOI: nothing */
	vfio_intr_event(&vp.intx_rs);
	EXPECT_EQ(sd->intx_unmasks, 1);
	/* INTx handed back (MSI on): the EOI is drained, no unmask */
	vp.intx_host = false;
	ASSERT_EQ(eventfd_write(vp.intx_rfd, 1), 0);
	vfio_intr_event(&vp.intx_rs);
	EXPECT_EQ(sd->intx_unmasks, 1);
	vp.intx_host = true;
	vfio_intr_event(&vp.intx_rs);
	EXPECT_EQ(sd->intx_unmasks, 1);
	EXPECT_EQ(vp.intx_unmasks, 1);
	vfio_device_close(&vp.vdev);
	vfio_container_exit(&c);
	EXPECT_EQ(s.open_fds, 0);
	close(efd);
	close(vp.intx_rfd);
	pthread_mutex_destroy(&vp.lock);
	fake_vm_fini(&vm);
	vfio_sim_destroy(&s);
}
