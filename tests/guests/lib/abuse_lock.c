/* Lock-order stress of the guest-abuse tests (abuse_lock.c, abuse_lockwin.c):
 * virtio-rng in INTx mode (MSI-X disabled) kept busy while config-space
 * accesses that reach the device (the MSI-X message-control word, or the
 * VIRTIO_PCI_CAP_PCI_CFG window) race with its interrupt line changes. */
#include "abuse.h"

#define RING_BASE	0x400000UL
#define BUF_BASE	0x480000UL
#define QSIZE		16
#define BUFLEN		16
#define MSIX_MASKALL	0x4000
#define STRESS_US	2000000ULL	/* then "done", and on until stopped */

static struct vdev rng;
static struct vring ring;
static volatile int go;
static volatile u32 ap_iters;

/* APs: the MSI-X control word through ECAM and ISR reads, no conf1 (its
 * address register is shared with the BSP). */
void abuse_lock_ap(int apic_id)
{
	int bdf;
	u32 n = 0;

	while (!go)
		cpu_relax();
	bdf = BDF(rng.slot, 0);
	for (;;) {
		ecam_write(bdf, rng.msix + 2, 2, (n & 1) ? MSIX_MASKALL : 0);
		vdev_isr(&rng);
		n++;
		__atomic_add_fetch(&ap_iters, 1, __ATOMIC_RELAXED);
	}
}

static int setup(void)
{
	u16 i;

	if (vdev_find(VIRTIO_ID_RNG, "rng", &rng)) {
		printf("GUEST abuse-lock: no virtio-rng (run with --rng)\n");
		return -1;
	}
	if (!rng.msix || !rng.pci_cfg || !ecam_base()) {
		printf("GUEST abuse-lock: no MSI-X or PCI_CFG capability or ECAM\n");
		return -1;
	}
	/* INTx mode: MSI-X enable clear */
	conf1_write(BDF(rng.slot, 0), rng.msix + 2, 2, 0);
	if (vdev_features(&rng, VF_VERSION_1)) {
		printf("GUEST abuse-lock: FEATURES_OK refused\n");
		return -1;
	}
	vring_init(&ring, RING_BASE, QSIZE);
	for (i = 0; i < QSIZE; i++)
		vring_desc(&ring, i, BUF_BASE + i * BUFLEN, BUFLEN,
			   VRING_DESC_F_WRITE, 0);
	if (vq_setup(&rng, 0, QSIZE, ring.desc, ring.avail, ring.used) != 1) {
		printf("GUEST abuse-lock: queue 0 not enabled\n");
		return -1;
	}
	vdev_driver_ok(&rng);
	return 0;
}

void abuse_lock_main(int window, volatile int *up)
{
	u64 end, iters = 0, isr_hits = 0;
	u32 notify_off, isr_off;
	int bdf, cpus = 1, done = 0;

	if (setup())
		return;
	if (up)
		cpus = smp_boot_aps(up, 2000);
	bdf = BDF(rng.slot, 0);
	notify_off = rng.notify - rng.bar;
	isr_off = rng.isr - rng.bar;
	printf("GUEST abuse-lock start mode=%s cpus=%d slot=%d\n",
	       window ? "pci-cfg-window" : "msix-ctrl", cpus, rng.slot);
	go = 1;
	end = time_us() + STRESS_US;
	for (;;) {
		u16 used = vring_used_idx(&ring);
		u8 isr;

		if ((u16)(ring.avail_idx - used) < QSIZE)
			vring_post(&ring, ring.avail_idx & (QSIZE - 1));
		if (window) {
			/* both under the bus lock: kick and ISR read */
			vwin_write(&rng, notify_off, 2, 0);
			isr = vwin_read(&rng, isr_off, 1);
		} else {
			vq_notify(&rng, 0);
			conf1_write(bdf, rng.msix + 2, 2,
				    (iters & 1) ? MSIX_MASKALL : 0);
			isr = vdev_isr(&rng);
		}
		isr_hits += isr & 1;
		iters++;
		if (!done && time_us() >= end) {
			done = 1;
			printf("GUEST abuse-lock done iters=%lu isr=%lu used=%u "
			       "ap_iters=%u status=%x\n", iters, isr_hits,
			       vring_used_idx(&ring), ap_iters,
			       vdev_status(&rng));
		}
	}
}
