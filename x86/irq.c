/* x86 fixed interrupt routes: ISA IRQs 0-15 to both the PIC and the
 * IOAPIC pin of the same number, PCI GSIs 16-23 to the IOAPIC; MSI GSIs
 * are handed out from 24 up. */
#include <sys/ioctl.h>
#include "kvm/irq.h"
#include "kvm/vm.h"

#define IOAPIC_PINS 24

static void chip(struct kvm_irq_routing_entry *e, u32 gsi, u32 chip, u32 pin)
{
	*e = (struct kvm_irq_routing_entry){
		.gsi = gsi, .type = KVM_IRQ_ROUTING_IRQCHIP,
		.u.irqchip = { .irqchip = chip, .pin = pin },
	};
}

int arch_irq_routing_base(struct kvm_irq_routing_entry *e, int max,
			  u32 *first_free)
{
	int n = 0;
	u32 gsi;

	for (gsi = 0; gsi < IOAPIC_PINS && n + 2 <= max; gsi++) {
		if (gsi < 8)
			chip(&e[n++], gsi, KVM_IRQCHIP_PIC_MASTER, gsi);
		else if (gsi < 16)
			chip(&e[n++], gsi, KVM_IRQCHIP_PIC_SLAVE, gsi - 8);
		chip(&e[n++], gsi, KVM_IRQCHIP_IOAPIC, gsi);
	}
	*first_free = IOAPIC_PINS;
	return n;
}

/* PIC and IOAPIC pins are GSIs. */
u32 arch_irq_line(u32 gsi)
{
	return gsi;
}

/* x86 MSIs carry everything in address/data; no device id. */
int arch_msi_route(struct vm *vm, u32 gsi, u64 addr, u32 data, u32 devid,
		   struct kvm_irq_routing_entry *e)
{
	*e = (struct kvm_irq_routing_entry){
		.gsi = gsi, .type = KVM_IRQ_ROUTING_MSI,
		.u.msi = { .address_lo = (u32)addr,
			   .address_hi = (u32)(addr >> 32), .data = data },
	};
	return 0;
}

int arch_signal_msi(struct vm *vm, u64 addr, u32 data, u32 devid)
{
	struct kvm_msi m = {
		.address_lo = (u32)addr, .address_hi = (u32)(addr >> 32),
		.data = data,
	};

	return ioctl(vm->vm_fd, KVM_SIGNAL_MSI, &m) < 0 ? -1 : 0;
}
