/* Unit tests of boot_load_file() (kvm/boot.c): errors name the file, an
 * empty file is an error, the size limit holds for endless devices. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include "kvm/boot.h"
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
