/* Boot helpers both architectures' loaders use (include/kvm/boot.h): file
 * reading with an error naming the file, and the kernel command line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kvm/boot.h"
#include "kvm/config.h"

int boot_load_file(const char *what, const char *path, void **buf,
		   size_t *len)
{
	int ret = read_whole_file(path, buf, len);

	if (ret)
		pr_err("cannot read %s '%s': %s", what, path, strerror(-ret));
	return ret ? -1 : 0;
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
