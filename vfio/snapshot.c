/* Snapshot hooks of an assigned device (include/vfio/snapshot.h): the
 * migration support check, the payload's named parts (fingerprint, vcfg
 * state, device data, MSI-X, MSI) and a load that checks all of them
 * before it touches the device, then restores in the order VFIO wants. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "kvm/state.h"
#include "vfio/migrate.h"
#include "vfio/snapshot.h"

/* What a load read and checked, before anything is applied. */
struct vsnap_load {
	struct vfio_fp saved, cur;
	struct vcfg *cfg;		/* the saved vfio-pci-config state */
	const u8 *data;			/* device data (in the reader) */
	u32 data_len;
	struct msix_state *msix;	/* the saved table and PBA */
	struct msi_state msi;
	u16 cmd;			/* the guest's command register */
	u32 seen;			/* parts read, bit per vsnap_parts[] */
};

/*
 * One part of the payload. present: the device has this state (the part
 * is written, and required on load). read: parses and checks its blob
 * into ld, touching nothing. apply (optional): puts it into the device,
 * in table order, once every part was read.
 */
struct vsnap_part {
	const char *name;
	bool (*present)(const struct vfio_pci *vp);
	int (*save)(struct vfio_pci *vp, struct sbuf *b, char *err,
		    size_t errlen);
	int (*read)(struct vfio_pci *vp, struct sreader *r,
		    struct vsnap_load *ld, char *err, size_t errlen);
	int (*apply)(struct vfio_pci *vp, struct vsnap_load *ld, char *err,
		     size_t errlen);
};

static const struct state_desc *desc(const char *name)
{
	return state_find(name);
}

static bool always(const struct vfio_pci *vp)
{
	return true;
}

/* ---- "fingerprint" ---- */

static int fp_save(struct vfio_pci *vp, struct sbuf *b, char *err,
		   size_t errlen)
{
	struct vfio_fp *fp = malloc(sizeof(*fp));

	if (!fp)
		return set_err(err, errlen, "%s: out of memory", vp->name);
	vfio_fp_build(vp, fp);
	vfio_fp_put(b, fp);
	free(fp);
	return 0;
}

static int fp_read(struct vfio_pci *vp, struct sreader *r,
		   struct vsnap_load *ld, char *err, size_t errlen)
{
	char e[256];

	if (vfio_fp_get(r, &ld->saved, e, sizeof(e)))
		return set_err(err, errlen, "%s: %s", vp->name, e);
	vfio_fp_build(vp, &ld->cur);
	return vfio_fp_compare(&ld->saved, &ld->cur, vp->name, err, errlen);
}

int vfio_snap_fp_put(struct pci_dev *dev, struct sbuf *b, char *err,
		     size_t errlen)
{
	return fp_save(dev->priv, b, err, errlen);
}

int vfio_snap_fp_check(struct pci_dev *dev, struct sreader *r, char *err,
		       size_t errlen)
{
	struct vsnap_load *ld = calloc(1, sizeof(*ld));
	struct vfio_pci *vp = dev->priv;
	int rc;

	if (!ld)
		return set_err(err, errlen, "%s: out of memory", vp->name);
	rc = fp_read(vp, r, ld, err, errlen);
	free(ld);
	return rc;
}

/* ---- "vfio-pci-config": computed on both sides, compared ---- */

static int cfg_save(struct vfio_pci *vp, struct sbuf *b, char *err,
		    size_t errlen)
{
	sb_state(b, desc("vfio-pci-config"), &vp->cfg);
	return 0;
}

static const char *policy_name(u8 p)
{
	return p == VCFG_EMULATED ? "emulated" : p == VCFG_PASSTHROUGH ?
	       "passthrough" : p == VCFG_VIRTUAL ? "virtual" : "unknown";
}

/* The first config byte whose policy or masks differ. */
static int cfg_bytes_cmp(struct vfio_pci *vp, const struct vcfg *s,
			 char *err, size_t errlen)
{
	const struct vcfg *c = &vp->cfg;
	u32 i;

	for (i = 0; i < c->size; i++) {
		if (s->policy[i] != c->policy[i])
			return set_err(err, errlen, "%s: config byte 0x%x: "
				       "snapshot %s, this device %s", vp->name,
				       i, policy_name(s->policy[i]),
				       policy_name(c->policy[i]));
		if (s->emu[i] != c->emu[i] || s->fwd[i] != c->fwd[i])
			return set_err(err, errlen, "%s: config byte 0x%x "
				       "emulated/forwarded bits: snapshot "
				       "0x%02x/0x%02x, this device "
				       "0x%02x/0x%02x",
				       vp->name, i, s->emu[i], s->fwd[i],
				       c->emu[i], c->fwd[i]);
	}
	return 0;
}

static int cfg_cmp(struct vfio_pci *vp, const struct vcfg *s, char *err,
		   size_t errlen)
{
	const struct vcfg *c = &vp->cfg;
	const struct { const char *name; u16 a, b; } off[] = {
		{ "MSI", s->msi, c->msi }, { "MSI-X", s->msix, c->msix },
		{ "PM", s->pm, c->pm }, { "PCI Express", s->exp, c->exp },
		{ "AER", s->aer, c->aer }, { "DSN", s->dsn, c->dsn },
	};
	u32 i;

	if (s->size != c->size)
		return set_err(err, errlen, "%s: config space size: snapshot "
			       "%u, this device %u", vp->name, s->size,
			       c->size);
	for (i = 0; i < ARRAY_SIZE(off); i++)
		if (off[i].a != off[i].b)
			return set_err(err, errlen, "%s: emulated %s capability"
				       " offset: snapshot 0x%x, this device "
				       "0x%x", vp->name, off[i].name, off[i].a,
				       off[i].b);
	return cfg_bytes_cmp(vp, s, err, errlen);
}

static int cfg_read(struct vfio_pci *vp, struct sreader *r,
		    struct vsnap_load *ld, char *err, size_t errlen)
{
	char e[256];

	ld->cfg = calloc(1, sizeof(*ld->cfg));
	if (!ld->cfg)
		return set_err(err, errlen, "%s: out of memory", vp->name);
	if (sr_state(r, desc("vfio-pci-config"), ld->cfg, e, sizeof(e)))
		return set_err(err, errlen, "%s: %s", vp->name, e);
	return cfg_cmp(vp, ld->cfg, err, errlen);
}

/* ---- "device-data": the VFIO migration stream ---- */

static int data_save(struct vfio_pci *vp, struct sbuf *b, char *err,
		     size_t errlen)
{
	size_t len;
	u8 *data;

	if (vp->pre_on ? vfio_precopy_finish(vp, &data, &len, err, errlen) :
	    vfio_mig_save(&vp->vdev, VFIO_MIG_MAX_DATA, &data, &len, err,
			  errlen))
		return -1;
	sb_blob(b, data, (u32)len);
	free(data);
	return 0;
}

static int data_read(struct vfio_pci *vp, struct sreader *r,
		     struct vsnap_load *ld, char *err, size_t errlen)
{
	u64 flags = 0;

	ld->data = sr_blob(r, &ld->data_len);
	if (r->bad)
		return set_err(err, errlen, "%s: device data: truncated",
			       vp->name);
	if (ld->data_len > VFIO_MIG_MAX_DATA)
		return set_err(err, errlen, "%s: device data: %u bytes, more "
			       "than the %u MiB lkvm takes", vp->name,
			       ld->data_len, VFIO_MIG_MAX_DATA >> 20);
	if (vfio_mig_flags(&vp->vdev, &flags) ||
	    !(flags & VFIO_MIGRATION_STOP_COPY))
		return set_err(err, errlen, "%s: this device does not support "
			       "VFIO migration: its saved device data cannot "
			       "be loaded (restore onto a device whose driver "
			       "supports migration)", vp->name);
	return 0;
}

static int data_apply(struct vfio_pci *vp, struct vsnap_load *ld,
		      char *err, size_t errlen)
{
	return vfio_precopy_load(vp, ld->data, ld->data_len, err, errlen);
}

/* ---- "msix": table and PBA, whatever the interrupt mode ---- */

static bool has_msix(const struct vfio_pci *vp)
{
	return vp->msix;
}

static int msix_save(struct vfio_pci *vp, struct sbuf *b, char *err,
		     size_t errlen)
{
	pthread_mutex_lock(&vp->lock);
	sb_state(b, desc("msix"), vp->msix);
	pthread_mutex_unlock(&vp->lock);
	return 0;
}

static int msix_read(struct vfio_pci *vp, struct sreader *r,
		     struct vsnap_load *ld, char *err, size_t errlen)
{
	char e[256];

	ld->msix = msix_new(vp->msix->nr);
	if (!ld->msix)
		return set_err(err, errlen, "%s: out of memory", vp->name);
	if (sr_state(r, desc("msix"), ld->msix, e, sizeof(e)))
		return set_err(err, errlen, "%s: %s", vp->name, e);
	if (ld->msix->nr != vp->msix->nr)
		return set_err(err, errlen, "%s: MSI-X state: snapshot %u "
			       "vectors, this device %u", vp->name,
			       ld->msix->nr, vp->msix->nr);
	if (vp->msix->enabled)
		return set_err(err, errlen, "%s: MSI-X is enabled before its "
			       "table is restored (the bus must put the config "
			       "image back without the device's hooks)",
			       vp->name);
	return 0;
}

/* Table and PBA first, then the enable the restored image holds: VFIO
 * gets the whole table in one SET_IRQS. */
static int msix_apply(struct vfio_pci *vp, struct vsnap_load *ld,
		      char *err, size_t errlen)
{
	struct msix_state *m = vp->msix;

	pthread_mutex_lock(&vp->lock);
	memcpy(m->tbl, ld->msix->tbl, msix_table_size(m->nr));
	memcpy(m->pba, ld->msix->pba, msix_pba_size(m->nr));
	pthread_mutex_unlock(&vp->lock);
	vfio_intr_msix_ctrl(vp);
	return 0;
}

/* ---- "msi" ---- */

static bool has_msi(const struct vfio_pci *vp)
{
	return vp->has_msi;
}

static int msi_save(struct vfio_pci *vp, struct sbuf *b, char *err,
		    size_t errlen)
{
	pthread_mutex_lock(&vp->lock);
	sb_state(b, desc("msi"), &vp->msi);
	pthread_mutex_unlock(&vp->lock);
	return 0;
}

static int msi_read(struct vfio_pci *vp, struct sreader *r,
		    struct vsnap_load *ld, char *err, size_t errlen)
{
	char e[256];

	msi_init(&ld->msi, vp->msi.maskable);
	if (sr_state(r, desc("msi"), &ld->msi, e, sizeof(e)))
		return set_err(err, errlen, "%s: %s", vp->name, e);
	if (ld->msi.maskable != vp->msi.maskable)
		return set_err(err, errlen, "%s: MSI per-vector masking: "
			       "snapshot %d, this device %d", vp->name,
			       ld->msi.maskable, vp->msi.maskable);
	if (vp->msi.enabled)
		return set_err(err, errlen, "%s: MSI is enabled before its "
			       "state is restored (the bus must put the config "
			       "image back without the device's hooks)",
			       vp->name);
	return 0;
}

/* The pending bits, then the registers the restored image holds. */
static int msi_apply(struct vfio_pci *vp, struct vsnap_load *ld,
		     char *err, size_t errlen)
{
	u32 all = vp->vmsi.nr >= 32 ? ~0u : (1u << vp->vmsi.nr) - 1;

	pthread_mutex_lock(&vp->lock);
	vp->msi.pending = ld->msi.pending & all;
	pthread_mutex_unlock(&vp->lock);
	vfio_intr_msi_update(vp);
	return 0;
}

/* ---- "command": what the bus restores only in the image ---- */

/* The command bits lkvm forwards (bus master, INTx disable...): the bus
 * puts the guest's command back in the image only, so they are written
 * to the device here, last, once its interrupts are in place. */
static int cmd_save(struct vfio_pci *vp, struct sbuf *b, char *err,
		    size_t errlen)
{
	sb_u16(b, pci_cfg_get16(&vp->pci, PCI_COMMAND));
	return 0;
}

static int cmd_read(struct vfio_pci *vp, struct sreader *r,
		    struct vsnap_load *ld, char *err, size_t errlen)
{
	ld->cmd = sr_u16(r);
	return 0;
}

static int cmd_apply(struct vfio_pci *vp, struct vsnap_load *ld,
		     char *err, size_t errlen)
{
	u16 fwd = vp->cfg.fwd[PCI_COMMAND] | vp->cfg.fwd[PCI_COMMAND + 1] << 8;
	u8 d[2];
	u16 v;

	if (!fwd)
		return 0;
	if (vfio_cfg_read(&vp->vdev, PCI_COMMAND, d, 2))
		return set_err(err, errlen, "%s: reading the command register:"
			       " %s", vp->name, strerror(errno));
	v = (u16)((d[0] | d[1] << 8) & ~fwd) | (ld->cmd & fwd);
	d[0] = (u8)v;
	d[1] = (u8)(v >> 8);
	if (vfio_cfg_write(&vp->vdev, PCI_COMMAND, d, 2))
		return set_err(err, errlen, "%s: writing the command register:"
			       " %s", vp->name, strerror(errno));
	return 0;
}

/* Save and apply order. The fingerprint must be the first part read. */
static const struct vsnap_part vsnap_parts[] = {
	{ "fingerprint", always, fp_save, fp_read, NULL },
	{ "vfio-pci-config", always, cfg_save, cfg_read, NULL },
	{ "device-data", always, data_save, data_read, data_apply },
	{ "msix", has_msix, msix_save, msix_read, msix_apply },
	{ "msi", has_msi, msi_save, msi_read, msi_apply },
	{ "command", always, cmd_save, cmd_read, cmd_apply },
};

#define NR_PARTS	ARRAY_SIZE(vsnap_parts)

/* ---- hooks ---- */

/* The device as the user named it: the sysfs path given, else the BDF or
 * the mdev's UUID. */
static const char *user_name(const struct vfio_pci *vp)
{
	return vp->vdev.spec.path[0] ? vp->vdev.spec.path : vp->vdev.spec.name;
}

/* The driver's estimate of the data STOP_COPY will give (Linux 6.2+;
 * without it, the bound is checked while reading). */
static int check_size(struct vfio_pci *vp, char *err, size_t errlen)
{
	u64 len;

	if (vfio_mig_data_size(&vp->vdev, &len) || len <= VFIO_MIG_MAX_DATA)
		return 0;
	return set_err(err, errlen, "%s: its device data would be %llu "
		       "bytes, more than the %u MiB lkvm saves: run the VM "
		       "without this --vfio device to snapshot or migrate it",
		       user_name(vp), (unsigned long long)len,
		       VFIO_MIG_MAX_DATA >> 20);
}

int vfio_snap_check(struct pci_dev *dev, char *err, size_t errlen)
{
	struct vfio_pci *vp = dev->priv;
	const char *why = "its driver has no STOP_COPY state";
	u64 flags = 0;

	if (vfio_mig_flags(&vp->vdev, &flags))
		why = errno == ENOTTY ? "its host driver has no migration "
		      "support" : strerror(errno);
	else if (flags & VFIO_MIGRATION_STOP_COPY)
		return check_size(vp, err, errlen);
	return set_err(err, errlen, "%s (%04x:%04x) does not support VFIO "
		       "migration (%s): run the VM without this --vfio device "
		       "to snapshot or migrate it", user_name(vp),
		       (u32)le_get(vp->cfg.real + PCI_VENDOR_ID, 2),
		       (u32)le_get(vp->cfg.real + PCI_DEVICE_ID, 2), why);
}

static int save_part(struct vfio_pci *vp, const struct vsnap_part *p,
		     struct sbuf *b, char *err, size_t errlen)
{
	struct sbuf body = { 0 };
	int r;

	r = p->save(vp, &body, err, errlen);
	if (!r && body.oom)
		r = set_err(err, errlen, "%s: out of memory saving its %s "
			    "state", vp->name, p->name);
	if (!r) {
		sb_str(b, p->name);
		sb_blob(b, body.p, (u32)body.len);
	}
	sb_free(&body);
	return r;
}

int vfio_snap_save(struct pci_dev *dev, struct sbuf *b, char *err,
		   size_t errlen)
{
	struct vfio_pci *vp = dev->priv;
	u16 n = 0;
	u32 i;

	if (vfio_snap_check(dev, err, errlen))
		return -1;
	for (i = 0; i < NR_PARTS; i++)
		n += vsnap_parts[i].present(vp);
	sb_u32(b, VFIO_SNAP_MAGIC);
	sb_u16(b, VFIO_SNAP_VERSION);
	sb_u16(b, n);
	for (i = 0; i < NR_PARTS; i++) {
		if (!vsnap_parts[i].present(vp))
			continue;
		if (save_part(vp, &vsnap_parts[i], b, err, errlen))
			goto fail;
	}
	if (!b->oom)
		return 0;
	set_err(err, errlen, "%s: out of memory", vp->name);
fail:
	vfio_snap_dev_resume(vp, NULL, 0);	/* running again, if stopped */
	return -1;
}

static const struct vsnap_part *find_part(const char *name)
{
	u32 i;

	for (i = 0; i < NR_PARTS; i++)
		if (!strcmp(vsnap_parts[i].name, name))
			return &vsnap_parts[i];
	return NULL;
}

/* One named part: its hook reads its whole blob. */
static int read_part(struct vfio_pci *vp, struct sreader *r, u32 i,
		     struct vsnap_load *ld, char *err, size_t errlen)
{
	const struct vsnap_part *p;
	char name[SNAP_TYPE_LEN + 8];
	struct sreader sub;
	const u8 *body;
	u32 len, bit;

	sr_str(r, name, sizeof(name));
	body = sr_blob(r, &len);
	if (r->bad)
		return set_err(err, errlen, "%s: saved state truncated in part "
			       "%u", vp->name, i);
	p = find_part(name);
	if (!p)
		return set_err(err, errlen, "%s: unknown part '%s' in the saved"
			       " state (from a newer lkvm?)", vp->name, name);
	bit = 1u << (p - vsnap_parts);
	if ((i == 0) != (p == vsnap_parts) || (ld->seen & bit))
		return set_err(err, errlen, "%s: saved state: part '%s' out of "
			       "place", vp->name, name);
	if (!p->present(vp))
		return set_err(err, errlen, "%s: the snapshot has %s state, "
			       "this device has none", vp->name, name);
	sr_init(&sub, body, len);
	if (p->read(vp, &sub, ld, err, errlen))
		return -1;
	if (!sr_done(&sub))
		return set_err(err, errlen, "%s: saved %s state is malformed "
			       "(%zu of %u bytes read)", vp->name, name,
			       sub.off, len);
	ld->seen |= bit;
	return 0;
}

static int read_all_parts(struct vfio_pci *vp, struct sreader *r,
			  struct vsnap_load *ld, char *err, size_t errlen)
{
	u32 magic = sr_u32(r), i;
	u16 ver = sr_u16(r), n = sr_u16(r);

	if (r->bad)
		return set_err(err, errlen, "%s: saved state truncated",
			       vp->name);
	if (magic != VFIO_SNAP_MAGIC)
		return set_err(err, errlen, "%s: the saved state is not an "
			       "assigned device's (magic 0x%08x)", vp->name,
			       magic);
	if (ver > VFIO_SNAP_VERSION)
		return set_err(err, errlen, "%s: saved state version %u is "
			       "newer than this lkvm's %u", vp->name, ver,
			       VFIO_SNAP_VERSION);
	for (i = 0; i < n; i++)
		if (read_part(vp, r, i, ld, err, errlen))
			return -1;
	for (i = 0; i < NR_PARTS; i++)
		if (vsnap_parts[i].present(vp) && !(ld->seen & (1u << i)))
			return set_err(err, errlen, "%s: the snapshot has no "
				       "%s state for this device", vp->name,
				       vsnap_parts[i].name);
	return 0;
}

int vfio_snap_load(struct pci_dev *dev, struct sreader *r, char *err,
		   size_t errlen)
{
	struct vfio_pci *vp = dev->priv;
	struct vsnap_load *ld = calloc(1, sizeof(*ld));
	int ret = -1;
	u32 i;

	if (!ld)
		return set_err(err, errlen, "%s: out of memory", vp->name);
	if (read_all_parts(vp, r, ld, err, errlen))
		goto out;
	for (i = 0; i < NR_PARTS; i++)
		if ((ld->seen & (1u << i)) && vsnap_parts[i].apply &&
		    vsnap_parts[i].apply(vp, ld, err, errlen))
			goto out;
	ret = 0;
out:
	free(ld->cfg);
	free(ld->msix);
	free(ld);
	return ret;
}

int vfio_snap_dev_stop(struct vfio_pci *vp, char *err, size_t errlen)
{
	if (vp->pre_on)
		return vfio_precopy_stop(vp, err, errlen);
	return vfio_mig_stop(&vp->vdev, err, errlen);
}

int vfio_snap_dev_resume(struct vfio_pci *vp, char *err, size_t errlen)
{
	vfio_snap_precopy_abort(&vp->pci);	/* a migration cut short */
	return vfio_mig_run(&vp->vdev, err, errlen);
}

int vfio_snap_quiesce(struct pci_dev *dev, char *err, size_t errlen)
{
	struct vfio_pci *vp = dev->priv;
	u64 flags;

	if (vfio_mig_flags(&vp->vdev, &flags))
		return 0;	/* snap_check refused it already */
	return vfio_snap_dev_stop(vp, err, errlen);
}

void vfio_snap_resume_hook(struct pci_dev *dev)
{
	struct vfio_pci *vp = dev->priv;
	char err[VFIO_ERR_LEN];
	u64 flags;

	if (vfio_mig_flags(&vp->vdev, &flags))
		return;		/* never stopped: no migration support */
	if (vfio_snap_dev_resume(vp, err, sizeof(err)))
		pr_warn("%s: not running again after the save: %s",
			vp->name, err);
}
