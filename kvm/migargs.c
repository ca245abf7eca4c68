/* The destination's expectations of an incoming VM (include/kvm/
 * migrate.h), pure: -m/--mem and -c/--cpus given to `lkvm run --incoming`
 * are checked against the source's hello, not passed on as options. */
#include <stdlib.h>
#include <string.h>
#include "kvm/config.h"
#include "kvm/migrate.h"

/* -m/--mem/-c/--cpus (with "=VALUE" for the long forms): 'm', 'c' or 0;
 * *val the attached value, or NULL (the next argument). */
static int classify(const char *a, const char **val)
{
	*val = NULL;
	if (!strcmp(a, "-m") || !strcmp(a, "--mem"))
		return 'm';
	if (!strcmp(a, "-c") || !strcmp(a, "--cpus"))
		return 'c';
	if (!strncmp(a, "--mem=", 6) || !strncmp(a, "--cpus=", 7)) {
		*val = strchr(a, '=') + 1;
		return a[2];
	}
	return 0;
}

static int check(int k, const char *opt, const char *v, u64 ram_size,
		 u32 nr_cpus, char *err, size_t errlen)
{
	unsigned long cpus;
	char *end;
	u64 mib;

	if (k == 'm' && (parse_mem_mib(v, &mib) || !mib))
		return set_err(err, errlen, "%s '%s': not a size", opt, v);
	if (k == 'm' && mib * SZ_1M != ram_size)
		return set_err(err, errlen, "RAM size: the source's VM has %llu "
			       "MiB, this destination expects %llu MiB (%s)",
			       (unsigned long long)(ram_size >> 20),
			       (unsigned long long)mib, opt);
	if (k == 'm')
		return 0;
	cpus = strtoul(v, &end, 10);
	if (!*v || *end || cpus != nr_cpus)
		return set_err(err, errlen, "vCPUs: the source's VM has %u, "
			       "this destination expects '%s' (%s)", nr_cpus, v,
			       opt);
	return 0;
}

int mig_expect_args(int n, char **in, char **rest, int *nrest, u64 ram_size,
		    u32 nr_cpus, char *err, size_t errlen)
{
	const char *v;
	int i, k;

	for (i = *nrest = 0; i < n; i++) {
		k = classify(in[i], &v);
		if (!k) {
			rest[(*nrest)++] = in[i];
			continue;
		}
		if (!v && i + 1 == n)
			return set_err(err, errlen, "option '%s' needs a value",
				       in[i]);
		if (check(k, in[i], v ? v : in[i + 1], ram_size, nr_cpus, err,
			  errlen))
			return -1;
		if (!v)
			i++;
	}
	return 0;
}
