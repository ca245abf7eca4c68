/* `lkvm vfio list|bind|unbind`: the host's PCI devices as passthrough
 * candidates (driver, IOMMU group, whether and how each can be assigned,
 * reset methods, MSI-X layout, VFIO cdev; whether iommufd is there) and
 * moving one to vfio-pci and back. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <linux/pci_regs.h>
#include "kvm/control.h"
#include "pci/pci.h"
#include "vfio/doctor.h"
#include "vfio/msix_reloc.h"

#define SYSFS_DEV	"bus/pci/devices/%s"

/* The file dir/name of the device's sysfs tree into buf (cut, 0-ended);
 * bytes read, or -1. */
static ssize_t dev_read(const struct vfio_seam_ops *ops, const char *bdf,
			const char *name, void *buf, size_t len)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	seam_sysfs_path(ops, path, sizeof(path), SYSFS_DEV "/%s", bdf, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	((char *)buf)[n < 0 ? 0 : n] = 0;
	return n;
}

static u32 dev_hex(const struct vfio_seam_ops *ops, const char *bdf,
		   const char *name)
{
	char path[PATH_MAX];

	seam_sysfs_path(ops, path, sizeof(path), SYSFS_DEV "/%s", bdf, name);
	return vfio_sysfs_hex(path);
}

/* Base name of the device's link `name` (driver, iommu_group), or "". */
static const char *dev_link(const struct vfio_seam_ops *ops, const char *bdf,
			    const char *name, char *out, size_t len)
{
	char path[PATH_MAX];

	seam_sysfs_path(ops, path, sizeof(path), SYSFS_DEV "/%s", bdf, name);
	if (vfio_sysfs_link(path, out, len))
		out[0] = 0;
	return out;
}

/* BARs from the "resource" file (start end flags per line). */
static void read_bars(const char *res, struct pci_bar_layout *l, u64 page)
{
	unsigned long long s, e, f;
	int i;

	for (i = 0; i < PCI_NUM_BARS && res; i++, res = strchr(res, '\n')) {
		res += *res == '\n';
		if (sscanf(res, "%llx %llx %llx", &s, &e, &f) != 3 || !e)
			continue;
		l->bar[i].size = e - s + 1;
		l->bar[i].is_io = f & 0x100;		/* IORESOURCE_IO */
		l->bar[i].is_64 = f & 0x100000;		/* IORESOURCE_MEM_64 */
		l->bar[i].prefetch = f & 0x2000;	/* IORESOURCE_PREFETCH */
		l->bar[i].mmap = !l->bar[i].is_io && l->bar[i].size >= page;
		l->bar[i].msix_mappable = true;		/* Linux >= 4.16 */
	}
}

static int find_msix(void *arg, u32 off, u16 id)
{
	return id == PCI_CAP_ID_MSIX ? (int)off : 0;
}

/* One line on MSI-X: where it is and what it costs at this page size. */
static void show_msix(const u8 *cfg, size_t n, const char *res, u64 page,
		      FILE *out)
{
	struct msix_reloc_opt opt = { MSIX_RELOC_OFF, 0 };	/* its cost */
	struct pci_bar_layout l = { .has_msix = true };
	struct msix_reloc_result r;
	char err[160];
	int pos = n >= 64 ? pci_cap_walk(pci_cfg_rd_bytes, cfg, n, false,
					 find_msix, NULL) : 0;

	if (pos <= 0 || (size_t)pos + 12 > n) {
		fprintf(out, "  msix: %s\n", !n ? "unknown (config space not "
			"readable)" : n < 256 ? "unknown (config space beyond "
			"the header readable by root only)" : "none");
		return;
	}
	read_bars(res, &l, page);
	if (msix_info_decode(le_get(cfg + pos + 2, 2), le_get(cfg + pos + 4, 4),
			     le_get(cfg + pos + 8, 4), &l.msix)) {
		fprintf(out, "  msix: bad table/PBA BAR\n");
		return;
	}
	fprintf(out, "  msix: %u vectors, table BAR%u+0x%llx, PBA BAR%u+0x%llx",
		l.msix.vectors, l.msix.table_bir,
		(unsigned long long)l.msix.table_offset, l.msix.pba_bir,
		(unsigned long long)l.msix.pba_offset);
	if (msix_reloc_choose(&l, &opt, page, &r, err, sizeof(err)))
		fprintf(out, "; %s\n", err);
	else if (!r.trapped_bytes)
		fprintf(out, "; %llu KiB pages: nothing beside it traps\n",
			(unsigned long long)(page >> 10));
	else
		fprintf(out, "; %llu KiB pages: 0x%llx register bytes share its "
			"pages and trap in place%s\n", (unsigned long long)
			(page >> 10), (unsigned long long)r.trapped_bytes,
			r.relocation_helps ? "; relocation maps them "
			"(msix-relocation=auto, the default, tries it)" :
			"; relocation would not help");
}

struct members {
	char *out;
	size_t len, used;
};

static void add_member(void *arg, const char *bdf, const char *dir)
{
	struct members *m = arg;

	if (m->used < m->len)
		m->used += snprintf(m->out + m->used, m->len - m->used, " %s",
				    bdf);
}

/* Other members of the device's IOMMU group, as " a b c", or "". */
static void group_members(const struct vfio_seam_ops *ops, const char *grp,
			  const char *bdf, char *out, size_t len)
{
	struct members m = { out, len, 0 };

	out[0] = 0;
	if (*grp)
		vfio_group_each(ops, grp, bdf, add_member, &m);
}

/* Whether the device can be passed through now, else the one fix. */
static void show_assign(const struct vfio_seam_ops *ops, const char *bdf,
			const char *drv, const char *grp, bool alone,
			FILE *out)
{
	char err[1024];
	int g;

	if (!*grp)
		fprintf(out, "  assignable: no: no IOMMU group: turn the IOMMU "
			"on (intel_iommu=on or amd_iommu=on on the host kernel "
			"command line; VT-d, AMD-Vi or the SMMU in firmware)\n");
	else if (strcmp(drv, "vfio-pci"))
		fprintf(out, "  assignable: after 'lkvm vfio bind %s%s'\n",
			alone ? "" : "--group ", bdf);
	else if (vfio_host_check_device(ops, bdf, &g, err, sizeof(err)))
		fprintf(out, "  assignable: no: %s; 'lkvm vfio bind --group %s' "
			"moves the others too\n", err, bdf);
	else
		fprintf(out, "  assignable: yes (lkvm run --vfio %s)\n", bdf);
}

/* A vfio-pci device's cdev (the iommufd path), or why it has none. */
static void show_cdev(const struct vfio_seam_ops *ops, const char *bdf,
		      FILE *out)
{
	struct vfio_spec sp = { 0 };
	char name[32], why[512] = "";

	if (strlen(bdf) >= sizeof(sp.name))
		return;
	memcpy(sp.name, bdf, strlen(bdf) + 1);
	if (vfio_cdev_find(ops, &sp, name, sizeof(name), why, sizeof(why)) > 0)
		fprintf(out, "  cdev: %s (/dev/vfio/devices/%s)\n", name, name);
	else
		fprintf(out, "  cdev: none: %s\n", why);
}

/* Whether /dev/iommu can be opened: the iommufd path's other half. */
static void show_iommufd(const struct vfio_seam_ops *ops, FILE *out)
{
	int fd = seam_open(ops, "/dev/iommu", O_RDWR | O_CLOEXEC);

	if (fd >= 0) {
		seam_close(ops, fd);
		fprintf(out, "iommufd: available (/dev/iommu): devices with a "
			"cdev use it (iommu=auto)\n");
	} else if (errno == ENOENT) {
		fprintf(out, "iommufd: no /dev/iommu (a kernel without "
			"CONFIG_IOMMUFD, or 'modprobe iommufd'): the legacy "
			"path (/dev/vfio/vfio) is used\n");
	} else {
		fprintf(out, "iommufd: /dev/iommu: %s: the legacy path "
			"(/dev/vfio/vfio) is used\n", strerror(errno));
	}
}

static void show_dev(const struct vfio_seam_ops *ops, const char *bdf,
		     u64 page, FILE *out)
{
	char drv[64], grp[16], members[512], resets[128], res[1024];
	u8 cfg[PCI_CFG_SIZE + 1] = { 0 };	/* + the 0 dev_read adds */
	ssize_t n;

	dev_link(ops, bdf, "driver", drv, sizeof(drv));
	dev_link(ops, bdf, "iommu_group", grp, sizeof(grp));
	group_members(ops, grp, bdf, members, sizeof(members));
	fprintf(out, "%s %04x:%04x class %06x driver %s group %s%s%s\n", bdf,
		dev_hex(ops, bdf, "vendor"), dev_hex(ops, bdf, "device"),
		dev_hex(ops, bdf, "class"), *drv ? drv : "(none)",
		*grp ? grp : "(none)", *members ? " with" : "", members);
	show_assign(ops, bdf, drv, grp, !*members, out);
	if (dev_read(ops, bdf, "reset_method", resets, sizeof(resets)) <= 0)
		snprintf(resets, sizeof(resets), "none\n");
	fprintf(out, "  reset: %s", resets);
	n = dev_read(ops, bdf, "config", cfg, sizeof(cfg));
	if (dev_read(ops, bdf, "resource", res, sizeof(res)) < 0)
		res[0] = 0;
	show_msix(cfg, n < 0 ? 0 : (size_t)n, res, page, out);
	if (!strcmp(drv, "vfio-pci"))
		show_cdev(ops, bdf, out);
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

int vfio_doctor_list(const struct vfio_seam_ops *ops, u64 page, FILE *out)
{
	struct dirent **de;
	char dir[PATH_MAX];
	int n, i;

	seam_sysfs_path(ops, dir, sizeof(dir), "bus/pci/devices");
	n = scandir(dir, &de, NULL, by_name);
	if (n < 0) {
		pr_err("vfio list: cannot read %s: %s", dir, strerror(errno));
		return -1;
	}
	show_iommufd(ops, out);
	for (i = 0; i < n; i++) {
		if (de[i]->d_name[0] != '.')
			show_dev(ops, de[i]->d_name, page, out);
		free(de[i]);
	}
	free(de);
	return 0;
}

/* Writes s to the sysfs file fmt... (under the seam's root). */
static int sysfs_write(const struct vfio_seam_ops *ops, const char *s,
		       char *err, size_t errlen, const char *fmt, const char *a,
		       const char *b)
{
	char path[PATH_MAX];
	ssize_t n = -1;
	int fd;

	seam_sysfs_path(ops, path, sizeof(path), fmt, a, b);
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);	/* as echo > */
	if (fd >= 0) {
		n = write(fd, s, strlen(s));
		close(fd);
	}
	if (n == (ssize_t)strlen(s))
		return 0;
	return set_err(err, errlen, "writing '%s' to %s: %s", s, path,
		       strerror(errno));
}

/* Where the driver a device had before `bind` is kept. */
static int saved_path(const char *bdf, char *buf, size_t len)
{
	if (control_dir(buf, len))
		return -1;
	mkdir(buf, 0700);
	snprintf(buf + strlen(buf), len - strlen(buf), "/host-driver-%s", bdf);
	return 0;
}

static int bind_one(const struct vfio_seam_ops *ops, const char *bdf,
		    char *err, size_t errlen)
{
	char drv[64], path[PATH_MAX];
	FILE *f;

	dev_link(ops, bdf, "driver", drv, sizeof(drv));
	if (!strcmp(drv, "vfio-pci"))
		return 0;
	if (!saved_path(bdf, path, sizeof(path)) && access(path, F_OK) &&
	    (f = fopen(path, "we"))) {
		fprintf(f, "%s\n", drv);
		fclose(f);
	}
	if (sysfs_write(ops, "vfio-pci", err, errlen, SYSFS_DEV "/%s", bdf,
			"driver_override") ||
	    (*drv && sysfs_write(ops, bdf, err, errlen, SYSFS_DEV "/%s", bdf,
				 "driver/unbind")) ||
	    sysfs_write(ops, bdf, err, errlen, "bus/pci/%s", "drivers_probe",
			""))
		return -1;
	dev_link(ops, bdf, "driver", drv, sizeof(drv));
	if (strcmp(drv, "vfio-pci"))
		return set_err(err, errlen, "%s: still bound to '%s' after "
			       "drivers_probe: see dmesg", bdf, *drv ? drv :
			       "no driver");
	return 0;
}

int vfio_doctor_bind(const struct vfio_seam_ops *ops, const char *bdf,
		     bool group, char *err, size_t errlen)
{
	char dir[PATH_MAX], grp[16], members[512], *m, *save;

	if (dev_hex(ops, bdf, "vendor") == 0)
		return set_err(err, errlen, "%s: no such PCI device ('lkvm vfio "
			       "list' shows them)", bdf);
	seam_sysfs_path(ops, dir, sizeof(dir), "bus/pci/drivers/vfio-pci");
	if (access(dir, F_OK))
		return set_err(err, errlen, "the vfio-pci driver is not loaded: "
			       "run 'modprobe vfio-pci'");
	if (bind_one(ops, bdf, err, errlen))
		return -1;
	if (!group)
		return 0;
	dev_link(ops, bdf, "iommu_group", grp, sizeof(grp));
	group_members(ops, grp, bdf, members, sizeof(members));
	for (m = strtok_r(members, " ", &save); m; m = strtok_r(NULL, " ", &save))
		if ((dev_hex(ops, m, "class") >> 8) != 0x0604 &&  /* bridges stay */
		    bind_one(ops, m, err, errlen))
			return -1;
	return 0;
}

int vfio_doctor_unbind(const struct vfio_seam_ops *ops, const char *bdf,
		       char *err, size_t errlen)
{
	char drv[64] = "", path[PATH_MAX];
	FILE *f;

	dev_link(ops, bdf, "driver", path, sizeof(path));
	if (strcmp(path, "vfio-pci"))
		return set_err(err, errlen, "%s: not bound to vfio-pci (driver: "
			       "%s); nothing to give back", bdf,
			       *path ? path : "none");
	if (!saved_path(bdf, path, sizeof(path)) && (f = fopen(path, "re"))) {
		if (fscanf(f, "%63s", drv) != 1)
			drv[0] = 0;
		fclose(f);
		unlink(path);
	}
	if (sysfs_write(ops, "\n", err, errlen, SYSFS_DEV "/%s", bdf,
			"driver_override") ||
	    sysfs_write(ops, bdf, err, errlen, SYSFS_DEV "/%s", bdf,
			"driver/unbind"))
		return -1;
	if (*drv)
		return sysfs_write(ops, bdf, err, errlen, "bus/pci/drivers/%s/%s",
				   drv, "bind");
	return sysfs_write(ops, bdf, err, errlen, "bus/pci/%s", "drivers_probe",
			   "");
}

static const char vfio_usage[] =
"usage: lkvm vfio list\n"
"       lkvm vfio bind [--group] <BDF>   hand the device (and, with --group,\n"
"                                        its IOMMU group) to vfio-pci\n"
"       lkvm vfio unbind <BDF>           give it back to its host driver\n"
"       lkvm vfio add [--name <vm>] <dev>[,opts]   assign it to a running VM\n"
"       lkvm vfio remove [--name <vm>] [--force] <dev>   take it back\n";

int lkvm_cmd_vfio(int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : "";
	bool group = argc > 3 && !strcmp(argv[2], "--group");
	const char *bdf = argc > 2 ? argv[argc - 1] : NULL;
	char err[1024];
	int r;

	if (!strcmp(sub, "add") || !strcmp(sub, "remove"))
		return vfio_cmd_hotplug(argc - 1, argv + 1);
	if (!strcmp(sub, "list") && argc == 2)
		return vfio_doctor_list(&vfio_seam_real, sysconf(_SC_PAGESIZE),
					stdout) ? 1 : 0;
	if (!strcmp(sub, "bind") && argc == 3 + group)
		r = vfio_doctor_bind(&vfio_seam_real, bdf, group, err,
				     sizeof(err));
	else if (!strcmp(sub, "unbind") && argc == 3)
		r = vfio_doctor_unbind(&vfio_seam_real, bdf, err, sizeof(err));
	else if (!strcmp(sub, "--help"))
		return fputs(vfio_usage, stdout), 0;
	else
		return fputs(vfio_usage, stderr), 2;
	if (r)
		fprintf(stderr, "lkvm vfio %s: %s\n", sub, err);
	return r ? 1 : 0;
}
