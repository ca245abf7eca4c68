/* Unit tests of the x86 fixed interrupt routes (x86/irq.c): ISA IRQs 0-15
 * reach the PIC pin and the IOAPIC pin of the same number, PCI GSIs 16-23
 * only the IOAPIC, MSIs start at GSI 24 and carry address and data. */
#include "kvm/irq.h"
#include "kvm/vm.h"
#include "unit.h"

/* The route of gsi to chip, or NULL. */
static const struct kvm_irq_routing_entry *
route(const struct kvm_irq_routing_entry *e, int n, u32 gsi, u32 chip)
{
	int i;

	for (i = 0; i < n; i++)
		if (e[i].gsi == gsi && e[i].type == KVM_IRQ_ROUTING_IRQCHIP &&
		    e[i].u.irqchip.irqchip == chip)
			return &e[i];
	return NULL;
}

TEST(x86_irq_fixed_routes)
{
	struct kvm_irq_routing_entry e[64];
	const struct kvm_irq_routing_entry *r;
	u32 first = 0, gsi;
	int n;

	n = arch_irq_routing_base(e, 64, &first);
	EXPECT_EQ(first, 24);
	EXPECT_EQ(n, 16 * 2 + 8);
	for (gsi = 0; gsi < 24; gsi++) {
		r = route(e, n, gsi, KVM_IRQCHIP_IOAPIC);
		EXPECT(r && r->u.irqchip.pin == gsi);
		r = route(e, n, gsi, KVM_IRQCHIP_PIC_MASTER);
		EXPECT(gsi < 8 ? r && r->u.irqchip.pin == gsi : !r);
		r = route(e, n, gsi, KVM_IRQCHIP_PIC_SLAVE);
		EXPECT(gsi >= 8 && gsi < 16 ? r && r->u.irqchip.pin == gsi - 8 : !r);
	}
	EXPECT(!route(e, n, 24, KVM_IRQCHIP_IOAPIC));
}

TEST(x86_irq_routes_fit_the_table)
{
	struct kvm_irq_routing_entry e[8];
	u32 first = 0;
	int n, i;

	memset(e, 0xee, sizeof(e));
	n = arch_irq_routing_base(e, 3, &first);
	EXPECT(n <= 3);
	EXPECT_EQ(e[3].gsi, 0xeeeeeeee);	/* nothing written past max */
	/* no ISA IRQ is left with its PIC route but not its IOAPIC route */
	for (i = 0; i < n; i++)
		EXPECT(route(e, n, e[i].gsi, KVM_IRQCHIP_IOAPIC));
	EXPECT_EQ(arch_irq_routing_base(e, 0, &first), 0);
}

TEST(x86_msi_route_and_signal)
{
	struct kvm_irq_routing_entry e;
	struct vm vm = { .vm_fd = -1 };

	memset(&e, 0xee, sizeof(e));
	EXPECT_EQ(arch_msi_route(&vm, 30, 0x1fee01004ULL, 0x4041, 7, &e), 0);
	EXPECT_EQ(e.gsi, 30);
	EXPECT_EQ(e.type, KVM_IRQ_ROUTING_MSI);
	EXPECT_EQ(e.flags, 0);			/* no device id on x86 */
	EXPECT_EQ(e.u.msi.address_lo, 0xfee01004);
	EXPECT_EQ(e.u.msi.address_hi, 1);
	EXPECT_EQ(e.u.msi.data, 0x4041);
	EXPECT_EQ(arch_signal_msi(&vm, 0xfee00000, 0x41, 0), -1);	/* no VM */
}
