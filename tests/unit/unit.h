/* Minimal unit-test harness: TEST() registers a test at load time,
 * EXPECT*() record failures without stopping the test. The runner in
 * runner.c prints one line per failure and a closing "N passed, N failed". */
#ifndef LKVM_TESTS_UNIT_H
#define LKVM_TESTS_UNIT_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

struct unit_test {
	const char *name;
	const char *file;
	void (*fn)(void);
	struct unit_test *next;
};

void unit_register(struct unit_test *t);
bool unit_check(bool ok, const char *expr, const char *file, int line);
bool unit_check_eq(unsigned long long a, unsigned long long b, const char *ea,
		   const char *eb, const char *file, int line);
bool unit_check_str(const char *a, const char *b, const char *ea,
		    const char *eb, const char *file, int line);
bool unit_check_contains(const char *hay, const char *needle, const char *eh,
			 const char *file, int line);
/* stdout and stderr to /dev/null (a command's usage lines) until
 * unit_unmute(saved); runner.c. */
void unit_mute(int saved[2]);
void unit_unmute(const int saved[2]);

#define TEST(n)								\
	static void n(void);						\
	static struct unit_test n##_desc = { #n, __FILE__, n, 0 };	\
	__attribute__((constructor)) static void n##_reg(void)		\
	{ unit_register(&n##_desc); }					\
	static void n(void)

#define EXPECT(c)	unit_check(!!(c), #c, __FILE__, __LINE__)
#define EXPECT_EQ(a, b)	unit_check_eq((unsigned long long)(a),		\
			(unsigned long long)(b), #a, #b, __FILE__, __LINE__)
#define EXPECT_STR(a, b) unit_check_str((a), (b), #a, #b, __FILE__, __LINE__)
#define EXPECT_CONTAINS(h, n) unit_check_contains((h), (n), #h, __FILE__, __LINE__)
/* Stop the current test when a precondition fails (avoids NULL derefs). */
#define ASSERT(c)	do { if (!EXPECT(c)) return; } while (0)
#define ASSERT_EQ(a, b)	do { if (!EXPECT_EQ(a, b)) return; } while (0)

#endif
