/* Logging and file helpers used across lkvm (include/lkvm/util.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
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

#define READ_CHUNK	(64 * 1024)

/* Grows *p to hold more than *cap bytes, up to lim. */
static int grow(char **p, size_t *cap, size_t lim)
{
	size_t n = *cap ? MIN(*cap * 2, lim) : MIN((size_t)READ_CHUNK, lim);
	char *q;

	if (n <= *cap)
		return -EFBIG;
	q = realloc(*p, n);
	if (!q)
		return -ENOMEM;
	*p = q;
	*cap = n;
	return 0;
}

/* Reads fd to EOF into *p (capacity *cap): at most max bytes, -EFBIG past
 * them. A signal (EINTR) is a failure, not retried: start-up can be
 * interrupted while a FIFO has no writer. */
static int read_to_eof(int fd, size_t max, char **p, size_t *cap,
		       size_t *done)
{
	size_t lim = max < SIZE_MAX ? max + 1 : max;
	ssize_t n;
	int ret;

	for (;;) {
		if (*done == *cap && (ret = grow(p, cap, lim)))
			return ret;
		n = read(fd, *p + *done, *cap - *done);
		if (n < 0)
			return -errno;
		if (n == 0)
			return 0;
		*done += n;
		if (*done > max)
			return -EFBIG;
	}
}

int read_whole_file(const char *path, size_t max, void **buf, size_t *len)
{
	size_t cap = 0, done = 0;
	struct stat st;
	char *p = NULL;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = fstat(fd, &st) ? -errno : 0;
	if (!ret && S_ISDIR(st.st_mode))
		ret = -EISDIR;
	if (!ret && S_ISREG(st.st_mode) && (u64)st.st_size > max)
		ret = -EFBIG;
	/* a regular file's size is a hint (it may change): one read more
	 * sees EOF; pipes, <(...) and devices say 0 and are read in chunks */
	if (!ret && S_ISREG(st.st_mode) && st.st_size) {
		cap = st.st_size + 1;
		p = malloc(cap);
		if (!p)
			ret = -ENOMEM;
	}
	if (!ret)
		ret = read_to_eof(fd, max, &p, &cap, &done);
	close(fd);
	if (ret) {
		free(p);
		return ret;
	}
	*buf = p;	/* never NULL: read_to_eof() grew it at least once */
	*len = done;
	return 0;
}
