/* The client side of the control socket (kvm/control.h): finding the
 * running VMs, connecting, one request and its JSON answer, the option
 * parser every VM command shares, and `lkvm stat` and `lkvm list`. */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>
#include "kvm/ctl_internal.h"
#include "kvm/json.h"

#define ANSWER_MAX	(64u << 20)	/* longest answer line taken */
#define ANSWER_TOKENS	1024
#define ANSWER_DEPTH	6

/* Whether a VM answers at NAME.sock in dir; a stale socket is removed. */
static bool vm_alive(const char *dir, const char *name)
{
	char sock[PATH_LEN], lock[PATH_LEN];
	int r;

	if (ctl_name_path(dir, name, SOCK_SUFFIX, sock) ||
	    ctl_name_path(dir, name, LOCK_SUFFIX, lock) || !ctl_is_socket(sock))
		return false;
	r = ctl_probe(sock);
	if (r == 0)
		ctl_remove_stale(sock, lock);
	return r > 0;
}

/* Calls fn(arg, name) for each running VM in the control directory, in
 * name order, removing stale sockets; returns how many (0 if it cannot be
 * read). */
int control_each_vm(void (*fn)(void *arg, const char *name), void *arg)
{
	size_t s = strlen(SOCK_SUFFIX);
	char dir[PATH_LEN], vmname[PATH_LEN];
	struct dirent **de;
	int i, nde, n = 0;

	if (control_dir(dir, sizeof(dir)))
		return 0;
	nde = scandir(dir, &de, NULL, alphasort);
	for (i = 0; i < nde; i++) {
		size_t l = strlen(de[i]->d_name);

		if (l > s && !strcmp(de[i]->d_name + l - s, SOCK_SUFFIX)) {
			snprintf(vmname, sizeof(vmname), "%.*s", (int)(l - s),
				 de[i]->d_name);
			if (!control_name_invalid(vmname) &&
			    vm_alive(dir, vmname)) {
				if (fn)
					fn(arg, vmname);
				n++;
			}
		}
		free(de[i]);
	}
	if (nde > 0)
		free(de);
	return n;
}

static void print_name(void *arg, const char *name)
{
	fprintf(stderr, "  %s\n", name);
}

struct name_buf {
	char *buf;
	size_t len;
};

static void keep_name(void *arg, const char *name)
{
	struct name_buf *nb = arg;

	ctl_copy_str(nb->buf, nb->len, name);
}

/* The only running VM's name into name[len]; 0, or 1 (error printed). */
int control_pick_vm(const char *cmd, char *name, size_t len)
{
	char dir[PATH_LEN] = "";
	struct name_buf nb = { name, len };
	int n = control_each_vm(keep_name, &nb);

	if (n == 1)
		return 0;
	if (!n) {
		control_dir(dir, sizeof(dir));
		fprintf(stderr, "%s: no running VM (none answers in %s)\n",
			cmd, *dir ? dir : "$XDG_RUNTIME_DIR/lkvm or $HOME/.lkvm");
		return 1;
	}
	fprintf(stderr, "%s: %d VMs are running; give --name:\n", cmd, n);
	control_each_vm(print_name, NULL);
	return 1;
}

/* Connects to the VM's socket with STAT_TIMEOUT_S timeouts; -1 (error
 * printed) when no VM answers there. */
static int vm_connect(const char *cmd, const char *name)
{
	struct timeval tv = { .tv_sec = STAT_TIMEOUT_S };
	char dir[PATH_LEN], sock[PATH_LEN], lock[PATH_LEN];
	struct sockaddr_un a;
	int fd, e = ENOENT;

	if (control_dir(dir, sizeof(dir)) ||
	    ctl_name_path(dir, name, SOCK_SUFFIX, sock) ||
	    ctl_name_path(dir, name, LOCK_SUFFIX, lock))
		goto none;
	if (!ctl_is_socket(sock)) {
		e = errno;
		goto none;
	}
	ctl_sock_addr(sock, &a);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto none;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (!connect(fd, (struct sockaddr *)&a, sizeof(a)))
		return fd;
	e = errno;
	close(fd);
	if (e == ECONNREFUSED)
		ctl_remove_stale(sock, lock);
none:
	if (e == EACCES)
		fprintf(stderr, "%s: VM '%s': permission denied: its control "
			"socket (%s) serves only its owner and root\n", cmd,
			name, sock);
	else if (e == EAGAIN)
		fprintf(stderr, "%s: VM '%s' does not accept connections "
			"(waited %d s)\n", cmd, name, STAT_TIMEOUT_S);
	else
		fprintf(stderr, "%s: no running VM named '%s'\n", cmd, name);
	return -1;
}

static int read_failed(const char *cmd, const char *name, int e, int secs)
{
	if (e == EAGAIN)
		fprintf(stderr, "%s: no answer from VM '%s' within %d s\n", cmd,
			name, secs);
	else
		fprintf(stderr, "%s: reading the answer of VM '%s': %s\n", cmd,
			name, strerror(e));
	return 1;
}

/* read() that gives up at deadline (a now_ns() time): -1, errno EAGAIN. */
static ssize_t read_by(int fd, void *buf, size_t len, u64 deadline)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	u64 now = now_ns();
	int r;

	r = now < deadline ? poll(&p, 1, (deadline - now) / 1000000 + 1) : 0;
	if (r < 0)
		return -1;
	if (!r) {
		errno = EAGAIN;
		return -1;
	}
	return read(fd, buf, len);
}


static int send_req(int fd, const char *req, const int *fds, int nfds)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int) * CTL_MAX_FDS)];
	} u;
	struct iovec iov = { (void *)req, strlen(req) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;

	if (nfds) {
		memset(&u, 0, sizeof(u));
		mh.msg_control = u.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(cm), fds, sizeof(int) * nfds);
	}
	return sendmsg(fd, &mh, MSG_NOSIGNAL) == (ssize_t)iov.iov_len ? 0 : -1;
}

/* The answer line (up to its '\n', or the end) into a malloc'ed string;
 * 0, or 1 (error printed). */
static int read_line(const char *cmd, const char *name, int fd, int secs,
		     char **answer)
{
	u64 deadline = now_ns() + secs * 1000000000ULL;
	char buf[4096], *nl = NULL;
	size_t len = 0;
	FILE *f = open_memstream(answer, &len);
	ssize_t n = 0;
	int e;

	if (!f)
		return 1;
	while (!nl && len < ANSWER_MAX &&
	       (n = read_by(fd, buf, sizeof(buf), deadline)) > 0) {
		nl = memchr(buf, '\n', n);
		fwrite(buf, 1, nl ? nl - buf : n, f);
	}
	e = errno;
	fclose(f);
	if (nl || (n == 0 && len))
		return 0;
	if (n < 0)
		read_failed(cmd, name, e, secs);
	else
		fprintf(stderr, "%s: VM '%s' closed the connection without "
			"answering\n", cmd, name);
	free(*answer);
	*answer = NULL;
	return 1;
}

/* Parses an answer line into d (tokens of the caller); 0 or -1. */
static int parse_answer(struct json_doc *d, const char *answer)
{
	return json_parse(d, answer, strlen(answer), NULL, 0) ||
	       d->tok[0].type != JSON_OBJECT ? -1 : 0;
}

static struct json_tok *answer_tokens(struct json_doc *d)
{
	d->max_tok = ANSWER_TOKENS;
	d->max_depth = ANSWER_DEPTH;
	d->tok = calloc(ANSWER_TOKENS, sizeof(*d->tok));
	return d->tok;
}

int control_answer_str(const char *answer, const char *key, char *buf,
		       size_t len)
{
	struct json_doc d;
	int r = -1;

	if (!answer_tokens(&d))
		return -1;
	if (!parse_answer(&d, answer))
		r = json_string(&d, json_find(&d, 0, key), buf, len) < 0 ? -1 : 0;
	free(d.tok);
	return r;
}

/* An answer that is not JSON, or an {"error": ...}: printed, 1. */
static int answer_error(const char *cmd, const char *name, const char *ans)
{
	size_t n = strlen(ans), rl = strlen(REFUSED);
	char *msg = malloc(n + 1);
	int r = 0;

	if (!msg)
		return 1;
	if (control_answer_str(ans, "error", msg, n + 1) == 0) {
		bool refusal = !strncmp(msg, REFUSED, rl);
		const char *why = refusal ? msg + rl : msg;

		r = 1;
		if (refusal)
			fprintf(stderr, "%s: VM '%s' refused the request: ",
				cmd, name);
		else
			fprintf(stderr, "%s: ", cmd);
		control_write_escaped(stderr, why, strlen(why));
		fputc('\n', stderr);
	} else if (control_answer_str(ans, "cmd", msg, n + 1)) {
		r = 1;
		fprintf(stderr, "%s: VM '%s' answered with something that is "
			"not a JSON answer: ", cmd, name);
		control_write_escaped(stderr, ans, MIN(n, 200));
		fputc('\n', stderr);
	}
	free(msg);
	return r;
}

int control_request(const char *cmd, const char *name,
		    const struct ctl_req *r, const int *fds, int nfds, int secs,
		    char **answer)
{
	char found[NAME_MAX_LEN + 1], line[CTL_REQ_MAX];
	int fd, e, st;

	signal(SIGPIPE, SIG_IGN);
	*answer = NULL;
	if (!name) {
		if (control_pick_vm(cmd, found, sizeof(found)))
			return 1;
		name = found;
	}
	if (ctl_req_format(r, line, sizeof(line)) < 0)
		return 1;
	fd = vm_connect(cmd, name);
	if (fd < 0)
		return 1;
	e = send_req(fd, line, fds, nfds) ? errno : 0;
	st = read_line(cmd, name, fd, secs, answer);
	close(fd);
	if (st && e)	/* nothing came back, not even a refusal */
		fprintf(stderr, "%s: VM '%s' closed the connection: %s\n", cmd,
			name, strerror(e));
	if (st || !answer_error(cmd, name, *answer))
		return st;
	free(*answer);
	*answer = NULL;
	return 1;
}

/* ---- the options every VM command shares ---- */

static int opts_bad(struct ctl_opts *o, const char *what, const char *arg)
{
	fprintf(stderr, "%s: %s '%s'\n%s", o->cmd, what, arg, o->usage);
	return 2;
}

int control_parse_opts(struct ctl_opts *o, int argc, char **argv)
{
	struct option opts[16] = {
		{ "name", required_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'H' },
	};
	const char *why;
	int c, n = 2;

	while (o->extra && o->extra[n - 2].name && n < 15) {
		opts[n] = o->extra[n - 2];
		n++;
	}
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c == 'h' || c == 'H') {
			fputs(o->usage, stdout);
			return 0;
		}
		if (c == 'N')
			o->name = optarg;
		else if (c == '?' || c == ':' || !o->opt ||
			 o->opt(o->arg, c, optarg))
			return opts_bad(o, "bad option", argv[optind - 1]);
	}
	why = o->name ? control_name_invalid(o->name) : NULL;
	if (!why)
		return -1;
	fprintf(stderr, "%s: invalid --name: %s\n", o->cmd, why);
	return 2;
}

/* ---- `lkvm stat` ---- */

static const char stat_usage[] =
"usage: lkvm stat [--vfio | --vm] [--json] [--name <name>]\n"
"  --vfio         VFIO trap and interrupt counters of each assigned device\n"
"                 (the default when the VM has one)\n"
"  --vm           vCPU exit counts (the default otherwise)\n"
"  --json         print the VM's JSON answer as it came\n"
"  --name <name>  the VM to ask (default: the only running one)\n";

struct stat_args {
	struct ctl_req r;
	bool json;
};

static int stat_opt(void *arg, int val, const char *optarg)
{
	struct stat_args *a = arg;

	if (val == 'j')
		a->json = true;
	else
		snprintf(a->r.what, sizeof(a->r.what), "%s",
			 val == 'v' ? "vfio" : "vm");
	return 0;
}

/* Prints the string member key of answer (escaped) to stdout; 0 or 1. */
static int print_member(const char *cmd, const char *answer, const char *key)
{
	size_t n = strlen(answer);
	char *s = malloc(n + 1);
	int r = 1;

	if (s && !control_answer_str(answer, key, s, n + 1)) {
		control_write_escaped(stdout, s, strlen(s));
		r = 0;
	} else {
		fprintf(stderr, "%s: the answer has no \"%s\"\n", cmd, key);
	}
	free(s);
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "%s: writing the answer: %s\n", cmd,
			strerror(errno));
		r = 1;
	}
	return r;
}

int control_stat_cmd(int argc, char **argv)
{
	static const struct option extra[] = {
		{ "vfio", no_argument, NULL, 'v' },
		{ "vm", no_argument, NULL, 'm' },
		{ "json", no_argument, NULL, 'j' },
		{ 0 }
	};
	struct stat_args a = { .r = { .cmd = CTL_STAT } };
	struct ctl_opts o = { .cmd = "lkvm stat", .usage = stat_usage,
			      .extra = extra, .opt = stat_opt, .arg = &a };
	char *ans;
	int r;

	r = control_parse_opts(&o, argc, argv);
	if (r >= 0)
		return r;
	if (optind < argc)
		return opts_bad(&o, "unexpected argument", argv[optind]);
	if (control_request(o.cmd, o.name, &a.r, NULL, 0, STAT_TIMEOUT_S, &ans))
		return 1;
	if (a.json) {
		control_write_escaped(stdout, ans, strlen(ans));
		putchar('\n');
		r = fflush(stdout) ? 1 : 0;
	} else {
		r = print_member(o.cmd, ans, "text");
	}
	free(ans);
	return r;
}

/* ---- `lkvm list` ---- */

struct list_ctx {
	bool json;
	int n, failed;
};

/* The raw text of the object member "vm" of answer, or NULL. */
static char *vm_object(const char *answer)
{
	struct json_doc d;
	char *s = NULL;
	int t;

	if (!answer_tokens(&d))
		return NULL;
	if (!parse_answer(&d, answer)) {
		t = json_find(&d, 0, "vm");
		if (t >= 0 && d.tok[t].type == JSON_OBJECT)
			s = strndup(answer + d.tok[t].start, d.tok[t].len);
	}
	free(d.tok);
	return s;
}

static void list_one(void *arg, const char *name)
{
	static const struct ctl_req r = { .cmd = CTL_INFO };
	struct list_ctx *l = arg;
	char *ans, *obj;

	if (control_request("lkvm list", name, &r, NULL, 0, STAT_TIMEOUT_S,
			    &ans)) {
		l->failed++;
		return;
	}
	if (l->json) {
		obj = vm_object(ans);
		fputs(l->n ? ",\n  " : "\n  ", stdout);
		control_write_escaped(stdout, obj ? obj : "{}",
				      obj ? strlen(obj) : 2);
		free(obj);
	} else if (print_member("lkvm list", ans, "text")) {
		l->failed++;
	}
	l->n++;
	free(ans);
}

static const char list_usage[] =
"usage: lkvm list [--json]\n"
"  every running VM of this user: name, pid, state (running or paused),\n"
"  vCPUs, RAM and devices; --json prints a JSON array of objects\n";

static int list_opt(void *arg, int val, const char *optarg)
{
	((struct list_ctx *)arg)->json = true;
	return 0;
}

int control_list_cmd(int argc, char **argv)
{
	static const struct option extra[] = {
		{ "json", no_argument, NULL, 'j' },
		{ 0 }
	};
	struct list_ctx l = { 0 };
	struct ctl_opts o = { .cmd = "lkvm list", .usage = list_usage,
			      .extra = extra, .opt = list_opt, .arg = &l };
	int r = control_parse_opts(&o, argc, argv);

	if (r >= 0)
		return r;
	if (optind < argc || o.name)
		return opts_bad(&o, "bad argument", o.name ? "--name" :
				argv[optind]);
	if (l.json)
		putchar('[');
	else
		printf("%-20s %8s %-8s %4s %8s  %s\n", "NAME", "PID", "STATE",
		       "CPUS", "RAM(MiB)", "DEVICES");
	control_each_vm(list_one, &l);
	if (l.json)
		puts(l.n ? "\n]" : "]");
	fflush(stdout);
	return l.failed ? 1 : 0;
}
