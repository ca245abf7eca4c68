/* The arm64 interrupt controller: which GIC flavour the VM gets (GICv3 with
 * an ITS, GICv3, GICv2 with a v2m MSI frame, GICv2), its creation through
 * KVM_CREATE_DEVICE, and MSI routes as each flavour needs them. */
#ifndef LKVM_ARM64_GIC_H
#define LKVM_ARM64_GIC_H

#include <linux/kvm.h>
#include "lkvm/util.h"

struct vm;

enum gic_type {
	GIC_V3_ITS,
	GIC_V3,
	GIC_V2M,
	GIC_V2,
	GIC_NR_TYPES,
};

/* Bit (1 << type) set for each flavour the host can provide. */
#define GIC_AVAIL(t)	(1u << (t))

/* Indexed by type, NULL-terminated (it is also arch_irqchips). */
extern const char *const gic_type_names[GIC_NR_TYPES + 1];

/* "gicv3-its" ... -> type; -1 if unknown. */
int gic_parse_type(const char *name);
/* What the host's KVM can create: probes with KVM_CREATE_DEVICE_TEST. */
u32 gic_probe(struct vm *vm);
/*
 * Picks the flavour: the requested one (name non-NULL) if available, else
 * the first available in order v3-its, v3, v2m, v2. Also checks the vCPU
 * count fits (GICv2: 8). Returns the type or -1 with a message naming
 * what the host can provide.
 */
int gic_choose(const char *name, u32 avail, int nr_cpus, char *err,
	       size_t errlen);

static inline bool gic_is_v3(enum gic_type t)
{
	return t == GIC_V3 || t == GIC_V3_ITS;
}

/* The ITS doorbell a device writes MSIs to (GITS_TRANSLATER). */
#define GIC_ITS_TRANSLATER_OFF	0x10040
/* GICv2m: MSI_TYPER and MSI_SETSPI_NS register offsets in the frame. */
#define GIC_V2M_MSI_TYPER	0x008
#define GIC_V2M_MSI_SETSPI	0x040
#define GIC_V2M_MSI_IIDR	0xfcc

/*
 * The GSI route for an MSI (addr, data) from requester id rid:
 * - GICv3+ITS: an MSI route carrying rid as device id (KVM_MSI_VALID_DEVID);
 * - GICv2m: data is the SPI's INTID; an irqchip route to that SPI, which
 *   must lie in the frame's range and addr must be the frame's SETSPI;
 * - GICv3 / GICv2 without an MSI controller: no MSIs.
 * Returns 0, or -1 if the MSI cannot be routed.
 */
int gic_msi_route(enum gic_type t, u32 gsi, u64 addr, u32 data, u16 rid,
		  struct kvm_irq_routing_entry *e);

/* A VM's vGIC. */
struct gic {
	enum gic_type type;
	int fd;			/* KVM device fd of the vGIC, or -1 */
	int its_fd;		/* of the ITS, or -1 */
	bool ready;		/* KVM_DEV_ARM_VGIC_CTRL_INIT done */
};

/* Creates the vGIC (and ITS) at the layout's addresses: INIT_ARCH. */
int gic_create(struct gic *g, struct vm *vm, enum gic_type t);
/* KVM_DEV_ARM_VGIC_CTRL_INIT once every vCPU exists. */
int gic_finalize(struct gic *g, struct vm *vm);
void gic_destroy(struct gic *g, struct vm *vm);
/* One MSI now (arch_signal_msi). */
int gic_signal_msi(const struct gic *g, struct vm *vm, u64 addr, u32 data,
		   u32 devid);

#endif
