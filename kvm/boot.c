/* Boot helpers both architectures' loaders use (include/kvm/boot.h): file
 * reading (to EOF: pipes work) with an error naming the file, and the
 * kernel command line. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kvm/boot.h"
#include "kvm/config.h"

int boot_load_file(const char *what, const char *path, u64 max, void **buf,
		   size_t *len)
{
	int ret = read_whole_file(path, MIN(max, (u64)SIZE_MAX), buf, len);

	if (ret == -EFBIG)
		pr_err("%s '%s' is larger than the guest's %llu MiB of RAM: "
		       "raise -m", what, path,
		       (unsigned long long)(max / SZ_1M));
	else if (ret == -EINTR)
		pr_err("reading %s '%s' was interrupted by a signal", what,
		       path);
	else if (ret)
		pr_err("cannot read %s '%s': %s", what, path, strerror(-ret));
	if (ret)
		return ret;
	if (!*len) {
		pr_err("%s '%s' is empty: nothing could be read from it", what,
		       path);
		free(*buf);
		return -ENODATA;
	}
	return 0;
}

char *boot_cmdline(const struct lkvm_config *cfg)
{
	const char *cons = cfg->console == CONSOLE_SERIAL ? "console=ttyS0" : "";
	const char *p = cfg->params ? cfg->params : "";
	size_t n = strlen(cons) + strlen(p) + 2;
	char *s = malloc(n);

	if (s)
		snprintf(s, n, "%s%s%s", cons, *cons && *p ? " " : "", p);
	return s;
}
