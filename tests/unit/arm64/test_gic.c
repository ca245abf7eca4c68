/* Unit tests of the GIC flavour choice and MSI routes (arm64/gic.c), and
 * the fixed GSI-to-SPI routes of the arm64 routing table. */
#include "arm64/gic.h"
#include "arm64/layout.h"
#include "kvm/irq.h"
#include "../unit.h"

#define ALL	(GIC_AVAIL(GIC_V3_ITS) | GIC_AVAIL(GIC_V3) | GIC_AVAIL(GIC_V2M) | \
		 GIC_AVAIL(GIC_V2))
#define V3ONLY	(GIC_AVAIL(GIC_V3_ITS) | GIC_AVAIL(GIC_V3))
#define V2ONLY	(GIC_AVAIL(GIC_V2M) | GIC_AVAIL(GIC_V2))

TEST(gic_parse_names)
{
	EXPECT_EQ(gic_parse_type("gicv3-its"), GIC_V3_ITS);
	EXPECT_EQ(gic_parse_type("gicv3"), GIC_V3);
	EXPECT_EQ(gic_parse_type("gicv2m"), GIC_V2M);
	EXPECT_EQ(gic_parse_type("gicv2"), GIC_V2);
	EXPECT_EQ(gic_parse_type("gicv4"), -1);
}

TEST(gic_auto_detection)
{
	char err[256];

	EXPECT_EQ(gic_choose(NULL, ALL, 1, err, sizeof(err)), GIC_V3_ITS);
	EXPECT_EQ(gic_choose(NULL, GIC_AVAIL(GIC_V3), 4, err, sizeof(err)), GIC_V3);
	EXPECT_EQ(gic_choose(NULL, V2ONLY, 8, err, sizeof(err)), GIC_V2M);
	EXPECT_EQ(gic_choose(NULL, V2ONLY, 9, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "-c 9 vCPUs");
	EXPECT_CONTAINS(err, "gicv2m, gicv2");
	EXPECT_EQ(gic_choose(NULL, 0, 1, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "no vGIC");
	EXPECT_EQ(gic_choose(NULL, ALL, 123, err, sizeof(err)), GIC_V3_ITS);
	EXPECT_EQ(gic_choose(NULL, ALL, 124, err, sizeof(err)), -1);
}

TEST(gic_requested_flavour)
{
	char err[256];

	EXPECT_EQ(gic_choose("gicv2", ALL, 2, err, sizeof(err)), GIC_V2);
	EXPECT_EQ(gic_choose("gicv3", ALL, 2, err, sizeof(err)), GIC_V3);
	EXPECT_EQ(gic_choose("gicv2m", V3ONLY, 1, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "--irqchip=gicv2m: this host's KVM cannot provide "
			"it; it can provide: gicv3-its, gicv3");
	EXPECT_EQ(gic_choose("gicv3-its", V2ONLY, 1, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "it can provide: gicv2m, gicv2");
	EXPECT_EQ(gic_choose("gicv2", ALL, 9, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "at most 8 vCPUs");
	EXPECT_EQ(gic_choose("bogus", ALL, 1, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "unknown irqchip");
}

TEST(gic_its_msi_route_carries_requester_id)
{
	struct kvm_irq_routing_entry e;
	u64 db = ARM64_GIC_ITS + GIC_ITS_TRANSLATER_OFF;

	ASSERT_EQ(gic_msi_route(GIC_V3_ITS, 40, db, 7, 0x0018, &e), 0);
	EXPECT_EQ(e.gsi, 40);
	EXPECT_EQ(e.type, KVM_IRQ_ROUTING_MSI);
	EXPECT_EQ(e.flags, KVM_MSI_VALID_DEVID);
	EXPECT_EQ(e.u.msi.devid, 0x0018);	/* 00:03.0 */
	EXPECT_EQ(e.u.msi.address_lo, (u32)db);
	EXPECT_EQ(e.u.msi.address_hi, 0);
	EXPECT_EQ(e.u.msi.data, 7);
}

TEST(gic_v2m_msi_route_is_an_spi)
{
	struct kvm_irq_routing_entry e;
	u64 db = ARM64_GICV2M + GIC_V2M_MSI_SETSPI;
	u32 first = 32 + ARM64_V2M_SPI_BASE;

	ASSERT_EQ(gic_msi_route(GIC_V2M, 33, db, first + 5, 0x10, &e), 0);
	EXPECT_EQ(e.type, KVM_IRQ_ROUTING_IRQCHIP);
	EXPECT_EQ(e.flags, 0);
	EXPECT_EQ(e.u.irqchip.irqchip, 0);
	EXPECT_EQ(e.u.irqchip.pin, ARM64_V2M_SPI_BASE + 5);
	EXPECT_EQ(gic_msi_route(GIC_V2M, 33, db, first - 1, 0, &e), -1);
	EXPECT_EQ(gic_msi_route(GIC_V2M, 33, db, first + ARM64_V2M_NR_SPIS, 0,
				&e), -1);
	EXPECT_EQ(gic_msi_route(GIC_V2M, 33, db + 4, first, 0, &e), -1);
	EXPECT_EQ(gic_msi_route(GIC_V3, 33, db, first, 0, &e), -1);
	EXPECT_EQ(gic_msi_route(GIC_V2, 33, db, first, 0, &e), -1);
}

TEST(gic_fixed_routes_are_spis)
{
	struct kvm_irq_routing_entry e[64];
	u32 first;
	int n = arch_irq_routing_base(e, 64, &first), i;

	EXPECT_EQ(n, ARM64_FIXED_GSIS);
	EXPECT_EQ(first, ARM64_FIXED_GSIS);
	for (i = 0; i < n; i++) {
		EXPECT_EQ(e[i].gsi, i);
		EXPECT_EQ(e[i].type, KVM_IRQ_ROUTING_IRQCHIP);
		EXPECT_EQ(e[i].u.irqchip.pin, i);
	}
	EXPECT(ARM64_UART_SPI < ARM64_FIXED_GSIS);
	EXPECT(ARM64_FIXED_GSIS <= ARM64_V2M_SPI_BASE);
	EXPECT(32 + ARM64_V2M_SPI_BASE + ARM64_V2M_NR_SPIS <= ARM64_GIC_NR_IRQS);
}
