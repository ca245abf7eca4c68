/* Unit tests of read_whole_file() (kvm/util.c): files are read to EOF, so
 * pipes and <(...) (whose st_size is 0) deliver their bytes; the size limit
 * holds for endless devices; a signal during a read fails it with -EINTR
 * instead of being retried. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "lkvm/util.h"
#include "unit.h"

#define PIPE_BYTES	(300 * 1024 + 7)	/* several chunks, odd end */

static u8 pattern(size_t i)
{
	return (u8)(i * 7 + i / 4096);
}

struct writer {
	int fd;
	size_t len;
	const char *fifo;	/* open this first (O_WRONLY) when set */
	pthread_t victim;	/* signalled after the bytes, when stall */
	bool stall;
};

static void *write_all(void *arg)
{
	struct writer *w = arg;
	size_t done = 0;
	u8 buf[1000];

	if (w->fifo)
		w->fd = open(w->fifo, O_WRONLY);
	while (w->fd >= 0 && done < w->len) {
		size_t i, n = MIN(sizeof(buf), w->len - done);
		ssize_t r;

		for (i = 0; i < n; i++)
			buf[i] = pattern(done + i);
		r = write(w->fd, buf, n);
		if (r <= 0)
			break;
		done += r;
	}
	if (w->stall) {
		usleep(100 * 1000);
		pthread_kill(w->victim, SIGUSR1);
		usleep(300 * 1000);
	}
	close(w->fd);
	return NULL;
}

static bool is_pattern(const u8 *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != pattern(i))
			return false;
	return true;
}

/* What `-i <(cat initrd)` opens: /dev/fd/N of a pipe. */
TEST(read_whole_file_pipe)
{
	struct writer w = { .len = PIPE_BYTES };
	char path[32];
	pthread_t t;
	void *buf = NULL;
	size_t len = 0;
	int p[2];

	/* a failed read must not leave the writer blocked or kill us */
	signal(SIGPIPE, SIG_IGN);
	ASSERT_EQ(pipe(p), 0);
	w.fd = p[1];
	pthread_create(&t, NULL, write_all, &w);
	snprintf(path, sizeof(path), "/dev/fd/%d", p[0]);
	EXPECT_EQ(read_whole_file(path, SZ_1M, &buf, &len), 0);
	close(p[0]);
	pthread_join(t, NULL);
	signal(SIGPIPE, SIG_DFL);
	EXPECT_EQ(len, PIPE_BYTES);
	EXPECT(buf && is_pattern(buf, len));
	free(buf);
}

TEST(read_whole_file_limits)
{
	char path[] = "/tmp/lkvm-ut-read-XXXXXX", pp[32];
	struct writer w = { .len = PIPE_BYTES };
	void *buf = NULL;
	size_t len = 0;
	pthread_t t;
	int fd, p[2];

	/* a regular file: exactly its bytes; one byte over the limit fails */
	fd = mkstemp(path);
	ASSERT(fd >= 0);
	w.fd = fd;
	w.len = 5000;
	write_all(&w);
	ASSERT_EQ(read_whole_file(path, 5000, &buf, &len), 0);
	EXPECT_EQ(len, 5000);
	EXPECT(is_pattern(buf, len));
	free(buf);
	EXPECT_EQ(read_whole_file(path, 4999, &buf, &len), -EFBIG);
	unlink(path);
	/* a pipe past the limit (the writer then gets EPIPE, not SIGPIPE) */
	signal(SIGPIPE, SIG_IGN);
	ASSERT_EQ(pipe(p), 0);
	w.fd = p[1];
	w.len = PIPE_BYTES;
	pthread_create(&t, NULL, write_all, &w);
	snprintf(pp, sizeof(pp), "/dev/fd/%d", p[0]);
	EXPECT_EQ(read_whole_file(pp, 100 * 1024, &buf, &len), -EFBIG);
	close(p[0]);
	pthread_join(t, NULL);
	signal(SIGPIPE, SIG_DFL);
	/* a device without end stops at the limit */
	EXPECT_EQ(read_whole_file("/dev/zero", SZ_1M, &buf, &len), -EFBIG);
	/* empty and missing files, directories */
	ASSERT_EQ(read_whole_file("/dev/null", SZ_1M, &buf, &len), 0);
	EXPECT_EQ(len, 0);
	free(buf);
	EXPECT_EQ(read_whole_file("/nonexistent/x", SZ_1M, &buf, &len),
		  -ENOENT);
	EXPECT_EQ(read_whole_file("/tmp", SZ_1M, &buf, &len), -EISDIR);
}

static void on_usr1(int sig)
{
}

/* A signal while read() waits on a FIFO: -EINTR, not a retry (start-up
 * must stop on SIGINT/SIGTERM when a -k/-i FIFO's writer stalls). */
TEST(read_whole_file_eintr)
{
	char dir[] = "/tmp/lkvm-ut-fifo-XXXXXX", fifo[64];
	struct sigaction sa = { .sa_handler = on_usr1 }, old;
	struct writer w = { .len = 100, .stall = true };
	void *buf = NULL;
	size_t len = 0;
	pthread_t t;

	ASSERT(mkdtemp(dir));
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	ASSERT_EQ(mkfifo(fifo, 0600), 0);
	sigaction(SIGUSR1, &sa, &old);	/* no SA_RESTART */
	signal(SIGPIPE, SIG_IGN);
	w.fifo = fifo;
	w.victim = pthread_self();
	pthread_create(&t, NULL, write_all, &w);
	EXPECT_EQ(read_whole_file(fifo, SZ_1M, &buf, &len), -EINTR);
	pthread_join(t, NULL);
	sigaction(SIGUSR1, &old, NULL);
	signal(SIGPIPE, SIG_DFL);
	unlink(fifo);
	rmdir(dir);
}
