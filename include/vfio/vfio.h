/* Host-side VFIO for PCI passthrough: parsing --vfio values, the container
 * and IOMMU groups (sysfs checks, DMA maps of guest RAM with IOVA = GPA), and
 * opened devices (regions with their capabilities, IRQs, reset, teardown). */
#ifndef LKVM_VFIO_VFIO_H
#define LKVM_VFIO_VFIO_H

#include <linux/vfio.h>
#include "kvm/config.h"
#include "kvm/guest_mem.h"
#include "vfio/bar_plan.h"
#include "vfio/msix_reloc.h"
#include "vfio/seam.h"

/* ---- --vfio <BDF|UUID|sysfs path>[,opt...] ---- */

#define VFIO_ERR_LEN		1024	/* room for messages with commands */
#define VFIO_NAME_LEN		40	/* a UUID and a NUL, with room */
#define VFIO_MAX_DEVICES	MAX_DEV_ARGS

/* iommu=: which kernel interface holds the device and its DMA mappings */
enum vfio_iommu_mode {
	VFIO_IOMMU_AUTO,	/* iommufd when /dev/iommu and a cdev exist */
	VFIO_IOMMU_IOMMUFD,	/* /dev/iommu + /dev/vfio/devices/vfioN */
	VFIO_IOMMU_LEGACY,	/* /dev/vfio/vfio container + group */
};

struct vfio_spec {
	u32 domain;
	u8 bus, dev, fn;
	bool mdev;			/* a mediated device, named by UUID */
	char name[VFIO_NAME_LEN];	/* "dddd:bb:dd.f", or the mdev's UUID */
	char path[256];			/* the sysfs path given, or "" */
	struct msix_reloc_opt msix_reloc;
	bool msix_reloc_given;	/* false: auto on >4 KiB pages, else off */
	enum vfio_iommu_mode iommu;
	bool on_error_report;	/* on-error=report: an AER error only logs */
	bool rombar_off;	/* rombar=off: the guest sees no ROM BAR */
	char romfile[256];	/* romfile=PATH: the ROM's image, "" none */
	int port;		/* port=N: N + 1, behind that root port; 0: bus 0 */
	bool has_fd;		/* fd=N: a cdev opened by a launcher */
	int fd;
	/* `lkvm vfio add` resolved the device on the host and passed its
	 * fds: its IOMMU group (legacy) or cdev; no sysfs is read here */
	bool resolved;
	int group;
	char cdev[16];
};

/*
 * Parses one value: "01:00.0" or "0000:01:00.0" (hex), a mediated device's
 * UUID, a sysfs device path ending in either, or fd=N (a VFIO cdev fd
 * inherited from a launcher), then options separated by commas:
 * msix-relocation=off|auto|bar<N>, iommu=auto|iommufd|legacy,
 * on-error=stop|report, rombar=on|off, romfile=PATH, port=N. Returns 0,
 * or -1 with a message in err naming the bad part and what is valid.
 */
int vfio_spec_parse(const char *arg, struct vfio_spec *spec, char *err,
		    size_t errlen);
/* The --vfio value ARG with its device behind root port PORT: ARG's port=
 * options left out, ",port=PORT" appended, into out[len]. 0, or -1 when it
 * does not fit. */
int vfio_spec_at_port(const char *arg, int port, char *out, size_t len);
/* Parses every --vfio value into specs[VFIO_MAX_DEVICES]; the same device
 * twice is an error. Returns the count, or -1 with err. */
int vfio_specs_parse(const struct dev_args *args, struct vfio_spec *specs,
		     char *err, size_t errlen);

/* ---- Container and groups (vfio/host.c) ---- */

#define VFIO_MAX_IOVA_RANGES	32
#define VFIO_MAX_DMA		(GUEST_MEM_MAX_REGIONS * 4)

struct vfio_container;

struct vfio_group {
	struct vfio_container *c;
	int id;			/* /dev/vfio/<id> */
	int fd;
	int users;		/* devices opened through it */
	struct vfio_group *next;
};

struct vfio_dma {
	u64 iova;
	u64 size;
	u64 vaddr;
};

/*
 * The iommufd side, one per VM: /dev/iommu and one IOAS shared by every
 * device attached through its cdev; guest RAM is mapped into it once.
 * When the last device leaves it is unmapped, destroyed and closed.
 */
struct vfio_ioas {
	int fd;			/* /dev/iommu, -1: not open */
	u32 id;			/* the IOAS, valid while fd >= 0 */
	int users;		/* devices attached to it */
	int allocs;		/* IOAS_ALLOC calls (one per VM) */
	u64 align;		/* IOVA alignment the kernel asks for */
	u32 nr_iova;
	struct vfio_iova_range iova[VFIO_MAX_IOVA_RANGES];	/* end inclusive */
	u32 nr_map;
	struct vfio_dma map[VFIO_MAX_DMA];
};

/*
 * One container per VM: opened with its first group, IOMMU type set then
 * (type1v2, else type1), shared by every later group. When the last group
 * leaves, DMA is unmapped and the container fd closed.
 */
#define VFIO_MAX_GIVEN	2

struct vfio_container {
	const struct vfio_seam_ops *ops;
	/* fds a client opened for a device added at run time (`lkvm vfio
	 * add`), taken instead of opening their paths; fd -1: none */
	struct {
		char path[48];
		int fd;
	} given[VFIO_MAX_GIVEN];
	bool no_open;		/* confined: open nothing but given fds */
	int fd;			/* -1 while no group is attached */
	int iommu_type;		/* VFIO_TYPE1v2_IOMMU / VFIO_TYPE1_IOMMU / 0 */
	u64 pgsizes;		/* IOMMU page size bitmap, 0: unknown */
	bool has_iova_ranges;	/* IOVA_RANGE capability seen */
	u32 nr_iova;
	struct vfio_iova_range iova[VFIO_MAX_IOVA_RANGES];	/* end inclusive */
	u32 nr_dma;
	struct vfio_dma dma[VFIO_MAX_DMA];
	struct vfio_group *groups;
	struct vfio_ioas ioas;
	/* type1's dirty page tracking (VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION,
	 * vfio/dirty.c): its page sizes (0: none), largest bitmap, on */
	u64 dirty_pgsizes, dirty_max_bitmap;
	bool dirty_on;
};

/* ops NULL: the real kernel (vfio_seam_real). */
void vfio_container_init(struct vfio_container *c,
			 const struct vfio_seam_ops *ops);
/* Gives fd (owned from now on) for the next open of path. */
void vfio_give_fd(struct vfio_container *c, const char *path, int fd);
/* Closes the given fds no open took. */
void vfio_given_drop(struct vfio_container *c);
/* The fd given for path, or seam_open's (with no_open: -1, EPERM). */
int vfio_open_path(struct vfio_container *c, const char *path, int flags);
/* Unmaps DMA, closes groups left open and the container fd. */
void vfio_container_exit(struct vfio_container *c);

/* sysfs helpers (vfio/host.c) shared with `lkvm vfio` (vfio/doctor.c):
 * the base name of the symlink at path (driver, iommu_group) into out (0,
 * or -1); a hex attribute file as a number (0 if unreadable); whether the
 * device at devdir is a PCI-PCI bridge; and fn(arg, bdf, devdir) for every
 * device of IOMMU group `group` but self (how many, -1 without the group). */
int vfio_sysfs_link(const char *path, char *out, size_t len);
u32 vfio_sysfs_hex(const char *path);
bool vfio_sysfs_is_bridge(const char *devdir);
int vfio_group_each(const struct vfio_seam_ops *ops, const char *group,
		    const char *self, void (*fn)(void *arg, const char *bdf,
						 const char *dir), void *arg);


/*
 * sysfs checks for device bdf ("0000:01:00.0"): it exists, is bound to
 * vfio-pci, has an IOMMU group, and every device in the group is bound to
 * vfio-pci, unbound or a bridge. Fills *group. Returns 0, or -1 with a
 * message saying what is wrong and the commands that fix it.
 */
int vfio_host_check_device(const struct vfio_seam_ops *ops, const char *bdf,
			   int *group, char *err, size_t errlen);
/* The same for a mediated device: its sysfs node (spec->path, else
 * bus/mdev/devices/<UUID>) exists and has an iommu_group link. */
int vfio_host_check_mdev(const struct vfio_seam_ops *ops,
			 const struct vfio_spec *spec, int *group, char *err,
			 size_t errlen);

/*
 * Walks a VFIO capability chain inside buf[0, len) from offset first (0:
 * empty chain), calling fn with each header and the bytes available from
 * it. Stops at the first non-zero return of fn and returns it; -1 for a
 * malformed chain (out of bounds, not strictly increasing offsets).
 */
int vfio_cap_walk(const void *buf, size_t len, u32 first,
		  int (*fn)(const struct vfio_info_cap_header *h, size_t avail,
			    void *arg),
		  void *arg);

/* Opens group id into the container (or takes another reference). */
struct vfio_group *vfio_group_get(struct vfio_container *c, int id,
				  char *err, size_t errlen);
void vfio_group_put(struct vfio_group *g);

/* 0 when [iova, iova + size) lies inside ranges[nr] (sorted or not), else
 * -1 with err naming the first part that is in none of them. */
int vfio_iova_fits(const struct vfio_iova_range *ranges, u32 nr, u64 iova,
		   u64 size, char *err, size_t errlen);
/* The RLIMIT_MEMLOCK message for pinning need bytes in all. */
int vfio_err_memlock(u64 need, char *err, size_t errlen);
/* The sysfs directory of a mediated device (spec->path or the bus's). */
void vfio_mdev_dir(const struct vfio_seam_ops *ops,
		   const struct vfio_spec *spec, char *dir, size_t len);

/* 0 when [iova, iova + size) lies inside the IOMMU's usable IOVA ranges
 * (always when the kernel reported none), else -1 with err. */
int vfio_iova_check(const struct vfio_container *c, u64 iova, u64 size,
		    char *err, size_t errlen);
/* VFIO_IOMMU_MAP_DMA read/write of [vaddr, +size) at iova, recorded for
 * unmapping. Needs an attached group. Returns 0 or -1 with err. */
int vfio_dma_map(struct vfio_container *c, u64 iova, u64 size, void *vaddr,
		 char *err, size_t errlen);
/* Maps every guest RAM region with IOVA = GPA; all or nothing. */
int vfio_dma_map_guest(struct vfio_container *c, const struct guest_mem *m,
		       char *err, size_t errlen);
void vfio_dma_unmap_all(struct vfio_container *c);

/* ---- DMA dirty tracking for live migration (vfio/dirty.c) ---- */

/*
 * start: VFIO_IOMMU_DIRTY_PAGES start on the type1 container, when every
 * device is on it and it advertises tracking at page size page; else -1
 * with why (devices on iommufd, no capability, the kernel's refusal).
 * get: the pages of [iova, iova + size) written since the last get (or
 * the start) into bits (a bit per page, (size / page + 63) / 64 words),
 * cleared in the kernel. stop: tracking off (nothing when not on). 0, or
 * -1 with err.
 */
int vfio_dirty_start(struct vfio_container *c, u64 page, char *why,
		     size_t len);
int vfio_dirty_get(struct vfio_container *c, u64 iova, u64 size, u64 page,
		   u64 *bits, char *err, size_t errlen);
void vfio_dirty_stop(struct vfio_container *c);

/* ---- iommufd and device cdevs (vfio/iommufd.c) ---- */

struct vfio_device;

/*
 * Whether dev (spec set) has a VFIO cdev in sysfs: 1 with its name
 * ("vfio0") in name, 0 without (why in err), -1 never. mdevs included.
 */
int vfio_cdev_find(const struct vfio_seam_ops *ops,
		   const struct vfio_spec *spec, char *name, size_t len,
		   char *err, size_t errlen);
/*
 * The iommufd path for dev (spec, c and ops set, host checked): opens its
 * cdev (or takes spec->fd), binds it to the VM's iommufd, allocating the
 * IOAS with the first device, and attaches it. 0; 1 when iommu=auto and
 * iommufd is unavailable (use the legacy path; nothing left open); -1
 * with err (nothing left open).
 */
int vfio_cdev_open(struct vfio_device *dev, char *err, size_t errlen);
/* Unmaps the IOAS if dev is its last user, detaches, closes the cdev and
 * drops the IOAS (destroyed and /dev/iommu closed with the last). */
void vfio_cdev_close(struct vfio_device *dev);
/* IOMMU_IOAS_MAP of every guest RAM region (IOVA = GPA), once per IOAS;
 * all or nothing. */
int vfio_ioas_map_guest(struct vfio_container *c, const struct guest_mem *m,
			char *err, size_t errlen);
void vfio_ioas_unmap_all(struct vfio_container *c);

/* ---- Devices (vfio/device.c) ---- */

#define VFIO_MAX_SPARSE		BAR_PLAN_MAX_SPARSE
#define VFIO_DEV_MAX_MMAPS	32

/* One region as VFIO_DEVICE_GET_REGION_INFO and its capabilities say. */
struct vfio_region {
	u32 index;
	bool present;		/* false: EINVAL (e.g. VGA) or size 0 */
	u32 flags;		/* VFIO_REGION_INFO_FLAG_* */
	u64 size;
	u64 offset;		/* of the region in the device fd */
	bool msix_mappable;	/* CAP_MSIX_MAPPABLE */
	bool has_sparse;	/* CAP_SPARSE_MMAP: only these areas mmap */
	u32 nr_sparse;
	struct bar_area sparse[VFIO_MAX_SPARSE];
	bool has_type;		/* CAP_TYPE (device-specific regions) */
	u32 type, subtype;
};

struct vfio_irq {
	bool present;
	u32 flags;		/* VFIO_IRQ_INFO_* */
	u32 count;
	bool enabled;		/* trigger eventfds installed */
	bool resample;		/* INTx: UNMASK eventfd installed */
};

struct vfio_mmap {
	void *addr;		/* NULL: slot free */
	u64 size;
	u32 region;
	u64 offset;
};

#define VFIO_HOT_RESET_MAX	64	/* functions one bus reset may affect */

struct vfio_device {
	struct vfio_spec spec;
	struct vfio_container *c;
	struct vfio_group *group;	/* legacy path, else NULL */
	bool cdev;			/* iommufd path: fd is a cdev */
	bool attached;			/* cdev attached to c->ioas */
	char cdev_name[16];		/* "vfio0" (/dev/vfio/devices/) */
	const struct vfio_seam_ops *ops;
	int fd;
	u32 flags;		/* VFIO_DEVICE_FLAGS_* */
	u32 num_regions;
	struct vfio_region *regions;	/* num_regions entries */
	u32 num_irqs;
	struct vfio_irq irqs[VFIO_PCI_NUM_IRQS];
	bool reset_works;	/* VFIO_DEVICE_FLAGS_RESET */
	bool reset_noted;	/* "no reset" note printed */
	u32 hot_resets;		/* bus resets done (vfio/reset.c) */
	u32 nr_reset_deps;	/* functions the last one covered */
	u32 reset_deps[VFIO_HOT_RESET_MAX];	/* segment << 16 | bus << 8 | devfn */
	bool exit_reset_done;	/* bus reset at exit done: none at close */
	u32 nr_mmaps;
	struct vfio_mmap mmaps[VFIO_DEV_MAX_MMAPS];
};

/*
 * Checks the host (vfio_host_check_device), joins the device's group to
 * the container, gets the device fd and reads device, region and IRQ
 * info, then resets the device. Returns 0, or -1 with err and nothing
 * left open.
 */
int vfio_device_open(struct vfio_container *c, const struct vfio_spec *spec,
		     struct vfio_device *dev, char *err, size_t errlen);
/* The backend device dev uses, for `lkvm stat --vfio` and logs:
 * "iommufd (/dev/vfio/devices/vfio0, IOAS 1)" or "legacy (group 5, ...)". */
void vfio_device_backend(const struct vfio_device *dev, char *buf,
			 size_t len);
/* Maps guest RAM into the address space dev uses (the legacy container
 * or the IOAS) unless it already is: 0 or -1 with err. */
int vfio_device_map_guest(struct vfio_device *dev, const struct guest_mem *m,
			  char *err, size_t errlen);
/* Disables IRQs, unmaps mmaps, resets (no reset: clears bus master),
 * closes the fd, drops the group (the last one unmaps DMA and closes the
 * container). Idempotent; also safe after a failed open. */
void vfio_device_close(struct vfio_device *dev);

/* Region index if present, else NULL. */
const struct vfio_region *vfio_device_region(const struct vfio_device *dev,
					     u32 index);
/* Whole accesses into a region; 0, or -1 (errno EIO on short access). */
int vfio_region_read(struct vfio_device *dev, u32 index, u64 off, void *buf,
		     size_t len);
int vfio_region_write(struct vfio_device *dev, u32 index, u64 off,
		      const void *buf, size_t len);
int vfio_cfg_read(struct vfio_device *dev, u32 off, void *buf, size_t len);
int vfio_cfg_write(struct vfio_device *dev, u32 off, const void *buf,
		   size_t len);

/* mmaps [off, off + size) of a region (MMAP flag and sparse areas are
 * checked); recorded for teardown. NULL with err on failure. */
void *vfio_region_mmap(struct vfio_device *dev, u32 index, u64 off, u64 size,
		       int prot, char *err, size_t errlen);
int vfio_region_munmap(struct vfio_device *dev, void *addr);

/* BAR bar as the planners need it: type bits from config space, size,
 * mmap and capabilities from VFIO. */
int vfio_device_bar_region(struct vfio_device *dev, int bar,
			   struct bar_region *out, char *err, size_t errlen);
/* All BARs and the MSI-X capability (from config space). */
int vfio_device_layout(struct vfio_device *dev, struct pci_bar_layout *l,
		       char *err, size_t errlen);
/* Offset of capability id in config space, 0 if absent. */
u8 vfio_device_find_cap(struct vfio_device *dev, u8 id);

/* VFIO_DEVICE_RESET; without reset support a note is printed once and
 * 0 returned. */
int vfio_device_reset(struct vfio_device *dev);

/* vfio/reset.c: the bus reset (VFIO_DEVICE_PCI_HOT_RESET) of a device
 * without its own, when VFIO_DEVICE_GET_PCI_HOT_RESET_INFO shows every
 * function it affects is this VM's: on the legacy path each one's group
 * is in the container (its fd is passed), on a cdev the kernel says they
 * are bound to this iommufd (no fds). 0, or -1 with why not. */
int vfio_device_hot_reset(struct vfio_device *dev, char *why, size_t len);
/* Whether dev's last bus reset also reset the PCI function named bdf. */
bool vfio_hot_reset_covered(const struct vfio_device *dev, const char *bdf);
/* Pure: the group fds to pass (*nr of them; none on a cdev), or -1 with
 * the function that is not this VM's. */
int vfio_hot_reset_plan(const struct vfio_pci_hot_reset_info *info,
			bool cdev, const struct vfio_container *c, int *fds,
			u32 *nr, char *why, size_t len);

/* IRQs: index is VFIO_PCI_INTX/MSI/MSIX_IRQ_INDEX. All return 0 or -1. */
/* One SET_IRQS for vectors [start, start + count): fds[i] < 0 clears it.
 * MSI/MSI-X with VFIO_IRQ_INFO_NORESIZE cannot grow once enabled: disable
 * and set the whole new range in one call. */
int vfio_irq_set_eventfds(struct vfio_device *dev, u32 index, u32 start,
			  u32 count, const int *fds);
/* Tears the whole index down (DATA_NONE | ACTION_TRIGGER, count 0). */
int vfio_irq_disable(struct vfio_device *dev, u32 index);
/* INTx: trigger eventfd, and resample_fd (>= 0) as the UNMASK eventfd so
 * a guest EOI (KVM resamplefd) unmasks the line in the kernel. A device
 * refusing that with ENOTTY (mdevs) is enabled without it: irqs[INTx].
 * resample stays false and the caller unmasks with vfio_intx_unmask(). */
int vfio_intx_enable(struct vfio_device *dev, int trigger_fd,
		     int resample_fd);
int vfio_intx_unmask(struct vfio_device *dev);

#endif
