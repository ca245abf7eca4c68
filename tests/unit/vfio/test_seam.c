/* Unit tests of the VFIO seam (vfio/seam.c): the real kernel's ops are the
 * default and come back after a test's ops are removed; they are plain libc
 * calls (fds close-on-exec, shared mappings); sysfs paths under the root. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include "vfio/seam.h"
#include "unit.h"

TEST(seam_real_names_the_kernel)
{
	EXPECT_STR(vfio_seam_real.name, "kernel");
	EXPECT_STR(vfio_seam_real.sysfs_root, "/sys");
	EXPECT_STR(vfio_seam_real.interrupts, "/proc/interrupts");
}

TEST(seam_real_ops_are_libc)
{
	const struct vfio_seam_ops *s = &vfio_seam_real;
	char path[] = "/tmp/lkvm-seam-XXXXXX", buf[8] = { 0 };
	int tmp, fd, avail = -1;
	u8 *m;

	tmp = mkstemp(path);
	ASSERT(tmp >= 0);
	ASSERT_EQ(ftruncate(tmp, 4096), 0);
	close(tmp);
	fd = seam_open(s, path, O_RDWR);
	unlink(path);
	ASSERT(fd >= 0);
	EXPECT(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	EXPECT_EQ(seam_pwrite(s, fd, "abcd", 4, 100), 4);
	EXPECT_EQ(seam_pread(s, fd, buf, 4, 100), 4);
	EXPECT_STR(buf, "abcd");
	EXPECT_EQ(seam_ioctl(s, fd, FIONREAD, &avail), 0);
	EXPECT_EQ(avail, 4096);
	m = seam_mmap(s, 4096, PROT_READ | PROT_WRITE, fd, 0);
	ASSERT(m != MAP_FAILED);
	EXPECT_EQ(m[101], 'b');
	m[0] = 'z';	/* shared: the file sees it */
	EXPECT_EQ(seam_munmap(s, m, 4096), 0);
	EXPECT_EQ(seam_pread(s, fd, buf, 1, 0), 1);
	EXPECT_EQ(buf[0], 'z');
	EXPECT_EQ(seam_close(s, fd), 0);
	errno = 0;
	EXPECT_EQ(seam_close(s, fd), -1);
	EXPECT_EQ(errno, EBADF);
	EXPECT_EQ(seam_open(s, "/nonexistent/lkvm", O_RDONLY), -1);
}

/* Migration data fds are streams (pread is ESPIPE): read/write, no offset. */
TEST(seam_real_stream_ops)
{
	const struct vfio_seam_ops *s = &vfio_seam_real;
	char buf[8] = { 0 };
	int p[2];

	ASSERT_EQ(pipe(p), 0);
	EXPECT_EQ(seam_write(s, p[1], "mig", 3), 3);
	EXPECT_EQ(seam_pread(s, p[0], buf, 3, 0), -1);
	EXPECT_EQ(errno, ESPIPE);
	EXPECT_EQ(seam_read(s, p[0], buf, sizeof(buf)), 3);
	EXPECT_STR(buf, "mig");
	EXPECT_EQ(seam_close(s, p[1]), 0);
	EXPECT_EQ(seam_read(s, p[0], buf, sizeof(buf)), 0);	/* EOF */
	EXPECT_EQ(seam_close(s, p[0]), 0);
}

TEST(seam_sysfs_paths)
{
	struct vfio_seam_ops s = vfio_seam_real;
	char buf[64];

	EXPECT_STR(seam_sysfs_path(&s, buf, sizeof(buf), "bus/pci/devices/%s",
				   "0000:00:03.0"),
		   "/sys/bus/pci/devices/0000:00:03.0");
	s.sysfs_root = "/tmp/sim";
	EXPECT_STR(seam_sysfs_path(&s, buf, sizeof(buf), "kernel/iommu_groups/%d",
				   7), "/tmp/sim/kernel/iommu_groups/7");
	s.sysfs_root = NULL;
	EXPECT_STR(seam_sysfs_path(&s, buf, sizeof(buf), "x"), "/sys/x");
	/* too small: cut, still terminated, never past the buffer */
	memset(buf, 'q', sizeof(buf));
	EXPECT_STR(seam_sysfs_path(&s, buf, 8, "devices/abc"), "/sys/de");
	EXPECT_EQ(buf[8], 'q');
	EXPECT_STR(seam_sysfs_path(&s, buf, 3, "devices"), "/s");
}
