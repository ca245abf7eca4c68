/* The "pci" snapshot owner: one section per device on the bus (instance =
 * BDF) with its identity, its config image and INTx state, then what the
 * device's own snap_* hooks save. Restore puts the image back with decode
 * off, lets the device restore itself, then restores the command register,
 * which maps the BARs. Live migration's pre-copy: the devices' bytes ready
 * while the VM runs, by BDF. */
#include <stdio.h>
#include "kvm/snapshot.h"
#include "kvm/state.h"
#include "kvm/vm.h"
#include "pci-internal.h"

#define DECODE	(PCI_COMMAND_IO | PCI_COMMAND_MEMORY)

static void bdf_str(u16 bdf, char *buf, size_t len)
{
	snprintf(buf, len, "%02x:%02x.%x", PCI_BDF_BUS(bdf), PCI_BDF_SLOT(bdf),
		 PCI_BDF_FN(bdf));
}

struct errbuf {
	char *err;
	size_t len;
	struct sbuf *b;
	u64 *bytes;		/* pre-copy: the devices' bytes in b */
};

static int check_dev(struct pci_dev *dev, void *arg)
{
	struct errbuf *e = arg;

	return dev->ops && dev->ops->snap_check ?
	       dev->ops->snap_check(dev, e->err, e->len) : 0;
}

static int pci_snap_check(struct vm *vm, char *err, size_t errlen)
{
	struct errbuf e = { err, errlen, NULL };

	return pci_each_dev(vm, check_dev, &e);
}

static int save_dev(struct pci_dev *dev, struct sbuf *b, char *err,
		    size_t errlen)
{
	size_t h = snap_sec_begin(b, "pci", dev->bdf, 1);

	sb_u16(b, pci_cfg_get16(dev, PCI_VENDOR_ID));
	sb_u16(b, pci_cfg_get16(dev, PCI_DEVICE_ID));
	sb_str(b, dev->name);
	sb_state(b, &pci_state_desc, dev);
	if (dev->ops && dev->ops->snap_save &&
	    dev->ops->snap_save(dev, b, err, errlen))
		return -1;
	snap_sec_end(b, h);
	return 0;
}

static int save_one(struct pci_dev *dev, void *arg)
{
	struct errbuf *e = arg;

	return save_dev(dev, e->b, e->err, e->len);
}

static int pci_snap_save(struct vm *vm, struct sbuf *b, char *err,
			 size_t errlen)
{
	struct errbuf e = { err, errlen, b };

	return pci_each_dev(vm, save_one, &e);
}

/* The identity the snapshot recorded against the device found at its BDF. */
static int same_dev(struct pci_dev *dev, struct sreader *r, const char *at,
		    char *err, size_t errlen)
{
	u16 vendor = sr_u16(r), device = sr_u16(r);
	char name[64];

	sr_str(r, name, sizeof(name));
	if (r->bad)
		return set_err(err, errlen, "PCI %s: the record is truncated", at);
	if (!dev)
		return set_err(err, errlen, "PCI %s (%s in the saved VM): no such "
			       "device in this VM; give the same device options",
			       at, name);
	if (vendor != pci_cfg_get16(dev, PCI_VENDOR_ID) ||
	    device != pci_cfg_get16(dev, PCI_DEVICE_ID))
		return set_err(err, errlen, "PCI %s: the saved VM has %04x:%04x "
			       "(%s), this VM %04x:%04x (%s)", at, vendor, device, name,
			       pci_cfg_get16(dev, PCI_VENDOR_ID),
			       pci_cfg_get16(dev, PCI_DEVICE_ID), dev->name);
	return 0;
}

static int load_dev(struct pci_dev *dev, struct sreader *r, const char *at,
		    char *err, size_t errlen)
{
	char why[200];
	u16 cmd;

	pci_regions_off(dev);
	if (sr_state(r, &pci_state_desc, dev, why, sizeof(why)))
		return set_err(err, errlen, "PCI %s (%s): %s", at, dev->name, why);
	cmd = pci_cfg_get16(dev, PCI_COMMAND);
	pci_cfg_set16(dev, PCI_COMMAND, cmd & ~DECODE);
	pci_update_regions(dev);
	if (dev->ops && dev->ops->snap_load &&
	    dev->ops->snap_load(dev, r, err, errlen))
		return -1;
	if (!sr_done(r))
		return set_err(err, errlen, "PCI %s (%s): %zu bytes left over or "
			       "a record cut short", at, dev->name, r->len - r->off);
	pci_cfg_set16(dev, PCI_COMMAND, cmd);
	pci_cfg_written(dev, PCI_COMMAND, 2);
	/* this VM's irqchip has never seen the line: drive it afresh */
	pthread_mutex_lock(&dev->intx_lock);
	dev->intx_out = false;
	pthread_mutex_unlock(&dev->intx_lock);
	pci_update_intx(dev);
	return 0;
}

static int pci_snap_load(struct vm *vm, const struct snap_sec *s, char *err,
			 size_t errlen)
{
	struct pci_dev *dev = s->inst <= 0xffff ? pci_find(vm, s->inst) : NULL;
	struct sreader r;
	char at[16];
	int ret;

	bdf_str(s->inst, at, sizeof(at));
	sr_init(&r, s->data, s->len);
	if (same_dev(dev, &r, at, err, errlen))
		return -1;
	pthread_mutex_lock(&vm->pci->lock);
	ret = load_dev(dev, &r, at, err, errlen);
	pthread_mutex_unlock(&vm->pci->lock);
	return ret;
}

static int quiesce_dev(struct pci_dev *dev, void *arg)
{
	struct errbuf *e = arg;

	return dev->ops && dev->ops->snap_quiesce ?
	       dev->ops->snap_quiesce(dev, e->err, e->len) : 0;
}

static int pci_snap_quiesce(struct vm *vm, char *err, size_t errlen)
{
	struct errbuf e = { err, errlen, NULL };

	return pci_each_dev(vm, quiesce_dev, &e);
}

static int resume_dev(struct pci_dev *dev, void *arg)
{
	if (dev->ops && dev->ops->snap_resume)
		dev->ops->snap_resume(dev);
	return 0;
}

static void pci_snap_resume(struct vm *vm)
{
	pci_each_dev(vm, resume_dev, NULL);
}

/* ---- migration's handshake: identity and fingerprint per device ---- */

static int hello_dev(struct pci_dev *dev, void *arg)
{
	struct errbuf *e = arg;
	size_t h = snap_sec_begin(e->b, "pci", dev->bdf, 1);

	sb_u16(e->b, pci_cfg_get16(dev, PCI_VENDOR_ID));
	sb_u16(e->b, pci_cfg_get16(dev, PCI_DEVICE_ID));
	sb_str(e->b, dev->name);
	if (dev->ops && dev->ops->snap_fp_put &&
	    dev->ops->snap_fp_put(dev, e->b, e->err, e->len))
		return -1;
	snap_sec_end(e->b, h);
	return 0;
}

static int pci_snap_hello(struct vm *vm, struct sbuf *b, char *err,
			  size_t errlen)
{
	struct errbuf e = { err, errlen, b };

	return pci_each_dev(vm, hello_dev, &e);
}

static int pci_snap_hello_check(struct vm *vm, const struct snap_sec *s,
				char *err, size_t errlen)
{
	struct pci_dev *dev = s->inst <= 0xffff ? pci_find(vm, s->inst) : NULL;
	struct sreader r;
	char at[16];
	int ret = 0;

	bdf_str(s->inst, at, sizeof(at));
	sr_init(&r, s->data, s->len);
	if (same_dev(dev, &r, at, err, errlen))
		return -1;
	pthread_mutex_lock(&vm->pci->lock);
	if (dev->ops && dev->ops->snap_fp_check)
		ret = dev->ops->snap_fp_check(dev, &r, err, errlen);
	pthread_mutex_unlock(&vm->pci->lock);
	if (!ret && !sr_done(&r))
		ret = set_err(err, errlen, "PCI %s (%s): the source's record "
			      "does not fit this device", at, dev->name);
	return ret;
}

/* ---- live migration's pre-copy ---- */

static int precopy_dev(struct pci_dev *dev, void *arg)
{
	struct errbuf *e = arg;
	struct sbuf body = { 0 };
	int r = 0;

	if (dev->ops && dev->ops->snap_precopy)
		r = dev->ops->snap_precopy(dev, &body, e->err, e->len);
	if (!r && body.len) {
		sb_u16(e->b, dev->bdf);
		sb_blob(e->b, body.p, (u32)body.len);
		*e->bytes += body.len;
	}
	sb_free(&body);
	return r;
}

s64 pci_mig_precopy(struct vm *vm, struct sbuf *b, char *err, size_t errlen)
{
	struct errbuf e = { err, errlen, b };
	u64 bytes = 0;

	e.bytes = &bytes;
	if (pci_each_dev(vm, precopy_dev, &e))
		return -1;
	if (b->oom)
		return set_err(err, errlen, "out of memory for the devices' "
			       "pre-copy data");
	return bytes;
}

static int abort_dev(struct pci_dev *dev, void *arg)
{
	if (dev->ops && dev->ops->snap_precopy_abort)
		dev->ops->snap_precopy_abort(dev);
	return 0;
}

void pci_mig_precopy_abort(struct vm *vm)
{
	pci_each_dev(vm, abort_dev, NULL);
}

int pci_mig_precopy_load(struct vm *vm, const u8 *p, size_t len, char *err,
			 size_t errlen)
{
	struct pci_dev *dev;
	struct sreader r;
	const u8 *data;
	char at[16];
	u16 bdf;
	u32 n;
	int ret = 0;

	sr_init(&r, p, len);
	while (!ret && !sr_done(&r)) {
		bdf = sr_u16(&r);
		data = sr_blob(&r, &n);
		if (r.bad)
			return set_err(err, errlen, "pre-copy data: truncated");
		bdf_str(bdf, at, sizeof(at));
		dev = pci_find(vm, bdf);
		if (!dev || !dev->ops || !dev->ops->snap_precopy_load)
			return set_err(err, errlen, "pre-copy data for PCI %s, "
				       "which has no such device here", at);
		pthread_mutex_lock(&vm->pci->lock);
		ret = dev->ops->snap_precopy_load(dev, data, n, err, errlen);
		pthread_mutex_unlock(&vm->pci->lock);
	}
	return ret;
}

SNAP_OWNER(pci_snap_owner, .type = "pci", .order = SNAP_ORDER_DEVICE,
	   .version = 1, .check = pci_snap_check, .save = pci_snap_save,
	   .load = pci_snap_load, .quiesce = pci_snap_quiesce,
	   .resume = pci_snap_resume, .hello = pci_snap_hello,
	   .hello_check = pci_snap_hello_check)
