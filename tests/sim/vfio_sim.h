/* A simulated VFIO kernel for unit tests, plugged in through the VFIO seam:
 * a fake sysfs tree in a temporary directory, fake container/group/device
 * fds, PCI devices with config space, memory-backed BARs and MSI-X, and
 * records of SET_IRQS, resets, mmaps and DMA maps for the tests to check. */
#ifndef LKVM_TESTS_VFIO_SIM_H
#define LKVM_TESTS_VFIO_SIM_H

#include <pthread.h>
#include <linux/vfio.h>
#include "vfio/bar_plan.h"
#include "vfio/seam.h"

#define SIM_MAX_DEVS	8
#define SIM_MAX_FDS	64
#define SIM_MAX_GROUPS	64
#define SIM_MAX_DMA	32
#define SIM_MAX_VEC	128
#define SIM_MAX_IOVA	8
#define SIM_FD_BASE	1000	/* fake fds: never real ones */
#define SIM_REGION_SHIFT 40	/* region offset in the device fd */

/* SIM_MTTY: an mtty-1 mdev as kernel 6.12 shows it (name: a UUID) */
enum sim_kind { SIM_NVME, SIM_E1000E, SIM_I350, SIM_SAS, SIM_MTTY };

struct sim_dev {
	char name[40];			/* BDF, or UUID for SIM_MTTY */
	int group;
	enum sim_kind kind;
	struct pci_bar_layout layout;	/* as VFIO reports it */
	u64 rom_size;
	u8 cfg[4096];
	u32 cfg_size;
	u8 *mem[7];			/* BARs and ROM, page-aligned */
	u64 mem_size[7];
	u32 dev_flags;			/* VFIO_DEVICE_FLAGS_* */
	u32 irq_count[VFIO_PCI_NUM_IRQS];
	bool type_region;		/* extra region 9 with CAP_TYPE */
	bool no_unmask_efd;		/* INTx unmask eventfd: ENOTTY */

	/* what the code under test did */
	int fds_open;
	int resets;
	int set_irqs_calls;
	u32 last_set_start, last_set_count, last_set_flags;
	bool irq_on[VFIO_PCI_NUM_IRQS];
	int irq_fd[VFIO_PCI_NUM_IRQS][SIM_MAX_VEC];
	int irq_disables[VFIO_PCI_NUM_IRQS];
	int intx_unmask_fd;		/* -1: none */
	int intx_unmasks;

	/* doorbell (vfio_sim_doorbell) */
	bool db_on;
	int db_bar;
	u64 db_off;
	int db_rings, db_fired, db_dropped;
	u64 fired_vec[VFIO_PCI_NUM_IRQS][SIM_MAX_VEC];	/* in <root>/interrupts */
	bool intx_masked;		/* automasked after firing */
	bool intx_pending;		/* rung while masked: fires on unmask */
};

/* Doorbell values: kind | vector (low 16 bits). */
#define SIM_DB_MSIX	0x10000000u
#define SIM_DB_MSI	0x20000000u
#define SIM_DB_INTX	0x30000000u
#define SIM_DB_KIND	0xf0000000u

struct sim_dma {
	u64 iova, size, vaddr;
};

struct vfio_sim {
	struct vfio_seam_ops ops;
	char root[64];			/* the fake /sys */
	char interrupts[96];		/* the fake /proc/interrupts */
	int int_fd;			/* it, open: rewritten in place */
	size_t int_len;			/* its size (only grows) */
	struct sim_dev dev[SIM_MAX_DEVS];
	int nr_dev;
	struct {
		int kind;		/* 0 free, 1 container, 2 group, 3 device */
		int obj;		/* group id / device index */
	} fds[SIM_MAX_FDS];

	/* knobs */
	int container_errno;		/* open("/dev/vfio/vfio") fails */
	int group_errno;		/* open("/dev/vfio/N") fails */
	bool no_type1v2, no_type1;
	int nonviable_group;		/* -1: none */
	u64 pgsizes;
	u32 nr_iova;
	struct vfio_iova_range iova[SIM_MAX_IOVA];

	/* state and records */
	int open_fds;
	int bad_calls;			/* calls on unknown fds etc. */
	bool attached[SIM_MAX_GROUPS];
	int iommu_type;
	int set_iommu_calls;
	int nr_dma;
	struct sim_dma dma[SIM_MAX_DMA];
	int map_calls, unmap_calls;
	int live_mmaps;

	pthread_mutex_t lock;		/* doorbell thread vs SET_IRQS */
	pthread_t db_thread;
	bool db_running, db_stop;
};

/* Sets up an empty host (temp sysfs root, the lab's IOVA ranges and page
 * sizes) and the ops; does not install them. */
int vfio_sim_init(struct vfio_sim *s);
void vfio_sim_destroy(struct vfio_sim *s);

/* A device bound to vfio-pci in group, with the kind's layout; SIM_MTTY:
 * an mdev under bus/mdev/devices/<name> (devices/virtual/mtty/mtty/<name>)
 * alone in its emulated group, config region of 255 bytes, no INTx unmask
 * eventfd. */
struct sim_dev *vfio_sim_add(struct vfio_sim *s, enum sim_kind kind,
			     const char *name, int group);
/* sysfs only: a device node; group < 0: no iommu_group link; driver
 * NULL: unbound. class_code is 24 bits. */
void vfio_sim_sysfs(struct vfio_sim *s, const char *name, int group,
		    const char *driver, u32 class_code);

struct sim_dev *vfio_sim_find(struct vfio_sim *s, const char *name);

/*
 * Gives d a doorbell: the 32-bit register at BAR bar + off, polled by a
 * thread (so it works whether the guest reaches it through a memslot or
 * a trap). A non-zero value is consumed (reset to 0) and fires the
 * trigger eventfd of SIM_DB_MSIX|n (MSI-X vector n), SIM_DB_MSI|n or
 * SIM_DB_INTX; INTx then stays masked, as in the kernel, until its unmask
 * eventfd (KVM's resamplefd) fires, and a ring meanwhile is kept pending.
 * Returns 0 or -1. The thread stops in vfio_sim_destroy().
 */
int vfio_sim_doorbell(struct vfio_sim *s, struct sim_dev *d, int bar,
		      u64 off);

#endif
