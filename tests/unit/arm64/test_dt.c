/* Unit tests of the arm64 VM device tree (arm64/dt.c), decompiled by dtc:
 * memory, PSCI CPUs, timer, each GIC flavour with its MSI controller, the
 * UART and stdout-path, chosen, the ECAM PCI host bridge, the power key
 * (PL061 + gpio-keys) and the --debug-exit register. */
#include <stdio.h>
#include <stdlib.h>
#include "arm64/arch.h"
#include "arm64/dt.h"
#include "dtc.h"
#include "../unit.h"

static bool debug_exit;	/* next build() adds the lkvm,debug-exit node */
static u8 last_bus;	/* next build(): buses behind root ports */

static char *build(enum gic_type gic, int cpus, bool pci, bool initrd)
{
	static struct pci_windows w;
	struct arm64_dt_config c = {
		.nr_cpus = cpus,
		.ram_base = ARM64_RAM_BASE,
		.ram_size = 0x20000000,
		.gic = gic,
		.bootargs = "console=ttyS0 earlycon",
		.pci_io_cpu = ARM64_PCI_IO,
		.debug_exit = debug_exit,
		.pci_last_bus = last_bus,
	};
	char *dts;
	void *b;
	size_t n;

	if (initrd) {
		c.initrd_start = 0x9f000000;
		c.initrd_end = 0x9f123456;
	}
	arm64_pci_windows(&w);
	if (pci)
		c.pci = &w;
	if (arm64_dt_build(&c, &b, &n))
		return NULL;
	dts = dtc_decompile(b, n);
	if (getenv("LKVM_DTB_DIR")) {
		char path[256];
		FILE *f;

		snprintf(path, sizeof(path), "%s/%s-%d.dtb", getenv("LKVM_DTB_DIR"),
			 gic_type_names[gic], cpus);
		f = fopen(path, "w");
		if (f) {
			fwrite(b, 1, n, f);
			fclose(f);
		}
	}
	free(b);
	return dts;
}

TEST(dt_mpidr_matches_kvm)
{
	EXPECT_EQ(arm64_vcpu_mpidr(0), 0);
	EXPECT_EQ(arm64_vcpu_mpidr(15), 0xf);
	EXPECT_EQ(arm64_vcpu_mpidr(16), 0x100);
	EXPECT_EQ(arm64_vcpu_mpidr(0x123), 0x1203);
	EXPECT_EQ(arm64_vcpu_mpidr(0x1000), 0x10000);
}

TEST(dt_root_memory_chosen)
{
	char *d = build(GIC_V3_ITS, 1, true, true);

	ASSERT(d);
	EXPECT(!strstr(d, "arning"));	/* dtc's checks are all quiet */
	EXPECT_CONTAINS(d, "compatible = \"linux,dummy-virt\";");
	EXPECT_CONTAINS(d, "#address-cells = <0x02>;");
	EXPECT_CONTAINS(d, "interrupt-parent = <0x01>;");
	EXPECT_CONTAINS(d, "memory@80000000 {");
	EXPECT_CONTAINS(d, "device_type = \"memory\";\n\t\treg = <0x00 0x80000000 0x00 0x20000000>;");
	EXPECT_CONTAINS(d, "bootargs = \"console=ttyS0 earlycon\";");
	EXPECT_CONTAINS(d, "stdout-path = \"/uart@9000000\";");
	EXPECT_CONTAINS(d, "linux,initrd-start = <0x00 0x9f000000>;");
	EXPECT_CONTAINS(d, "linux,initrd-end = <0x00 0x9f123456>;");
	free(d);
	d = build(GIC_V3, 1, false, false);
	ASSERT(d);
	EXPECT(!strstr(d, "initrd"));
	EXPECT(!strstr(d, "pcie@"));
	free(d);
}

TEST(dt_cpus_psci_timer)
{
	char *d = build(GIC_V3, 20, false, false);

	ASSERT(d);
	EXPECT_CONTAINS(d, "cpus {\n\t\t#address-cells = <0x01>;\n\t\t#size-cells = <0x00>;");
	EXPECT_CONTAINS(d, "cpu@0 {");
	EXPECT_CONTAINS(d, "cpu@f {");
	EXPECT_CONTAINS(d, "cpu@100 {");	/* vCPU 16: Aff1 = 1 */
	EXPECT_CONTAINS(d, "cpu@103 {\n\t\t\tdevice_type = \"cpu\";\n\t\t\t"
			"compatible = \"arm,arm-v8\";\n\t\t\tenable-method = \"psci\";\n\t\t\t"
			"reg = <0x103>;");
	EXPECT(!strstr(d, "cpu@104"));
	EXPECT_CONTAINS(d, "compatible = \"arm,psci-1.0\\0arm,psci-0.2\";\n\t\tmethod = \"hvc\";");
	EXPECT_CONTAINS(d, "compatible = \"arm,armv8-timer\";\n\t\tinterrupts = "
			"<0x01 0x0d 0x04 0x01 0x0e 0x04 0x01 0x0b 0x04 0x01 0x0a 0x04>;");
	free(d);
	d = build(GIC_V2, 2, false, false);
	ASSERT(d);
	/* GICv2: PPI CPU mask for 2 CPUs */
	EXPECT_CONTAINS(d, "interrupts = <0x01 0x0d 0x304 0x01 0x0e 0x304 0x01 0x0b 0x304 0x01 0x0a 0x304>;");
	free(d);
}

TEST(dt_gicv3_its)
{
	char *d = build(GIC_V3_ITS, 4, true, false);

	ASSERT(d);
	EXPECT_CONTAINS(d, "intc@8000000 {\n\t\tcompatible = \"arm,gic-v3\";\n\t\t"
			"reg = <0x00 0x8000000 0x00 0x10000 0x00 0x80a0000 0x00 0x80000>;");
	EXPECT_CONTAINS(d, "interrupt-controller;");
	EXPECT_CONTAINS(d, "#interrupt-cells = <0x03>;");
	EXPECT_CONTAINS(d, "phandle = <0x01>;");
	EXPECT_CONTAINS(d, "msi-controller@8080000 {\n\t\t\tcompatible = \"arm,gic-v3-its\";\n\t\t\t"
			"reg = <0x00 0x8080000 0x00 0x20000>;\n\t\t\tmsi-controller;\n\t\t\t"
			"#msi-cells = <0x01>;\n\t\t\tphandle = <0x02>;");
	EXPECT_CONTAINS(d, "msi-map = <0x00 0x02 0x00 0x10000>;");
	EXPECT(!strstr(d, "msi-parent"));
	free(d);
}

TEST(dt_gicv3_without_msi)
{
	char *d = build(GIC_V3, 1, true, false);

	ASSERT(d);
	EXPECT_CONTAINS(d, "compatible = \"arm,gic-v3\";");
	EXPECT(!strstr(d, "its"));
	EXPECT(!strstr(d, "msi-map"));
	EXPECT(!strstr(d, "msi-parent"));
	free(d);
}

TEST(dt_gicv2m)
{
	char *d = build(GIC_V2M, 8, true, false);

	ASSERT(d);
	EXPECT(!strstr(d, "arning"));
	EXPECT_CONTAINS(d, "compatible = \"arm,cortex-a15-gic\";\n\t\t"
			"reg = <0x00 0x8000000 0x00 0x10000 0x00 0x8010000 0x00 0x2000>;");
	EXPECT_CONTAINS(d, "v2m@8020000 {\n\t\t\tcompatible = \"arm,gic-v2m-frame\";\n\t\t\t"
			"reg = <0x00 0x8020000 0x00 0x1000>;\n\t\t\tmsi-controller;\n\t\t\t"
			"arm,msi-base-spi = <0x60>;\n\t\t\tarm,msi-num-spis = <0x80>;");
	EXPECT_CONTAINS(d, "msi-parent = <0x02>;");
	EXPECT(!strstr(d, "msi-map"));
	free(d);
	EXPECT(!build(GIC_V2M, 9, true, false));	/* GICv2: 8 CPUs at most */
}

TEST(dt_uart)
{
	char *d = build(GIC_V3, 1, false, false);

	ASSERT(d);
	EXPECT_CONTAINS(d, "uart@9000000 {\n\t\tcompatible = \"ns16550a\";\n\t\t"
			"reg = <0x00 0x9000000 0x00 0x1000>;\n\t\t"
			"interrupts = <0x00 0x01 0x04>;\n\t\tclock-frequency = <0x1c2000>;");
	free(d);
}

/* The power key: a PL061 with its apb_pclk and a gpio-keys KEY_POWER on
 * pin 3 (phandles after the GIC's and its MSI controller's). */
TEST(dt_power_key)
{
	char *d = build(GIC_V3_ITS, 1, true, false);

	ASSERT(d);
	EXPECT(!strstr(d, "arning"));
	EXPECT_CONTAINS(d, "apb-pclk {\n\t\tcompatible = \"fixed-clock\";\n\t\t"
			"#clock-cells = <0x00>;\n\t\tclock-frequency = <0x16e3600>;\n\t\t"
			"clock-output-names = \"clk24mhz\";\n\t\tphandle = <0x03>;");
	EXPECT_CONTAINS(d, "pl061@9002000 {\n\t\tcompatible = \"arm,pl061\\0arm,primecell\";\n\t\t"
			"reg = <0x00 0x9002000 0x00 0x1000>;\n\t\t"
			"interrupts = <0x00 0x02 0x04>;\n\t\tgpio-controller;\n\t\t"
			"#gpio-cells = <0x02>;\n\t\tclocks = <0x03>;\n\t\t"
			"clock-names = \"apb_pclk\";\n\t\tphandle = <0x04>;");
	EXPECT_CONTAINS(d, "gpio-keys {\n\t\tcompatible = \"gpio-keys\";\n\n\t\t"
			"poweroff {\n\t\t\tlabel = \"Power Key\";\n\t\t\t"
			"linux,code = <0x74>;\n\t\t\tgpios = <0x04 0x03 0x00>;");
	free(d);
}

TEST(dt_debug_exit_only_when_asked)
{
	char *d = build(GIC_V3, 1, false, false);

	ASSERT(d);
	EXPECT(!strstr(d, "debug-exit"));
	free(d);
	debug_exit = true;
	d = build(GIC_V3, 1, false, false);
	debug_exit = false;
	ASSERT(d);
	EXPECT_CONTAINS(d, "debug-exit@9001000 {\n\t\tcompatible = "
			"\"lkvm,debug-exit\";\n\t\treg = <0x00 0x9001000 0x00 "
			"0x1000>;\n\t};");
	EXPECT(!strstr(d, "arning"));
	free(d);
}

TEST(dt_pci_host_bridge)
{
	char *d = build(GIC_V3_ITS, 1, true, false);

	ASSERT(d);
	EXPECT_CONTAINS(d, "pcie@30000000 {\n\t\tcompatible = \"pci-host-ecam-generic\";\n\t\t"
			"device_type = \"pci\";\n\t\treg = <0x00 0x30000000 0x00 0x100000>;\n\t\t"
			"bus-range = <0x00 0x00>;\n\t\t#address-cells = <0x03>;\n\t\t"
			"#size-cells = <0x02>;\n\t\t#interrupt-cells = <0x01>;");
	EXPECT_CONTAINS(d, "ranges = <0x1000000 0x00 0x00 0x00 0x3eff0000 0x00 0x10000 "
			"0x2000000 0x00 0x10000000 0x00 0x10000000 0x00 0x20000000 "
			"0x3000000 0x40 0x00 0x40 0x00 0x40 0x00>;");
	EXPECT_CONTAINS(d, "interrupt-map-mask = <0xf800 0x00 0x00 0x07>;");
	/* slot 0 INTA -> SPI 16; slot 1 INTD -> SPI 16 + (1 + 3) % 8 = 20;
	 * slot 31 INTB -> SPI 16 + (31 + 1) % 8 = 16 */
	EXPECT_CONTAINS(d, "interrupt-map = <0x00 0x00 0x00 0x01 0x01 0x00 0x00 0x00 0x10 0x04 ");
	EXPECT_CONTAINS(d, " 0x800 0x00 0x00 0x04 0x01 0x00 0x00 0x00 0x14 0x04 ");
	EXPECT_CONTAINS(d, " 0xf800 0x00 0x00 0x02 0x01 0x00 0x00 0x00 0x10 0x04 ");
	EXPECT_CONTAINS(d, "dma-coherent;");
	free(d);
}

/* Two root ports: buses 0..2 in bus-range, their ECAM in reg. */
TEST(dt_pci_root_port_buses)
{
	char *d;

	last_bus = 2;
	d = build(GIC_V3_ITS, 1, true, false);
	last_bus = 0;
	ASSERT(d);
	EXPECT_CONTAINS(d, "reg = <0x00 0x30000000 0x00 0x300000>;\n\t\t"
			"bus-range = <0x00 0x02>;");
	free(d);
}
