/* Loads what -k, -i and -p name into guest RAM on arm64: the Image at
 * text_offset from RAM's 2 MiB aligned base, the initrd and the device tree
 * (also written to --dump-dtb) near the top; sets the boot vCPU's PC/X0.
 * Regular files are read straight into guest RAM, never through a buffer. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "arm64/arch.h"
#include "arm64/dt.h"
#include "arm64/image.h"
#include "kvm/boot.h"
#include "pci/pci.h"

static int write_file(const char *path, const void *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ssize_t n = -1;

	if (fd >= 0) {
		n = write(fd, buf, len);
		if (close(fd))
			n = -1;
	}
	if (n != (ssize_t)len) {
		pr_err("--dump-dtb: cannot write '%s': %s", path,
		       strerror(errno));
		return -1;
	}
	return 0;
}

static int place_dtb(struct vm *vm, const struct arm64_boot_layout *l,
		     const char *cmdline)
{
	struct pci_windows w;
	struct arm64_dt_config c = {
		.nr_cpus = vm->nr_cpus,
		.ram_base = ARM64_RAM_BASE,
		.ram_size = vm->ram_size,
		.gic = arm64_vm(vm)->gic.type,
		.bootargs = cmdline,
		.initrd_start = l->initrd,
		.initrd_end = l->initrd_end,
		.pci_io_cpu = ARM64_PCI_IO,
		.debug_exit = vm->cfg->debug_exit,
	};
	void *dtb;
	size_t len;
	int ret = -1;

	if (vm->pci) {
		w = vm->pci->host_win;
		c.pci = &w;
		c.pci_last_bus = pci_last_bus(vm);
	}
	if (arm64_dt_build(&c, &dtb, &len)) {
		pr_err("cannot build the device tree");
		return -1;
	}
	if (len > ARM64_DTB_MAX) {
		pr_err("device tree of %zu bytes is above the 2 MiB limit", len);
		goto out;
	}
	memcpy(guest_ptr(&vm->mem, l->dtb, len), dtb, len);
	if (vm->cfg->dump_dtb && write_file(vm->cfg->dump_dtb, dtb, len))
		goto out;
	pr_debug("DTB at 0x%llx, %zu bytes", (unsigned long long)l->dtb, len);
	ret = 0;
out:
	free(dtb);
	return ret;
}

/* A kernel or initrd file: a regular file is read straight into guest RAM
 * once its place is known; anything else (a pipe) is buffered first. */
struct bfile {
	const char *what, *path;
	int fd;
	void *buf;
	size_t len;
};

static int bfile_open(struct vm *vm, struct bfile *f)
{
	int r;

	f->fd = -1;
	f->buf = NULL;
	f->len = 0;
	r = boot_open_sized(f->what, f->path, vm->ram_size, &f->fd, &f->len);
	if (r < 0)
		return -1;
	if (r > 0)
		return 0;
	f->fd = -1;
	return boot_load_file(f->what, f->path, vm->ram_size, &f->buf,
			      &f->len) ? -1 : 0;
}

static int bfile_read(struct vm *vm, struct bfile *f, u64 off, void *dst,
		      size_t n)
{
	if (f->fd < 0) {
		memcpy(dst, (u8 *)f->buf + off, n);
		return 0;
	}
	return boot_read_into(f->what, f->path, vm->ram_size, f->fd, off, dst,
			      n);
}

static void bfile_close(struct bfile *f)
{
	if (f->fd >= 0)
		close(f->fd);
	free(f->buf);
	f->fd = -1;
	f->buf = NULL;
}

static void log_layout(const struct arm64_boot_layout *l,
		       const struct arm64_image *im, const char *cmdline)
{
	pr_debug("Image at 0x%llx (text_offset 0x%llx, 0x%llx bytes, %u KiB "
		 "pages), initrd 0x%llx-0x%llx, cmdline \"%s\"",
		 (unsigned long long)l->kernel, (unsigned long long)im->text_offset,
		 (unsigned long long)im->image_size, im->page_size / 1024,
		 (unsigned long long)l->initrd, (unsigned long long)l->initrd_end,
		 cmdline);
}

static int arm64_boot_init(struct vm *vm)
{
	struct arm64_vm *a = arm64_vm(vm);
	struct bfile k = { "kernel", vm->cfg->kernel, -1 };
	struct bfile i = { "initrd", vm->cfg->initrd, -1 };
	u8 hdr[ARM64_IMAGE_HDR_SIZE];
	struct arm64_image im;
	struct arm64_boot_layout l;
	char err[256], *cmdline = NULL;
	int ret = -1;

	if (vm->restored)	/* guest RAM and registers come from the snapshot */
		return 0;
	if (bfile_open(vm, &k))
		return -1;
	if (bfile_read(vm, &k, 0, hdr, MIN(k.len, sizeof(hdr))))
		goto out;
	if (arm64_image_parse(hdr, k.len, &im, err, sizeof(err))) {
		pr_err("kernel '%s': %s", k.path, err);
		goto out;
	}
	if (i.path && bfile_open(vm, &i))
		goto out;
	if (arm64_boot_place(ARM64_RAM_BASE, vm->ram_size, &im, i.len,
			     getpagesize(), &l, err, sizeof(err))) {
		pr_err("%s", err);
		goto out;
	}
	if (bfile_read(vm, &k, 0, guest_ptr(&vm->mem, l.kernel, k.len), k.len))
		goto out;
	if (i.len && bfile_read(vm, &i, 0, guest_ptr(&vm->mem, l.initrd, i.len),
				i.len))
		goto out;
	cmdline = boot_cmdline(vm->cfg, NULL);
	if (!cmdline || place_dtb(vm, &l, cmdline))
		goto out;
	a->entry = l.kernel;
	a->dtb = l.dtb;
	log_layout(&l, &im, cmdline);
	ret = 0;
out:
	free(cmdline);
	bfile_close(&i);
	bfile_close(&k);
	return ret;
}

LKVM_INIT(INIT_BOOT, arm64_boot_init, NULL)
