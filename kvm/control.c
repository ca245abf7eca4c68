/* The VM control socket (include/kvm/control.h): server side, polled by
 * the main loop, and the `lkvm stat` client. */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include "kvm/control.h"

#define SOCK_SUFFIX ".sock"

static struct control_stat *stats;

void control_register_stat(struct control_stat *s)
{
	s->next = stats;
	stats = s;
}

int control_show(struct vm *vm, const char *topic, FILE *out)
{
	struct control_stat *s;
	int n = 0;

	for (s = stats; s; s = s->next) {
		if (strcmp(s->topic, topic))
			continue;
		s->show(vm, out);
		n++;
	}
	return n;
}

static int control_dir(char *buf, size_t len)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	const char *home = getenv("HOME");

	if (xdg && *xdg)
		snprintf(buf, len, "%s/lkvm", xdg);
	else if (home && *home)
		snprintf(buf, len, "%s/.lkvm", home);
	else
		return -1;
	return 0;
}

int control_path(const char *name, char *buf, size_t len)
{
	char dir[200];
	int n;

	if (control_dir(dir, sizeof(dir)))
		return -1;
	n = snprintf(buf, len, "%s/%s%s", dir, name, SOCK_SUFFIX);
	if (n < 0 || (size_t)n >= len ||
	    (size_t)n >= sizeof(((struct sockaddr_un *)0)->sun_path))
		return -1;
	return 0;
}

static int sock_addr(const char *path, struct sockaddr_un *a)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(a->sun_path))
		return -1;
	strcpy(a->sun_path, path);
	return 0;
}

static int connect_to(const char *path)
{
	struct sockaddr_un a;
	int fd;

	if (sock_addr(path, &a))
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0)
		return fd;
	close(fd);
	return -1;
}

static void mkdir_p(const char *dir)
{
	char tmp[200];
	char *p;

	snprintf(tmp, sizeof(tmp), "%s", dir);
	for (p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		mkdir(tmp, 0700);
		*p = '/';
	}
	mkdir(tmp, 0700);
}

int control_listen(const char *name, char *path, size_t len)
{
	struct sockaddr_un a;
	char dir[200];
	int fd, busy;

	if (control_path(name, path, len) || control_dir(dir, sizeof(dir)) ||
	    sock_addr(path, &a)) {
		pr_err("no place for the control socket of VM '%s': set "
		       "XDG_RUNTIME_DIR or HOME (or use a shorter --name)", name);
		return -1;
	}
	mkdir_p(dir);
	busy = connect_to(path);
	if (busy >= 0) {
		close(busy);
		pr_err("a VM named '%s' is already running (%s); pick another "
		       "--name", name, path);
		return -1;
	}
	unlink(path);	/* stale socket of a VM that was killed */
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    listen(fd, 4)) {
		pr_err("control socket %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static void handle_request(struct vm *vm, const char *req, FILE *out)
{
	if (!strncmp(req, "stat ", 5)) {
		if (!control_show(vm, req + 5, out))
			fprintf(out, "no statistics for '%s'\n", req + 5);
		return;
	}
	fprintf(out, "unknown request '%s'\n", req);
}

void control_serve(struct vm *vm, int lfd)
{
	char req[128];
	ssize_t n;
	FILE *out;
	int fd;

	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return;
	/* a client gets one second to send its request line */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO,
		   &(struct timeval){ .tv_sec = 1 }, sizeof(struct timeval));
	n = read(fd, req, sizeof(req) - 1);
	if (n <= 0) {
		close(fd);
		return;
	}
	req[n] = 0;
	req[strcspn(req, "\r\n")] = 0;
	out = fdopen(fd, "w");
	if (!out) {
		close(fd);
		return;
	}
	handle_request(vm, req, out);
	fclose(out);
}

void control_close(int lfd, const char *path)
{
	if (lfd < 0)
		return;
	close(lfd);
	unlink(path);
}

/* Counts the VMs with a socket in the control directory (0 if it cannot
 * be read). With list, prints each name to stderr; with name, copies the
 * last one found into name[len]. */
static int scan_vms(bool list, char *name, size_t len)
{
	size_t s = strlen(SOCK_SUFFIX);
	char dir[200];
	struct dirent *d;
	DIR *dp;
	int n = 0;

	if (control_dir(dir, sizeof(dir)) || !(dp = opendir(dir)))
		return 0;
	while ((d = readdir(dp))) {
		size_t l = strlen(d->d_name);

		if (l <= s || strcmp(d->d_name + l - s, SOCK_SUFFIX))
			continue;
		if (list)
			fprintf(stderr, "  %.*s\n", (int)(l - s), d->d_name);
		if (name)
			snprintf(name, len, "%.*s", (int)(l - s), d->d_name);
		n++;
	}
	closedir(dp);
	return n;
}

static const char stat_usage[] =
"usage: lkvm stat [--vfio | --vm] [--name <name>]\n"
"  --vfio         VFIO trap and interrupt counters of each assigned device\n"
"                 (the default)\n"
"  --vm           vCPU exit counts\n"
"  --name <name>  the VM to ask (default: the only running one)\n";

int control_stat_cmd(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "vfio", no_argument, NULL, 'v' },
		{ "vm", no_argument, NULL, 'm' },
		{ "name", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	char name[128] = "", path[256], buf[4096];
	const char *topic = "vfio";
	ssize_t n;
	int c, fd;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c == 'h') {
			fputs(stat_usage, stdout);
			return 0;
		}
		if (c == 'n') {
			snprintf(name, sizeof(name), "%s", optarg);
			continue;
		}
		if (c == 'v' || c == 'm') {
			topic = c == 'v' ? "vfio" : "vm";
			continue;
		}
		fprintf(stderr, "lkvm stat: bad option '%s'\n%s",
			argv[optind - 1], stat_usage);
		return 2;
	}
	if (!*name && scan_vms(false, name, sizeof(name)) != 1) {
		fprintf(stderr, "lkvm stat: give --name; running VMs:\n");
		if (!scan_vms(true, NULL, 0))
			fprintf(stderr, "  (none)\n");
		return 1;
	}
	if (control_path(name, path, sizeof(path)) ||
	    (fd = connect_to(path)) < 0) {
		fprintf(stderr, "lkvm stat: no running VM named '%s'\n", name);
		return 1;
	}
	dprintf(fd, "stat %s\n", topic);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		fwrite(buf, 1, n, stdout);
	close(fd);
	return 0;
}
