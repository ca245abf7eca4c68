/* The real VFIO seam: libc open/ioctl/pread/pwrite/read/write/mmap/close
 * on the kernel's /dev/vfio files (and migration data fds) and sysfs under
 * /sys (include/vfio/seam.h); tests give a container simulated ops. */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "vfio/seam.h"

static int real_open(void *ctx, const char *path, int flags)
{
	return open(path, flags | O_CLOEXEC);
}

static int real_close(void *ctx, int fd)
{
	return close(fd);
}

static int real_ioctl(void *ctx, int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg);
}

static ssize_t real_pread(void *ctx, int fd, void *buf, size_t len, off_t off)
{
	return pread(fd, buf, len, off);
}

static ssize_t real_pwrite(void *ctx, int fd, const void *buf, size_t len,
			   off_t off)
{
	return pwrite(fd, buf, len, off);
}

static ssize_t real_read(void *ctx, int fd, void *buf, size_t len)
{
	return read(fd, buf, len);
}

static ssize_t real_write(void *ctx, int fd, const void *buf, size_t len)
{
	return write(fd, buf, len);
}

static void *real_mmap(void *ctx, size_t len, int prot, int fd, off_t off)
{
	return mmap(NULL, len, prot, MAP_SHARED, fd, off);
}

static int real_munmap(void *ctx, void *addr, size_t len)
{
	return munmap(addr, len);
}

static int real_fstat(void *ctx, int fd, struct stat *st)
{
	return fstat(fd, st);
}

const struct vfio_seam_ops vfio_seam_real = {
	.name = "kernel",
	.sysfs_root = "/sys",
	.interrupts = "/proc/interrupts",
	.open = real_open,
	.close = real_close,
	.ioctl = real_ioctl,
	.pread = real_pread,
	.pwrite = real_pwrite,
	.read = real_read,
	.write = real_write,
	.mmap = real_mmap,
	.munmap = real_munmap,
	.fstat = real_fstat,
};

char *seam_sysfs_path(const struct vfio_seam_ops *s, char *buf, size_t len,
		      const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(buf, len, "%s/", s->sysfs_root ? s->sysfs_root : "/sys");
	if (n < 0 || (size_t)n >= len)
		return buf;
	va_start(ap, fmt);
	vsnprintf(buf + n, len - n, fmt, ap);
	va_end(ap);
	return buf;
}
