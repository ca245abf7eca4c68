/* Lab helper (test-only, built static by tests/lab/build-initramfs.sh; busybox has no
 * AF_VSOCK): "serve PORT N SECS" echoes N connections in turn on L2, "send CID PORT BYTES
 * TRIES" connects from L1 (retrying every 0.5 s), sends BYTES of a pattern, checks the
 * echo is the same bytes and exits 0. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/vm_sockets.h>

static unsigned char pat(size_t i)
{
	return (unsigned char)(i * 7 + (i >> 9));
}

static int echo_one(int c)
{
	char buf[65536];
	ssize_t n, w, off;

	while ((n = read(c, buf, sizeof(buf))) > 0)
		for (off = 0; off < n; off += w)
			if ((w = write(c, buf + off, n - off)) <= 0)
				return -1;
	return n;
}

static int serve(unsigned int port, int nconn, int secs)
{
	struct sockaddr_vm a = { .svm_family = AF_VSOCK, .svm_cid = VMADDR_CID_ANY,
				 .svm_port = port };
	int s = socket(AF_VSOCK, SOCK_STREAM, 0), c, i;

	alarm(secs);
	if (s < 0 || bind(s, (void *)&a, sizeof(a)) || listen(s, 4)) {
		perror("vsock-echo serve: socket/bind/listen");
		return 1;
	}
	printf("vsock-echo: listening on port %u\n", port);
	fflush(stdout);
	for (i = 0; i < nconn; i++) {
		c = accept(s, NULL, NULL);
		if (c < 0 || echo_one(c)) {
			perror("vsock-echo serve: accept/echo");
			return 1;
		}
		close(c);
	}
	return 0;
}

static int connect_retry(unsigned int cid, unsigned int port, int tries)
{
	struct sockaddr_vm a = { .svm_family = AF_VSOCK, .svm_cid = cid,
				 .svm_port = port };
	int s, i;

	for (i = 0; i < tries; i++) {
		s = socket(AF_VSOCK, SOCK_STREAM, 0);
		if (s < 0)
			return -1;
		if (!connect(s, (void *)&a, sizeof(a)))
			return s;
		close(s);
		usleep(500000);
	}
	fprintf(stderr, "vsock-echo: no connection to %u:%u after %d tries: %s\n", cid, port,
		tries, strerror(errno));
	return -1;
}

/* Writes and reads at once (the echo comes back while we still send). */
static int send_check(int s, size_t bytes)
{
	size_t sent = 0, got = 0, i;
	unsigned char out[16384], in[16384];
	struct pollfd p = { .fd = s };
	ssize_t n;

	while (got < bytes) {
		p.events = POLLIN | (sent < bytes ? POLLOUT : 0);
		if (poll(&p, 1, 30000) <= 0)
			return fprintf(stderr, "vsock-echo: stalled at %zu sent %zu back\n", sent, got), 1;
		if (p.revents & POLLOUT) {
			for (i = 0; i < sizeof(out); i++)
				out[i] = pat(sent + i);
			n = write(s, out, bytes - sent < sizeof(out) ? bytes - sent : sizeof(out));
			if (n <= 0)
				return perror("vsock-echo: write"), 1;
			sent += n;
			if (sent == bytes)
				shutdown(s, SHUT_WR);
		}
		if (!(p.revents & (POLLIN | POLLHUP)))
			continue;
		n = read(s, in, sizeof(in));
		if (n <= 0)
			return fprintf(stderr, "vsock-echo: connection ended after %zu of %zu bytes\n",
				       got, bytes), 1;
		for (i = 0; i < (size_t)n; i++)
			if (in[i] != pat(got + i))
				return fprintf(stderr, "vsock-echo: byte %zu differs\n", got + i), 1;
		got += n;
	}
	printf("vsock-echo: %zu bytes echoed intact\n", bytes);
	return 0;
}

int main(int argc, char **argv)
{
	int s;

	if (argc == 5 && !strcmp(argv[1], "serve"))
		return serve(atoi(argv[2]), atoi(argv[3]), atoi(argv[4]));
	if (argc != 6 || strcmp(argv[1], "send")) {
		fprintf(stderr, "usage: vsock-echo serve PORT N SECS | send CID PORT BYTES TRIES\n");
		return 2;
	}
	s = connect_retry(strtoul(argv[2], NULL, 0), atoi(argv[3]), atoi(argv[5]));
	if (s < 0)
		return 1;
	if (!atol(argv[4]))
		return shutdown(s, SHUT_WR), read(s, &s, 1) < 0;
	return send_check(s, atol(argv[4]));
}
