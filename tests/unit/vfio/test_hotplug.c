/* Unit tests of devices added to and removed from a running VM
 * (vfio/hotplug.c) with the simulated VFIO kernel and a VM without KVM:
 * vfio-add puts the device behind a free root port and signals it, the
 * refusals leave nothing behind (fds passed included), vfio-remove waits
 * for the guest's power-off or removes by surprise (--force), and the
 * host's request interrupt ejects a device behind a port; the run
 * arguments snapshots record follow the adds and removes. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <time.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include "fake_vm.h"
#include "kvm/ctl_msg.h"
#include "kvm/irq.h"
#include "kvm/seccomp.h"
#include "kvm/snapshot.h"
#include "pci/rootport.h"
#include "sim/vfio_sim.h"
#include "unit.h"
#include "vfio/irqstat.h"
#include "vfio/pci.h"

#define T_ECAM	0xe0000000ULL
#define NVME	"0000:01:00.0"

static char *hargv[] = { "run", "--hotplug-slots", "2", "--vfio=02:00.0" };

struct hrig {
	struct lkvm_config cfg;
	struct vm vm;
	struct vfio_sim s;
	struct vfio_vm vv;
	char ans[1024];
	bool stat_in_wait;	/* ctl_lock was free during a removal's wait */
};

static int hrig_init(struct hrig *h, int seccomp)
{
	struct pci_windows w = {
		.io_base = 0xc000, .io_size = 0x4000,
		.mem32_base = 0xc0000000ULL, .mem32_size = 0x10000000ULL,
		.mem64_base = 0x100000000ULL, .mem64_size = 0x100000000ULL,
		.ecam_base = T_ECAM,
	};
	struct vfio_vm *vv = &h->vv;

	memset(h, 0, sizeof(*h));
	if (vfio_sim_init(&h->s) || !vfio_sim_add(&h->s, SIM_NVME, NVME, 10))
		return -1;
	h->cfg.seccomp = seccomp;
	h->cfg.vfio_page = 4096;
	h->cfg.argc = ARRAY_SIZE(hargv);
	h->cfg.argv = hargv;
	fake_vm_init(&h->vm, &h->cfg, false);
	pci_bus_init(&h->vm, &w);
	irq_routing_init(&h->vm);
	if (pci_ports_init(&h->vm, 2, 16 * SZ_1M, 256 * SZ_1M))
		return -1;
	/* no KVM for INTx irqfds here: the devices get MSI-X alone */
	h->vm.pci->ports[0].rp.dev.irq_pin = 0;
	h->vm.pci->ports[1].rp.dev.irq_pin = 0;
	vfio_container_init(&vv->c, &h->s.ops);
	vv->epfd = epoll_create1(EPOLL_CLOEXEC);
	vv->stop_efd = vv->sync_efd = vv->synced_efd = -1;
	vv->eject_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	vv->hot_irq_stat_fd = irqstat_open(&h->s.ops);	/* as vfio_init */
	vv->stat = (struct control_stat){ .topic = "vfio",
					  .show = vfio_show_stats };
	h->vm.vfio = vv;
	return vv->epfd >= 0 && vv->eject_efd >= 0 ? 0 : -1;
}

static void hrig_fini(struct hrig *h)
{
	struct vfio_vm *vv = &h->vv;

	while (vv->nr)
		vfio_pci_destroy(vv->devs[--vv->nr]);
	if (vv->stat_on)
		control_unregister_stat(&vv->stat);
	vfio_container_exit(&vv->c);
	close(vv->epfd);
	close(vv->eject_efd);
	close(vv->hot_irq_stat_fd);
	irq_routing_exit(&h->vm);
	fake_vm_fini(&h->vm);
	EXPECT_EQ(h->s.open_fds, 0);
	EXPECT_EQ(h->s.bad_calls, 0);
	vfio_sim_destroy(&h->s);
}

/* The VM's recorded run arguments: n of them, the last one last. */
static void expect_args(struct hrig *h, int n, const char *last)
{
	int i;

	if (!EXPECT_EQ(h->vm.args.argc, n))
		return;
	for (i = 0; i < 3; i++)
		EXPECT_STR(h->vm.args.argv[i], hargv[i]);
	EXPECT_STR(h->vm.args.argv[n - 1], last);
	EXPECT(!h->vm.args.lost);
}

/* Runs request line (with fds) as the main thread would; the answer. */
static const char *job(struct hrig *h, const char *line, int *fds, int nfds)
{
	struct ctl_req r;
	char err[160];
	struct ctl_job j = { .req = &r, .fds = fds, .nfds = nfds };

	if (ctl_req_parse(line, strlen(line), &r, err, sizeof(err)))
		return "bad request";
	j.out = fmemopen(h->ans, sizeof(h->ans), "w");
	if (!j.out)
		return "no memory";
	pthread_mutex_lock(&h->vm.ctl_lock);	/* as control_run_job */
	h->vm.ctl_held = true;
	vfio_hotplug_job(&h->vm, &j);
	h->vm.ctl_held = false;
	pthread_mutex_unlock(&h->vm.ctl_lock);
	fclose(j.out);
	return h->ans;
}

static u16 port_bdf(int port)
{
	return PCI_BDF(0, PCI_MAX_SLOTS - 2 + port, 0);	/* 2 ports */
}

static u32 exp_rd(struct hrig *h, int port, u32 reg)
{
	u32 v = 0;

	pci_config_access(&h->vm, port_bdf(port), h->vm.pci->ports[port].rp.exp +
			  reg, (u8 *)&v, 2, false);
	return v;
}

/* The guest writes the port's Slot Control (pciehp's power commands). */
static void slot_ctl(struct hrig *h, int port, u16 v)
{
	pci_config_access(&h->vm, port_bdf(port), h->vm.pci->ports[port].rp.exp +
			  PCI_EXP_SLTCTL, (u8 *)&v, 2, true);
}

#define SLOT_ON		(PCI_EXP_SLTCTL_PWR_IND_ON | PCI_EXP_SLTCTL_ATTN_IND_OFF)
#define SLOT_OFF	(PCI_EXP_SLTCTL_PWR_OFF | PCI_EXP_SLTCTL_PWR_IND_OFF | \
			 PCI_EXP_SLTCTL_ATTN_IND_OFF)

TEST(hotplug_add_then_surprise_remove)
{
	char err[256], *txt = NULL;
	size_t len = 0;
	FILE *stats;
	struct hrig h;

	ASSERT_EQ(hrig_init(&h, SC_OFF), 0);
	EXPECT_EQ(snap_owner_find("pci")->check(&h.vm, err, sizeof(err)), 0);
	EXPECT_CONTAINS(job(&h, "{\"cmd\": \"vfio-add\", \"dev\": \"01:00.0\"}",
			    NULL, 0), "\"ok\": true, \"cmd\": \"vfio-add\", "
			"\"device\": \"0000:01:00.0\", \"port\": 0");
	ASSERT_EQ(h.vv.nr, 1);
	EXPECT(h.vv.devs[0]->pci.hot && h.vv.stat_on);
	/* a snapshot records it as cold-plugged behind its port */
	expect_args(&h, 6, "01:00.0,port=0");
	EXPECT_STR(h.vm.args.argv[4], "--vfio");
	/* presence and the button, as pciehp wants them; slot still off */
	EXPECT_EQ(exp_rd(&h, 0, PCI_EXP_SLTSTA) & (PCI_EXP_SLTSTA_PDS |
		  PCI_EXP_SLTSTA_PDC | PCI_EXP_SLTSTA_ABP), PCI_EXP_SLTSTA_PDS |
		  PCI_EXP_SLTSTA_PDC | PCI_EXP_SLTSTA_ABP);
	/* opens no file: reads the one vfio_init opened for such devices */
	EXPECT(h.vv.hot_irq_stat_fd >= 0);
	EXPECT_EQ(h.vv.devs[0]->irq_stat_fd, h.vv.hot_irq_stat_fd);
	/* so `lkvm stat --vfio` knows the host's counts ("?" before) */
	stats = open_memstream(&txt, &len);
	vfio_show_stats(&h.vm, stats);
	fclose(stats);
	EXPECT_CONTAINS(txt, "MSI-X: 65 vectors, 0 from the device");
	free(txt);
	EXPECT_CONTAINS(job(&h, "{\"cmd\": \"vfio-add\", \"dev\": \"" NVME
			    "\"}", NULL, 0), "is already assigned to this VM");
	slot_ctl(&h, 0, SLOT_ON);
	EXPECT_CONTAINS(job(&h, "{\"cmd\": \"vfio-remove\", \"dev\": "
			    "\"01:00.0\", \"force\": true}", NULL, 0),
			"\"how\": \"surprise\"");
	EXPECT_EQ(h.vv.nr, 0);
	EXPECT_EQ(h.s.open_fds, 0);	/* released: group and container */
	EXPECT(fcntl(h.vv.hot_irq_stat_fd, F_GETFD) >= 0);	/* not its */
	/* the recorded arguments lost it again: the command line's */
	expect_args(&h, 4, "--vfio=02:00.0");
	EXPECT_EQ(snap_owner_find("pci")->check(&h.vm, err, sizeof(err)), 0);
	EXPECT_EQ(exp_rd(&h, 0, PCI_EXP_SLTSTA) & PCI_EXP_SLTSTA_PDS, 0);
	EXPECT_CONTAINS(job(&h, "{\"cmd\": \"vfio-remove\", \"dev\": "
			    "\"01:00.0\"}", NULL, 0), "is not assigned");
	hrig_fini(&h);
}

/* A change the recorded arguments cannot take (no room for the added
 * device's option) still happens, but snapshots and migrations are refused
 * from then on: they would rebuild another set of devices. */
TEST(hotplug_unrecorded_change_refuses_snapshots)
{
	char *many[SNAP_MAX_ARGS - 1], err[256];
	struct hrig h;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(many); i++)
		many[i] = i ? "--debug" : "run";
	ASSERT_EQ(hrig_init(&h, SC_OFF), 0);
	h.cfg.argc = ARRAY_SIZE(many);
	h.cfg.argv = many;
	EXPECT_CONTAINS(job(&h, "{\"cmd\": \"vfio-add\", \"dev\": \"01:00.0\"}",
			    NULL, 0), "\"port\": 0");
	EXPECT_EQ(h.vv.nr, 1);
	EXPECT(h.vm.args.lost);
	EXPECT_EQ(snap_check_all(&h.vm, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "could not be recorded");
	EXPECT_CONTAINS(job(&h, "{\"cmd\": \"vfio-remove\", \"dev\": "
			    "\"01:00.0\", \"force\": true}", NULL, 0),
			"\"how\": \"slot-off\"");
	EXPECT_EQ(snap_check_all(&h.vm, err, sizeof(err)), -1);	/* for good */
	hrig_fini(&h);
}

static void *power_off_later(void *arg)
{
	struct hrig *h = arg;

	usleep(100000);
	/* the wait for the guest lets `lkvm stat` in */
	h->stat_in_wait = !pthread_mutex_trylock(&h->vm.ctl_lock);
	if (h->stat_in_wait)
		pthread_mutex_unlock(&h->vm.ctl_lock);
	slot_ctl(h, 1, SLOT_OFF);
	return NULL;
}

TEST(hotplug_orderly_remove_waits_for_the_guest)
{
	struct hrig h;
	pthread_t t;

	ASSERT_EQ(hrig_init(&h, SC_OFF), 0);
	EXPECT_CONTAINS(job(&h, "{\"cmd\": \"vfio-add\", \"dev\": "
			    "\"01:00.0,port=1\"}", NULL, 0), "\"port\": 1");
	slot_ctl(&h, 1, SLOT_ON);
	/* the guest does nothing: bounded, the device stays */
	EXPECT_CONTAINS(job(&h, "{\"cmd\": \"vfio-remove\", \"dev\": "
			    "\"01:00.0\", \"timeout_ms\": 200}", NULL, 0),
			"did not power off root port 1's slot within 200 ms");
	EXPECT_EQ(h.vv.nr, 1);
	EXPECT(exp_rd(&h, 1, PCI_EXP_SLTSTA) & PCI_EXP_SLTSTA_ABP);
	ASSERT_EQ(pthread_create(&t, NULL, power_off_later, &h), 0);
	EXPECT_CONTAINS(job(&h, "{\"cmd\": \"vfio-remove\", \"dev\": "
			    "\"01:00.0\"}", NULL, 0), "\"how\": \"ejected\"");
	pthread_join(t, NULL);
	EXPECT(h.stat_in_wait);
	EXPECT_EQ(h.vv.nr, 0);
	EXPECT_EQ(h.s.open_fds, 0);
	hrig_fini(&h);
}

/* A stop signal waiting for the main loop ends a removal's wait at once:
 * SIGTERM during `lkvm vfio remove` did not stop the VM until the wait's
 * end (up to --timeout, 600 s). The device stays; the signal is not read. */
TEST(hotplug_remove_wait_gives_way_to_a_stop_signal)
{
	struct timespec t0, t1;
	struct hrig h;
	int sig[2];
	char c;

	ASSERT_EQ(hrig_init(&h, SC_OFF), 0);
	ASSERT_EQ(pipe(sig), 0);
	EXPECT_CONTAINS(job(&h, "{\"cmd\": \"vfio-add\", \"dev\": "
			    "\"01:00.0,port=1\"}", NULL, 0), "\"port\": 1");
	slot_ctl(&h, 1, SLOT_ON);
	h.vm.sig_fd = sig[0];
	h.vm.sig_watch = true;
	EXPECT(!vm_signal_pending(&h.vm));
	ASSERT_EQ(write(sig[1], "T", 1), 1);	/* stands for SIGTERM */
	EXPECT(vm_signal_pending(&h.vm));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	EXPECT_CONTAINS(job(&h, "{\"cmd\": \"vfio-remove\", \"dev\": "
			    "\"01:00.0\", \"timeout_ms\": 20000}", NULL, 0),
			"the VM is stopping; the device stays");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	EXPECT(t1.tv_sec - t0.tv_sec < 5);
	EXPECT_EQ(h.vv.nr, 1);
	EXPECT_EQ(read(sig[0], &c, 1), 1);	/* still there for the loop */
	h.vm.sig_watch = false;
	close(sig[0]);
	close(sig[1]);
	hrig_fini(&h);
}

TEST(hotplug_refusals_leave_nothing)
{
	struct hrig h;
	int fds[2], n;

	ASSERT_EQ(hrig_init(&h, SC_TRAP), 0);
	n = open_fds();
	/* confined: the VM opens no device by name */
	EXPECT_CONTAINS(job(&h, "{\"cmd\": \"vfio-add\", \"dev\": \"01:00.0\"}",
			    NULL, 0), "the VM is confined (seccomp) and opens "
			"no device");
	EXPECT_CONTAINS(job(&h, "{\"cmd\": \"vfio-add\", \"dev\": \"01:00.0\", "
			    "\"group\": 10}", NULL, 0),
			"came without the device's fds");
	EXPECT_CONTAINS(job(&h, "{\"cmd\": \"vfio-add\", \"dev\": \"fd=3\"}",
			    NULL, 0), "fd= is for lkvm run");
	EXPECT_CONTAINS(job(&h, "{\"cmd\": \"vfio-add\", \"dev\": "
			    "\"01:00.0,port=5\"}", NULL, 0), "confined");
	/* refused before they are used: the fds stay the caller's */
	fds[0] = open("/dev/null", O_RDWR | O_CLOEXEC);
	fds[1] = open("/dev/null", O_RDWR | O_CLOEXEC);
	EXPECT_CONTAINS(job(&h, "{\"cmd\": \"vfio-add\", \"dev\": "
			    "\"01:00.0,romfile=/x\", \"group\": 10}", fds, 2),
			"romfile=: the VM is confined");
	EXPECT(fds[0] >= 0 && fds[1] >= 0);
	close(fds[0]);
	close(fds[1]);
	EXPECT_EQ(open_fds(), n);
	EXPECT_EQ(h.vv.nr, 0);
	EXPECT(!h.vm.pci->ports[0].child && !h.vm.pci->ports[0].rp.present);
	EXPECT_CONTAINS(job(&h, "{\"cmd\": \"vfio-remove\", \"dev\": \"x\"}",
			    NULL, 0), "invalid");
	h.vm.vfio = NULL;
	EXPECT_CONTAINS(job(&h, "{\"cmd\": \"vfio-add\", \"dev\": \"01:00.0\"}",
			    NULL, 0), "no hotplug root ports");
	h.vm.vfio = &h.vv;
	hrig_fini(&h);
}

TEST(hotplug_host_request_ejects)
{
	struct hrig h;
	struct vfio_pci *vp;
	eventfd_t v;

	ASSERT_EQ(hrig_init(&h, SC_OFF), 0);
	EXPECT_CONTAINS(job(&h, "{\"cmd\": \"vfio-add\", \"dev\": \"01:00.0\"}",
			    NULL, 0), "\"ok\": true");
	ASSERT_EQ(h.vv.nr, 1);
	vp = h.vv.devs[0];
	slot_ctl(&h, 0, SLOT_ON);
	pci_config_access(&h.vm, port_bdf(0), vp->pci.port->rp.exp +
			  PCI_EXP_SLTSTA, (u8 *)&(u16){ 0xffff }, 2, true);
	EXPECT(vfio_pci_request_eject(vp));	/* the button, not a stop */
	EXPECT(exp_rd(&h, 0, PCI_EXP_SLTSTA) & PCI_EXP_SLTSTA_ABP);
	EXPECT(eventfd_read(h.vv.eject_efd, &v));	/* nothing to do yet */
	vfio_eject_run(&h.vm, NULL);
	EXPECT_EQ(h.vv.nr, 1);
	slot_ctl(&h, 0, SLOT_OFF);		/* the guest lets it go */
	vfio_eject_run(&h.vm, NULL);
	EXPECT_EQ(h.vv.nr, 0);
	EXPECT_EQ(h.s.open_fds, 0);
	/* a guest that keeps it through more requests: surprise removal */
	EXPECT_CONTAINS(job(&h, "{\"cmd\": \"vfio-add\", \"dev\": \"01:00.0\"}",
			    NULL, 0), "\"ok\": true");
	vp = h.vv.devs[0];
	slot_ctl(&h, 0, SLOT_ON);
	EXPECT(vfio_pci_request_eject(vp));
	vp->host_requests += VFIO_EJECT_REQUESTS;	/* the guest holds on */
	EXPECT(vfio_pci_request_eject(vp));
	vfio_eject_run(&h.vm, NULL);		/* surprise removal */
	EXPECT_EQ(h.vv.nr, 0);
	hrig_fini(&h);
}

/* The fds a client passed stand in for the paths they were opened from,
 * once each; a confined container opens nothing else; the rest is
 * closed. */
TEST(hotplug_given_fds)
{
	struct vfio_container c;
	int n = open_fds(), a = open("/dev/null", O_RDONLY | O_CLOEXEC);
	int b = open("/dev/null", O_RDONLY | O_CLOEXEC);

	vfio_container_init(&c, NULL);
	vfio_give_fd(&c, "/dev/vfio/vfio", a);
	vfio_give_fd(&c, "/dev/vfio/7", b);
	vfio_give_fd(&c, "/dev/iommu", open("/dev/null", O_RDONLY));	/* full: closed */
	c.no_open = true;
	EXPECT_EQ(vfio_open_path(&c, "/dev/vfio/vfio", O_RDWR), a);
	errno = 0;
	EXPECT_EQ(vfio_open_path(&c, "/dev/vfio/vfio", O_RDWR), -1);
	EXPECT_EQ(errno, EPERM);
	EXPECT_EQ(vfio_open_path(&c, "/dev/null", O_RDONLY), -1);
	vfio_given_drop(&c);		/* b */
	close(a);
	EXPECT_EQ(open_fds(), n);
}
