/* Config-space virtualization of an assigned (VFIO) PCI function: a policy
 * layer over the bus's one config image (struct pci_dev): builds the image
 * and per-byte policy from the real config bytes and applies guest
 * reads/writes to it. Pure: no ioctls, no KVM. */
#ifndef LKVM_VFIO_CONFIG_H
#define LKVM_VFIO_CONFIG_H

#include "lkvm/util.h"
#include "pci/pci.h"
#include "vfio/bar_plan.h"
#include "vfio/msix_reloc.h"

#define VCFG_SIZE		256	/* conventional config space */
#define VCFG_SIZE_EXP		4096	/* with PCIe extended space */
#define VCFG_MAX_CAPS		64

/*
 * Policy of one config byte. Every byte also has bit masks; the image and
 * its write masks are the pci_dev's (cfg, wmask, w1cmask):
 *  wmask: bits a guest write changes in the image;
 *  w1c:   bits a guest write of 1 clears in the image;
 *  emu:   bits a read takes from the image (the rest from the device);
 *  fwd:   bits a write sends to the device (a forwarded byte carries the
 *         new image value in fwd bits, the real value elsewhere).
 *
 * EMULATED:    emu 0xff, fwd 0; writes never reach the device.
 * PASSTHROUGH: emu 0, fwd 0xff; the image is not used.
 * VIRTUAL:     image-backed with side effects: command, BARs and ROM BAR
 *              are decoded by the bus (pci/, the same rules as for every
 *              device), MSI and MSI-X by the caller (events); some bits
 *              may be read from (status) or forwarded to (command) the
 *              device.
 *
 * What is exposed (everything else reads 0, writes are dropped):
 *  - header: ids, class, subsystem from the device; header type without
 *    the multi-function bit; BIST 0; BARs and ROM BAR virtual; cache
 *    line, latency and interrupt line emulated and writable; status bit 3
 *    (INTx pending) and the W1C error byte come from the device;
 *  - capabilities: MSI, MSI-X, PM, PCI Express and every vendor-specific
 *    one, relinked in their original order. A vendor-specific capability's
 *    id and next are emulated, its length and body pass through (reads and
 *    writes: the device defines them, e.g. virtio's structure pointers and
 *    config window; vfio-pci gives them raw access). VPD, AF, PCI-X... are
 *    unlinked and their bytes read 0. Bytes between capabilities that
 *    belong to none pass through (vendor registers; the VFIO kernel
 *    filters writes);
 *  - MSI and MSI-X are fully emulated (the host vectors are driven via
 *    VFIO_DEVICE_SET_IRQS by the caller); MSI-X table/PBA locations follow
 *    the relocation result when there is one;
 *  - PM is emulated: D-state changes stay virtual (no real D3), PME is not
 *    advertised;
 *  - PCI Express: an Endpoint is shown as a Root Complex integrated
 *    Endpoint (lkvm's bus 0 has no root port) with zero link registers;
 *    Device Control/Status pass through, except Initiate FLR on a
 *    function that advertises FLR: lkvm emulates it (VCFG_EV_FLR); everything
 *    else is read-only from the device, Device Control 2 virtual.
 *    Legacy endpoints and ports lose the capability;
 *  - extended space: AER and every vendor-specific one (VSEC) pass
 *    through (header emulated), DSN is emulated read-only; every other
 *    extended capability (SR-IOV, ATS, PRI, PASID, Resizable BAR, LTR,
 *    L1SS, ACS, DVSEC...) is unlinked and reads 0. When the first
 *    exposed one is not at 0x100, 0x100 holds a null header (id 0)
 *    linking to it; with none, 0x100 reads 0 (terminator).
 */
enum vcfg_policy {
	VCFG_EMULATED,
	VCFG_PASSTHROUGH,
	VCFG_VIRTUAL,
};

struct vcfg_input {
	const u8 *cfg;			/* real config bytes */
	u32 cfg_size;			/* 256 or 4096 */
	const struct pci_bar_layout *bars;	/* BAR0-5 as VFIO reports them */
	u64 rom_size;			/* VFIO ROM region size, 0: none */
	const struct msix_reloc_result *reloc;	/* NULL: no relocation */
	u32 dev_size;			/* bytes the device has, 0: cfg_size */
};

struct vcfg_cap {
	u16 off;
	u16 id;
	u16 size;			/* bytes owned, clamped to the next cap */
	bool ext;			/* extended capability */
	bool exposed;
};

struct vcfg {
	struct pci_dev *dev;		/* the one image: cfg, wmask, w1cmask */
	u32 size;
	u32 dev_size;			/* beyond it: emulated, never forwarded */
	u8 emu[VCFG_SIZE_EXP];
	u8 fwd[VCFG_SIZE_EXP];
	u8 policy[VCFG_SIZE_EXP];	/* enum vcfg_policy */
	u8 real[VCFG_SIZE_EXP];		/* the device's bytes at build time */
	u8 init[VCFG_SIZE_EXP];		/* the image as built: FLR goes back */

	/* offsets in the image, 0: absent/hidden */
	u16 msi, msix, pm, exp, aer, dsn;
	u32 nr_caps;
	struct vcfg_cap caps[VCFG_MAX_CAPS];	/* every cap found */
};

/* One contiguous write to send to the device's config region. */
struct vcfg_fwd {
	u32 off;
	u32 len;
	u8 data[4];
};

/* Events of a guest write (vcfg_write_res.events): what the caller must
 * re-apply; BARs, ROM and command are the bus's (pci/). */
#define VCFG_EV_MSI_CTRL	(1u << 0)	/* MSI enable or multiple message enable */
#define VCFG_EV_MSI_MSG		(1u << 1)	/* MSI address or data */
#define VCFG_EV_MSI_MASK	(1u << 2)	/* MSI per-vector mask bits */
#define VCFG_EV_MSIX_CTRL	(1u << 3)	/* MSI-X enable or function mask */
#define VCFG_EV_FLR		(1u << 4)	/* Initiate FLR: see vcfg_flr() */

struct vcfg_write_res {
	u32 events;
	u32 nr_fwd;
	struct vcfg_fwd fwd[4];
};

/* The guest-visible MSI capability registers. */
struct vcfg_msi {
	bool enabled;
	u32 nr_vectors;			/* 1 << multiple message enable */
	u32 max_vectors;		/* 1 << multiple message capable */
	bool is_64;
	bool maskable;
	u64 addr;
	u16 data;
	u32 mask;
};

/*
 * Builds @c from the device's config bytes, (re)initializing @dev (its name
 * kept) as the guest-visible function: header, BARs and ROM declared by
 * pci/'s rules, capabilities, masks. Returns 0, or -1 with a reason in @err
 * (bad size, not a type 0 header, a BAR that cannot be shown).
 */
int vcfg_build(struct vcfg *c, struct pci_dev *dev,
	       const struct vcfg_input *in, char *err, size_t errlen);

/* True when a read of [off, off + len) needs bytes from the device. */
bool vcfg_read_needs_dev(const struct vcfg *c, u32 off, u32 len);

/*
 * A guest read: image bits where emulated, @dev bits elsewhere. @dev holds
 * the device's bytes at [off, off + len) and may be NULL when
 * vcfg_read_needs_dev() is false (device bits then read as 1s).
 * Out-of-range bytes read 0xff.
 */
void vcfg_read(const struct vcfg *c, u32 off, u32 len, const u8 *dev,
	       u8 *out);

/*
 * A guest write of 1..4 bytes (any alignment, within the space): updates
 * the image through the masks (pci_cfg_store) and fills @res with the
 * device writes and events; the caller then lets the bus decode it
 * (pci_cfg_written). Returns 0, or -1 (nothing done) when out of range.
 */
int vcfg_write(struct vcfg *c, u32 off, u32 len, const u8 *data,
	       struct vcfg_write_res *res);

/*
 * A Function Level Reset of the image: every guest-writable emulated bit
 * goes back to its value when the function was built (command 0, BAR and
 * ROM addresses 0 with decode off, MSI and MSI-X disabled, PM D0, Device
 * Control 2), as an FLR resets them; the interrupt line (firmware's) is
 * kept. @res gets the command bytes to send to the device after its reset
 * (the kernel restores the real ones it saved). The caller lets the bus
 * decode the header (pci_cfg_written) and resets its interrupt state.
 */
void vcfg_flr(struct vcfg *c, struct vcfg_write_res *res);

/* Little-endian image read (no side effects). */
u32 vcfg_get(const struct vcfg *c, u32 off, u32 len);



/* MSI registers as the guest programmed them; false if no MSI. */
bool vcfg_msi_get(const struct vcfg *c, struct vcfg_msi *msi);
/* Reflects emulated MSI pending bits in the image. */
void vcfg_msi_set_pending(struct vcfg *c, u32 pending);
/* MSI-X control bits; false if no MSI-X. */
bool vcfg_msix_get(const struct vcfg *c, bool *enabled, bool *masked);
/* Vectors in the MSI-X capability, 0 without one. */
u32 vcfg_msix_vectors(const struct vcfg *c);

#endif
