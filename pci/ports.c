/* The hotplug root ports on bus 0 (pci/rootport.c models one) and the
 * buses behind them: port set-up and windows, routing a config access to
 * the device behind a port, attaching and unplugging that device, the
 * ports' interrupts, and the walk over every device. All under the bus
 * lock. */
#include <errno.h>
#include <stdlib.h>
#include <time.h>
#include "kvm/irq.h"
#include "kvm/vm.h"
#include "pci/rootport.h"
#include "pci-internal.h"

static void port_events(struct pci_port *p, u32 ev)
{
	struct pci_dev *d = &p->rp.dev;
	u64 addr;
	u32 data;

	if (ev & RP_EV_MSI) {
		rootport_msi_msg(&p->rp, &addr, &data);
		p->nr_msi++;
		if (irq_signal_msi(d->vm, addr, data, d->bdf, 0))
			pr_debug("pci: root port %u: MSI not delivered",
				 p->rp.index);
	}
	if (ev & RP_EV_INTX)
		pci_irq_set(d, rootport_intx(&p->rp));
	if (ev & (RP_EV_POWER_ON | RP_EV_POWER_OFF)) {
		pthread_cond_broadcast(&p->power_cond);
		if (p->child && p->child->ops && p->child->ops->slot_power)
			p->child->ops->slot_power(p->child,
						  ev & RP_EV_POWER_ON);
	}
	if ((ev & RP_EV_RESET) && p->child)
		pr_debug("pci: root port %u: secondary bus reset", p->rp.index);
}

/* The function behind the port is device 0 of the secondary bus the guest
 * programmed: its requester id (an ITS device id on arm64) follows it, as
 * a guest may number the buses anew (Linux on a device-tree host does). */
static void child_bdf(struct pci_port *p)
{
	u8 sec, sub;

	rootport_buses(&p->rp, &sec, &sub);
	if (p->child)
		p->child->bdf = PCI_BDF(sec, 0, 0);
}

static bool port_cfg_write(struct pci_dev *dev, u32 off, const u8 *data,
			   u32 len)
{
	struct pci_port *p = dev->priv;
	u32 ev = rootport_cfg_write(&p->rp, off, data, len);

	pci_cfg_written(dev, off, len);
	if (off <= PCI_SECONDARY_BUS && off + len > PCI_SECONDARY_BUS)
		child_bdf(p);
	port_events(p, ev);
	return true;
}

static int port_snap_load(struct pci_dev *dev, struct sreader *r, char *err,
			  size_t errlen)
{
	struct pci_port *p = dev->priv;

	rootport_sync(&p->rp);
	child_bdf(p);
	return 0;
}

static const struct pci_dev_ops port_ops = {
	.cfg_write = port_cfg_write,
	.snap_load = port_snap_load,
};

static int grow_ecam(struct pci_bus *bus, u32 n)
{
	u64 base = bus->win.ecam_base;

	if (!base)
		return 0;
	iobus_unregister(&bus->vm->mmio, base);
	if (!iobus_register(&bus->vm->mmio, base, (n + 1) * PCI_ECAM_BUS_SIZE,
			    pci_ecam_io, bus))
		return 0;
	pr_err("pci: the ECAM for %u buses at 0x%llx overlaps another MMIO "
	       "range", n + 1, (unsigned long long)base);
	iobus_register(&bus->vm->mmio, base, PCI_ECAM_BUS_SIZE, pci_ecam_io,
		       bus);
	return -1;
}

static int add_port(struct vm *vm, struct pci_port *p, u32 i, u32 n,
		    const struct rp_window *w)
{
	struct pci_dev *d = &p->rp.dev;

	rootport_init(&p->rp, (u8)i, (u8)(i + 1), w, false);
	p->win = *w;
	p->next[1] = w->mem_base;
	p->next[2] = w->pref_base;
	pthread_cond_init(&p->power_cond, NULL);
	d->ops = &port_ops;
	d->priv = p;
	d->cfg_hook_start = 0;
	d->cfg_hook_end = PCI_CFG_SIZE_EXP;
	/* the last n slots in port order (other devices keep theirs): a
	 * guest numbering buses in scan order numbers them as we do */
	d->want_slot = PCI_MAX_SLOTS - (int)n + (int)i;
	return pci_register(vm, d);
}

int pci_ports_init(struct vm *vm, u32 n, u64 mem_size, u64 pref_size)
{
	struct pci_bus *bus = vm->pci;
	struct rp_window w[PCI_MAX_PORTS];
	char err[256];
	u32 i;

	if (!n)
		return 0;
	if (n > PCI_MAX_PORTS || bus->nr_ports) {
		pr_err(bus->nr_ports ? "pci: the root ports are there already" :
		       "pci: --hotplug-slots %u: at most %d", n, PCI_MAX_PORTS);
		return -1;
	}
	if (rootport_plan(&bus->win, n, mem_size, pref_size, w, err,
			  sizeof(err))) {
		pr_err("%s", err);
		return -1;
	}
	bus->ports = calloc(n, sizeof(*bus->ports));
	if (!bus->ports || grow_ecam(bus, n)) {
		free(bus->ports);
		bus->ports = NULL;
		return -1;
	}
	bus->nr_ports = n;
	for (i = 0; i < n; i++)
		if (add_port(vm, &bus->ports[i], i, n, &w[i]))
			return -1;
	return 0;
}

void pci_ports_free(struct pci_bus *bus)
{
	u32 i;

	for (i = 0; i < bus->nr_ports; i++)
		pthread_cond_destroy(&bus->ports[i].power_cond);
	free(bus->ports);
	bus->ports = NULL;
	bus->nr_ports = 0;
}

u8 pci_last_bus(struct vm *vm)
{
	return vm->pci ? (u8)vm->pci->nr_ports : 0;
}

struct pci_dev *pci_port_find(struct pci_bus *bus, u16 bdf, bool guest)
{
	u32 i;
	u8 sec, sub;

	for (i = 0; i < bus->nr_ports; i++) {
		struct pci_port *p = &bus->ports[i];

		if (!guest) {
			if (p->child && p->child->bdf == bdf)
				return p->child;
			continue;
		}
		rootport_buses(&p->rp, &sec, &sub);
		if (PCI_BDF_BUS(bdf) == sec)
			return p->rp.link && !PCI_BDF_SLOT(bdf) ? p->child : NULL;
	}
	return NULL;
}

static bool port_free(const struct pci_port *p)
{
	return !p->child && !p->rp.present;
}

int pci_port_pick(const struct pci_bus *bus, int port, char *err,
		  size_t errlen)
{
	u32 i, n = bus ? bus->nr_ports : 0;

	if (!n)
		return set_err(err, errlen, "the VM has no hotplug root ports: "
			       "run it with --hotplug-slots N");
	if (port >= (int)n)
		return set_err(err, errlen, "no root port %d (--hotplug-slots "
			       "%u: 0..%u)", port, n, n - 1);
	if (port >= 0)
		return port_free(&bus->ports[port]) ? port :
		       set_err(err, errlen, "root port %d is taken", port);
	for (i = 0; i < n; i++)
		if (port_free(&bus->ports[i]))
			return (int)i;
	return set_err(err, errlen, "all %u root ports are taken: remove a "
		       "device (lkvm disk|vfio remove) or run the VM with more "
		       "--hotplug-slots", n);
}

static struct pci_port *free_port(struct pci_bus *bus, struct pci_dev *dev,
				  int port)
{
	char err[160];
	int i = pci_port_pick(bus, port, err, sizeof(err));

	if (i >= 0)
		return &bus->ports[i];
	pr_err("pci: %s: %s", dev->name, err);
	return NULL;
}

/* INTx behind a port: device 0's pin A swizzles to the port's pin A. */
static void child_intx(struct pci_port *p, struct pci_dev *dev)
{
	if (dev->no_intx || !p->rp.dev.irq_pin)
		return;
	dev->irq_pin = 1;
	dev->gsi = p->rp.dev.gsi;
	if (!pci_cfg_get8(dev, PCI_INTERRUPT_PIN))
		pci_cfg_set8(dev, PCI_INTERRUPT_PIN, dev->irq_pin);
	pci_cfg_set8(dev, PCI_INTERRUPT_LINE, (u8)dev->gsi);
}

int pci_port_attach(struct pci_dev *dev, int port, bool hot)
{
	struct pci_bus *bus = dev->vm ? dev->vm->pci : NULL;
	struct pci_windows w = { 0 };
	struct pci_port *p;
	u64 next[3];

	if (!bus)
		return -1;
	pthread_mutex_lock(&bus->lock);
	p = free_port(bus, dev, port);
	if (!p)
		goto fail;
	w.mem32_base = p->win.mem_base;
	w.mem32_size = p->win.mem_size;
	w.mem64_base = p->win.pref_base;
	w.mem64_size = p->win.pref_size;
	next[0] = 0;
	next[1] = p->win.mem_base;	/* a new adapter gets the window anew */
	next[2] = p->win.pref_base;
	if (pci_alloc_bars_in(dev, &w, next, true))
		goto fail;
	dev->port = p;
	dev->slot = 0;
	child_intx(p, dev);
	p->child = dev;
	child_bdf(p);
	/* Linux's pciehp enables Presence Detect Changed only on slots
	 * without an attention button (DLL State Changed needs power): a hot
	 * add also presses the button, and pciehp powers the slot on */
	if (hot)
		port_events(p, rootport_insert(&p->rp) |
			    rootport_button(&p->rp));
	else
		rootport_cold_insert(&p->rp);
	pthread_mutex_unlock(&bus->lock);
	pr_debug("pci: %s behind root port %u (bus %u)", dev->name,
		 p->rp.index, p->rp.sec_bus);
	return p->rp.index;
fail:
	pthread_mutex_unlock(&bus->lock);
	return -1;
}

void pci_port_detach(struct pci_dev *dev)
{
	if (dev->port && dev->port->child == dev)
		dev->port->child = NULL;
	dev->port = NULL;
}

static struct pci_port *port_of(struct vm *vm, int port)
{
	struct pci_bus *bus = vm->pci;

	if (!bus || port < 0 || port >= (int)bus->nr_ports)
		return NULL;
	return &bus->ports[port];
}

int pci_dev_port(const struct pci_dev *dev)
{
	return dev->port ? dev->port->rp.index : -1;
}

bool pci_port_powered(struct vm *vm, int port)
{
	struct pci_port *p = port_of(vm, port);
	bool on;

	if (!p)
		return false;
	pthread_mutex_lock(&vm->pci->lock);
	on = rootport_powered(&p->rp);
	pthread_mutex_unlock(&vm->pci->lock);
	return on;
}

int pci_port_button(struct vm *vm, int port)
{
	struct pci_port *p = port_of(vm, port);

	if (!p)
		return -1;
	pthread_mutex_lock(&vm->pci->lock);
	port_events(p, rootport_button(&p->rp));
	pthread_mutex_unlock(&vm->pci->lock);
	return 0;
}

bool pci_port_wait_off(struct vm *vm, int port, int timeout_ms)
{
	struct pci_port *p = port_of(vm, port);
	struct timespec ts;
	bool off;

	if (!p)
		return false;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += timeout_ms / 1000;
	ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&vm->pci->lock);
	while (rootport_powered(&p->rp) &&
	       pthread_cond_timedwait(&p->power_cond, &vm->pci->lock, &ts) !=
	       ETIMEDOUT)
		;
	off = !rootport_powered(&p->rp);
	pthread_mutex_unlock(&vm->pci->lock);
	return off;
}

void pci_port_unplug(struct vm *vm, int port)
{
	struct pci_port *p = port_of(vm, port);

	if (!p)
		return;
	pthread_mutex_lock(&vm->pci->lock);
	port_events(p, rootport_remove(&p->rp));
	pthread_mutex_unlock(&vm->pci->lock);
}

int pci_each_dev(struct vm *vm, int (*fn)(struct pci_dev *dev, void *arg),
		 void *arg)
{
	struct pci_bus *bus = vm->pci;
	u32 i;
	int s, r = 0;

	if (!bus)
		return 0;
	pthread_mutex_lock(&bus->lock);
	for (s = 1; !r && s < PCI_MAX_SLOTS; s++)
		if (bus->slots[s])
			r = fn(bus->slots[s], arg);
	for (i = 0; !r && i < bus->nr_ports; i++)
		if (bus->ports[i].child)
			r = fn(bus->ports[i].child, arg);
	pthread_mutex_unlock(&bus->lock);
	return r;
}
