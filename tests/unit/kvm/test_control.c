/* Unit tests of the control socket (kvm/control.c) without KVM: a VM name
 * is claimed once (even by racing claimants), a file that is not lkvm's is
 * never removed, a stale socket is replaced, an exit removes only its own
 * socket, no usable directory means running without one, idle or slow
 * clients do not delay others, and a peer's bytes are escaped. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>
#include "kvm/control.h"
#include "kvm/ctl_msg.h"
#include "kvm/vm.h"
#include "fake_vm.h"
#include "unit.h"

#define RACERS	4
#define ROUNDS	50

static char root[48];		/* the temporary $XDG_RUNTIME_DIR */

static void show_unit(struct vm *vm, FILE *out)
{
	fprintf(out, "unit %s ok\n", vm->name);
}

static void show_big(struct vm *vm, FILE *out)
{
	int i;

	for (i = 0; i < 20000; i++)	/* 420 KB: more than a socket holds */
		fprintf(out, "line %08d ......\n", i);
}

static struct control_stat unit_stat = { .topic = "unit", .show = show_unit };
static struct control_stat big_stat = { .topic = "big", .show = show_big };

/* A fresh $XDG_RUNTIME_DIR; the providers registered once. */
static bool setup(void)
{
	static bool registered;

	snprintf(root, sizeof(root), "/tmp/lkvm-unit-ctl-XXXXXX");
	if (!mkdtemp(root))
		return false;
	setenv("XDG_RUNTIME_DIR", root, 1);
	if (!registered) {
		control_register_stat(&unit_stat);
		control_register_stat(&big_stat);
		registered = true;
	}
	return true;
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd))
		fprintf(stderr, "could not remove %s\n", root);
}

/* root/lkvm/name into buf[len] */
static const char *path(char *buf, size_t len, const char *name)
{
	if (snprintf(buf, len, "%s/lkvm/%s", root, name) >= (int)len)
		buf[0] = 0;
	return buf;
}

static bool exists(const char *name)
{
	char p[128];
	struct stat st;

	return !lstat(path(p, sizeof(p), name), &st);
}

static void addr_of(const char *name, struct sockaddr_un *a)
{
	char p[128];

	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	path(p, sizeof(p), name);
	if (strlen(p) < sizeof(a->sun_path))
		memcpy(a->sun_path, p, strlen(p));
}

/* A client of VM vm (its NAME.sock). */
static int connect_to(const char *vm)
{
	struct timeval tv = { .tv_sec = 3 };
	struct sockaddr_un a;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	char sock[80];

	if (snprintf(sock, sizeof(sock), "%s.sock", vm) >= (int)sizeof(sock))
		return -1;
	addr_of(sock, &a);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Reads one answer line (until its '\n' or EOF) into buf[len]
 * (NUL-terminated); returns the bytes, or -1 when nothing came. */
static ssize_t read_all(int fd, char *buf, size_t len)
{
	size_t got = 0;
	ssize_t n = 0;

	while (got < len - 1 && (!got || buf[got - 1] != '\n') &&
	       (n = read(fd, buf + got, len - 1 - got)) > 0)
		got += n;
	buf[got] = 0;
	return n < 0 && !got ? -1 : (ssize_t)got;
}

/* Sends req on a new connection to NAME.sock and reads the answer. */
static ssize_t ask(const char *name, const char *req, char *buf, size_t len)
{
	int fd = connect_to(name);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, req, strlen(req)) == (ssize_t)strlen(req) ?
	    read_all(fd, buf, len) : -1;
	close(fd);
	return n;
}

/* Binds a socket at NAME (no listener) and closes it: a stale socket. */
static bool make_stale(const char *name)
{
	struct sockaddr_un a;
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	bool ok;

	addr_of(name, &a);
	ok = fd >= 0 && !bind(fd, (struct sockaddr *)&a, sizeof(a));
	close(fd);
	return ok;
}

/* Silences stderr (the losers' "already running"), or restores it. */
static void quiet(bool on)
{
	static int saved = -1;
	int fd;

	fflush(stderr);
	if (on && saved < 0) {
		saved = dup(2);
		fd = open("/dev/null", O_WRONLY);
		dup2(fd, 2);
		close(fd);
	} else if (!on && saved >= 0) {
		dup2(saved, 2);
		close(saved);
		saved = -1;
	}
}

static void vm_named(struct vm *vm, const char *name)
{
	memset(vm, 0, sizeof(*vm));
	vm->name = name;
}

TEST(control_name_rules)
{
	EXPECT(!control_name_invalid("guest-123"));
	EXPECT(!control_name_invalid("a.b_c-d"));
	EXPECT_CONTAINS(control_name_invalid(""), "empty");
	EXPECT_CONTAINS(control_name_invalid(".hidden"), "'.'");
	EXPECT_CONTAINS(control_name_invalid(".."), "'.'");
	EXPECT_CONTAINS(control_name_invalid("a/b"), "'/'");
	EXPECT_CONTAINS(control_name_invalid("a\nb"), "control");
	EXPECT_CONTAINS(control_name_invalid("a\033b"), "control");
	EXPECT_CONTAINS(control_name_invalid(
		"0123456789012345678901234567890123456789012345678901234567890123"
		"4"), "64");
	EXPECT(!control_name_invalid(
		"0123456789012345678901234567890123456789012345678901234567890123"));
}

TEST(control_escapes_peer_bytes)
{
	static const char in[] = "A\033[31mB\a\n\tC\x9b\x7f\r\\ ~";
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ASSERT(f);
	control_write_escaped(f, in, sizeof(in));	/* with the NUL */
	fclose(f);
	EXPECT_STR(buf, "A\\x1b[31mB\\x07\n\tC\\x9b\\x7f\\x0d\\ ~\\x00");
	free(buf);
}

/* Idle clients, more than are served at once, and a slow reader of a big
 * answer do not delay a request; the socket and lock go at stop, and so
 * does every fd. */
TEST(control_serves_past_idle_clients)
{
	int idle[24], fds, slow, i;
	struct control *c;
	char buf[256];
	struct vm vm;
	u64 t;

	ASSERT(setup());
	vm_named(&vm, "u1");
	fds = open_fds();
	ASSERT(!control_open(&vm, &c) && c);
	EXPECT(exists("u1.sock") && exists("u1.lock"));
	control_start(c);
	for (i = 0; i < (int)ARRAY_SIZE(idle); i++)
		idle[i] = connect_to("u1");
	slow = connect_to("u1");
	EXPECT(slow >= 0 && write(slow, "{\"cmd\":\"stat\",\"what\":\"big\"}\n", 28) == 28);
	t = now_ns();
	EXPECT(ask("u1", "{\"cmd\": \"stat\", \"what\": \"unit\"}\n", buf, sizeof(buf)) > 0);
	EXPECT_STR(buf, "{\"ok\": true, \"cmd\": \"stat\", \"what\": \"unit\", \"text\": \"unit u1 ok\\n\"}\n");
	EXPECT(now_ns() - t < 1000000000ULL);
	EXPECT(ask("u1", "{\"cmd\": \"stat\", \"what\": \"none\"}\n", buf, sizeof(buf)) > 0);
	EXPECT_STR(buf, "{\"error\": \"no statistics for 'none'\"}\n");
	control_stop(c);
	for (i = 0; i < (int)ARRAY_SIZE(idle); i++)
		if (idle[i] >= 0)
			close(idle[i]);
	if (slow >= 0)
		close(slow);
	EXPECT(!exists("u1.sock") && !exists("u1.lock"));
	EXPECT_EQ(open_fds(), fds);
	teardown();
}

/* A stat without a topic shows vm, or vfio when the VM has a VFIO device. */
TEST(control_stat_default_topic)
{
	static struct control_stat vm_s = { .topic = "vm", .show = show_unit };
	static struct control_stat vfio_s = { .topic = "vfio",
					      .show = show_unit };
	static const char ask_stat[] = "{\"cmd\": \"stat\"}\n";
	struct control *c;
	char buf[256];
	struct vm vm;

	ASSERT(setup());
	vm_named(&vm, "u5");
	ASSERT(!control_open(&vm, &c) && c);
	control_register_stat(&vm_s);
	control_start(c);
	EXPECT(ask("u5", ask_stat, buf, sizeof(buf)) > 0);
	EXPECT_STR(buf, "{\"ok\": true, \"cmd\": \"stat\", \"what\": \"vm\", \"text\": \"unit u5 ok\\n\"}\n");
	control_register_stat(&vfio_s);
	EXPECT(ask("u5", ask_stat, buf, sizeof(buf)) > 0);
	EXPECT_STR(buf, "{\"ok\": true, \"cmd\": \"stat\", \"what\": \"vfio\", \"text\": \"unit u5 ok\\n\"}\n");
	control_stop(c);
	control_unregister_stat(&vfio_s);
	control_unregister_stat(&vm_s);
	teardown();
}

/* A big answer arrives whole; split, unterminated and long requests. */
TEST(control_request_lines)
{
	static char big[512 * 1024];
	struct control *c;
	char buf[256];
	struct vm vm;
	int fd;

	ASSERT(setup());
	vm_named(&vm, "u2");
	ASSERT(!control_open(&vm, &c) && c);
	control_start(c);
	EXPECT(ask("u2", "{\"cmd\": \"stat\", \"what\": \"big\"}\r\n", big,
		   sizeof(big)) > 20000 * 22);
	EXPECT_CONTAINS(big, "line 00019999 ......\\n\"}\n");
	fd = connect_to("u2");
	EXPECT(write(fd, "{\"cmd\": \"stat\", \"what\": \"u", 26) == 26);
	usleep(100 * 1000);
	EXPECT(write(fd, "nit\"}\n", 6) == 6);
	EXPECT(read_all(fd, buf, sizeof(buf)) > 0);
	EXPECT_CONTAINS(buf, "\"text\": \"unit u2 ok\\n\"");
	/* the connection stays: a bad line, then a good one on it */
	EXPECT(write(fd, "{\"cmd\": \n", 9) == 9);
	EXPECT(read_all(fd, buf, sizeof(buf)) > 0);
	EXPECT_CONTAINS(buf, "{\"error\": \"bad JSON: ");
	EXPECT(write(fd, "{\"cmd\": \"info\"}\n", 16) == 16);
	EXPECT(read_all(fd, buf, sizeof(buf)) > 0);
	EXPECT_STR(buf, "{\"error\": \"no information\"}\n");
	close(fd);
	fd = connect_to("u2");
	EXPECT(write(fd, "{\"cmd\": \"stat\", \"what\": \"unit\"}", 31) == 31 &&
	       !shutdown(fd, SHUT_WR));
	EXPECT(read_all(fd, buf, sizeof(buf)) > 0);
	EXPECT_CONTAINS(buf, "\"text\": \"unit u2 ok\\n\"");
	close(fd);
	/* a line over the limit: an error, the rest of it skipped, the
	 * connection served on */
	fd = connect_to("u2");
	memset(big, 'x', 3000);
	big[3000] = '\n';
	EXPECT(write(fd, big, 3001) == 3001);
	EXPECT(read_all(fd, buf, sizeof(buf)) > 0);
	EXPECT_STR(buf, "{\"error\": \"request longer than 1023 bytes\"}\n");
	EXPECT(write(fd, "{\"cmd\": \"stat\", \"what\": \"unit\"}\n", 32) == 32);
	EXPECT(read_all(fd, buf, sizeof(buf)) > 0);
	EXPECT_CONTAINS(buf, "\"text\": \"unit u2 ok\\n\"");
	close(fd);
	EXPECT(ask("u2", "hello\n", buf, sizeof(buf)) > 0);
	EXPECT_CONTAINS(buf, "{\"error\": \"bad JSON: unexpected character");
	control_stop(c);
	teardown();
}

/* vm outlives the racer's thread: the winner's control thread serves it */
struct racer {
	pthread_barrier_t *go;
	struct control *c;
	int r;
	struct vm vm;	/* outlives the thread: the control keeps it */
};

static void *race(void *arg)
{
	struct racer *r = arg;

	vm_named(&r->vm, "race");
	pthread_barrier_wait(r->go);
	r->r = control_open(&r->vm, &r->c);
	return NULL;
}

/* Claimants that race for one name: exactly one wins each round, and the
 * socket is the winner's. */
TEST(control_name_race)
{
	struct racer r[RACERS];
	pthread_barrier_t go;
	pthread_t t[RACERS];
	int round, i, won, bad = 0;
	char buf[64];

	ASSERT(setup());
	quiet(true);
	for (round = 0; round < ROUNDS; round++) {
		pthread_barrier_init(&go, NULL, RACERS);
		for (i = 0; i < RACERS; i++) {
			r[i] = (struct racer){ .go = &go };
			pthread_create(&t[i], NULL, race, &r[i]);
		}
		for (won = 0, i = 0; i < RACERS; i++) {
			pthread_join(t[i], NULL);
			won += !r[i].r && r[i].c;
			bad += (!r[i].r) != !!r[i].c;
		}
		pthread_barrier_destroy(&go);
		if (won != 1)
			bad++;
		for (i = 0; i < RACERS; i++) {
			control_start(r[i].c);
			if (r[i].c && ask("race", "{\"cmd\": \"stat\", \"what\": \"unit\"}\n", buf,
					  sizeof(buf)) <= 0)
				bad++;
			control_stop(r[i].c);
		}
		if (exists("race.sock") || exists("race.lock"))
			bad++;
	}
	quiet(false);
	EXPECT_EQ(bad, 0);
	teardown();
}

/* A regular file, a symlink (dangling or not) at NAME.sock or NAME.lock is
 * refused and left as it was; nothing else is left behind. */
TEST(control_refuses_foreign_files)
{
	static const char *const names[] = { "f1", "f2", "f3", "f4" };
	char p[128], t[128], got[16] = "";
	struct control *c = (void *)1;
	struct vm vm;
	int i, fd;

	ASSERT(setup());
	ASSERT(!mkdir(path(p, sizeof(p), ""), 0700));
	fd = open(path(p, sizeof(p), "f1.sock"), O_CREAT | O_WRONLY, 0600);
	EXPECT(write(fd, "keep", 4) == 4);
	close(fd);
	EXPECT(!symlink(path(t, sizeof(t), "target"), path(p, sizeof(p), "f2.sock")));
	EXPECT(!symlink("/nonexistent", path(p, sizeof(p), "f3.sock")));
	EXPECT(!symlink(path(t, sizeof(t), "target"), path(p, sizeof(p), "f4.lock")));
	fd = open(path(t, sizeof(t), "target"), O_CREAT | O_WRONLY, 0600);
	close(fd);
	for (i = 0; i < (int)ARRAY_SIZE(names); i++) {
		vm_named(&vm, names[i]);
		EXPECT_EQ(control_open(&vm, &c), -1);
		EXPECT(!c);
	}
	fd = open(path(p, sizeof(p), "f1.sock"), O_RDONLY);
	EXPECT(read(fd, got, sizeof(got) - 1) == 4);
	close(fd);
	EXPECT_STR(got, "keep");
	EXPECT(exists("f2.sock") && exists("f3.sock") && exists("f4.lock"));
	EXPECT(!exists("f1.lock") && !exists("f2.lock") && !exists("f3.lock"));
	EXPECT(!exists("f4.sock") && exists("target"));
	teardown();
}

/* A stale socket and lock (a killed VM's) are replaced; a socket that is
 * no longer ours at exit is left alone. */
TEST(control_stale_and_foreign_socket)
{
	struct control *c;
	char p[128], q[128], buf[64];
	struct stat a, b;
	struct vm vm;
	int fd;

	ASSERT(setup());
	ASSERT(!mkdir(path(p, sizeof(p), ""), 0700));
	EXPECT(make_stale("s1.sock"));
	fd = open(path(p, sizeof(p), "s1.lock"), O_CREAT | O_WRONLY, 0600);
	close(fd);
	vm_named(&vm, "s1");
	ASSERT(!control_open(&vm, &c) && c);
	control_start(c);
	EXPECT(ask("s1", "{\"cmd\": \"stat\", \"what\": \"unit\"}\n", buf, sizeof(buf)) > 0);
	EXPECT_CONTAINS(buf, "\"text\": \"unit s1 ok");
	/* someone moves our socket away and puts theirs in its place */
	EXPECT(!rename(path(p, sizeof(p), "s1.sock"), path(q, sizeof(q), "moved")));
	EXPECT(make_stale("s1.sock"));
	EXPECT(!lstat(path(p, sizeof(p), "s1.sock"), &a));
	control_stop(c);
	EXPECT(!lstat(path(p, sizeof(p), "s1.sock"), &b));
	EXPECT(a.st_ino == b.st_ino);
	EXPECT(!exists("s1.lock"));
	teardown();
}

/* No usable directory: the VM runs without a socket (0, NULL). */
TEST(control_without_directory)
{
	char saved_home[256] = "", p[128];
	const char *home = getenv("HOME");
	struct control *c = (void *)1;
	struct vm vm;
	int fd;

	ASSERT(setup());
	if (home)
		snprintf(saved_home, sizeof(saved_home), "%s", home);
	snprintf(p, sizeof(p), "%s/file", root);
	fd = open(p, O_CREAT | O_WRONLY, 0600);
	close(fd);
	snprintf(p, sizeof(p), "%s/file/x", root);
	setenv("XDG_RUNTIME_DIR", p, 1);
	vm_named(&vm, "n1");
	EXPECT_EQ(control_open(&vm, &c), 0);
	EXPECT(!c);
	unsetenv("XDG_RUNTIME_DIR");
	unsetenv("HOME");
	c = (void *)1;
	EXPECT_EQ(control_open(&vm, &c), 0);
	EXPECT(!c);
	control_start(NULL);
	control_stop(NULL);
	if (*saved_home)
		setenv("HOME", saved_home, 1);
	vm_named(&vm, ".bad");
	EXPECT_EQ(control_open(&vm, &c), -1);
	teardown();
	unsetenv("XDG_RUNTIME_DIR");
}

/* The option parser the VM commands share (kvm/ctl_client.c): --name,
 * --help and a command's own options; bad ones give status 2. */
static int seen_val;

static int take_opt(void *arg, int val, const char *optarg)
{
	seen_val = val;
	return optarg && !strcmp(optarg, "bad") ? -1 : 0;
}

TEST(control_shared_options)
{
	static const struct option extra[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "timeout", required_argument, NULL, 't' },
		{ 0 }
	};
	char a0[] = "stop", a1[] = "--name", a2[] = "vm1", a3[] = "--json",
	     a4[] = "rest", b1[] = "--timeout", b2[] = "bad", c1[] = "--nope",
	     d2[] = "a/b", e1[] = "--help";
	char *ok[] = { a0, a1, a2, a3, a4, NULL };
	char *badval[] = { a0, b1, b2, NULL };
	char *unknown[] = { a0, c1, NULL };
	char *badname[] = { a0, a1, d2, NULL };
	char *help[] = { a0, e1, NULL };
	struct ctl_opts o = { .cmd = "lkvm t", .usage = "usage: t\n",
			      .extra = extra, .opt = take_opt };
	FILE *saved = stdout;

	EXPECT_EQ(control_parse_opts(&o, 5, ok), -1);
	EXPECT_STR(o.name, "vm1");
	EXPECT_EQ(seen_val, 'j');
	EXPECT_STR(ok[optind], "rest");
	quiet(true);
	o.name = NULL;
	EXPECT_EQ(control_parse_opts(&o, 3, badval), 2);
	EXPECT_EQ(control_parse_opts(&o, 2, unknown), 2);
	EXPECT_EQ(control_parse_opts(&o, 3, badname), 2);
	stdout = fopen("/dev/null", "w");
	EXPECT_EQ(control_parse_opts(&o, 2, help), 0);
	fclose(stdout);
	stdout = saved;
	quiet(false);
}

/* The main thread's side for control_jobs_post_events: runs jobs until
 * told to stop, each posting an event named after its request. */
struct jobber {
	struct control *c;
	struct vm *vm;
	volatile bool stop;
	void (*run)(struct vm *vm, struct ctl_job *job);	/* or post_job */
};

static void post_job(struct vm *vm, struct ctl_job *job)
{
	control_event(job->ctl, job->req->cmd == CTL_VFIO_ADD ?
		      "device-added" : "device-removed", job->req->dev);
	ctl_put_ok(job->out, job->req->cmd);
	ctl_put_end(job->out);
}

static void *jobber(void *arg)
{
	struct jobber *j = arg;
	struct pollfd p = { .fd = control_job_fd(j->c), .events = POLLIN };

	while (!j->stop)
		if (poll(&p, 1, 50) > 0)
			control_run_job(j->c, j->vm, j->run ? j->run : post_job);
	return NULL;
}

/* Events a job posts reach a subscriber, every one and in order, however
 * many clients came and went meanwhile. */
TEST(control_jobs_post_events)
{
	static const char *const reqs[] = {
		"{\"cmd\": \"vfio-add\", \"dev\": \"a\"}\n",
		"{\"cmd\": \"vfio-remove\", \"dev\": \"a\"}\n",
		"{\"cmd\": \"vfio-add\", \"dev\": \"b\"}\n",
		"{\"cmd\": \"vfio-remove\", \"dev\": \"b\"}\n",
		"{\"cmd\": \"vfio-add\", \"dev\": \"c\"}\n",
		"{\"cmd\": \"vfio-remove\", \"dev\": \"c\"}\n",
	};
	struct jobber j = { 0 };
	char buf[2048], *p;
	struct control *c;
	struct vm vm;
	pthread_t t;
	size_t i, got = 0;
	int sub, n;

	ASSERT(setup());
	vm_named(&vm, "ev1");
	ASSERT(!control_open(&vm, &c) && c);
	control_start(c);
	j.c = c;
	j.vm = &vm;
	ASSERT(!pthread_create(&t, NULL, jobber, &j));
	sub = connect_to("ev1");
	ASSERT(sub >= 0);
	EXPECT(write(sub, "{\"cmd\": \"subscribe\"}\n", 21) == 21);
	EXPECT(read_all(sub, buf, sizeof(buf)) > 0);
	for (i = 0; i < ARRAY_SIZE(reqs); i++) {
		EXPECT(ask("ev1", reqs[i], buf, sizeof(buf)) > 0);
		EXPECT_CONTAINS(buf, "\"ok\": true");
	}
	buf[0] = 0;
	while (got < sizeof(buf) - 1 &&
	       (n = read(sub, buf + got, sizeof(buf) - 1 - got)) > 0) {
		got += n;
		buf[got] = 0;
		if (strstr(buf, "\"detail\": \"c\"}\n{\"event\": \"device-removed\""))
			break;
		if (strstr(buf, "device-removed\", \"vm\": \"ev1\", \"detail\": \"c\""))
			break;
	}
	for (i = 0, p = buf; i < ARRAY_SIZE(reqs); i++) {
		char want[96];

		snprintf(want, sizeof(want), "{\"event\": \"%s\", \"vm\": \"ev1\", "
			 "\"detail\": \"%c\"}\n", i % 2 ? "device-removed" :
			 "device-added", "abc"[i / 2]);
		p = p ? strstr(p, want) : NULL;
		if (!EXPECT(p != NULL))
			fprintf(stderr, "  event %zu missing from: %s\n", i, buf);
		if (p)
			p += strlen(want);
	}
	j.stop = true;
	pthread_join(t, NULL);
	close(sub);
	control_stop(c);
	teardown();
}

/* The main thread's side for control_serves_others_while_a_job_runs: a
 * vfio-remove of "slow" holds it until slow_released, letting stat be
 * answered meanwhile as a removal's wait for the guest does; the others
 * answer at once, naming their device. */
static volatile bool slow_released;

static void slow_job(struct vm *vm, struct ctl_job *job)
{
	control_job_wait_begin(vm);	/* as hot_eject's wait for the guest */
	while (!strcmp(job->req->dev, "slow") && !slow_released)
		usleep(10 * 1000);
	control_job_wait_end(vm);
	ctl_put_ok(job->out, job->req->cmd);
	fprintf(job->out, ", \"dev\": \"%s\"", job->req->dev);
	ctl_put_end(job->out);
}

/* While the main thread runs one client's job, the others are served
 * (stat), and one asking for another job waits its turn, then gets it;
 * both closed their sending side after asking, and both get answers. */
TEST(control_serves_others_while_a_job_runs)
{
	static const char slow[] = "{\"cmd\": \"vfio-remove\", \"dev\": \"slow\"}\n";
	static const char next[] = "{\"cmd\": \"vfio-add\", \"dev\": \"b\"}\n";
	struct jobber j = { .run = slow_job };
	struct control *c;
	struct pollfd p;
	char buf[512];
	struct vm vm;
	pthread_t t;
	int a, b;

	ASSERT(setup());
	slow_released = false;
	vm_named(&vm, "jb1");
	ASSERT(!control_open(&vm, &c) && c);
	control_start(c);
	j.c = c;
	j.vm = &vm;
	ASSERT(!pthread_create(&t, NULL, jobber, &j));
	a = connect_to("jb1");
	ASSERT(a >= 0);
	/* its last line ends at its end, not at a '\n' */
	EXPECT(write(a, slow, strlen(slow) - 1) == (ssize_t)strlen(slow) - 1);
	shutdown(a, SHUT_WR);		/* asked; it still wants its answer */
	usleep(200 * 1000);		/* the main thread has it now */
	EXPECT(ask("jb1", "{\"cmd\": \"stat\", \"what\": \"unit\"}\n", buf,
		   sizeof(buf)) > 0);
	EXPECT_CONTAINS(buf, "\"text\": \"unit jb1 ok\\n\"");
	b = connect_to("jb1");
	ASSERT(b >= 0);
	EXPECT(write(b, next, strlen(next) - 1) == (ssize_t)strlen(next) - 1);
	shutdown(b, SHUT_WR);
	p = (struct pollfd){ .fd = b, .events = POLLIN };
	EXPECT_EQ(poll(&p, 1, 300), 0);	/* its turn comes after a's */
	slow_released = true;
	EXPECT(read_all(a, buf, sizeof(buf)) > 0);
	EXPECT_CONTAINS(buf, "\"cmd\": \"vfio-remove\", \"dev\": \"slow\"");
	EXPECT(read_all(b, buf, sizeof(buf)) > 0);
	EXPECT_CONTAINS(buf, "\"cmd\": \"vfio-add\", \"dev\": \"b\"");
	j.stop = true;
	pthread_join(t, NULL);
	close(a);
	close(b);
	control_stop(c);
	teardown();
}
