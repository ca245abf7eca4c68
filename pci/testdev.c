/* --pci-testdev: a PCI test device with QEMU pci-testdev's ids (1b36:0005)
 * and BAR0/BAR1 sizes, plus a 64-bit BAR; every BAR is scratch memory, and
 * BAR0's last dword drives INTx. Lets guests test the bus end to end. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "kvm/state.h"
#include "kvm/vm.h"
#include "pci/pci.h"


#define TESTDEV_VENDOR		0x1b36	/* Red Hat, QEMU's test ids */
#define TESTDEV_DEVICE		0x0005
#define TESTDEV_CLASS		0x00ff00	/* unclassified, other */
#define TESTDEV_MEM_SIZE	4096
#define TESTDEV_IO_SIZE		256
#define TESTDEV_MEM64_SIZE	SZ_1M
#define TESTDEV_IRQ_REG		(TESTDEV_MEM_SIZE - 4)	/* in BAR0 */

struct testdev {
	struct pci_dev pci;
	pthread_mutex_t lock;
	u8 scratch[3][TESTDEV_MEM_SIZE];	/* BAR0, BAR1, BAR2 (mirrored) */
};

STATE_DESC(testdev_state_desc, "pci-testdev", struct testdev, 1,
	   STATE_FIELD(struct testdev, scratch, 1))

static void testdev_bar_io(struct pci_dev *dev, int bar, u64 off, u8 *data,
			   u32 len, bool wr)
{
	struct testdev *t = dev->priv;
	u8 *s;

	if (bar > 2)
		return;
	off &= TESTDEV_MEM_SIZE - 1;
	if (off + len > TESTDEV_MEM_SIZE)
		return;
	s = &t->scratch[bar][off];
	pthread_mutex_lock(&t->lock);
	if (wr)
		memcpy(s, data, len);
	else
		memcpy(data, s, len);
	pthread_mutex_unlock(&t->lock);
	if (wr && bar == 0 && off == TESTDEV_IRQ_REG)
		pci_irq_set(dev, data[0] & 1);
}

static const struct pci_dev_ops testdev_ops = {
	.bar_io = testdev_bar_io,
};

static void testdev_exit(struct vm *vm)
{
	if (vm->testdev)
		pci_unregister(&vm->testdev->pci);
	free(vm->testdev);
	vm->testdev = NULL;
}

static int testdev_init(struct vm *vm)
{
	struct testdev *t;
	struct pci_dev *d;

	if (!vm->cfg->pci_testdev)
		return 0;
	t = vm->testdev = calloc(1, sizeof(*t));
	if (!t)
		return -1;
	d = &t->pci;
	pthread_mutex_init(&t->lock, NULL);
	pci_dev_init(d, "pci-testdev", TESTDEV_VENDOR, TESTDEV_DEVICE,
		     TESTDEV_CLASS, 0, false);
	pci_dev_set_subsys(d, TESTDEV_VENDOR, TESTDEV_DEVICE);
	d->ops = &testdev_ops;
	d->priv = t;
	if (pci_dev_set_bar(d, 0, TESTDEV_MEM_SIZE, 0) ||
	    pci_dev_set_bar(d, 1, TESTDEV_IO_SIZE, PCI_BAR_F_IO) ||
	    pci_dev_set_bar(d, 2, TESTDEV_MEM64_SIZE,
			    PCI_BAR_F_MEM64 | PCI_BAR_F_PREFETCH) ||
	    pci_register(vm, d)) {
		testdev_exit(vm);
		return -1;
	}
	return 0;
}

LKVM_INIT(INIT_DEVICE, testdev_init, testdev_exit)
