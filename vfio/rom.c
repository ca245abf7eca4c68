/* The expansion ROM image of romfile=PATH: read once at start into memory
 * and served read-only through the ROM BAR instead of the device's ROM
 * region (vfio/bar.c), sized up to a power of two as a ROM BAR must be. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
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
