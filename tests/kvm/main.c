/* Test VMM: lkvm's `run` path on the real /dev/kvm with the simulated VFIO
 * kernel (tests/sim/vfio_sim.c) installed through the seam, so --vfio can
 * assign fake devices; checks after the run that VFIO was fully released. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <linux/pci_regs.h>
#include "kvm/config.h"
#include "kvm/run.h"
#include "lkvm/util.h"
#include "vfio/pci.h"
#include "sim/vfio_sim.h"

static const char usage[] =
"usage: lkvm-vfio-test [sim options] run [lkvm run options]\n"
"  --sim KIND:BDF[:GROUP]   simulated device bound to vfio-pci\n"
"                           (KIND nvme|e1000e|i350|sas, GROUP default 10+n;\n"
"                           mtty:UUID[:GROUP]: an mtty-like mdev)\n"
"  --sim-other BDF[:DRV]    a device bound to DRV (default nvme), not vfio\n"
"  --sim-doorbell BDF:BAR:OFF  doorbell register (hex OFF), see vfio_sim.h\n"
"  --sim-page SIZE          page size lkvm's BAR plans assume (e.g. 16384)\n"
"  --sim-request BDF:MS     MS ms in, the host asks for BDF back (VFIO\n"
"                           request interrupt)\n"
"  --sim-error BDF:MS       MS ms in, the device reports an uncorrectable\n"
"                           error (VFIO error interrupt)\n"
"  --sim-migratable BDF     the device supports VFIO migration (snapshots)\n"
"  --sim-precopy BDF        ... with PRE_COPY too (live migration)\n"
"  --sim-flr BDF            the device advertises FLR (PCIe DEVCAP)\n"
"  --sim-reset-bus BDF:N    no reset of its own; devices with the same N\n"
"                           share a bus reset (VFIO_DEVICE_PCI_HOT_RESET)\n"
"  --sim-msi-mask BDF       give the device's MSI 64-bit addresses and\n"
"                           per-vector masking\n"
"  --sim-dirty 1            the type1 container tracks dirty pages\n"
"                           (VFIO_IOMMU_DIRTY_PAGES)\n"
"  --sim-iommufd 1          the host has /dev/iommu and every simulated\n"
"                           device a cdev (/dev/vfio/devices/vfio<n>)\n"
"  --sim-socket-on-write 1  each device write (a guest's, from a vCPU\n"
"                           thread) first calls socket(): lkvm's seccomp\n"
"                           filter must stop it\n"
"  --sim-slow-write MS      each device write takes MS ms (busy, no\n"
"                           syscall): a vCPU that cannot park in time\n";

static struct vfio_sim sim;
static u64 sim_page;

/* The VM gets the simulated kernel and the page size through its config. */
static void use_sim(struct lkvm_config *cfg)
{
	cfg->vfio_seam = &sim.ops;
	cfg->vfio_page = sim_page;
}

static ssize_t (*sim_pwrite)(void *ctx, int fd, const void *buf, size_t len,
			     off_t off);

/* --sim-socket-on-write: a syscall no vCPU may make, then the write */
static ssize_t pwrite_socket(void *ctx, int fd, const void *buf, size_t len,
			     off_t off)
{
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (s >= 0)
		close(s);
	return sim_pwrite(ctx, fd, buf, len, off);
}

/* --sim-slow-write MS: a vCPU spins in the write, as in a slow device,
 * saying on stderr when it begins (lkvm's own writes at set-up, from the
 * main thread, go at full speed) */
static long slow_ms;

static ssize_t pwrite_slow(void *ctx, int fd, const void *buf, size_t len,
			   off_t off)
{
	static const char begins[] = "sim: a slow write begins\n";
	u64 end = now_ns() + slow_ms * 1000000ull;

	if (gettid() != getpid() && write(2, begins, sizeof(begins) - 1) < 0)
		end = 0;
	while (gettid() != getpid() && now_ns() < end)
		;
	return sim_pwrite(ctx, fd, buf, len, off);
}

static int parse_kind(const char *s, enum sim_kind *k)
{
	static const char *const names[] = { "nvme", "e1000e", "i350", "sas",
					     "mtty" };
	static const enum sim_kind kinds[] = { SIM_NVME, SIM_E1000E, SIM_I350,
					       SIM_SAS, SIM_MTTY };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		if (!strcmp(s, names[i])) {
			*k = kinds[i];
			return 0;
		}
	}
	return -1;
}

/* "KIND:dddd:bb:dd.f[:GROUP]", "mtty:UUID[:GROUP]" */
static int add_sim(const char *arg)
{
	char buf[128], *bdf, *grp;
	enum sim_kind k = SIM_NVME;
	int group = 10 + sim.nr_dev;
	size_t len;

	snprintf(buf, sizeof(buf), "%s", arg);
	bdf = strchr(buf, ':');
	if (!bdf || sim.nr_dev >= SIM_MAX_DEVS)
		return -1;
	*bdf++ = 0;
	if (parse_kind(buf, &k))
		return -1;
	len = k == SIM_MTTY ? 36 : 12;
	if (strlen(bdf) < len)
		return -1;
	grp = bdf + len;
	if (*grp == ':')
		group = atoi(grp + 1);
	else if (*grp)
		return -1;
	*grp = 0;
	return vfio_sim_add(&sim, k, bdf, group) ? 0 : -1;
}

static int add_other(const char *arg)
{
	char buf[128];
	const char *drv = "nvme";

	snprintf(buf, sizeof(buf), "%s", arg);
	if (strlen(buf) < 12)
		return -1;
	if (buf[12] == ':')
		drv = buf + 13;
	buf[12] = 0;
	vfio_sim_sysfs(&sim, buf, 90 + sim.nr_dev, drv, 0x010802);
	return 0;
}

/* "NAME:BAR:OFF", NAME a BDF or a UUID */
static int add_doorbell(const char *arg)
{
	char buf[128], *p, *q;
	struct sim_dev *d;
	unsigned long long off;
	int bar;

	snprintf(buf, sizeof(buf), "%s", arg);
	p = strrchr(buf, ':');		/* before OFF */
	if (!p)
		return -1;
	*p = 0;
	q = strrchr(buf, ':');		/* before BAR */
	if (!q || sscanf(q + 1, "%d", &bar) != 1 ||
	    sscanf(p + 1, "%llx", &off) != 1)
		return -1;
	*q = 0;
	d = vfio_sim_find(&sim, buf);
	return d ? vfio_sim_doorbell(&sim, d, bar, off) : -1;
}

/* --sim-request BDF:MS: MS ms into the run the host asks for BDF back (its
 * VFIO request eventfd fires, as on an unbind from vfio-pci);
 * --sim-error BDF:MS: the device's error eventfd fires (an AER error). */
static struct sim_dev *req_dev;
static unsigned int req_ms;
static u32 req_index = VFIO_PCI_REQ_IRQ_INDEX;

static void *request_later(void *arg)
{
	int fd;

	usleep(req_ms * 1000);
	fd = req_dev->irq_on[req_index] ? req_dev->irq_fd[req_index][0] : -1;
	fprintf(stderr, "vfio-sim: %s: %s interrupt %s\n", req_dev->name,
		req_index == VFIO_PCI_REQ_IRQ_INDEX ? "request" : "error",
		fd >= 0 ? "fired" : "not armed");
	if (fd >= 0 && eventfd_write(fd, 1))
		perror("vfio-sim: eventfd");
	return NULL;
}

static int add_request(const char *arg, u32 index)
{
	char buf[128];

	req_index = index;
	snprintf(buf, sizeof(buf), "%s", arg);
	if (strlen(buf) < 14 || buf[12] != ':')
		return -1;
	req_ms = (unsigned int)strtoul(buf + 13, NULL, 0);
	buf[12] = 0;
	req_dev = vfio_sim_find(&sim, buf);
	return req_dev ? 0 : -1;
}

/* Gives the device VFIO migration (as the sim's mtty has), with PRE_COPY
 * (as 6.12's mtty) when pre. */
static int migratable(const char *bdf, bool pre)
{
	struct sim_dev *d = vfio_sim_find(&sim, bdf);

	if (!d)
		return -1;
	if (pre)
		vfio_sim_precopy(d);
	else
		vfio_sim_migratable(d);
	return 0;
}

/* The offset of capability id in the device's config space, or 0. */
static int sim_cap(const struct sim_dev *d, u8 id)
{
	int p, n = 0;

	for (p = d->cfg[PCI_CAPABILITY_LIST]; p && n++ < 48;
	     p = d->cfg[p + 1])
		if (d->cfg[p] == id)
			return p;
	return 0;
}

/* Turns on per-vector masking (and 64-bit addresses) in the MSI cap. */
static int msi_mask(const char *bdf)
{
	struct sim_dev *d = vfio_sim_find(&sim, bdf);
	int p = d ? sim_cap(d, PCI_CAP_ID_MSI) : 0;

	if (!p)
		return -1;
	d->cfg[p + PCI_MSI_FLAGS] |= PCI_MSI_FLAGS_64BIT;
	d->cfg[p + PCI_MSI_FLAGS + 1] |= PCI_MSI_FLAGS_MASKBIT >> 8;
	return 0;
}

/* --sim-flr BDF: the function advertises Function Level Reset (FLR in the
 * PCIe capability's Device Capabilities). */
static int flr_capable(const char *bdf)
{
	struct sim_dev *d = vfio_sim_find(&sim, bdf);
	int p = d ? sim_cap(d, PCI_CAP_ID_EXP) : 0;

	if (!p)
		return -1;
	d->cfg[p + PCI_EXP_DEVCAP + 3] |= PCI_EXP_DEVCAP_FLR >> 24;
	return 0;
}

/* --sim-reset-bus BDF:N: no reset of its own (no FLR, no PM reset); the
 * devices given the same N share a bus reset. */
static int reset_bus(const char *arg)
{
	char buf[64];
	struct sim_dev *d;

	snprintf(buf, sizeof(buf), "%s", arg);
	if (strlen(buf) < 14 || buf[12] != ':')
		return -1;
	buf[12] = 0;
	d = vfio_sim_find(&sim, buf);
	if (!d)
		return -1;
	d->reset_bus = (int)strtol(buf + 13, NULL, 0);
	d->dev_flags &= ~VFIO_DEVICE_FLAGS_RESET;
	return d->reset_bus > 0 ? 0 : -1;
}

/* What the simulated kernel saw; non-zero when lkvm left something behind. */
/* lkvm's seccomp filter leaves the main thread unable to remove the
 * simulation's tree: a child does it once this process is gone (the pipe
 * it reads closes). Signals stay blocked in it, as here. */
static void remove_tree_at_exit(void)
{
	int p[2], null;
	char c;

	if (pipe2(p, O_CLOEXEC))
		return;
	if (fork() == 0) {
		close(p[1]);
		null = open("/dev/null", O_RDWR);
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		while (read(p[0], &c, 1) > 0 || errno == EINTR)
			;
		sim.db_running = false;	/* the thread is the parent's */
		vfio_sim_destroy(&sim);
		_exit(0);
	}
	close(p[0]);	/* p[1] stays open until we exit */
}

static int report(void)
{
	int i, leaks;

	for (i = 0; i < sim.nr_dev; i++) {
		struct sim_dev *d = &sim.dev[i];

		fprintf(stderr, "vfio-sim: %s resets=%d set_irqs=%d fds_open=%d "
			"doorbell rings=%d fired=%d dropped=%d intx_unmasks=%d "
			"hot_resets=%d\n",
			d->name, d->resets, d->set_irqs_calls, d->fds_open,
			d->db_rings, d->db_fired, d->db_dropped,
			d->intx_unmasks, d->hot_resets);
	}
	leaks = sim.open_fds + sim.live_mmaps + sim.nr_dma + sim.bad_calls +
		sim.nr_iomap + sim.ioas_allocs - sim.ioas_destroys;
	fprintf(stderr, "vfio-sim: teardown %s: open_fds=%d live_mmaps=%d "
		"dma_maps=%d bad_calls=%d (map calls %d, unmap calls %d) "
		"iommufd: ioas allocs=%d destroys=%d maps=%d unmaps=%d "
		"left=%d\n", leaks ? "LEAKED" : "clean", sim.open_fds,
		sim.live_mmaps, sim.nr_dma, sim.bad_calls, sim.map_calls,
		sim.unmap_calls, sim.ioas_allocs, sim.ioas_destroys,
		sim.iomap_calls, sim.iounmap_calls, sim.nr_iomap);
	if (sim.trace[0])
		fprintf(stderr, "vfio-sim: iommufd calls: %s\n", sim.trace);
	return leaks ? -1 : 0;
}

int main(int argc, char **argv)
{
	int i, r, status;
	sigset_t stop;

	lkvm_start_ns = now_ns();
	/* Keep SIGINT/SIGTERM for lkvm's signalfd in every thread, the sim's
	 * included, and still blocked after the run: a second SIGTERM (timeout(1)
	 * signals the whole group) must not kill us before the teardown report. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	if (vfio_sim_init(&sim)) {
		perror("vfio-sim: mkdtemp");
		return 1;
	}
	for (i = 1; i < argc && strcmp(argv[i], "run"); i++) {
		const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!v) {
			r = -1;
		} else if (!strcmp(o, "--sim")) {
			r = add_sim(v);
		} else if (!strcmp(o, "--sim-other")) {
			r = add_other(v);
		} else if (!strcmp(o, "--sim-doorbell")) {
			r = add_doorbell(v);
		} else if (!strcmp(o, "--sim-request")) {
			r = add_request(v, VFIO_PCI_REQ_IRQ_INDEX);
		} else if (!strcmp(o, "--sim-error")) {
			r = add_request(v, VFIO_PCI_ERR_IRQ_INDEX);
		} else if (!strcmp(o, "--sim-msi-mask")) {
			r = msi_mask(v);
		} else if (!strcmp(o, "--sim-flr")) {
			r = flr_capable(v);
		} else if (!strcmp(o, "--sim-reset-bus")) {
			r = reset_bus(v);
		} else if (!strcmp(o, "--sim-migratable") ||
			   !strcmp(o, "--sim-precopy")) {
			r = migratable(v, !strcmp(o, "--sim-precopy"));
		} else if (!strcmp(o, "--sim-socket-on-write")) {
			sim_pwrite = sim.ops.pwrite;
			sim.ops.pwrite = pwrite_socket;
			r = 0;
		} else if (!strcmp(o, "--sim-iommufd")) {
			sim.iommufd = true;
			r = 0;
		} else if (!strcmp(o, "--sim-dirty")) {
			sim.dirty_cap = true;
			r = 0;
		} else if (!strcmp(o, "--sim-slow-write")) {
			slow_ms = strtol(v, NULL, 0);
			sim_pwrite = sim.ops.pwrite;
			sim.ops.pwrite = pwrite_slow;
			r = slow_ms > 0 ? 0 : -1;
		} else if (!strcmp(o, "--sim-page")) {
			sim_page = strtoull(v, NULL, 0);
			r = 0;
		} else {
			r = -1;
		}
		if (r) {
			fprintf(stderr, "lkvm-vfio-test: bad option '%s %s'\n%s",
				o, v ? v : "", usage);
			vfio_sim_destroy(&sim);
			return 2;
		}
		i++;
	}
	if (i >= argc) {
		fputs(usage, stderr);
		vfio_sim_destroy(&sim);
		return 2;
	}
	for (r = 0; sim.iommufd && r < sim.nr_dev; r++)
		vfio_sim_cdev(&sim, &sim.dev[r], r, true);
	remove_tree_at_exit();
	if (req_dev) {
		pthread_t t;

		if (!pthread_create(&t, NULL, request_later, NULL))
			pthread_detach(t);
	}
	status = lkvm_cmd_run(argc - i, argv + i, use_sim);
	if (report() && !status)
		status = 3;
	sim.root[0] = 0;	/* the child's job */
	vfio_sim_destroy(&sim);
	return status;
}
