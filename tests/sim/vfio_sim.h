/* A simulated VFIO kernel for unit tests, plugged in through the VFIO seam:
 * a fake sysfs tree in a temporary directory, fake container/group/device
 * fds, PCI devices with config space, memory-backed BARs, MSI-X and VFIO
 * migration (mtty's), and records of SET_IRQS, resets, mmaps, DMA maps and
 * migration states for the tests to check. */
#ifndef LKVM_TESTS_VFIO_SIM_H
#define LKVM_TESTS_VFIO_SIM_H

#include <pthread.h>
#include <stdbool.h>
#include <sys/stat.h>
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
#define SIM_MAX_MIG	32	/* migration state sets recorded */
#define SIM_MAX_WRITTEN	64	/* pages written by DMA, not yet reported */

/* Kinds of fake fds. A device cdev (tests/sim/iommufd_sim.c) is an
 * FD_DEVICE with cdev set: only BIND_IOMMUFD works until it is bound. */
enum { FD_FREE, FD_CONTAINER, FD_GROUP, FD_DEVICE, FD_MIGDATA, FD_IOMMU };

#define SIM_CDEV_MAJOR	509	/* /dev/vfio/devices/vfioN is 509:N */
#define SIM_MAX_IOAS	8

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
	int cdev;			/* N of /dev/vfio/devices/vfioN, -1 */
	int reset_bus;			/* >0: devices with the same one share a
					 * bus reset; 0: none (ENODEV) */
	int hot_reset_errno;		/* nonzero: VFIO_DEVICE_PCI_HOT_RESET
					 * passes its checks, then fails with it
					 * (Linux's ENOTTY: a function below the
					 * bridge did not come back) */

	/* what the code under test did */
	int fds_open;
	int resets;
	int hot_resets;			/* bus resets it went through */
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

	/* VFIO migration v2, as mtty does it (vfio_sim_migratable) */
	u64 mig_flags;			/* 0: VFIO_DEVICE_FEATURE_MIGRATION ENOTTY */
	u32 mig_state;			/* enum vfio_device_mig_state */
	int mig_fd;			/* the open session's data fd, or -1 */
	u8 *mig_buf;			/* the session's data */
	size_t mig_len, mig_pos;
	u32 mig_pad;			/* zero bytes after BAR0's in the data */
	bool mig_endless;		/* STOP_COPY's data never ends */
	u32 mig_chunk;			/* most bytes one read returns, 0: any */
	bool mig_refuse;		/* RESUMING -> STOP fails (bad data) */
	size_t mig_avail;		/* bytes readable now (PRE_COPY: the header) */
	bool mig_info_fail;		/* VFIO_MIG_GET_PRECOPY_INFO: EIO */
	int mig_infos;			/* VFIO_MIG_GET_PRECOPY_INFO calls */
	int feature_calls;		/* VFIO_DEVICE_FEATURE, any */
	int mig_sets;			/* MIG_DEVICE_STATE sets that worked */
	u32 mig_trace[SIM_MAX_MIG];	/* their target states, in order */
	int mig_loads;			/* data loaded into the device */
	int set_irqs_index[VFIO_PCI_NUM_IRQS];	/* SET_IRQS per index */
};

/* The device data of a migratable simulated device: this header, then
 * the first bytes of BAR0 (SIM_MIG_BAR_BYTES at most), then mig_pad zero
 * bytes. RESUMING -> STOP checks magic, version and kind, and writes the
 * bytes into BAR0 (an mtty's UART registers move with them). */
#define SIM_MIG_MAGIC		0x4d54545aU
#define SIM_MIG_BAR_BYTES	256u
struct sim_mig_hdr {
	u32 magic, version, kind, bar_bytes;
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
		int kind;		/* FD_* */
		int obj;		/* group id / device index */
		bool cdev;		/* FD_DEVICE opened as a cdev */
		bool bound;		/* BIND_IOMMUFD done */
		u32 pt;			/* attached IOAS, 0: none */
	} fds[SIM_MAX_FDS];

	/* knobs */
	int container_errno;		/* open("/dev/vfio/vfio") fails */
	int group_errno;		/* open("/dev/vfio/N") fails */
	u64 memlock;			/* MAP_DMA beyond this many pinned
					 * bytes fails with ENOMEM (0: none) */
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
	/* type1 dirty tracking: offered (VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION,
	 * 4 KiB pages), on, calls; pages devices wrote (vfio_sim_dma_write),
	 * reported and cleared by GET_BITMAP; GET_BITMAP fails (EIO) */
	bool dirty_cap, dirty_on, dirty_get_fail;
	int dirty_starts, dirty_stops, dirty_gets;
	int nr_written;
	u64 written[SIM_MAX_WRITTEN];

	/* iommufd (tests/sim/iommufd_sim.c); IOAS ranges are iova[] */
	bool iommufd;			/* /dev/iommu exists */
	int iommu_errno;		/* open("/dev/iommu") fails */
	int bind_errno, attach_errno;	/* those ioctls fail */
	bool ioas_on[SIM_MAX_IOAS];	/* live IOAS ids */
	int ioas_allocs, ioas_destroys;
	int nr_iomap;
	struct sim_dma iomap[SIM_MAX_DMA];
	int iomap_calls, iounmap_calls;
	char trace[2048];		/* "alloc bind:vfio0 attach:vfio0 ..." */

	pthread_mutex_t lock;		/* doorbell thread vs SET_IRQS */
	pthread_t db_thread;
	bool db_running, db_stop;
};

/* A device's DMA write to the page at iova (dirty tracking sees it). */
void vfio_sim_dma_write(struct vfio_sim *s, u64 iova);

/* Sets up an empty host (temp sysfs root, the lab's IOVA ranges and page
 * sizes) and the ops; does not install them. */
int vfio_sim_init(struct vfio_sim *s);
void vfio_sim_destroy(struct vfio_sim *s);

/* A device bound to vfio-pci in group, with the kind's layout (no VFIO
 * migration, as vfio-pci's); SIM_MTTY: an mdev under bus/mdev/devices/
 * <name> (devices/virtual/mtty/mtty/<name>) alone in its emulated group,
 * config region of 255 bytes, no INTx unmask eventfd, VFIO migration. */
struct sim_dev *vfio_sim_add(struct vfio_sim *s, enum sim_kind kind,
			     const char *name, int group);
/* sysfs only: a device node; group < 0: no iommu_group link; driver
 * NULL: unbound. class_code is 24 bits. */
void vfio_sim_sysfs(struct vfio_sim *s, const char *name, int group,
		    const char *driver, u32 class_code);

struct sim_dev *vfio_sim_find(struct vfio_sim *s, const char *name);

/* iommufd (tests/sim/iommufd_sim.c): gives d cdev vfio<n> in sysfs (its
 * vfio-dev/vfio<n>/dev, the class link, /dev/vfio/devices/vfio<n>); with
 * dev_attr false only the vfio-dev/vfio<n> directory, as a kernel built
 * without CONFIG_VFIO_DEVICE_CDEV shows it. */
void vfio_sim_cdev(struct vfio_sim *s, struct sim_dev *d, int n,
		   bool dev_attr);
/* Fake fds of open cdevs / of /dev/iommu. */
int vfio_sim_cdev_fds(struct vfio_sim *s);

/* Inside the simulation (vfio_sim.c <-> iommufd_sim.c). */
int sim_fd_new(struct vfio_sim *s, int kind, int obj);
int sim_fd_kind(struct vfio_sim *s, int fd, int *obj);
void sim_trace(struct vfio_sim *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* open of /dev/iommu or /dev/vfio/devices/vfioN: fd, -1 with errno, or
 * -2 for another path. */
int sim_iommufd_open(struct vfio_sim *s, const char *path);
int sim_iommu_ioctl(struct vfio_sim *s, unsigned long req, void *arg);
/* A cdev's own ioctls; *done false: not one, the device handles it. */
int sim_cdev_ioctl(struct vfio_sim *s, int fd, unsigned long req, void *arg,
		   bool *done);
void sim_iommufd_close(struct vfio_sim *s, int fd);
/* The bus reset ioctls (reset_sim.c); *done false: not one of them. */
int sim_hot_reset_ioctl(struct vfio_sim *s, int fd, unsigned long req,
			void *arg, bool *done);
int sim_fstat(void *ctx, int fd, struct stat *st);

/* Gives d VFIO migration (STOP_COPY | P2P, as mtty): state RUNNING, the
 * data as struct sim_mig_hdr says; the session fd reads to EOF with
 * read() (pread is ESPIPE). Only single arcs are accepted (RUNNING <->
 * STOP, STOP <-> STOP_COPY, STOP <-> RESUMING): a caller skipping one
 * fails. A device reset returns it to RUNNING. */
void vfio_sim_migratable(struct sim_dev *d);
/* vfio_sim_migratable plus PRE_COPY (6.12's mtty offers it): RUNNING <->
 * PRE_COPY, PRE_COPY -> STOP_COPY. PRE_COPY's fd has the header ready
 * (VFIO_MIG_GET_PRECOPY_INFO: its initial_bytes), then reads ENOMSG;
 * STOP_COPY adds BAR0's bytes as they are then to the same fd. */
void vfio_sim_precopy(struct sim_dev *d);

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
