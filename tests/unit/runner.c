/* Runs every registered unit test (or those whose name contains argv[1])
 * and prints failures plus a closing "unit: N passed, N failed" line. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "unit.h"

static struct unit_test *tests;
static int cur_failed;
static const char *cur_name;

void unit_register(struct unit_test *t)
{
	struct unit_test **p = &tests;

	/* keep registration order stable: append */
	while (*p)
		p = &(*p)->next;
	*p = t;
}

void unit_mute(int saved[2])
{
	int nul = open("/dev/null", O_WRONLY | O_CLOEXEC);

	fflush(stdout);
	fflush(stderr);
	saved[0] = dup(1);
	saved[1] = dup(2);
	dup2(nul, 1);
	dup2(nul, 2);
	close(nul);
}

void unit_unmute(const int saved[2])
{
	fflush(stdout);
	fflush(stderr);
	dup2(saved[0], 1);
	dup2(saved[1], 2);
	close(saved[0]);
	close(saved[1]);
}

bool unit_check(bool ok, const char *expr, const char *file, int line)
{
	if (!ok) {
		fprintf(stderr, "FAIL %s: %s:%d: %s\n", cur_name, file, line, expr);
		cur_failed++;
	}
	return ok;
}

bool unit_check_eq(unsigned long long a, unsigned long long b, const char *ea,
		   const char *eb, const char *file, int line)
{
	if (a != b) {
		fprintf(stderr, "FAIL %s: %s:%d: %s == %s (0x%llx != 0x%llx)\n",
			cur_name, file, line, ea, eb, a, b);
		cur_failed++;
	}
	return a == b;
}

bool unit_check_str(const char *a, const char *b, const char *ea,
		    const char *eb, const char *file, int line)
{
	bool ok = a && b && !strcmp(a, b);

	if (!ok) {
		fprintf(stderr, "FAIL %s: %s:%d: %s == %s (\"%s\" != \"%s\")\n",
			cur_name, file, line, ea, eb, a ? a : "(null)",
			b ? b : "(null)");
		cur_failed++;
	}
	return ok;
}

bool unit_check_contains(const char *hay, const char *needle, const char *eh,
			 const char *file, int line)
{
	bool ok = hay && needle && strstr(hay, needle);

	if (!ok) {
		fprintf(stderr, "FAIL %s: %s:%d: %s contains \"%s\" (got \"%s\")\n",
			cur_name, file, line, eh, needle, hay ? hay : "(null)");
		cur_failed++;
	}
	return ok;
}

int main(int argc, char **argv)
{
	int passed = 0, failed = 0;
	struct unit_test *t;

	for (t = tests; t; t = t->next) {
		if (argc > 1 && !strstr(t->name, argv[1]))
			continue;
		cur_name = t->name;
		cur_failed = 0;
		t->fn();
		if (cur_failed)
			failed++;
		else
			passed++;
		if (getenv("UNIT_VERBOSE"))
			fprintf(stderr, "%s %s\n", cur_failed ? "FAIL" : "ok  ", t->name);
	}
	printf("unit: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
