/* The virtual PCI bus (bus 0, one function per slot): the device-facing API
 * for config space, BARs and INTx, and the bus-side entry points that the
 * config mechanisms (conf1 ports, ECAM) and the firmware tables use. */
#ifndef LKVM_PCI_PCI_H
#define LKVM_PCI_PCI_H

#include <pthread.h>
#include <linux/pci_regs.h>
#include "lkvm/util.h"

struct vm;
struct pci_dev;
struct sbuf;
struct sreader;
struct pci_port;

#define PCI_MAX_SLOTS		32
#define PCI_CFG_SIZE		256	/* conventional config space */
#define PCI_CFG_SIZE_EXP	4096	/* with PCIe extended space */
#ifndef PCI_NUM_BARS
#define PCI_NUM_BARS		6
#endif
#define PCI_ROM_SLOT		6	/* bar index of the expansion ROM */
#define PCI_NUM_REGIONS		7	/* 6 BARs + ROM */

#define PCI_BDF(bus, dev, fn)	((u16)(((bus) << 8) | ((dev) << 3) | (fn)))
#define PCI_BDF_SLOT(bdf)	(((bdf) >> 3) & 0x1f)
#define PCI_BDF_FN(bdf)		((bdf) & 7)
#define PCI_BDF_BUS(bdf)	((bdf) >> 8)

/* INTx: slot s, pin INTA..INTD (0..3) -> IOAPIC GSI 16..23 */
#define PCI_GSI_BASE		16
#define PCI_NR_GSI		8
#define PCI_SLOT_GSI(slot, pin)	(PCI_GSI_BASE + (((slot) + (pin)) % PCI_NR_GSI))

/* pci_bar_desc.flags */
#define PCI_BAR_F_IO		(1u << 0)	/* I/O space BAR */
#define PCI_BAR_F_MEM64		(1u << 1)	/* 64-bit: uses bar and bar + 1 */
#define PCI_BAR_F_PREFETCH	(1u << 2)	/* memory, prefetchable */

/* One region (BAR 0-5 or the ROM) as the device declares it and as the
 * bus keeps its state. Fields below "state" are owned by the bus. */
struct pci_bar {
	u64 size;		/* power of two; 0: not implemented */
	u32 flags;		/* PCI_BAR_F_* */
	/* state */
	u64 addr;		/* address programmed in the BAR register(s) */
	bool live;		/* map() was called and unmap() not yet */
	u64 live_addr;		/* the gpa map() got */
	struct pci_dev *dev;	/* back-pointers for the default trap */
	int index;
};

/*
 * Device callbacks; every one is optional.
 *
 * cfg_read/cfg_write are called first for each config access that overlaps
 * [dev->cfg_hook_start, dev->cfg_hook_end) (off/len as the guest issued
 * them, len 1, 2 or 4, naturally aligned). Return true when the access is
 * consumed (reads: data filled); false lets the generic layer handle it as
 * usual (emulated bytes, masks, W1C, BARs, command decode). A hook that
 * consumes a write and still wants the generic effect may call
 * pci_cfg_write_default() itself, or pci_cfg_written() once it stored the
 * write in the image (VFIO's policy layer does).
 *
 * bar_map/bar_unmap: the region became live at gpa (decode enabled and a
 * valid address programmed) / stops being live at gpa. NULL: the default
 * traps the whole region on vm->mmio or vm->pio and routes it to bar_io.
 * A device overriding them may still call pci_bar_map_trap() /
 * pci_bar_unmap_trap() for the default behaviour. bar_map returns 0 or -1
 * (the bus then logs the failure; the region stays dead).
 *
 * bar_io: a trapped access, offset relative to the start of the region.
 *
 * All callbacks but bar_io run with the bus lock held; the lock is
 * recursive, so they may call any pci_* function here.
 */
struct pci_dev_ops {
	bool (*cfg_read)(struct pci_dev *dev, u32 off, u8 *data, u32 len);
	bool (*cfg_write)(struct pci_dev *dev, u32 off, const u8 *data,
			  u32 len);
	int (*bar_map)(struct pci_dev *dev, int bar, u64 gpa);
	void (*bar_unmap)(struct pci_dev *dev, int bar, u64 gpa);
	void (*bar_io)(struct pci_dev *dev, int bar, u64 offset, u8 *data,
		       u32 len, bool is_write);
	/* Snapshots (include/kvm/snapshot.h), all optional; err names the
	 * device and the field. snap_check: can the device be saved now?
	 * (-1 refuses the snapshot up front.) snap_save: the device's own
	 * state, written after the bus's record of its config image.
	 * snap_load: reads it back on the restored VM's device, after the
	 * bus put the config image back with decode (memory, I/O) still
	 * off; the bus then restores the command register, which maps the
	 * BARs. snap_quiesce: the vCPUs just parked: stop raising interrupts
	 * and doing DMA before any state is saved. snap_resume: the VM goes
	 * on running after a snapshot (restart what quiesce or save stopped). All under the bus lock,
	 * with every vCPU parked. */
	int (*snap_check)(struct pci_dev *dev, char *err, size_t errlen);
	int (*snap_save)(struct pci_dev *dev, struct sbuf *b, char *err,
			 size_t errlen);
	int (*snap_load)(struct pci_dev *dev, struct sreader *r, char *err,
			 size_t errlen);
	int (*snap_quiesce)(struct pci_dev *dev, char *err, size_t errlen);
	void (*snap_resume)(struct pci_dev *dev);
	/* Live migration's handshake (kvm/migrate.c), optional: fp_put
	 * writes what must be equal on the destination's device (the
	 * snapshot's compatibility fingerprint); fp_check compares it with
	 * this device before any RAM is sent: 0, or -1 with err naming the
	 * field and both values. */
	int (*snap_fp_put)(struct pci_dev *dev, struct sbuf *b, char *err,
			   size_t errlen);
	int (*snap_fp_check)(struct pci_dev *dev, struct sreader *r, char *err,
			     size_t errlen);
	/* Live migration's pre-copy, optional: snap_precopy appends to b
	 * the device data ready while the VM runs (the first call starts
	 * the device's pre-copy); snap_precopy_abort ends it, the device
	 * running as before; snap_precopy_load keeps such bytes on the
	 * destination's device for its snap_load. */
	int (*snap_precopy)(struct pci_dev *dev, struct sbuf *b, char *err,
			    size_t errlen);
	void (*snap_precopy_abort)(struct pci_dev *dev);
	int (*snap_precopy_load)(struct pci_dev *dev, const u8 *p, u32 len,
				 char *err, size_t errlen);
	/* Behind a root port: the guest powered the slot on or off (a vCPU
	 * thread, bus lock held). Optional. */
	void (*slot_power)(struct pci_dev *dev, bool on);
};

struct pci_dev {
	const char *name;		/* for messages: "virtio-net", "vfio 0000:01:00.0" */
	const struct pci_dev_ops *ops;
	void *priv;			/* the device's own state */

	u8 cfg[PCI_CFG_SIZE_EXP];	/* emulated config space */
	u8 wmask[PCI_CFG_SIZE_EXP];	/* 1: guest may write the bit */
	u8 w1cmask[PCI_CFG_SIZE_EXP];	/* 1: writing 1 clears the bit */
	u32 cfg_size;			/* PCI_CFG_SIZE or PCI_CFG_SIZE_EXP */
	u32 cfg_hook_start, cfg_hook_end;	/* ops->cfg_* range, end exclusive */

	struct pci_bar bar[PCI_NUM_REGIONS];	/* [PCI_ROM_SLOT]: the ROM */
	bool no_intx;			/* set before pci_register: pin 0 */
	int want_slot;			/* > 0: ask for this slot; 0: any */
	int want_port;			/* > 0: behind root port want_port - 1 */
	bool hot;			/* added to a running guest: behind
					 * want_port or the first free port,
					 * its arrival signalled (hotplug) */

	/* Assigned by pci_register(). */
	struct vm *vm;
	u16 bdf;			/* behind a port: its secondary bus as
					 * the guest programmed it */
	u8 slot;
	struct pci_port *port;		/* the root port it is behind, or NULL */
	u8 irq_pin;			/* 1 = INTA, 0 = none */
	u32 gsi;			/* IOAPIC input of the INTx line */
	pthread_mutex_t intx_lock;	/* leaf lock of the two below */
	bool intx_level;		/* device's line, before INTx disable */
	bool intx_out;			/* what the GSI was last driven to */
	u16 cap_tail, cap_free;		/* last capability, next free offset
					 * (0: start), for pci_add_cap */
};

/* ---- Building a device (before pci_register) ---- */

/*
 * Zeroes dev and fills a type-0 header: ids, class (24 bits: base class,
 * sub class, prog-if), revision; status capability-list bit once a cap is
 * added; write masks for command (I/O, memory, bus master, SERR, parity,
 * INTx disable), cache line, latency timer, interrupt line; W1C for the
 * status error bits. cfg_size is PCI_CFG_SIZE_EXP when pcie, else 256.
 */
void pci_dev_init(struct pci_dev *dev, const char *name, u16 vendor,
		  u16 device, u32 class_code, u8 revision, bool pcie);
void pci_dev_set_subsys(struct pci_dev *dev, u16 vendor, u16 device);
/*
 * Declares BAR bar (0..5, or PCI_ROM_SLOT for a read-only ROM) of size
 * bytes (a power of two; I/O >= 4, memory >= 16) with PCI_BAR_F_* flags.
 * A 64-bit BAR also takes bar + 1. Returns 0, or -1 with a message.
 */
int pci_dev_set_bar(struct pci_dev *dev, int bar, u64 size, u32 flags);

/* Capabilities: links a new one of size bytes (header included) at a
 * dword-aligned free offset >= 0x40, writes id/next, sets the status bit.
 * Returns its offset, or 0 if it does not fit. */
u16 pci_add_cap(struct pci_dev *dev, u8 id, u32 size);
/* Offset of the first capability with this id, or 0. */
u16 pci_find_cap(const struct pci_dev *dev, u8 id);

/*
 * The capability-list walker for any config space: rd reads len (1, 2 or
 * 4) little-endian bytes at off of src (0, or -1 when it cannot). fn gets
 * each capability's offset and id in list order (ext: the extended list
 * from 0x100; only with cfg_size 4096). The walk ends at a pointer below
 * 0x40 (0x100), a null or all-ones extended header, a capability seen
 * before (a loop), a failed read, or when fn returns nonzero: that value
 * is returned, else 0. pci_cfg_rd_bytes reads a plain byte array.
 */
typedef int (*pci_cfg_rd)(const void *src, u32 off, u32 len, u32 *val);
typedef int (*pci_cap_fn)(void *arg, u32 off, u16 id);
int pci_cap_walk(pci_cfg_rd rd, const void *src, u32 cfg_size, bool ext,
		 pci_cap_fn fn, void *arg);
int pci_cfg_rd_bytes(const void *src, u32 off, u32 len, u32 *val);

/* The BAR rules every device type follows: NULL when region bar (0..5 or
 * PCI_ROM_SLOT) may be size bytes with these PCI_BAR_F_* flags, else why
 * not. I/O BARs are 4 to 256 bytes (PCI 3.0 6.2.5.1), memory BARs at
 * least 16, 32-bit ones at most 2 GiB, a ROM 2 KiB to 1 GiB. */
const char *pci_bar_rule(int bar, u64 size, u32 flags);

/* Raw little-endian accessors of dev->cfg and its masks (no side effects). */
u8 pci_cfg_get8(const struct pci_dev *dev, u32 off);
u16 pci_cfg_get16(const struct pci_dev *dev, u32 off);
u32 pci_cfg_get32(const struct pci_dev *dev, u32 off);
void pci_cfg_set8(struct pci_dev *dev, u32 off, u8 v);
void pci_cfg_set16(struct pci_dev *dev, u32 off, u16 v);
void pci_cfg_set32(struct pci_dev *dev, u32 off, u32 v);
/* Sets the write mask / W1C mask of len bytes at off from value mask. */
void pci_set_wmask(struct pci_dev *dev, u32 off, u32 len, u32 mask);
void pci_set_w1c(struct pci_dev *dev, u32 off, u32 len, u32 mask);
/* A guest write through the masks into the image only (no decode or INTx
 * effects); false when [off, off + len) is outside the space. */
bool pci_cfg_store(struct pci_dev *dev, u32 off, const u8 *data, u32 len);

/* ---- Registration and lookup ---- */

/*
 * Puts dev on bus 0 (slot want_slot or the first free one), or with
 * want_port behind that root port (pci_port_attach; hot: also with
 * want_port 0, behind the first free port), assigns its
 * INTx GSI and allocates an address for every BAR from the bus windows,
 * writing it to the BAR registers (decode stays off until the guest sets
 * the command bits). Returns 0, or -1 after an error naming the device and
 * the BAR that does not fit.
 */
int pci_register(struct vm *vm, struct pci_dev *dev);
/* Takes dev's live regions down (bar_unmap, or the default trap's removal)
 * and frees its slot; the BAR addresses are not returned to the windows.
 * A device that never registered (or failed to) is left as it is. */
void pci_unregister(struct pci_dev *dev);
struct pci_dev *pci_find(struct vm *vm, u16 bdf);
/* Calls fn on every device (the host bridge aside): bus 0 in slot order,
 * then the devices behind the root ports in port order (after their
 * ports, whose images route to them), under the bus lock, until one
 * returns nonzero; returns that or 0. */
int pci_each_dev(struct vm *vm, int (*fn)(struct pci_dev *dev, void *arg),
		 void *arg);

/* pci/snapshot.c, live migration's pre-copy: every device's snap_precopy
 * bytes into b as (u16 BDF, blob) pairs, none for a device with none
 * (returns the devices' bytes, or -1 with err); on the destination, such
 * pairs handed to their devices (0, or -1 with err); the abort of every
 * device's pre-copy. */
s64 pci_mig_precopy(struct vm *vm, struct sbuf *b, char *err, size_t errlen);
int pci_mig_precopy_load(struct vm *vm, const u8 *p, size_t len, char *err,
			 size_t errlen);
void pci_mig_precopy_abort(struct vm *vm);

/* ---- Config access ---- */

/* The generic emulation (no hooks): masks, W1C, BAR sizing/reprogramming
 * and command decode. For hooks that consume an access. */
void pci_cfg_read_default(struct pci_dev *dev, u32 off, u8 *data, u32 len);
void pci_cfg_write_default(struct pci_dev *dev, u32 off, const u8 *data,
			   u32 len);
/* After a hook stored a guest write in the image itself: the bus decodes
 * what changed (BARs, ROM, command: map/unmap; INTx disable). */
void pci_cfg_written(struct pci_dev *dev, u32 off, u32 len);
/* A config access to bdf from the guest: hooks, then the generic layer.
 * Absent functions read all-ones and ignore writes; unaligned or
 * out-of-range accesses are dropped (all-ones). Takes the bus lock. */
void pci_config_access(struct vm *vm, u16 bdf, u32 off, u8 *data, u32 len,
		       bool is_write);

/* ---- BARs ---- */

static inline bool pci_bar_is_io(const struct pci_dev *dev, int bar)
{
	return dev->bar[bar].flags & PCI_BAR_F_IO;
}

/* The address programmed in region bar's register(s), flag bits dropped
 * (a 64-bit BAR with its upper half); pci_bar_set_addr writes one, keeping
 * the flag bits (no map/unmap: that follows the next decode). */
u64 pci_bar_addr(const struct pci_dev *dev, int bar);
void pci_bar_set_addr(struct pci_dev *dev, int bar, u64 addr);

/* The default map/unmap: a trap on vm->pio or vm->mmio to ops->bar_io. */
int pci_bar_map_trap(struct pci_dev *dev, int bar, u64 gpa);
void pci_bar_unmap_trap(struct pci_dev *dev, int bar, u64 gpa);

/* ---- INTx ---- */

/* Drives the device's INTx line (KVM_IRQ_LINE on dev->gsi) and the status
 * register's interrupt bit; the command INTx-disable bit holds the line
 * low while set. Takes only the device's leaf INTx lock, never the bus
 * lock, so it may be called with any device lock held. Returns 0 or -1. */
int pci_irq_set(struct pci_dev *dev, bool level);

/* ---- The bus (architecture code and firmware) ---- */

/* Address windows BARs are allocated from (size 0: window absent). */
struct pci_windows {
	u64 io_base, io_size;
	u64 mem32_base, mem32_size;
	u64 mem64_base, mem64_size;
	u64 ecam_base;			/* 0: no ECAM */
};

/* BARs of this size or more go to the 64-bit window (as do 64-bit
 * prefetchable ones) when there is one. */
#define PCI_MEM64_MIN_SIZE	(256 * SZ_1M)

struct pci_bus {
	struct vm *vm;
	pthread_mutex_t lock;		/* recursive */
	struct pci_windows win;		/* bus 0's (the ports' carved off) */
	struct pci_windows host_win;	/* the root bridge's: firmware tables */
	u64 io_next, mem32_next, mem64_next;	/* bump allocators */
	struct pci_dev *slots[PCI_MAX_SLOTS];
	struct pci_dev host_bridge;
	struct pci_port *ports;		/* hotplug root ports (pci/ports.c) */
	u32 nr_ports;			/* port i's secondary bus is i + 1 */
};

/*
 * Creates the bus of vm with these windows, registers the host bridge at
 * slot 0 (8086:29c0) and, when ecam_base is set, the ECAM range (bus 0)
 * on vm->mmio. Returns 0 or -1.
 */
int pci_bus_init(struct vm *vm, const struct pci_windows *w);
void pci_bus_exit(struct vm *vm);
struct pci_bus *pci_bus(struct vm *vm);

/* ---- Hotplug root ports (pci/ports.c) ---- */

/* At most this many ports (bus 0 keeps slots for the other devices). */
#define PCI_MAX_PORTS		16

/*
 * Adds n root ports on bus 0 (the last n slots, in order), buses 1..n behind
 * them, their windows carved from the bus's (mem_size 32-bit and
 * pref_size prefetchable bytes each) and the ECAM grown to cover the
 * buses. Call after pci_bus_init and before any other device registers.
 * Returns 0, or -1 with a message naming the option to change.
 */
int pci_ports_init(struct vm *vm, u32 n, u64 mem_size, u64 pref_size);
/* The last bus number the firmware tables describe (0: no ports). */
u8 pci_last_bus(struct vm *vm);
/* Puts dev behind free root port port (-1: the first free one), as device
 * 0 function 0 of its secondary bus, its BARs from the port's windows,
 * INTx through the port's pin. hot: the guest is running (presence
 * changes and the attention button is pressed: pciehp then powers the
 * slot on, after its 5 s grace); else the slot starts powered with the
 * link up.
 * Returns the port number, or -1 after a message. Under the bus lock. */
int pci_port_attach(struct pci_dev *dev, int port, bool hot);
/* The root port a device would go behind: port if free (>= 0), else the
 * first free one; or -1 with err naming why (no ports, no such port, taken,
 * all taken) and the fix. Under the bus lock, or on the main thread (the
 * only one that adds). */
int pci_port_pick(const struct pci_bus *bus, int port, char *err,
		  size_t errlen);
/* The root port dev is behind, or -1 (bus 0). */
int pci_dev_port(const struct pci_dev *dev);
/* Whether port's slot is powered (the guest's Power Controller Control). */
bool pci_port_powered(struct vm *vm, int port);
/* Presses port's attention button (the guest's orderly removal). 0/-1. */
int pci_port_button(struct vm *vm, int port);
/* Waits up to timeout_ms for the guest to power port's slot off. True
 * when it is off. The caller must not hold the bus lock (the wait
 * releases it once). No vCPU thread may wait here. */
bool pci_port_wait_off(struct vm *vm, int port, int timeout_ms);
/* Takes the adapter out of port's slot (presence off: the guest sees the
 * surprise removal if it had not powered the slot off); the device then
 * goes with pci_unregister. */
void pci_port_unplug(struct vm *vm, int port);

/* conf1 (ports 0xcf8/0xcfc): the CONFIG_ADDRESS value -> bdf and dword
 * register offset. Returns false if the enable bit is clear (the access
 * then reads all-ones). */
bool pci_conf1_decode(u32 addr, u16 *bdf, u32 *reg);
/* ECAM: offset into the region -> bdf and register offset. */
static inline void pci_ecam_decode(u64 off, u16 *bdf, u32 *reg)
{
	*bdf = (u16)(off >> 12);
	*reg = (u32)(off & 0xfff);
}

#endif
