/* The VM's device tree (include/arm64/dt.h), written with arm64/fdt.c.
 * Bindings: arm,psci, arm,armv8-timer, arm,gic-v3 (+arm,gic-v3-its),
 * arm,cortex-a15-gic (+arm,gic-v2m-frame), ns16550a, pci-host-ecam-generic,
 * fixed-clock, arm,pl061 with gpio-keys (the power key). */
#include <stdio.h>
#include <stdlib.h>
#include "arm64/dt.h"
#include "arm64/fdt.h"
#include "arm64/layout.h"
#include "arm64/pl061.h"

#define GIC_SPI			0
#define GIC_PPI			1
#define IRQ_LEVEL_HIGH		4
#define UART_CLOCK		1843200
#define APB_CLOCK		24000000	/* the PL061's apb_pclk */

/* PCI address space codes (phys.hi bits 24-25) */
#define PCI_SPACE_IO		0x01000000u
#define PCI_SPACE_MEM32		0x02000000u
#define PCI_SPACE_MEM64		0x03000000u

struct dt_ctx {
	struct fdt f;
	const struct arm64_dt_config *c;
	u32 gic_ph, msi_ph;	/* msi_ph: ITS or v2m frame, 0 if none */
};

u64 arm64_vcpu_mpidr(int id)
{
	return (u64)(id & 0xf) | (u64)((id >> 4) & 0xff) << 8 |
	       (u64)((id >> 12) & 0xff) << 16;
}

static void reg2(struct fdt *f, u64 a, u64 s)
{
	u32 r[4] = { a >> 32, (u32)a, s >> 32, (u32)s };

	fdt_prop_cells(f, "reg", r, 4);
}

static void add_cpus(struct dt_ctx *d)
{
	struct fdt *f = &d->f;
	int i;

	fdt_begin_node(f, "cpus");
	fdt_prop_u32(f, "#address-cells", 1);
	fdt_prop_u32(f, "#size-cells", 0);
	for (i = 0; i < d->c->nr_cpus; i++) {
		u32 mpidr = (u32)arm64_vcpu_mpidr(i);

		fdt_begin_nodef(f, "cpu@%x", mpidr);
		fdt_prop_string(f, "device_type", "cpu");
		fdt_prop_string(f, "compatible", "arm,arm-v8");
		fdt_prop_string(f, "enable-method", "psci");
		fdt_prop_u32(f, "reg", mpidr);
		fdt_end_node(f);
	}
	fdt_end_node(f);
}

static void add_psci_timer(struct dt_ctx *d)
{
	static const char *const psci[] = { "arm,psci-1.0", "arm,psci-0.2" };
	static const u32 ppis[] = { ARM64_PPI_TIMER_SEC, ARM64_PPI_TIMER_PHYS,
				    ARM64_PPI_TIMER_VIRT, ARM64_PPI_TIMER_HYP };
	struct fdt *f = &d->f;
	u32 irqs[12], flags = IRQ_LEVEL_HIGH;
	int i;

	fdt_begin_node(f, "psci");
	fdt_prop_strings(f, "compatible", psci, 2);
	fdt_prop_string(f, "method", "hvc");
	fdt_end_node(f);

	/* GICv2 PPIs name the CPUs they go to (bits 8-15) */
	if (!gic_is_v3(d->c->gic))
		flags |= ((1u << d->c->nr_cpus) - 1) << 8;
	for (i = 0; i < 4; i++) {
		irqs[i * 3] = GIC_PPI;
		irqs[i * 3 + 1] = ppis[i];
		irqs[i * 3 + 2] = flags;
	}
	fdt_begin_node(f, "timer");
	fdt_prop_string(f, "compatible", "arm,armv8-timer");
	fdt_prop_cells(f, "interrupts", irqs, 12);
	fdt_prop_empty(f, "always-on");
	fdt_end_node(f);
}

static void add_gic(struct dt_ctx *d)
{
	const struct arm64_dt_config *c = d->c;
	struct fdt *f = &d->f;
	u64 redist = ARM64_GIC_REDIST_STRIDE * c->nr_cpus;
	u32 maint[3] = { GIC_PPI, ARM64_PPI_GIC_MAINT, IRQ_LEVEL_HIGH };

	fdt_begin_nodef(f, "intc@%llx", (unsigned long long)ARM64_GIC_DIST);
	if (gic_is_v3(c->gic)) {
		u32 r[8] = { 0, ARM64_GIC_DIST, 0, ARM64_GIC_DIST_SIZE,
			     0, ARM64_GIC_REDIST, redist >> 32, (u32)redist };

		fdt_prop_string(f, "compatible", "arm,gic-v3");
		fdt_prop_cells(f, "reg", r, 8);
		fdt_prop_u32(f, "#redistributor-regions", 1);
	} else {
		u32 r[8] = { 0, ARM64_GIC_DIST, 0, ARM64_GIC_DIST_SIZE,
			     0, ARM64_GICV2_CPU, 0, ARM64_GICV2_CPU_SIZE };

		fdt_prop_string(f, "compatible", "arm,cortex-a15-gic");
		fdt_prop_cells(f, "reg", r, 8);
	}
	fdt_prop_u32(f, "#interrupt-cells", 3);
	fdt_prop_empty(f, "interrupt-controller");
	fdt_prop_cells(f, "interrupts", maint, 3);
	fdt_prop_u32(f, "#address-cells", 2);
	fdt_prop_u32(f, "#size-cells", 2);
	fdt_prop_empty(f, "ranges");
	d->gic_ph = fdt_alloc_phandle(f);
	fdt_prop_phandle(f, d->gic_ph);

	if (c->gic == GIC_V3_ITS) {
		fdt_begin_nodef(f, "msi-controller@%llx",
				(unsigned long long)ARM64_GIC_ITS);
		fdt_prop_string(f, "compatible", "arm,gic-v3-its");
		reg2(f, ARM64_GIC_ITS, ARM64_GIC_ITS_SIZE);
		fdt_prop_empty(f, "msi-controller");
		fdt_prop_u32(f, "#msi-cells", 1);
		d->msi_ph = fdt_alloc_phandle(f);
		fdt_prop_phandle(f, d->msi_ph);
		fdt_end_node(f);
	} else if (c->gic == GIC_V2M) {
		fdt_begin_nodef(f, "v2m@%llx", (unsigned long long)ARM64_GICV2M);
		fdt_prop_string(f, "compatible", "arm,gic-v2m-frame");
		reg2(f, ARM64_GICV2M, ARM64_GICV2M_SIZE);
		fdt_prop_empty(f, "msi-controller");
		fdt_prop_u32(f, "arm,msi-base-spi", 32 + ARM64_V2M_SPI_BASE);
		fdt_prop_u32(f, "arm,msi-num-spis", ARM64_V2M_NR_SPIS);
		d->msi_ph = fdt_alloc_phandle(f);
		fdt_prop_phandle(f, d->msi_ph);
		fdt_end_node(f);
	}
	fdt_end_node(f);
}

static void add_uart(struct dt_ctx *d)
{
	struct fdt *f = &d->f;
	u32 irq[3] = { GIC_SPI, ARM64_UART_SPI, IRQ_LEVEL_HIGH };

	fdt_begin_nodef(f, "uart@%llx", (unsigned long long)ARM64_UART);
	fdt_prop_string(f, "compatible", "ns16550a");
	reg2(f, ARM64_UART, ARM64_UART_SIZE);
	fdt_prop_cells(f, "interrupts", irq, 3);
	fdt_prop_u32(f, "clock-frequency", UART_CLOCK);
	fdt_end_node(f);
}

/* The PL061 (an AMBA device: it needs its apb_pclk) and a gpio-keys
 * KEY_POWER on its pin PL061_KEY_PIN, active high. */
static void add_power_key(struct dt_ctx *d)
{
	static const char *const pl061[] = { "arm,pl061", "arm,primecell" };
	struct fdt *f = &d->f;
	u32 irq[3] = { GIC_SPI, ARM64_GPIO_SPI, IRQ_LEVEL_HIGH };
	u32 clk = fdt_alloc_phandle(f), gpio = fdt_alloc_phandle(f);
	u32 pin[3] = { gpio, PL061_KEY_PIN, 0 };

	fdt_begin_node(f, "apb-pclk");
	fdt_prop_string(f, "compatible", "fixed-clock");
	fdt_prop_u32(f, "#clock-cells", 0);
	fdt_prop_u32(f, "clock-frequency", APB_CLOCK);
	fdt_prop_string(f, "clock-output-names", "clk24mhz");
	fdt_prop_phandle(f, clk);
	fdt_end_node(f);

	fdt_begin_nodef(f, "pl061@%llx", (unsigned long long)ARM64_GPIO);
	fdt_prop_strings(f, "compatible", pl061, 2);
	reg2(f, ARM64_GPIO, ARM64_GPIO_SIZE);
	fdt_prop_cells(f, "interrupts", irq, 3);
	fdt_prop_empty(f, "gpio-controller");
	fdt_prop_u32(f, "#gpio-cells", 2);
	fdt_prop_u32(f, "clocks", clk);
	fdt_prop_string(f, "clock-names", "apb_pclk");
	fdt_prop_phandle(f, gpio);
	fdt_end_node(f);

	fdt_begin_node(f, "gpio-keys");
	fdt_prop_string(f, "compatible", "gpio-keys");
	fdt_begin_node(f, "poweroff");
	fdt_prop_string(f, "label", "Power Key");
	fdt_prop_u32(f, "linux,code", PL061_KEY_CODE);
	fdt_prop_cells(f, "gpios", pin, 3);
	fdt_end_node(f);
	fdt_end_node(f);
}

static void add_chosen(struct dt_ctx *d)
{
	const struct arm64_dt_config *c = d->c;
	struct fdt *f = &d->f;
	char path[64];

	fdt_begin_node(f, "chosen");
	if (c->bootargs)
		fdt_prop_string(f, "bootargs", c->bootargs);
	snprintf(path, sizeof(path), "/uart@%llx", (unsigned long long)ARM64_UART);
	fdt_prop_string(f, "stdout-path", path);
	if (c->initrd_end > c->initrd_start) {
		fdt_prop_u64(f, "linux,initrd-start", c->initrd_start);
		fdt_prop_u64(f, "linux,initrd-end", c->initrd_end);
	}
	fdt_end_node(f);
}

/* INTx of slot s pin p (0-3) is GSI PCI_SLOT_GSI(s, p), i.e. that SPI. */
static void add_interrupt_map(struct dt_ctx *d)
{
	static const u32 mask[4] = { 0xf800, 0, 0, 7 };
	u32 *map, *e;
	int slot, pin, n = PCI_MAX_SLOTS * 4 * 10;

	map = calloc(n, sizeof(*map));
	if (!map) {
		d->f.error = true;
		return;
	}
	e = map;
	for (slot = 0; slot < PCI_MAX_SLOTS; slot++) {
		for (pin = 0; pin < 4; pin++) {
			*e++ = slot << 11;	/* child unit address */
			*e++ = 0;
			*e++ = 0;
			*e++ = pin + 1;		/* INTA..INTD */
			*e++ = d->gic_ph;
			*e++ = 0;		/* parent unit address (2 cells) */
			*e++ = 0;
			*e++ = GIC_SPI;
			*e++ = PCI_SLOT_GSI(slot, pin);
			*e++ = IRQ_LEVEL_HIGH;
		}
	}
	fdt_prop_cells(&d->f, "interrupt-map", map, n);
	fdt_prop_cells(&d->f, "interrupt-map-mask", mask, 4);
	free(map);
}

static void add_range(u32 *r, u32 space, u64 pci, u64 cpu, u64 size)
{
	r[0] = space;
	r[1] = pci >> 32;
	r[2] = (u32)pci;
	r[3] = cpu >> 32;
	r[4] = (u32)cpu;
	r[5] = size >> 32;
	r[6] = (u32)size;
}

static void add_pci(struct dt_ctx *d)
{
	const struct pci_windows *w = d->c->pci;
	struct fdt *f = &d->f;
	u32 ranges[21], bus_range[2] = { 0, d->c->pci_last_bus };
	u32 msi_map[4] = { 0, d->msi_ph, 0, 0x10000 };
	int n = 0;

	fdt_begin_nodef(f, "pcie@%llx", (unsigned long long)w->ecam_base);
	fdt_prop_string(f, "compatible", "pci-host-ecam-generic");
	fdt_prop_string(f, "device_type", "pci");
	reg2(f, w->ecam_base, ((u64)d->c->pci_last_bus + 1) *
	     ARM64_PCI_ECAM_SIZE);
	fdt_prop_cells(f, "bus-range", bus_range, 2);
	fdt_prop_u32(f, "#address-cells", 3);
	fdt_prop_u32(f, "#size-cells", 2);
	fdt_prop_u32(f, "#interrupt-cells", 1);
	fdt_prop_u32(f, "linux,pci-domain", 0);
	fdt_prop_empty(f, "dma-coherent");
	if (w->io_size) {
		add_range(ranges + n, PCI_SPACE_IO, 0, d->c->pci_io_cpu,
			  ARM64_PCI_IO_SIZE);
		n += 7;
	}
	if (w->mem32_size) {
		add_range(ranges + n, PCI_SPACE_MEM32, w->mem32_base,
			  w->mem32_base, w->mem32_size);
		n += 7;
	}
	if (w->mem64_size) {
		add_range(ranges + n, PCI_SPACE_MEM64, w->mem64_base,
			  w->mem64_base, w->mem64_size);
		n += 7;
	}
	fdt_prop_cells(f, "ranges", ranges, n);
	add_interrupt_map(d);
	if (d->c->gic == GIC_V3_ITS)
		fdt_prop_cells(f, "msi-map", msi_map, 4);
	else if (d->msi_ph)
		fdt_prop_u32(f, "msi-parent", d->msi_ph);
	fdt_end_node(f);
}

int arm64_dt_build(const struct arm64_dt_config *c, void **blob,
		   size_t *size)
{
	struct dt_ctx d = { .c = c };
	struct fdt *f = &d.f;
	int ret;

	if (c->nr_cpus < 1 || (!gic_is_v3(c->gic) && c->nr_cpus > 8))
		return -1;
	fdt_init(f);
	fdt_begin_node(f, "");
	fdt_prop_string(f, "compatible", "linux,dummy-virt");
	fdt_prop_string(f, "model", "lkvm");
	fdt_prop_u32(f, "#address-cells", 2);
	fdt_prop_u32(f, "#size-cells", 2);
	/* the GIC gets phandle 1: the first allocated, in add_gic() */
	fdt_prop_u32(f, "interrupt-parent", 1);

	fdt_begin_nodef(f, "memory@%llx", (unsigned long long)c->ram_base);
	fdt_prop_string(f, "device_type", "memory");
	reg2(f, c->ram_base, c->ram_size);
	fdt_end_node(f);

	add_cpus(&d);
	add_psci_timer(&d);
	add_gic(&d);
	add_uart(&d);
	add_power_key(&d);
	if (c->debug_exit) {
		fdt_begin_nodef(f, "debug-exit@%llx",
				(unsigned long long)ARM64_DEBUG_EXIT);
		fdt_prop_string(f, "compatible", "lkvm,debug-exit");
		reg2(f, ARM64_DEBUG_EXIT, ARM64_DEBUG_EXIT_SIZE);
		fdt_end_node(f);
	}
	add_chosen(&d);
	if (c->pci)
		add_pci(&d);
	fdt_end_node(f);

	ret = d.gic_ph == 1 ? fdt_finish(f, 0, blob, size) : -1;
	fdt_free(f);
	return ret;
}
