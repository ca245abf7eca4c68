/* Unit tests of boot_load_file() (kvm/boot.c): errors name the file, an
 * empty file is an error, the size limit holds for endless devices; and of
 * boot_open_sized()/boot_read_into(), reading a file into guest RAM; and
 * of boot_cmdline()'s order: console, the VMM's own options, -p. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "kvm/boot.h"
#include "kvm/config.h"
#include "lkvm/util.h"
#include "unit.h"

/* boot_load_file(): errors name the file; an empty pipe is an error. */
TEST(boot_load_file_errors)
{
	void *buf = NULL;
	size_t len = 0;

	fprintf(stderr, "(expected errors follow)\n");
	EXPECT_EQ(boot_load_file("initrd", "/dev/null", SZ_1M, &buf, &len),
		  -ENODATA);
	EXPECT_EQ(boot_load_file("initrd", "/dev/zero", SZ_1M, &buf, &len),
		  -EFBIG);
	EXPECT_EQ(boot_load_file("kernel", "/tmp", SZ_1M, &buf, &len), -EISDIR);
	ASSERT_EQ(boot_load_file("kernel", "/proc/self/stat", SZ_1M, &buf,
				 &len), 0);
	EXPECT(len > 0);
	free(buf);
}

static const char *tmp_file(const char *text)
{
	static char path[] = "/tmp/lkvm-test-boot-XXXXXX";
	int fd;

	strcpy(path + sizeof(path) - 7, "XXXXXX");
	fd = mkstemp(path);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		return NULL;
	close(fd);
	return path;
}

/* boot_open_sized(): a regular file of 1..max bytes is opened with its
 * size; devices, directories and empty files (like pipes) are left to
 * boot_load_file(); a missing or too large file is an error. */
TEST(boot_open_sized_kinds)
{
	const char *path = tmp_file("initrd!");
	size_t len = 0;
	int fd = -1;

	ASSERT(path != NULL);
	EXPECT_EQ(boot_open_sized("initrd", path, SZ_1M, &fd, &len), 1);
	EXPECT_EQ(len, 7);
	close(fd);
	fprintf(stderr, "(expected errors follow)\n");
	EXPECT_EQ(boot_open_sized("initrd", path, 6, &fd, &len), -EFBIG);
	EXPECT_EQ(boot_open_sized("initrd", "/nonexistent/x", SZ_1M, &fd,
				  &len), -ENOENT);
	EXPECT_EQ(boot_open_sized("initrd", "/dev/null", SZ_1M, &fd, &len), 0);
	EXPECT_EQ(boot_open_sized("initrd", "/tmp", SZ_1M, &fd, &len), 0);
	ASSERT_EQ(truncate(path, 0), 0);
	EXPECT_EQ(boot_open_sized("initrd", path, SZ_1M, &fd, &len), 0);
	unlink(path);
}

/* boot_read_into(): the bytes at off land in dst; a file that got shorter
 * since it was sized is an error, not a silently short initrd. */
TEST(boot_read_into_reads_and_sees_shrinking)
{
	const char *path = tmp_file("0123456789");
	char dst[16] = { 0 };
	size_t len = 0;
	int fd = -1;

	ASSERT(path != NULL);
	ASSERT_EQ(boot_open_sized("initrd", path, SZ_1M, &fd, &len), 1);
	EXPECT_EQ(boot_read_into("initrd", path, SZ_1M, fd, 0, dst, len), 0);
	EXPECT_EQ(memcmp(dst, "0123456789", 10), 0);
	EXPECT_EQ(boot_read_into("initrd", path, SZ_1M, fd, 6, dst, 4), 0);
	EXPECT_EQ(memcmp(dst, "6789", 4), 0);
	ASSERT_EQ(truncate(path, 4), 0);
	fprintf(stderr, "(an expected error follows)\n");
	EXPECT_EQ(boot_read_into("initrd", path, SZ_1M, fd, 0, dst, len),
		  -ESTALE);
	close(fd);
	unlink(path);
}

static void expect_cmdline(const struct lkvm_config *cfg, const char *arch,
			   const char *want)
{
	char *s = boot_cmdline(cfg, arch);

	if (EXPECT(s))
		EXPECT_STR(s, want);
	free(s);
}

TEST(boot_cmdline_joins_console_vmm_options_and_params)
{
	struct lkvm_config cfg = { .console = CONSOLE_SERIAL,
				   .params = "quiet root=/dev/vda" };

	expect_cmdline(&cfg, "pci=noearly",
		       "console=ttyS0 pci=noearly quiet root=/dev/vda");
	expect_cmdline(&cfg, NULL, "console=ttyS0 quiet root=/dev/vda");
	expect_cmdline(&cfg, "", "console=ttyS0 quiet root=/dev/vda");
	cfg.params = NULL;
	expect_cmdline(&cfg, "pci=noearly", "console=ttyS0 pci=noearly");
	cfg.console = CONSOLE_VIRTIO;
	expect_cmdline(&cfg, "pci=noearly", "pci=noearly");
	expect_cmdline(&cfg, NULL, "");
	cfg.params = "init=/bin/sh";
	expect_cmdline(&cfg, "a=1", "a=1 init=/bin/sh");
	expect_cmdline(&cfg, NULL, "init=/bin/sh");
}
