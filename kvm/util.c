/* Logging and file helpers used across lkvm (include/lkvm/util.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "lkvm/util.h"

bool lkvm_debug;
u64 lkvm_start_ns;

u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void vlog(const char *tag, const char *fmt, va_list ap)
{
	char buf[1024];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	fprintf(stderr, "lkvm: %s%s\n", tag, buf);
}

#define DEFINE_LOG(name, tag, cond)			\
void name(const char *fmt, ...)				\
{							\
	va_list ap;					\
							\
	if (!(cond))					\
		return;					\
	va_start(ap, fmt);				\
	vlog(tag, fmt, ap);				\
	va_end(ap);					\
}

DEFINE_LOG(pr_err, "error: ", 1)
DEFINE_LOG(pr_warn, "warning: ", 1)
DEFINE_LOG(pr_info, "", 1)
DEFINE_LOG(pr_debug, "debug: ", lkvm_debug)

int set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

int read_whole_file(const char *path, void **buf, size_t *len)
{
	struct stat st;
	size_t done = 0;
	void *p = NULL;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		goto fail_errno;
	if (S_ISDIR(st.st_mode)) {
		ret = -EISDIR;
		goto fail;
	}
	p = malloc(st.st_size ? st.st_size : 1);
	if (!p) {
		ret = -ENOMEM;
		goto fail;
	}
	while (done < (size_t)st.st_size) {
		ssize_t n = read(fd, (char *)p + done, st.st_size - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail_errno;
		if (n == 0)
			break;
		done += n;
	}
	close(fd);
	*buf = p;
	*len = done;
	return 0;
fail_errno:
	ret = -errno;
fail:
	free(p);
	close(fd);
	return ret;
}
