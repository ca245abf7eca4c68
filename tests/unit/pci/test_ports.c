/* Unit tests for the root ports on the bus (pci/ports.c), without KVM:
 * ports on bus 0 and the ECAM grown over their buses, cold plug behind a
 * port (BARs from its windows, INTx through it, routing by the secondary
 * bus the guest programs, link state), hot add and the orderly and
 * surprise removals as the guest's pciehp sees them through ECAM, the
 * bounded wait for power-off, and the refusals. */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>
#include "fake_vm.h"
#include "pci/rootport.h"
#include "unit.h"

#define T_M32	0xc0000000ULL
#define T_M64	0x100000000ULL
#define T_ECAM	0xe0000000ULL

static void pvm_init(struct vm *vm, u32 ports)
{
	struct pci_windows w = {
		.io_base = 0xc000, .io_size = 0x4000,
		.mem32_base = T_M32, .mem32_size = 0x10000000ULL,
		.mem64_base = T_M64, .mem64_size = 0x100000000ULL,
		.ecam_base = T_ECAM,
	};

	fake_vm_init(vm, NULL, false);	/* arm64: an ITS with no fd */
	pci_bus_init(vm, &w);
	EXPECT_EQ(pci_ports_init(vm, ports, 16 * SZ_1M, 256 * SZ_1M), 0);
}

static void pvm_fini(struct vm *vm)
{
	fake_vm_fini(vm);
}

static u32 erd(struct vm *vm, u16 bdf, u32 off, u32 len)
{
	u32 v = 0;

	if (!iobus_dispatch(&vm->mmio, T_ECAM + ((u64)bdf << 12) + off,
			    (u8 *)&v, len, false))
		return 0xdead;		/* outside the ECAM */
	return len == 4 ? v : v & ((1u << (8 * len)) - 1);
}

static void ewr(struct vm *vm, u16 bdf, u32 off, u32 len, u32 v)
{
	iobus_dispatch(&vm->mmio, T_ECAM + ((u64)bdf << 12) + off, (u8 *)&v,
		       len, true);
}

/* A function with a 16 KiB memory BAR, a 32-byte I/O BAR and a 1 MiB
 * 64-bit prefetchable one (like an e1000e or an NVMe). */
static void cdev_init(struct pci_dev *d, int want_port)
{
	pci_dev_init(d, "child", 0x8086, 0x10d3, 0x020000, 0, true);
	pci_dev_set_bar(d, 0, 16384, 0);
	pci_dev_set_bar(d, 2, 32, PCI_BAR_F_IO);
	pci_dev_set_bar(d, 3, SZ_1M, PCI_BAR_F_MEM64 | PCI_BAR_F_PREFETCH);
	d->want_port = want_port;
}

static u16 port_bdf(struct vm *vm, int i)
{
	return vm->pci->ports[i].rp.dev.bdf;
}

static u32 exp_off(struct vm *vm, int i)
{
	return vm->pci->ports[i].rp.exp;
}

TEST(ports_on_bus0_and_ecam)
{
	struct vm vm;

	pvm_init(&vm, 2);
	ASSERT_EQ(vm.pci->nr_ports, 2);
	EXPECT_EQ(pci_last_bus(&vm), 2);
	EXPECT_EQ(port_bdf(&vm, 0), PCI_BDF(0, 30, 0));
	EXPECT_EQ(port_bdf(&vm, 1), PCI_BDF(0, 31, 0));
	EXPECT_EQ(erd(&vm, PCI_BDF(0, 30, 0), 0, 4), 0x000c1b36);
	EXPECT_EQ(erd(&vm, PCI_BDF(0, 31, 0), PCI_SECONDARY_BUS, 1), 2);
	EXPECT_EQ(erd(&vm, PCI_BDF(0, 31, 0), PCI_HEADER_TYPE, 1), 1);
	EXPECT_EQ(erd(&vm, PCI_BDF(1, 0, 0), 0, 4), 0xffffffff);  /* empty */
	EXPECT_EQ(erd(&vm, PCI_BDF(2, 0, 0), 0, 4), 0xffffffff);
	EXPECT_EQ(erd(&vm, PCI_BDF(3, 0, 0), 0, 4), 0xdead);	/* no ECAM */
	/* bus 0 keeps the windows below the ports'; the root bridge (the
	 * firmware tables) all of them */
	EXPECT_EQ(vm.pci->win.mem32_size, 0x10000000ULL - 32 * SZ_1M);
	EXPECT_EQ(vm.pci->host_win.mem32_size, 0x10000000ULL);
	EXPECT_EQ(vm.pci->host_win.mem64_size, 0x100000000ULL);
	EXPECT_EQ(vm.pci->ports[1].win.mem_base, T_M32 + 0x0f000000ULL);
	EXPECT_EQ(erd(&vm, PCI_BDF(0, 31, 0), PCI_MEMORY_BASE, 2), 0xcf00);
	pvm_fini(&vm);

	pvm_init(&vm, 0);			/* none: the flat bus as before */
	EXPECT_EQ(vm.pci->nr_ports, 0);
	EXPECT_EQ(erd(&vm, PCI_BDF(1, 0, 0), 0, 4), 0xdead);
	EXPECT_EQ(vm.pci->win.mem32_size, 0x10000000ULL);
	pvm_fini(&vm);
}

static int visit(struct pci_dev *dev, void *arg)
{
	char *names = arg;

	strcat(names, dev->name);
	strcat(names, " ");
	return 0;
}

TEST(ports_cold_plug)
{
	char names[128] = "";
	u32 v = 0;
	struct pci_dev *d = calloc(2, sizeof(*d));
	struct pci_port *p;
	struct vm vm;

	ASSERT(d);
	pvm_init(&vm, 2);
	p = &vm.pci->ports[1];
	cdev_init(&d[0], 2);				/* port 1 */
	ASSERT_EQ(pci_register(&vm, &d[0]), 0);
	EXPECT_EQ(d[0].bdf, PCI_BDF(2, 0, 0));
	EXPECT(d[0].port == p && p->child == &d[0]);
	EXPECT_EQ(pci_bar_addr(&d[0], 0), p->win.mem_base);
	EXPECT_EQ(pci_bar_addr(&d[0], 3), p->win.pref_base);
	EXPECT_EQ(pci_bar_addr(&d[0], 2), 0);		/* no I/O window */
	EXPECT_EQ(d[0].gsi, p->rp.dev.gsi);		/* INTA swizzled */
	EXPECT_EQ(erd(&vm, PCI_BDF(2, 0, 0), 0, 4), 0x10d38086);
	EXPECT_EQ(erd(&vm, PCI_BDF(2, 1, 0), 0, 4), 0xffffffff);
	EXPECT(pci_find(&vm, PCI_BDF(2, 0, 0)) == &d[0]);
	pci_each_dev(&vm, visit, names);	/* ports (slots 30, 31), then it */
	EXPECT_STR(names, "root-port root-port child ");
	EXPECT(erd(&vm, port_bdf(&vm, 1), exp_off(&vm, 1) + PCI_EXP_SLTSTA,
		   2) & PCI_EXP_SLTSTA_PDS);
	EXPECT_EQ(p->nr_msi, 0);
	/* the port is taken */
	cdev_init(&d[1], 2);
	EXPECT_EQ(pci_register(&vm, &d[1]), -1);
	cdev_init(&d[1], 3);				/* no port 2 */
	EXPECT_EQ(pci_register(&vm, &d[1]), -1);
	/* routing and the requester id follow the secondary bus the guest
	 * programs (a 4-byte write of the bus numbers too) */
	ewr(&vm, port_bdf(&vm, 1), PCI_SECONDARY_BUS, 1, 7);
	EXPECT_EQ(erd(&vm, PCI_BDF(2, 0, 0), 0, 4), 0xffffffff);
	EXPECT_EQ(d[0].bdf, PCI_BDF(7, 0, 0));
	EXPECT(pci_find(&vm, PCI_BDF(7, 0, 0)) == &d[0]);
	EXPECT(pci_find(&vm, PCI_BDF(2, 0, 0)) == NULL);
	pci_config_access(&vm, PCI_BDF(7, 0, 0), 0, (u8 *)&v, 4, false);
	EXPECT_EQ(v, 0x10d38086);
	ewr(&vm, port_bdf(&vm, 1), PCI_PRIMARY_BUS, 4, 0x00020200);
	EXPECT_EQ(d[0].bdf, PCI_BDF(2, 0, 0));
	/* link disabled: the function is out of reach */
	ewr(&vm, port_bdf(&vm, 1), exp_off(&vm, 1) + PCI_EXP_LNKCTL, 2,
	    PCI_EXP_LNKCTL_LD);
	EXPECT_EQ(erd(&vm, PCI_BDF(2, 0, 0), 0, 4), 0xffffffff);
	ewr(&vm, port_bdf(&vm, 1), exp_off(&vm, 1) + PCI_EXP_LNKCTL, 2, 0);
	EXPECT_EQ(erd(&vm, PCI_BDF(2, 0, 0), 0, 4), 0x10d38086);
	pci_unregister(&d[0]);
	EXPECT(!p->child && !d[0].port);
	EXPECT_EQ(erd(&vm, PCI_BDF(2, 0, 0), 0, 4), 0xffffffff);
	pvm_fini(&vm);
	free(d);
}

/* pciehp's enables and an MSI target, written through ECAM */
/* pciehp's enables on a slot with an attention button: the button and
 * DLL changes, not presence (pcie_enable_notification) */
#define PCIEHP_ENABLES	(PCI_EXP_SLTCTL_ABPE | PCI_EXP_SLTCTL_CCIE | \
			 PCI_EXP_SLTCTL_HPIE | PCI_EXP_SLTCTL_DLLSCE)

static void guest_enable(struct vm *vm, int i, u16 ctl_extra)
{
	u16 b = port_bdf(vm, i);
	u32 msi = vm->pci->ports[i].rp.msi, e = exp_off(vm, i);

	ewr(vm, b, msi + PCI_MSI_ADDRESS_LO, 4, 0xfee00000);
	ewr(vm, b, msi + PCI_MSI_FLAGS, 2, PCI_MSI_FLAGS_ENABLE);
	ewr(vm, b, e + PCI_EXP_SLTCTL, 2, PCIEHP_ENABLES |
	    PCI_EXP_SLTCTL_ATTN_IND_OFF | ctl_extra);
	ewr(vm, b, e + PCI_EXP_SLTSTA, 2, 0xffff);
}

TEST(ports_hot_add_and_orderly_remove)
{
	struct pci_dev *d = calloc(1, sizeof(*d));
	struct pci_port *p;
	struct vm vm;
	u32 e;

	ASSERT(d);
	pvm_init(&vm, 2);
	p = &vm.pci->ports[0];
	e = exp_off(&vm, 0);
	guest_enable(&vm, 0, PCI_EXP_SLTCTL_PWR_OFF | PCI_EXP_SLTCTL_PWR_IND_OFF);
	p->nr_msi = 0;
	cdev_init(d, 0);
	d->vm = &vm;
	ASSERT_EQ(pci_port_attach(d, -1, true), 0);	/* the first free */
	EXPECT_EQ(p->nr_msi, 1);
	EXPECT_EQ(erd(&vm, port_bdf(&vm, 0), e + PCI_EXP_SLTSTA, 2),
		  PCI_EXP_SLTSTA_PDS | PCI_EXP_SLTSTA_PDC | PCI_EXP_SLTSTA_ABP);
	EXPECT_EQ(erd(&vm, PCI_BDF(1, 0, 0), 0, 4), 0xffffffff); /* unpowered */
	ewr(&vm, port_bdf(&vm, 0), e + PCI_EXP_SLTSTA, 2, 0xffff);
	guest_enable(&vm, 0, PCI_EXP_SLTCTL_PWR_IND_ON);	/* power on */
	EXPECT_EQ(erd(&vm, PCI_BDF(1, 0, 0), 0, 4), 0x10d38086);
	EXPECT(erd(&vm, port_bdf(&vm, 0), e + PCI_EXP_LNKSTA, 2) &
	       PCI_EXP_LNKSTA_DLLLA);

	/* removal: button, no power-off within the bound, then power-off */
	p->nr_msi = 0;
	EXPECT_EQ(pci_port_button(&vm, 0), 0);
	EXPECT_EQ(p->nr_msi, 1);
	EXPECT(!pci_port_wait_off(&vm, 0, 20));
	guest_enable(&vm, 0, PCI_EXP_SLTCTL_PWR_OFF | PCI_EXP_SLTCTL_PWR_IND_OFF);
	EXPECT(pci_port_wait_off(&vm, 0, 20));
	EXPECT_EQ(erd(&vm, PCI_BDF(1, 0, 0), 0, 4), 0xffffffff);
	pci_port_unplug(&vm, 0);
	EXPECT_EQ(erd(&vm, port_bdf(&vm, 0), e + PCI_EXP_SLTSTA, 2) &
		  PCI_EXP_SLTSTA_PDS, 0);
	pci_unregister(d);
	EXPECT(!p->child);
	/* bad ports */
	EXPECT_EQ(pci_port_button(&vm, 2), -1);
	EXPECT(!pci_port_wait_off(&vm, -1, 0));
	pvm_fini(&vm);
	free(d);
}

struct off_later {
	struct vm *vm;
};

static void *power_off_later(void *arg)
{
	struct off_later *o = arg;

	usleep(50000);
	guest_enable(o->vm, 1, PCI_EXP_SLTCTL_PWR_OFF |
		     PCI_EXP_SLTCTL_PWR_IND_OFF);
	return NULL;
}

TEST(ports_wait_off_wakes_on_the_guest_command)
{
	struct pci_dev *d = calloc(1, sizeof(*d));
	struct off_later o;
	struct timespec a, b;
	pthread_t t;
	struct vm vm;
	long ms;

	ASSERT(d);
	pvm_init(&vm, 2);
	cdev_init(d, 2);
	ASSERT_EQ(pci_register(&vm, d), 0);		/* cold: powered */
	o.vm = &vm;
	clock_gettime(CLOCK_MONOTONIC, &a);
	ASSERT_EQ(pthread_create(&t, NULL, power_off_later, &o), 0);
	EXPECT(pci_port_wait_off(&vm, 1, 5000));
	clock_gettime(CLOCK_MONOTONIC, &b);
	pthread_join(t, NULL);
	ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
	EXPECT(ms >= 40 && ms < 4000);
	/* the adapter goes: presence off */
	pci_port_unplug(&vm, 1);
	EXPECT_EQ(vm.pci->ports[1].rp.present, false);
	pci_unregister(d);
	pvm_fini(&vm);
	free(d);
}

TEST(ports_refusals)
{
	struct pci_windows w = {
		.mem32_base = T_M32, .mem32_size = 64 * SZ_1M,
		.ecam_base = T_ECAM,
	};
	struct vm vm;

	fake_vm_init(&vm, NULL, false);
	ASSERT_EQ(pci_bus_init(&vm, &w), 0);
	/* 8 x 16 MiB does not fit in 64 MiB; no 64-bit window */
	EXPECT_EQ(pci_ports_init(&vm, 8, 16 * SZ_1M, 0), -1);
	EXPECT_EQ(pci_ports_init(&vm, 2, 16 * SZ_1M, 256 * SZ_1M), -1);
	EXPECT_EQ(pci_ports_init(&vm, PCI_MAX_PORTS + 1, SZ_1M, 0), -1);
	EXPECT_EQ(vm.pci->nr_ports, 0);
	EXPECT_EQ(vm.pci->win.mem32_size, 64 * SZ_1M);
	EXPECT_EQ(pci_ports_init(&vm, 2, 16 * SZ_1M, 0), 0);
	EXPECT_EQ(pci_ports_init(&vm, 1, SZ_1M, 0), -1);	/* twice */
	pvm_fini(&vm);
}
