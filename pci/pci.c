/* PCI bus 0: the slot table, device registration and lookup, the config
 * access path shared by conf1 and ECAM (device hooks, then the generic
 * emulation; buses behind root ports via pci/ports.c), the host bridge at
 * slot 0 and INTx. */
#include <stdlib.h>
#include <string.h>
#include "kvm/state.h"
#include "kvm/vm.h"
#include "pci-internal.h"

#define HOST_BRIDGE_VENDOR	0x8086
#define HOST_BRIDGE_DEVICE	0x29c0	/* like Q35's DRAM controller */
#define HOST_BRIDGE_CLASS	0x060000	/* bridge, host, prog-if 0 */
#define CONF1_ENABLE		0x80000000u

/* The guest-visible image (BARs, command, capabilities) and the INTx line;
 * masks are derived from the device and the options, not saved. */
STATE_DESC(pci_state_desc, "pci-config", struct pci_dev, 1,
	   STATE_FIELD(struct pci_dev, cfg, 1),
	   STATE_FIELD(struct pci_dev, intx_level, 1),
	   STATE_FIELD(struct pci_dev, intx_out, 1))

struct pci_bus *pci_bus(struct vm *vm)
{
	return vm->pci;
}

bool pci_conf1_decode(u32 addr, u16 *bdf, u32 *reg)
{
	if (!(addr & CONF1_ENABLE))
		return false;
	*bdf = (u16)((addr >> 8) & 0xffff);
	*reg = addr & 0xfc;
	return true;
}

static void put_slot(struct pci_bus *bus, struct pci_dev *dev, int slot)
{
	dev->vm = bus->vm;
	dev->slot = (u8)slot;
	dev->bdf = PCI_BDF(0, slot, 0);
	bus->slots[slot] = dev;
	if (dev->no_intx)
		return;
	dev->irq_pin = 1;
	dev->gsi = PCI_SLOT_GSI(slot, 0);
	/* an assigned function keeps the pin its image shows */
	if (!pci_cfg_get8(dev, PCI_INTERRUPT_PIN))
		pci_cfg_set8(dev, PCI_INTERRUPT_PIN, dev->irq_pin);
	pci_cfg_set8(dev, PCI_INTERRUPT_LINE, (u8)dev->gsi);
}

static int free_slot(struct pci_bus *bus, struct pci_dev *dev)
{
	int s;

	if (dev->want_slot) {
		if (dev->want_slot < 0 || dev->want_slot >= PCI_MAX_SLOTS ||
		    bus->slots[dev->want_slot]) {
			pr_err("pci: %s: slot %d is not free (1..%d)",
			       dev->name, dev->want_slot, PCI_MAX_SLOTS - 1);
			return -1;
		}
		return dev->want_slot;
	}
	for (s = 1; s < PCI_MAX_SLOTS; s++)
		if (!bus->slots[s])
			return s;
	pr_err("pci: %s: all %d slots of bus 0 are taken", dev->name,
	       PCI_MAX_SLOTS - 1);
	return -1;
}

int pci_register(struct vm *vm, struct pci_dev *dev)
{
	struct pci_bus *bus = vm->pci;
	int slot, r = -1;

	if (!bus) {
		pr_err("pci: %s: no PCI bus", dev->name);
		return -1;
	}
	pthread_mutex_lock(&bus->lock);
	if (dev->want_port || dev->hot) {
		dev->vm = vm;
		r = pci_port_attach(dev, dev->want_port - 1, dev->hot) < 0 ?
		    -1 : 0;
		goto out;
	}
	slot = free_slot(bus, dev);
	if (slot < 0)
		goto out;
	dev->vm = vm;
	if (pci_alloc_bars(bus, dev))
		goto out;
	put_slot(bus, dev, slot);
	pr_debug("pci: %s at 00:%02x.0, gsi %u", dev->name, slot, dev->gsi);
	r = 0;
out:
	pthread_mutex_unlock(&bus->lock);
	return r;
}

void pci_unregister(struct pci_dev *dev)
{
	struct pci_bus *bus = dev->vm ? dev->vm->pci : NULL;

	if (!bus)
		return;
	pthread_mutex_lock(&bus->lock);
	pci_regions_off(dev);
	if (dev->port)
		pci_port_detach(dev);
	else if (bus->slots[dev->slot] == dev)
		bus->slots[dev->slot] = NULL;
	pci_retry_regions(bus);
	pthread_mutex_unlock(&bus->lock);
}

struct pci_dev *pci_find(struct vm *vm, u16 bdf)
{
	struct pci_bus *bus = vm->pci;

	if (!bus || PCI_BDF_FN(bdf))
		return NULL;
	if (PCI_BDF_BUS(bdf))
		return pci_port_find(bus, bdf, false);
	return bus->slots[PCI_BDF_SLOT(bdf)];
}

/* The function a guest config access reaches: bus 0's slots, or device 0
 * behind the port whose secondary bus it is, while its link is up. */
static struct pci_dev *route(struct vm *vm, u16 bdf)
{
	if (!PCI_BDF_BUS(bdf) || !vm->pci)
		return pci_find(vm, bdf);
	return PCI_BDF_FN(bdf) ? NULL : pci_port_find(vm->pci, bdf, true);
}

static bool hooked(const struct pci_dev *dev, u32 off, u32 len)
{
	return off < dev->cfg_hook_end && off + len > dev->cfg_hook_start;
}

static void dev_access(struct pci_dev *dev, u32 off, u8 *data, u32 len,
		       bool wr)
{
	const struct pci_dev_ops *ops = dev->ops;
	bool hook = ops && hooked(dev, off, len);

	if (wr) {
		if (!(hook && ops->cfg_write && ops->cfg_write(dev, off, data, len)))
			pci_cfg_write_default(dev, off, data, len);
		return;
	}
	if (!(hook && ops->cfg_read && ops->cfg_read(dev, off, data, len)))
		pci_cfg_read_default(dev, off, data, len);
}

void pci_config_access(struct vm *vm, u16 bdf, u32 off, u8 *data, u32 len,
		       bool is_write)
{
	struct pci_dev *dev = route(vm, bdf);

	if (!dev || (len != 1 && len != 2 && len != 4) || off % len ||
	    off + len > dev->cfg_size) {
		if (!is_write)
			memset(data, 0xff, len);
		return;
	}
	pthread_mutex_lock(&vm->pci->lock);
	dev_access(dev, off, data, len, is_write);
	pthread_mutex_unlock(&vm->pci->lock);
}

static bool overlaps(u32 off, u32 len, u32 start, u32 end)
{
	return off < end && off + len > start;
}

void pci_cfg_write_default(struct pci_dev *dev, u32 off, const u8 *data,
			   u32 len)
{
	if (pci_cfg_store(dev, off, data, len))
		pci_cfg_written(dev, off, len);
}

void pci_cfg_written(struct pci_dev *dev, u32 off, u32 len)
{
	if (overlaps(off, len, PCI_COMMAND, PCI_COMMAND + 2) ||
	    overlaps(off, len, PCI_BASE_ADDRESS_0, PCI_BASE_ADDRESS_5 + 4) ||
	    overlaps(off, len, PCI_ROM_ADDRESS, PCI_ROM_ADDRESS + 4))
		if (pci_update_regions(dev) && dev->vm)
			pci_retry_regions(dev->vm->pci);
	if (overlaps(off, len, PCI_COMMAND + 1, PCI_COMMAND + 2))
		pci_update_intx(dev);
}

/* ---- INTx ---- */

/*
 * The line state has its own leaf lock (dev->intx_lock), never the bus
 * lock: a device raises or lowers its line from its I/O thread while it
 * holds its own locks, and a config access holding the bus lock may wait
 * for those same device locks. Nothing is taken while intx_lock is held.
 */
static void intx_drive(struct pci_dev *dev)
{
	u8 cmd_hi = __atomic_load_n(&dev->cfg[PCI_COMMAND + 1], __ATOMIC_ACQUIRE);
	bool out = dev->intx_level &&
		   !(cmd_hi & (PCI_COMMAND_INTX_DISABLE >> 8));

	if (dev->intx_level)
		__atomic_fetch_or(&dev->cfg[PCI_STATUS], PCI_STATUS_INTERRUPT,
				  __ATOMIC_RELEASE);
	else
		__atomic_fetch_and(&dev->cfg[PCI_STATUS],
				   (u8)~PCI_STATUS_INTERRUPT, __ATOMIC_RELEASE);
	if (!dev->irq_pin || out == dev->intx_out)
		return;
	dev->intx_out = out;
	vm_irq_line(dev->vm, dev->gsi, out);
}

void pci_update_intx(struct pci_dev *dev)
{
	pthread_mutex_lock(&dev->intx_lock);
	intx_drive(dev);
	pthread_mutex_unlock(&dev->intx_lock);
}

int pci_irq_set(struct pci_dev *dev, bool level)
{
	if (!dev->vm || !dev->vm->pci || !dev->irq_pin)
		return -1;
	pthread_mutex_lock(&dev->intx_lock);
	dev->intx_level = level;
	intx_drive(dev);
	pthread_mutex_unlock(&dev->intx_lock);
	return 0;
}

/* ---- ECAM and the bus ---- */

void pci_ecam_io(void *opaque, u64 off, u8 *data, u32 len, bool wr)
{
	struct pci_bus *bus = opaque;
	u16 bdf;
	u32 reg;

	pci_ecam_decode(off, &bdf, &reg);
	pci_config_access(bus->vm, bdf, reg, data, len, wr);
}

static void host_bridge_init(struct pci_bus *bus)
{
	struct pci_dev *hb = &bus->host_bridge;

	pci_dev_init(hb, "host-bridge", HOST_BRIDGE_VENDOR, HOST_BRIDGE_DEVICE,
		     HOST_BRIDGE_CLASS, 0, true);
	pci_dev_set_subsys(hb, HOST_BRIDGE_VENDOR, HOST_BRIDGE_DEVICE);
	hb->no_intx = true;
	put_slot(bus, hb, 0);
}

static int bus_windows(struct pci_bus *bus, const struct pci_windows *w)
{
	bus->win = *w;
	bus->host_win = *w;
	bus->io_next = w->io_base;
	bus->mem32_next = w->mem32_base;
	bus->mem64_next = w->mem64_base;
	if (!w->ecam_base)
		return 0;
	if (iobus_register(&bus->vm->mmio, w->ecam_base, PCI_ECAM_BUS_SIZE,
			   pci_ecam_io, bus)) {
		pr_err("pci: ECAM at 0x%llx overlaps another MMIO range",
		       (unsigned long long)w->ecam_base);
		return -1;
	}
	return 0;
}

int pci_bus_init(struct vm *vm, const struct pci_windows *w)
{
	pthread_mutexattr_t attr;
	struct pci_bus *bus;

	bus = calloc(1, sizeof(*bus));
	if (!bus) {
		pr_err("pci: out of memory");
		return -1;
	}
	bus->vm = vm;
	if (bus_windows(bus, w)) {
		free(bus);
		return -1;
	}
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&bus->lock, &attr);
	pthread_mutexattr_destroy(&attr);
	host_bridge_init(bus);
	vm->pci = bus;
	return 0;
}

void pci_bus_exit(struct vm *vm)
{
	struct pci_bus *bus = vm->pci;

	if (!bus)
		return;
	if (bus->win.ecam_base)
		iobus_unregister(&vm->mmio, bus->win.ecam_base);
	pci_ports_free(bus);
	pthread_mutex_destroy(&bus->lock);
	free(bus);
	vm->pci = NULL;
}
