/* The VM control socket (include/kvm/control.h), the VM side: claiming a
 * VM name (NAME.lock, NAME.sock), starting and stopping the server thread
 * (kvm/ctl_server.c), jobs for the main thread, and events. */
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
#include "kvm/ctl_internal.h"
#include "kvm/seccomp.h"
#include "kvm/vm.h"

#define LOCK_TRIES	8
#define STOP_MS		1000	/* how long control_stop waits for the thread */

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

bool control_has_topic(const char *topic)
{
	struct control_stat *s;

	for (s = __atomic_load_n(&stats, __ATOMIC_ACQUIRE); s; s = s->next)
		if (!strcmp(s->topic, topic))
			return true;
	return false;
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
int ctl_name_path(const char *dir, const char *name, const char *suffix,
		     char *buf)
{
	int n = snprintf(buf, PATH_LEN, "%s/%s%s", dir, name, suffix);

	return n < 0 || (size_t)n >= SUN_PATH_LEN ? -1 : 0;
}

/* Copies src into dst[len], cut to fit. */
void ctl_copy_str(char *dst, size_t len, const char *src)
{
	size_t n = strnlen(src, len - 1);

	memcpy(dst, src, n);
	dst[n] = 0;
}

void ctl_sock_addr(const char *path, struct sockaddr_un *a)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	ctl_copy_str(a->sun_path, sizeof(a->sun_path), path);
}

static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

bool ctl_is_socket(const char *path)
{
	struct stat st;

	return !lstat(path, &st) && S_ISSOCK(st.st_mode);
}

/* 1: something listens at path (or its queue is full), 0: a socket
 * nobody listens on (stale), -1: nothing there or unreachable. */
int ctl_probe(const char *path)
{
	struct sockaddr_un a;
	int fd, r, e;

	ctl_sock_addr(path, &a);
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
void ctl_remove_stale(const char *sock, const char *lock)
{
	int fd = lock_file(lock);

	if (fd < 0)
		return;
	if (ctl_is_socket(sock) && ctl_probe(sock) == 0)
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
	if (ctl_probe(c->sock) > 0)
		return name_taken(c);	/* an lkvm that takes no lock */
	if (unlink(c->sock) && errno != ENOENT)
		return no_socket(c->dir, strerror(errno));
	return 0;
}

static int bind_listen(struct control *c)
{
	struct sockaddr_un a;
	struct stat st;

	ctl_sock_addr(c->sock, &a);
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
	if (r || ctl_name_path(c->dir, name, SOCK_SUFFIX, c->sock) ||
	    ctl_name_path(c->dir, name, LOCK_SUFFIX, c->lock))
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

int control_files(const struct control *c, const char **sock,
		  const char **lock)
{
	if (!c || c->lfd < 0)
		return -1;
	*sock = c->sock;
	*lock = c->lock;
	return 0;
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
	if (c->job_efd >= 0)
		close(c->job_efd);
	if (c->done_efd >= 0)
		close(c->done_efd);
	ctl_events_destroy(&c->ev);
	pthread_mutex_destroy(&c->job_lock);
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
	pthread_mutex_init(&c->job_lock, NULL);
	c->job_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	c->done_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (ctl_events_init(&c->ev) || c->job_efd < 0 || c->done_efd < 0) {
		control_free(c);
		return NULL;
	}
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

/* ---- jobs for the main thread, and events ---- */

int control_job_fd(struct control *c)
{
	return c ? c->job_efd : -1;
}

void control_event(struct control *c, const char *ev, const char *detail)
{
	char line[CTL_EV_LINE];

	if (c && ctl_event_format(line, sizeof(line), ev, c->vm->name,
				  detail) > 0)
		ctl_events_post(&c->ev, line);
}

void control_run_job(struct control *c, struct vm *vm,
		     void (*run)(struct vm *vm, struct ctl_job *job))
{
	struct ctl_job *job;
	bool paused;
	eventfd_t v;

	if (eventfd_read(c->job_efd, &v))
		return;
	pthread_mutex_lock(&c->job_lock);
	job = c->job;
	c->job = NULL;
	pthread_mutex_unlock(&c->job_lock);
	if (!job)
		return;
	paused = vm->user_paused;
	job->ctl = c;
	pthread_mutex_lock(&vm->ctl_lock);
	vm->ctl_held = true;
	run(vm, job);
	vm->ctl_held = false;
	pthread_mutex_unlock(&vm->ctl_lock);
	fflush(job->out);
	if (paused != vm->user_paused)
		control_event(c, vm->user_paused ? "paused" : "resumed", NULL);
	eventfd_write(c->done_efd, 1);
}

void control_job_wait_begin(struct vm *vm)
{
	if (vm->ctl_held)
		pthread_mutex_unlock(&vm->ctl_lock);
}

void control_job_wait_end(struct vm *vm)
{
	if (vm->ctl_held)
		pthread_mutex_lock(&vm->ctl_lock);
}

/* ---- the server thread's life ---- */

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
		e = pthread_create(&c->thread, NULL, ctl_server_thread, c);
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
