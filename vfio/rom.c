/* The expansion ROM image of romfile=PATH: read once at start into memory
 * and served read-only through the ROM BAR instead of the device's ROM
 * region (vfio/bar.c), sized up to a power of two as a ROM BAR must be; and
 * the copy of the ROM (either) that a read-only memslot maps. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "vfio/pci.h"

#define ROM_MIN		(2 * 1024)		/* PCI's smallest ROM BAR */
#define ROM_MAX		(16 * 1024 * 1024)	/* option ROMs are far smaller */

static u64 rom_size_for(u64 len)
{
	u64 s = ROM_MIN;

	while (s < len)
		s <<= 1;
	return s;
}

static int read_all(int fd, u8 *buf, u64 len)
{
	u64 done = 0;
	ssize_t n;

	while (done < len) {
		n = read(fd, buf + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		done += n;
	}
	return 0;
}

int vfio_rom_load(struct vfio_pci *vp, char *err, size_t errlen)
{
	const char *path = vp->vdev.spec.romfile;
	struct stat st;
	int fd, r = -1;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return set_err(err, errlen, "%s: romfile=%s: %s", vp->name,
			       path, strerror(errno));
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    st.st_size > ROM_MAX) {
		set_err(err, errlen, "%s: romfile=%s: not a regular file of 1 "
			"byte to %d MiB", vp->name, path, ROM_MAX >> 20);
		goto out;
	}
	vp->rom_size = rom_size_for(st.st_size);
	vp->rom = calloc(1, vp->rom_size);
	if (!vp->rom) {
		set_err(err, errlen, "%s: romfile=%s: out of memory", vp->name,
			path);
		goto out;
	}
	if (read_all(fd, vp->rom, st.st_size)) {
		set_err(err, errlen, "%s: romfile=%s: short read", vp->name,
			path);
		free(vp->rom);
		vp->rom = NULL;
		goto out;
	}
	r = 0;
out:
	close(fd);
	return r;
}

/* The device's ROM region into buf, a page at a time. */
static int read_region(struct vfio_pci *vp, u8 *buf, u64 size)
{
	u64 off, n;

	for (off = 0; off < size; off += n) {
		n = MIN(size - off, (u64)4096);
		if (vfio_region_read(&vp->vdev, PCI_ROM_SLOT, off, buf + off,
				     n))
			return -1;
	}
	return 0;
}

void *vfio_rom_map_get(struct vfio_pci *vp, u64 size)
{
	u8 *buf;

	if (vp->rom_map || vp->rom_map_failed)
		return vp->rom_map;
	vp->rom_map_failed = true;
	buf = mmap(NULL, size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		return NULL;
	if (vp->rom)
		memcpy(buf, vp->rom, MIN(size, vp->rom_size));
	else if (read_region(vp, buf, size)) {
		pr_debug("%s: the ROM region could not be read whole: its "
			 "reads trap", vp->name);
		munmap(buf, size);
		return NULL;
	}
	vp->rom_map = buf;
	vp->rom_map_size = size;
	vp->rom_map_failed = false;
	return buf;
}

void vfio_rom_map_free(struct vfio_pci *vp)
{
	if (vp->rom_map)
		munmap(vp->rom_map, vp->rom_map_size);
	vp->rom_map = NULL;
}
