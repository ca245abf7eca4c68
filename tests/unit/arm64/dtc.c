/* dtc_decompile(): writes the blob to a temporary file and runs the host's
 * `dtc -I dtb -O dts` on it (a host binary even when the tests run under
 * qemu-aarch64-static), collecting its output and warnings. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "dtc.h"

char *dtc_decompile(const void *blob, size_t len)
{
	char path[] = "/tmp/lkvm-dtb-XXXXXX", cmd[128], *out = NULL;
	size_t n = 0, cap = 0;
	FILE *p;
	int fd = mkstemp(path);

	if (fd < 0)
		return NULL;
	if (write(fd, blob, len) != (ssize_t)len) {
		close(fd);
		unlink(path);
		return NULL;
	}
	close(fd);
	snprintf(cmd, sizeof(cmd), "dtc -I dtb -O dts -o - %s 2>&1", path);
	p = popen(cmd, "r");
	while (p) {
		if (n + 4096 + 1 > cap) {
			char *q = realloc(out, cap = cap * 2 + 8192);

			if (!q)
				break;
			out = q;
		}
		size_t r = fread(out + n, 1, 4096, p);

		if (!r)
			break;
		n += r;
	}
	if (p && pclose(p) != 0) {
		free(out);
		out = NULL;
	} else if (out) {
		out[n] = 0;
	}
	unlink(path);
	return out;
}
