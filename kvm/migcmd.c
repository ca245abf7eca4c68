/* `lkvm migrate`: the client. It connects to the destination (so the VM's
 * process never opens a socket), passes the connection and a pipe for
 * progress lines to the VM with the `migrate` request, copies the progress
 * to stderr while it runs, and prints the summary. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include "kvm/control.h"
#include "kvm/ctl_msg.h"
#include "kvm/migrate.h"

#define MIGRATE_SECS	3600	/* a large guest over a slow link */

static const char usage[] =
"usage: lkvm migrate [--name <name>] [--max-downtime <ms>]\n"
"                    [--bandwidth <Mbit/s>] unix:PATH|tcp:HOST:PORT\n"
"  moves the running VM to `lkvm run --incoming ADDR` at that address:\n"
"  RAM is copied while the VM runs, then the VM stops for at most about\n"
"  --max-downtime (default 300 ms) for the rest and its state. Once the\n"
"  destination has it, the VM ends here with status 0; on any failure it\n"
"  runs on here. Progress and a summary go to stderr.\n";

static int opt(void *arg, int val, const char *optarg)
{
	struct ctl_req *r = arg;
	char *end;
	unsigned long v = strtoul(optarg, &end, 10);

	if (!*optarg || *end || !v || v > 1000000) {
		fprintf(stderr, "lkvm migrate: --%s '%s': give a number from 1 "
			"to 1000000\n", val == 'd' ? "max-downtime" : "bandwidth",
			optarg);
		return -1;
	}
	if (val == 'd')
		r->downtime_ms = v;
	else
		r->bandwidth_mbps = v;
	return 0;
}

static int connect_addr(const struct mig_addr *a)
{
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	const struct sockaddr *sa = (const struct sockaddr *)&a->sa;
	socklen_t len = a->salen;
	int fd;

	if (!a->tcp) {
		strcpy(un.sun_path, a->path);
		sa = (const struct sockaddr *)&un;
		len = sizeof(un);
	}
	fd = socket(sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && connect(fd, sa, len)) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* Copies the VM's progress lines to stderr until the pipe closes. */
static void *relay(void *arg)
{
	int fd = *(int *)arg;
	char buf[512];
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR))
		if (n > 0)
			control_write_escaped(stderr, buf, n);
	return NULL;
}

static u64 num(const char *ans, const char *key)
{
	const char *p = strstr(ans, key);

	return p ? strtoull(p + strlen(key) + 3, NULL, 10) : 0;
}

static void summary(const char *ans)
{
	fprintf(stderr, "migrate: done in %llu ms, downtime %llu ms, %.1f MiB "
		"sent in %llu pre-copy passes\n",
		(unsigned long long)num(ans, "\"total_ms"),
		(unsigned long long)num(ans, "\"downtime_ms"),
		num(ans, "\"bytes") / 1048576.0,
		(unsigned long long)num(ans, "\"passes"));
}

/* The request with the connection and the progress pipe: exit status. */
static int run(const char *name, struct ctl_req *req, int sock)
{
	int p[2], fds[2], r;
	pthread_t t;
	char *ans = NULL;

	if (pipe2(p, O_CLOEXEC)) {
		fprintf(stderr, "lkvm migrate: pipe: %s\n", strerror(errno));
		return 1;
	}
	fds[0] = sock;
	fds[1] = p[1];
	if (pthread_create(&t, NULL, relay, &p[0])) {
		fprintf(stderr, "lkvm migrate: cannot start a thread\n");
		close(p[0]);
		close(p[1]);
		return 1;
	}
	r = control_request("lkvm migrate", name, req, fds, 2, MIGRATE_SECS,
			    &ans);
	close(p[1]);	/* the VM closed its copy with the answer */
	close(sock);
	pthread_join(t, NULL);
	close(p[0]);
	if (!r)
		summary(ans);
	free(ans);
	return r ? 1 : 0;
}

int lkvm_cmd_migrate(int argc, char **argv)
{
	static const struct option extra[] = {
		{ "max-downtime", required_argument, NULL, 'd' },
		{ "bandwidth", required_argument, NULL, 'b' },
		{ 0 }
	};
	struct ctl_req req = { .cmd = CTL_MIGRATE };
	struct ctl_opts o = { .cmd = "lkvm migrate", .usage = usage,
			      .extra = extra, .opt = opt, .arg = &req };
	struct mig_addr a;
	char err[256];
	int r, sock;

	r = control_parse_opts(&o, argc, argv);
	if (r >= 0)
		return r;
	if (optind + 1 != argc) {
		fprintf(stderr, "lkvm migrate: give one destination\n%s", usage);
		return 2;
	}
	if (mig_addr_parse(argv[optind], &a, err, sizeof(err))) {
		fprintf(stderr, "lkvm migrate: %s\n", err);
		return 2;
	}
	sock = connect_addr(&a);
	if (sock < 0) {
		fprintf(stderr, "lkvm migrate: cannot connect to %s: %s (is "
			"`lkvm run --incoming %s` waiting there?)\n",
			argv[optind], strerror(errno), argv[optind]);
		return 1;
	}
	return run(o.name, &req, sock);
}
