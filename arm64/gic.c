/* The vGIC: flavour selection (--irqchip or the best the host has), creation
 * with KVM_CREATE_DEVICE at the addresses of include/arm64/layout.h, the
 * late KVM_DEV_ARM_VGIC_CTRL_INIT, and MSI route construction. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include "arm64/gic.h"
#include "arm64/layout.h"
#include "kvm/irq.h"
#include "kvm/vm.h"

const char *const gic_type_names[GIC_NR_TYPES + 1] = {
	[GIC_V3_ITS] = "gicv3-its",
	[GIC_V3] = "gicv3",
	[GIC_V2M] = "gicv2m",
	[GIC_V2] = "gicv2",
};
const char *const *const arch_irqchips = gic_type_names;

int gic_parse_type(const char *name)
{
	int t;

	for (t = 0; t < GIC_NR_TYPES; t++)
		if (!strcmp(name, gic_type_names[t]))
			return t;
	return -1;
}

static int max_cpus(enum gic_type t)
{
	return gic_is_v3(t) ? (int)ARM64_GICV3_MAX_CPUS : ARM64_GICV2_MAX_CPUS;
}

int gic_choose(const char *name, u32 avail, int nr_cpus, char *err,
	       size_t errlen)
{
	char have[64] = "";
	int t, want = -1;

	for (t = 0; t < GIC_NR_TYPES; t++)
		if (avail & GIC_AVAIL(t))
			snprintf(have + strlen(have), sizeof(have) - strlen(have),
				 "%s%s", *have ? ", " : "", gic_type_names[t]);
	if (name) {
		want = gic_parse_type(name);
		if (want < 0)
			return set_err(err, errlen, "unknown irqchip '%s'; valid: "
				       "gicv3-its, gicv3, gicv2m, gicv2", name);
		if (!(avail & GIC_AVAIL(want)))
			return set_err(err, errlen, "--irqchip=%s: this host's KVM "
				       "cannot provide it; it can provide: %s",
				       name, *have ? have : "nothing (no vGIC)");
		if (nr_cpus > max_cpus(want))
			return set_err(err, errlen, "%s supports at most %d vCPUs, "
				       "-c %d asked for more", name,
				       max_cpus(want), nr_cpus);
		return want;
	}
	for (t = 0; t < GIC_NR_TYPES; t++)
		if ((avail & GIC_AVAIL(t)) && nr_cpus <= max_cpus(t))
			return t;
	if (!avail)
		return set_err(err, errlen, "this host's KVM can create no vGIC "
			       "(neither GICv3 nor GICv2)");
	return set_err(err, errlen, "-c %d vCPUs: no interrupt controller the "
		       "host provides (%s) supports that many", nr_cpus, have);
}

int gic_msi_route(enum gic_type t, u32 gsi, u64 addr, u32 data, u16 rid,
		  struct kvm_irq_routing_entry *e)
{
	memset(e, 0, sizeof(*e));
	e->gsi = gsi;
	switch (t) {
	case GIC_V3_ITS:
		e->type = KVM_IRQ_ROUTING_MSI;
		e->flags = KVM_MSI_VALID_DEVID;
		e->u.msi.address_lo = (u32)addr;
		e->u.msi.address_hi = (u32)(addr >> 32);
		e->u.msi.data = data;
		e->u.msi.devid = rid;
		return 0;
	case GIC_V2M:
		if (addr != ARM64_GICV2M + GIC_V2M_MSI_SETSPI ||
		    data < 32 + ARM64_V2M_SPI_BASE ||
		    data >= 32 + ARM64_V2M_SPI_BASE + ARM64_V2M_NR_SPIS)
			return -1;
		e->type = KVM_IRQ_ROUTING_IRQCHIP;
		e->u.irqchip.irqchip = 0;
		e->u.irqchip.pin = data - 32;	/* SPI number */
		return 0;
	default:
		return -1;
	}
}

/* GSIs 0..ARM64_FIXED_GSIS-1 go to the GIC SPI of the same number. */
int arch_irq_routing_base(struct kvm_irq_routing_entry *e, int max,
			  u32 *first_free)
{
	int n;

	for (n = 0; n < ARM64_FIXED_GSIS && n < max; n++)
		e[n] = (struct kvm_irq_routing_entry){
			.gsi = n, .type = KVM_IRQ_ROUTING_IRQCHIP,
			.u.irqchip = { .irqchip = 0, .pin = n },
		};
	*first_free = n;
	return n;
}

/* The device's fd; what NULL: only tests KVM can create it (0 if so). */
static int create_dev(struct vm *vm, u32 type, const char *what)
{
	struct kvm_create_device cd = {
		.type = type, .flags = what ? 0 : KVM_CREATE_DEVICE_TEST,
	};

	if (ioctl(vm->vm_fd, KVM_CREATE_DEVICE, &cd) < 0) {
		if (what)
			pr_err("KVM_CREATE_DEVICE %s: %s", what, strerror(errno));
		return -1;
	}
	return what ? (int)cd.fd : 0;
}

u32 gic_probe(struct vm *vm)
{
	u32 avail = 0;

	if (!create_dev(vm, KVM_DEV_TYPE_ARM_VGIC_V3, NULL)) {
		avail |= GIC_AVAIL(GIC_V3);
		if (!create_dev(vm, KVM_DEV_TYPE_ARM_VGIC_ITS, NULL))
			avail |= GIC_AVAIL(GIC_V3_ITS);
	}
	if (!create_dev(vm, KVM_DEV_TYPE_ARM_VGIC_V2, NULL))
		avail |= GIC_AVAIL(GIC_V2) | GIC_AVAIL(GIC_V2M);
	return avail;
}

static int set_attr(int fd, u32 group, u64 attr, void *val, const char *what)
{
	struct kvm_device_attr a = {
		.group = group, .attr = attr, .addr = (u64)(unsigned long)val,
	};

	if (ioctl(fd, KVM_SET_DEVICE_ATTR, &a) < 0) {
		pr_err("vGIC: setting %s: %s", what, strerror(errno));
		return -1;
	}
	return 0;
}

/* GICv2m frame: the guest reads MSI_TYPER (the DT gives the same range). */
static void v2m_io(void *opaque, u64 off, u8 *data, u32 len, bool wr)
{
	u32 v = 0;

	if (wr)
		return;
	if (off == GIC_V2M_MSI_TYPER)
		v = (u32)(32 + ARM64_V2M_SPI_BASE) << 16 | ARM64_V2M_NR_SPIS;
	memcpy(data, &v, MIN(len, 4u));
	if (len > 4)
		memset(data + 4, 0, len - 4);
}

int gic_create(struct gic *g, struct vm *vm, enum gic_type t)
{
	bool v3 = gic_is_v3(t);
	u64 dist = ARM64_GIC_DIST, its = ARM64_GIC_ITS;
	u64 cpu = v3 ? ARM64_GIC_REDIST : ARM64_GICV2_CPU;
	u32 nr_irqs = ARM64_GIC_NR_IRQS;

	g->type = t;
	g->its_fd = -1;
	g->fd = create_dev(vm, v3 ? KVM_DEV_TYPE_ARM_VGIC_V3 :
			   KVM_DEV_TYPE_ARM_VGIC_V2, gic_type_names[t]);
	if (g->fd < 0 ||
	    set_attr(g->fd, KVM_DEV_ARM_VGIC_GRP_ADDR, v3 ?
		     KVM_VGIC_V3_ADDR_TYPE_DIST : KVM_VGIC_V2_ADDR_TYPE_DIST,
		     &dist, "distributor") ||
	    set_attr(g->fd, KVM_DEV_ARM_VGIC_GRP_ADDR, v3 ?
		     KVM_VGIC_V3_ADDR_TYPE_REDIST : KVM_VGIC_V2_ADDR_TYPE_CPU,
		     &cpu, v3 ? "redistributors" : "CPU interface") ||
	    set_attr(g->fd, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, &nr_irqs,
		     "number of interrupts"))
		return -1;
	if (t == GIC_V3_ITS) {
		g->its_fd = create_dev(vm, KVM_DEV_TYPE_ARM_VGIC_ITS, "ITS");
		if (g->its_fd < 0 ||
		    set_attr(g->its_fd, KVM_DEV_ARM_VGIC_GRP_ADDR,
			     KVM_VGIC_ITS_ADDR_TYPE, &its, "ITS address"))
			return -1;
	}
	if (t == GIC_V2M &&
	    iobus_register(&vm->mmio, ARM64_GICV2M, ARM64_GICV2M_SIZE, v2m_io,
			   vm))
		return -1;
	pr_debug("vGIC: %s", gic_type_names[t]);
	return 0;
}

int gic_finalize(struct gic *g, struct vm *vm)
{
	if (g->ready)
		return 0;
	if (set_attr(g->fd, KVM_DEV_ARM_VGIC_GRP_CTRL,
		     KVM_DEV_ARM_VGIC_CTRL_INIT, NULL, "CTRL_INIT"))
		return -1;
	if (g->its_fd >= 0 &&
	    set_attr(g->its_fd, KVM_DEV_ARM_VGIC_GRP_CTRL,
		     KVM_DEV_ARM_VGIC_CTRL_INIT, NULL, "ITS CTRL_INIT"))
		return -1;
	g->ready = true;
	return irqfd_flush_pending(vm);
}

void gic_destroy(struct gic *g, struct vm *vm)
{
	if (g->type == GIC_V2M && g->fd >= 0)
		iobus_unregister(&vm->mmio, ARM64_GICV2M);
	if (g->its_fd >= 0)
		close(g->its_fd);
	if (g->fd >= 0)
		close(g->fd);
	g->its_fd = g->fd = -1;
}

/* GIC: GSI n is SPI n (INTID 32 + n); KVM_IRQ_LINE takes the INTID. */
u32 arch_irq_line(u32 gsi)
{
	return (KVM_ARM_IRQ_TYPE_SPI << KVM_ARM_IRQ_TYPE_SHIFT) | (gsi + 32);
}

/* One MSI now: through the ITS with the device id, or as an edge on the
 * GICv2m frame's SPI (data is the SPI's INTID). */
int gic_signal_msi(const struct gic *g, struct vm *vm, u64 addr, u32 data,
		   u32 devid)
{
	struct kvm_msi m = {
		.address_lo = (u32)addr, .address_hi = (u32)(addr >> 32),
		.data = data, .flags = KVM_MSI_VALID_DEVID, .devid = devid,
	};

	switch (g->type) {
	case GIC_V3_ITS:
		return ioctl(vm->vm_fd, KVM_SIGNAL_MSI, &m) < 0 ? -1 : 0;
	case GIC_V2M:
		if (data < 32)
			return -1;
		if (vm_irq_line(vm, data - 32, 1))
			return -1;
		return vm_irq_line(vm, data - 32, 0);
	default:
		return -1;
	}
}
