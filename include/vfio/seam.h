/* The VFIO kernel edge: every open/ioctl/pread/pwrite/mmap/close lkvm's VFIO
 * code issues goes through a struct vfio_seam_ops, chosen per container
 * (NULL: vfio_seam_real), so unit tests can swap in a simulated device. */
#ifndef LKVM_VFIO_SEAM_H
#define LKVM_VFIO_SEAM_H

#include <errno.h>
#include <sys/stat.h>
#include <sys/types.h>
#include "lkvm/util.h"

/*
 * Each call takes ctx first and follows the libc convention: -1 (or
 * MAP_FAILED) with errno set on failure. sysfs_root is where sysfs is
 * read from ("/sys"; a temporary tree in tests); sysfs is read with plain
 * libc calls below that root.
 */
struct vfio_seam_ops {
	const char *name;
	void *ctx;
	const char *sysfs_root;
	const char *interrupts;	/* /proc/interrupts, read by vfio/irqstat.c */
	int (*open)(void *ctx, const char *path, int flags);
	int (*close)(void *ctx, int fd);
	int (*ioctl)(void *ctx, int fd, unsigned long req, void *arg);
	ssize_t (*pread)(void *ctx, int fd, void *buf, size_t len, off_t off);
	ssize_t (*pwrite)(void *ctx, int fd, const void *buf, size_t len,
			  off_t off);
	/* Streams without an offset: a migration data fd (pread is ESPIPE) */
	ssize_t (*read)(void *ctx, int fd, void *buf, size_t len);
	ssize_t (*write)(void *ctx, int fd, const void *buf, size_t len);
	void *(*mmap)(void *ctx, size_t len, int prot, int fd, off_t off);
	int (*munmap)(void *ctx, void *addr, size_t len);
	/* what an inherited fd is (fd=N: a VFIO cdev?) */
	int (*fstat)(void *ctx, int fd, struct stat *st);
};

/* The real kernel: libc calls, sysfs at /sys. */
extern const struct vfio_seam_ops vfio_seam_real;


/* Thin wrappers: s->op(s->ctx, ...). */
static inline int seam_open(const struct vfio_seam_ops *s, const char *path,
			    int flags)
{
	return s->open(s->ctx, path, flags);
}

static inline int seam_close(const struct vfio_seam_ops *s, int fd)
{
	return s->close(s->ctx, fd);
}

static inline int seam_ioctl(const struct vfio_seam_ops *s, int fd,
			     unsigned long req, void *arg)
{
	return s->ioctl(s->ctx, fd, req, arg);
}

static inline ssize_t seam_pread(const struct vfio_seam_ops *s, int fd,
				 void *buf, size_t len, off_t off)
{
	return s->pread(s->ctx, fd, buf, len, off);
}

static inline ssize_t seam_pwrite(const struct vfio_seam_ops *s, int fd,
				  const void *buf, size_t len, off_t off)
{
	return s->pwrite(s->ctx, fd, buf, len, off);
}

static inline ssize_t seam_read(const struct vfio_seam_ops *s, int fd,
				void *buf, size_t len)
{
	return s->read(s->ctx, fd, buf, len);
}

static inline ssize_t seam_write(const struct vfio_seam_ops *s, int fd,
				 const void *buf, size_t len)
{
	return s->write(s->ctx, fd, buf, len);
}

static inline void *seam_mmap(const struct vfio_seam_ops *s, size_t len,
			      int prot, int fd, off_t off)
{
	return s->mmap(s->ctx, len, prot, fd, off);
}

static inline int seam_munmap(const struct vfio_seam_ops *s, void *addr,
			      size_t len)
{
	return s->munmap(s->ctx, addr, len);
}

static inline int seam_fstat(const struct vfio_seam_ops *s, int fd,
			     struct stat *st)
{
	if (!s->fstat) {
		errno = ENOSYS;
		return -1;
	}
	return s->fstat(s->ctx, fd, st);
}

/* "<sysfs_root>/<fmt...>" into buf; returns buf. */
char *seam_sysfs_path(const struct vfio_seam_ops *s, char *buf, size_t len,
		      const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
