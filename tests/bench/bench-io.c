/* bench-io: sequential or random reads of a file or block device in one process,
 * timed with CLOCK_MONOTONIC, for the lab benchmarks (tests/bench/lab.sh builds it
 * static; L1 and L2 of the nested lab run it). O_DIRECT when the file allows it.
 *   bench-io seq FILE BS BYTES [PASSES]   read BYTES from offset 0 in BS-sized reads
 *   bench-io rand FILE BS COUNT [PASSES]  COUNT reads of BS at BS-aligned pseudo-random
 *                                         offsets (fixed seed: the same offsets everywhere)
 * PASSES (default 1) repeats the run. Prints one line: "mode=.. bs=.. passes=.. reads=..
 * bytes=.. secs=.. MBps=.. iops=.. direct=0|1": reads, bytes and secs summed over the passes,
 * MBps and iops those of the median pass. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One pass; returns its seconds, or a negative value after an error. */
static double pass(int fd, int rnd, unsigned long long bs, unsigned long long arg,
		   unsigned long long blocks, void *buf, unsigned long long *reads,
		   unsigned long long *bytes)
{
	uint64_t x = 0x9e3779b97f4a7c15ull;
	unsigned long long i, got = 0;
	double t0 = now();

	for (i = 0; rnd ? i < arg : got < arg; i++) {
		off_t off;
		ssize_t n;

		if (rnd) {
			x ^= x << 13; x ^= x >> 7; x ^= x << 17;	/* xorshift64 */
			off = (off_t)(x % blocks) * bs;
		} else {
			off = (off_t)(i % blocks) * bs;
		}
		n = pread(fd, buf, bs, off);
		if (n != (ssize_t)bs) {
			fprintf(stderr, "bench-io: read at %lld: %s\n", (long long)off,
				n < 0 ? strerror(errno) : "short");
			return -1;
		}
		got += n;
	}
	*reads += i;
	*bytes += got;
	return now() - t0;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	unsigned long long bs, arg, reads = 0, bytes = 0, blocks, per;
	double secs[64], total = 0, med;
	int fd, direct = 1, rnd, passes, p;
	off_t size;
	void *buf;

	if (argc < 5 || argc > 6 || (strcmp(argv[1], "seq") && strcmp(argv[1], "rand"))) {
		fprintf(stderr, "usage: bench-io seq|rand FILE BS BYTES|COUNT [PASSES]\n");
		return 2;
	}
	rnd = !strcmp(argv[1], "rand");
	bs = strtoull(argv[3], NULL, 0);
	arg = strtoull(argv[4], NULL, 0);
	passes = argc > 5 ? atoi(argv[5]) : 1;
	if (passes < 1 || passes > 64) {
		fprintf(stderr, "bench-io: PASSES must be 1..64\n");
		return 2;
	}
	fd = open(argv[2], O_RDONLY | O_DIRECT);
	if (fd < 0 && errno == EINVAL) {	/* tmpfs has no O_DIRECT */
		direct = 0;
		fd = open(argv[2], O_RDONLY);
	}
	if (fd < 0 || !bs || posix_memalign(&buf, 4096, bs)) {
		perror(argv[2]);
		return 1;
	}
	size = lseek(fd, 0, SEEK_END);
	blocks = size > 0 ? (unsigned long long)size / bs : 0;
	if (!blocks) {
		fprintf(stderr, "bench-io: %s is smaller than %llu bytes\n", argv[2], bs);
		return 1;
	}
	for (p = 0; p < passes; p++) {
		secs[p] = pass(fd, rnd, bs, arg, blocks, buf, &reads, &bytes);
		if (secs[p] < 0)
			return 1;
		total += secs[p];
	}
	per = reads / passes;
	qsort(secs, passes, sizeof(secs[0]), cmp);
	med = secs[passes / 2];
	printf("mode=%s bs=%llu passes=%d reads=%llu bytes=%llu secs=%.6f MBps=%.1f iops=%.0f "
	       "direct=%d\n", argv[1], bs, passes, reads, bytes, total, per * bs / med / 1e6,
	       per / med, direct);
	return 0;
}
