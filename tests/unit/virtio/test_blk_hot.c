/* Unit tests of disks added to and removed from a running VM
 * (virtio/blk_hot.c) on a VM without KVM, with the spare I/O threads of
 * virtio/spare.c: disk-add takes the client's fd, locks the image and puts
 * a virtio-blk function behind a free root port served by a spare thread;
 * the refusals name the thing and leave nothing (fd, thread, port, lock);
 * disk-remove waits for the guest's power-off (bounded) or goes by
 * surprise, and releases the lock. */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>
#include "fake_vm.h"
#include "kvm/control.h"
#include "kvm/ctl_msg.h"
#include "kvm/irq.h"
#include "kvm/seccomp.h"
#include "pci/rootport.h"
#include "unit.h"
#include "virtio/blk.h"
#include "virtio/spare.h"

#define T_ECAM	0xe0000000ULL

struct brig {
	struct lkvm_config cfg;
	struct vm vm;
	char img[2][48];
	char ans[1024];
};

static int make_img(char *path, size_t len)
{
	char buf[4096];
	int fd;

	snprintf(path, len, "/tmp/lkvm-ut-hot-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	memset(buf, 0x5a, sizeof(buf));
	if (write(fd, buf, sizeof(buf)) != sizeof(buf)) {
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static int brig_init(struct brig *h)
{
	struct pci_windows w = {
		.io_base = 0xc000, .io_size = 0x4000,
		.mem32_base = 0xc0000000ULL, .mem32_size = 0x10000000ULL,
		.mem64_base = 0x100000000ULL, .mem64_size = 0x100000000ULL,
		.ecam_base = T_ECAM,
	};

	memset(h, 0, sizeof(*h));
	h->cfg.seccomp = SC_OFF;
	h->cfg.hotplug_slots = 2;
	fake_vm_init(&h->vm, &h->cfg, false);
	pci_bus_init(&h->vm, &w);
	irq_routing_init(&h->vm);
	if (pci_ports_init(&h->vm, 2, 16 * SZ_1M, 256 * SZ_1M) ||
	    make_img(h->img[0], sizeof(h->img[0])) ||
	    make_img(h->img[1], sizeof(h->img[1])))
		return -1;
	h->vm.pci->ports[0].rp.dev.irq_pin = 0;
	h->vm.pci->ports[1].rp.dev.irq_pin = 0;
	return vp_spares_init(&h->vm);
}

static void brig_fini(struct brig *h)
{
	blk_exit_all(&h->vm);
	vp_spares_exit(&h->vm);
	irq_routing_exit(&h->vm);
	fake_vm_fini(&h->vm);
	unlink(h->img[0]);
	unlink(h->img[1]);
}

/* Runs the request line with fd (-1: none) as the main thread would. */
static const char *job(struct brig *h, const char *fmt, const char *arg,
		       int *fd)
{
	char line[512];
	struct ctl_req r;
	char err[160];
	struct ctl_job j = { .req = &r, .fds = fd, .nfds = fd ? 1 : 0 };

	snprintf(line, sizeof(line), fmt, arg);
	if (ctl_req_parse(line, strlen(line), &r, err, sizeof(err)))
		return "bad request";
	j.out = fmemopen(h->ans, sizeof(h->ans), "w");
	if (!j.out)
		return "no memory";
	blk_hot_job(&h->vm, &j);
	fclose(j.out);
	return h->ans;
}

static int open_img(const char *path, bool ro)
{
	char err[256];

	return blk_open_image(path, ro, err, sizeof(err));
}

/* Whether another process could take the image's write lock now. */
static bool lockable(const char *path)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	int fd = open(path, O_RDWR | O_CLOEXEC);
	bool ok = fd >= 0 && !fcntl(fd, F_OFD_SETLK, &fl);

	if (fd >= 0)
		close(fd);
	return ok;
}

static u16 port_bdf(int port)
{
	return PCI_BDF(0, PCI_MAX_SLOTS - 2 + port, 0);	/* 2 ports */
}

static void slot_ctl(struct brig *h, int port, u16 v)
{
	pci_config_access(&h->vm, port_bdf(port), h->vm.pci->ports[port].rp.exp +
			  PCI_EXP_SLTCTL, (u8 *)&v, 2, true);
}

#define SLOT_ON		(PCI_EXP_SLTCTL_PWR_IND_ON | PCI_EXP_SLTCTL_ATTN_IND_OFF)
#define SLOT_OFF	(PCI_EXP_SLTCTL_PWR_OFF | PCI_EXP_SLTCTL_PWR_IND_OFF | \
			 PCI_EXP_SLTCTL_ATTN_IND_OFF)
#define ADD	"{\"cmd\": \"disk-add\", \"dev\": \"%s\"}"
#define REMOVE	"{\"cmd\": \"disk-remove\", \"dev\": \"%s\"}"

TEST(disk_hot_add_locks_and_remove_releases)
{
	struct brig h;
	struct blk_dev *b;
	int fd, n;

	ASSERT_EQ(brig_init(&h), 0);
	n = open_fds();
	EXPECT_EQ(vp_spares_free(&h.vm), 2);
	fd = open_img(h.img[0], false);
	ASSERT(fd >= 0);
	EXPECT_CONTAINS(job(&h, ADD, h.img[0], &fd), "\"ok\": true, \"cmd\": "
			"\"disk-add\", \"disk\": \"/tmp/lkvm-ut-hot-");
	EXPECT_CONTAINS(h.ans, "\"device\": \"virtio-blk0\", \"port\": 0");
	EXPECT_EQ(fd, -1);		/* the VM holds it now */
	b = blk_hot_find(&h.vm, h.img[0]);
	ASSERT(b);
	EXPECT(b->v.pci.hot && b->v.spare && b->sectors == 8);
	EXPECT(blk_hot_find(&h.vm, "port0") == b);
	EXPECT(!blk_hot_find(&h.vm, "port1"));
	EXPECT_EQ(vp_spares_free(&h.vm), 1);	/* its I/O thread */
	EXPECT(!lockable(h.img[0]));
	/* presence and the button, as pciehp wants them */
	EXPECT(h.vm.pci->ports[0].rp.present);
	/* the slot was never powered on: it goes at once */
	EXPECT_CONTAINS(job(&h, REMOVE, h.img[0], NULL),
			"\"how\": \"slot-off\"");
	EXPECT(!blk_hot_find(&h.vm, h.img[0]));
	EXPECT(lockable(h.img[0]));
	EXPECT_EQ(vp_spares_free(&h.vm), 2);
	EXPECT(!h.vm.pci->ports[0].child && !h.vm.pci->ports[0].rp.present);
	EXPECT_EQ(open_fds(), n);
	brig_fini(&h);
}

static void *power_off_later(void *arg)
{
	struct brig *h = arg;

	usleep(100000);
	slot_ctl(h, 1, SLOT_OFF);
	return NULL;
}

TEST(disk_hot_orderly_remove_waits_for_the_guest)
{
	char spec[64];
	struct brig h;
	pthread_t t;
	int fd;

	ASSERT_EQ(brig_init(&h), 0);
	snprintf(spec, sizeof(spec), "%s,ro,port=1", h.img[1]);
	fd = open_img(h.img[1], true);
	EXPECT_CONTAINS(job(&h, ADD, spec, &fd), "\"port\": 1");
	slot_ctl(&h, 1, SLOT_ON);
	/* read-only: others may read it, not write it */
	EXPECT(!lockable(h.img[1]));
	EXPECT_CONTAINS(job(&h, "{\"cmd\": \"disk-remove\", \"dev\": \"%s\", "
			    "\"timeout_ms\": 200}", "port1", NULL),
			"did not power off root port 1's slot within 200 ms");
	EXPECT(blk_hot_find(&h.vm, h.img[1]));
	ASSERT_EQ(pthread_create(&t, NULL, power_off_later, &h), 0);
	EXPECT_CONTAINS(job(&h, REMOVE, h.img[1], NULL),
			"\"how\": \"ejected\"");
	pthread_join(t, NULL);
	EXPECT(!blk_hot_find(&h.vm, h.img[1]));
	EXPECT(lockable(h.img[1]));
	/* a surprise removal does not wait */
	fd = open_img(h.img[1], false);
	EXPECT_CONTAINS(job(&h, ADD, h.img[1], &fd), "\"port\": 0");
	slot_ctl(&h, 0, SLOT_ON);
	EXPECT_CONTAINS(job(&h, "{\"cmd\": \"disk-remove\", \"dev\": \"%s\", "
			    "\"force\": true}", h.img[1], NULL),
			"\"how\": \"surprise\"");
	EXPECT(lockable(h.img[1]));
	brig_fini(&h);
}

TEST(disk_hot_refusals_leave_nothing)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	char spec[96];
	struct brig h;
	int fd, other, n;

	ASSERT_EQ(brig_init(&h), 0);
	n = open_fds();
	EXPECT_CONTAINS(job(&h, ADD, h.img[0], NULL),
			"came without the image's fd");
	/* locked by another process: refused, the fd closed */
	other = open(h.img[0], O_RDWR | O_CLOEXEC);
	ASSERT(other >= 0 && !fcntl(other, F_OFD_SETLK, &fl));
	fd = open_img(h.img[0], false);
	EXPECT_CONTAINS(job(&h, ADD, h.img[0], &fd), "is in use by another "
			"process (it holds a lock on it); use it read-only");
	EXPECT_EQ(fd, -1);
	close(other);
	/* opened read-only for a writable disk */
	fd = open_img(h.img[0], true);
	EXPECT_CONTAINS(job(&h, ADD, h.img[0], &fd), "came open read-only: "
			"it must be open for reading and writing (or add ,ro)");
	/* not a disk */
	fd = open("/tmp", O_RDONLY | O_CLOEXEC);
	EXPECT_CONTAINS(job(&h, ADD, "/tmp,ro", &fd), "'/tmp' is a directory: "
			"a disk must be a regular file or a block device");
	snprintf(spec, sizeof(spec), "%s,port=5", h.img[0]);
	fd = open_img(h.img[0], false);
	EXPECT_CONTAINS(job(&h, ADD, spec, &fd), "no root port 5 "
			"(--hotplug-slots 2: 0..1)");
	close(fd);	/* refused before it was taken */
	EXPECT_EQ(open_fds(), n);
	EXPECT_EQ(vp_spares_free(&h.vm), 2);
	EXPECT(!h.vm.pci->ports[0].rp.present && !h.vm.pci->ports[1].rp.present);
	EXPECT(lockable(h.img[0]));
	/* twice, a taken port, all ports taken */
	fd = open_img(h.img[0], false);
	EXPECT_CONTAINS(job(&h, ADD, h.img[0], &fd), "\"port\": 0");
	fd = open_img(h.img[0], false);
	EXPECT_CONTAINS(job(&h, ADD, h.img[0], &fd), "is attached already "
			"(lkvm disk remove takes it away)");
	snprintf(spec, sizeof(spec), "%s,port=0", h.img[1]);
	fd = open_img(h.img[1], false);
	EXPECT_CONTAINS(job(&h, ADD, spec, &fd), "root port 0 is taken");
	close(fd);
	fd = open_img(h.img[1], false);
	EXPECT_CONTAINS(job(&h, ADD, h.img[1], &fd), "\"port\": 1");
	fd = open_img("/dev/null", true);
	EXPECT_EQ(fd, -1);	/* the client refuses it already */
	EXPECT_CONTAINS(job(&h, ADD, h.img[1], &fd), "all 2 root ports are "
			"taken: remove a device");
	EXPECT_CONTAINS(job(&h, REMOVE, "/tmp/nothing", NULL), "/tmp/nothing: "
			"no such disk in this VM (give its image's path or "
			"portN)");
	EXPECT_EQ(vp_spares_free(&h.vm), 0);
	EXPECT_CONTAINS(job(&h, REMOVE, "port0", NULL), "\"ok\": true");
	EXPECT_CONTAINS(job(&h, REMOVE, "port1", NULL), "\"ok\": true");
	EXPECT_EQ(open_fds(), n);
	EXPECT(lockable(h.img[0]) && lockable(h.img[1]));
	/* no root ports at all */
	h.vm.pci->nr_ports = 0;
	fd = open_img(h.img[0], false);
	EXPECT_CONTAINS(job(&h, ADD, h.img[0], &fd), "the VM has no hotplug "
			"root ports: run it with --hotplug-slots N");
	close(fd);
	h.vm.pci->nr_ports = 2;
	brig_fini(&h);
}

TEST(disk_hot_spares_all_busy)
{
	struct lkvm_config cfg = { .hotplug_slots = 1 };
	struct virtio_dev v[2];
	struct vm vm;
	int i;

	fake_vm_init(&vm, &cfg, false);
	ASSERT_EQ(vp_spares_init(&vm), 0);
	memset(v, 0, sizeof(v));
	for (i = 0; i < 2; i++) {
		v[i].vm = &vm;
		v[i].nr_queues = 1;
		v[i].queue_efd[0] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		v[i].stop_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	}
	EXPECT_EQ(vp_spare_run(&v[0]), 0);
	EXPECT_EQ(vp_spare_run(&v[1]), -1);
	EXPECT(!v[1].spare);
	EXPECT_EQ(vp_spares_free(&vm), 0);
	eventfd_write(v[0].stop_efd, 1);
	vp_spare_wait(&v[0]);
	EXPECT(!v[0].spare);
	EXPECT_EQ(vp_spares_free(&vm), 1);
	EXPECT_EQ(vp_spare_run(&v[1]), 0);	/* parked again: reused */
	eventfd_write(v[1].stop_efd, 1);
	vp_spare_wait(&v[1]);
	vp_spares_exit(&vm);
	EXPECT(!vm.spares);
	for (i = 0; i < 2; i++) {
		close(v[i].queue_efd[0]);
		close(v[i].stop_efd);
	}
	fake_vm_fini(&vm);
}
