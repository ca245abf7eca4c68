/* `lkvm stop` and `lkvm debug`, the client side: stop asks each VM for an
 * orderly stop (its power button), waits a bounded time for it to go, then
 * stops what is left hard; debug prints the vCPUs' registers, or sends an
 * NMI or a SysRq. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "kvm/ctl_internal.h"
#include "kvm/json.h"

#define STOP_MAX_VMS	64
#define HARD_WAIT_S	5	/* after a hard stop */
#define DEBUG_SECS	10

static const char stop_usage[] =
"usage: lkvm stop [--name <name> | --all] [--force] [--timeout <s>]\n"
"  stops the VM (default: the only running one) or every VM (--all): its\n"
"  power button first (x86: ACPI; arm64: a gpio-keys power key), then, if\n"
"  it is still running after --timeout seconds (default 30), a hard stop.\n"
"  --force: the hard stop at once. The VM's lkvm exits with status 0.\n";

struct stop_vm {
	char name[NAME_MAX_LEN + 1];
	char how[16];		/* the VM's answer: power-button, none, hard */
	bool asked, gone, hard;
};

struct stop_args {
	bool all, force;
	long timeout;
	struct stop_vm vm[STOP_MAX_VMS];
	int n;
};

static int stop_opt(void *arg, int val, const char *optarg)
{
	struct stop_args *a = arg;
	char *end;

	if (val == 'a')
		a->all = true;
	else if (val == 'f')
		a->force = true;
	else if (val == 't') {
		a->timeout = strtol(optarg, &end, 10);
		if (*end || end == optarg || a->timeout < 0 ||
		    a->timeout > 86400)
			return -1;
	}
	return 0;
}

static void add_vm(void *arg, const char *name)
{
	struct stop_args *a = arg;

	if (a->n < STOP_MAX_VMS)
		ctl_copy_str(a->vm[a->n++].name, NAME_MAX_LEN + 1, name);
}

/* Whether the VM no longer answers at its socket. */
static bool vm_gone(const char *name)
{
	char dir[PATH_LEN], sock[PATH_LEN];

	if (control_dir(dir, sizeof(dir)) ||
	    ctl_name_path(dir, name, SOCK_SUFFIX, sock))
		return true;
	return ctl_probe(sock) != 1;
}

/* Sends stop (hard with force) to v; false if the request failed. */
static bool ask_stop(struct stop_vm *v, bool force)
{
	struct ctl_req r = { .cmd = CTL_STOP, .force = force };
	char *ans;

	if (control_request("lkvm stop", v->name, &r, NULL, 0, STAT_TIMEOUT_S,
			    &ans))
		return vm_gone(v->name);	/* it went meanwhile */
	if (control_answer_str(ans, "how", v->how, sizeof(v->how)))
		v->how[0] = 0;
	free(ans);
	v->asked = true;
	v->hard |= force;
	return true;
}

/* Waits until every VM asked is gone or secs passed; how many are left. */
static int wait_gone(struct stop_args *a, long secs)
{
	u64 end = now_ns() + secs * 1000000000ULL;
	int i, left;

	for (;;) {
		left = 0;
		for (i = 0; i < a->n; i++) {
			if (!a->vm[i].gone && a->vm[i].asked)
				a->vm[i].gone = vm_gone(a->vm[i].name);
			left += a->vm[i].asked && !a->vm[i].gone;
		}
		if (!left || now_ns() >= end)
			return left;
		usleep(50 * 1000);
	}
}

static void report(const struct stop_vm *v, bool force, long timeout)
{
	if (!v->asked)
		return;
	if (!v->gone)
		fprintf(stderr, "lkvm stop: VM '%s' did not stop even after a "
			"hard stop (%d s)\n", v->name, HARD_WAIT_S);
	else if (!v->hard)
		printf("VM '%s' powered off (power button)\n", v->name);
	else if (force)
		printf("VM '%s' stopped (hard stop: --force)\n", v->name);
	else if (!strcmp(v->how, "none"))
		printf("VM '%s' stopped (hard stop: no orderly stop here)\n",
		       v->name);
	else
		printf("VM '%s' stopped (hard stop: still running after %ld s "
		       "of power button)\n", v->name, timeout);
}

/* Orderly stop of all, the bounded wait, then hard stops. */
static int stop_all(struct stop_args *a)
{
	int i, failed = 0;

	for (i = 0; i < a->n; i++)
		failed += !ask_stop(&a->vm[i], a->force);
	if (!a->force && wait_gone(a, a->timeout))
		for (i = 0; i < a->n; i++)
			if (a->vm[i].asked && !a->vm[i].gone)
				failed += !ask_stop(&a->vm[i], true);
	for (i = 0; i < a->n; i++)	/* "none": at once, no wait */
		if (a->vm[i].asked && !a->vm[i].gone && !a->vm[i].hard)
			failed += !ask_stop(&a->vm[i], true);
	wait_gone(a, HARD_WAIT_S);
	for (i = 0; i < a->n; i++) {
		report(&a->vm[i], a->force, a->timeout);
		failed += a->vm[i].asked && !a->vm[i].gone;
	}
	fflush(stdout);
	return failed ? 1 : 0;
}

static int no_vm(void)
{
	char dir[PATH_LEN] = "";

	control_dir(dir, sizeof(dir));
	fprintf(stderr, "lkvm stop: no running VM (none answers in %s)\n",
		*dir ? dir : "$XDG_RUNTIME_DIR/lkvm or $HOME/.lkvm");
	return 1;
}

int lkvm_cmd_stop(int argc, char **argv)
{
	static const struct option extra[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "force", no_argument, NULL, 'f' },
		{ "timeout", required_argument, NULL, 't' },
		{ 0 }
	};
	static struct stop_args a;
	struct ctl_opts o = { .cmd = "lkvm stop", .usage = stop_usage,
			      .extra = extra, .opt = stop_opt, .arg = &a };
	int r;

	memset(&a, 0, sizeof(a));
	a.timeout = 30;
	r = control_parse_opts(&o, argc, argv);
	if (r >= 0)
		return r;
	if (optind < argc || (a.all && o.name)) {
		fprintf(stderr, "lkvm stop: %s\n%s", optind < argc ?
			"unexpected argument" : "give --name or --all, not both",
			stop_usage);
		return 2;
	}
	if (a.all) {
		control_each_vm(add_vm, &a);
		if (!a.n)
			return no_vm();
	} else {
		a.n = 1;
		if (o.name)
			ctl_copy_str(a.vm[0].name, NAME_MAX_LEN + 1, o.name);
		else if (control_pick_vm(o.cmd, a.vm[0].name,
					 sizeof(a.vm[0].name)))
			return 1;
	}
	return stop_all(&a);
}

/* ---- `lkvm debug` ---- */

static const char debug_usage[] =
"usage: lkvm debug [--name <name>] [--nmi] [--sysrq <key>] [--json]\n"
"  prints every vCPU's registers, read while the vCPUs are parked for a\n"
"  moment (x86: RIP, RSP, RFLAGS, CR0/2/3/4, EFER, segment bases; arm64:\n"
"  PC, SP, PSTATE, ELR/ESR/FAR_EL1); --nmi then injects an NMI into every\n"
"  vCPU (x86 only); --sysrq <key> sends a break and <key> to the serial\n"
"  console (Linux's SysRq, e.g. 'h'). --json: the VM's answer as it came\n";

struct debug_args {
	struct ctl_req r;
	bool json, bad;
};

static int debug_opt(void *arg, int val, const char *optarg)
{
	struct debug_args *a = arg;

	if (val == 'n')
		a->r.nmi = true;
	else if (val == 'j')
		a->json = true;
	else if (strlen(optarg) != 1 || optarg[0] < 0x21 || optarg[0] > 0x7e)
		return -1;
	else
		a->r.sysrq = optarg[0];
	return 0;
}

/* vcpuN: key=value ... for each object of the answer's "vcpus". */
static void print_vcpus(const char *ans)
{
	struct json_tok tok[1024];
	struct json_doc d = { .tok = tok, .max_tok = 1024, .max_depth = 4 };
	char key[32], val[64];
	u32 i, j, k, t;
	int arr;

	if (json_parse(&d, ans, strlen(ans), NULL, 0) ||
	    (arr = json_find(&d, 0, "vcpus")) < 0)
		return;
	for (i = 0, t = arr + 1; i < tok[arr].n; i++, t = tok[t].next) {
		for (j = 0, k = t + 1; j < tok[t].n; j++, k = tok[k + 1].next) {
			json_string(&d, k, key, sizeof(key));
			if (json_string(&d, k + 1, val, sizeof(val)) < 0)
				snprintf(val, sizeof(val), "%.*s",
					 (int)MIN(tok[k + 1].len, 63),
					 ans + tok[k + 1].start);
			printf(j ? " %s=%s" : "vcpu%s:", j ? key : val, val);
		}
		putchar('\n');
	}
}

int lkvm_cmd_debug(int argc, char **argv)
{
	static const struct option extra[] = {
		{ "nmi", no_argument, NULL, 'n' },
		{ "sysrq", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ 0 }
	};
	struct debug_args a = { .r = { .cmd = CTL_DEBUG } };
	struct ctl_opts o = { .cmd = "lkvm debug", .usage = debug_usage,
			      .extra = extra, .opt = debug_opt, .arg = &a };
	char *ans, val[64];
	int r = control_parse_opts(&o, argc, argv);

	if (r >= 0)
		return r;
	if (optind < argc) {
		fprintf(stderr, "lkvm debug: unexpected argument '%s'\n%s",
			argv[optind], debug_usage);
		return 2;
	}
#ifdef __aarch64__
	if (a.r.nmi) {
		fprintf(stderr, "lkvm debug: --nmi: arm64 has no NMI that KVM "
			"injects; not supported\n");
		return 2;
	}
#endif
	if (control_request(o.cmd, o.name, &a.r, NULL, 0, DEBUG_SECS, &ans))
		return 1;
	r = 0;
	if (a.json)
		printf("%s\n", ans);
	else if (a.r.sysrq)
		printf("sent SysRq '%c' to the serial console\n", a.r.sysrq);
	else
		print_vcpus(ans);
	if (!a.json && a.r.nmi) {
		if (control_answer_str(ans, "nmi", val, sizeof(val)) ||
		    strcmp(val, "sent")) {
			fprintf(stderr, "lkvm debug: --nmi: %s\n", val);
			r = 1;
		} else {
			printf("NMI sent to every vCPU\n");
		}
	}
	free(ans);
	fflush(stdout);
	return r;
}
