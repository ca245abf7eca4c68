/* The run arguments snapshots record, pure: a VM's own copy that follows
 * devices added and removed at run time (an added one as its option, a
 * removed one's option gone), and the arguments of `lkvm run --restore DIR
 * [options]`: the snapshot's, with the n-th --vfio, --disk or --network
 * given again replacing the snapshot's n-th of that kind (another host
 * resource of the same kind), and --name, --debug, --seccomp, --user added. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kvm/snapshot.h"

enum kind { K_NONE, K_VFIO, K_DISK, K_NET, K_KEEP, K_FLAG, K_NR };

static const struct {
	const char *opt;
	enum kind kind;
} opts[] = {
	{ "--vfio", K_VFIO }, { "--vfio-pci", K_VFIO }, { "--disk", K_DISK },
	{ "-d", K_DISK }, { "--network", K_NET }, { "-n", K_NET },
	{ "--name", K_KEEP }, { "--seccomp", K_KEEP }, { "--debug", K_FLAG },
	{ "--user", K_KEEP },
};

/* The option token a is: its kind, and where its value is (an attached
 * "=value" or "-dvalue": *val points into a, else NULL: the next token). */
static enum kind classify(const char *a, const char **val, const char **opt)
{
	size_t i, n;

	*val = NULL;
	for (i = 0; i < ARRAY_SIZE(opts); i++) {
		n = strlen(opts[i].opt);
		if (strncmp(a, opts[i].opt, n))
			continue;
		*opt = opts[i].opt;
		if (!a[n])
			return opts[i].kind;
		if (a[n] == '=' && opts[i].opt[1] == '-' && opts[i].kind != K_FLAG)
			*val = a + n + 1;
		else if (opts[i].opt[1] != '-' && a[n] != '=')
			*val = a + n;
		else
			continue;
		return opts[i].kind;
	}
	return K_NONE;
}

/* The n-th value of kind k in argv (argv[0] is "run"): index of the token
 * holding the option, or -1. */
static int find_nth(int argc, char **argv, enum kind k, int n)
{
	const char *val, *opt;
	enum kind c;
	int i;

	for (i = 1; i < argc; i++) {
		c = classify(argv[i], &val, &opt);
		if (c == K_NONE || c == K_FLAG)
			continue;
		if (c == k && !n--)
			return i;
		if (!val)
			i++;
	}
	return -1;
}

static int refuse(char *err, size_t errlen, const char *a)
{
	return set_err(err, errlen, "'%s' cannot be given with --restore: the "
		       "VM's configuration comes from the snapshot; only "
		       "--vfio, --disk and --network (another host resource "
		       "for the snapshot's device of that kind, in order), "
		       "--name, --seccomp, --user and --debug may be", a);
}

/* Emits the snapshot's arguments, each replaced value with its option. */
static int emit_saved(int sargc, char **sargv, char **repl, char **out,
		      int max)
{
	const char *val, *opt;
	int i, n = 0;

	for (i = 0; i < sargc; i++) {
		if (n + 2 > max)
			return -1;
		if (!repl[i]) {
			out[n++] = sargv[i];
			continue;
		}
		classify(sargv[i], &val, &opt);
		out[n++] = (char *)opt;
		out[n++] = repl[i];
		if (!val)
			i++;	/* the old value */
	}
	return n;
}

int snap_restore_args(int sargc, char **sargv, int nargc, char **nargv,
		      char **out, int max, char *err, size_t errlen)
{
	char *repl[SNAP_MAX_ARGS] = { 0 }, *extra[SNAP_MAX_ARGS];
	int i, at, n, nx = 0, seen[K_NR] = { 0 };
	const char *val, *opt;
	enum kind k;

	if (sargc < 1 || sargc > SNAP_MAX_ARGS || nargc > SNAP_MAX_ARGS)
		return set_err(err, errlen, "too many arguments");
	for (i = 0; i < nargc; i++) {
		k = classify(nargv[i], &val, &opt);
		if (k == K_NONE)
			return refuse(err, errlen, nargv[i]);
		if (!val && k != K_FLAG && i + 1 == nargc)
			return set_err(err, errlen, "option '%s' needs a value",
				       nargv[i]);
		if (!val && k != K_FLAG)
			val = nargv[++i];
		if (k == K_KEEP || k == K_FLAG) {
			extra[nx++] = (char *)opt;
			if (k == K_KEEP)
				extra[nx++] = (char *)val;
			continue;
		}
		at = find_nth(sargc, sargv, k, seen[k]);
		if (at < 0)
			return set_err(err, errlen, "%s %s: the snapshot has %d "
				       "device%s of that kind", opt, val, seen[k],
				       seen[k] == 1 ? "" : "s");
		seen[k]++;
		repl[at] = (char *)val;
	}
	n = emit_saved(sargc, sargv, repl, out, max);
	if (n < 0 || n + nx > max)
		return set_err(err, errlen, "too many arguments");
	memcpy(out + n, extra, nx * sizeof(*out));
	return n + nx;
}

/* ---- the VM's recorded arguments ---- */

void snap_args_free(struct snap_args *a)
{
	int i;

	for (i = 0; i < a->argc; i++)
		free(a->argv[i]);
	memset(a, 0, sizeof(*a));
}

static int push(struct snap_args *a, const char *s)
{
	if (a->argc >= SNAP_MAX_ARGS)
		return -1;
	a->argv[a->argc] = strdup(s);
	if (!a->argv[a->argc])
		return -1;
	a->argc++;
	return 0;
}

int snap_args_init(struct snap_args *a, int argc, char *const *argv)
{
	int i;

	memset(a, 0, sizeof(*a));
	for (i = 0; i < argc; i++)
		if (push(a, argv[i])) {
			snap_args_free(a);
			return -1;
		}
	return 0;
}

int snap_args_add(struct snap_args *a, const char *opt, const char *val)
{
	if (a->argc + 2 > SNAP_MAX_ARGS || push(a, opt))
		return -1;
	if (!push(a, val))
		return 0;
	free(a->argv[--a->argc]);
	return -1;
}

int snap_args_drop(struct snap_args *a, const char *opt,
		   bool (*match)(const char *val, void *arg), void *arg)
{
	const char *val, *o;
	enum kind k = classify(opt, &val, &o), c;
	int i, n;

	for (i = 1; i < a->argc; i++) {
		c = classify(a->argv[i], &val, &o);
		if (c == K_NONE || c == K_FLAG)
			continue;
		n = val ? 1 : 2;
		if (!val && i + 1 >= a->argc)
			return -1;
		if (c != k || !match(val ? val : a->argv[i + 1], arg)) {
			i += n - 1;
			continue;
		}
		free(a->argv[i]);
		if (n == 2)
			free(a->argv[i + 1]);
		memmove(&a->argv[i], &a->argv[i + n],
			(a->argc - i - n) * sizeof(a->argv[0]));
		a->argc -= n;
		return 0;
	}
	return -1;
}
