/* The VM control socket (include/kvm/control.h): claiming a VM name, the
 * server thread, and the `lkvm stat` client. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include "kvm/control.h"
#include "kvm/seccomp.h"
#include "kvm/vm.h"

#define SOCK_SUFFIX	".sock"
#define LOCK_SUFFIX	".lock"
#define NAME_MAX_LEN	64
#define PATH_LEN	256
#define SUN_PATH_LEN	sizeof(((struct sockaddr_un *)0)->sun_path)
#define LOCK_TRIES	8
#define MAX_CLIENTS	16	/* served at once; more evict the oldest */
#define REQ_MAX		128	/* longest request line, with its '\n' */
#define CLIENT_MS	5000	/* a client's time to ask and read the answer */
#define STOP_MS		1000	/* how long control_stop waits for the thread */
#define STAT_TIMEOUT_S	5	/* how long `lkvm stat` waits for an answer */
#define REFUSED		"refused: "	/* answer to a peer of another uid */

struct client {
	int fd;			/* -1: free slot */
	size_t len;		/* bytes in req */
	char req[REQ_MAX + 1];
	char *out;		/* the answer being sent (malloc'ed), or NULL */
	size_t out_len, out_off;
	u64 deadline;		/* now_ns() after which it is dropped */
};

struct control {
	struct vm *vm;
	int lfd, lock_fd, stop_efd;
	uid_t uid;		/* ours: peers of this uid (or root) are served */
	bool bound;		/* sock is the socket we bound (dev, ino) */
	bool started;
	dev_t dev;
	ino_t ino;
	pthread_t thread;
	char dir[PATH_LEN], sock[PATH_LEN], lock[PATH_LEN];
	struct client cl[MAX_CLIENTS];
};

static struct control_stat *stats;

/* ---- providers ---- */

void control_register_stat(struct control_stat *s)
{
	s->next = __atomic_load_n(&stats, __ATOMIC_RELAXED);
	while (!__atomic_compare_exchange_n(&stats, &s->next, s, true,
					    __ATOMIC_RELEASE, __ATOMIC_RELAXED))
		;
}

void control_unregister_stat(struct control_stat *s)
{
	struct control_stat **pp = &stats;

	while (*pp && *pp != s)
		pp = &(*pp)->next;
	if (*pp)
		*pp = s->next;
}

int control_show(struct vm *vm, const char *topic, FILE *out)
{
	struct control_stat *s;
	int n = 0;

	for (s = __atomic_load_n(&stats, __ATOMIC_ACQUIRE); s; s = s->next) {
		if (strcmp(s->topic, topic))
			continue;
		s->show(vm, out);
		n++;
	}
	return n;
}

/* ---- names, paths and files ---- */

const char *control_name_invalid(const char *name)
{
	const char *p;

	if (!name || !*name)
		return "it is empty";
	if (*name == '.')
		return "it starts with '.'";
	if (strlen(name) > NAME_MAX_LEN)
		return "it is longer than 64 characters";
	for (p = name; *p; p++) {
		if (*p == '/')
			return "it contains '/'";
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return "it contains a control character";
	}
	return NULL;
}

void control_write_escaped(FILE *out, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	size_t i;

	for (i = 0; i < len; i++) {
		if (p[i] == '\n' || p[i] == '\t' || (p[i] >= 0x20 && p[i] < 0x7f))
			putc(p[i], out);
		else
			fprintf(out, "\\x%02x", p[i]);
	}
}

int control_dir(char *buf, size_t len)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	const char *home = getenv("HOME");
	int n;

	if (xdg && *xdg)
		n = snprintf(buf, len, "%s/lkvm", xdg);
	else if (home && *home)
		n = snprintf(buf, len, "%s/.lkvm", home);
	else
		return -ENOENT;
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* dir/name+suffix into buf[PATH_LEN]; -1 if too long for a socket address. */
static int name_path(const char *dir, const char *name, const char *suffix,
		     char *buf)
{
	int n = snprintf(buf, PATH_LEN, "%s/%s%s", dir, name, suffix);

	return n < 0 || (size_t)n >= SUN_PATH_LEN ? -1 : 0;
}

/* Copies src into dst[len], cut to fit. */
static void copy_str(char *dst, size_t len, const char *src)
{
	size_t n = strnlen(src, len - 1);

	memcpy(dst, src, n);
	dst[n] = 0;
}

static void sock_addr(const char *path, struct sockaddr_un *a)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	copy_str(a->sun_path, sizeof(a->sun_path), path);
}

static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

static bool is_socket(const char *path)
{
	struct stat st;

	return !lstat(path, &st) && S_ISSOCK(st.st_mode);
}

/* 1: something listens at path (or its queue is full), 0: a socket
 * nobody listens on (stale), -1: nothing there or unreachable. */
static int probe(const char *path)
{
	struct sockaddr_un a;
	int fd, r, e;

	sock_addr(path, &a);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	r = connect(fd, (struct sockaddr *)&a, sizeof(a));
	e = errno;
	close(fd);
	if (!r || e == EAGAIN || e == EINPROGRESS)
		return 1;
	return e == ECONNREFUSED ? 0 : -1;
}

/* Creates dir (0700) and its missing parents, or makes an existing dir of
 * ours 0700; returns 0 or an errno (EPERM: another user's). */
static int make_dir(const char *dir)
{
	char tmp[PATH_LEN];
	struct stat st;
	char *p;

	snprintf(tmp, sizeof(tmp), "%s", dir);
	for (p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		mkdir(tmp, 0700);
		*p = '/';
	}
	if (mkdir(tmp, 0700) && errno != EEXIST)
		return errno;
	if (lstat(tmp, &st))
		return errno;
	if (!S_ISDIR(st.st_mode))
		return ENOTDIR;
	if (st.st_uid != geteuid())
		return EPERM;	/* another user's: not ours to use */
	return (st.st_mode & 077) && chmod(tmp, 0700) ? errno : 0;
}

/* Opens path (a regular file, created 0600, never through a symlink) and
 * flocks it. Returns the fd, or -errno: -EAGAIN when another process
 * holds it, -EEXIST when path is not a regular file. */
static int lock_file(const char *path)
{
	struct stat a, b;
	int i, fd, e;

	for (i = 0; i < LOCK_TRIES; i++) {
		if (!lstat(path, &a) && !S_ISREG(a.st_mode))
			return -EEXIST;
		fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK |
			  O_NOCTTY | O_CLOEXEC, 0600);
		if (fd < 0)
			return errno == ELOOP || errno == EISDIR ? -EEXIST : -errno;
		if (fstat(fd, &a) || !S_ISREG(a.st_mode)) {
			close(fd);
			return -EEXIST;
		}
		if (flock(fd, LOCK_EX | LOCK_NB)) {
			e = errno;
			close(fd);
			return e == EWOULDBLOCK ? -EAGAIN : -e;
		}
		if (!lstat(path, &b) && same_file(&a, &b))
			return fd;
		close(fd);	/* its owner removed it meanwhile: again */
	}
	return -EAGAIN;
}

/* Removes the lock file (if it still is the locked one) and releases it. */
static void unlock_file(int fd, const char *path)
{
	struct stat a, b;

	if (!fstat(fd, &a) && !lstat(path, &b) && same_file(&a, &b))
		unlink(path);
	close(fd);
}

/* Removes a socket nobody listens on, unless a VM holds its name (it is
 * starting and replaces the socket itself). */
static void remove_stale(const char *sock, const char *lock)
{
	int fd = lock_file(lock);

	if (fd < 0)
		return;
	if (is_socket(sock) && probe(sock) == 0)
		unlink(sock);
	unlock_file(fd, lock);
}

/* ---- claiming a name (server side) ---- */

static int no_socket(const char *dir, const char *why)
{
	pr_warn("no control socket for this VM (%s: %s); `lkvm stat` will not "
		"reach it", dir, why);
	return 1;
}

static int name_taken(struct control *c)
{
	pr_err("a VM named '%s' is already running (%s); pick another --name",
	       c->vm->name, c->sock);
	return -1;
}

static int not_ours(const char *path)
{
	pr_err("%s exists and is not lkvm's: remove it or pick another --name",
	       path);
	return -1;
}

/* Makes way for our socket: nothing, or a stale socket, may be there. */
static int clear_sock(struct control *c)
{
	struct stat st;

	if (lstat(c->sock, &st))
		return errno == ENOENT ? 0 : no_socket(c->dir, strerror(errno));
	if (!S_ISSOCK(st.st_mode))
		return not_ours(c->sock);
	if (probe(c->sock) > 0)
		return name_taken(c);	/* an lkvm that takes no lock */
	if (unlink(c->sock) && errno != ENOENT)
		return no_socket(c->dir, strerror(errno));
	return 0;
}

static int bind_listen(struct control *c)
{
	struct sockaddr_un a;
	struct stat st;

	sock_addr(c->sock, &a);
	c->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (c->lfd < 0 || fchmod(c->lfd, 0600))	/* bind's mode: 0600 */
		return no_socket(c->dir, strerror(errno));
	if (bind(c->lfd, (struct sockaddr *)&a, sizeof(a)))
		return errno == EADDRINUSE ? name_taken(c) :
		       no_socket(c->dir, strerror(errno));
	if (lstat(c->sock, &st))
		return no_socket(c->dir, strerror(errno));
	c->bound = true;
	c->dev = st.st_dev;
	c->ino = st.st_ino;
	if (listen(c->lfd, MAX_CLIENTS))
		return no_socket(c->dir, strerror(errno));
	return 0;
}

static bool dir_unusable(int e)
{
	return e == EACCES || e == EPERM || e == EROFS || e == ENOSPC ||
	       e == EDQUOT || e == ENOENT || e == ENOTDIR;
}

/* 0: claimed; 1: no usable directory (warned); -1: error (printed). */
static int claim(struct control *c)
{
	const char *name = c->vm->name;
	struct stat st;
	int r;

	r = control_dir(c->dir, sizeof(c->dir));
	if (r == -ENOENT)
		return no_socket("$XDG_RUNTIME_DIR/lkvm or $HOME/.lkvm",
				 "neither variable is set");
	if (r || name_path(c->dir, name, SOCK_SUFFIX, c->sock) ||
	    name_path(c->dir, name, LOCK_SUFFIX, c->lock))
		return no_socket(c->dir, "too long a path for a Unix socket");
	r = make_dir(c->dir);
	if (r)
		return no_socket(c->dir, strerror(r));
	if (!lstat(c->sock, &st) && !S_ISSOCK(st.st_mode))
		return not_ours(c->sock);	/* before creating anything */
	r = lock_file(c->lock);
	if (r == -EAGAIN)
		return name_taken(c);
	if (r == -EEXIST)
		return not_ours(c->lock);
	if (r < 0 && dir_unusable(-r))
		return no_socket(c->dir, strerror(-r));
	if (r < 0) {
		pr_err("%s: %s", c->lock, strerror(-r));
		return -1;
	}
	c->lock_fd = r;
	r = clear_sock(c);
	return r ? r : bind_listen(c);
}

/* Removes the socket file if it still is the one we bound. */
static void unlink_own_socket(struct control *c)
{
	struct stat st;

	if (c->bound && !lstat(c->sock, &st) && st.st_dev == c->dev &&
	    st.st_ino == c->ino)
		unlink(c->sock);
	c->bound = false;
}

/* Takes the socket away; the name stays held. */
static void drop_socket(struct control *c)
{
	if (c->lfd >= 0)
		close(c->lfd);
	c->lfd = -1;
	unlink_own_socket(c);
}

static void control_free(struct control *c)
{
	drop_socket(c);
	if (c->lock_fd >= 0)
		unlock_file(c->lock_fd, c->lock);
	if (c->stop_efd >= 0)
		close(c->stop_efd);
	free(c);
}

static struct control *control_new(struct vm *vm)
{
	struct control *c = calloc(1, sizeof(*c));
	int i;

	if (!c)
		return NULL;
	c->vm = vm;
	c->uid = geteuid();
	c->lfd = c->lock_fd = c->stop_efd = -1;
	for (i = 0; i < MAX_CLIENTS; i++)
		c->cl[i].fd = -1;
	return c;
}

int control_open(struct vm *vm, struct control **cp)
{
	const char *why = control_name_invalid(vm->name);
	struct control *c;
	int r;

	*cp = NULL;
	if (why) {
		pr_err("invalid VM name '%s': %s; pick another --name",
		       vm->name, why);
		return -1;
	}
	c = control_new(vm);
	if (!c) {
		pr_err("control socket: out of memory");
		return -1;
	}
	r = claim(c);
	if (r) {
		control_free(c);
		return r < 0 ? -1 : 0;
	}
	*cp = c;
	return 0;
}

/* ---- the server thread ---- */

static void client_close(struct client *cl)
{
	if (cl->fd >= 0)
		close(cl->fd);
	free(cl->out);
	cl->fd = -1;
	cl->out = NULL;
	cl->len = 0;
}

/* Answers one request line (NULL: a line too long). */
static void handle_request(struct vm *vm, const char *req, FILE *out)
{
	if (!req) {
		fprintf(out, "request too long (at most %d bytes)\n", REQ_MAX);
		return;
	}
	if (!strncmp(req, "stat ", 5)) {
		if (!control_show(vm, req + 5, out))
			fprintf(out, "no statistics for '%s'\n", req + 5);
		return;
	}
	fprintf(out, "unknown request '%s'\n", req);
}

/* Sends what is left of the answer; closes the client when all is sent
 * or it is gone, else waits for POLLOUT. */
static void send_rest(struct client *cl)
{
	ssize_t n;

	while (cl->out_off < cl->out_len) {
		n = send(cl->fd, cl->out + cl->out_off, cl->out_len - cl->out_off,
			 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0)
			break;
		cl->out_off += n;
	}
	client_close(cl);
}

static void answer(struct control *c, struct client *cl, const char *req)
{
	FILE *f = open_memstream(&cl->out, &cl->out_len);

	if (!f) {
		client_close(cl);
		return;
	}
	handle_request(c->vm, req, f);
	if (fclose(f) || !cl->out) {
		client_close(cl);
		return;
	}
	cl->out_off = 0;
	cl->deadline = now_ns() + CLIENT_MS * 1000000ULL;
	send_rest(cl);
}

/* Reads what the client sent; answers once its line is complete (or it
 * closed its end, or the line is too long). */
static void read_request(struct control *c, struct client *cl)
{
	ssize_t n;
	char *nl;

	n = recv(cl->fd, cl->req + cl->len, REQ_MAX - cl->len, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n < 0 || (n == 0 && !cl->len)) {
		client_close(cl);
		return;
	}
	cl->len += n;
	cl->req[cl->len] = 0;
	nl = memchr(cl->req, '\n', cl->len);
	if (!nl && n && cl->len < REQ_MAX)
		return;		/* the rest is on its way */
	if (!nl) {
		answer(c, cl, n ? NULL : cl->req);
		return;
	}
	*nl = 0;
	if (nl > cl->req && nl[-1] == '\r')
		nl[-1] = 0;
	answer(c, cl, cl->req);
}

static void client_io(struct control *c, struct client *cl)
{
	if (cl->out)
		send_rest(cl);
	else
		read_request(c, cl);
}

/* Takes a new client into a free slot, else into the oldest client's. */
static void client_add(struct control *c, int fd)
{
	struct client *cl = &c->cl[0];
	int i;

	for (i = 0; i < MAX_CLIENTS; i++) {
		if (c->cl[i].fd < 0) {
			cl = &c->cl[i];
			break;
		}
		if (c->cl[i].deadline < cl->deadline)
			cl = &c->cl[i];
	}
	client_close(cl);
	cl->fd = fd;
	cl->deadline = now_ns() + CLIENT_MS * 1000000ULL;
}

/* Only our uid and root may ask: others get REFUSED and are closed. */
static bool peer_allowed(struct control *c, int fd)
{
	static const char msg[] = REFUSED "this VM's control socket serves "
				  "only its owner's uid and root\n";
	struct ucred cr;
	socklen_t len = sizeof(cr);

	if (!getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) &&
	    (cr.uid == c->uid || cr.uid == 0))
		return true;
	if (send(fd, msg, sizeof(msg) - 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
		(void)0;	/* gone already: nothing to tell */
	close(fd);
	return false;
}

static void accept_clients(struct control *c)
{
	int i, fd;

	for (i = 0; i < MAX_CLIENTS; i++) {
		fd = accept4(c->lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (fd >= 0) {
			if (peer_allowed(c, fd))
				client_add(c, fd);
			continue;
		}
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
		    errno == ENOMEM)
			usleep(100 * 1000);	/* do not spin on it */
		return;
	}
}

/* Closes clients past their deadline; returns the poll timeout (ms) until
 * the next one, or -1. */
static int drop_idle(struct control *c)
{
	u64 now = now_ns(), next = 0;
	int i;

	for (i = 0; i < MAX_CLIENTS; i++) {
		struct client *cl = &c->cl[i];

		if (cl->fd >= 0 && cl->deadline <= now)
			client_close(cl);
		if (cl->fd >= 0 && (!next || cl->deadline < next))
			next = cl->deadline;
	}
	return next ? (int)((next - now) / 1000000 + 1) : -1;
}

static void fill_poll(struct control *c, struct pollfd *p)
{
	int i;

	p[0] = (struct pollfd){ .fd = c->stop_efd, .events = POLLIN };
	p[1] = (struct pollfd){ .fd = c->lfd, .events = POLLIN };
	for (i = 0; i < MAX_CLIENTS; i++)
		p[2 + i] = (struct pollfd){ .fd = c->cl[i].fd,
			.events = c->cl[i].out ? POLLOUT : POLLIN };
}

static void *control_thread(void *arg)
{
	struct pollfd p[2 + MAX_CLIENTS];
	struct control *c = arg;
	int i, n;

	sc_enter(SC_CONTROL);
	for (;;) {
		fill_poll(c, p);
		n = poll(p, ARRAY_SIZE(p), drop_idle(c));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || p[0].revents)
			break;
		for (i = 0; i < MAX_CLIENTS; i++)
			if (p[2 + i].revents && c->cl[i].fd == p[2 + i].fd)
				client_io(c, &c->cl[i]);
		if (p[1].revents)
			accept_clients(c);
	}
	for (i = 0; i < MAX_CLIENTS; i++)
		client_close(&c->cl[i]);
	return NULL;
}

void control_start(struct control *c)
{
	sigset_t all, old;
	int e;

	if (!c)
		return;
	c->stop_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (c->stop_efd < 0) {
		e = errno;
	} else {
		sigfillset(&all);	/* signals are the main thread's */
		pthread_sigmask(SIG_BLOCK, &all, &old);
		e = pthread_create(&c->thread, NULL, control_thread, c);
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	}
	if (e) {
		pr_warn("control thread: %s; `lkvm stat` will not reach this VM",
			strerror(e));
		drop_socket(c);
		return;
	}
	c->started = true;
}

/* Stops the thread; false if it did not end within STOP_MS (it is stuck
 * in a provider and is left running). */
static bool stop_thread(struct control *c)
{
	struct timespec ts;

	if (eventfd_write(c->stop_efd, 1))
		return false;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += STOP_MS / 1000;
	ts.tv_nsec += (STOP_MS % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	return !pthread_timedjoin_np(c->thread, NULL, &ts);
}

void control_stop(struct control *c)
{
	if (!c)
		return;
	if (!c->started || stop_thread(c)) {
		control_free(c);
		return;
	}
	/* the thread still uses c and its fds: only take the names away */
	pr_warn("the control thread did not stop; leaving it");
	unlink_own_socket(c);
	unlink(c->lock);	/* we hold it: it is ours */
}

/* ---- `lkvm stat` ---- */

/* Whether a VM answers at NAME.sock in dir; a stale socket is removed. */
static bool vm_alive(const char *dir, const char *name)
{
	char sock[PATH_LEN], lock[PATH_LEN];
	int r;

	if (name_path(dir, name, SOCK_SUFFIX, sock) ||
	    name_path(dir, name, LOCK_SUFFIX, lock) || !is_socket(sock))
		return false;
	r = probe(sock);
	if (r == 0)
		remove_stale(sock, lock);
	return r > 0;
}

/* Counts the running VMs in the control directory (0 if it cannot be
 * read), removing stale sockets. With list, prints each name to stderr;
 * with name, copies the last one found into name[len]. */
static int scan_vms(bool list, char *name, size_t len)
{
	size_t s = strlen(SOCK_SUFFIX);
	char dir[PATH_LEN], vmname[PATH_LEN];
	struct dirent *d;
	DIR *dp;
	int n = 0;

	if (control_dir(dir, sizeof(dir)) || !(dp = opendir(dir)))
		return 0;
	while ((d = readdir(dp))) {
		size_t l = strlen(d->d_name);

		if (l <= s || strcmp(d->d_name + l - s, SOCK_SUFFIX))
			continue;
		snprintf(vmname, sizeof(vmname), "%.*s", (int)(l - s), d->d_name);
		if (control_name_invalid(vmname) || !vm_alive(dir, vmname))
			continue;
		if (list)
			fprintf(stderr, "  %s\n", vmname);
		if (name)
			copy_str(name, len, vmname);
		n++;
	}
	closedir(dp);
	return n;
}

/* The only running VM's name into name[len]; 0, or 1 (error printed). */
static int pick_vm(char *name, size_t len)
{
	char dir[PATH_LEN] = "";
	int n = scan_vms(false, name, len);

	if (n == 1)
		return 0;
	if (!n) {
		control_dir(dir, sizeof(dir));
		fprintf(stderr, "lkvm stat: no running VM (none answers in %s)\n",
			*dir ? dir : "$XDG_RUNTIME_DIR/lkvm or $HOME/.lkvm");
		return 1;
	}
	fprintf(stderr, "lkvm stat: %d VMs are running; give --name:\n", n);
	scan_vms(true, NULL, 0);
	return 1;
}

/* Connects to the VM's socket with STAT_TIMEOUT_S timeouts; -1 (error
 * printed) when no VM answers there. */
static int stat_connect(const char *name)
{
	struct timeval tv = { .tv_sec = STAT_TIMEOUT_S };
	char dir[PATH_LEN], sock[PATH_LEN], lock[PATH_LEN];
	struct sockaddr_un a;
	int fd, e = ENOENT;

	if (control_dir(dir, sizeof(dir)) ||
	    name_path(dir, name, SOCK_SUFFIX, sock) ||
	    name_path(dir, name, LOCK_SUFFIX, lock))
		goto none;
	if (!is_socket(sock)) {
		e = errno;
		goto none;
	}
	sock_addr(sock, &a);
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
		remove_stale(sock, lock);
none:
	if (e == EACCES)
		fprintf(stderr, "lkvm stat: VM '%s': permission denied: its "
			"control socket (%s) serves only its owner and root\n",
			name, sock);
	else if (e == EAGAIN)
		fprintf(stderr, "lkvm stat: VM '%s' does not accept connections "
			"(waited %d s)\n", name, STAT_TIMEOUT_S);
	else
		fprintf(stderr, "lkvm stat: no running VM named '%s'\n", name);
	return -1;
}

static int read_failed(const char *name, int e)
{
	if (e == EAGAIN)
		fprintf(stderr, "lkvm stat: no answer from VM '%s' within %d s\n",
			name, STAT_TIMEOUT_S);
	else
		fprintf(stderr, "lkvm stat: reading the answer of VM '%s': %s\n",
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

/* Prints the VM's refusal (an answer starting with REFUSED), if it is one. */
static bool refused(const char *name, const char *buf, ssize_t n)
{
	size_t len = strlen(REFUSED);

	if (n <= (ssize_t)len || memcmp(buf, REFUSED, len))
		return false;
	fprintf(stderr, "lkvm stat: VM '%s' refused the request: ", name);
	control_write_escaped(stderr, buf + len, n - len);
	return true;
}

/* Sends the request and copies the answer, escaped, to stdout; the whole
 * answer must come within STAT_TIMEOUT_S. */
static int stat_ask(int fd, const char *name, const char *topic)
{
	u64 deadline = now_ns() + STAT_TIMEOUT_S * 1000000000ULL;
	char req[64], buf[4096];
	size_t total = 0;
	ssize_t n;
	int len, e;

	len = snprintf(req, sizeof(req), "stat %s\n", topic);
	if (send(fd, req, len, MSG_NOSIGNAL) != len) {
		e = errno;	/* a refusal may have come before the close */
		n = read_by(fd, buf, sizeof(buf), deadline);
		if (n > 0 && refused(name, buf, n))
			return 1;
		errno = e;
		fprintf(stderr, "lkvm stat: VM '%s' closed the connection: %s\n",
			name, strerror(errno));
		return 1;
	}
	while ((n = read_by(fd, buf, sizeof(buf), deadline)) > 0) {
		if (!total && refused(name, buf, n))
			return 1;
		control_write_escaped(stdout, buf, n);
		total += n;
	}
	e = errno;
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "lkvm stat: writing the answer: %s\n",
			strerror(errno));
		return 1;
	}
	if (n < 0)
		return read_failed(name, e);
	if (!total) {
		fprintf(stderr, "lkvm stat: VM '%s' closed the connection "
			"without answering\n", name);
		return 1;
	}
	return 0;
}

static const char stat_usage[] =
"usage: lkvm stat [--vfio | --vm] [--name <name>]\n"
"  --vfio         VFIO trap and interrupt counters of each assigned device\n"
"                 (the default)\n"
"  --vm           vCPU exit counts\n"
"  --name <name>  the VM to ask (default: the only running one)\n";

static int bad_usage(const char *what, const char *arg)
{
	fprintf(stderr, "lkvm stat: %s '%s'\n%s", what, arg, stat_usage);
	return 2;
}

/* Parses the options: -1 to go on, else the exit status. */
static int stat_options(int argc, char **argv, const char **name,
			const char **topic)
{
	static const struct option opts[] = {
		{ "vfio", no_argument, NULL, 'v' },
		{ "vm", no_argument, NULL, 'm' },
		{ "name", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *why;
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c == 'h') {
			fputs(stat_usage, stdout);
			return 0;
		}
		if (c == 'n')
			*name = optarg;
		else if (c == 'v' || c == 'm')
			*topic = c == 'v' ? "vfio" : "vm";
		else
			return bad_usage("bad option", argv[optind - 1]);
	}
	if (optind < argc)
		return bad_usage("unexpected argument", argv[optind]);
	why = *name ? control_name_invalid(*name) : NULL;
	if (!why)
		return -1;
	fprintf(stderr, "lkvm stat: invalid --name: %s\n", why);
	return 2;
}

int control_stat_cmd(int argc, char **argv)
{
	const char *name = NULL, *topic = "vfio";
	char found[NAME_MAX_LEN + 1];
	int fd, r;

	signal(SIGPIPE, SIG_IGN);
	r = stat_options(argc, argv, &name, &topic);
	if (r >= 0)
		return r;
	if (!name) {
		if (pick_vm(found, sizeof(found)))
			return 1;
		name = found;
	}
	fd = stat_connect(name);
	if (fd < 0)
		return 1;
	r = stat_ask(fd, name, topic);
	close(fd);
	return r;
}
