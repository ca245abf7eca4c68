/* Boot helpers both architectures' loaders use (include/kvm/boot.h): file
 * reading (to EOF: pipes work; a regular file straight to its place in
 * guest RAM) with an error naming the file, and the kernel command line. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "kvm/boot.h"
#include "kvm/config.h"

static void load_error(const char *what, const char *path, u64 max, int ret)
{
	if (ret == -EFBIG)
		pr_err("%s '%s' is larger than the guest's %llu MiB of RAM: "
		       "raise -m", what, path,
		       (unsigned long long)(max / SZ_1M));
	else if (ret == -EINTR)
		pr_err("reading %s '%s' was interrupted by a signal", what,
		       path);
	else if (ret == -ENODATA)
		pr_err("%s '%s' is empty: nothing could be read from it", what,
		       path);
	else if (ret == -ESTALE)
		pr_err("%s '%s' got shorter while it was read: keep it "
		       "unchanged while lkvm starts", what, path);
	else
		pr_err("cannot read %s '%s': %s", what, path, strerror(-ret));
}

int boot_load_file(const char *what, const char *path, u64 max, void **buf,
		   size_t *len)
{
	int ret = read_whole_file(path, MIN(max, (u64)SIZE_MAX), buf, len);

	if (!ret && !*len) {
		free(*buf);
		ret = -ENODATA;
	}
	if (ret)
		load_error(what, path, max, ret);
	return ret;
}

int boot_open_sized(const char *what, const char *path, u64 max, int *fd,
		    size_t *len)
{
	struct stat st;
	int ret = 0;

	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd < 0) {
		ret = -errno;
		load_error(what, path, max, ret);
		return ret;
	}
	if (fstat(*fd, &st) || !S_ISREG(st.st_mode) || !st.st_size) {
		close(*fd);	/* boot_load_file() tells what is wrong */
		return 0;
	}
	if ((u64)st.st_size > max) {
		close(*fd);
		load_error(what, path, max, -EFBIG);
		return -EFBIG;
	}
	*len = st.st_size;
	return 1;
}

int boot_read_into(const char *what, const char *path, u64 max, int fd,
		   u64 off, void *dst, size_t len)
{
	size_t done = 0;
	ssize_t n;
	int ret = 0;

	while (done < len && !ret) {
		n = pread(fd, (char *)dst + done, len - done, off + done);
		if (n < 0)
			ret = -errno;
		else if (n == 0)
			ret = -ESTALE;
		else
			done += n;
	}
	if (ret)
		load_error(what, path, max, ret);
	return ret;
}

char *boot_cmdline(const struct lkvm_config *cfg, const char *arch)
{
	const char *part[3] = {
		cfg->console == CONSOLE_SERIAL ? "console=ttyS0" : "",
		arch ? arch : "",
		cfg->params ? cfg->params : "",
	};
	size_t n = 1, len = 0;
	unsigned int i;
	char *s;

	for (i = 0; i < ARRAY_SIZE(part); i++)
		n += strlen(part[i]) + 1;
	s = malloc(n);
	if (!s)
		return NULL;
	*s = 0;
	for (i = 0; i < ARRAY_SIZE(part); i++) {
		if (!*part[i])
			continue;
		len += snprintf(s + len, n - len, "%s%s", len ? " " : "",
				part[i]);
	}
	return s;
}
