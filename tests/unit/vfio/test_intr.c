/* Unit tests for assigned devices' interrupts (vfio/intr.c) against the
 * simulated kernel: INTx of a device without an unmask eventfd (mdevs) is
 * unmasked by SET_IRQS when KVM's resamplefd fires (the guest's EOI); the
 * request interrupt (the host wants the device back) stops the VM, and so
 * does the error interrupt (AER) unless on-error=report. */
#include <sys/epoll.h>
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

/* The host asks for the device back: the request eventfd is armed at setup,
 * its firing stops the VM (status 1), and teardown disarms and closes it. */
TEST(vfio_intr_request_stops_the_vm)
{
	struct lkvm_config cfg = { 0 };
	struct vfio_container c;
	char err[VFIO_ERR_LEN];
	struct vfio_pci vp = { 0 };
	struct vfio_spec sp;
	struct vfio_sim s;
	struct sim_dev *sd;
	struct vm vm;
	int fd;

	ASSERT_EQ(vfio_sim_init(&s), 0);
	fake_vm_init(&vm, &cfg, false);
	vm.exit_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	sd = vfio_sim_add(&s, SIM_NVME, "0000:01:00.0", 31);
	ASSERT_EQ(vfio_spec_parse("01:00.0", &sp, err, sizeof(err)), 0);
	vfio_container_init(&c, &s.ops);
	ASSERT_EQ(vfio_device_open(&c, &sp, &vp.vdev, err, sizeof(err)), 0);
	vp.vm = &vm;
	vp.intx_efd = vp.intx_rfd = vp.irq_stat_fd = -1;
	pthread_mutex_init(&vp.lock, NULL);
	ASSERT_EQ(vfio_intr_setup(&vp, epoll_create1(EPOLL_CLOEXEC), err,
				  sizeof(err)), 0);
	ASSERT(sd->irq_on[VFIO_PCI_REQ_IRQ_INDEX]);
	fd = sd->irq_fd[VFIO_PCI_REQ_IRQ_INDEX][0];
	EXPECT_EQ(fd, vp.req.efd);
	vfio_intr_event(&vp.req);	/* woken without a request: nothing */
	EXPECT(!vm_stopping(&vm));
	ASSERT_EQ(eventfd_write(fd, 1), 0);
	vfio_intr_event(&vp.req);
	EXPECT_EQ(vm.exit_reason, VM_ERROR);
	EXPECT_EQ(vp.host_requests, 1);
	/* the kernel repeats the request: counted, the stop stays as it is */
	ASSERT_EQ(eventfd_write(fd, 1), 0);
	vfio_intr_event(&vp.req);
	EXPECT_EQ(vp.host_requests, 2);
	EXPECT_EQ(vm.exit_reason, VM_ERROR);
	vfio_intr_teardown(&vp);
	EXPECT(!sd->irq_on[VFIO_PCI_REQ_IRQ_INDEX]);
	EXPECT_EQ(vp.req.efd, -1);
	close(vp.epfd);
	vfio_device_close(&vp.vdev);
	vfio_container_exit(&c);
	EXPECT_EQ(s.open_fds, 0);
	close(vm.exit_efd);
	pthread_mutex_destroy(&vp.lock);
	fake_vm_fini(&vm);
	vfio_sim_destroy(&s);
}

/* An uncorrectable error (VFIO's error interrupt): armed at setup; with
 * on-error=stop (the default) it stops the VM, with report it is counted
 * and the VM runs on; teardown disarms and closes it. */
static void err_case(bool report)
{
	struct lkvm_config cfg = { 0 };
	struct vfio_container c;
	char err[VFIO_ERR_LEN];
	struct vfio_pci vp = { 0 };
	struct vfio_spec sp;
	struct vfio_sim s;
	struct sim_dev *sd;
	struct vm vm;
	int fd;

	ASSERT_EQ(vfio_sim_init(&s), 0);
	fake_vm_init(&vm, &cfg, false);
	vm.exit_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	sd = vfio_sim_add(&s, SIM_NVME, "0000:01:00.0", 31);
	ASSERT_EQ(vfio_spec_parse(report ? "01:00.0,on-error=report" :
				  "01:00.0,on-error=stop", &sp, err,
				  sizeof(err)), 0);
	EXPECT_EQ(sp.on_error_report, report);
	vfio_container_init(&c, &s.ops);
	ASSERT_EQ(vfio_device_open(&c, &sp, &vp.vdev, err, sizeof(err)), 0);
	vp.vm = &vm;
	vp.intx_efd = vp.intx_rfd = -1;
	pthread_mutex_init(&vp.lock, NULL);
	ASSERT_EQ(vfio_intr_setup(&vp, epoll_create1(EPOLL_CLOEXEC), err,
				  sizeof(err)), 0);
	ASSERT(sd->irq_on[VFIO_PCI_ERR_IRQ_INDEX]);
	fd = sd->irq_fd[VFIO_PCI_ERR_IRQ_INDEX][0];
	EXPECT_EQ(fd, vp.errq.efd);
	vfio_intr_event(&vp.errq);	/* woken without an error: nothing */
	EXPECT_EQ(vp.aer_errors, 0);
	ASSERT_EQ(eventfd_write(fd, 1), 0);
	vfio_intr_event(&vp.errq);
	EXPECT_EQ(vp.aer_errors, 1);
	EXPECT_EQ(vm_stopping(&vm), !report);
	if (!report)
		EXPECT_EQ(vm.exit_reason, VM_ERROR);
	vfio_intr_teardown(&vp);
	EXPECT(!sd->irq_on[VFIO_PCI_ERR_IRQ_INDEX]);
	EXPECT_EQ(vp.errq.efd, -1);
	close(vp.epfd);
	vfio_device_close(&vp.vdev);
	vfio_container_exit(&c);
	EXPECT_EQ(s.open_fds, 0);
	close(vm.exit_efd);
	pthread_mutex_destroy(&vp.lock);
	fake_vm_fini(&vm);
	vfio_sim_destroy(&s);
}

TEST(vfio_intr_error_stops_the_vm)
{
	err_case(false);
}

TEST(vfio_intr_error_reported_runs_on)
{
	err_case(true);
}
