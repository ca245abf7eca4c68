/* Unit tests of kvm/irq.c without KVM: each VM keeps its own irqfds
 * deferred until its irqchip is ready (irqfd_defer), a deassign finds only
 * its own VM's, and the routing exit frees what was never flushed. */
#include "kvm/irq.h"
#include "kvm/vm.h"
#include "fake_vm.h"
#include "unit.h"

TEST(irq_pending_irqfds_are_per_vm)
{
	struct lkvm_config cfg = { 0 };
	struct kvm_irqfd f = { .fd = 7, .gsi = 40 };
	struct vm a, b;

	fake_vm_init(&a, &cfg, false);
	fake_vm_init(&b, &cfg, false);
	irq_routing_init(&a);	/* the commit fails: no VM fd */
	irq_routing_init(&b);
	ASSERT(a.irq && b.irq);
	EXPECT_EQ(irqfd_defer(&a, &f), 0);
	EXPECT(a.irq->nr_pending == 1 && !b.irq->nr_pending);
	/* b has none pending: its deassign goes to KVM (no VM fd here) */
	EXPECT_EQ(irqfd_deassign(&b, 7, 40), -1);
	EXPECT_EQ(a.irq->nr_pending, 1);
	EXPECT_EQ(irqfd_deassign(&a, 7, 40), 0);
	EXPECT_EQ(a.irq->nr_pending, 0);
	EXPECT_EQ(irqfd_flush_pending(&b), 0);
	f.gsi = 41;
	EXPECT_EQ(irqfd_defer(&b, &f), 0);
	EXPECT_EQ(irqfd_defer(&b, &f), 0);
	EXPECT_EQ(irqfd_flush_pending(&a), 0);
	EXPECT_EQ(a.irq->nr_pending, 0);
	EXPECT_EQ(irqfd_deassign(&b, 7, 41), 0);	/* one of the two */
	EXPECT_EQ(b.irq->nr_pending, 1);
	irq_routing_exit(&a);
	irq_routing_exit(&b);	/* frees the other (ASan checks) */
	EXPECT(!a.irq && !b.irq);
	fake_vm_fini(&a);
	fake_vm_fini(&b);
}

TEST(irq_flush_pending_empties_the_list)
{
	struct lkvm_config cfg = { 0 };
	struct kvm_irqfd f = { .fd = 7, .gsi = 40 };
	struct vm a;

	fake_vm_init(&a, &cfg, false);
	irq_routing_init(&a);
	ASSERT(a.irq);
	EXPECT_EQ(irqfd_defer(&a, &f), 0);
	/* no VM fd: KVM_IRQFD fails, the entry goes all the same */
	EXPECT_EQ(irqfd_flush_pending(&a), -1);
	EXPECT_EQ(a.irq->nr_pending, 0);
	EXPECT_EQ(irqfd_flush_pending(&a), 0);
	irq_routing_exit(&a);
	fake_vm_fini(&a);
}
